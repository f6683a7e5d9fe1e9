//! Nothing lost, nothing twice: the real `kiosk` and `backend` processes on 127.0.0.1,
//! through power cuts (SIGKILL), a network down, and a proxy that breaks connections.
//!
//! Every test ends the same way: the set of submissions the back end holds is exactly the
//! set the kiosk queued (same ids, each once), and the kiosk's outbox is empty.

use e2e::proxy::Proxy;
use e2e::{street_light_submission, Backend, Kiosk};
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

/// Queues `n` submissions straight into the kiosk's store (as `kiosk run` does).
fn queue(kiosk: &Kiosk, n: usize) -> BTreeSet<String> {
    let store = kiosk.store().expect("store");
    (0..n)
        .map(|i| {
            store
                .queue_submission(&street_light_submission(i))
                .expect("queued")
                .id
        })
        .collect()
}

fn received_ids(backend: &Backend) -> Vec<String> {
    backend
        .submissions()
        .expect("backend submissions")
        .iter()
        .map(|s| s["id"].as_str().expect("id").to_string())
        .collect()
}

/// Exactly once: every queued id, no other, none twice.
fn assert_exactly_once(backend: &Backend, queued: &BTreeSet<String>) {
    let ids = received_ids(backend);
    let unique: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), unique.len(), "a submission arrived twice");
    let missing: Vec<_> = queued.difference(&unique).take(5).collect();
    let extra: Vec<_> = unique.difference(queued).take(5).collect();
    assert!(missing.is_empty(), "lost: {missing:?} (and maybe more)");
    assert!(extra.is_empty(), "unexpected: {extra:?}");
}

fn setup(name: &str) -> (tempfile::TempDir, Backend, Kiosk) {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Backend::start(&dir.path().join("backend")).expect("backend starts");
    let kiosk = Kiosk::new(&dir.path().join(name));
    let code = backend.add_kiosk(name).expect("kiosk add");
    kiosk.enroll(&backend.url, &code).expect("enroll");
    (dir, backend, kiosk)
}

#[test]
fn a_thousand_queued_while_the_back_end_is_down_arrive_exactly_once() {
    let (_dir, mut backend, kiosk) = setup("borne-mairie");
    backend.kill();
    let mut queued = queue(&kiosk, 1000);
    // One more through the simulator, as an administrator would.
    let out = kiosk
        .run(&[
            "simulate",
            "flows/eclairage-public.yaml",
            "--answers",
            "flows/examples/eclairage-public.txt",
            "--today",
            "2026-11-28",
            "--submit",
            "--json",
        ])
        .expect("simulate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let receipt = result["outcome"]["receipt"]
        .as_str()
        .expect("receipt")
        .to_string();
    let listing = kiosk.run(&["outbox"]).expect("outbox");
    let listing = String::from_utf8_lossy(&listing.stdout).to_string();
    assert_eq!(listing.lines().count(), 1001);
    assert!(!listing.contains("0612345678") && !listing.contains("Dupont"));
    let simulated = listing
        .lines()
        .find(|l| l.contains(&receipt))
        .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .and_then(|v| v["id"].as_str().map(str::to_string))
        .expect("the simulated submission is queued");
    queued.insert(simulated);

    // Network down: nothing goes, nothing is lost, and the command says so.
    let out = kiosk.run(&["sync", "--once"]).expect("sync");
    assert!(
        !out.status.success(),
        "sync must fail while the back end is down"
    );
    assert_eq!(
        kiosk
            .store()
            .expect("store")
            .pending_count()
            .expect("count"),
        1001
    );

    backend.restart().expect("restart");
    kiosk.sync_until_empty(3).expect("drained");
    assert_exactly_once(&backend, &queued);
    // The citizen's receipt code answers with a status.
    let out = kiosk.run(&["status", &receipt]).expect("status");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"recu\""));
}

#[test]
fn kiosk_killed_fifty_times_during_sync_loses_and_repeats_nothing() {
    let (_dir, backend, kiosk) = setup("borne-bibliotheque");
    let queued = queue(&kiosk, 600);
    let mut rng = rand::rngs::StdRng::seed_from_u64(50);
    let mut killed_mid_work = 0;
    for _ in 0..50 {
        let mut child = kiosk
            .command()
            .expect("kiosk")
            .args(["sync", "--once", "--all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(rng.gen_range(5..120)));
        if child.try_wait().expect("wait").is_none() {
            killed_mid_work += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    assert!(
        killed_mid_work > 10,
        "only {killed_mid_work} kills landed during a sync"
    );
    kiosk.sync_until_empty(3).expect("drained");
    assert_exactly_once(&backend, &queued);
}

#[test]
fn a_proxy_that_breaks_connections_changes_nothing() {
    let (_dir, backend, kiosk) = setup("borne-salle");
    let target = backend
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("addr");
    let proxy = Proxy::start(target, 7).expect("proxy");
    // Enrol a second kiosk through the proxy (faults off), then switch faults on.
    let kiosk = {
        drop(kiosk);
        let k = Kiosk::new(&backend.dir.join("../borne-proxy"));
        let code = backend.add_kiosk("borne-proxy").expect("add");
        k.enroll(&proxy.url, &code)
            .expect("enroll through the proxy");
        k
    };
    let queued = queue(&kiosk, 300);
    proxy.set_faults(true);
    kiosk
        .sync_until_empty(200)
        .expect("drained despite the faults");
    let c = &proxy.counts;
    use std::sync::atomic::Ordering::SeqCst;
    assert!(c.cut.load(SeqCst) > 0 && c.reset.load(SeqCst) > 0 && c.answer_500.load(SeqCst) > 0);
    assert_exactly_once(&backend, &queued);
}

#[test]
fn back_end_killed_during_ingest_keeps_all_it_acknowledged() {
    let (_dir, mut backend, kiosk) = setup("borne-ecole");
    let queued = queue(&kiosk, 800);
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    for _ in 0..5 {
        let mut child = kiosk
            .command()
            .expect("kiosk")
            .args(["sync", "--once", "--all"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(rng.gen_range(50..400)));
        backend.kill();
        let _ = child.wait();
        // Everything the kiosk marked delivered (after a 2xx) is in the back end.
        backend.restart().expect("restart");
        let acknowledged: BTreeSet<String> = kiosk
            .store()
            .expect("store")
            .outbox_listing(usize::MAX)
            .expect("listing")
            .into_iter()
            .filter(|i| i.state.as_str() == "delivered")
            .map(|i| i.id)
            .collect();
        let received: BTreeSet<String> = received_ids(&backend).into_iter().collect();
        let lost: Vec<_> = acknowledged.difference(&received).take(5).collect();
        assert!(
            lost.is_empty(),
            "acknowledged but gone after a crash: {lost:?}"
        );
    }
    kiosk.sync_until_empty(3).expect("drained");
    assert_exactly_once(&backend, &queued);
}

#[test]
fn a_revoked_kiosk_keeps_its_data() {
    let (_dir, backend, kiosk) = setup("borne-revoquee");
    let queued = queue(&kiosk, 3);
    let out =
        Backend::command(&backend.dir, &["kiosk", "revoke", "borne-revoquee"]).expect("revoke");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kiosk.run(&["sync", "--once"]).expect("sync");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("révoquée"));
    assert_eq!(
        kiosk
            .store()
            .expect("store")
            .pending_count()
            .expect("count"),
        queued.len() as u64
    );
    assert!(received_ids(&backend).is_empty());
}

#[test]
fn an_enrolment_code_works_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend = Backend::start(&dir.path().join("backend")).expect("backend");
    let code = backend.add_kiosk("borne-une-fois").expect("add");
    Kiosk::new(&dir.path().join("a"))
        .enroll(&backend.url, &code)
        .expect("first use");
    let second = Kiosk::new(&dir.path().join("b")).enroll(&backend.url, &code);
    assert!(second.is_err(), "a replayed enrolment code must be refused");
}
