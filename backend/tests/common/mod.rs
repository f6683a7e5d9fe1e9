//! Shared by the integration tests: a real server on 127.0.0.1:0 over a real SQLite file in
//! a temporary folder, a reqwest client, and helpers to enrol kiosks and seal submissions.
#![allow(dead_code)]

pub mod web;

use backend::config::{Retry, Settings};
use backend::data_dir::DataDir;
use backend::db::users::{self, Role};
use backend::db::{self, kiosks, services};
use backend::known_flows::ShippedFlows;
use backend::state::AppState;
use kiosk_sync::seal;
use kiosk_sync::wire::{self, EnrollRequest, EnrollResponse, SubmissionUpload};
use reqwest::StatusCode;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
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

    /// A fresh data folder and a server on it with these settings (`public_url` is set to
    /// the server's address).
    pub async fn start_with(settings: Settings) -> Server {
        let dir = tempfile::tempdir().expect("test setup");
        DataDir::new(dir.path()).init().expect("test setup");
        Server::start_in_with(dir, settings).await
    }

    /// A server on an existing data folder.
    pub async fn start_in(dir: TempDir) -> Server {
        Server::start_in_with(dir, test_settings()).await
    }

    pub async fn start_in_with(dir: TempDir, settings: Settings) -> Server {
        Server::start_state(dir, settings, |state| state).await
    }

    /// A fresh data folder and a server that knows the shipped flows (`serve --flows`).
    pub async fn start_with_shipped_flows() -> Server {
        let dir = tempfile::tempdir().expect("test setup");
        DataDir::new(dir.path()).init().expect("test setup");
        let flows_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../flows");
        let shipped = ShippedFlows::load(&flows_dir).expect("test setup");
        Server::start_state(dir, test_settings(), move |state| {
            state.with_shipped_flows(shipped)
        })
        .await
    }

    /// A server on `dir` whose state is made by `adjust` from the data folder's.
    pub async fn start_state(
        dir: TempDir,
        mut settings: Settings,
        adjust: impl FnOnce(AppState) -> AppState,
    ) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("test setup");
        let addr = listener.local_addr().expect("test setup");
        settings.public_url = format!("http://{addr}");
        let state = adjust(
            AppState::open(&DataDir::new(dir.path()))
                .expect("test setup")
                .with_settings(settings),
        );
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

    /// `backend service add`.
    pub fn add_service(
        &self,
        id: &str,
        name: &str,
        email: Option<&str>,
        webhook: Option<&str>,
    ) -> services::Service {
        let db = self.data_dir().open_db().expect("test setup");
        let input = services::check(name, email, webhook).expect("test setup");
        db.with(|c| services::add(c, id, &input, &db::now()))
            .expect("test setup")
    }

    /// `backend user add` with this password.
    pub fn add_user(
        &self,
        email: &str,
        role: Role,
        services: &[&str],
        password: &str,
    ) -> users::User {
        let db = self.data_dir().open_db().expect("test setup");
        let hash = backend::passwords::hash(password).expect("test setup");
        let services: Vec<String> = services.iter().map(|s| s.to_string()).collect();
        db.with(|c| users::add(c, email, email, role, &hash, &services, &db::now()))
            .expect("test setup")
    }

    /// A sealed submission for `service` sent through the kiosk API (201 expected); its
    /// receipt and id.
    pub async fn submit(
        &self,
        kiosk: &EnrollResponse,
        service: &str,
        commune: &str,
        phone: &str,
    ) -> (String, String) {
        let receipt = receipt(&kiosk.receipt_prefix);
        let answers = answers_for(service, commune, phone);
        let up = upload_answers(&kiosk.public_key, &receipt, &answers);
        let response = self.put_submission(&kiosk.token, &up).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        (receipt, up.id)
    }

    /// Rows in `table`, read through a separate connection.
    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.data_dir().db_path()).expect("test setup");
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .expect("test setup")
    }
}

/// Settings for tests: plain http on loopback (no Secure cookie), quick retries.
pub fn test_settings() -> Settings {
    Settings {
        public_url: "http://127.0.0.1".into(),
        cookie_secure: false,
        smtp: None,
        retry: Retry {
            first: Duration::from_millis(100),
            max: Duration::from_millis(400),
            timeout: Duration::from_secs(5),
        },
    }
}

/// A fresh receipt code for a kiosk with this prefix.
pub fn receipt(prefix: &str) -> String {
    let tail = backend::secrets::random_code(4);
    format!("{}{}-{}", prefix, &tail[..1], &tail[1..])
}

/// What a kiosk's runtime submits (the JSON of `kiosk_flow::submission::Submission`).
pub fn answers(phone: &str) -> serde_json::Value {
    json!({
        "flow_id": "signalement-eclairage",
        "flow_version": 3,
        "service": "voirie",
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62276",
             "display": "Duisans", "dataset": "communes", "details": {"postcode": "62161"}},
            {"step_id": "telephone", "label": "Téléphone", "value": phone,
             "display": phone},
        ]
    })
}

/// A report for `service` from `commune`, with a phone number (personal data).
pub fn answers_for(service: &str, commune: &str, phone: &str) -> serde_json::Value {
    json!({
        "flow_id": "signalement-eclairage",
        "flow_version": 3,
        "service": service,
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62276",
             "display": commune, "dataset": "communes", "details": {"postcode": "62161"}},
            {"step_id": "probleme", "label": "Quel est le problème ?", "value": "eteint",
             "display": "Le lampadaire ne s'allume plus"},
            {"step_id": "telephone", "label": "Téléphone", "value": phone,
             "display": phone},
        ]
    })
}

/// A submission sealed to `public_key`, its flow and service taken from `answers`.
pub fn upload_answers(
    public_key: &str,
    receipt: &str,
    answers: &serde_json::Value,
) -> SubmissionUpload {
    let mut up = upload(public_key, receipt, answers);
    up.flow_id = answers["flow_id"].as_str().expect("test setup").into();
    up.flow_version = answers["flow_version"]
        .as_u64()
        .and_then(|v| u32::try_from(v).ok())
        .expect("test setup");
    up.service = answers["service"].as_str().expect("test setup").into();
    up
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
