//! Issue 14, the back end's data: hostile requests and faults against a real server on
//! 127.0.0.1 over a real SQLite file, then the right answer and nothing stored or lost:
//! receipt prefixes, enrolment codes (expiry, guesses, fingerprint), ids, private files,
//! retention and erasure (purge, an administrator's delete, a late retry), backups, and the
//! CSV export streamed while kiosks write.

mod common;

use backend::db::users::Role;
use common::web::Web;
use common::{answers, expect_error, receipt, upload, Server};
use kiosk_sync::wire::{self, EnrollResponse};
use reqwest::StatusCode;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const PASSWORD: &str = "un mot de passe assez long";

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("file").permissions().mode() & 0o777
}

fn backend_cli(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("backend")
}

/// The `i`-th receipt of a kiosk with this prefix: distinct for every `i` (random ones
/// collide, by the birthday paradox, in tests that send hundreds).
fn nth_receipt(prefix: &str, i: usize) -> String {
    let alphabet = wire::RECEIPT_ALPHABET;
    let digit = |n: usize| char::from(alphabet[n % alphabet.len()]);
    let base = alphabet.len();
    format!(
        "{prefix}{}-{}{}{}",
        digit(i / base.pow(3)),
        digit(i / base.pow(2)),
        digit(i / base),
        digit(i)
    )
}

/// `n` requests sent by `kiosk`, numbered from `from`, with phone numbers `06…`.
async fn send_many(server: &Server, kiosk: &EnrollResponse, from: usize, n: usize) {
    for i in from..from + n {
        let up = upload(
            &kiosk.public_key,
            &nth_receipt(&kiosk.receipt_prefix, i),
            &answers(&format!("06{i:08}")),
        );
        let status = server.put_submission(&kiosk.token, &up).await.status();
        assert_eq!(status, StatusCode::CREATED);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_with_another_kiosks_prefix_is_refused_and_that_kiosk_still_submits() {
    let server = Server::start().await;
    let thief = server.kiosk("A").await;
    let owner = server.kiosk("B").await;
    let stolen = receipt(&owner.receipt_prefix);
    let forged = upload(&thief.public_key, &stolen, &answers("0611111111"));
    expect_error(
        server.put_submission(&thief.token, &forged).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "foreign_receipt",
    )
    .await;
    assert_eq!(server.count("submissions"), 0);
    assert_eq!(server.count("notification_outbox"), 0);
    // The owner's own submission with that receipt is stored.
    let own = upload(&owner.public_key, &stolen, &answers("0622222222"));
    assert_eq!(
        server.put_submission(&owner.token, &own).await.status(),
        StatusCode::CREATED
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_codes_expire_and_wrong_guesses_are_limited_per_address() {
    let server = Server::start().await;
    // A code made 8 days ago is refused, and nothing is enrolled.
    let old = server.add_kiosk("Ancienne");
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    conn.execute(
        "UPDATE enrolment_codes SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 days')",
        [],
    )
    .unwrap();
    expect_error(
        server.enroll(&old).await,
        StatusCode::UNAUTHORIZED,
        "bad_code",
    )
    .await;
    let enrolled: i64 = conn
        .query_row(
            "SELECT count(*) FROM kiosks WHERE token_hash IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(enrolled, 0);
    // That expired one was the first wrong code; nine more, then even a right code waits.
    for _ in 1..backend::guesses::MAX_WRONG_CODES {
        let guess = backend::secrets::new_enrolment_code();
        expect_error(
            server.enroll(&guess).await,
            StatusCode::UNAUTHORIZED,
            "bad_code",
        )
        .await;
    }
    let fresh = server.add_kiosk("Nouvelle");
    let refused = server.enroll(&fresh).await;
    let retry_after: u64 = refused
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry_after > 0 && retry_after <= 3600, "{retry_after}");
    expect_error(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    let enrolled: i64 = conn
        .query_row(
            "SELECT count(*) FROM kiosks WHERE token_hash IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(enrolled, 0);

    // Codes are 12 characters; the fingerprint the kiosk computes from what it received is
    // the one `backend kiosk code` prints.
    let dir = server.data_dir();
    let output = backend_cli(dir.root(), &["kiosk", "code", "Nouvelle"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let code = text(&output.stdout).trim().to_string();
    assert_eq!(code.len(), 14, "{code}");
    let printed = dir.key_fingerprint().unwrap();
    assert!(
        text(&output.stderr).contains(&printed),
        "{}",
        text(&output.stderr)
    );
    let other = server.data_dir();
    let keys = other.load_key().unwrap();
    let catalog = kiosk_sync::catalog::public_key_base64(&other.load_signing_key().unwrap());
    assert_eq!(
        kiosk_sync::wire::key_fingerprint(&keys.public_base64(), &catalog),
        printed
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_and_service_ids_outside_the_rule_are_refused() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    for (field, bad) in [
        ("flow_id", "signalement\u{7}"),
        ("flow_id", "Signalement"),
        ("service", "voirie\n"),
        ("service", &"v".repeat(65)),
    ] {
        let mut up = upload(
            &kiosk.public_key,
            &receipt(&kiosk.receipt_prefix),
            &answers("0611111111"),
        );
        match field {
            "flow_id" => up.flow_id = bad.to_string(),
            _ => up.service = bad.to_string(),
        }
        let response = server.put_submission(&kiosk.token, &up).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad:?}");
        let body: wire::ErrorBody = response.json().await.unwrap();
        assert!(body.message.contains(field), "{}", body.message);
    }
    assert_eq!(server.count("submissions"), 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_its_folder_are_made_private_whatever_they_were() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    server
        .submit(&kiosk, "voirie", "Duisans", "0611111111")
        .await;
    let dir = server.stop().await;
    let root = dir.path().to_path_buf();
    let db = root.join("backend.sqlite3");
    std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
    for name in [
        "backend.sqlite3",
        "backend.sqlite3-wal",
        "backend.sqlite3-shm",
    ] {
        let path = root.join(name);
        if !path.exists() {
            std::fs::write(&path, b"").unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let server = Server::start_in(dir).await;
    server
        .submit(&kiosk, "voirie", "Duisans", "0622222222")
        .await;
    assert_eq!(mode(&root), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&root.join("backend.sqlite3-wal")), 0o600);
    assert_eq!(mode(&root.join("backend.sqlite3-shm")), 0o600);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let secure: i64 = server.data_dir().open_db().unwrap().with(|c| {
        c.query_row("PRAGMA secure_delete", [], |r| r.get(0))
            .unwrap()
    });
    assert_eq!(secure, 1);
    drop(conn);
    server.stop().await;
}

/// Sets the last change of the request `id` to `days` days ago.
fn age(server: &Server, id: &str, days: i64) {
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).expect("test helper");
    conn.execute(
        "UPDATE submissions SET status_updated_at = \
         strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2 || ' days') WHERE id = ?1",
        rusqlite::params![id, format!("-{days}")],
    )
    .expect("test helper");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purges_erase_old_requests_by_retention_or_age_and_a_late_retry_stores_nothing() {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie", None, None);
    let db = server.data_dir().open_db().unwrap();
    let mut short = backend::db::services::check("Déchets", None, None).unwrap();
    short.retention_days = Some(30);
    db.with(|c| backend::db::services::add(c, "dechets", &short, "2026-01-01T00:00:00.000Z"))
        .unwrap();
    let kiosk = server.kiosk("A").await;
    let phone = "0633333333";
    // dechets kept 30 days, voirie the default 365.
    let (old_receipt, old_dechets) = server.submit(&kiosk, "dechets", "Duisans", phone).await;
    let (_, young_dechets) = server.submit(&kiosk, "dechets", "Duisans", phone).await;
    let (_, old_voirie) = server.submit(&kiosk, "voirie", "Duisans", phone).await;
    age(&server, &old_dechets, 31);
    age(&server, &young_dechets, 29);
    age(&server, &old_voirie, 200);

    let root = server.data_dir().root().to_path_buf();
    let dry = backend_cli(&root, &["submissions", "purge", "--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry.stderr));
    assert_eq!(text(&dry.stdout).trim(), "1");
    assert_eq!(server.count("submissions"), 3);
    let purged = backend_cli(&root, &["submissions", "purge"]);
    assert!(purged.status.success(), "{}", text(&purged.stderr));
    assert_eq!(text(&purged.stdout).trim(), "1");
    assert_eq!(server.count("submissions"), 2);
    // The kiosk's status look-up of an erased receipt: not found.
    let status = server
        .client
        .get(server.url(&wire::status_path(&old_receipt)))
        .bearer_auth(&kiosk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::NOT_FOUND);

    let by_age = backend_cli(&root, &["submissions", "purge", "--older-than", "100j"]);
    assert!(by_age.status.success(), "{}", text(&by_age.stderr));
    assert_eq!(text(&by_age.stdout).trim(), "1");
    assert_eq!(server.count("submissions"), 1);
    assert_eq!(server.count("status_history"), 1);
    let bad = backend_cli(&root, &["submissions", "purge", "--older-than", "un an"]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("jours"), "{}", text(&bad.stderr));

    // What is kept of the erased: no answer, no receipt, no phone number.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let kept: Vec<String> = conn
        .prepare("SELECT submission_id || ' ' || reason FROM erased_submissions ORDER BY reason")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        kept,
        [
            format!("{old_voirie} purge"),
            format!("{old_dechets} retention")
        ]
    );
    let everything: String = conn
        .query_row(
            "SELECT group_concat(submission_id || service || flow_id || received_at || erased_at) \
             FROM erased_submissions",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!everything.contains(phone) && !everything.contains(&old_receipt));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_retry_of_an_erased_request_is_acknowledged_and_not_stored_again() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0644444444"),
    );
    assert_eq!(
        server.put_submission(&kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );
    let db = server.data_dir().open_db().unwrap();
    assert!(db
        .with(|c| backend::db::retention::erase(
            c,
            &up.id,
            backend::db::retention::Reason::Purge,
            None,
            chrono::Utc::now()
        ))
        .unwrap());
    assert_eq!(
        server.put_submission(&kiosk.token, &up).await.status(),
        StatusCode::OK
    );
    let mut changed = up.clone();
    changed.sealed = common::upload(&kiosk.public_key, &up.receipt, &answers("0655555555")).sealed;
    expect_error(
        server.put_submission(&kiosk.token, &changed).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(server.count("submissions"), 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_erases_a_request_from_its_page_and_an_agent_cannot() {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie", None, None);
    server.add_user("admin@example.org", Role::Admin, &[], PASSWORD);
    server.add_user("agent@example.org", Role::Agent, &["voirie"], PASSWORD);
    let kiosk = server.kiosk("A").await;
    let phone = "0666666666";
    let (receipt, id) = server.submit(&kiosk, "voirie", "Duisans", phone).await;
    let path = format!("/demandes/{id}/effacer");

    let mut agent = Web::logged_in(&server, "agent@example.org", PASSWORD).await;
    let page = agent.get(&format!("/demandes/{id}")).await;
    assert!(!page.body.contains("effacer"), "agents see no erase form");
    let csrf = page.csrf();
    let refused = agent
        .post(&path, &[("csrf", &csrf), ("confirm", "oui")])
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(server.count("submissions"), 1);

    let mut admin = Web::logged_in(&server, "admin@example.org", PASSWORD).await;
    let page = admin.get(&format!("/demandes/{id}")).await;
    assert!(page.body.contains(&path), "{}", page.body);
    let csrf = page.csrf();
    // Without the confirmation: back to the page, which says so; nothing erased.
    let unconfirmed = admin.post(&path, &[("csrf", &csrf)]).await;
    assert_eq!(unconfirmed.status, StatusCode::SEE_OTHER);
    let back = admin.get(unconfirmed.location().unwrap()).await;
    assert_eq!(back.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(back.body.contains("Cochez la case"), "{}", back.body);
    assert_eq!(server.count("submissions"), 1);
    // Without the form's token: refused.
    let forged = admin.post(&path, &[("confirm", "oui")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let erased = admin
        .post(&path, &[("csrf", &csrf), ("confirm", "oui")])
        .await;
    assert_eq!(erased.status, StatusCode::SEE_OTHER);
    assert_eq!(erased.location(), Some("/demandes?efface=1"));
    let inbox = admin.get("/demandes?efface=1").await;
    assert!(inbox.body.contains("Demande effacée"), "{}", inbox.body);
    assert!(!inbox.body.contains(&receipt));
    assert_eq!(server.count("submissions"), 0);
    assert_eq!(server.count("status_history"), 0);
    assert_eq!(server.count("notification_outbox"), 0);
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let (reason, by): (String, i64) = conn
        .query_row(
            "SELECT reason, user_id FROM erased_submissions WHERE submission_id = ?1",
            [&id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(reason, "admin");
    assert!(by > 0);
    assert_eq!(
        admin.get(&format!("/demandes/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // secure_delete: the phone number is nowhere in the file any more.
    drop(conn);
    let db = server.data_dir().open_db().unwrap();
    db.with(|c| c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)"))
        .unwrap();
    let bytes = std::fs::read(server.data_dir().db_path()).unwrap();
    assert!(
        !bytes.windows(phone.len()).any(|w| w == phone.as_bytes()),
        "the erased answers are overwritten"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_while_kiosks_write_holds_the_database_and_keys_privately() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    const N: usize = 300;
    send_many(&server, &kiosk, 0, N).await;
    let root = server.data_dir().root().to_path_buf();
    let dest = tempfile::tempdir().unwrap();
    let target = dest.path().join("sauvegarde");
    // A kiosk keeps writing during the backup.
    let writer = {
        let kiosk: EnrollResponse = kiosk.clone();
        let base = server.url("");
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0..20 {
                let up = upload(
                    &kiosk.public_key,
                    &nth_receipt(&kiosk.receipt_prefix, N + i),
                    &answers(&format!("07{i:08}")),
                );
                let status = client
                    .put(format!("{base}{}", wire::submission_path(&up.id)))
                    .bearer_auth(&kiosk.token)
                    .json(&up)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, StatusCode::CREATED);
            }
        })
    };
    let started = std::time::Instant::now();
    let output = backend_cli(&root, &["backup", target.to_str().unwrap()]);
    let took = started.elapsed();
    assert!(output.status.success(), "{}", text(&output.stderr));
    writer.await.unwrap();
    eprintln!("backup of {N}+ requests: {took:?}");
    assert_eq!(mode(&target), 0o700);
    for name in ["backend.sqlite3", "backend.key", "catalog.key"] {
        assert_eq!(mode(&target.join(name)), 0o600, "{name}");
        assert!(text(&output.stdout).contains(name));
    }
    let copy = rusqlite::Connection::open(target.join("backend.sqlite3")).unwrap();
    let copied: i64 = copy
        .query_row("SELECT count(*) FROM submissions", [], |r| r.get(0))
        .unwrap();
    assert!(copied >= N as i64 && copied <= N as i64 + 20, "{copied}");
    assert_eq!(
        std::fs::read(target.join("backend.key")).unwrap(),
        std::fs::read(root.join("backend.key")).unwrap()
    );
    // Never over another backup.
    let again = backend_cli(&root, &["backup", target.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("existe déjà"),
        "{}",
        text(&again.stderr)
    );

    // A purge of them all, timed.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    conn.execute(
        "UPDATE submissions SET status_updated_at = '2020-01-01T00:00:00.000Z'",
        [],
    )
    .unwrap();
    let started = std::time::Instant::now();
    let purged = backend_cli(&root, &["submissions", "purge"]);
    eprintln!(
        "purge of {}: {:?}",
        text(&purged.stdout).trim(),
        started.elapsed()
    );
    assert!(purged.status.success(), "{}", text(&purged.stderr));
    assert_eq!(server.count("submissions"), 0);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_is_streamed_while_a_kiosk_keeps_writing() {
    let server = Server::start().await;
    server.add_user("admin@example.org", Role::Admin, &[], PASSWORD);
    let kiosk = server.kiosk("A").await;
    const N: usize = 400;
    send_many(&server, &kiosk, 0, N).await;
    let admin = Web::logged_in(&server, "admin@example.org", PASSWORD).await;
    let cookies: Vec<String> = admin
        .cookies
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let mut export = server
        .client
        .get(server.url("/demandes/export.csv"))
        .header(reqwest::header::COOKIE, cookies.join("; "))
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), StatusCode::OK);
    // The client has read one chunk and stops reading; kiosks keep writing meanwhile.
    let first = export.chunk().await.unwrap().unwrap();
    assert!(first.starts_with("\u{feff}".as_bytes()));
    send_many(&server, &kiosk, N, 5).await;
    let mut csv = first.to_vec();
    while let Some(chunk) = export.chunk().await.unwrap() {
        csv.extend_from_slice(&chunk);
    }
    let csv = String::from_utf8(csv).unwrap();
    // Every line as of when the export started: the header and the N requests.
    let requests = csv
        .lines()
        .filter(|line| line.starts_with(&kiosk.receipt_prefix))
        .count();
    assert_eq!(requests, N);
    assert!(!csv.contains(&format!("06{N:08}")));
    server.stop().await;
}
