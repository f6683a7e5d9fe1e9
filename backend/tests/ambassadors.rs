//! Ambassadors against the real server and the real `backend` binary: the role and its
//! kiosks from the command line, calls for help through the kiosk API, the ambassadors'
//! pages (only their kiosks; agents never; administrators everything), "Je m'en occupe" and
//! "Terminé", what the kiosk is told, and `backend help-calls --json`.

mod common;

use backend::db::users::Role;
use common::web::Web;
use common::Server;
use kiosk_sync::wire::{self, EnrollResponse, HelpCall, HelpCallState, HelpMode};
use reqwest::StatusCode;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const PASSWORD: &str = "un mot de passe assez long";
const AMBASSADOR: &str = "nadia@campagnes-artois.example";
const AGENT: &str = "agnes@campagnes-artois.example";
const ADMIN: &str = "admin@campagnes-artois.example";

fn backend(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_backend"))
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("backend binary");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("stdin");
    child.wait_with_output().expect("backend binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A call for help sent by `kiosk` through the kiosk API (201 expected); its id.
async fn call_for_help(server: &Server, kiosk: &EnrollResponse, flow: &str, step: &str) -> String {
    let call = HelpCall {
        id: uuid::Uuid::new_v4().to_string(),
        flow_id: flow.into(),
        step_id: step.into(),
        created_at: "2026-11-28T10:00:00Z".into(),
    };
    let response = server
        .client
        .put(server.url(&wire::help_call_path(&call.id)))
        .bearer_auth(&kiosk.token)
        .json(&call)
        .send()
        .await
        .expect("test helper");
    assert_eq!(response.status(), StatusCode::CREATED);
    call.id
}

/// What kiosk `kiosk` is told about call `id`: the state, or the status without one.
async fn kiosk_sees(
    server: &Server,
    kiosk: &EnrollResponse,
    id: &str,
) -> Result<HelpCallState, StatusCode> {
    let response = server
        .client
        .get(server.url(&wire::help_call_path(id)))
        .bearer_auth(&kiosk.token)
        .send()
        .await
        .expect("test helper");
    match response.status() {
        StatusCode::OK => Ok(response.json().await.expect("test helper")),
        status => Err(status),
    }
}

/// Two kiosks (Duisans, Tincques), an ambassador of Duisans only, an agent, an admin.
async fn world() -> (Server, EnrollResponse, EnrollResponse) {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie", None, None);
    let duisans = server.kiosk("Mairie de Duisans").await;
    let tincques = server.kiosk("Mairie de Tincques").await;
    let out = backend(
        server.dir.path(),
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
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Mairie de Duisans"));
    server.add_user(AGENT, Role::Agent, &["voirie"], PASSWORD);
    server.add_user(ADMIN, Role::Admin, &[], PASSWORD);
    (server, duisans, tincques)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ambassador_sees_only_their_kiosks_and_takes_a_call_the_kiosk_then_hears_of() {
    let (server, duisans, tincques) = world().await;
    let mine = call_for_help(&server, &duisans, "eclairage-public", "lieu").await;
    let other = call_for_help(&server, &tincques, "encombrants", "adresse").await;
    // Nobody took it: the kiosk is told so; another kiosk cannot ask about it.
    let state = kiosk_sees(&server, &duisans, &mine).await.expect("state");
    assert_eq!((state.taken, state.closed), (None, false));
    assert_eq!(
        kiosk_sees(&server, &tincques, &mine).await,
        Err(StatusCode::NOT_FOUND)
    );
    assert_eq!(
        kiosk_sees(&server, &duisans, "00000000-0000-4000-8000-000000000000").await,
        Err(StatusCode::NOT_FOUND)
    );

    let mut web = Web::new(&server);
    let login = web.login(AMBASSADOR, PASSWORD).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    // The inbox is not for ambassadors: their page is.
    let inbox = web.get("/demandes").await;
    assert_eq!(inbox.location(), Some("/ambassadeur"));
    let desk = web.get("/ambassadeur").await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
    assert!(desk.body.contains("http-equiv=\"refresh\""));
    assert!(desk.body.contains("Mairie de Duisans"), "{}", desk.body);
    assert!(desk.body.contains(&mine));
    assert!(desk.body.contains("Signaler un lampadaire") || desk.body.contains("eclairage-public"));
    assert!(desk.body.contains("lieu"));
    assert!(!desk.body.contains("Mairie de Tincques"), "{}", desk.body);
    assert!(!desk.body.contains(&other));
    // Another kiosk, or its call, does not exist for this ambassador.
    for path in [
        format!("/ambassadeur/bornes/{}", tincques.kiosk_id),
        format!("/ambassadeur/appels/{other}"),
    ] {
        assert_eq!(web.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let csrf = desk.csrf();
    let refused = web
        .post(
            &format!("/ambassadeur/appels/{other}/prendre"),
            &[("csrf", &csrf), ("mode", "sur_place")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        kiosk_sees(&server, &tincques, &other)
            .await
            .expect("state")
            .taken,
        None
    );
    // Nor do the administrators' pages.
    for path in ["/admin/bornes", "/admin/utilisateurs", "/admin/parcours"] {
        assert_eq!(web.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Without the form's token, nothing happens.
    let forged = web
        .post(
            &format!("/ambassadeur/appels/{mine}/prendre"),
            &[("csrf", "faux"), ("mode", "sur_place")],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        kiosk_sees(&server, &duisans, &mine)
            .await
            .expect("state")
            .taken,
        None
    );

    // "Je m'en occupe : je viens": the kiosk is told.
    let taken = web
        .post(
            &format!("/ambassadeur/appels/{mine}/prendre"),
            &[("csrf", &csrf), ("mode", "sur_place")],
        )
        .await;
    assert_eq!(taken.location(), Some("/ambassadeur?fait=pris"));
    let state = kiosk_sees(&server, &duisans, &mine).await.expect("state");
    assert_eq!((state.taken, state.closed), (Some(HelpMode::Coming), false));
    let desk = web.get("/ambassadeur").await;
    assert!(
        desk.body.contains("Pris par Nadia (se déplace)"),
        "{}",
        desk.body
    );
    // Changing to a call back.
    web.post(
        &format!("/ambassadeur/appels/{mine}/prendre"),
        &[("csrf", &csrf), ("mode", "rappel")],
    )
    .await;
    let state = kiosk_sees(&server, &duisans, &mine).await.expect("state");
    assert_eq!(state.taken, Some(HelpMode::CallBack));
    let bad = web
        .post(
            &format!("/ambassadeur/appels/{mine}/prendre"),
            &[("csrf", &csrf), ("mode", "peut-etre")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // "Terminé", with a note, from the call's page.
    let page = web.get(&format!("/ambassadeur/appels/{mine}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("http-equiv=\"refresh\""));
    let closed = web
        .post(
            &format!("/ambassadeur/appels/{mine}/terminer"),
            &[("csrf", &csrf), ("note", "Aidée à remplir la démarche.")],
        )
        .await;
    assert_eq!(closed.location(), Some("/ambassadeur?fait=termine"));
    let state = kiosk_sees(&server, &duisans, &mine).await.expect("state");
    assert!(state.closed);
    let again = web
        .post(
            &format!("/ambassadeur/appels/{mine}/terminer"),
            &[("csrf", &csrf), ("note", "")],
        )
        .await;
    assert_eq!(again.location(), Some("/ambassadeur?fait=deja-termine"));
    let desk = web.get("/ambassadeur").await;
    assert!(desk.body.contains("Terminé par Nadia"), "{}", desk.body);
    assert!(desk.body.contains("Aidée à remplir la démarche."));

    // An administrator sees every kiosk and call.
    let mut admin = Web::new(&server);
    admin.login(ADMIN, PASSWORD).await;
    let desk = admin.get("/ambassadeur").await;
    assert!(desk.body.contains("Mairie de Tincques") && desk.body.contains(&other));
    let kiosk_page = admin
        .get(&format!("/ambassadeur/bornes/{}", tincques.kiosk_id))
        .await;
    assert_eq!(kiosk_page.status, StatusCode::OK);
    assert!(!kiosk_page.body.contains(&mine));

    // `backend help-calls --json`: the open calls only, one JSON object per line.
    let out = backend(server.dir.path(), &["help-calls", "--json"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["id"], other.as_str());
    assert_eq!(lines[0]["kiosk_name"], "Mairie de Tincques");
    assert_eq!(lines[0]["flow_id"], "encombrants");
    assert_eq!(lines[0]["step_id"], "adresse");
    assert_eq!(lines[0]["taken_mode"], serde_json::Value::Null);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_cannot_open_the_ambassadors_or_the_administrators_pages() {
    let (server, duisans, _) = world().await;
    let call = call_for_help(&server, &duisans, "accueil", "accueil").await;
    let mut web = Web::logged_in(&server, AGENT, PASSWORD).await;
    for path in [
        "/ambassadeur".to_string(),
        format!("/ambassadeur/bornes/{}", duisans.kiosk_id),
        format!("/ambassadeur/appels/{call}"),
        "/admin/bornes".to_string(),
        "/admin/utilisateurs".to_string(),
    ] {
        assert_eq!(web.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let csrf = web.csrf("/compte").await;
    let refused = web
        .post(
            &format!("/ambassadeur/appels/{call}/prendre"),
            &[("csrf", &csrf), ("mode", "sur_place")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        kiosk_sees(&server, &duisans, &call)
            .await
            .expect("state")
            .taken,
        None
    );
    // The menu offers no such page either.
    let inbox = web.get("/demandes").await;
    assert!(!inbox.body.contains("href=\"/ambassadeur\""));
    server.stop().await;
}

#[test]
fn the_command_line_refuses_what_an_ambassador_cannot_be() {
    let dir = tempfile::tempdir().expect("tempdir");
    let init = backend(dir.path(), &["init"], "");
    assert!(init.status.success(), "{}", text(&init.stderr));
    // `backend user add` for the ambassador, with these extra arguments.
    let add_ambassador = |extra: &[&str]| {
        let mut args = vec![
            "user",
            "add",
            AMBASSADOR,
            "--name",
            "Nadia",
            "--role",
            "ambassadeur",
            "--password-stdin",
        ];
        args.extend_from_slice(extra);
        backend(dir.path(), &args, &format!("{PASSWORD}\n"))
    };
    let unknown = add_ambassador(&["--kiosk", "Nulle part"]);
    assert!(!unknown.status.success());
    assert!(
        text(&unknown.stderr).contains("Nulle part"),
        "{}",
        text(&unknown.stderr)
    );
    // Nothing was created.
    let list = backend(dir.path(), &["user", "list"], "");
    assert!(!text(&list.stdout).contains(AMBASSADOR));
    let agent_with_kiosk = backend(
        dir.path(),
        &[
            "user",
            "add",
            AGENT,
            "--name",
            "Agnès",
            "--role",
            "agent",
            "--kiosk",
            "X",
            "--password-stdin",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(!agent_with_kiosk.status.success());
    assert!(text(&agent_with_kiosk.stderr).contains("ambassadeur"));
    // An ambassador's webhook follows the services' rule: no plain http to this machine.
    let internal_hook = add_ambassador(&["--webhook", "http://127.0.0.1:9/appels"]);
    assert!(!internal_hook.status.success());
    assert!(
        text(&internal_hook.stderr).contains("https"),
        "{}",
        text(&internal_hook.stderr)
    );
    let add = backend(
        dir.path(),
        &["kiosk", "add", "Mairie de Duisans", "--place", "Duisans"],
        "",
    );
    assert!(add.status.success(), "{}", text(&add.stderr));
    let ok = add_ambassador(&[
        "--kiosk",
        "Mairie de Duisans",
        "--webhook",
        "https://appels.example.org/appels",
    ]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stderr).contains("Secret du webhook"));
    let list = backend(dir.path(), &["user", "list"], "");
    assert!(
        text(&list.stdout).contains("ambassadeur"),
        "{}",
        text(&list.stdout)
    );
    let empty = backend(dir.path(), &["help-calls", "--json"], "");
    assert!(empty.status.success());
    assert!(text(&empty.stdout).is_empty());
}
