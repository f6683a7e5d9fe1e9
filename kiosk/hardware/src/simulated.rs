//! The simulated board, for machines without GPIO (a development machine, tests, CI): a Unix
//! socket in the data folder ([`SOCKET_NAME`]) takes one line per action and answers one line.
//!
//! | line | event |
//! | --- | --- |
//! | `parler` / `parler long` | « Parler » pressed briefly / held |
//! | `aide` / `aide long` | « Aide » pressed briefly / held |
//! | `presence 1` / `presence 0` | someone arrived / left |
//! | `led` | nothing: answers the light's state (`led idle`, `led listening`, …) |
//!
//! An action is answered `ok`; a line it does not know, `erreur : …` in French with what it
//! accepts. For instance: `printf 'parler\nled\n' | socat - UNIX-CONNECT:.kiosk-data/panel.sock`.

use crate::board::EventSink;
use crate::light::LightSwitch;
use kiosk_flow::machine::{KioskEvent, PanelButton, Press};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The socket's file name in the data folder.
pub const SOCKET_NAME: &str = "panel.sock";

/// How often the listener looks for a new connection (and for its stop).
const ACCEPT_POLL: Duration = Duration::from_millis(50);

/// The simulated board; dropping it closes and removes the socket.
pub struct SimulatedBoard {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    listener: Option<JoinHandle<()>>,
}

impl SimulatedBoard {
    /// Listens on `path` (a stale socket file left by a killed kiosk is replaced).
    pub fn start(path: &Path, events: EventSink, light: LightSwitch) -> std::io::Result<Self> {
        if path.exists() && UnixStream::connect(path).is_err() {
            std::fs::remove_file(path)?;
        }
        let listener = UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("panel-socket".into())
                .spawn(move || accept_loop(listener, &stop, events, light))?
        };
        tracing::info!(socket = %path.display(), "simulated front panel listening");
        Ok(SimulatedBoard {
            path: path.to_path_buf(),
            stop,
            listener: Some(thread),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SimulatedBoard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.listener.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_file(&self.path);
    }
}

fn accept_loop(listener: UnixListener, stop: &AtomicBool, events: EventSink, light: LightSwitch) {
    while !stop.load(Ordering::Relaxed) {
        match listener.accept() {
            Ok((stream, _)) => {
                let events = Arc::clone(&events);
                let light = light.clone();
                let spawned = std::thread::Builder::new()
                    .name("panel-client".into())
                    .spawn(move || serve(stream, &events, &light));
                if let Err(error) = spawned {
                    tracing::warn!(%error, "simulated panel: connection dropped");
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(ACCEPT_POLL),
            Err(error) => {
                tracing::warn!(%error, "simulated panel: accept failed");
                std::thread::sleep(ACCEPT_POLL);
            }
        }
    }
}

/// One client: a line in, a line out, until it closes.
fn serve(stream: UnixStream, events: &EventSink, light: &LightSwitch) {
    let _span = tracing::debug_span!("panel_client").entered();
    // The listener is non-blocking; a client's reads wait.
    if stream.set_nonblocking(false).is_err() {
        return;
    }
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else {
            return;
        };
        let answer = match parse_line(&line) {
            Ok(Action::Event(event)) => {
                tracing::debug!(?event, "simulated panel");
                events(event);
                "ok".to_owned()
            }
            Ok(Action::Led) => format!("led {}", light.get().name()),
            Err(message) => message,
        };
        if writeln!(writer, "{answer}").is_err() {
            return;
        }
    }
}

enum Action {
    Event(KioskEvent),
    Led,
}

fn parse_line(line: &str) -> Result<Action, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let button = |button, press| Ok(Action::Event(KioskEvent::Button { button, press }));
    match words.as_slice() {
        ["parler"] => button(PanelButton::Talk, Press::Short),
        ["parler", "long"] => button(PanelButton::Talk, Press::Long),
        ["aide"] => button(PanelButton::Help, Press::Short),
        ["aide", "long"] => button(PanelButton::Help, Press::Long),
        ["presence" | "présence", "1"] => Ok(Action::Event(KioskEvent::Presence(true))),
        ["presence" | "présence", "0"] => Ok(Action::Event(KioskEvent::Presence(false))),
        ["led"] => Ok(Action::Led),
        _ => Err(format!(
            "erreur : ligne inconnue « {} » ; attendu : parler, parler long, aide, aide long, \
             presence 1, presence 0 ou led",
            line.trim()
        )),
    }
}
