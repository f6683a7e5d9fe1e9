//! `kiosk run` under systemd (`provisioning/systemd/kiosk.service`, `Type=notify`): readiness,
//! the watchdog, and a clean stop on SIGTERM.
//!
//! - `READY=1` once the event loop runs with the attract screen up.
//! - `WATCHDOG=1` from a Slint timer on the UI thread, at half the unit's `WatchdogSec=`: a UI
//!   thread that freezes stops pinging, and systemd kills and restarts the kiosk.
//! - SIGTERM (or SIGINT) asks the Slint event loop to quit; `kiosk run` then wipes the session
//!   and closes the store before it exits, well within the unit's `TimeoutStopSec=`.
//!
//! Without `NOTIFY_SOCKET` (a desktop, a test) every notification is a no-op.

use sd_notify::NotifyState;
use std::time::Duration;
use tracing::{debug, info, warn};

/// Tells systemd that the kiosk is up (the attract screen is on).
pub fn notify_ready() {
    send(&[
        NotifyState::Ready,
        NotifyState::Status("écran d'accueil affiché"),
    ]);
}

/// Tells systemd that the kiosk is stopping on purpose.
pub fn notify_stopping() {
    send(&[NotifyState::Stopping]);
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        warn!(error = %e, "sd_notify failed");
    }
}

/// How often to ping for a watchdog of `timeout`: half of it, as sd_watchdog_enabled(3) advises,
/// but at least every 100 ms apart.
pub fn ping_interval(timeout: Duration) -> Duration {
    (timeout / 2).max(Duration::from_millis(100))
}

/// Starts the watchdog pings on the UI thread when the unit asks for them (`WatchdogSec=`).
/// Keep the returned timer alive for as long as the event loop runs.
pub fn start_watchdog() -> Option<slint::Timer> {
    let timeout = sd_notify::watchdog_enabled()?;
    let interval = ping_interval(timeout);
    info!(
        timeout_ms = timeout.as_millis() as u64,
        "systemd watchdog on"
    );
    let timer = slint::Timer::default();
    timer.start(slint::TimerMode::Repeated, interval, || {
        send(&[NotifyState::Watchdog]);
    });
    Some(timer)
}

/// On SIGTERM or SIGINT, asks the Slint event loop (running on the main thread) to quit.
pub async fn quit_on_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            warn!(error = %e, "no signal handler: SIGTERM ends the kiosk abruptly");
            return;
        }
    };
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = int.recv() => "SIGINT",
    };
    info!(signal = name, "stop asked: quitting the event loop");
    let posted = slint::invoke_from_event_loop(|| {
        if let Err(e) = slint::quit_event_loop() {
            debug!(error = %e, "event loop already gone");
        }
    });
    if posted.is_err() {
        debug!("event loop already gone");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixDatagram;

    #[test]
    fn pings_at_half_the_watchdog_timeout() {
        assert_eq!(
            ping_interval(Duration::from_secs(30)),
            Duration::from_secs(15)
        );
        assert_eq!(
            ping_interval(Duration::from_millis(10)),
            Duration::from_millis(100)
        );
    }

    // The only test of this crate that touches NOTIFY_SOCKET: no other test reads it.
    #[test]
    fn ready_reaches_the_notify_socket_and_is_a_no_op_without_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify.sock");
        let socket = UnixDatagram::bind(&path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        std::env::set_var("NOTIFY_SOCKET", &path);
        notify_ready();
        let mut buf = [0u8; 256];
        let n = socket.recv(&mut buf).unwrap();
        let message = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(message.lines().any(|l| l == "READY=1"), "{message}");
        std::env::remove_var("NOTIFY_SOCKET");
        notify_ready();
        socket.set_nonblocking(true).unwrap();
        assert!(
            socket.recv(&mut buf).is_err(),
            "nothing sent without a socket"
        );
    }
}
