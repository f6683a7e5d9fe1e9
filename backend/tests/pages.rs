//! The pages for people over real HTTP (reqwest, a cookie jar of one, no redirections
//! followed): login, sessions, CSRF, throttling, who sees what, statuses, exports, and the
//! administrators' pages. The same journeys in a real browser are in `browser.rs`.

mod common;

use backend::db::users::Role;
use backend::router::{Method, PAGES};
use common::web::{csrf_in, Web};
use common::{test_settings, Server};
use kiosk_sync::wire::{self, RequestStatus, StatusResponse};
use reqwest::StatusCode;

const PASSWORD: &str = "un mot de passe assez long";

/// A server with two services, an agent for each, an administrator, and a kiosk.
struct World {
    server: Server,
    kiosk: kiosk_sync::wire::EnrollResponse,
}

const VOIRIE_AGENT: &str = "agnes@campagnes-artois.example";
const CRECHE_AGENT: &str = "bruno@campagnes-artois.example";
const ADMIN: &str = "admin@campagnes-artois.example";

async fn world() -> World {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_service("petite-enfance", "Petite enfance", None, None);
    server.add_user(VOIRIE_AGENT, Role::Agent, &["voirie"], PASSWORD);
    server.add_user(CRECHE_AGENT, Role::Agent, &["petite-enfance"], PASSWORD);
    server.add_user(ADMIN, Role::Admin, &[], PASSWORD);
    let kiosk = server.kiosk("Mairie de Duisans").await;
    World { server, kiosk }
}

async fn kiosk_status(server: &Server, token: &str, receipt: &str) -> StatusResponse {
    server
        .client
        .get(server.url(&wire::status_path(receipt)))
        .bearer_auth(token)
        .send()
        .await
        .expect("test helper")
        .json()
        .await
        .expect("test helper")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_login_and_come_back_after_it() {
    let w = world().await;
    let mut web = Web::new(&w.server);
    let page = web.get("/demandes?statut=recu").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location(),
        Some("/connexion?suite=%2Fdemandes%3Fstatut%3Drecu")
    );
    let home = web.get("/").await;
    assert_eq!(home.location(), Some("/demandes"));
    // The login page, then back where we were going.
    let form = web
        .get("/connexion?suite=%2Fdemandes%3Fstatut%3Drecu")
        .await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<html lang=\"fr\">"));
    let csrf = form.csrf();
    let done = web
        .post(
            "/connexion",
            &[
                ("csrf", &csrf),
                ("email", "AGNES@campagnes-artois.example"),
                ("password", PASSWORD),
                ("suite", "/demandes?statut=recu"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), Some("/demandes?statut=recu"));
    // Never to another site.
    let mut other = Web::new(&w.server);
    let csrf = other.csrf("/connexion").await;
    let page = other
        .post(
            "/connexion",
            &[
                ("csrf", &csrf),
                ("email", VOIRIE_AGENT),
                ("password", PASSWORD),
                ("suite", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.location(), Some("/demandes"));
    // Unknown pages are French pages, not JSON; the API stays JSON.
    let missing = web.get("/nulle-part").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(
        missing.body.contains("Page introuvable"),
        "{}",
        missing.body
    );
    let api = web.get("/api/v1/nulle-part").await;
    assert!(api.body.starts_with('{'), "{}", api.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookies_are_httponly_strict_and_secure_when_asked() {
    let w = world().await;
    let mut web = Web::new(&w.server);
    let page = web.get("/connexion").await;
    let cookie = &page.set_cookies()[0];
    assert!(cookie.starts_with("connexion="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    for header in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
    ] {
        assert!(page.headers.contains_key(header), "{header}");
    }
    assert_eq!(page.headers["cache-control"], "no-store");
    let csrf = page.csrf();
    let done = web
        .post(
            "/connexion",
            &[
                ("csrf", &csrf),
                ("email", VOIRIE_AGENT),
                ("password", PASSWORD),
            ],
        )
        .await;
    let cookies = done.set_cookies();
    assert!(cookies[0].starts_with("session="), "{cookies:?}");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookies[0].contains(flag), "{cookies:?}");
    }
    // The login form's cookie is removed.
    assert!(cookies[1].starts_with("connexion=;") && cookies[1].contains("Max-Age=0"));

    // With Secure on (the default off loopback), the cookies have the __Host- prefix.
    let secure = Server::start_with(backend::config::Settings {
        cookie_secure: true,
        ..test_settings()
    })
    .await;
    let mut web = Web::new(&secure);
    let cookie = &web.get("/connexion").await.set_cookies()[0];
    assert!(cookie.starts_with("__Host-connexion="), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_id_planted_before_login_is_worthless_after_it() {
    let w = world().await;
    // The attacker gets a valid login-form session...
    let mut attacker = Web::new(&w.server);
    let form = attacker.get("/connexion").await;
    let planted = attacker.cookie("connexion").unwrap();
    // ... and plants it in the agent's browser, as both cookies, and the agent logs in.
    let mut victim = Web::new(&w.server);
    victim.cookies.insert("connexion".into(), planted.clone());
    victim.cookies.insert("session".into(), planted.clone());
    let page = victim
        .post(
            "/connexion",
            &[
                ("csrf", &form.csrf()),
                ("email", VOIRIE_AGENT),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let after = victim.cookie("session").unwrap();
    assert_ne!(after, planted, "the session id must change at login");
    assert_eq!(victim.cookie("connexion"), None);
    assert_eq!(victim.get("/demandes").await.status, StatusCode::OK);
    // The planted id opens nothing, as either cookie.
    for name in ["session", "connexion"] {
        let mut replay = Web::new(&w.server);
        replay.cookies.insert(name.into(), planted.clone());
        let page = replay.get("/demandes").await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{name}");
        assert!(page.location().unwrap().starts_with("/connexion"));
    }
    // A login form's session is not a logged-in session, even under the session's name.
    let mut anonymous = Web::new(&w.server);
    anonymous.get("/connexion").await;
    let id = anonymous.cookie("connexion").unwrap();
    anonymous.cookies.insert("session".into(), id);
    assert_eq!(
        anonymous.get("/demandes").await.status,
        StatusCode::SEE_OTHER
    );
    // Showing the login form does not touch a logged-in session's cookie.
    let form = victim.get("/connexion?suite=%2Fcompte").await;
    assert_eq!(form.location(), Some("/compte"));
    assert_eq!(victim.cookie("session"), Some(after.clone()));
    // Logging out ends the session.
    let csrf = victim.csrf("/demandes").await;
    let out = victim.post("/deconnexion", &[("csrf", &csrf)]).await;
    assert_eq!(out.location(), Some("/connexion?deconnecte=1"));
    assert_eq!(victim.cookie("session"), None);
    victim.cookies.insert("session".into(), after);
    assert_eq!(victim.get("/demandes").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_from_another_site_reloads_from_this_one() {
    let w = world().await;
    let (_, id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let path = format!("/demandes/{id}");
    // A link in a webmail: cross-site, so the browser sends no SameSite=Strict cookie.
    let page = w
        .server
        .client
        .get(w.server.url(&path))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let body = page.text().await.unwrap();
    assert!(
        body.contains(&format!(
            "<meta http-equiv=\"refresh\" content=\"0; url={path}\">"
        )),
        "{body}"
    );
    assert!(body.contains(&format!("href=\"{path}\"")));
    // The reload comes from this site: with a session it opens, without one it asks to log in.
    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    assert_eq!(agent.get(&path).await.status, StatusCode::OK);
    let mut nobody = Web::new(&w.server);
    assert_eq!(nobody.get(&path).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_logins_are_slowed_down() {
    let w = world().await;
    // The agent's own browser has logged in before (it holds the device cookie).
    let mut own = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    own.cookies.remove("session");
    let mut web = Web::new(&w.server);
    for attempt in 1..=4 {
        let page = web.login(VOIRIE_AGENT, "mauvais mot de passe").await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert!(page.body.contains("incorrect"));
        assert!(page.body.contains("aria-invalid=\"true\""));
    }
    // The fifth failure locks the account...
    let page = web.login(VOIRIE_AGENT, "mauvais mot de passe").await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Trop de tentatives"), "{}", page.body);
    assert!(page.headers.contains_key("retry-after"));
    // ... so even the right password is refused for now, from anywhere.
    let mut elsewhere = Web::new(&w.server);
    let page = elsewhere.login(VOIRIE_AGENT, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Trop de tentatives"));
    // Another account is not locked by it.
    let page = elsewhere.login(CRECHE_AGENT, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    // The agent's own browser is not held by the lock: someone typing wrong passwords
    // elsewhere cannot keep the agent out.
    let page = own.login(VOIRIE_AGENT, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // Per address: many accounts tried from one address slow the address down (the five
    // failures above count too: 20 are free), but the right password of an account that is
    // not locked is never refused.
    let mut guesser = Web::new(&w.server);
    for n in 0..15 {
        let page = guesser
            .login(&format!("inconnu{n}@example.org"), "mauvais mot de passe")
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{n}");
    }
    let started = std::time::Instant::now();
    let page = guesser.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "the address was not slowed down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_the_session_token_are_refused() {
    let w = world().await;
    let (receipt, id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let mut web = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let path = format!("/demandes/{id}/statut");
    let missing = web.post(&path, &[("statut", "traite")]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert!(
        missing.body.contains("formulaire a expiré"),
        "{}",
        missing.body
    );
    let wrong = web
        .post(
            &path,
            &[
                ("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                ("statut", "traite"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another session's token does not do either.
    let mut other = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let theirs = other.csrf("/demandes").await;
    let crossed = web
        .post(&path, &[("csrf", &theirs), ("statut", "traite")])
        .await;
    assert_eq!(crossed.status, StatusCode::FORBIDDEN);
    let status = kiosk_status(&w.server, &w.kiosk.token, &receipt).await;
    assert_eq!(status.status, RequestStatus::Recu);
    // The login form checks its token too.
    let mut fresh = Web::new(&w.server);
    fresh.get("/connexion").await;
    let page = fresh
        .post(
            "/connexion",
            &[("email", VOIRIE_AGENT), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("a expiré"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_posted_form_checks_its_token() {
    let w = world().await;
    let (_, id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let mut admin = Web::logged_in(&w.server, ADMIN, PASSWORD).await;
    let db = w.server.data_dir().open_db().unwrap();
    let kiosk_id = w.kiosk.kiosk_id.clone();
    let user_id = db
        .with(|c| backend::db::users::by_email(c, VOIRIE_AGENT))
        .unwrap()
        .unwrap()
        .0
        .id
        .to_string();
    for route in PAGES.iter().filter(|r| r.method == Method::Post) {
        let path = route.path.replace(
            "{id}",
            if route.path.starts_with("/demandes") {
                &id
            } else if route.path.starts_with("/admin/services") {
                "voirie"
            } else if route.path.starts_with("/admin/bornes") {
                &kiosk_id
            } else {
                &user_id
            },
        );
        let cookies = admin.cookies.clone();
        let page = admin
            .post(
                &path,
                &[("statut", "traite"), ("name", "X"), ("confirm", "oui")],
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::FORBIDDEN,
            "POST {path} without a token"
        );
        assert_eq!(
            admin.cookie("session"),
            cookies.get("session").cloned(),
            "POST {path} changed the session"
        );
    }
    // Nothing changed: the admin is still logged in, the kiosk not revoked, the service here.
    assert_eq!(
        admin.get("/admin/services/voirie").await.status,
        StatusCode::OK
    );
    assert!(w.server.data_dir().open_db().unwrap().with(|c| {
        backend::db::kiosks::list(c).unwrap()[0]
            .revoked_at
            .is_none()
    }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_see_only_their_services_requests() {
    let w = world().await;
    let (mine, mine_id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0611111111")
        .await;
    let (theirs, theirs_id) = w
        .server
        .submit(&w.kiosk, "petite-enfance", "Tincques", "0622222222")
        .await;
    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let inbox = agent.get("/demandes").await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert!(inbox.body.contains(&mine));
    assert!(!inbox.body.contains(&theirs));
    assert!(
        !inbox.body.contains("Tincques"),
        "another service's commune leaked"
    );
    // Guessed addresses: "not found", exactly like a request that does not exist.
    for path in [
        format!("/demandes/{theirs_id}"),
        format!("/demandes/{theirs_id}/export.json"),
        "/demandes/00000000-0000-0000-0000-000000000000".to_string(),
    ] {
        let page = agent.get(&path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.body.contains(&theirs));
    }
    let csrf = agent.csrf("/demandes").await;
    let post = agent
        .post(
            &format!("/demandes/{theirs_id}/statut"),
            &[("csrf", &csrf), ("statut", "rejete")],
        )
        .await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
    // Filters cannot reach it either.
    let filtered = agent.get("/demandes?service=petite-enfance").await;
    assert!(!filtered.body.contains(&theirs));
    assert!(filtered.body.contains("0 demande."));
    let searched = agent.get(&format!("/demandes?recu={theirs}")).await;
    assert!(searched.body.contains("0 demande."), "{}", searched.body);
    assert!(!searched.body.contains(&format!(">{theirs}</a>")));
    // Nor the export.
    let csv = agent.get("/demandes/export.csv").await;
    assert!(csv.body.contains(&mine));
    assert!(!csv.body.contains(&theirs));
    let csv = agent
        .get("/demandes/export.csv?service=petite-enfance")
        .await;
    assert!(!csv.body.contains(&theirs));
    // Administrators' pages do not exist for agents.
    for path in ["/admin/services", "/admin/utilisateurs", "/admin/bornes"] {
        assert_eq!(
            agent.get(path).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // The other agent sees theirs and not mine; the administrator sees both.
    let mut other = Web::logged_in(&w.server, CRECHE_AGENT, PASSWORD).await;
    assert_eq!(
        other.get(&format!("/demandes/{mine_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/demandes/{theirs_id}")).await.status,
        StatusCode::OK
    );
    let mut admin = Web::logged_in(&w.server, ADMIN, PASSWORD).await;
    let all = admin.get("/demandes").await;
    assert!(all.body.contains(&mine) && all.body.contains(&theirs));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_processes_a_request_and_the_kiosk_tells_the_citizen() {
    let w = world().await;
    let (receipt, id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let page = agent.get(&format!("/demandes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for shown in [
        receipt.as_str(),
        "Commune",
        "Duisans",
        "Quel est le problème ?",
        "Le lampadaire ne s&#39;allume plus",
        "Téléphone",
        "0612345678",
        "Mairie de Duisans",
        "la borne",
    ] {
        assert!(page.body.contains(shown), "{shown} missing");
    }
    let csrf = page.csrf();
    let note = "Lampadaire réparé le 2 décembre.";
    let done = agent
        .post(
            &format!("/demandes/{id}/statut"),
            &[("csrf", &csrf), ("statut", "traite"), ("note", note)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let page = agent.get(done.location().unwrap()).await;
    assert!(page.body.contains("Statut enregistré : Traité."));
    assert!(
        page.body.contains(VOIRIE_AGENT),
        "the history names the agent"
    );
    let status = kiosk_status(&w.server, &w.kiosk.token, &receipt).await;
    assert_eq!(status.status, RequestStatus::Traite);
    assert_eq!(status.note.as_deref(), Some(note));

    // JSON export of one request.
    let json = agent.get(&format!("/demandes/{id}/export.json")).await;
    assert_eq!(json.status, StatusCode::OK);
    assert!(json.headers["content-disposition"]
        .to_str()
        .unwrap()
        .contains(&receipt));
    let value: serde_json::Value = serde_json::from_str(&json.body).unwrap();
    assert_eq!(value["receipt"], receipt.as_str());
    assert_eq!(value["status"], "traite");
    assert_eq!(value["answers"][2]["display"], "0612345678");
    assert_eq!(value["history"].as_array().unwrap().len(), 2);
    assert_eq!(value["history"][1]["agent"]["email"], VOIRIE_AGENT);
    // Bad statuses and overlong notes are refused.
    let csrf = agent.csrf(&format!("/demandes/{id}")).await;
    let bad = agent
        .post(
            &format!("/demandes/{id}/statut"),
            &[("csrf", &csrf), ("statut", "fini")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let long = "x".repeat(501);
    let bad = agent
        .post(
            &format!("/demandes/{id}/statut"),
            &[("csrf", &csrf), ("statut", "traite"), ("note", &long)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_inbox_filters_searches_pages_and_exports() {
    let w = world().await;
    let mut receipts = Vec::new();
    for n in 0..27 {
        let commune = if n % 3 == 0 { "Tincques" } else { "Duisans" };
        let (receipt, _) = w
            .server
            .submit(&w.kiosk, "voirie", commune, &format!("06000000{n:02}"))
            .await;
        receipts.push(receipt);
    }
    // A dictated answer that a spreadsheet would run as a formula, with quotes and `;`.
    let answers = serde_json::json!({
        "flow_id": "signalement-voirie",
        "flow_version": 1,
        "service": "voirie",
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "1", "display": "Avesnes-le-Comte",
             "dataset": "communes"},
            {"step_id": "details", "label": "Détails", "value": "x",
             "display": "=HYPERLINK(\"http://x\";\"clic\") ; trou \"profond\""},
        ]
    });
    let odd = common::receipt(&w.kiosk.receipt_prefix);
    let up = common::upload_answers(&w.kiosk.public_key, &odd, &answers);
    assert_eq!(
        w.server.put_submission(&w.kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );
    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let first = agent.get("/demandes").await;
    assert!(
        first.body.contains("28 demandes, page 1 sur 2"),
        "{}",
        first.body
    );
    assert!(first.body.contains("Reçu : 28"));
    assert!(first.body.contains("rel=\"next\""));
    let second = agent.get("/demandes?page=2").await;
    assert!(second.body.contains("page 2 sur 2"));
    assert!(second.body.contains("rel=\"prev\""));

    let tincques = agent.get("/demandes?commune=Tincques").await;
    assert!(tincques.body.contains("9 demandes"), "{}", tincques.body);
    let flow = agent.get("/demandes?demarche=signalement-voirie").await;
    assert!(flow.body.contains("1 demande.") && flow.body.contains(&odd));
    let search = agent
        .get(&format!("/demandes?recu={}", receipts[5].to_lowercase()))
        .await;
    assert!(search.body.contains("1 demande."), "{}", search.body);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let dated = agent.get(&format!("/demandes?du={today}&au={today}")).await;
    assert!(dated.body.contains("28 demandes"), "{}", dated.body);
    let past = agent.get("/demandes?du=2020-01-01&au=2020-12-31").await;
    assert!(past.body.contains("0 demande"), "{}", past.body);
    let treated = agent.get("/demandes?statut=traite").await;
    assert!(treated.body.contains("Aucune demande ne correspond."));
    let bad = agent.get("/demandes?du=hier").await;
    assert!(bad.body.contains("n&#39;est pas une date"), "{}", bad.body);

    let csv = agent
        .get("/demandes/export.csv?commune=Avesnes-le-Comte")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(
        csv.body.starts_with('\u{feff}'),
        "UTF-8 byte-order mark for Excel"
    );
    let lines: Vec<&str> = csv
        .body
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    assert!(lines[0].starts_with("Code de reçu;Reçue le;Statut"));
    assert!(lines[1].starts_with(&odd));
    assert!(
        lines[1].contains("\"Commune : Avesnes-le-Comte\nDétails : =HYPERLINK(\"\"http://x\"\";\"\"clic\"\") ; trou \"\"profond\"\"\""),
        "{}",
        lines[1]
    );
    let all = agent.get("/demandes/export.csv").await;
    assert_eq!(
        all.body.matches("\r\n").count(),
        29,
        "a header and 28 lines"
    );
}

/// The rows of a CSV export, without its byte-order mark, each split into fields (the
/// answers, last, may hold the separator: only the first fields are looked at).
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    body.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| line.split(';').map(str::to_string).collect())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn urgent_requests_come_first_marked_and_in_the_exports() {
    let w = world().await;
    let (plain, plain_id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0611111111")
        .await;
    let mut answers = common::answers_for("voirie", "Tincques", "0622222222");
    answers["urgent"] = serde_json::Value::Bool(true);
    let urgent = common::receipt(&w.kiosk.receipt_prefix);
    let up = common::upload_answers(&w.kiosk.public_key, &urgent, &answers);
    assert_eq!(
        w.server.put_submission(&w.kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );
    let (latest, _) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0633333333")
        .await;

    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let inbox = agent.get("/demandes").await;
    let at = |receipt: &str| inbox.body.find(receipt).expect("listed");
    assert!(
        at(&urgent) < at(&latest) && at(&urgent) < at(&plain),
        "the urgent request first, though not the most recent: {}",
        inbox.body
    );
    let badge = "<span class=\"urgent\">Urgent</span>";
    assert_eq!(inbox.body.matches(badge).count(), 1, "{}", inbox.body);
    let urgent_row = &inbox.body[at(&urgent)..];
    let urgent_row = &urgent_row[..urgent_row.find("</tr>").expect("row end")];
    assert!(urgent_row.contains(badge), "the badge is on its line");

    let page = agent.get(&format!("/demandes/{}", up.id)).await;
    assert!(page.body.contains(badge), "{}", page.body);
    let ordinary = agent.get(&format!("/demandes/{plain_id}")).await;
    assert!(ordinary.body.contains("<dt>Priorité</dt><dd>Normale</dd>"));
    assert!(!ordinary.body.contains(badge));

    let csv = agent.get("/demandes/export.csv").await;
    let rows = csv_rows(&csv.body);
    assert_eq!(rows[0][3], "Urgent", "the header: {:?}", rows[0]);
    assert_eq!(rows[1][0], urgent, "inbox order: {:?}", rows);
    let urgency: Vec<&str> = rows[1..].iter().map(|r| r[3].as_str()).collect();
    assert_eq!(urgency, ["Oui", "Non", "Non"]);

    let json = agent.get(&format!("/demandes/{}/export.json", up.id)).await;
    let value: serde_json::Value = serde_json::from_str(&json.body).expect("JSON export");
    assert_eq!(value["urgent"], true);

    // Once dealt with, it keeps its mark but not its place.
    let csrf = page.csrf();
    let done = agent
        .post(
            &format!("/demandes/{}/statut", up.id),
            &[("csrf", &csrf), ("statut", "traite"), ("note", "")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let inbox = agent.get("/demandes").await;
    let at = |receipt: &str| inbox.body.find(receipt).expect("listed");
    assert!(at(&urgent) > at(&latest) && at(&urgent) > at(&plain));
    assert_eq!(inbox.body.matches(badge).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commune_asked_under_another_step_id_is_filed() {
    let w = world().await;
    // The commune is the answer from the communes dataset, whatever its step id; an answer
    // whose step id is `commune` but that comes from no dataset is not it.
    let answers = serde_json::json!({
        "flow_id": "encombrants",
        "flow_version": 2,
        "service": "voirie",
        "answers": [
            {"step_id": "rue", "label": "Nom de la voie", "value": "Rue de la Commune",
             "display": "Rue de la Commune"},
            {"step_id": "commune", "label": "Nom du quartier", "value": "Centre",
             "display": "Centre"},
            {"step_id": "lieu", "label": "Votre commune", "value": "62810",
             "display": "Tincques", "dataset": "communes", "details": {"postcode": "62127"}},
        ]
    });
    let receipt = common::receipt(&w.kiosk.receipt_prefix);
    let up = common::upload_answers(&w.kiosk.public_key, &receipt, &answers);
    assert_eq!(
        w.server.put_submission(&w.kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );
    let mut agent = Web::logged_in(&w.server, VOIRIE_AGENT, PASSWORD).await;
    let inbox = agent.get("/demandes").await;
    assert!(
        inbox.body.contains("<option value=\"Tincques\""),
        "the commune filter offers it: {}",
        inbox.body
    );
    assert!(!inbox.body.contains("<option value=\"Centre\""));
    let filed = agent.get("/demandes?commune=Tincques").await;
    assert!(
        filed.body.contains("1 demande.") && filed.body.contains(&receipt),
        "{}",
        filed.body
    );
    let decoy = agent.get("/demandes?commune=Centre").await;
    assert!(decoy.body.contains("0 demande"), "{}", decoy.body);

    let csv = agent.get("/demandes/export.csv?commune=Tincques").await;
    let lines: Vec<&str> = csv
        .body
        .trim_start_matches('\u{feff}')
        .split("\r\n")
        .collect();
    let fields: Vec<&str> = lines[1].split(';').collect();
    assert_eq!(fields[0], receipt);
    assert_eq!(fields[7], "Tincques", "the Commune column: {}", lines[1]);
    assert!(
        lines[1].contains("Votre commune : Tincques"),
        "{}",
        lines[1]
    );

    let json = agent.get(&format!("/demandes/{}/export.json", up.id)).await;
    let request: serde_json::Value = serde_json::from_str(&json.body).expect("JSON export");
    assert_eq!(request["commune"], "Tincques");
    assert_eq!(request["answers"], answers["answers"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_manage_services_accounts_and_kiosks() {
    let w = world().await;
    let mut admin = Web::logged_in(&w.server, ADMIN, PASSWORD).await;
    // A service, with a mistake first.
    let csrf = admin.csrf("/admin/services").await;
    let wrong = admin
        .post(
            "/admin/services",
            &[
                ("csrf", &csrf),
                ("id", "Déchets"),
                ("name", ""),
                ("email", "non"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("role=\"alert\""));
    assert!(
        wrong.body.contains("value=\"Déchets\""),
        "typed values are kept"
    );
    let added = admin
        .post(
            "/admin/services",
            &[
                ("csrf", &csrf),
                ("id", "dechets"),
                ("name", "Déchets"),
                ("email", "dechets@example.org"),
                ("webhook", "https://outil.example.org/hook"),
            ],
        )
        .await;
    assert_eq!(
        added.location(),
        Some("/admin/services/dechets?fait=ajoute")
    );
    let page = admin.get("/admin/services/dechets?fait=ajoute").await;
    assert!(page.body.contains("Service ajouté."));
    assert!(page.body.contains("X-Signature"), "the secret is explained");

    // An agent of it, whose password is shown once and works.
    let csrf = admin.csrf("/admin/utilisateurs").await;
    let created = admin
        .post(
            "/admin/utilisateurs",
            &[
                ("csrf", &csrf),
                ("email", "chloe@example.org"),
                ("name", "Chloé"),
                ("role", "agent"),
                ("service", "dechets"),
                ("service", "voirie"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let start = created.body.find("class=\"secret\">").unwrap() + "class=\"secret\">".len();
    let password = &created.body[start..start + 19];
    let mut chloe = Web::logged_in(&w.server, "chloe@example.org", password).await;
    let account = chloe.get("/compte").await;
    assert!(account.body.contains("dechets, voirie"), "{}", account.body);
    // She changes it.
    let csrf = account.csrf();
    let changed = chloe
        .post(
            "/compte",
            &[
                ("csrf", &csrf),
                ("current", password),
                ("new", "ma nouvelle phrase secrète"),
                ("confirm", "ma nouvelle phrase secrète"),
            ],
        )
        .await;
    assert_eq!(changed.location(), Some("/connexion?mot-de-passe=change"));
    Web::logged_in(&w.server, "chloe@example.org", "ma nouvelle phrase secrète").await;

    // Deactivated: cannot log in any more.
    let users = admin.get("/admin/utilisateurs").await;
    let link = users
        .body
        .split("href=\"/admin/utilisateurs/")
        .nth(1)
        .unwrap();
    assert!(users.body.contains("Chloé"));
    let chloe_id = {
        let db = w.server.data_dir().open_db().unwrap();
        db.with(|c| backend::db::users::by_email(c, "chloe@example.org"))
            .unwrap()
            .unwrap()
            .0
            .id
    };
    assert!(!link.is_empty());
    let csrf = admin.csrf(&format!("/admin/utilisateurs/{chloe_id}")).await;
    let off = admin
        .post(
            &format!("/admin/utilisateurs/{chloe_id}/desactiver"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let refused = Web::new(&w.server)
        .login("chloe@example.org", "ma nouvelle phrase secrète")
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // The last administrator cannot be demoted.
    let admin_id = {
        let db = w.server.data_dir().open_db().unwrap();
        db.with(|c| backend::db::users::by_email(c, ADMIN))
            .unwrap()
            .unwrap()
            .0
            .id
    };
    let demoted = admin
        .post(
            &format!("/admin/utilisateurs/{admin_id}"),
            &[("csrf", &csrf), ("name", "Admin"), ("role", "agent")],
        )
        .await;
    assert_eq!(demoted.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(demoted.body.contains("dernier administrateur"));

    // A kiosk: its code is shown once and enrols it; revoking it stops its token.
    let csrf = admin.csrf("/admin/bornes").await;
    let kiosk = admin
        .post(
            "/admin/bornes",
            &[
                ("csrf", &csrf),
                ("name", "Bibliothèque de Tincques"),
                ("place", "Tincques"),
            ],
        )
        .await;
    assert_eq!(kiosk.status, StatusCode::OK);
    let start = kiosk.body.find("class=\"secret\">").unwrap() + "class=\"secret\">".len();
    let code = &kiosk.body[start..start + 14];
    let enrolled = w.server.enroll(code).await;
    assert_eq!(enrolled.status(), StatusCode::OK);
    let enrolled: wire::EnrollResponse = enrolled.json().await.unwrap();
    let list = admin.get("/admin/bornes").await;
    assert!(list.body.contains("Bibliothèque de Tincques"));
    assert!(list.body.contains("en service"));
    let revoked = admin
        .post(
            &format!("/admin/bornes/{}/revoquer", enrolled.kiosk_id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(revoked.location(), Some("/admin/bornes?fait=revoquee"));
    let heartbeat = w
        .server
        .client
        .post(w.server.url(&wire::heartbeat_path()))
        .bearer_auth(&enrolled.token)
        .json(&wire::Heartbeat {
            software_version: "1.0".into(),
            flows: vec![],
            queue_length: 0,
            last_error: None,
            free_disk_bytes: 1,
            catalog_version: Some(4),
            catalog_refused: None,
            refused: 0,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(heartbeat.status(), StatusCode::FORBIDDEN);

    // Deleting a service needs the confirmation box.
    let csrf = admin.csrf("/admin/services/dechets").await;
    let unconfirmed = admin
        .post("/admin/services/dechets/supprimer", &[("csrf", &csrf)])
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let deleted = admin
        .post(
            "/admin/services/dechets/supprimer",
            &[("csrf", &csrf), ("confirm", "oui")],
        )
        .await;
    assert_eq!(deleted.location(), Some("/admin/services?fait=supprime"));
    assert_eq!(
        admin.get("/admin/services/dechets").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_french_labelled_and_has_one_heading() {
    let w = world().await;
    let (_, id) = w
        .server
        .submit(&w.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let mut admin = Web::logged_in(&w.server, ADMIN, PASSWORD).await;
    let user_id = 1;
    let mut pages = vec![
        "/demandes".to_string(),
        format!("/demandes/{id}"),
        "/compte".into(),
        "/admin/services".into(),
        "/admin/services/voirie".into(),
        "/admin/utilisateurs".into(),
        format!("/admin/utilisateurs/{user_id}"),
        "/admin/bornes".into(),
    ];
    let mut anonymous = Web::new(&w.server);
    let login = anonymous.get("/connexion").await;
    pages.push("/connexion".into());
    for path in pages {
        let page = if path == "/connexion" {
            login.body.clone()
        } else {
            let page = admin.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            page.body
        };
        assert!(page.contains("<html lang=\"fr\">"), "{path}");
        assert!(page.contains("href=\"#contenu\""), "{path}: skip link");
        assert!(page.contains("id=\"contenu\""), "{path}");
        assert!(page.contains("name=\"viewport\""), "{path}");
        assert_eq!(page.matches("<h1").count(), 1, "{path}: one h1");
        assert!(csrf_in(&page).is_some() || path == "/connexion", "{path}");
        // Every visible field has a label.
        for (at, _) in page.match_indices("<input ") {
            let tag = &page[at..at + page[at..].find('>').unwrap()];
            if tag.contains("type=\"hidden\"") {
                continue;
            }
            let id = tag
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                page.contains(&format!("for=\"{id}\"")),
                "{path}: #{id} has no label"
            );
        }
        for (at, _) in page
            .match_indices("<select ")
            .chain(page.match_indices("<textarea "))
        {
            let tag = &page[at..at + page[at..].find('>').unwrap()];
            let id = tag
                .split("id=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(
                page.contains(&format!("for=\"{id}\"")),
                "{path}: #{id} has no label"
            );
        }
    }
    let css = admin.get("/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.body.contains(":focus-visible"));
    assert!(css.body.contains("@media (max-width"));
}
