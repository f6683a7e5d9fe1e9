//! The login limits against hostile clients, over real HTTP on 127.0.0.1: behind a fake
//! reverse proxy (trusted: its `X-Forwarded-For` names the client), someone guessing from
//! one address cannot lock agents out; a browser that logged in before is not held by its
//! account's lock; concurrent guesses are counted before argon2 runs; the login page
//! writes nothing; the account page counts wrong current passwords like failed logins.

mod common;

use backend::config::Settings;
use backend::db::users::Role;
use backend::pages::session::login_form_token;
use backend::state::AppState;
use common::proxy::FakeProxy;
use common::web::Web;
use common::{test_settings, Server};
use reqwest::StatusCode;
use std::time::{Duration, Instant};

const PASSWORD: &str = "un mot de passe assez long";
const ADMIN: &str = "admin@campagnes-artois.example";
const AGENT: &str = "agnes@campagnes-artois.example";
const ATTACKER: &str = "203.0.113.66";
const ADMIN_PLACE: &str = "198.51.100.7";

async fn world(settings: Settings) -> Server {
    let server = Server::start_with(settings).await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_user(AGENT, Role::Agent, &["voirie"], PASSWORD);
    server.add_user(ADMIN, Role::Admin, &[], PASSWORD);
    server
}

fn behind_proxy() -> Settings {
    Settings {
        trusted_proxies: vec!["127.0.0.1/32".parse().expect("a network")],
        ..test_settings()
    }
}

/// The keys counted in `login_failures`, and their failures.
fn failure_keys(server: &Server) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).expect("test helper");
    let mut statement = conn
        .prepare("SELECT key, failures FROM login_failures ORDER BY key")
        .expect("test helper");
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("test helper")
        .map(|row| row.expect("test helper"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_behind_the_proxy_do_not_lock_out_the_administrator() {
    let server = world(behind_proxy()).await;
    let attacker_proxy = FakeProxy::start(server.addr, ATTACKER).await;
    let admin_proxy = FakeProxy::start(server.addr, ADMIN_PLACE).await;

    // 25 failed logins on accounts that do not exist, from one address behind the proxy,
    // the attacker writing its own X-Forwarded-For each time to look like the admin.
    let mut attacker = Web::at(attacker_proxy.addr);
    for n in 0..20 {
        let form = attacker.get("/connexion").await;
        let email = format!("inconnu{n}@example.org");
        let page = attacker
            .post(
                "/connexion",
                &[
                    ("csrf", &form.csrf()),
                    ("email", &email),
                    ("password", "mauvais"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{n}");
    }
    let forged = reqwest::Client::new()
        .get(format!("http://{}/connexion", attacker_proxy.addr))
        .header("x-forwarded-for", ADMIN_PLACE)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::OK);
    // Every failure is counted on the attacker's address, none on the proxy's or the admin's.
    let keys = failure_keys(&server);
    assert!(keys.contains(&(format!("ip:{ATTACKER}"), 20)), "{keys:?}");
    assert!(!keys
        .iter()
        .any(|(key, _)| key == "ip:127.0.0.1" || key.contains(ADMIN_PLACE)));

    // The administrator, elsewhere behind the same proxy, logs in at once.
    let mut admin = Web::at(admin_proxy.addr);
    let started = Instant::now();
    let page = admin.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(started.elapsed() < Duration::from_secs(1) + Duration::from_millis(900));

    // From the attacker's own address, the right password of an account that is not locked
    // is slowed down, never refused.
    let mut same_place = Web::at(attacker_proxy.addr);
    let started = Instant::now();
    let page = same_place.login(AGENT, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "not slowed down"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_trusted_proxies_the_header_is_ignored() {
    let server = world(test_settings()).await;
    let mut web = Web::new(&server);
    let form = web.get("/connexion").await;
    let page = reqwest::Client::new()
        .post(server.url("/connexion"))
        .header("x-forwarded-for", ATTACKER)
        .header(
            "cookie",
            format!("connexion={}", web.cookie("connexion").unwrap()),
        )
        .form(&[
            ("csrf", form.csrf().as_str()),
            ("email", "x@example.org"),
            ("password", "mauvais"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let keys = failure_keys(&server);
    assert!(
        keys.iter().any(|(key, _)| key == "ip:127.0.0.1"),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|(key, _)| key.contains(ATTACKER)),
        "{keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_browser_that_logged_in_before_is_not_held_by_the_account_lock() {
    let server = world(behind_proxy()).await;
    let attacker_proxy = FakeProxy::start(server.addr, ATTACKER).await;
    let admin_proxy = FakeProxy::start(server.addr, ADMIN_PLACE).await;
    // The administrator's browser logged in yesterday (device cookie), then the session ended.
    let mut admin = Web::at(admin_proxy.addr);
    assert_eq!(
        admin.login(ADMIN, PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(admin.cookie("appareil").is_some());
    admin.cookies.remove("session");

    // Five wrong passwords for the admin's account lock it for browsers it never used...
    let mut attacker = Web::at(attacker_proxy.addr);
    for _ in 0..5 {
        attacker.login(ADMIN, "mauvais").await;
    }
    let page = Web::at(admin_proxy.addr).login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // ... but not for the admin's own browser.
    let page = admin.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    admin.cookies.remove("session");

    // A device cookie is signed: a forged or another account's one exempts nothing.
    let mut forger = Web::at(attacker_proxy.addr);
    let stolen = admin.cookie("appareil").unwrap();
    let (id, rest) = stolen.split_once('.').unwrap();
    let other_id = id.parse::<i64>().unwrap() - 1;
    forger
        .cookies
        .insert("appareil".into(), format!("{other_id}.{rest}"));
    let page = forger.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // And its own failures lock it after five, like an account.
    for _ in 0..5 {
        admin.login(ADMIN, "mauvais").await;
    }
    let page = admin.login(ADMIN, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_counted_before_argon2() {
    let server = world(test_settings()).await;
    // 15 wrong passwords at once for one account: 5 are verified, 10 refused unverified.
    let mut forms = Vec::new();
    for _ in 0..15 {
        let mut web = Web::new(&server);
        let csrf = web.get("/connexion").await.csrf();
        forms.push((web, csrf));
    }
    let attempts: Vec<_> = forms
        .into_iter()
        .map(|(mut web, csrf)| {
            tokio::spawn(async move {
                web.post(
                    "/connexion",
                    &[("csrf", &csrf), ("email", AGENT), ("password", "mauvais")],
                )
                .await
                .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for attempt in attempts {
        statuses.push(attempt.await.unwrap());
    }
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // The fifth failure answers 429 too (it starts the lock): 4 plain failures.
    let failed = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((failed, refused), (4, 11), "{statuses:?}");
    let keys = failure_keys(&server);
    assert!(keys.contains(&(format!("compte:{AGENT}"), 5)), "{keys:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_writes_nothing_and_its_token_is_checked() {
    let server = world(test_settings()).await;
    for _ in 0..20 {
        let mut web = Web::new(&server);
        assert_eq!(web.get("/connexion").await.status, StatusCode::OK);
    }
    assert_eq!(server.count("sessions"), 0);
    assert_eq!(server.count("login_failures"), 0);

    let mut web = Web::new(&server);
    let form = web.get("/connexion").await;
    let nonce = web.cookie("connexion").unwrap();
    // Another browser's token does not do.
    let mut other = Web::new(&server);
    let theirs = other.get("/connexion").await.csrf();
    let page = web
        .post(
            "/connexion",
            &[("csrf", &theirs), ("email", AGENT), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nor a token older than an hour, though rightly signed.
    let state = AppState::open(&server.data_dir()).unwrap();
    let old = login_form_token(
        &state,
        &nonce,
        chrono::Utc::now() - chrono::Duration::minutes(61),
    );
    let page = web
        .post(
            "/connexion",
            &[("csrf", &old), ("email", AGENT), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // A token made by the same key at the same time verifies: the key survives restarts.
    let fresh = login_form_token(&state, &nonce, chrono::Utc::now());
    let page = web
        .post(
            "/connexion",
            &[("csrf", &fresh), ("email", AGENT), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    drop(form);
    assert_eq!(server.count("sessions"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_current_passwords_count_like_failed_logins() {
    let server = world(test_settings()).await;
    let mut web = Web::logged_in(&server, AGENT, PASSWORD).await;
    let new = "un tout nouveau mot de passe";
    for n in 1..=5 {
        let csrf = web.csrf("/compte").await;
        let page = web
            .post(
                "/compte",
                &[
                    ("csrf", &csrf),
                    ("current", "mauvais"),
                    ("new", new),
                    ("confirm", new),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{n}");
        assert!(page.body.contains("actuel est incorrect"));
    }
    // Locked: even the right current password is refused for now...
    let csrf = web.csrf("/compte").await;
    let page = web
        .post(
            "/compte",
            &[
                ("csrf", &csrf),
                ("current", PASSWORD),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page
        .body
        .contains("Trop de mots de passe actuels incorrects"));
    assert!(page.headers.contains_key("retry-after"));
    // ... and so is a login to the account from a new browser: one count, one lock.
    let page = Web::new(&server).login(AGENT, PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
}
