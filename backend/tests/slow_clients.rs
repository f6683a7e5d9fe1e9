//! Slow and silent clients cannot hold the server: over real TCP on 127.0.0.1, hundreds of
//! half-sent requests (headers never finished, or a body that stops coming) are closed within
//! the configured timeouts, while a kiosk's upload still goes through; and a kiosk asking
//! receipt statuses too fast is told to wait.

mod common;

use backend::config::{ConnectionLimits, Settings};
use common::{answers, receipt, test_settings, upload_answers, Server};
use kiosk_sync::wire;
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: Duration = Duration::from_secs(1);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

fn short_timeouts() -> Settings {
    Settings {
        limits: ConnectionLimits {
            header_timeout: HEADER_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
            max_connections: 64,
        },
        ..test_settings()
    }
}

/// Reads until the server closes the connection (or `deadline`): what it sent, and whether
/// it closed.
async fn read_until_closed(stream: &mut TcpStream, deadline: Instant) -> (String, bool) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&received).into(), true),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (String::from_utf8_lossy(&received).into(), false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_are_closed_while_a_kiosk_still_uploads() {
    let server = Server::start_with(short_timeouts()).await;
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let started = Instant::now();

    // 250 connections whose headers never end, and 50 whose body stops half way: far more
    // than the 64 connections served at once.
    let mut slow = Vec::new();
    for n in 0..300 {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let request = if n % 6 == 0 {
            "POST /connexion HTTP/1.1\r\nHost: a\r\n\
             Content-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: 1000\r\n\r\nemail=lent"
        } else {
            "PUT /api/v1/submissions/x HTTP/1.1\r\nHost: a\r\nX-Lent: "
        };
        stream.write_all(request.as_bytes()).await.unwrap();
        slow.push((n % 6 == 0, stream));
    }

    // A kiosk's upload still gets through (its connection waits for a free slot, which the
    // timeouts free).
    let up = upload_answers(
        &kiosk.public_key,
        &receipt(&kiosk.receipt_prefix),
        &answers("0612345678"),
    );
    let response = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(response.status(), StatusCode::CREATED);

    // Every slow connection is closed by the server, the half-sent bodies with a 408.
    let deadline = started + HEADER_TIMEOUT + REQUEST_TIMEOUT * 3 + Duration::from_secs(5);
    let mut timed_out_bodies = 0;
    for (body, mut stream) in slow {
        let (answer, closed) = read_until_closed(&mut stream, deadline).await;
        assert!(
            closed,
            "a slow connection is still open after {:?}",
            started.elapsed()
        );
        if body && answer.starts_with("HTTP/1.1 408") {
            timed_out_bodies += 1;
        }
    }
    assert_eq!(timed_out_bodies, 50);
    assert_eq!(server.count("submissions"), 1);

    // And the server still answers at once.
    let response = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed() {
    let server = Server::start_with(short_timeouts()).await;
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /connexion HTTP/1.1\r\nHost: a\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (answer, closed) = read_until_closed(&mut stream, started + HEADER_TIMEOUT * 5).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(closed, "the idle connection stayed open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_look_ups_are_limited_per_kiosk() {
    let server = Server::start().await;
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let other = server.kiosk("Mairie de Wailly").await;
    let ask = |token: String| {
        let client = server.client.clone();
        let url = server.url(&wire::status_path("AB3-7KQ"));
        async move { client.get(url).bearer_auth(token).send().await.unwrap() }
    };
    for n in 0..30 {
        let response = ask(kiosk.token.clone()).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{n}");
    }
    let refused = ask(kiosk.token.clone()).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    common::expect_error(refused, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    // Another kiosk has its own allowance.
    assert_eq!(
        ask(other.token.clone()).await.status(),
        StatusCode::NOT_FOUND
    );
}
