//! Ingest benchmark (`cargo bench -p backend --bench ingest`): sealed submissions per second,
//! opened and stored durably, sent by a few concurrent clients to the real server over
//! loopback HTTP, with the database on disk (`synchronous=FULL`: every commit is fsynced).
//!
//! `BACKEND_BENCH_N` (default 2000) submissions, `BACKEND_BENCH_CLIENTS` (default 8) clients.
//! The sealing is done before the clock starts: only the back end's work is timed.

mod common;

use backend::db::{self, kiosks};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::{env_number, BenchServer};
use kiosk_sync::seal;
use kiosk_sync::wire::{self, EnrollRequest, EnrollResponse, SubmissionUpload};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn main() {
    let total = env_number("BACKEND_BENCH_N", 2000);
    let clients = env_number("BACKEND_BENCH_CLIENTS", 8);
    common::block_on(run(total, clients));
}

async fn run(total: usize, clients: usize) {
    let mut code = String::new();
    let server = BenchServer::start(|data_dir| {
        code = data_dir
            .open_db()
            .expect("db")
            .with(|c| kiosks::add(c, "Banc d'essai", "Duisans", &db::now()))
            .expect("kiosk")
            .code;
    })
    .await;
    let base = server.base.clone();

    let client = reqwest::Client::new();
    let kiosk: EnrollResponse = client
        .post(format!("{base}{}", wire::enroll_path()))
        .json(&EnrollRequest { code })
        .send()
        .await
        .expect("enroll")
        .json()
        .await
        .expect("enroll body");

    let uploads: Vec<SubmissionUpload> = (0..total)
        .map(|i| sample(&kiosk.public_key, &kiosk.receipt_prefix, i))
        .collect();
    let token: Arc<str> = kiosk.token.into();
    let chunks: Vec<Vec<SubmissionUpload>> = uploads
        .chunks(total.div_ceil(clients))
        .map(<[_]>::to_vec)
        .collect();

    let first = send_all(&client, &base, &token, &chunks, 201).await;
    let retries = send_all(&client, &base, &token, &chunks, 200).await;

    assert_eq!(server.count("submissions") as usize, total);
    server.stop().await;

    println!(
        "ingest : {total} demandes scellées ouvertes et stockées en {:.2} s par {clients} clients, \
         soit {:.0} demandes/s (HTTP en boucle locale, SQLite WAL synchronous=FULL)",
        first.as_secs_f64(),
        total as f64 / first.as_secs_f64()
    );
    println!(
        "renvois : {total} renvois identiques reconnus en {:.2} s, soit {:.0} renvois/s",
        retries.as_secs_f64(),
        total as f64 / retries.as_secs_f64()
    );
}

/// Sends every chunk from its own client task; each answer must have `expected` status.
async fn send_all(
    client: &reqwest::Client,
    base: &str,
    token: &Arc<str>,
    chunks: &[Vec<SubmissionUpload>],
    expected: u16,
) -> Duration {
    let start = Instant::now();
    let tasks: Vec<_> = chunks
        .iter()
        .cloned()
        .map(|chunk| {
            let client = client.clone();
            let base = base.to_string();
            let token = token.clone();
            tokio::spawn(async move {
                for upload in chunk {
                    let response = client
                        .put(format!("{base}{}", wire::submission_path(&upload.id)))
                        .bearer_auth(&*token)
                        .json(&upload)
                        .send()
                        .await
                        .expect("send");
                    assert_eq!(response.status().as_u16(), expected);
                    response.bytes().await.expect("body");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("client task");
    }
    start.elapsed()
}

/// A realistic submission (a street-light report with a phone number), sealed.
fn sample(public_key: &str, prefix: &str, i: usize) -> SubmissionUpload {
    let answers = serde_json::json!({
        "flow_id": "signalement-eclairage",
        "flow_version": 3,
        "service": "voirie",
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62276", "display": "Duisans",
             "dataset": "communes", "details": {"postcode": "62161"}},
            {"step_id": "lieu", "label": "Lieu", "value": "Devant le 12 rue de l'Église",
             "display": "Devant le 12 rue de l'Église"},
            {"step_id": "probleme", "label": "Problème", "value": "eteint", "display": "Éteint"},
            {"step_id": "rappel", "label": "Être rappelé", "value": true, "display": "Oui"},
            {"step_id": "telephone", "label": "Téléphone", "value": "0612345678",
             "display": "06 12 34 56 78"},
        ]
    });
    let sealed =
        seal::seal(public_key, &serde_json::to_vec(&answers).expect("json")).expect("seal");
    SubmissionUpload {
        id: uuid::Uuid::new_v4().to_string(),
        flow_id: "signalement-eclairage".into(),
        flow_version: 3,
        service: "voirie".into(),
        receipt: receipt(prefix, i),
        created_at: "2026-11-28T10:00:00Z".into(),
        sealed: STANDARD.encode(sealed),
    }
}

/// The `i`-th receipt code of a kiosk: its prefix, then `i` in the receipt alphabet.
fn receipt(prefix: &str, mut i: usize) -> String {
    let alphabet = wire::RECEIPT_ALPHABET;
    let mut tail = [b'2'; 4];
    for slot in tail.iter_mut().rev() {
        *slot = alphabet[i % alphabet.len()];
        i /= alphabet.len();
    }
    let tail = String::from_utf8_lossy(&tail).into_owned();
    format!("{prefix}{}-{}", &tail[..1], &tail[1..])
}
