//! Open311 benchmark (`cargo bench -p backend --bench open311`): `GET requests.json` over
//! `BACKEND_BENCH_N` (default 10,000) stored reports, through the real server on loopback,
//! with and without filters. The reports are stored straight into the database before the
//! clock starts; each query is timed `BACKEND_BENCH_RUNS` times (default 15), the median given.

use backend::data_dir::DataDir;
use backend::db::{self, kiosks, submissions};
use backend::known_flows::ShippedFlows;
use backend::opened;
use backend::state::AppState;
use kiosk_sync::wire::RequestStatus;
use serde_json::json;
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

fn main() {
    let total = env_number("BACKEND_BENCH_N", 10_000);
    let runs = env_number("BACKEND_BENCH_RUNS", 15);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(total, runs));
}

const PROBLEMS: [(&str, &str); 4] = [
    ("eteint", "Il ne s'allume plus"),
    ("clignote", "Il clignote"),
    ("jour", "Il reste allumé le jour"),
    ("abime", "Il est abîmé ou tombé"),
];

async fn run(total: usize, runs: usize) {
    let parent = option_env!("CARGO_TARGET_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(parent).expect("tempdir");
    let data_dir = DataDir::new(dir.path());
    data_dir.init().expect("init");
    let db = data_dir.open_db().expect("db");
    let kiosk = db
        .with(|c| kiosks::add(c, "Banc d'essai", "Duisans", &db::now()))
        .expect("kiosk")
        .kiosk;
    let stored = Instant::now();
    let mut first_receipt = String::new();
    let now = chrono::Utc::now();
    for i in 0..total {
        let (problem, label) = PROBLEMS[i % PROBLEMS.len()];
        let answers = json!({
            "flow_id": "eclairage-public", "flow_version": 3, "service": "voirie",
            "answers": [
                {"step_id": "commune", "label": "Commune", "value": "62279", "display": "Duisans",
                 "dataset": "communes", "details": {"code_postal": "62161"}},
                {"step_id": "lieu", "label": "Endroit", "value": "rue Haute", "display": "rue Haute"},
                {"step_id": "probleme", "label": "Problème", "value": problem, "display": label},
                {"step_id": "rappel", "label": "Être rappelé", "value": true, "display": "Oui"},
                {"step_id": "telephone", "label": "Téléphone", "value": "0611223344",
                 "display": "06 11 22 33 44"}
            ]
        })
        .to_string();
        // Spread over the last 60 days, so the default 90-day window holds them all.
        let created = now - chrono::TimeDelta::minutes(i64::try_from(i).unwrap_or(0) * 8);
        let new = submissions::NewSubmission {
            id: uuid::Uuid::new_v4().to_string(),
            kiosk_id: kiosk.id.clone(),
            flow_id: "eclairage-public".into(),
            flow_version: 3,
            service: "voirie".into(),
            receipt: format!("{}{:04}", kiosk.receipt_prefix, i)
                .chars()
                .map(|c| match c {
                    '0' => 'A',
                    '1' => 'B',
                    other => other,
                })
                .collect::<String>(),
            created_at: db::timestamp(created),
            content_digest: format!("d{i}"),
            opened: opened::parse(answers.as_bytes()).expect("answers"),
            answers_json: answers,
        };
        let receipt = kiosk_flow::receipt::normalize_receipt(&new.receipt).expect("receipt");
        let new = submissions::NewSubmission { receipt, ..new };
        if i == 0 {
            first_receipt = new.receipt.clone();
        }
        db.with(|c| submissions::ingest(c, &new, &db::now()))
            .expect("ingest");
        if i % 3 == 0 {
            db.with(|c| {
                submissions::set_status(
                    c,
                    &new.receipt,
                    RequestStatus::Traite,
                    None,
                    "cli",
                    &db::now(),
                )
            })
            .expect("status");
        }
    }
    println!(
        "{total} reports stored in {:.1} s (not timed below)",
        stored.elapsed().as_secs_f64()
    );
    drop(db);

    let flows_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../flows");
    let state = AppState::open(&data_dir)
        .expect("state")
        .with_shipped_flows(ShippedFlows::load(&flows_dir).expect("flows"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(backend::serve::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    println!("| query | median | listed | bytes |");
    println!("|---|---|---|---|");
    let one_id = format!("requests.json?service_request_id={first_receipt}");
    for (name, query) in [
        ("no filter (1000 newest)", "requests.json"),
        ("no filter, XML", "requests.xml"),
        (
            "service_code",
            "requests.json?service_code=eclairage-public",
        ),
        ("status=open", "requests.json?status=open"),
        (
            "7 days",
            "requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-01-08T00:00:00Z",
        ),
        ("one id", one_id.as_str()),
    ] {
        let url = format!("{base}/open311/v2/{query}");
        let mut times = Vec::new();
        let mut listed = 0;
        let mut bytes = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let response = client.get(&url).send().await.expect("get");
            assert!(response.status().is_success(), "{url}");
            let body = response.text().await.expect("body");
            times.push(started.elapsed());
            bytes = body.len();
            listed = body.matches("<request>").count()
                + serde_json::from_str::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.as_array().map(Vec::len))
                    .unwrap_or(0);
        }
        times.sort();
        let median: Duration = times[times.len() / 2];
        println!(
            "| {name} | {:.1} ms | {listed} | {bytes} |",
            median.as_secs_f64() * 1000.0
        );
    }
    let _ = stop.send(());
    let _ = server.await;
}
