//! What the back end refuses for good, and re-enrolment, with the real `kiosk` and `backend`
//! processes on 127.0.0.1: a refused submission is kept `refused` with its reason, not sent
//! again at every pass, and `kiosk sync --once` no longer fails for it; the supervisor's
//! « Réessayer » (`kiosk sync --retry-refused`) sends it again. `kiosk enroll` does not
//! replace the identity while anything is pending.

use e2e::{street_light_submission, Backend, Kiosk};

fn setup(name: &str) -> (tempfile::TempDir, Backend, Kiosk) {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Backend::start(&dir.path().join("backend")).expect("backend starts");
    let kiosk = Kiosk::new(&dir.path().join(name));
    let code = backend.add_kiosk(name).expect("kiosk add");
    kiosk.enroll(&backend.url, &code).expect("enroll");
    (dir, backend, kiosk)
}

/// A sealed box the back end cannot open: it answers 422 `bad_content`, for good.
fn spoil(kiosk: &Kiosk, id: &str) {
    let conn = rusqlite::Connection::open(kiosk.dir.join("kiosk.db")).expect("open");
    let changed = conn
        .execute(
            "UPDATE outbox SET sealed = randomblob(200) WHERE id = ?1",
            [id],
        )
        .expect("spoil");
    assert_eq!(changed, 1);
}

fn outbox_line(kiosk: &Kiosk, id: &str) -> serde_json::Value {
    let out = kiosk.run(&["outbox"]).expect("outbox");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json line"))
        .find(|v| v["id"] == id)
        .expect("the item is still listed")
}

#[test]
fn a_refused_submission_is_kept_refused_and_sync_once_succeeds() {
    let (_dir, backend, kiosk) = setup("borne-refus");
    let store = kiosk.store().expect("store");
    let good = store.queue_submission(&street_light_submission(1)).unwrap();
    let bad = store.queue_submission(&street_light_submission(2)).unwrap();
    drop(store);
    spoil(&kiosk, &bad.id);

    let out = kiosk.run(&["sync", "--once"]).expect("sync");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "nothing left pending: {stderr}");
    assert!(stderr.contains("1 demande(s) refusée(s)"), "{stderr}");
    assert_eq!(backend.submissions().unwrap().len(), 1);
    let line = outbox_line(&kiosk, &bad.id);
    assert_eq!(line["state"], "refused", "{line}");
    assert!(
        line["last_error"].as_str().unwrap().contains("422"),
        "{line}"
    );
    assert_eq!(outbox_line(&kiosk, &good.id)["state"], "delivered");

    // The next passes leave it alone (no 5-minute retries) and still succeed.
    for _ in 0..2 {
        let out = kiosk.run(&["sync", "--once"]).expect("sync");
        assert!(out.status.success());
    }
    assert_eq!(
        outbox_line(&kiosk, &bad.id)["attempts"],
        1,
        "not sent again"
    );

    // « Réessayer »: sent once more, refused once more, still kept.
    let out = kiosk.run(&["sync", "--retry-refused"]).expect("retry");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("1 demande(s)"));
    let out = kiosk.run(&["sync", "--once"]).expect("sync");
    assert!(out.status.success());
    let line = outbox_line(&kiosk, &bad.id);
    assert_eq!(line["state"], "refused");
    assert_eq!(line["attempts"], 2);
    assert_eq!(
        backend.submissions().unwrap().len(),
        1,
        "nothing stored twice"
    );
    let store = kiosk.store().expect("store");
    assert_eq!(store.refused_count().unwrap(), 1);
    let events = store.recent_events(20).unwrap();
    assert!(events.iter().any(|e| e.kind == "submission_refused"));
    for event in &events {
        assert!(!event.detail.contains(&bad.receipt), "receipt in {event:?}");
        assert!(
            !event.detail.contains(&good.receipt),
            "receipt in {event:?}"
        );
    }
}

#[test]
fn re_enrolment_is_refused_while_anything_is_pending() {
    let (_dir, mut backend, kiosk) = setup("borne-reinscrite");
    let kiosk_id = |k: &Kiosk| k.store().unwrap().identity().unwrap().unwrap().kiosk_id;
    let before = kiosk_id(&kiosk);
    let queued = kiosk
        .store()
        .unwrap()
        .queue_submission(&street_light_submission(1))
        .unwrap();

    let code = backend.add_kiosk("borne-reinscrite-2").expect("add");
    for args in [
        vec!["enroll", backend.url.as_str(), code.as_str()],
        vec!["enroll", "--force", backend.url.as_str(), code.as_str()],
    ] {
        let out = kiosk.run(&args).expect("enroll");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains("kiosk sync --once --all"), "{stderr}");
        assert_eq!(kiosk_id(&kiosk), before, "identity kept");
    }

    // A refused item stays after a successful sync: --force is needed, and it is kept.
    backend.kill();
    spoil(&kiosk, &queued.id);
    backend.restart().expect("restart");
    let out = kiosk.run(&["sync", "--once", "--all"]).expect("sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kiosk.run(&["enroll", &backend.url, &code]).expect("enroll");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    kiosk
        .run(&["enroll", "--force", &backend.url, &code])
        .map(|out| {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .expect("enroll --force");
    assert_ne!(kiosk_id(&kiosk), before, "re-enrolled");
    assert_eq!(outbox_line(&kiosk, &queued.id)["state"], "refused", "kept");
}
