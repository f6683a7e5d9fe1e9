//! Several handles on one file, as when the kiosk app and `kiosk sync --once` run at the
//! same time: every write lands, and no "database is locked" reaches the caller.

mod common;

use chrono::Utc;
use common::{enrolled_store, report};
use kiosk_store::{DeliveryState, Store};
use kiosk_sync::seal::KeyPair;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};

const PER_WRITER: usize = 300;

#[test]
fn two_writers_and_a_sync_loop_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = enrolled_store(dir.path(), &KeyPair::generate());
    drop(store);
    let writers_done = AtomicBool::new(false);
    let barrier = std::sync::Barrier::new(3);

    let (queued, delivered) = std::thread::scope(|s| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (path, barrier) = (&path, &barrier);
                s.spawn(move || {
                    let store = Store::open(path).unwrap();
                    barrier.wait();
                    let mut mine = Vec::new();
                    for n in 0..PER_WRITER {
                        mine.push(store.queue_submission(&report(n)).unwrap());
                        if n % 50 == 0 {
                            store
                                .queue_help_call("demande-cni", &format!("w{w}"))
                                .unwrap();
                            store
                                .log_event("test", &format!("writer={w} n={n}"))
                                .unwrap();
                        }
                    }
                    mine
                })
            })
            .collect();
        // A third handle delivers what is due, as the sync client would.
        let sync = s.spawn(|| {
            let store = Store::open(&path).unwrap();
            barrier.wait();
            let mut delivered = 0;
            let later = Utc::now() + chrono::Duration::hours(1);
            loop {
                let done = writers_done.load(Ordering::SeqCst);
                let due = store.due(Utc::now(), 20).unwrap();
                for item in &due {
                    store
                        .mark_delivered(&item.id, "2026-11-28T10:00:00Z")
                        .unwrap();
                    delivered += 1;
                }
                for call in store.due_help_calls(Utc::now(), 20).unwrap() {
                    store
                        .mark_help_call_failed(&call.id, "HTTP 503", later)
                        .unwrap();
                }
                if done {
                    break delivered;
                }
                if due.is_empty() {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
            }
        });
        let queued: Vec<_> = writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        writers_done.store(true, Ordering::SeqCst);
        (queued, sync.join().unwrap())
    });

    let store = Store::open(&path).unwrap();
    assert_eq!(queued.len(), 2 * PER_WRITER);
    let receipts: HashSet<_> = queued.iter().map(|q| q.receipt.clone()).collect();
    assert_eq!(receipts.len(), 2 * PER_WRITER);
    let listing = store.outbox_listing(10_000).unwrap();
    assert_eq!(listing.len(), 2 * PER_WRITER);
    for q in &queued {
        assert!(store.lookup_receipt(&q.receipt).unwrap().is_some());
    }
    let delivered_rows = listing
        .iter()
        .filter(|e| e.state == DeliveryState::Delivered)
        .count();
    assert_eq!(delivered_rows, delivered);
    assert!(delivered > 0, "the sync loop delivered nothing");
    assert_eq!(
        store.pending_count().unwrap(),
        (2 * PER_WRITER - delivered + 2 * PER_WRITER.div_ceil(50)) as u64
    );
    assert!(store.integrity_check().unwrap().is_empty());
}
