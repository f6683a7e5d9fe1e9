//! What the back end refuses for good stays on the kiosk, `refused` with its reason: never
//! due at the 5-minute backoff, due again after a day or when the supervisor asks, never
//! deleted. Every submission remembers the back end key it was sealed to. A wrong clock that
//! scheduled an item far ahead does not hold it back.

mod common;

use chrono::{Duration, Utc};
use common::{enrolled_store, identity, report, PREFIX};
use kiosk_store::backoff::{CAP, REFUSED_RETRY};
use kiosk_store::{DeliveryState, Store};
use kiosk_sync::seal::KeyPair;

fn ids(items: &[kiosk_store::OutboxItem]) -> Vec<String> {
    items.iter().map(|i| i.id.clone()).collect()
}

#[test]
fn a_refused_submission_waits_a_day_or_a_person_and_is_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = enrolled_store(dir.path(), &KeyPair::generate());
    let refused = store.queue_submission(&report(1)).unwrap();
    let other = store.queue_submission(&report(2)).unwrap();
    let now = Utc::now();
    let reason = "refusé par le back end (HTTP 409 conflict)";
    store
        .mark_refused(
            &refused.id,
            reason,
            now + Duration::from_std(REFUSED_RETRY).unwrap(),
        )
        .unwrap();

    // Not pending any more, counted apart, shown with its reason.
    assert_eq!(store.pending_count().unwrap(), 1);
    assert_eq!(store.refused_count().unwrap(), 1);
    let entry = store.lookup_receipt(&refused.receipt).unwrap().unwrap();
    assert_eq!(entry.state, DeliveryState::Refused);
    assert_eq!(entry.state.french(), "refusée par le serveur");
    assert_eq!(entry.refused_reason.as_deref(), Some(reason));
    assert_eq!(entry.attempts, 1);

    // Not due at any backoff step, due at its daily retry.
    for minutes in [0, 5, 60, 23 * 60] {
        assert_eq!(
            ids(&store.due(now + Duration::minutes(minutes), 10).unwrap()),
            vec![other.id.clone()],
            "{minutes} min"
        );
    }
    let tomorrow = now + Duration::from_std(REFUSED_RETRY).unwrap() + Duration::seconds(1);
    assert_eq!(
        ids(&store.due(tomorrow, 10).unwrap()),
        [refused.id.clone(), other.id.clone()]
    );
    let event = store.recent_events(1).unwrap().remove(0);
    assert_eq!(event.kind, "submission_refused");
    assert!(event.detail.contains(&refused.id), "{event:?}");

    // Refused again at the daily retry: still refused, still there, a day later again.
    let retried = now + Duration::days(1);
    store
        .mark_refused(&refused.id, reason, retried + Duration::days(1))
        .unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    let entry = store.lookup_receipt(&refused.receipt).unwrap().unwrap();
    assert_eq!(entry.state, DeliveryState::Refused);
    assert_eq!(entry.attempts, 2);
    let sealed_still: Option<Vec<u8>> = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT sealed FROM outbox WHERE id = ?1",
            [&refused.id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        sealed_still.is_some_and(|s| !s.is_empty()),
        "sealed box kept"
    );

    // The supervisor's « Réessayer »: pending again and due now.
    assert_eq!(store.retry_refused().unwrap(), 1);
    assert_eq!(store.retry_refused().unwrap(), 0);
    assert_eq!(store.refused_count().unwrap(), 0);
    assert_eq!(store.pending_count().unwrap(), 2);
    assert_eq!(
        ids(&store.due(Utc::now() + Duration::seconds(1), 10).unwrap()),
        [refused.id.clone(), other.id.clone()]
    );
    assert_eq!(store.recent_events(1).unwrap()[0].kind, "refused_retry");

    // A refused item the back end finally takes is delivered like any other.
    store
        .mark_refused(&refused.id, reason, now + Duration::days(1))
        .unwrap();
    store
        .mark_delivered(&refused.id, "2026-11-28T10:00:00Z")
        .unwrap();
    let entry = store.lookup_receipt(&refused.receipt).unwrap().unwrap();
    assert_eq!(entry.state, DeliveryState::Delivered);
    assert_eq!(entry.refused_reason, None);
    assert_eq!(store.refused_count().unwrap(), 0);
}

#[test]
fn an_item_scheduled_beyond_the_backoff_cap_by_a_wrong_clock_is_due() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _path) = enrolled_store(dir.path(), &KeyPair::generate());
    let a = store.queue_submission(&report(1)).unwrap();
    let b = store.queue_submission(&report(2)).unwrap();
    let call = store
        .queue_help_call("signalement-eclairage", "adresse")
        .unwrap();
    let now = Utc::now();
    // The clock said 2031 when these failed: their next try was set five years ahead.
    let wrong = now + Duration::days(5 * 365);
    store.mark_failed(&a.id, "HTTP 503", wrong).unwrap();
    store
        .mark_help_call_failed(&call, "HTTP 503", wrong)
        .unwrap();
    // A normal backoff within the cap still waits.
    store
        .mark_failed(&b.id, "HTTP 503", now + Duration::from_std(CAP).unwrap())
        .unwrap();
    assert_eq!(ids(&store.due(now, 10).unwrap()), vec![a.id.clone()]);
    assert_eq!(store.due_help_calls(now, 10).unwrap()[0].id, call);

    // Same for a refused item whose daily retry lies further than a day ahead.
    store
        .mark_refused(&a.id, "HTTP 422 bad_content", now + Duration::days(40))
        .unwrap();
    assert_eq!(ids(&store.due(now, 10).unwrap()), vec![a.id.clone()]);
    store
        .mark_refused(&a.id, "HTTP 422 bad_content", now + Duration::hours(23))
        .unwrap();
    assert!(store.due(now, 10).unwrap().is_empty());
}

#[test]
fn each_submission_keeps_the_key_it_was_sealed_to() {
    let dir = tempfile::tempdir().unwrap();
    let first = KeyPair::generate();
    let (store, _path) = enrolled_store(dir.path(), &first);
    let before = store.queue_submission(&report(1)).unwrap();
    let second = KeyPair::generate();
    store.set_identity(&identity(&second, PREFIX)).unwrap();
    let after = store.queue_submission(&report(2)).unwrap();
    let due = store.due(Utc::now(), 10).unwrap();
    let key_of = |id: &str| {
        due.iter()
            .find(|i| i.id == id)
            .map(|i| i.sealed_to.clone())
            .unwrap()
    };
    assert_eq!(key_of(&before.id), first.public_base64());
    assert_eq!(key_of(&after.id), second.public_base64());
    assert!(first.open(&due[0].sealed).is_ok());
}
