//! Never lose an answer: a child process (this test binary, run again with an environment
//! variable) queues submissions in a loop and prints each id once `queue_submission` has
//! returned; it is killed with SIGKILL at a random moment. Every printed submission must be
//! in the reopened database, whole (its sealed box opens), and the file must pass
//! `PRAGMA integrity_check`.
//!
//! A process kill leaves what the OS already has; a power cut is covered by
//! `synchronous=FULL` (fsync before commit returns), which no test here can cut the power on.

mod common;

use common::{enrolled_store, report};
use kiosk_store::{DeliveryState, Store};
use kiosk_sync::seal::KeyPair;
use rand::Rng;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const CHILD_ENV: &str = "KIOSK_STORE_DURABILITY_CHILD_DB";

/// Not a test: the child process of `sigkill_never_loses_a_confirmed_submission`.
#[test]
#[ignore = "run by sigkill_never_loses_a_confirmed_submission as its child process"]
fn durability_child() {
    let Ok(db) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = Store::open(db).unwrap();
    let mut out = std::io::stdout().lock();
    for n in 0..1_000_000 {
        let queued = store.queue_submission(&report(n)).unwrap();
        writeln!(out, "QUEUED {} {}", queued.id, queued.receipt).unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn sigkill_never_loses_a_confirmed_submission() {
    let dir = tempfile::tempdir().unwrap();
    let backend = KeyPair::generate();
    let (store, db) = enrolled_store(dir.path(), &backend);
    drop(store);

    let mut confirmed: Vec<(String, String)> = Vec::new();
    let mut rng = rand::rng();
    for round in 0..4 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "durability_child",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // libtest's "test durability_child ... " may start the first line.
                if let Some(rest) = line.split_once("QUEUED ").map(|(_, rest)| rest) {
                    let (id, receipt) = rest.split_once(' ').unwrap();
                    if tx.send((id.to_owned(), receipt.to_owned())).is_err() {
                        break;
                    }
                }
            }
        });

        // Let it write a few, then kill it at a random moment.
        let mut this_round = Vec::new();
        let wanted = rng.random_range(5..40);
        while this_round.len() < wanted {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(item) => this_round.push(item),
                Err(e) => {
                    let _ = child.kill();
                    panic!("child stopped printing ({e}): {:?}", child.wait());
                }
            }
        }
        std::thread::sleep(Duration::from_micros(rng.random_range(0..50_000)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(!status.success(), "the child was meant to be killed");
        reader.join().unwrap();
        this_round.extend(rx.try_iter());
        confirmed.extend(this_round);

        let store = Store::open(&db).unwrap();
        assert_eq!(store.integrity_check().unwrap(), Vec::<String>::new());
        for (id, receipt) in &confirmed {
            let entry = store
                .lookup_receipt(receipt)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: {receipt} lost"));
            assert_eq!(&entry.id, id);
            assert_eq!(entry.state, DeliveryState::Pending);
        }
        // Each child may have committed one more that it had no time to print.
        let pending = store.pending_count().unwrap();
        let printed = confirmed.len() as u64;
        assert!(
            (printed..=printed + round + 1).contains(&pending),
            "{pending} vs {printed}"
        );
        // Every sealed box is whole.
        let far = chrono::Utc::now() + chrono::Duration::days(1);
        for item in store.due(far, usize::MAX).unwrap() {
            let json = backend.open(&item.sealed).unwrap();
            let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
            assert_eq!(value["flow_id"], "signalement-eclairage");
        }
    }
    assert!(confirmed.len() >= 20);
}
