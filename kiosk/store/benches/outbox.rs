//! Benchmark: queueing submissions (JSON, sealing, one `BEGIN IMMEDIATE` transaction and
//! its fsync with `synchronous=FULL`), then reading them back as due. Run with
//! `cargo bench -p kiosk-store`; `KIOSK_STORE_BENCH_N` changes the count (10,000 by default).
//!
//! A plain timing loop (no harness): the figure that matters is the time a citizen waits
//! between "je confirme" and the receipt code, dominated by the disk's fsync.

use chrono::Utc;
use kiosk_flow::runtime::{Submission, SubmittedAnswer};
use kiosk_store::{Identity, Store};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::EnrollResponse;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn submission(n: usize) -> Submission {
    let answer = |step_id: &str, value: &str| SubmittedAnswer {
        step_id: step_id.into(),
        label: step_id.into(),
        value: serde_json::json!(value),
        display: value.into(),
        dataset: (step_id == "commune").then(|| "communes".into()),
        details: BTreeMap::new(),
    };
    Submission {
        flow_id: "signalement-eclairage".into(),
        flow_version: 3,
        service: "voirie".into(),
        answers: vec![
            answer("commune", "Avesnes-le-Comte"),
            answer(
                "lieu",
                &format!("devant le numéro {n} de la rue principale"),
            ),
            answer(
                "probleme",
                "Le lampadaire ne s'allume plus depuis trois jours.",
            ),
            answer("nom", "Jeanne Dupont-Martin"),
            answer("telephone", "0612345678"),
        ],
        urgent: false,
        booking: None,
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn main() {
    let n: usize = std::env::var("KIOSK_STORE_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(dir.path().join("kiosk.db")).expect("open");
    let keys = KeyPair::generate();
    let answer = EnrollResponse {
        kiosk_id: "bench".into(),
        name: "Banc d'essai".into(),
        place: "ici".into(),
        token: "jeton".into(),
        public_key: keys.public_base64(),
        receipt_prefix: "B3".into(),
        catalog_key: String::new(),
    };
    store
        .set_identity(&Identity::from_enrollment(
            &answer,
            "https://example.invalid",
            Utc::now(),
        ))
        .expect("identity");
    let submissions: Vec<Submission> = (0..n).map(submission).collect();

    let mut times = Vec::with_capacity(n);
    let start = Instant::now();
    for s in &submissions {
        let t = Instant::now();
        std::hint::black_box(store.queue_submission(s).expect("queue"));
        times.push(t.elapsed());
    }
    let total = start.elapsed();
    times.sort();
    println!(
        "queue_submission x{n}: {:.3} ms mean, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({:.0}/s)",
        total.as_secs_f64() * 1e3 / n as f64,
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times[times.len() - 1].as_secs_f64() * 1e3,
        n as f64 / total.as_secs_f64(),
    );

    let t = Instant::now();
    let due = store.due(Utc::now(), 100).expect("due");
    println!(
        "due(100) among {n} pending: {:.3} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    for item in &due {
        store
            .mark_delivered(&item.id, "2026-11-28T10:00:00Z")
            .expect("delivered");
    }
    println!(
        "mark_delivered: {:.3} ms each",
        t.elapsed().as_secs_f64() * 1e3 / due.len().max(1) as f64
    );
    let size = std::fs::metadata(dir.path().join("kiosk.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "database file: {:.1} MB for {n} submissions",
        size as f64 / 1e6
    );
}
