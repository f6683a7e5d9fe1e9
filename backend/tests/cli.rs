//! The `backend` binary as an administrator uses it: init, kiosk add/list/revoke, service
//! add/list, user add/list/password, serve, submissions --json, status set.

mod common;

use kiosk_sync::wire::{self, Ack, EnrollRequest, EnrollResponse, RequestStatus, StatusResponse};
use std::io::{BufRead, BufReader, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn backend(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("test helper")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("test helper")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("test helper")
}

#[test]
fn init_makes_a_private_key_and_refuses_to_overwrite_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("donnees");
    let first = backend(&dir, &["init"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let public_key = stdout(&first).trim().to_string();
    let key_path = dir.join("backend.key");
    let mode = std::fs::metadata(&key_path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert!(dir.join("backend.sqlite3").exists());
    // The database is private too, and init prints the keys' fingerprint.
    let db_mode = std::fs::metadata(dir.join("backend.sqlite3"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(db_mode & 0o777, 0o600, "{db_mode:o}");
    let fingerprint = backend::data_dir::DataDir::new(&dir)
        .key_fingerprint()
        .unwrap();
    assert!(stderr(&first).contains(&fingerprint), "{}", stderr(&first));
    let secret = std::fs::read_to_string(&key_path).unwrap();
    let keys = kiosk_sync::seal::KeyPair::from_secret_base64(&secret).unwrap();
    assert_eq!(keys.public_base64(), public_key);

    let second = backend(&dir, &["init"]);
    assert!(!second.status.success());
    assert!(
        stderr(&second).contains("une clé existe déjà"),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read_to_string(&key_path).unwrap(), secret);
}

#[test]
fn commands_need_init_first() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vide");
    let serve = backend(&dir, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!serve.status.success());
    assert!(
        stderr(&serve).contains("lancez d'abord : backend init"),
        "{}",
        stderr(&serve)
    );
    let add = backend(&dir, &["kiosk", "add", "A", "--place", "Tincques"]);
    assert!(!add.status.success());
    assert!(
        stderr(&add).contains("lancez d'abord : backend init"),
        "{}",
        stderr(&add)
    );
    assert!(
        !dir.exists(),
        "a failed command must not create the data folder"
    );
}

#[test]
fn kiosks_are_added_listed_and_revoked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(backend(dir, &["init"]).status.success());
    let added = backend(
        dir,
        &["kiosk", "add", "Mairie de Tincques", "--place", "Tincques"],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let code = stdout(&added).lines().last().unwrap().to_string();
    assert!(
        backend::secrets::normalize_enrolment_code(&code).is_some(),
        "{code}"
    );
    assert_eq!(code.len(), 14);
    assert!(stderr(&added).contains("Code d'enrôlement"));
    // The fingerprint of the keys, to compare with the one `kiosk enroll` prints.
    let fingerprint = backend::data_dir::DataDir::new(dir)
        .key_fingerprint()
        .unwrap();
    assert!(stderr(&added).contains(&fingerprint), "{}", stderr(&added));

    let again = backend(
        dir,
        &["kiosk", "add", "Mairie de Tincques", "--place", "Tincques"],
    );
    assert!(!again.status.success());
    assert!(stderr(&again).contains("s'appelle déjà"));

    let list = stdout(&backend(dir, &["kiosk", "list"]));
    let row = list
        .lines()
        .find(|l| l.starts_with("Mairie de Tincques"))
        .unwrap();
    assert!(row.contains("non  "), "{row}");
    assert!(row.contains("jamais"), "{row}");

    let revoked = backend(dir, &["kiosk", "revoke", "Mairie de Tincques"]);
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(stderr(&revoked).contains("révoquée"));
    let list = stdout(&backend(dir, &["kiosk", "list"]));
    let row = list
        .lines()
        .find(|l| l.starts_with("Mairie de Tincques"))
        .unwrap();
    assert!(row.contains("oui"), "{row}");
    let unknown = backend(dir, &["kiosk", "revoke", "Personne"]);
    assert!(!unknown.status.success());
}

/// `backend serve` in the background, killed (SIGTERM) when dropped if still running.
struct Serving {
    child: Child,
    base: String,
}

impl Serving {
    fn start(dir: &Path) -> Serving {
        let mut child = Command::new(env!("CARGO_BIN_EXE_backend"))
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("test helper");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("test helper"))
            .read_line(&mut line)
            .expect("test helper");
        let base = line
            .trim()
            .strip_prefix("Le back end écoute sur ")
            .unwrap_or_else(|| panic!("unexpected first line: {line}"))
            .to_string();
        assert!(!base.ends_with(":0"), "{base}");
        Serving { child, base }
    }

    fn terminate(&mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("test helper");
        assert!(status.success());
    }

    /// SIGTERM, then the exit status and everything the server logged.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        self.terminate();
        let deadline = Instant::now() + Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("test helper") {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut log = String::new();
        self.child
            .stderr
            .take()
            .expect("test helper")
            .read_to_string(&mut log)
            .expect("test helper");
        (status, log)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.terminate();
            let _ = self.child.wait();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_goes_from_kiosk_to_the_command_line() {
    let tmp = tempfile::tempdir().expect("test helper");
    let dir = tmp.path();
    assert!(backend(dir, &["init"]).status.success());
    let added = backend(
        dir,
        &[
            "kiosk",
            "add",
            "Bibliothèque",
            "--place",
            "Avesnes-le-Comte",
        ],
    );
    let code = stdout(&added).lines().last().unwrap().to_string();

    let server = Serving::start(dir);
    let client = reqwest::Client::new();
    let enrolled: EnrollResponse = client
        .post(format!("{}{}", server.base, wire::enroll_path()))
        .json(&EnrollRequest { code })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let phone = "0687654321";
    let receipt = common::receipt(&enrolled.receipt_prefix);
    let up = common::upload(&enrolled.public_key, &receipt, &common::answers(phone));
    let response = client
        .put(format!("{}{}", server.base, wire::submission_path(&up.id)))
        .bearer_auth(&enrolled.token)
        .json(&up)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let ack: Ack = response.json().await.unwrap();

    // While the server runs, an agent's script sets the status.
    let set = backend(
        dir,
        &[
            "status",
            "set",
            &receipt.to_lowercase(),
            "traite",
            "--note",
            "Lampadaire réparé.",
        ],
    );
    assert!(set.status.success(), "{}", stderr(&set));
    let status: StatusResponse = client
        .get(format!("{}{}", server.base, wire::status_path(&receipt)))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status.status, RequestStatus::Traite);
    assert_eq!(status.note.as_deref(), Some("Lampadaire réparé."));
    let unknown = backend(dir, &["status", "set", "ZZZ-ZZZ", "traite"]);
    assert!(!unknown.status.success());
    let bad = backend(dir, &["status", "set", &receipt, "fini"]);
    assert!(!bad.status.success());

    let (exit, log) = server.stop();
    assert!(exit.success(), "{exit:?}\n{log}");
    // Nothing personal in the log: no answers, no token, no receipt.
    assert!(log.contains("request"), "{log}");
    for secret in [phone, enrolled.token.as_str(), receipt.as_str(), "Duisans"] {
        assert!(!log.contains(secret), "{secret} logged:\n{log}");
    }

    let listed = backend(dir, &["submissions", "--json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let lines: Vec<serde_json::Value> = stdout(&listed)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    let line = &lines[0];
    assert_eq!(line["id"], up.id.as_str());
    assert_eq!(line["kiosk_id"], enrolled.kiosk_id.as_str());
    assert_eq!(line["flow_id"], "signalement-eclairage");
    assert_eq!(line["flow_version"], 3);
    assert_eq!(line["service"], "voirie");
    assert_eq!(line["receipt"], receipt.as_str());
    assert_eq!(line["created_at"], up.created_at.as_str());
    assert_eq!(line["received_at"], ack.received_at.as_str());
    assert_eq!(line["status"], "traite");
    assert_eq!(line["answers"], common::answers(phone));

    let history: i64 = rusqlite::Connection::open(dir.join("backend.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM status_history WHERE \"by\" = 'cli'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(history, 1);
}

fn backend_with_stdin(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("test helper");
    child
        .stdin
        .take()
        .expect("test helper")
        .write_all(stdin.as_bytes())
        .expect("test helper");
    child.wait_with_output().expect("test helper")
}

#[test]
fn services_and_accounts_are_added_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(backend(dir, &["init"]).status.success());
    let added = backend(
        dir,
        &[
            "service",
            "add",
            "voirie",
            "--name",
            "Voirie et éclairage",
            "--email",
            "voirie@example.org",
            "--webhook",
            "https://outil.example.org/hook",
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));
    // stdout: the webhook's secret only.
    let secret = stdout(&added).trim().to_string();
    assert!(backend::secrets::looks_like_token(&secret), "{secret}");
    assert!(stderr(&added).contains("X-Signature"));
    let bad = backend(dir, &["service", "add", "Voirie!", "--name", "V"]);
    assert!(!bad.status.success());
    let bad = backend(
        dir,
        &[
            "service",
            "add",
            "dechets",
            "--name",
            "D",
            "--webhook",
            "ftp://x",
        ],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("http"), "{}", stderr(&bad));
    // Plain http, or an internal address, without the configuration's allow-list: refused.
    for refused in [
        "http://outil.example.org/hook",
        "https://169.254.169.254/hook",
    ] {
        let bad = backend(
            dir,
            &[
                "service",
                "add",
                "dechets",
                "--name",
                "D",
                "--webhook",
                refused,
            ],
        );
        assert!(!bad.status.success(), "{refused}");
        assert!(
            stderr(&bad).contains("[webhooks] allow"),
            "{}",
            stderr(&bad)
        );
    }
    std::fs::write(
        dir.join("backend.toml"),
        "[webhooks]\nallow = [\"outil.interne:8080\"]\n",
    )
    .unwrap();
    let allowed = backend(
        dir,
        &[
            "service",
            "add",
            "dechets",
            "--name",
            "D",
            "--webhook",
            "http://outil.interne:8080/hook",
            "--retention-days",
            "90",
        ],
    );
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    assert!(
        stderr(&allowed).contains("90 jours"),
        "{}",
        stderr(&allowed)
    );
    let list = stdout(&backend(dir, &["service", "list"]));
    assert!(
        list.lines()
            .any(|line| line.starts_with("voirie\tVoirie et éclairage\tvoirie@example.org\t")),
        "{list}"
    );

    // A generated password, printed once on stdout.
    let agent = backend(
        dir,
        &[
            "user",
            "add",
            "agnes@example.org",
            "--name",
            "Agnès",
            "--role",
            "agent",
            "--service",
            "voirie",
        ],
    );
    assert!(agent.status.success(), "{}", stderr(&agent));
    let password = stdout(&agent).trim().to_string();
    assert_eq!(password.len(), 19, "{password}");
    assert!(stderr(&agent).contains("une seule fois"));
    // A password from stdin, checked.
    let admin = backend_with_stdin(
        dir,
        &[
            "user",
            "add",
            "admin@example.org",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "une phrase de passe solide\n",
    );
    assert!(admin.status.success(), "{}", stderr(&admin));
    assert_eq!(stdout(&admin), "", "a chosen password is not printed");
    let short = backend_with_stdin(
        dir,
        &[
            "user",
            "add",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "agent",
            "--password-stdin",
        ],
        "court\n",
    );
    assert!(!short.status.success());
    assert!(stderr(&short).contains("au moins 12"), "{}", stderr(&short));
    let unknown = backend(
        dir,
        &[
            "user",
            "add",
            "y@example.org",
            "--name",
            "Y",
            "--role",
            "agent",
            "--service",
            "nulle",
        ],
    );
    assert!(!unknown.status.success());
    assert!(stderr(&unknown).contains("nulle"));
    let twice = backend(
        dir,
        &[
            "user",
            "add",
            "AGNES@example.org",
            "--name",
            "A",
            "--role",
            "agent",
        ],
    );
    assert!(!twice.status.success());
    assert!(stderr(&twice).contains("existe déjà"));
    let role = backend(
        dir,
        &[
            "user",
            "add",
            "z@example.org",
            "--name",
            "Z",
            "--role",
            "chef",
        ],
    );
    assert!(!role.status.success());
    let list = stdout(&backend(dir, &["user", "list"]));
    assert!(
        list.contains("agnes@example.org\tAgnès\tagent\tvoirie\tactif"),
        "{list}"
    );
    assert!(
        list.contains("admin@example.org\tAdmin\tadmin\t-\tactif"),
        "{list}"
    );

    // A new password replaces the old one.
    let reset = backend_with_stdin(
        dir,
        &["user", "password", "agnes@example.org", "--password-stdin"],
        "un autre mot de passe\r\n",
    );
    assert!(reset.status.success(), "{}", stderr(&reset));
    let db = backend::data_dir::DataDir::new(dir).open_db().unwrap();
    let (_, hash) = db
        .with(|c| backend::db::users::by_email(c, "agnes@example.org"))
        .unwrap()
        .unwrap();
    assert!(backend::passwords::verify("un autre mot de passe", &hash));
    assert!(!backend::passwords::verify(&password, &hash));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_prints_the_address_to_open_and_accounts_can_log_in() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert!(backend(dir, &["init"]).status.success());
    let added = backend_with_stdin(
        dir,
        &[
            "user",
            "add",
            "admin@example.org",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        "une phrase de passe solide\n",
    );
    assert!(added.status.success(), "{}", stderr(&added));
    let mut child = Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("test helper");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let base = first
        .strip_prefix("Le back end écoute sur ")
        .unwrap()
        .to_string();
    assert_eq!(
        second,
        format!("Pages des agents et des administrateurs : ouvrez {base}/connexion")
    );
    // Plain http on loopback: the cookie is not Secure, so a browser can log in.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(format!("{base}/connexion"))
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.starts_with("connexion=") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_string();
    let html = form.text().await.unwrap();
    let csrf = common::web::csrf_in(&html).unwrap();
    let login = client
        .post(format!("{base}/connexion"))
        .header("cookie", cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_html_form::to_string([
                ("csrf", csrf.as_str()),
                ("email", "admin@example.org"),
                ("password", "une phrase de passe solide"),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(login.headers()["location"], "/demandes");
    let _ = child.kill();
    let _ = child.wait();

    // A bad public address is refused before serving.
    let bad = backend(
        dir,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--public-url",
            "ftp://x",
        ],
    );
    assert!(!bad.status.success());
    assert!(stderr(&bad).contains("public-url"), "{}", stderr(&bad));
}
