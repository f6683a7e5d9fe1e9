//! End to end in a real browser: headless Chromium driven through chromedriver (Debian's
//! `/usr/bin/chromium` and `/usr/bin/chromedriver`, started here on a free port) with
//! fantoccini, against the real server, with requests that came through the real kiosk API
//! (sealed submissions).
//!
//! Without Chromium these tests FAIL, saying to run `scripts/setup-browser`: they never pass
//! silently. `CHROMIUM` and `CHROMEDRIVER` may point elsewhere.

mod chrome;
mod common;

use backend::db::users::Role;
use chrome::{click, fill, log_in, wait_for_text, with_browser};
use common::Server;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::Locator;
use kiosk_sync::wire::{self, EnrollResponse, RequestStatus, StatusResponse};
use serde_json::json;
use std::process::Command;
use std::time::Duration;

const PASSWORD: &str = "un mot de passe assez long";
const VOIRIE_AGENT: &str = "agnes@campagnes-artois.example";
const CRECHE_AGENT: &str = "bruno@campagnes-artois.example";

struct World {
    server: Server,
    base: String,
    kiosk: EnrollResponse,
}

async fn world() -> World {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_service("petite-enfance", "Petite enfance", None, None);
    server.add_user(VOIRIE_AGENT, Role::Agent, &["voirie"], PASSWORD);
    server.add_user(CRECHE_AGENT, Role::Agent, &["petite-enfance"], PASSWORD);
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let base = format!("http://{}", server.addr);
    World {
        server,
        base,
        kiosk,
    }
}

async fn kiosk_status(world: &World, receipt: &str) -> StatusResponse {
    let response = world
        .server
        .client
        .get(world.server.url(&wire::status_path(receipt)))
        .bearer_auth(&world.kiosk.token)
        .send()
        .await
        .expect("test helper");
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    response.json().await.expect("test helper")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_processes_a_kiosk_request_and_another_service_cannot_see_it() {
    let world = world().await;
    let (receipt, id) = world
        .server
        .submit(&world.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    with_browser(move |client| async move {
        let base = world.base.clone();
        // The inbox sends to the login page, and back after it.
        client.goto(&format!("{base}/demandes")).await.unwrap();
        wait_for_text(&client, "h1", "Connexion").await;
        // The first Tab reaches the skip link, and focus is visible.
        let tab = KeyActions::new("clavier".into())
            .then(KeyAction::Down { value: Key::Tab.into() })
            .then(KeyAction::Up { value: Key::Tab.into() });
        client.perform_actions(tab).await.unwrap();
        let focused = client.active_element().await.unwrap();
        assert_eq!(focused.text().await.unwrap(), "Aller au contenu");
        assert_ne!(focused.css_value("outline-style").await.unwrap(), "none");
        fill(&client, "email", VOIRIE_AGENT).await;
        fill(&client, "password", PASSWORD).await;
        click(&client, "form[action=\"/connexion\"] button[type=\"submit\"]").await;
        wait_for_text(&client, "h1", "Demandes").await;
        assert!(client.current_url().await.unwrap().path() == "/demandes");

        // The request from the kiosk is in the inbox; open it.
        let table = wait_for_text(&client, "table", &receipt).await;
        assert!(table.contains("Duisans") && table.contains("Reçu"), "{table}");
        client
            .find(Locator::LinkText(&receipt))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_text(&client, "h1", &format!("Demande {receipt}")).await;
        let answers = wait_for_text(&client, "main", "Quel est le problème ?").await;
        assert!(answers.contains("Le lampadaire ne s'allume plus"), "{answers}");
        assert!(answers.contains("0612345678"));

        // Set it to traité with a note.
        click(&client, "label[for=\"statut-traite\"]").await;
        let note = "Lampadaire réparé. Merci de votre signalement.";
        fill(&client, "note", note).await;
        click(&client, "form[action$=\"/statut\"] button[type=\"submit\"]").await;
        wait_for_text(&client, "main", "Statut enregistré : Traité.").await;
        let history = wait_for_text(&client, "table", VOIRIE_AGENT).await;
        assert!(history.contains(note), "{history}");

        // The kiosk's status lookup now answers traité, with the note.
        let status = kiosk_status(&world, &receipt).await;
        assert_eq!(status.status, RequestStatus::Traite);
        assert_eq!(status.note.as_deref(), Some(note));

        // On a phone's width, nothing overflows sideways.
        client.set_window_size(390, 844).await.unwrap();
        client.goto(&format!("{base}/demandes")).await.unwrap();
        wait_for_text(&client, "table", &receipt).await;
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth > document.documentElement.clientWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, json!(false), "the inbox overflows on a phone");
        client.set_window_size(1280, 900).await.unwrap();

        // Log out; the agent of another service logs in.
        click(&client, "form[action=\"/deconnexion\"] button").await;
        wait_for_text(&client, "main", "Vous êtes déconnecté.").await;
        log_in(&client, &base, CRECHE_AGENT, PASSWORD).await;
        wait_for_text(&client, "h1", "Demandes").await;
        let inbox = wait_for_text(&client, "main", "0 demande").await;
        assert!(!inbox.contains(&receipt));
        // By guessed address: not found, nothing shown.
        for path in [format!("/demandes/{id}"), format!("/demandes/{id}/export.json")] {
            client.goto(&format!("{base}{path}")).await.unwrap();
            let page = client.source().await.unwrap();
            assert!(!page.contains(&receipt), "{path} shows the request");
            assert!(!page.contains("0612345678"), "{path} shows its answers");
        }
        client.goto(&format!("{base}/demandes/{id}")).await.unwrap();
        wait_for_text(&client, "h1", "Page introuvable").await;
        // By search and by export (with the browser's own session).
        client
            .goto(&format!("{base}/demandes?recu={receipt}"))
            .await
            .unwrap();
        wait_for_text(&client, "main", "0 demande").await;
        let cookie = client.get_named_cookie("session").await.unwrap();
        let csv = world
            .server
            .client
            .get(format!("{base}/demandes/export.csv"))
            .header("cookie", format!("session={}", cookie.value()))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), reqwest::StatusCode::OK);
        let csv = csv.text().await.unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(!csv.contains(&receipt), "the export shows the request");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_and_session_fixation_attempts_fail() {
    let world = world().await;
    let (receipt, id) = world
        .server
        .submit(&world.kiosk, "voirie", "Duisans", "0612345678")
        .await;
    // A page on another site (localhost is another site than 127.0.0.1) whose form posts
    // to the back end, with a guessed token.
    let attacker = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let attacker_port = attacker.local_addr().unwrap().port();
    let target = format!("{}/demandes/{id}/statut", world.base);
    let evil = format!(
        "<!doctype html><html lang=\"en\"><title>Gagnez</title><form method=\"post\" \
         action=\"{target}\"><input type=\"hidden\" name=\"csrf\" value=\"devine\">\
         <input type=\"hidden\" name=\"statut\" value=\"rejete\">\
         <input type=\"hidden\" name=\"note\" value=\"piratée\">\
         <button id=\"go\" type=\"submit\">Gagner</button></form>\
         <p><a id=\"lien\" href=\"{}/demandes/{id}\">Votre demande</a></p></html>",
        world.base
    );
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let evil = evil.clone();
            async move { axum::response::Html(evil) }
        }),
    );
    tokio::spawn(async move { axum::serve(attacker, app).await });

    // Session fixation: the attacker gets a live login-form session id...
    let planted = world
        .server
        .client
        .get(format!("{}/connexion", world.base))
        .send()
        .await
        .unwrap()
        .headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("connexion=")
        .to_string();

    with_browser(move |client| async move {
        let base = world.base.clone();
        // ... and plants it in the agent's browser, as both cookies.
        client.goto(&format!("{base}/connexion")).await.unwrap();
        client.delete_all_cookies().await.unwrap();
        for name in ["connexion", "session"] {
            // As the server would set it (WebDriver needs the domain and a SameSite).
            let cookie = fantoccini::cookies::Cookie::parse(format!(
                "{name}={planted}; Path=/; Domain=127.0.0.1; HttpOnly; SameSite=Strict"
            ))
            .unwrap();
            client.add_cookie(cookie).await.unwrap();
        }
        log_in(&client, &base, VOIRIE_AGENT, PASSWORD).await;
        wait_for_text(&client, "h1", "Demandes").await;
        let after = client.get_named_cookie("session").await.unwrap();
        assert_ne!(
            after.value(),
            planted,
            "the session id did not change at login"
        );
        for name in ["session", "connexion"] {
            let with_planted = world
                .server
                .client
                .get(format!("{base}/demandes"))
                .header("cookie", format!("{name}={planted}"))
                .send()
                .await
                .unwrap();
            assert!(
                with_planted.url().path().starts_with("/connexion"),
                "the planted id opens the agent's session: {}",
                with_planted.url()
            );
        }

        // CSRF from another site: the logged-in agent clicks the attacker's button.
        client
            .goto(&format!("http://localhost:{attacker_port}/"))
            .await
            .unwrap();
        click(&client, "#go").await;
        // SameSite=Strict: the browser sent no session, so the back end asks for a login.
        wait_for_text(&client, "h1", "Connexion").await;
        assert_eq!(
            kiosk_status(&world, &receipt).await.status,
            RequestStatus::Recu
        );
        // A plain link from another site (a webmail's) still opens the page: it reloads
        // itself from this site, which sends the cookie.
        client
            .goto(&format!("http://localhost:{attacker_port}/"))
            .await
            .unwrap();
        click(&client, "#lien").await;
        wait_for_text(&client, "h1", &format!("Demande {receipt}")).await;

        // CSRF on the site itself: the form's token removed, then replaced by a wrong one.
        for script in [
            "document.querySelector('form[action$=\"/statut\"] input[name=csrf]').remove();",
            "document.querySelector('form[action$=\"/statut\"] input[name=csrf]').value = 'faux';",
        ] {
            client.goto(&format!("{base}/demandes/{id}")).await.unwrap();
            wait_for_text(&client, "h1", &format!("Demande {receipt}")).await;
            client.execute(script, vec![]).await.unwrap();
            click(&client, "label[for=\"statut-rejete\"]").await;
            click(&client, "form[action$=\"/statut\"] button[type=\"submit\"]").await;
            let refused = wait_for_text(&client, "main", "formulaire a expiré").await;
            assert!(refused.contains("Action refusée"), "{refused}");
        }
        assert_eq!(
            kiosk_status(&world, &receipt).await.status,
            RequestStatus::Recu
        );
        // With its token, the same form works.
        client.goto(&format!("{base}/demandes/{id}")).await.unwrap();
        click(&client, "label[for=\"statut-en_cours\"]").await;
        click(&client, "form[action$=\"/statut\"] button[type=\"submit\"]").await;
        wait_for_text(&client, "main", "Statut enregistré : En cours.").await;
        assert_eq!(
            kiosk_status(&world, &receipt).await.status,
            RequestStatus::EnCours
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_logins_are_slowed_down() {
    let world = world().await;
    with_browser(move |client| async move {
        let base = world.base.clone();
        for _ in 0..4 {
            log_in(&client, &base, VOIRIE_AGENT, "mauvais mot de passe").await;
            wait_for_text(&client, "[role=alert]", "incorrect").await;
        }
        log_in(&client, &base, VOIRIE_AGENT, "mauvais mot de passe").await;
        wait_for_text(&client, "[role=alert]", "Trop de tentatives").await;
        // Now even the right password waits.
        log_in(&client, &base, VOIRIE_AGENT, PASSWORD).await;
        let alert = wait_for_text(&client, "[role=alert]", "Trop de tentatives").await;
        assert!(alert.contains("Réessayez dans"), "{alert}");
        assert_eq!(client.current_url().await.unwrap().path(), "/connexion");
        drop(world);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_publishes_from_the_page_and_sees_an_error_on_its_line() {
    let world = world().await;
    const ADMIN: &str = "admin@campagnes-artois.example";
    world.server.add_user(ADMIN, Role::Admin, &[], PASSWORD);
    let files = tempfile::tempdir().expect("test helper");
    let rappel =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../flows/rappel.yaml"))
            .expect("test helper")
            .replace("id: rappel\n", "id: rappel-duisans\n")
            .replace(
                "title: Être rappelé par quelqu'un\n",
                "title: Être rappelé par la mairie de Duisans\n",
            );
    let broken = files.path().join("rappel-duisans.yaml");
    std::fs::write(&broken, rappel.replace("kind: procedure", "kind: demarche"))
        .expect("test helper");
    let good = files.path().join("bon").join("rappel-duisans.yaml");
    std::fs::create_dir_all(good.parent().expect("test helper")).expect("test helper");
    std::fs::write(&good, &rappel).expect("test helper");
    // The service's privacy notice goes with the flow (it asks for a phone number).
    let notice = files.path().join("mediation-numerique.yaml");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../flows/services/mediation-numerique.yaml"
        ),
        &notice,
    )
    .expect("test helper");
    let with_notice = move |flow: &std::path::Path| {
        format!("{}\n{}", flow.to_string_lossy(), notice.to_string_lossy())
    };
    let base = world.base.clone();
    let data_dir = world.server.data_dir();
    with_browser(move |client| async move {
        log_in(&client, &base, ADMIN, PASSWORD).await;
        client
            .goto(&format!("{base}/admin/parcours"))
            .await
            .expect("test helper");
        let upload = client
            .find(Locator::Id("fichiers"))
            .await
            .expect("the file field");
        upload
            .send_keys(&with_notice(&broken))
            .await
            .expect("test helper");
        click(
            &client,
            "form[action=\"/admin/parcours\"] button[type=\"submit\"]",
        )
        .await;
        let problems = wait_for_text(&client, "#problemes", "rappel-duisans.yaml:5:7:").await;
        assert!(problems.contains("Rien n'est publié"), "{problems}");
        // The faulty line is marked in the YAML shown back, and only it.
        let marked = client
            .find_all(Locator::Css("li.probleme"))
            .await
            .expect("test helper");
        assert_eq!(marked.len(), 1);
        assert_eq!(
            marked[0]
                .attr("data-ligne")
                .await
                .expect("test helper")
                .as_deref(),
            Some("5")
        );
        assert!(marked[0]
            .text()
            .await
            .expect("test helper")
            .contains("kind: demarche"));
        assert!(data_dir
            .open_db()
            .expect("test helper")
            .with(|c| backend::db::flow_catalog::list(c))
            .expect("test helper")
            .is_empty());

        // Corrected, it is published and listed with its title.
        let upload = client
            .find(Locator::Id("fichiers"))
            .await
            .expect("the file field");
        upload
            .send_keys(&with_notice(&good))
            .await
            .expect("test helper");
        fill(&client, "bornes", "Mairie de Duisans").await;
        click(
            &client,
            "form[action=\"/admin/parcours\"] button[type=\"submit\"]",
        )
        .await;
        wait_for_text(&client, "main", "Parcours publiés. Les bornes").await;
        wait_for_text(&client, "table", "Être rappelé par la mairie de Duisans").await;
        wait_for_text(&client, "table", "Mairie de Duisans").await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_warns_before_it_ends_and_a_late_note_is_not_lost() {
    // Sessions over after 8 idle seconds: the warning comes 4 seconds before.
    let server = Server::start_with(backend::config::Settings {
        session_idle: Duration::from_secs(8),
        ..common::test_settings()
    })
    .await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_user(VOIRIE_AGENT, Role::Agent, &["voirie"], PASSWORD);
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let (receipt, id) = server
        .submit(&kiosk, "voirie", "Duisans", "0612345678")
        .await;
    let base = format!("http://{}", server.addr);
    let world = World {
        server,
        base,
        kiosk,
    };
    with_browser(move |client| async move {
        let base = world.base.clone();
        log_in(&client, &base, VOIRIE_AGENT, PASSWORD).await;
        wait_for_text(&client, "h1", "Demandes").await;
        client.goto(&format!("{base}/demandes/{id}")).await.unwrap();
        wait_for_text(&client, "#session-message", "votre session se ferme à").await;
        let note = "La lampe sera changée jeudi.";
        fill(&client, "note", note).await;
        // The warning comes before the end, and the focus goes to its button.
        wait_for_text(&client, "#session[role=alert]", "se ferme dans une minute").await;
        let focused = client.active_element().await.unwrap();
        assert_eq!(focused.text().await.unwrap(), "Rester connecté");
        // Pressing it (the keyboard's Enter) keeps the session without leaving the page.
        focused.send_keys(&Key::Enter.to_string()).await.unwrap();
        wait_for_text(&client, "#session-message", "Session prolongée").await;
        let typed = client.find(Locator::Id("note")).await.unwrap();
        assert_eq!(typed.prop("value").await.unwrap().as_deref(), Some(note));

        // Then the agent leaves the page open too long, and sends the note after the end.
        tokio::time::sleep(Duration::from_secs(9)).await;
        click(&client, "label[for=\"statut-en_cours\"]").await;
        click(&client, "form[action$=\"/statut\"] button[type=\"submit\"]").await;
        wait_for_text(&client, "main", "Votre session s'est fermée").await;
        fill(&client, "email", VOIRIE_AGENT).await;
        fill(&client, "password", PASSWORD).await;
        click(
            &client,
            "form[action=\"/connexion\"] button[type=\"submit\"]",
        )
        .await;
        // Back on the same request, the note and the status as they were, not yet saved.
        wait_for_text(&client, "main", "Vous êtes reconnecté").await;
        assert_eq!(
            client.current_url().await.unwrap().path(),
            "/connexion",
            "the form comes back in the login's answer"
        );
        let typed = client.find(Locator::Id("note")).await.unwrap();
        assert_eq!(typed.prop("value").await.unwrap().as_deref(), Some(note));
        let chosen = client.find(Locator::Id("statut-en_cours")).await.unwrap();
        assert_eq!(
            chosen.prop("checked").await.unwrap().as_deref(),
            Some("true")
        );
        assert_eq!(
            kiosk_status(&world, &receipt).await.status,
            RequestStatus::Recu
        );
        click(&client, "form[action$=\"/statut\"] button[type=\"submit\"]").await;
        wait_for_text(&client, "main", "Statut enregistré : En cours.").await;
        let status = kiosk_status(&world, &receipt).await;
        assert_eq!(status.status, RequestStatus::EnCours);
        assert_eq!(status.note.as_deref(), Some(note));
    })
    .await;
}

const BOOKING_AGENT: &str = "carole@campagnes-artois.example";

/// A hold on the village hall of Duisans for `day`, sealed and sent through the kiosk API as
/// the kiosk's runtime makes it; its receipt.
async fn book_hall(world: &World, day: chrono::NaiveDate) -> String {
    let receipt = common::receipt(&world.kiosk.receipt_prefix);
    let answers = json!({
        "flow_id": "salle-des-fetes",
        "flow_version": 3,
        "service": "reservations",
        "answers": [
            {"step_id": "date", "label": "Date", "value": day.to_string(),
             "display": day.to_string()},
        ],
        "booking": {"resource": "salle-62279", "day": day.to_string(), "quantity": 1},
    });
    let mut upload = common::upload_answers(&world.kiosk.public_key, &receipt, &answers);
    upload.created_at = backend::db::now();
    let response = world
        .server
        .put_submission(&world.kiosk.token, &upload)
        .await;
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    receipt
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_confirms_a_hold_on_the_calendar_and_the_kiosk_says_it_is_confirmed() {
    use chrono::Datelike;
    use kiosk_flow::booking::{BookingState, DayFree, ResourceKind};
    use kiosk_flow::machine::{answer_text, LookupAnswer, RequestState};
    let world = world().await;
    world
        .server
        .add_service("reservations", "Réservations", None, None);
    world
        .server
        .add_user(BOOKING_AGENT, Role::Agent, &["reservations"], PASSWORD);
    let db = world.server.data_dir().open_db().expect("test helper");
    let hall = db
        .with(|c| {
            backend::db::resources::add(
                c,
                &backend::db::resources::NewResource {
                    id: "salle-62279".into(),
                    name: "Salle des fêtes de Duisans".into(),
                    kind: ResourceKind::Salle,
                    service: "reservations".into(),
                    commune: Some("Duisans".into()),
                    capacity: 1,
                    per_booking: None,
                    weekdays: backend::db::resources::parse_weekdays("tous").expect("days"),
                    holidays_closed: true,
                    notice_days: 7,
                    horizon_days: 365,
                    auto_confirm: false,
                },
                &backend::db::now(),
            )
        })
        .expect("test helper");
    let mut day = chrono::Utc::now().date_naive() + chrono::Days::new(40);
    while kiosk_flow::calendar::is_public_holiday(day) {
        day = day.succ_opt().expect("date");
    }
    let receipt = book_hall(&world, day).await;
    let status = kiosk_status(&world, &receipt).await;
    assert_eq!(
        status.booking.as_ref().expect("booking").state,
        BookingState::Held
    );
    let blocked = day + chrono::Days::new(1);

    let base = world.base.clone();
    let month = format!("{}-{:02}", day.year(), day.month());
    let world = std::sync::Arc::new(world);
    let inside = std::sync::Arc::clone(&world);
    let held = receipt.clone();
    with_browser(move |client| async move {
        let (world, receipt) = (inside, held);
        log_in(&client, &base, BOOKING_AGENT, PASSWORD).await;
        wait_for_text(&client, "h1", "Demandes").await;
        click(&client, "nav a[href=\"/reservations\"]").await;
        wait_for_text(&client, "h1", "Réservations").await;
        client
            .find(Locator::LinkText("Salle des fêtes de Duisans"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_for_text(&client, "h1", "Salle des fêtes de Duisans").await;
        client
            .goto(&format!("{base}/reservations/salle-62279?mois={month}"))
            .await
            .unwrap();
        let cell = format!("#jour-{day}");
        let text = wait_for_text(&client, &cell, &receipt).await;
        assert!(text.contains("En attente"), "{text}");
        fill(
            &client,
            &format!("note-{}", status_id(&world, &receipt)),
            "Les clés sont à la mairie.",
        )
        .await;
        click(&client, &format!("{cell} button[value=\"confirmer\"]")).await;
        wait_for_text(&client, "main", "Réservation confirmée.").await;
        let text = wait_for_text(&client, &cell, "Confirmée").await;
        assert!(text.contains("Complet"), "{text}");

        // Block the next day on the same page.
        client
            .execute(
                "document.getElementById('jour').value = arguments[0];",
                vec![json!(blocked.to_string())],
            )
            .await
            .unwrap();
        fill(&client, "raison", "Travaux").await;
        click(&client, "form[action$=\"/blocage\"] button").await;
        wait_for_text(&client, "main", "Jour bloqué").await;
    })
    .await;

    // The kiosk's status lookup now says « confirmée », with the agent's note.
    let status = kiosk_status(&world, &receipt).await;
    assert_eq!(status.status, RequestStatus::Traite);
    let booking = status.booking.clone().expect("booking");
    assert_eq!(booking.state, BookingState::Confirmed);
    let said = answer_text(
        &receipt,
        &LookupAnswer::Found {
            state: RequestState::Done,
            note: status.note.clone(),
            booking: Some(booking),
        },
        false,
    );
    assert!(said.contains("est confirmée."), "{said}");
    assert!(said.contains("Les clés sont à la mairie."), "{said}");

    // The snapshot the kiosks sync: the day taken, the blocked day closed.
    let snapshot: wire::Availability = world
        .server
        .client
        .get(world.server.url(&wire::availability_path()))
        .bearer_auth(&world.kiosk.token)
        .send()
        .await
        .expect("test helper")
        .json()
        .await
        .expect("test helper");
    assert_eq!(
        snapshot.day_free("salle-62279", day, 1),
        DayFree::Taken { left: 0 }
    );
    assert_eq!(
        snapshot.day_free("salle-62279", blocked, 1),
        DayFree::Closed
    );

    // The iCalendar feed at its secret address, read by an independent library.
    let feed = world
        .server
        .client
        .get(
            world
                .server
                .url(&format!("/calendrier/{}.ics", hall.ical_token)),
        )
        .send()
        .await
        .expect("test helper");
    assert_eq!(feed.status(), reqwest::StatusCode::OK);
    let feed = feed.text().await.expect("test helper");
    let events = parse_ical_with_python(&feed);
    assert!(
        events.contains(&format!(
            "CONFIRMED|{}|Réservation confirmée {receipt}",
            day.format("%Y-%m-%d")
        )),
        "{events}"
    );
    assert!(
        events.contains(&format!("|{}|Fermé : Travaux", blocked.format("%Y-%m-%d"))),
        "{events}"
    );
    // A wrong secret is not found.
    let wrong = world
        .server
        .client
        .get(
            world
                .server
                .url(&format!("/calendrier/{}.ics", "0".repeat(48))),
        )
        .send()
        .await
        .expect("test helper");
    assert_eq!(wrong.status(), reqwest::StatusCode::NOT_FOUND);
}

/// The id of the submission with this receipt.
fn status_id(world: &World, receipt: &str) -> String {
    let conn = rusqlite::Connection::open(world.server.data_dir().db_path()).expect("test helper");
    conn.query_row(
        "SELECT id FROM submissions WHERE receipt = ?1",
        [receipt],
        |r| r.get(0),
    )
    .expect("test helper")
}

/// Parses an iCalendar text with the `icalendar` package of PyPI, in a virtual environment
/// made once under the system's temporary folder: one `STATUS|DATE|SUMMARY` line per event.
fn parse_ical_with_python(feed: &str) -> String {
    let venv = std::env::temp_dir().join("backend-tests-icalendar-venv");
    let python = venv.join("bin/python");
    let ready = Command::new(&python)
        .args(["-c", "import icalendar"])
        .status()
        .is_ok_and(|s| s.success());
    if !ready {
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 -m venv");
        assert!(made.success(), "python3 -m venv failed");
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "icalendar==7.*"])
            .status()
            .expect("pip install icalendar");
        assert!(installed.success(), "pip install icalendar failed");
    }
    let file = tempfile::NamedTempFile::new().expect("test helper");
    std::fs::write(file.path(), feed).expect("test helper");
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        for e in cal.walk('VEVENT'):\n\
        \x20   print('%s|%s|%s' % (e.get('STATUS', ''), e.decoded('DTSTART').isoformat(), e.get('SUMMARY')))\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(file.path())
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
