//! Opening: a new file (and its directory) gets the whole schema; reopening changes
//! nothing; several openers racing on a new file all succeed.

mod common;

use common::{enrolled_store, report};
use kiosk_store::migrations::latest_version;
use kiosk_store::Store;
use kiosk_sync::seal::KeyPair;

fn tables(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("read tables")
        .collect::<Result<_, _>>()
        .expect("table names")
}

fn user_version(path: &std::path::Path) -> usize {
    let conn = rusqlite::Connection::open(path).expect("open");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("user_version");
    usize::try_from(version).expect("fits usize")
}

#[test]
fn a_new_file_gets_the_schema_and_reopening_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("b").join("kiosk.db");
    let store = Store::open(&path).unwrap();
    assert!(path.exists());
    assert_eq!(store.path(), path);
    drop(store);
    assert_eq!(user_version(&path), latest_version());
    let expected = [
        "availability",
        "events",
        "help_calls",
        "identity",
        "installed_catalog",
        "installed_flows",
        "outbox",
        "settings",
    ];
    assert_eq!(tables(&path), expected);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(conn);

    for _ in 0..3 {
        let store = Store::open(&path).unwrap();
        assert!(store.integrity_check().unwrap().is_empty());
        drop(store);
        assert_eq!(user_version(&path), latest_version());
        assert_eq!(tables(&path), expected);
    }
}

#[test]
fn an_empty_existing_file_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.db");
    std::fs::write(&path, b"").unwrap();
    Store::open(&path).unwrap();
    assert_eq!(user_version(&path), latest_version());
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let (store, path) = enrolled_store(dir.path(), &KeyPair::generate());
    let queued = store.queue_submission(&report(1)).unwrap();
    store.set_setting("voix", "lente").unwrap();
    store.install_flow("f", 2, "id: f\n").unwrap();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert!(store.identity().unwrap().is_some());
    assert_eq!(
        store.lookup_receipt(&queued.receipt).unwrap().unwrap().id,
        queued.id
    );
    assert_eq!(store.setting("voix").unwrap().as_deref(), Some("lente"));
    assert_eq!(store.installed_flows().unwrap().len(), 1);
}

#[test]
fn racing_openers_on_a_new_file_all_succeed() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.db");
        let barrier = std::sync::Barrier::new(6);
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    s.spawn(|| {
                        barrier.wait();
                        Store::open(&path).map(drop)
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap().unwrap();
            }
        });
        assert_eq!(user_version(&path), latest_version());
    }
}

#[test]
fn a_database_from_newer_software_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kiosk.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(
        None,
        "user_version",
        i64::try_from(latest_version()).unwrap() + 5,
    )
    .unwrap();
    drop(conn);
    let error = Store::open(&path).err().unwrap();
    assert!(
        error
            .to_string()
            .starts_with("impossible de mettre à jour la base"),
        "{error}"
    );
}
