//! Notifications of new requests, against real receivers on 127.0.0.1: a webhook receiver
//! (axum) that checks the HMAC signature itself, and a tiny fake SMTP server that records
//! what it is sent (the real SMTP transport of lettre is used, in plain SMTP).

mod common;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use backend::config::{SmtpConfig, SmtpSecurity};
use common::{test_settings, Server};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// What the receiver got: headers and raw body.
struct Delivery {
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct Receiver {
    sent: mpsc::UnboundedSender<Delivery>,
    /// Answers 500 to this many requests first.
    failures: Arc<AtomicUsize>,
}

async fn hook(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let _ = receiver.sent.send(Delivery { headers, body });
    let failing = receiver
        .failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

/// Starts a webhook receiver on `addr`, failing its first `failures` requests.
async fn start_receiver(addr: SocketAddr, failures: usize) -> mpsc::UnboundedReceiver<Delivery> {
    let (sent, received) = mpsc::unbounded_channel();
    let receiver = Receiver {
        sent,
        failures: Arc::new(AtomicUsize::new(failures)),
    };
    let app = axum::Router::new()
        .route("/hook", post(hook))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("test helper");
    tokio::spawn(async move { axum::serve(listener, app).await });
    received
}

/// What a receiver does: the HMAC-SHA256 of the raw body, with the shared secret.
fn signature_ok(secret: &str, body: &[u8], header: &str) -> bool {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("test helper");
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    header == format!("sha256={expected}")
}

async fn next(received: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(20), received.recv())
        .await
        .expect("a delivery in time")
        .expect("the receiver is running")
}

/// Polls `check` on the database until it holds (at most 20 s).
async fn eventually(server: &Server, what: &str, check: impl Fn(&rusqlite::Connection) -> bool) {
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).expect("test helper");
    for _ in 0..400 {
        if check(&conn) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("never: {what}");
}

fn outbox(conn: &rusqlite::Connection, channel: &str) -> (String, i64, Option<String>) {
    conn.query_row(
        "SELECT state, attempts, last_error FROM notification_outbox WHERE channel = ?1",
        [channel],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .unwrap_or(("absent".into(), 0, None))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_webhook_reaches_its_receiver_even_after_it_was_down() {
    // A free port, with nothing listening on it yet: the receiver is down.
    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let server = Server::start().await;
    let service = server.add_service(
        "voirie",
        "Voirie",
        Some("voirie@example.org"),
        Some(&format!("http://{addr}/hook")),
    );
    let secret = service.webhook_secret.clone().unwrap();
    let kiosk = server.kiosk("Mairie de Duisans").await;

    // The kiosk hears 201 while the receiver is down.
    let (receipt, id) = server
        .submit(&kiosk, "voirie", "Duisans", "0612345678")
        .await;
    eventually(&server, "a failed attempt", |c| {
        let (state, attempts, error) = outbox(c, "webhook");
        state == "pending" && attempts >= 1 && error.as_deref() == Some("connexion impossible")
    })
    .await;
    // No SMTP configured: the email is skipped, with the reason, not retried forever.
    eventually(&server, "the email skipped", |c| {
        let (state, _, error) = outbox(c, "email");
        state == "skipped" && error.unwrap_or_default().contains("désactivé")
    })
    .await;

    // The receiver comes up, answers 500 once, then 204.
    let mut received = start_receiver(addr, 1).await;
    let first = next(&mut received).await;
    let second = next(&mut received).await;
    for delivery in [&first, &second] {
        let signature = delivery.headers["x-signature"].to_str().unwrap();
        assert!(
            signature_ok(&secret, &delivery.body, signature),
            "{signature}"
        );
        assert!(!signature_ok("autre secret", &delivery.body, signature));
        assert_eq!(delivery.headers["content-type"], "application/json");
    }
    // Retries are recognisable: same delivery id.
    assert_eq!(
        first.headers["x-delivery-id"],
        second.headers["x-delivery-id"]
    );
    let payload: serde_json::Value = serde_json::from_slice(&second.body).unwrap();
    assert_eq!(payload["event"], "demande.recue");
    assert_eq!(
        payload["delivery_id"].as_str().unwrap(),
        second.headers["x-delivery-id"].to_str().unwrap()
    );
    assert_eq!(
        payload["timestamp"].as_i64().unwrap().to_string(),
        second.headers["x-timestamp"].to_str().unwrap()
    );
    let request = &payload["request"];
    assert_eq!(request["id"], id.as_str());
    assert_eq!(request["receipt"], receipt.as_str());
    assert_eq!(request["service"]["name"], "Voirie");
    assert_eq!(request["kiosk"]["name"], "Mairie de Duisans");
    assert_eq!(request["answers"][0]["display"], "Duisans");
    eventually(&server, "the webhook sent", |c| {
        outbox(c, "webhook").0 == "sent"
    })
    .await;

    // Sent once: nothing else arrives.
    assert!(
        tokio::time::timeout(Duration::from_millis(800), received.recv())
            .await
            .is_err(),
        "a sent notification was sent again"
    );
    // The same submission again (a kiosk's retry) announces nothing new.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM notification_outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
    server.stop().await;
}

/// A fake SMTP server: accepts one conversation at a time and sends each message (envelope
/// recipients and DATA) on the channel.
async fn fake_smtp() -> (SocketAddr, mpsc::UnboundedReceiver<(Vec<String>, String)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test helper");
    let addr = listener.local_addr().expect("test helper");
    let (sent, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sent = sent.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write
                    .write_all(b"220 fake ESMTP\r\n")
                    .await
                    .expect("test helper");
                let mut recipients = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_uppercase();
                    if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        write
                            .write_all(b"250-fake\r\n250 8BITMIME\r\n")
                            .await
                            .expect("test helper");
                    } else if upper.starts_with("RCPT TO:") {
                        recipients.push(line[8..].trim().to_string());
                        write.write_all(b"250 OK\r\n").await.expect("test helper");
                    } else if upper.starts_with("DATA") {
                        write
                            .write_all(b"354 go on\r\n")
                            .await
                            .expect("test helper");
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        let _ = sent.send((std::mem::take(&mut recipients), data));
                        write
                            .write_all(b"250 queued\r\n")
                            .await
                            .expect("test helper");
                    } else if upper.starts_with("QUIT") {
                        write.write_all(b"221 bye\r\n").await.expect("test helper");
                        break;
                    } else {
                        write.write_all(b"250 OK\r\n").await.expect("test helper");
                    }
                }
            });
        }
    });
    (addr, received)
}

/// The text of a message's body, whatever its transfer encoding.
fn body_text(data: &str) -> String {
    let (headers, body) = data.split_once("\n\n").expect("test helper");
    let lower = headers.to_lowercase();
    if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .expect("test helper"),
        )
        .expect("test helper")
    } else if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let mut chars = joined.bytes().peekable();
        while let Some(b) = chars.next() {
            if b == b'=' {
                let hi = chars.next().expect("test helper");
                let lo = chars.next().expect("test helper");
                bytes.push(
                    u8::from_str_radix(&format!("{}{}", hi as char, lo as char), 16)
                        .expect("test helper"),
                );
            } else {
                bytes.push(b);
            }
        }
        String::from_utf8(bytes).expect("test helper")
    } else {
        body.to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_announces_each_new_request_without_its_answers() {
    let (smtp, mut mails) = fake_smtp().await;
    let settings = backend::config::Settings {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(smtp.port()),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Bornes de la CCCA <bornes@example.org>".into(),
        }),
        ..test_settings()
    };
    let server = Server::start_with(settings).await;
    server.add_service("voirie", "Voirie", Some("voirie@example.org"), None);
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let phone = "0698765432";
    let (receipt, id) = server.submit(&kiosk, "voirie", "Duisans", phone).await;

    let (recipients, data) = tokio::time::timeout(Duration::from_secs(20), mails.recv())
        .await
        .expect("an email in time")
        .unwrap();
    assert_eq!(recipients, ["<voirie@example.org>"]);
    assert!(
        data.contains("From: \"Bornes de la CCCA\" <bornes@example.org>"),
        "{data}"
    );
    let text = body_text(&data);
    assert!(
        text.contains(&format!("Code de reçu : {receipt}")),
        "{text}"
    );
    assert!(text.contains("Commune : Duisans"), "{text}");
    assert!(
        text.contains(&format!("http://{}/demandes/{id}", server.addr)),
        "{text}"
    );
    // The answers stay on the server.
    assert!(!data.contains(phone) && !text.contains(phone), "{text}");
    assert!(!text.contains("lampadaire"));
    eventually(&server, "the email sent", |c| {
        outbox(c, "email").0 == "sent"
    })
    .await;
    server.stop().await;
}

/// A webhook receiver that accepts connections and never answers.
async fn dead_receiver() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("test helper");
    let addr = listener.local_addr().expect("test helper");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_receiver_that_never_answers_does_not_delay_emails() {
    let (smtp, mut mails) = fake_smtp().await;
    let dead = dead_receiver().await;
    let mut settings = test_settings();
    settings.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port: Some(smtp.port()),
        security: SmtpSecurity::None,
        username: None,
        password: None,
        from: "Bornes <bornes@example.org>".into(),
    });
    // Long enough that an email queued behind the webhook would visibly wait for it.
    settings.retry.timeout = Duration::from_secs(30);
    let server = Server::start_with(settings).await;
    let hook = format!("http://{dead}/hook");
    server.add_service("eclairage", "Éclairage", None, Some(&hook));
    server.add_service("voirie", "Voirie", Some("voirie@example.org"), None);
    let kiosk = server.kiosk("A").await;
    // The webhook is queued first, the email after it.
    server
        .submit(&kiosk, "eclairage", "Duisans", "0611111111")
        .await;
    server
        .submit(&kiosk, "voirie", "Duisans", "0622222222")
        .await;
    let (recipients, _) = tokio::time::timeout(Duration::from_secs(20), mails.recv())
        .await
        .expect("the email is not held up by the webhook")
        .unwrap();
    assert_eq!(recipients, ["<voirie@example.org>"]);
    // The webhook is still waiting for its receiver: not failed, not lost.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let (state, attempts, _) = outbox(&conn, "webhook");
    assert_eq!((state.as_str(), attempts), ("pending", 0));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_to_an_internal_address_is_refused_at_delivery_and_kept() {
    let received_addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let listener = std::net::TcpListener::bind(received_addr).unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut received = start_receiver(addr, 0).await;
    // No allow-list: a webhook saved before (straight into the database) to this machine.
    let settings = backend::config::Settings {
        webhooks: backend::notify::targets::WebhookPolicy::default(),
        ..test_settings()
    };
    let server = Server::start_with(settings).await;
    server.add_service(
        "voirie",
        "Voirie",
        None,
        Some(&format!("http://{addr}/hook")),
    );
    let kiosk = server.kiosk("A").await;
    server
        .submit(&kiosk, "voirie", "Duisans", "0611111111")
        .await;
    eventually(&server, "the delivery refused", |c| {
        let (state, attempts, error) = outbox(c, "webhook");
        state == "pending" && attempts >= 1 && error.is_some_and(|e| e.contains("adresse refusée"))
    })
    .await;
    assert!(received.try_recv().is_err(), "nothing reached the receiver");
    // The page shows the reason, without internal details.
    let conn = rusqlite::Connection::open(server.data_dir().db_path()).unwrap();
    let (_, _, error) = outbox(&conn, "webhook");
    let error = error.unwrap();
    assert!(
        !error.contains("127.0.0.1") && !error.contains("tcp"),
        "{error}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_for_help_is_announced_to_its_kiosks_ambassadors_by_email_and_signed_webhook() {
    use backend::db::{self, ambassadors, users::Role};
    use kiosk_sync::wire::{self, HelpCall};

    let (smtp, mut mails) = fake_smtp().await;
    let hook_addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let mut received = start_receiver(hook_addr, 0).await;
    let settings = backend::config::Settings {
        smtp: Some(SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(smtp.port()),
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Bornes de la CCCA <bornes@example.org>".into(),
        }),
        ..test_settings()
    };
    let server = Server::start_with(settings).await;
    let duisans = server.kiosk("Mairie de Duisans").await;
    let tincques = server.kiosk("Mairie de Tincques").await;
    let nadia = server.add_user(
        "nadia@example.org",
        Role::Ambassador,
        &[],
        "un long mot de passe",
    );
    let other = server.add_user(
        "omar@example.org",
        Role::Ambassador,
        &[],
        "un long mot de passe",
    );
    let database = server.data_dir().open_db().unwrap();
    database
        .with(|c| ambassadors::set_kiosks(c, &nadia, &["Mairie de Duisans".to_string()]))
        .unwrap();
    database
        .with(|c| ambassadors::set_kiosks(c, &other, &["Mairie de Tincques".to_string()]))
        .unwrap();
    let secret = database
        .with(|c| ambassadors::set_webhook(c, nadia.id, Some(&format!("http://{hook_addr}/hook"))))
        .unwrap()
        .unwrap();

    let call = HelpCall {
        id: uuid::Uuid::new_v4().to_string(),
        flow_id: "eclairage-public".into(),
        step_id: "lieu".into(),
        created_at: db::now(),
    };
    let response = server
        .client
        .put(server.url(&wire::help_call_path(&call.id)))
        .bearer_auth(&duisans.token)
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // A retry announces nothing twice.
    let again = server
        .client
        .put(server.url(&wire::help_call_path(&call.id)))
        .bearer_auth(&duisans.token)
        .json(&call)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::OK);

    let delivery = next(&mut received).await;
    let signature = delivery.headers["x-signature"].to_str().unwrap();
    assert!(signature_ok(&secret, &delivery.body, signature));
    let body: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["event"], "appel.recu");
    assert_eq!(body["help_call"]["id"], call.id.as_str());
    assert_eq!(body["help_call"]["kiosk_name"], "Mairie de Duisans");
    assert_eq!(body["help_call"]["step_id"], "lieu");

    let (recipients, data) = tokio::time::timeout(Duration::from_secs(20), mails.recv())
        .await
        .expect("an email in time")
        .unwrap();
    assert_eq!(recipients, ["<nadia@example.org>"]);
    let text = body_text(&data);
    assert!(text.contains("Mairie de Duisans"), "{text}");
    assert!(text.contains("Étape : lieu"), "{text}");
    assert!(
        text.contains(&format!("http://{}/ambassadeur", server.addr)),
        "{text}"
    );
    eventually(&server, "both announcements sent", |conn| {
        conn.query_row(
            "SELECT count(*) FROM notification_outbox WHERE help_call_id IS NOT NULL \
             AND state = 'sent'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
            == 2
    })
    .await;
    // The other kiosk's ambassador is told nothing.
    let _ = tincques;
    assert_eq!(server.count("notification_outbox"), 2);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), mails.recv())
            .await
            .is_err()
    );
    server.stop().await;
}
