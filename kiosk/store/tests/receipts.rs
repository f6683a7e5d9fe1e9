//! Receipt codes: shaped like `AB3-7KQ`, the receipt alphabet, the kiosk's prefix, unique within the
//! kiosk (a collision is retried with a new code).

mod common;

use common::{enrolled_store, report, PREFIX};
use kiosk_store::{Store, StoreError};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::{normalize_receipt, RECEIPT_ALPHABET};
use rand::Rng;
use std::collections::HashSet;

fn assert_code_shape(code: &str) {
    assert_eq!(code.len(), 7, "{code}");
    assert!(code.starts_with(PREFIX), "{code}");
    assert_eq!(code.as_bytes()[3], b'-', "{code}");
    for (i, b) in code.bytes().enumerate() {
        if i != 3 {
            assert!(RECEIPT_ALPHABET.contains(&b), "{code}");
        }
    }
    assert_eq!(normalize_receipt(code).as_deref(), Some(code));
}

#[test]
fn ten_thousand_codes_are_well_formed_and_unique() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let submission = report(0);
    let mut seen = HashSet::new();
    for _ in 0..10_000 {
        let queued = store.queue_submission(&submission).unwrap();
        assert_code_shape(&queued.receipt);
        assert!(seen.insert(queued.receipt), "duplicate code returned");
    }
    assert_eq!(store.pending_count().unwrap(), 10_000);
    // About 48 collisions are expected among 10,000 draws from 32^4 codes: they were retried.
    let listing = store.outbox_listing(20_000).unwrap();
    let distinct: HashSet<_> = listing.iter().map(|e| e.receipt.clone()).collect();
    assert_eq!(distinct.len(), 10_000);
}

#[test]
fn a_taken_code_is_retried_with_another() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let first = store
        .queue_submission_with_codes(&report(1), || "K7A-BCD".to_owned())
        .unwrap();
    assert_eq!(first.receipt, "K7A-BCD");
    let mut offered = ["K7A-BCD", "K7A-BCD", "K7A-BCE"].into_iter();
    let second = store
        .queue_submission_with_codes(&report(2), || offered.next().unwrap().to_owned())
        .unwrap();
    assert_eq!(second.receipt, "K7A-BCE");
    assert_eq!(store.pending_count().unwrap(), 2);
}

#[test]
fn a_crowded_code_space_still_gives_unique_codes() {
    // 64 possible codes, half of them used: many collisions, all retried.
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let mut rng = rand::rng();
    let small = &RECEIPT_ALPHABET[..8];
    let mut seen = HashSet::new();
    for n in 0..32 {
        let queued = store
            .queue_submission_with_codes(&report(n), || {
                let a = small[rng.random_range(0..8)] as char;
                let b = small[rng.random_range(0..8)] as char;
                format!("{PREFIX}2-2{a}{b}")
            })
            .unwrap();
        assert_code_shape(&queued.receipt);
        assert!(seen.insert(queued.receipt));
    }
}

#[test]
fn when_every_code_is_taken_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    store
        .queue_submission_with_codes(&report(1), || "K7A-BCD".to_owned())
        .unwrap();
    let events_before = store.recent_events(1_000).unwrap().len();
    let error = store
        .queue_submission_with_codes(&report(2), || "K7A-BCD".to_owned())
        .unwrap_err();
    assert!(matches!(error, StoreError::ReceiptsExhausted(_)), "{error}");
    assert_eq!(store.pending_count().unwrap(), 1);
    assert_eq!(store.recent_events(1_000).unwrap().len(), events_before);
}

#[test]
fn offered_codes_must_be_canonical_and_carry_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    for bad in ["K8A-BCD", "k7a-bcd", "K7ABCD", "K7A-BC0", "K7A-BCDE"] {
        let error = store
            .queue_submission_with_codes(&report(1), || bad.to_owned())
            .unwrap_err();
        assert!(matches!(error, StoreError::BadReceipt(_)), "{bad}: {error}");
    }
    assert_eq!(store.pending_count().unwrap(), 0);
}

#[test]
fn before_enrolment_the_error_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("kiosk.db")).unwrap();
    let error = store.queue_submission(&report(1)).unwrap_err();
    assert!(matches!(error, StoreError::NotEnrolled));
    let message = error.to_string();
    assert!(message.contains("kiosk enroll URL CODE"), "{message}");
    assert!(message.contains("inscrite"), "{message}");
    assert_eq!(store.pending_count().unwrap(), 0);
}

#[test]
fn lookup_forgives_case_and_dash() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = enrolled_store(dir.path(), &KeyPair::generate());
    let queued = store.queue_submission(&report(1)).unwrap();
    let sloppy = queued.receipt.replace('-', " ").to_lowercase();
    let entry = store.lookup_receipt(&sloppy).unwrap().unwrap();
    assert_eq!(entry.id, queued.id);
    assert_eq!(store.lookup_receipt("K7A-BC0").unwrap(), None);
    assert_eq!(store.lookup_receipt("n'importe quoi").unwrap(), None);
}
