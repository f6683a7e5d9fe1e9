//! The printer's worker thread. [`Printer::print`] only puts the slip in a small bounded queue
//! and returns at once; the worker writes it to the device (or pipes it to the print command)
//! on a thread of its own and waits at most the configured timeout. A device that is missing,
//! out of paper or that stops answering is reported as the printer's [`PrinterState`], never
//! waited on by the caller: the UI thread keeps its timers and its screen.
//!
//! A write that never returns (a printer that hangs in the middle of a slip) is left on its
//! thread; while it is stuck no other write is started, slips are dropped with the state
//! « ne répond pas », and printing resumes by itself once the stuck write ends.

use crate::escpos;
use kiosk_flow::machine::Printout;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Where slips go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// An ESC/POS printer's device file (`/dev/usb/lp0`): the slip's ESC/POS bytes.
    Device(PathBuf),
    /// A command that prints the plain text it reads on its standard input (`lp -d ticket`).
    Command(String),
}

/// How the printer is driven (`[printer]` of `kiosk.toml`).
#[derive(Debug, Clone)]
pub struct PrinterSettings {
    pub output: Output,
    /// Characters per line at normal size (32 on 58 mm paper, 48 on 80 mm).
    pub columns: usize,
    /// Printed on top of every slip (the kiosk's name, « Mairie de Duisans »).
    pub header: Option<String>,
    /// The longest a slip may take to be written before the printer counts as not responding.
    pub timeout: Duration,
    /// Slips waiting at most; more are refused ([`Refused::QueueFull`]).
    pub queue: usize,
    /// How often the device file's presence is checked while nothing prints.
    pub probe_every: Duration,
}

impl PrinterSettings {
    pub fn new(output: Output) -> Self {
        PrinterSettings {
            output,
            columns: 32,
            header: None,
            timeout: Duration::from_secs(10),
            queue: 4,
            probe_every: Duration::from_secs(30),
        }
    }
}

/// What the kiosk knows of its printer (for the supervisor's screen and the event log: no
/// personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrinterState {
    Ready,
    /// The printer says it has no paper (the USB printer class's paper-out status).
    NoPaper,
    /// No device file, or the print command does not exist.
    Absent,
    /// A slip was not written within the timeout.
    NotResponding,
    /// Anything else, with the system's reason.
    Failed(String),
}

impl PrinterState {
    /// A short code for logs and the heartbeat.
    pub fn code(&self) -> &'static str {
        match self {
            PrinterState::Ready => "ready",
            PrinterState::NoPaper => "no_paper",
            PrinterState::Absent => "absent",
            PrinterState::NotResponding => "not_responding",
            PrinterState::Failed(_) => "failed",
        }
    }

    /// What the supervisor's screen says.
    pub fn french(&self) -> String {
        match self {
            PrinterState::Ready => "prête".to_owned(),
            PrinterState::NoPaper => "plus de papier".to_owned(),
            PrinterState::Absent => "absente (pas branchée ?)".to_owned(),
            PrinterState::NotResponding => "ne répond pas".to_owned(),
            PrinterState::Failed(why) => format!("en erreur : {why}"),
        }
    }

    pub fn is_ready(&self) -> bool {
        matches!(self, PrinterState::Ready)
    }
}

/// Why a slip was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The queue is full (the printer is slow or stuck).
    QueueFull,
    /// The worker has stopped.
    Stopped,
}

/// The printer, driven by its worker thread. Dropping it stops the worker once the queue is
/// empty (a stuck write is not waited for).
pub struct Printer {
    jobs: SyncSender<Printout>,
    state: Arc<Mutex<PrinterState>>,
}

type StateHook = Box<dyn Fn(&PrinterState) + Send>;

impl Printer {
    /// Starts the worker. `on_state` hears every change of state (on the worker's thread).
    pub fn start(
        settings: PrinterSettings,
        on_state: impl Fn(&PrinterState) + Send + 'static,
    ) -> std::io::Result<Printer> {
        let (jobs, queue) = mpsc::sync_channel(settings.queue.max(1));
        let first = match &settings.output {
            Output::Device(path) => presence(path),
            Output::Command(_) => PrinterState::Ready,
        };
        let state = Arc::new(Mutex::new(first.clone()));
        on_state(&first);
        let worker = Worker {
            settings,
            state: Arc::clone(&state),
            on_state: Box::new(on_state),
            stuck: None,
        };
        std::thread::Builder::new()
            .name("printer".into())
            .spawn(move || worker.run(queue))?;
        Ok(Printer { jobs, state })
    }

    /// Queues a slip and returns at once.
    pub fn print(&self, printout: &Printout) -> Result<(), Refused> {
        match self.jobs.try_send(printout.clone()) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                tracing::warn!("printer queue full: slip dropped");
                Err(Refused::QueueFull)
            }
            Err(TrySendError::Disconnected(_)) => Err(Refused::Stopped),
        }
    }

    /// The state as last known.
    pub fn state(&self) -> PrinterState {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

struct Worker {
    settings: PrinterSettings,
    state: Arc<Mutex<PrinterState>>,
    on_state: StateHook,
    /// A write that did not end within the timeout.
    stuck: Option<JoinHandle<()>>,
}

impl Worker {
    fn run(mut self, queue: Receiver<Printout>) {
        loop {
            match queue.recv_timeout(self.settings.probe_every) {
                Ok(printout) => {
                    let state = self.print(&printout);
                    self.set(state);
                }
                Err(RecvTimeoutError::Timeout) => self.probe(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    fn set(&mut self, state: PrinterState) {
        let changed = {
            let mut current = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let changed = *current != state;
            *current = state.clone();
            changed
        };
        if changed {
            if state.is_ready() {
                tracing::info!(state = state.code(), "printer state");
            } else {
                tracing::warn!(state = state.code(), reason = %state.french(), "printer state");
            }
            (self.on_state)(&state);
        }
    }

    /// While idle: a device file that appeared or went away.
    fn probe(&mut self) {
        if self.stuck.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        self.stuck = None;
        let Output::Device(path) = &self.settings.output else {
            return;
        };
        let present = presence(path);
        let current = self
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match (present, current) {
            (PrinterState::Absent, _) => self.set(PrinterState::Absent),
            (_, PrinterState::Absent | PrinterState::NotResponding) => {
                self.set(PrinterState::Ready)
            }
            _ => {}
        }
    }

    fn print(&mut self, printout: &Printout) -> PrinterState {
        let _span = tracing::info_span!("printer.print").entered();
        if self.stuck.as_ref().is_some_and(|h| !h.is_finished()) {
            tracing::warn!("the last slip is still not written: this one is dropped");
            return PrinterState::NotResponding;
        }
        self.stuck = None;
        let header = self.settings.header.as_deref();
        match self.settings.output.clone() {
            Output::Device(path) => {
                let bytes = escpos::receipt(printout, header, self.settings.columns);
                self.write_device(path, bytes)
            }
            Output::Command(command) => {
                self.run_command(&command, printout.plain_text(header).into_bytes())
            }
        }
    }

    fn write_device(&mut self, path: PathBuf, bytes: Vec<u8>) -> PrinterState {
        let (done, result) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("printer-write".into())
            .spawn(move || {
                // Opening a device (or a FIFO) may itself block: it is part of the write.
                let written = std::fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .and_then(|mut device| {
                        device.write_all(&bytes)?;
                        device.flush()
                    });
                let _ = done.send(written);
            });
        let handle = match spawned {
            Ok(handle) => handle,
            Err(e) => return PrinterState::Failed(e.to_string()),
        };
        match result.recv_timeout(self.settings.timeout) {
            Ok(Ok(())) => PrinterState::Ready,
            Ok(Err(e)) => state_of_error(&e),
            Err(_) => {
                self.stuck = Some(handle);
                PrinterState::NotResponding
            }
        }
    }

    fn run_command(&mut self, command: &str, text: Vec<u8>) -> PrinterState {
        let mut parts = command.split_whitespace();
        let Some(program) = parts.next() else {
            return PrinterState::Absent;
        };
        let child = Command::new(program)
            .args(parts)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(child) => child,
            Err(e) => return state_of_error(&e),
        };
        if let Some(mut stdin) = child.stdin.take() {
            // On its own thread: a command that does not read must not hold the worker.
            let _ = std::thread::Builder::new()
                .name("printer-stdin".into())
                .spawn(move || {
                    let _ = stdin.write_all(&text);
                });
        }
        let deadline = Instant::now() + self.settings.timeout;
        loop {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => return PrinterState::Ready,
                Ok(Some(status)) => {
                    return PrinterState::Failed(format!(
                        "la commande d'impression a échoué ({status})"
                    ))
                }
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return PrinterState::NotResponding;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => return PrinterState::Failed(e.to_string()),
            }
        }
    }
}

/// Whether the device file is there.
fn presence(path: &Path) -> PrinterState {
    if path.exists() {
        PrinterState::Ready
    } else {
        PrinterState::Absent
    }
}

/// ENOENT, ENODEV, ENXIO: no printer; ENOSPC: the Linux USB printer driver's « out of paper ».
fn state_of_error(error: &std::io::Error) -> PrinterState {
    const ENXIO: i32 = 6;
    const ENODEV: i32 = 19;
    const ENOSPC: i32 = 28;
    match (error.kind(), error.raw_os_error()) {
        (std::io::ErrorKind::NotFound, _) | (_, Some(ENODEV | ENXIO)) => PrinterState::Absent,
        (_, Some(ENOSPC)) => PrinterState::NoPaper,
        _ => PrinterState::Failed(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_errors_map_to_states() {
        let os = std::io::Error::from_raw_os_error;
        assert_eq!(state_of_error(&os(2)), PrinterState::Absent);
        assert_eq!(state_of_error(&os(19)), PrinterState::Absent);
        assert_eq!(state_of_error(&os(28)), PrinterState::NoPaper);
        assert_eq!(state_of_error(&os(5)).code(), "failed");
    }
}
