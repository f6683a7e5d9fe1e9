//! Shared by the integration tests: a real server on 127.0.0.1:0 over a real SQLite file in
//! a temporary folder, a reqwest client, and helpers to enrol kiosks and seal submissions.
#![allow(dead_code)]

use backend::data_dir::DataDir;
use backend::db::{self, kiosks};
use backend::state::AppState;
use kiosk_sync::seal;
use kiosk_sync::wire::{self, EnrollRequest, EnrollResponse, SubmissionUpload};
use reqwest::StatusCode;
use serde_json::json;
use std::net::SocketAddr;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Server {
    pub dir: TempDir,
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// A fresh data folder (`backend init`) and a server on it.
    pub async fn start() -> Server {
        let dir = tempfile::tempdir().expect("test setup");
        DataDir::new(dir.path()).init().expect("test setup");
        Server::start_in(dir).await
    }

    /// A server on an existing data folder.
    pub async fn start_in(dir: TempDir) -> Server {
        let state = AppState::open(&DataDir::new(dir.path())).expect("test setup");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test setup");
        let addr = listener.local_addr().expect("test setup");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(backend::serve::serve(listener, state, async {
            let _ = rx.await;
        }));
        Server {
            dir,
            addr,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and gives the data folder back (to restart on it).
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server");
        }
        self.dir
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn data_dir(&self) -> DataDir {
        DataDir::new(self.dir.path())
    }

    /// `backend kiosk add`: the enrolment code.
    pub fn add_kiosk(&self, name: &str) -> String {
        let db = self.data_dir().open_db().expect("test setup");
        db.with(|c| kiosks::add(c, name, "Mairie de Duisans", &db::now()))
            .expect("test setup")
            .code
    }

    pub async fn enroll(&self, code: &str) -> reqwest::Response {
        self.client
            .post(self.url(&wire::enroll_path()))
            .json(&EnrollRequest { code: code.into() })
            .send()
            .await
            .expect("test setup")
    }

    /// A kiosk added and enrolled.
    pub async fn kiosk(&self, name: &str) -> EnrollResponse {
        let code = self.add_kiosk(name);
        let response = self.enroll(&code).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("test setup")
    }

    pub async fn put_submission(
        &self,
        token: &str,
        upload: &SubmissionUpload,
    ) -> reqwest::Response {
        self.client
            .put(self.url(&wire::submission_path(&upload.id)))
            .bearer_auth(token)
            .json(upload)
            .send()
            .await
            .expect("test setup")
    }

    /// Rows in `table`, read through a separate connection.
    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.data_dir().db_path()).expect("test setup");
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("test setup")
    }
}

/// A fresh receipt code for a kiosk with this prefix.
pub fn receipt(prefix: &str) -> String {
    let tail = backend::secrets::random_code(4);
    format!("{}{}-{}", prefix, &tail[..1], &tail[1..])
}

/// What a kiosk's runtime submits (the shape of `kiosk_flow::runtime::Submission`).
pub fn answers(phone: &str) -> serde_json::Value {
    json!({
        "flow_id": "signalement-eclairage",
        "flow_version": 3,
        "service": "voirie",
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62276",
             "display": "Duisans", "details": {"postcode": "62161"}},
            {"step_id": "telephone", "label": "Téléphone", "value": phone,
             "display": phone},
        ]
    })
}

/// A submission sealed to `public_key`.
pub fn upload(public_key: &str, receipt: &str, answers: &serde_json::Value) -> SubmissionUpload {
    let sealed = seal::seal(
        public_key,
        &serde_json::to_vec(answers).expect("test setup"),
    )
    .expect("test setup");
    SubmissionUpload {
        id: uuid::Uuid::new_v4().to_string(),
        flow_id: "signalement-eclairage".into(),
        flow_version: 3,
        service: "voirie".into(),
        receipt: receipt.into(),
        created_at: "2026-11-28T10:00:00Z".into(),
        sealed: base64_encode(&sealed),
    }
}

pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Reads an error body, checking it is the JSON `ErrorBody` with this code.
pub async fn expect_error(response: reqwest::Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status);
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: wire::ErrorBody = response.json().await.expect("test setup");
    assert_eq!(body.error, code, "{}", body.message);
    assert!(!body.message.is_empty());
}
