//! Delivery bookkeeping: due items come oldest first with the same bytes on every retry;
//! a failure postpones; an acknowledgement drops the sealed box for good.

mod common;

use chrono::{Duration, Utc};
use common::{enrolled_store, report};
use kiosk_store::backoff::next_delay;
use kiosk_store::{DeliveryState, StoreError};
use kiosk_sync::seal::KeyPair;

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn retries_send_the_same_bytes_and_delivered_items_are_never_due() {
    let dir = tempfile::tempdir().unwrap();
    let backend = KeyPair::generate();
    let (store, path) = enrolled_store(dir.path(), &backend);
    let a = store.queue_submission(&report(1)).unwrap();
    let b = store.queue_submission(&report(2)).unwrap();
    let c = store.queue_submission(&report(3)).unwrap();
    assert_eq!(store.pending_count().unwrap(), 3);

    let now = Utc::now();
    let first = store.due(now, 10).unwrap();
    let ids: Vec<_> = first.iter().map(|i| i.id.clone()).collect();
    assert_eq!(
        ids,
        [a.id.clone(), b.id.clone(), c.id.clone()],
        "oldest first"
    );
    assert_eq!(store.due(now, 2).unwrap().len(), 2, "limit");
    let uploads: Vec<_> = first.iter().map(|i| i.to_upload()).collect();
    assert_eq!(uploads[0].receipt, a.receipt);
    assert_eq!(uploads[0].flow_id, "signalement-eclairage");
    assert_eq!(uploads[0].flow_version, 3);
    assert_eq!(uploads[0].service, "voirie");

    // A failure postpones the item; its retry carries exactly the same bytes.
    let later = now + Duration::from_std(next_delay(1, 0.5)).unwrap();
    store.mark_failed(&a.id, "HTTP 503", later).unwrap();
    let due_now: Vec<_> = store
        .due(now, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(due_now, [b.id.clone(), c.id.clone()]);
    let retry = store.due(later, 10).unwrap();
    assert_eq!(retry[0].id, a.id);
    assert_eq!(retry[0].attempts, 1);
    assert_eq!(retry[0].to_upload(), uploads[0]);
    assert_eq!(
        retry[0].to_upload().content_digest(),
        uploads[0].content_digest()
    );
    let entry = store.lookup_receipt(&a.receipt).unwrap().unwrap();
    assert_eq!(entry.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(entry.attempts, 1);

    // Delivered: never due again, sealed box gone, status kept.
    let sealed_a = first[0].sealed.clone();
    store.mark_delivered(&a.id, "2026-11-28T10:00:05Z").unwrap();
    store.mark_delivered(&a.id, "2026-11-28T11:00:00Z").unwrap(); // idempotent
    store
        .mark_failed(&a.id, "late failure", now + Duration::days(400))
        .unwrap(); // no effect on a delivered item
    let far = now + Duration::days(365);
    let due_far: Vec<_> = store
        .due(far, 10)
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(due_far, [b.id.clone(), c.id.clone()]);
    let entry = store.lookup_receipt(&a.receipt).unwrap().unwrap();
    assert_eq!(entry.state, DeliveryState::Delivered);
    assert_eq!(
        entry.delivered_at.as_deref(),
        Some("2026-11-28T10:00:05.000Z")
    );
    assert_eq!(entry.last_error, None);
    assert_eq!(entry.attempts, 1);
    assert_eq!(store.pending_count().unwrap(), 2);

    let raw = rusqlite::Connection::open(&path).unwrap();
    let sealed: Option<Vec<u8>> = raw
        .query_row("SELECT sealed FROM outbox WHERE id = ?1", [&a.id], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(sealed, None);
    // With secure_delete and a checkpoint, the sealed bytes are gone from the disk too.
    raw.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(raw);
    for name in ["kiosk.db", "kiosk.db-wal"] {
        let bytes = std::fs::read(path.with_file_name(name)).unwrap_or_default();
        assert!(
            !contains(&bytes, &sealed_a[..48]),
            "sealed box left in {name}"
        );
    }
    // The others are still there, whole.
    let still = store.due(far, 10).unwrap();
    assert!(contains(
        &std::fs::read(&path).unwrap(),
        &still[0].sealed[..48]
    ));

    let listing = store.outbox_listing(10).unwrap();
    assert_eq!(listing.len(), 3);
    assert_eq!(listing[0].id, c.id, "newest first");
    assert_eq!(listing[2].state, DeliveryState::Delivered);
}

#[test]
fn unknown_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let error = store
        .mark_delivered(
            "00000000-0000-4000-8000-000000000000",
            "2026-11-28T10:00:00Z",
        )
        .unwrap_err();
    assert!(matches!(error, StoreError::UnknownId(_)), "{error}");
    let error = store
        .mark_failed("nope", "HTTP 500", Utc::now())
        .unwrap_err();
    assert!(matches!(error, StoreError::UnknownId(_)), "{error}");
    assert!(store.mark_help_call_delivered("nope", "x").is_err());
}

#[test]
fn a_malformed_acknowledgement_time_uses_the_kiosk_clock() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let q = store.queue_submission(&report(1)).unwrap();
    store.mark_delivered(&q.id, "hier soir").unwrap();
    let entry = store.lookup_receipt(&q.receipt).unwrap().unwrap();
    let at = entry.delivered_at.unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(&at).is_ok(), "{at}");
}

#[test]
fn long_errors_are_cut() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let q = store.queue_submission(&report(1)).unwrap();
    store
        .mark_failed(&q.id, &"é".repeat(1_000), Utc::now())
        .unwrap();
    let entry = store.lookup_receipt(&q.receipt).unwrap().unwrap();
    assert_eq!(entry.last_error.unwrap().chars().count(), 200);
}

#[test]
fn help_calls_go_through_the_same_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let first = store.queue_help_call("demande-cni", "documents").unwrap();
    let second = store
        .queue_help_call("signalement-eclairage", "commune")
        .unwrap();
    assert_eq!(store.pending_count().unwrap(), 2);

    let now = Utc::now();
    let due = store.due_help_calls(now, 10).unwrap();
    assert_eq!(due.len(), 2);
    assert_eq!(due[0].id, first);
    let wire = due[0].to_wire();
    assert_eq!(wire.flow_id, "demande-cni");
    assert_eq!(wire.step_id, "documents");
    assert_eq!(wire.created_at, due[0].created_at);
    assert!(store.due(now, 10).unwrap().is_empty(), "no submissions");

    let later = now + Duration::seconds(30);
    store
        .mark_help_call_failed(&first, "réseau injoignable", later)
        .unwrap();
    assert_eq!(store.due_help_calls(now, 10).unwrap().len(), 1);
    let retry = store.due_help_calls(later, 10).unwrap();
    assert_eq!(retry[0].attempts, 1);
    assert_eq!(retry[0].to_wire(), wire);

    store
        .mark_help_call_delivered(&first, "2026-11-28T10:00:00Z")
        .unwrap();
    store
        .mark_help_call_delivered(&first, "2026-11-28T10:00:00Z")
        .unwrap();
    store
        .mark_help_call_delivered(&second, "2026-11-28T10:00:00Z")
        .unwrap();
    assert!(store.due_help_calls(later, 10).unwrap().is_empty());
    assert_eq!(store.pending_count().unwrap(), 0);
    let kinds: Vec<_> = store
        .recent_events(10)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| *k == "help_call_delivered").count(),
        2
    );
}
