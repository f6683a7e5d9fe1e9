//! Identity, settings, the event log and installed flows.

mod common;

use common::identity;
use kiosk_store::{Store, StoreError, EVENT_LOG_KEEP};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::InstalledFlow;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().join("kiosk.db")).expect("open");
    (dir, store)
}

#[test]
fn identity_round_trips_and_is_replaced_on_reenrolment() {
    let (_dir, store) = store();
    assert_eq!(store.identity().unwrap(), None);
    let first = identity(&KeyPair::generate(), "K7");
    store.set_identity(&first).unwrap();
    let read = store.identity().unwrap().unwrap();
    assert_eq!(read, first);
    assert_eq!(read.backend_url, "https://ccca.example.invalid");
    let second = identity(&KeyPair::generate(), "M3");
    store.set_identity(&second).unwrap();
    assert_eq!(store.identity().unwrap().unwrap(), second);
}

#[test]
fn unusable_identities_are_refused() {
    let (_dir, store) = store();
    let good = identity(&KeyPair::generate(), "K7");
    let mut bad_key = good.clone();
    bad_key.public_key = "pas une clé".into();
    let mut short_key = good.clone();
    short_key.public_key = "AAAA".into();
    let mut bad_prefix = good.clone();
    bad_prefix.receipt_prefix = "K0".into();
    let mut no_token = good.clone();
    no_token.token = " ".into();
    let mut no_url = good.clone();
    no_url.backend_url = String::new();
    for bad in [bad_key, short_key, bad_prefix, no_token, no_url] {
        let error = store.set_identity(&bad).unwrap_err();
        assert!(matches!(error, StoreError::BadIdentity(_)), "{error}");
        assert!(error
            .to_string()
            .starts_with("identité de la borne invalide"));
    }
    assert_eq!(store.identity().unwrap(), None);
}

#[test]
fn settings_are_kept_and_their_values_stay_out_of_the_log() {
    let (_dir, store) = store();
    assert_eq!(store.setting("debit").unwrap(), None);
    store.set_setting("debit", "150").unwrap();
    store.set_setting("debit", "130").unwrap();
    assert_eq!(store.setting("debit").unwrap().as_deref(), Some("130"));
    let events = store.recent_events(10).unwrap();
    assert_eq!(events[0].kind, "setting_changed");
    assert_eq!(events[0].detail, "key=debit");
}

#[test]
fn the_event_log_is_newest_first_cut_and_bounded() {
    let (_dir, store) = store();
    store.log_event("sync_error", "status=503").unwrap();
    store.log_event("sync_ok", &"x".repeat(2_000)).unwrap();
    let events = store.recent_events(10).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].kind, "sync_ok");
    assert_eq!(events[0].detail.len(), 500);
    assert_eq!(events[1].detail, "status=503");
    assert!(chrono::DateTime::parse_from_rfc3339(&events[1].at).is_ok());

    let keep = usize::try_from(EVENT_LOG_KEEP).unwrap();
    for n in 0..keep + 300 {
        store.log_event("sync_ok", &format!("n={n}")).unwrap();
    }
    let all = store.recent_events(usize::MAX).unwrap();
    assert!(all.len() <= keep + 100, "{}", all.len());
    assert!(all.len() >= keep);
    assert_eq!(all[0].detail, format!("n={}", keep + 299));
}

#[test]
fn flows_are_installed_and_replaced() {
    let (_dir, store) = store();
    assert!(store.installed_flows().unwrap().is_empty());
    let sha = store
        .install_flow("signalement", 1, "id: signalement\n")
        .unwrap();
    assert_eq!(sha.len(), 64);
    store.install_flow("cni", 4, "id: cni\n").unwrap();
    let sha2 = store
        .install_flow("signalement", 2, "id: signalement\nversion: 2\n")
        .unwrap();
    assert_ne!(sha, sha2);
    assert_eq!(
        store.installed_flows().unwrap(),
        [
            InstalledFlow {
                id: "cni".into(),
                version: 4
            },
            InstalledFlow {
                id: "signalement".into(),
                version: 2
            },
        ]
    );
    let flow = store.installed_flow("signalement").unwrap().unwrap();
    assert_eq!(flow.yaml, "id: signalement\nversion: 2\n");
    assert_eq!(flow.sha256, sha2);
    assert_eq!(store.installed_flow("absent").unwrap(), None);
    assert_eq!(store.stored_flows().unwrap().len(), 2);
}
