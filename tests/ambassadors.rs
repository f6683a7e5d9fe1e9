//! An ambassador answers a call for help, end to end: the real back end and a real kiosk
//! process (`kiosk simulate --submit`, played line by line through its standard input), the
//! call delivered by `kiosk sync --once`, and the ambassador's page in headless Chromium
//! (the rig of `backend/tests/chrome`). The kiosk says "noted" until the ambassador takes the
//! call, then that someone is coming. An ambassador sees only their kiosks; an agent opens
//! neither the ambassadors' nor the administrators' pages.

#[path = "../backend/tests/chrome/mod.rs"]
mod chrome;

use chrome::{click, log_in, wait_for_text, with_browser};
use e2e::{Backend, Kiosk};
use fantoccini::Locator;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const AMBASSADOR: &str = "nadia@campagnes-artois.example";
const AGENT: &str = "agnes@campagnes-artois.example";
const TAKEN: &str = "Quelqu'un a reçu votre appel et arrive.";
const NOTED: &str = "Votre appel est noté.";

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `backend ARGS...`, which must succeed; its standard output.
fn backend(backend: &Backend, args: &[&str]) -> String {
    let out = Backend::command(&backend.dir, args).expect("backend");
    assert!(
        out.status.success(),
        "backend {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A new account; its password (generated and printed once by `backend user add`).
fn add_user(backend_: &Backend, args: &[&str]) -> String {
    let out = backend(backend_, args);
    out.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .expect("a password printed")
        .trim()
        .to_string()
}

/// `kiosk simulate` of the whole kiosk, fed one line at a time; what it prints comes back
/// line by line.
struct Simulator {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    transcript: Vec<String>,
}

impl Simulator {
    fn start(kiosk: &Kiosk) -> Simulator {
        let mut child = kiosk
            .command()
            .expect("kiosk binary")
            .args([
                "simulate",
                &repo().join("flows").to_string_lossy(),
                "--today",
                "2026-11-28",
                "--submit",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kiosk simulate");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sent, lines) = mpsc::channel();
        std::thread::spawn(move || {
            // The prompt "> " has no newline: it starts the next line read.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sent.send(line).is_err() {
                    break;
                }
            }
        });
        Simulator {
            child,
            stdin,
            lines,
            transcript: Vec::new(),
        }
    }

    /// Types `line`, then reads what the kiosk prints until a line contains `until`.
    fn say(&mut self, line: &str, until: &str) -> Vec<String> {
        writeln!(self.stdin, "{line}").expect("simulate's stdin");
        self.stdin.flush().expect("simulate's stdin");
        let mut got = Vec::new();
        loop {
            match self.lines.recv_timeout(Duration::from_secs(30)) {
                Ok(printed) => {
                    self.transcript.push(printed.clone());
                    let done = printed.contains(until);
                    got.push(printed);
                    if done {
                        return got;
                    }
                }
                Err(_) => panic!(
                    "« {until} » never printed after « {line} »:\n{}",
                    self.transcript.join("\n")
                ),
            }
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn said(lines: &[String]) -> String {
    lines
        .iter()
        .filter(|l| l.contains("VOIX"))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_ambassador_takes_a_call_made_at_a_kiosk_and_the_kiosk_says_someone_is_coming() {
    let dir = tempfile::tempdir().expect("tempdir");
    let server = Backend::start(&dir.path().join("backend")).expect("backend");
    let code = server.add_kiosk("Mairie de Duisans").expect("kiosk add");
    server.add_kiosk("Mairie de Tincques").expect("kiosk add");
    let kiosk = Kiosk::new(&dir.path().join("borne"));
    kiosk.enroll(&server.url, &code).expect("enroll");
    let ambassador_password = add_user(
        &server,
        &[
            "user",
            "add",
            AMBASSADOR,
            "--name",
            "Nadia",
            "--role",
            "ambassadeur",
            "--kiosk",
            "Mairie de Duisans",
        ],
    );
    backend(&server, &["service", "add", "voirie", "--name", "Voirie"]);
    let agent_password = add_user(
        &server,
        &[
            "user",
            "add",
            AGENT,
            "--name",
            "Agnès",
            "--role",
            "agent",
            "--service",
            "voirie",
        ],
    );
    // The other kiosk's id, read from the back end's database (`kiosk list` shows names).
    let tincques_id: String = rusqlite::Connection::open(server.dir.join("backend.sqlite3"))
        .and_then(|db| {
            db.query_row(
                "SELECT id FROM kiosks WHERE name = 'Mairie de Tincques'",
                [],
                |row| row.get(0),
            )
        })
        .expect("the other kiosk's id");

    // A citizen in the street-light report asks for a person.
    let mut simulator = Simulator::start(&kiosk);
    simulator.say("touch", "VOIX");
    simulator.say("touch:report", "VOIX");
    simulator.say("touch:eclairage-public", "VOIX");
    let asked = simulator.say("je veux parler à quelqu'un", NOTED);
    assert!(!said(&asked).contains("arrive"), "{asked:?}");
    // Before anyone takes it, and before it is even sent: still "noted".
    let waited = simulator.say("attendre", "quelqu'un a-t-il pris l'appel");
    assert!(!said(&waited).contains("arrive"), "{waited:?}");
    let sync = kiosk.run(&["sync", "--once"]).expect("kiosk sync");
    assert!(
        sync.status.success(),
        "{}",
        String::from_utf8_lossy(&sync.stderr)
    );
    let open = backend(&server, &["help-calls", "--json"]);
    let call: serde_json::Value =
        serde_json::from_str(open.lines().next().expect("one open call")).expect("JSON");
    assert_eq!(call["kiosk_name"], "Mairie de Duisans");
    assert_eq!(call["flow_id"], "eclairage-public");
    let step = call["step_id"].as_str().expect("step").to_string();

    let base = server.url.clone();
    let (taken_sent, taken) = tokio::sync::oneshot::channel();
    with_browser(move |client| async move {
        // An agent opens neither the ambassadors' nor the administrators' pages.
        log_in(&client, &base, AGENT, &agent_password).await;
        wait_for_text(&client, "h1", "Demandes").await;
        for path in ["/ambassadeur", "/admin/bornes"] {
            client.goto(&format!("{base}{path}")).await.expect("goto");
            wait_for_text(&client, "h1", "Page introuvable").await;
        }
        client
            .goto(&format!("{base}/demandes"))
            .await
            .expect("goto");
        click(&client, "form[action=\"/deconnexion\"] button").await;

        // The ambassador sees the call at their kiosk, with the flow and step.
        log_in(&client, &base, AMBASSADOR, &ambassador_password).await;
        let row = wait_for_text(&client, "tr.help-call.open", "Mairie de Duisans").await;
        assert!(row.contains("Mairie de test"), "{row}");
        assert!(row.contains(&step), "{row}");
        assert!(row.contains("Personne ne s'en occupe encore"), "{row}");
        let page = client.source().await.expect("source");
        assert!(
            !page.contains("Mairie de Tincques"),
            "another kiosk is listed"
        );
        assert!(page.contains("http-equiv=\"refresh\""));
        // Only their kiosks: another one "does not exist".
        client
            .goto(&format!("{base}/ambassadeur/bornes/{tincques_id}"))
            .await
            .expect("goto");
        wait_for_text(&client, "h1", "Page introuvable").await;
        // Nor do the administrators' pages.
        client
            .goto(&format!("{base}/admin/bornes"))
            .await
            .expect("goto");
        wait_for_text(&client, "h1", "Page introuvable").await;

        // "Je m'en occupe : je viens".
        client
            .goto(&format!("{base}/ambassadeur"))
            .await
            .expect("goto");
        client
            .find(Locator::Css(
                "tr.help-call.open button[value=\"sur_place\"]",
            ))
            .await
            .expect("the button")
            .click()
            .await
            .expect("click");
        wait_for_text(&client, "p.notice", "la borne le dit à la personne").await;
        wait_for_text(&client, "td.help-call-state", "Pris par Nadia (se déplace)").await;
        let _ = taken_sent.send(());
    })
    .await;
    taken.await.expect("the ambassador took the call");

    // The kiosk's timer asks again: now it says someone is coming.
    let heard = simulator.say("attendre", &format!("VOIX  : {TAKEN}"));
    assert!(said(&heard).contains(TAKEN), "{heard:?}");
}
