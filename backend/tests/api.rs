//! The kiosk API end to end: a real server on 127.0.0.1:0, a real SQLite file, reqwest.

mod common;

use common::{answers, expect_error, receipt, upload, Server};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::{
    self, Ack, EnrollResponse, Heartbeat, HelpCall, InstalledFlow, RequestStatus, StatusResponse,
    MAX_BODY_BYTES,
};
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_enrols_once() {
    let server = Server::start().await;
    let code = server.add_kiosk("Mairie de Duisans");
    // Typed in lower case, with the dash: forgiven.
    let typed = backend::secrets::display_enrolment_code(&code).to_lowercase();
    let response = server.enroll(&typed).await;
    assert_eq!(response.status(), StatusCode::OK);
    let enrolled: EnrollResponse = response.json().await.unwrap();
    assert_eq!(enrolled.name, "Mairie de Duisans");
    assert_eq!(enrolled.receipt_prefix.len(), 2);
    assert!(backend::secrets::looks_like_token(&enrolled.token));
    let keys = server.data_dir().load_key().unwrap();
    assert_eq!(enrolled.public_key, keys.public_base64());

    expect_error(
        server.enroll(&code).await,
        StatusCode::UNAUTHORIZED,
        "bad_code",
    )
    .await;
    expect_error(
        server.enroll("ZZZZ-ZZZZ").await,
        StatusCode::UNAUTHORIZED,
        "bad_code",
    )
    .await;
    expect_error(
        server.enroll("n'importe quoi").await,
        StatusCode::UNAUTHORIZED,
        "bad_code",
    )
    .await;

    // Only the token's hash is stored.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let stored: String = conn
        .query_row("SELECT token_hash FROM kiosks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, backend::secrets::sha256_hex(&enrolled.token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_missing_or_malformed_tokens_get_401() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );

    let unknown = backend::secrets::new_token();
    expect_error(
        server.put_submission(&unknown, &up).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    expect_error(
        server.put_submission("court", &up).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    let missing = server
        .client
        .put(server.url(&wire::submission_path(&up.id)))
        .json(&up)
        .send()
        .await
        .unwrap();
    expect_error(missing, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let status = server
        .client
        .get(server.url(&wire::status_path("AB3-7KQ")))
        .send()
        .await
        .unwrap();
    expect_error(status, StatusCode::UNAUTHORIZED, "unauthorized").await;
    assert_eq!(server.count("submissions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_kiosk_gets_403_and_nothing_is_stored() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let db = server.data_dir().open_db().unwrap();
    db.with(|c| backend::db::kiosks::revoke(c, "A", &backend::db::now()))
        .unwrap();

    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    expect_error(
        server.put_submission(&kiosk.token, &up).await,
        StatusCode::FORBIDDEN,
        "revoked",
    )
    .await;
    let call = help_call();
    let response = server
        .client
        .put(server.url(&wire::help_call_path(&call.id)))
        .bearer_auth(&kiosk.token)
        .json(&call)
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, "revoked").await;
    let response = server
        .client
        .post(server.url(&wire::heartbeat_path()))
        .bearer_auth(&kiosk.token)
        .json(&heartbeat(3))
        .send()
        .await
        .unwrap();
    expect_error(response, StatusCode::FORBIDDEN, "revoked").await;
    assert_eq!(server.count("submissions"), 0);
    assert_eq!(server.count("help_calls"), 0);
    let seen: Option<String> = rusqlite::Connection::open(server.data_dir().db_path())
        .unwrap()
        .query_row("SELECT last_seen_at FROM kiosks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(seen, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_get_json_errors() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let id = uuid::Uuid::new_v4().to_string();
    let url = server.url(&wire::submission_path(&id));

    let syntax = server
        .client
        .put(&url)
        .bearer_auth(&kiosk.token)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .unwrap();
    expect_error(syntax, StatusCode::BAD_REQUEST, "bad_request").await;

    let fields = server
        .client
        .put(&url)
        .bearer_auth(&kiosk.token)
        .json(&serde_json::json!({"id": id}))
        .send()
        .await
        .unwrap();
    expect_error(fields, StatusCode::BAD_REQUEST, "bad_request").await;

    let not_json = server
        .client
        .put(&url)
        .bearer_auth(&kiosk.token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_error(
        not_json,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;

    // The path id and the body id must agree.
    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    let mismatch = server
        .client
        .put(&url)
        .bearer_auth(&kiosk.token)
        .json(&up)
        .send()
        .await
        .unwrap();
    expect_error(mismatch, StatusCode::BAD_REQUEST, "bad_request").await;

    // Bad base64, bad receipt, bad date.
    for broken in [
        wire::SubmissionUpload {
            sealed: "pas du base64 !".into(),
            ..up.clone()
        },
        wire::SubmissionUpload {
            receipt: "AB0-OOO".into(),
            ..up.clone()
        },
        wire::SubmissionUpload {
            created_at: "hier".into(),
            ..up.clone()
        },
    ] {
        expect_error(
            server.put_submission(&kiosk.token, &broken).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }

    let unknown_route = server
        .client
        .get(server.url("/api/v1/nothing"))
        .send()
        .await
        .unwrap();
    expect_error(unknown_route, StatusCode::NOT_FOUND, "not_found").await;
    let wrong_method = server
        .client
        .get(server.url(&wire::enroll_path()))
        .send()
        .await
        .unwrap();
    expect_error(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
    assert_eq!(server.count("submissions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_10_mb_body_gets_413() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let id = uuid::Uuid::new_v4().to_string();
    let mut up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    up.id = id.clone();
    up.sealed = "A".repeat(10 * 1024 * 1024);
    let response = server.put_submission(&kiosk.token, &up).await;
    expect_error(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

    // Just over the limit is refused too, and just under is read (and fails later: opening).
    let base = serde_json::to_vec(&wire::SubmissionUpload {
        sealed: String::new(),
        ..up.clone()
    })
    .unwrap()
    .len();
    up.sealed = "A".repeat(MAX_BODY_BYTES - base + 1);
    expect_error(
        server.put_submission(&kiosk.token, &up).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    up.sealed = "A".repeat((MAX_BODY_BYTES - base) / 4 * 4);
    expect_error(
        server.put_submission(&kiosk.token, &up).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_open",
    )
    .await;
    assert_eq!(server.count("submissions"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sealed_to_another_key_gets_422_and_nothing_is_stored() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let other = KeyPair::generate();
    let up = upload(
        &other.public_base64(),
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    expect_error(
        server.put_submission(&kiosk.token, &up).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "cannot_open",
    )
    .await;

    // Opened, but not JSON.
    let sealed = kiosk_sync::seal::seal(&kiosk.public_key, b"06 12 34 56 78").unwrap();
    let not_json = wire::SubmissionUpload {
        sealed: common::base64_encode(&sealed),
        ..upload(
            &kiosk.public_key,
            &receipt(&kiosk.receipt_prefix),
            &answers("x"),
        )
    };
    expect_error(
        server.put_submission(&kiosk.token, &not_json).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_content",
    )
    .await;
    // Sealed content for another service than the one sent in clear.
    let mut elsewhere = answers("0612345678");
    elsewhere["service"] = "etat-civil".into();
    let rerouted = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &elsewhere,
    );
    expect_error(
        server.put_submission(&kiosk.token, &rerouted).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "bad_content",
    )
    .await;
    assert_eq!(server.count("submissions"), 0);
    assert_eq!(server.count("status_history"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opened_box_that_is_not_a_submission_gets_422_and_nothing_is_stored() {
    let server = Server::start().await;
    server.add_service("voirie", "Voirie", Some("voirie@example.org"), None);
    let kiosk = server.kiosk("A").await;
    let receipt = receipt(&kiosk.receipt_prefix);
    // JSON with the right flow and service, but not a `kiosk_flow::submission::Submission`.
    let mut no_answers = answers("0612345678");
    no_answers.as_object_mut().unwrap().remove("answers");
    let mut no_label = answers("0612345678");
    no_label["answers"][1]
        .as_object_mut()
        .unwrap()
        .remove("label");
    let mut display_not_text = answers("0612345678");
    display_not_text["answers"][0]["display"] = serde_json::json!(62276);
    let mut answers_not_a_list = answers("0612345678");
    answers_not_a_list["answers"] = serde_json::json!({"commune": "Duisans"});
    let up = upload(&kiosk.public_key, &receipt, &answers("0612345678"));
    for bad in [no_answers, no_label, display_not_text, answers_not_a_list] {
        let sealed =
            kiosk_sync::seal::seal(&kiosk.public_key, &serde_json::to_vec(&bad).unwrap()).unwrap();
        let refused = wire::SubmissionUpload {
            sealed: common::base64_encode(&sealed),
            ..up.clone()
        };
        expect_error(
            server.put_submission(&kiosk.token, &refused).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_content",
        )
        .await;
    }
    for table in ["submissions", "status_history", "notification_outbox"] {
        assert_eq!(server.count(table), 0, "{table}");
    }
    // Neither its id nor its receipt were taken: the right content is stored.
    assert_eq!(
        server.put_submission(&kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(server.count("submissions"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_idempotent() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );

    let first = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Ack = first.json().await.unwrap();
    assert_eq!(first.id, up.id);

    // A retry sends the same bytes: 200 with the first reception time.
    let again = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Ack = again.json().await.unwrap();
    assert_eq!(again, first);

    // Same id, other content (a new sealing of the same answers differs too).
    let other = wire::SubmissionUpload {
        sealed: upload(&kiosk.public_key, &up.receipt, &answers("0612345678")).sealed,
        ..up.clone()
    };
    expect_error(
        server.put_submission(&kiosk.token, &other).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;

    // Another submission with the same receipt code.
    let thief = upload(&kiosk.public_key, &up.receipt, &answers("0699999999"));
    expect_error(
        server.put_submission(&kiosk.token, &thief).await,
        StatusCode::CONFLICT,
        "receipt_taken",
    )
    .await;
    assert_eq!(server.count("submissions"), 1);

    // What is stored is the opened JSON.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let (stored, digest): (String, String) = conn
        .query_row(
            "SELECT answers_json, content_digest FROM submissions",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let stored: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored, answers("0612345678"));
    assert_eq!(digest, up.content_digest());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_is_looked_up_by_receipt() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let other_kiosk = server.kiosk("B").await;
    let code = receipt(&kiosk.receipt_prefix);
    let up = upload(&kiosk.public_key, &code, &answers("0612345678"));
    assert_eq!(
        server.put_submission(&kiosk.token, &up).await.status(),
        StatusCode::CREATED
    );

    let get = |token: String, receipt: String| {
        let request = server
            .client
            .get(server.url(&wire::status_path(&receipt)))
            .bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    let response = get(kiosk.token.clone(), code.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let status: StatusResponse = response.json().await.unwrap();
    assert_eq!(status.receipt, code);
    assert_eq!(status.status, RequestStatus::Recu);
    assert_eq!(status.note, None);

    let db = server.data_dir().open_db().unwrap();
    db.with(|c| {
        backend::db::submissions::set_status(
            c,
            &code,
            RequestStatus::EnCours,
            Some("Un agent passe jeudi."),
            "test",
            &backend::db::now(),
        )
    })
    .unwrap();
    // Any kiosk may ask, in any case, with or without the dash.
    let sloppy = code.replace('-', "").to_lowercase();
    let response = get(other_kiosk.token.clone(), sloppy).await;
    assert_eq!(response.status(), StatusCode::OK);
    let status: StatusResponse = response.json().await.unwrap();
    assert_eq!(status.receipt, code);
    assert_eq!(status.status, RequestStatus::EnCours);
    assert_eq!(status.note.as_deref(), Some("Un agent passe jeudi."));

    expect_error(
        get(kiosk.token.clone(), "ZZZ-ZZZ".into()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    expect_error(
        get(kiosk.token.clone(), "pas-un-code".into()).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

fn help_call() -> HelpCall {
    HelpCall {
        id: uuid::Uuid::new_v4().to_string(),
        flow_id: "carte-identite".into(),
        step_id: "pieces".into(),
        created_at: "2026-11-28T10:05:00Z".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_calls_are_idempotent() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let call = help_call();
    let put = |call: HelpCall| {
        let request = server
            .client
            .put(server.url(&wire::help_call_path(&call.id)))
            .bearer_auth(&kiosk.token)
            .json(&call);
        async move { request.send().await.unwrap() }
    };
    let first = put(call.clone()).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Ack = first.json().await.unwrap();
    let again = put(call.clone()).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Ack>().await.unwrap(), first);
    let moved = HelpCall {
        step_id: "ailleurs".into(),
        ..call.clone()
    };
    expect_error(put(moved).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(server.count("help_calls"), 1);
}

fn heartbeat(queue_length: u64) -> Heartbeat {
    Heartbeat {
        software_version: "0.1.0".into(),
        flows: vec![InstalledFlow {
            id: "signalement-eclairage".into(),
            version: 3,
        }],
        queue_length,
        last_error: Some("délai dépassé".into()),
        free_disk_bytes: 12_000_000_000,
        catalog_version: None,
        catalog_refused: None,
        refused: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_update_the_kiosk() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let response = server
        .client
        .post(server.url(&wire::heartbeat_path()))
        .bearer_auth(&kiosk.token)
        .json(&Heartbeat {
            refused: 2,
            ..heartbeat(4)
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let db = server.data_dir().open_db().unwrap();
    let listed = db.with(|c| backend::db::kiosks::list(c)).unwrap();
    assert_eq!(listed[0].queue_length, Some(4));
    assert_eq!(
        listed[0].refused_count, 2,
        "refused submissions the kiosk keeps"
    );
    assert_eq!(listed[0].software_version.as_deref(), Some("0.1.0"));
    assert_eq!(listed[0].free_disk_bytes, Some(12_000_000_000));
    assert_eq!(listed[0].last_error.as_deref(), Some("délai dépassé"));
    assert!(listed[0].last_seen_at.is_some());
    let flows: String = rusqlite::Connection::open(server.data_dir().db_path())
        .unwrap()
        .query_row("SELECT flows FROM kiosks", [], |r| r.get(0))
        .unwrap();
    let flows: Vec<InstalledFlow> = serde_json::from_str(&flows).unwrap();
    assert_eq!(flows, heartbeat(4).flows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_a_restart() {
    let server = Server::start().await;
    let kiosk = server.kiosk("A").await;
    let up = upload(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    let first: Ack = server
        .put_submission(&kiosk.token, &up)
        .await
        .json()
        .await
        .unwrap();
    let dir = server.stop().await;

    let server = Server::start_in(dir).await;
    // The same token still works, and the retry is recognized with its first time.
    let again = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<Ack>().await.unwrap(), first);
    let status = server
        .client
        .get(server.url(&wire::status_path(&up.receipt)))
        .bearer_auth(&kiosk.token)
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    assert_eq!(server.count("submissions"), 1);
    server.stop().await;
}
