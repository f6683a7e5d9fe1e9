//! Sessions that end (WCAG 2.2.1, RGAA 13.1.3), over real HTTP: a status change posted after
//! the session ended is carried by the login page and comes back, filled in, on the same
//! request's page, with nothing stored meanwhile; other forms come back to be sent again;
//! the button to stay logged in restarts the idle timeout; the sweeper deletes sessions that
//! are over; the accessibility statement is open to all and linked from every page.

mod common;

use backend::config::Settings;
use backend::db::users::Role;
use common::web::Web;
use common::{test_settings, Server};
use reqwest::StatusCode;
use std::time::Duration;

const PASSWORD: &str = "un mot de passe assez long";
const AGENT: &str = "agnes@campagnes-artois.example";
const IDLE: Duration = Duration::from_secs(2);

fn short_sessions() -> Settings {
    Settings {
        session_idle: IDLE,
        ..test_settings()
    }
}

async fn world() -> (Server, String) {
    let server = Server::start_with(short_sessions()).await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_user(AGENT, Role::Agent, &["voirie"], PASSWORD);
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let (_, id) = server
        .submit(&kiosk, "voirie", "Duisans", "0612345678")
        .await;
    (server, id)
}

/// The value of the hidden field `name` in `html`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')?;
    Some(
        html[start..start + end]
            .replace("&#38;", "&")
            .replace("&amp;", "&"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_note_posted_after_the_session_ended_comes_back_after_login() {
    let (server, id) = world().await;
    let mut web = Web::logged_in(&server, AGENT, PASSWORD).await;
    let page = web.get(&format!("/demandes/{id}")).await;
    assert!(page
        .body
        .contains("Sans activité, votre session se ferme à"));
    let csrf = page.csrf();
    tokio::time::sleep(IDLE + Duration::from_millis(500)).await;

    let note = "La lampe sera changée jeudi.";
    let path = format!("/demandes/{id}/statut");
    let page = web
        .post(
            &path,
            &[("csrf", &csrf), ("statut", "en_cours"), ("note", note)],
        )
        .await;
    // The login page, saying what happened, carrying the form (not its token).
    assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{}", page.body);
    assert!(
        page.body.contains("Votre session s&#39;est fermée"),
        "{}",
        page.body
    );
    let carried = hidden(&page.body, "repris").expect("the form is carried");
    assert!(!carried.contains("csrf"), "{carried}");
    assert_eq!(hidden(&page.body, "suite").as_deref(), Some(path.as_str()));
    // Nothing was stored.
    let history = server.count("status_history");
    let login_csrf = page.csrf();
    let page = web
        .post(
            "/connexion",
            &[
                ("csrf", &login_csrf),
                ("email", AGENT),
                ("password", PASSWORD),
                ("suite", &path),
                ("repris", &carried),
            ],
        )
        .await;
    // Back on the same request, the form filled in as it was, not yet saved.
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Vous êtes reconnecté"), "{}", page.body);
    assert!(
        page.body.contains(&format!(">{note}</textarea>")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"en_cours\" checked"),
        "{}",
        page.body
    );
    assert_eq!(server.count("status_history"), history);
    // Sent again with the new session's token, it is saved.
    let saved = web
        .post(
            &path,
            &[
                ("csrf", &page.csrf()),
                ("statut", "en_cours"),
                ("note", note),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(server.count("status_history"), history + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_forms_come_back_to_be_sent_again_without_their_passwords() {
    let (server, _) = world().await;
    let mut web = Web::logged_in(&server, AGENT, PASSWORD).await;
    let csrf = web.csrf("/compte").await;
    tokio::time::sleep(IDLE + Duration::from_millis(500)).await;
    let page = web
        .post(
            "/compte",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", "un nouveau mot de passe"),
                ("confirm", "un nouveau mot de passe"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(!page.body.contains("nouveau mot de passe"), "{}", page.body);
    let carried = hidden(&page.body, "repris").unwrap_or_default();
    assert!(carried.is_empty(), "{carried}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staying_logged_in_restarts_the_idle_timeout() {
    let (server, id) = world().await;
    let mut web = Web::logged_in(&server, AGENT, PASSWORD).await;
    let csrf = web.csrf("/demandes").await;
    // Without the session's token, nothing.
    let refused = web.post("/session/prolonger", &[("js", "1")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for _ in 0..3 {
        tokio::time::sleep(IDLE * 2 / 3).await;
        let page = web
            .post("/session/prolonger", &[("csrf", &csrf), ("js", "1")])
            .await;
        assert_eq!(page.status, StatusCode::NO_CONTENT);
    }
    // Twice the idle timeout later, still logged in.
    assert_eq!(
        web.get(&format!("/demandes/{id}")).await.status,
        StatusCode::OK
    );
    // Without the script, the button goes back to the page it was on.
    let back = web.post("/session/prolonger", &[("csrf", &csrf)]).await;
    assert_eq!(back.status, StatusCode::SEE_OTHER);
    assert_eq!(back.location(), Some("/demandes"));
    // Once idle too long, it is over.
    tokio::time::sleep(IDLE + Duration::from_millis(500)).await;
    assert_eq!(web.get("/demandes").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_deletes_sessions_that_are_over() {
    let (server, _) = world().await;
    let _live = Web::logged_in(&server, AGENT, PASSWORD).await;
    let _idle = Web::logged_in(&server, AGENT, PASSWORD).await;
    assert_eq!(server.count("sessions"), 2);
    tokio::time::sleep(IDLE + Duration::from_millis(500)).await;
    let state = backend::state::AppState::open(&server.data_dir())
        .unwrap()
        .with_settings(short_sessions());
    let (sessions, _) = backend::session_sweep::sweep_once(&state).await.unwrap();
    assert_eq!(sessions, 2);
    assert_eq!(server.count("sessions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accessibility_statement_is_linked_from_every_page() {
    let (server, _) = world().await;
    let mut anonymous = Web::new(&server);
    let login = anonymous.get("/connexion").await;
    assert!(login
        .body
        .contains("<a href=\"/accessibilite\">Accessibilité : non conforme</a>"));
    let statement = anonymous.get("/accessibilite").await;
    assert_eq!(statement.status, StatusCode::OK);
    for part in [
        "<h1>Déclaration d'accessibilité</h1>",
        "État de conformité",
        "Retour d'information et contact",
        "Voies de recours",
        "Défenseur des droits",
    ] {
        assert!(statement.body.contains(part), "{part}");
    }
    let mut agent = Web::logged_in(&server, AGENT, PASSWORD).await;
    let inbox = agent.get("/demandes").await;
    assert!(inbox.body.contains("href=\"/accessibilite\""));
}
