//! Slow clients against the real `backend serve` process on 127.0.0.1 (short timeouts in its
//! `backend.toml`): hundreds of half-sent requests are closed within the timeouts, while the
//! real `kiosk sync` still delivers its submission.

use e2e::{street_light_submission, Backend, Kiosk};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

#[test]
fn half_sent_requests_are_closed_while_a_kiosk_still_delivers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("backend");
    let init = Backend::command(&data, &["init"]).expect("backend init");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    std::fs::write(
        data.join("backend.toml"),
        "[web]\nheader_timeout_secs = 1\nrequest_timeout_secs = 2\nmax_connections = 32\n",
    )
    .expect("backend.toml");
    let backend = Backend::start(&data).expect("backend starts");
    let kiosk = Kiosk::new(&dir.path().join("borne"));
    kiosk
        .enroll(
            &backend.url,
            &backend.add_kiosk("borne-lente").expect("kiosk add"),
        )
        .expect("enroll");
    let queued = kiosk
        .store()
        .expect("store")
        .queue_submission(&street_light_submission(1))
        .expect("queued")
        .id;

    // 200 connections that never finish their headers, 40 whose body stops half way.
    let address = backend.url.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut slow = Vec::new();
    for n in 0..240 {
        let mut stream = TcpStream::connect(&address).expect("connect");
        let request = if n % 6 == 0 {
            "POST /connexion HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=lent"
        } else {
            "PUT /api/v1/submissions/x HTTP/1.1\r\nHost: a\r\nX-Lent: "
        };
        stream.write_all(request.as_bytes()).expect("write");
        slow.push(stream);
    }

    // The real kiosk still delivers.
    kiosk.sync_until_empty(3).expect("the kiosk delivers");
    let received = backend.submissions().expect("submissions");
    assert_eq!(received.len(), 1);
    assert_eq!(received[0]["id"].as_str(), Some(queued.as_str()));

    // Every slow connection is closed by the server within the timeouts.
    let deadline = started + Duration::from_secs(20);
    for mut stream in slow {
        let left = deadline.saturating_duration_since(Instant::now());
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(10))))
            .expect("timeout");
        let mut sink = Vec::new();
        let closed = match stream.read_to_end(&mut sink) {
            Ok(_) => true,
            Err(error) => !matches!(
                error.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        };
        assert!(
            closed,
            "a slow connection is still open after {:?}",
            started.elapsed()
        );
    }
}
