//! Publishing flows, end to end: `backend flow publish` checks with the flow checker and
//! signs; `kiosk sync --once` fetches, verifies and installs; `kiosk flows --json` and
//! `kiosk simulate --installed` show and play what is installed; a tampered download and an
//! older catalog are refused, kept out and reported in the heartbeat.

use e2e::tamper::TamperProxy;
use e2e::{Backend, Kiosk};
use std::path::Path;
use std::process::Output;
use std::sync::atomic::Ordering;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

const TITLE: &str = "Être rappelé par la mairie de Duisans";

/// The shipped call-back flow as a new flow of Duisans, at `version`.
fn duisans_flow(version: u32, title: &str) -> String {
    std::fs::read_to_string(repo().join("flows/rappel.yaml"))
        .expect("rappel.yaml")
        .replace("id: rappel\n", "id: rappel-duisans\n")
        .replace("version: 2\n", &format!("version: {version}\n"))
        .replace(
            "title: Être rappelé par quelqu'un\n",
            &format!("title: {title}\n"),
        )
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn backend(dir: &Path, args: &[&str]) -> Output {
    Backend::command(dir, args).expect("backend command")
}

/// `kiosk flows --json`: (id, version, title, origin) per line.
fn offered(kiosk: &Kiosk) -> Vec<(String, u64, String, String)> {
    let out = kiosk.run(&["flows", "--json"]).expect("kiosk flows");
    assert!(out.status.success(), "{}", text(&out));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            (
                v["id"].as_str().unwrap_or_default().to_string(),
                v["version"].as_u64().unwrap_or_default(),
                v["title"].as_str().unwrap_or_default().to_string(),
                v["origin"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn sync(kiosk: &Kiosk) -> String {
    let out = kiosk.run(&["sync", "--once"]).expect("kiosk sync");
    text(&out)
}

fn copy_db(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for suffix in ["", "-wal", "-shm"] {
        let name = format!("backend.sqlite3{suffix}");
        let _ = std::fs::remove_file(to.join(&name));
        if from.join(&name).exists() {
            std::fs::copy(from.join(&name), to.join(&name)).expect("copy");
        }
    }
}

#[test]
fn published_flows_reach_only_their_kiosk_signed_and_never_backwards() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Backend::start(&dir.path().join("backend")).expect("backend");
    let data = server.dir.clone();
    let address = server
        .url
        .trim_start_matches("http://")
        .parse()
        .expect("address");
    // One byte of the flow's title changes on its way through this proxy when switched on.
    let proxy =
        TamperProxy::start(address, b"mairie de Duisans", b"mairie de Duisanz").expect("proxy");
    let duisans = Kiosk::new(&dir.path().join("duisans"));
    let tincques = Kiosk::new(&dir.path().join("tincques"));
    duisans
        .enroll(&proxy.url, &server.add_kiosk("duisans").expect("add"))
        .expect("enroll");
    tincques
        .enroll(&server.url, &server.add_kiosk("tincques").expect("add"))
        .expect("enroll");

    // A flow with one error: exit 1, its line and column, nothing published.
    let publish_dir = dir.path().join("a-publier");
    // The service's privacy notice goes with the flow, from `services/` beside it.
    std::fs::create_dir_all(publish_dir.join("services")).expect("dir");
    std::fs::copy(
        repo().join("flows/services/mediation-numerique.yaml"),
        publish_dir.join("services/mediation-numerique.yaml"),
    )
    .expect("copy the service notice");
    let broken = publish_dir.join("rappel-duisans.yaml");
    std::fs::write(
        &broken,
        duisans_flow(1, TITLE).replace("kind: procedure", "kind: demarche"),
    )
    .expect("write");
    let out = backend(&data, &["flow", "publish", &broken.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with(&format!("{}:5:7: ", broken.display())),
        "{stdout}"
    );
    let listed = backend(&data, &["flow", "list"]);
    assert!(listed.stdout.is_empty(), "{}", text(&listed));

    // A good new flow for Duisans only.
    std::fs::write(&broken, duisans_flow(1, TITLE)).expect("write");
    let out = backend(
        &data,
        &[
            "flow",
            "publish",
            &broken.to_string_lossy(),
            "--kiosk",
            "duisans",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));

    // Tampered on the way: refused, kept out, reported.
    proxy.on.store(true, Ordering::SeqCst);
    let said = sync(&duisans);
    assert!(said.contains("signature invalide"), "{said}");
    assert!(offered(&duisans).iter().all(|f| f.3 == "shipped"));
    let kiosks = text(&backend(&data, &["kiosk", "list"]));
    assert!(
        kiosks.contains("duisans : catalogue refusé : signature invalide"),
        "{kiosks}"
    );
    proxy.on.store(false, Ordering::SeqCst);

    // Untouched: installed, listed as published, offered by Duisans only.
    let said = sync(&duisans);
    assert!(said.contains("version 1 installé"), "{said}");
    assert_eq!(
        offered(&duisans),
        [(
            "rappel-duisans".to_string(),
            1,
            TITLE.to_string(),
            "published".to_string()
        )]
    );
    sync(&tincques);
    let at_tincques = offered(&tincques);
    assert!(!at_tincques.is_empty());
    assert!(at_tincques
        .iter()
        .all(|f| f.0 != "rappel-duisans" && f.3 == "shipped"));
    let kiosks = text(&backend(&data, &["kiosk", "list"]));
    assert!(!kiosks.contains("refusé"), "{kiosks}");

    // Played as installed; the request shows the flow's title at the back end.
    let script = dir.path().join("script.txt");
    let mut answers = vec!["touch".to_string(), "touch:rappel-duisans".to_string()];
    answers.extend(
        std::fs::read_to_string(repo().join("flows/examples/rappel.txt"))
            .expect("example")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string),
    );
    answers.push("touch:terminer".to_string());
    std::fs::write(&script, answers.join("\n") + "\n").expect("script");
    let played = duisans
        .run(&[
            "simulate",
            "--installed",
            "--answers",
            &script.to_string_lossy(),
            "--today",
            "2026-11-28",
            "--submit",
            "--json",
        ])
        .expect("simulate");
    assert!(played.status.success(), "{}", text(&played));
    duisans.sync_until_empty(3).expect("sent");
    let submissions = server.submissions().expect("submissions");
    assert_eq!(submissions.len(), 1);
    assert_eq!(submissions[0]["flow_id"], "rappel-duisans");
    assert_eq!(submissions[0]["flow_title"], TITLE);

    // Version 2, then the back end restored from a copy made before it: the older catalog
    // is refused and the kiosk keeps version 2.
    server.kill();
    let snapshot = dir.path().join("copie");
    copy_db(&data, &snapshot);
    server.restart().expect("restart");
    std::fs::write(&broken, duisans_flow(2, "Rappel par la mairie de Duisans")).expect("write");
    let out = backend(
        &data,
        &[
            "flow",
            "publish",
            &broken.to_string_lossy(),
            "--kiosk",
            "duisans",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    let again = backend(&data, &["flow", "publish", &broken.to_string_lossy()]);
    assert_eq!(again.status.code(), Some(1), "the same version twice");
    assert!(
        text(&again).contains("Mettez « version: 3 » ou plus"),
        "{}",
        text(&again)
    );
    assert!(sync(&duisans).contains("version 2 installé"));
    server.kill();
    copy_db(&snapshot, &data);
    server.restart().expect("restart");
    let said = sync(&duisans);
    assert!(
        said.contains("version 1 plus ancienne que la version installée 2"),
        "{said}"
    );
    assert_eq!(offered(&duisans)[0].1, 2);
    let kiosks = text(&backend(&data, &["kiosk", "list"]));
    assert!(kiosks.contains("plus ancienne"), "{kiosks}");
}
