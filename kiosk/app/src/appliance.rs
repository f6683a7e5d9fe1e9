//! `kiosk run`: the appliance. One process: the Slint UI and the session controller on the main
//! thread, the voice on its worker thread, the sync loop and the status probe on a tokio
//! runtime, all configured by `kiosk.toml` ([`crate::config`]).
//!
//! It degrades instead of failing: a flow with errors is left out (its messages go to the log
//! and the supervisor's screen), a missing model or sound card leaves the kiosk text-only or
//! touch-only, an unenrolled kiosk or a back end out of reach keeps submissions in the outbox.
//! Only a missing display stops it, with a pointer to `kiosk simulate`.
//!
//! It offers its installed catalog of published flows, else the shipped flows
//! ([`crate::installed`]); a catalog installed by the sync loop reaches the UI through
//! [`crate::catalog_switch`], prompts warmed first, applied at the next attract screen.

use crate::catalog_switch::{CatalogSwitch, WarmProgress};
use crate::catalog_sync::CatalogOutcome;
use crate::config::Config;
use crate::installed;
use crate::sync_loop;
use crate::systemd;
use crate::voice_engine::{VoiceEngine, VoiceReport, VoiceStatus};
use anyhow::{Context, Result};
use kiosk_hardware::Board;
use kiosk_ui::{
    Controller, ControllerHandle, Host, KioskStatus, Light, Storage, UiConfig, VoicePort,
};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// `kiosk run`'s exit code when its configuration is refused (the published default PIN): the
/// systemd unit does not restart it (`RestartPreventExitStatus=`), since nothing would change.
pub const EXIT_CONFIG_REFUSED: u8 = 4;

/// What `kiosk run` shows on the supervisor's screen, shared by the threads that learn it.
#[derive(Clone)]
struct SharedStatus {
    status: Arc<Mutex<KioskStatus>>,
    /// Set once the UI exists; status changes before that are kept and pushed then.
    handle: Arc<Mutex<Option<ControllerHandle>>>,
}

impl SharedStatus {
    fn new(status: KioskStatus) -> Self {
        Self {
            status: Arc::new(Mutex::new(status)),
            handle: Arc::new(Mutex::new(None)),
        }
    }

    fn update(&self, change: impl FnOnce(&mut KioskStatus)) {
        let snapshot = {
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            change(&mut status);
            status.clone()
        };
        if let Some(handle) = *self.handle.lock().unwrap_or_else(PoisonError::into_inner) {
            // Until the voice has started, assume it works: the screen says "Touchez l'écran"
            // only once the kiosk knows it cannot hear.
            let hearing = !matches!(snapshot.recognition, Some(Err(_)))
                && !matches!(snapshot.microphone, Some(Err(_)));
            let speaking = !matches!(snapshot.synthesis, Some(Err(_)))
                && !matches!(snapshot.speaker, Some(Err(_)));
            handle.voice_available(hearing, speaking);
            handle.set_status(snapshot);
        }
    }

    fn attach(&self, handle: ControllerHandle) {
        *self.handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        self.update(|_| {});
    }

    /// Hands a new availability snapshot to the UI's machine, once the UI exists.
    fn availability(&self, snapshot: Arc<kiosk_flow::booking::Availability>) {
        if let Some(handle) = *self.handle.lock().unwrap_or_else(PoisonError::into_inner) {
            handle.set_availability(snapshot);
        }
    }
}

/// The voice port of the UI, on the voice engine.
struct EngineVoice {
    engine: Arc<VoiceEngine>,
    words_per_minute: u32,
}

impl VoicePort for EngineVoice {
    fn say(&mut self, text: &str) {
        self.engine.say(text);
    }
    fn stop_speaking(&mut self) {
        self.engine.stop_speaking();
    }
    fn listen(&mut self, phrases: Option<Vec<String>>) {
        self.engine.listen(phrases);
    }
    fn stop_listening(&mut self) {
        self.engine.stop_listening();
    }
    fn set_rate(&mut self, rate: f32) {
        let wpm = (self.words_per_minute as f32 * rate)
            .round()
            .clamp(60.0, 300.0);
        self.engine.set_words_per_minute(wpm as u32);
    }
    fn set_volume(&mut self, volume: u8) {
        self.engine.set_volume(f32::from(volume.min(100)) / 100.0);
    }
    fn test_microphone(&mut self) {
        self.engine.test_microphone();
    }
    fn test_speaker(&mut self) {
        self.engine
            .say("Ceci est un essai du haut-parleur. Un, deux, trois.");
    }
}

/// Whether a display is there for a window (X11, Wayland, or the Pi's DRM/KMS screen).
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
        || (cfg!(feature = "pi") && drm_card_present())
}

/// Whether a DRM/KMS device is there (`/dev/dri/card*`: on a Raspberry Pi the display may be
/// `card1`, with `card0` the render-only GPU).
fn drm_card_present() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("card"))
    })
}

/// Whether some network interface other than loopback is up (Linux).
fn network_up() -> Option<bool> {
    let entries = std::fs::read_dir("/sys/class/net").ok()?;
    Some(entries.flatten().any(|entry| {
        entry.file_name() != "lo"
            && std::fs::read_to_string(entry.path().join("operstate"))
                .is_ok_and(|s| s.trim() == "up")
    }))
}

fn voice_status_into(status: &mut KioskStatus, voice: &VoiceStatus) {
    let missing = |what: &str| Err(format!("{what} absent"));
    status.synthesis = Some(voice.voice.clone().ok_or(()).or_else(|_| missing("voix")));
    status.recognition = Some(
        voice
            .recognition
            .clone()
            .ok_or(())
            .or_else(|_| missing("modèle")),
    );
    status.speaker = Some(
        voice
            .speaker_device
            .clone()
            .ok_or(())
            .or_else(|_| missing("haut-parleur")),
    );
    status.microphone = Some(
        voice
            .microphone_device
            .clone()
            .ok_or(())
            .or_else(|_| missing("micro")),
    );
    status.problems.extend(voice.problems.iter().cloned());
}

/// `kiosk run`.
pub fn run(config: Config, started: Instant) -> Result<ExitCode> {
    let _span = tracing::info_span!("kiosk_run").entered();
    if let Err(refusal) = config.refuse_published_pin() {
        // On stderr, which the journal keeps (once: the log would print it a second time).
        eprintln!("{refusal}");
        return Ok(ExitCode::from(EXIT_CONFIG_REFUSED));
    }
    if !display_available() {
        eprintln!(
            "Pas d'écran graphique ici (ni DISPLAY, ni WAYLAND_DISPLAY).\n\
             Pour essayer les parcours dans le terminal : kiosk simulate {} --submit",
            config.flows.display()
        );
        return Ok(ExitCode::from(3));
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("impossible de créer {}", config.data_dir.display()))?;

    let shared = SharedStatus::new(KioskStatus {
        network: network_up(),
        ..KioskStatus::default()
    });

    // The store: the UI's connection for submissions, the sync loop's own.
    let store = match kiosk_store::Store::open(config.store_path()) {
        Ok(store) => Some(Arc::new(store)),
        Err(e) => {
            warn!(error = %e, "store unusable: submissions cannot be kept");
            shared.update(|s| {
                s.problems
                    .push(format!("Stockage local inutilisable : {e}"))
            });
            None
        }
    };
    if let Some(store) = &store {
        let identity = store.identity().ok().flatten();
        let pending = store.pending_count().ok();
        shared.update(|s| {
            s.kiosk_name = identity.as_ref().map(|i| i.name.clone());
            s.queue_length = pending;
            if identity.is_none() {
                s.problems.push(
                    "Borne non inscrite (kiosk enroll) : les demandes restent sur la borne."
                        .to_owned(),
                );
            }
        });
    }

    // The published flows if a catalog is installed, else the shipped ones.
    let offered = installed::offered(store.as_deref(), &config.flows);
    let flows = offered.flows;
    shared.update(|s| s.problems.extend(offered.problems));

    // The voice, loading in the background; reports go to the UI once it exists.
    let voice_settings = config.voice_settings(true);
    let progress = WarmProgress::default();
    let engine = {
        let shared = shared.clone();
        let progress = progress.clone();
        VoiceEngine::start(
            voice_settings,
            Box::new(move |report| {
                if let VoiceReport::Ready(status) = &report {
                    // Launch to listening: both models loaded (side by side) and the
                    // microphone open, while the attract screen has been up for a while.
                    info!(
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        resident_mib = resident_mib(),
                        recognition = status.recognition.is_some(),
                        "voice ready: the kiosk can listen"
                    );
                }
                on_voice_report(report, &shared, &progress)
            }),
        )
        .context("le fil de la voix n'a pas démarré")?
    };
    let engine = Arc::new(engine);
    let switch = CatalogSwitch {
        engine: Arc::clone(&engine),
        progress,
        current: Arc::new(Mutex::new(flows.clone())),
        handle: Arc::clone(&shared.handle),
        store_path: config.store_path(),
        shipped: config.flows.clone(),
    };
    switch.warm_current();
    switch.adapt_current();

    // Sync and status on tokio.
    let shutdown = CancellationToken::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    start_background(&runtime, &config, &shared, switch, shutdown.clone());
    runtime.spawn(systemd::quit_on_signal());

    let ui_config = UiConfig {
        flows,
        idle_timeout: config.idle(),
        idle_countdown: config.idle_countdown(),
        absent_timeout: config.absent_idle(),
        supervisor_pin: config.supervisor.pin.clone(),
        printer: config.printer.output().is_some(),
        text_size: u8::from(config.screen.large_text),
        high_contrast: config.screen.high_contrast,
        one_button: config.screen.one_button,
        volume: (config.voice.volume * 100.0).round() as u8,
        ..UiConfig::default()
    };
    // The last availability synced, until the sync loop brings a newer one.
    let availability = store
        .as_ref()
        .and_then(|s| s.availability().ok().flatten())
        .map(|(snapshot, _)| Arc::new(snapshot));
    let storage = match store {
        Some(store) => Storage::Store(store),
        None => Storage::Preview,
    };
    // Submissions, calls for help and status lookups: the same adapter as the simulator's.
    let host = Host::new(storage, Some(runtime.handle().clone()));
    let voice = EngineVoice {
        engine: Arc::clone(&engine),
        words_per_minute: config.voice.words_per_minute,
    };
    let controller = match Controller::new(ui_config, host, Box::new(voice)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "La fenêtre ne s'ouvre pas : {e}\n(Sur un bureau, compilez avec --features desktop.)\nPour essayer les parcours dans le terminal : \
                 kiosk simulate {} --submit",
                config.flows.display()
            );
            shutdown.cancel();
            return Ok(ExitCode::from(3));
        }
    };
    {
        use slint::ComponentHandle;
        controller
            .window()
            .window()
            .set_size(slint::LogicalSize::new(
                config.screen.width as f32,
                config.screen.height as f32,
            ));
    }
    if let Some(printer) = start_printer(&config, &shared) {
        // Only queues the slip: the printer's worker thread writes it (never the UI thread).
        controller.on_print(move |printout| {
            if let Err(refused) = printer.print(printout) {
                warn!(?refused, "receipt not printed");
            }
        });
    }
    shared.attach(controller.handle());
    let board = start_front_panel(&config, &controller);
    shared.update(|s| s.front_panel = Some(front_panel_status(&config, board.as_ref())));
    if let Some(snapshot) = availability {
        shared.availability(snapshot);
    }
    info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        resident_mib = resident_mib(),
        "attract screen ready"
    );
    // systemd: ready once the event loop shows the attract screen, then pings from the UI
    // thread (a frozen UI stops them and the unit's watchdog restarts the kiosk).
    slint::Timer::single_shot(Duration::ZERO, systemd::notify_ready);
    let watchdog = systemd::start_watchdog();
    let result = controller.run();

    // The event loop quit (SIGTERM, or the window closed): stop cleanly.
    systemd::notify_stopping();
    drop(watchdog);
    let had_session = controller.has_session();
    if let Some(board) = board {
        board.light().set(Light::Off);
        // Its threads stop; the GPIO pins are released (the lights go off).
        drop(board);
    }
    engine.stop_speaking();
    engine.stop_listening();
    // The session lives only in the controller's memory: dropping it forgets the person.
    drop(controller);
    info!(had_session, "session wiped");
    shutdown.cancel();
    // The sync loop's store connection ends with its task; the UI's ended with the controller.
    runtime.shutdown_timeout(Duration::from_secs(2));
    info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "store closed, kiosk stopped"
    );
    result?;
    Ok(ExitCode::SUCCESS)
}

/// This process's resident memory in MiB (Linux's `VmRSS`), for the start-up log lines.
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}

fn on_voice_report(report: VoiceReport, shared: &SharedStatus, progress: &WarmProgress) {
    let handle = *shared.handle.lock().unwrap_or_else(PoisonError::into_inner);
    match report {
        VoiceReport::Ready(status) => shared.update(|s| voice_status_into(s, &status)),
        VoiceReport::CacheProgress { done, total } => {
            progress.report(done, total);
            if done == total {
                info!(total, "prompt cache ready");
            }
        }
        VoiceReport::CannotListen(why) => {
            warn!(reason = %why, "cannot listen");
            shared.update(|s| s.microphone = Some(Err(why.to_string())));
        }
        other => {
            let Some(handle) = handle else {
                return;
            };
            match other {
                VoiceReport::Speaking(caption) => handle.speaking(caption),
                VoiceReport::DoneSpeaking { .. } => handle.done_speaking(),
                VoiceReport::Partial(text) => handle.partial(text),
                // Unsure: an empty answer, which the flow treats as not understood.
                VoiceReport::Heard { text, accepted, .. } => {
                    handle.heard(if accepted { text } else { String::new() })
                }
                VoiceReport::NoSpeech => handle.no_speech(),
                VoiceReport::MicrophoneLevel(level) => handle.test_result(if level < 0.01 {
                    "Le micro n'entend rien.".to_owned()
                } else {
                    format!("Le micro entend : niveau {} %.", (level * 100.0).round())
                }),
                _ => {}
            }
        }
    }
}

/// The front panel (`[hardware]`): its buttons and presence sensor feed the UI loop like the
/// voice's results, from the board's own thread; the light follows what the UI carries out.
/// No GPIO here: the simulated board, or none; never a failure of the kiosk.
fn start_front_panel(config: &Config, controller: &Controller) -> Option<Board> {
    let handle = controller.handle();
    let board = Board::start(
        &config.hardware,
        &config.data_dir,
        Arc::new(move |event| handle.event(event)),
    )?;
    match board.socket() {
        Some(socket) => info!(socket = %socket.display(), "front panel: simulated board"),
        None => info!(kind = ?board.kind(), "front panel ready"),
    }
    let light = board.light();
    controller.on_light(move |state| light.set(state));
    Some(board)
}

/// The supervisor screen's line for the front panel.
fn front_panel_status(config: &Config, board: Option<&Board>) -> Result<String, String> {
    use kiosk_hardware::{BoardChoice, BoardKind};
    match (board, config.hardware.board) {
        (Some(board), _) if board.kind() == BoardKind::Gpio => Ok("GPIO".to_owned()),
        (Some(board), _) => Ok(match board.socket() {
            Some(socket) => format!("simulés ({})", socket.display()),
            None => "simulés".to_owned(),
        }),
        (None, BoardChoice::None) => Ok("aucun (hardware.board = \"none\")".to_owned()),
        (None, _) => Err("pas de GPIO sur cette machine, voir le journal".to_owned()),
    }
}

/// The receipt printer of `[printer]`, on its own worker thread: its state goes to the
/// supervisor's screen and, when it changes, to the event log (a code, no personal data).
fn start_printer(config: &Config, shared: &SharedStatus) -> Option<kiosk_printer::Printer> {
    let output = config.printer.output()?;
    // Its own connection: the worker thread never waits on the UI's.
    let store = kiosk_store::Store::open(config.store_path()).ok();
    let header = store
        .as_ref()
        .and_then(|s| s.identity().ok().flatten())
        .map(|identity| identity.name);
    let settings = kiosk_printer::PrinterSettings {
        columns: config.printer.columns,
        header,
        timeout: Duration::from_secs(config.printer.timeout_seconds.max(1)),
        ..kiosk_printer::PrinterSettings::new(output)
    };
    let shared = shared.clone();
    let started = kiosk_printer::Printer::start(settings, move |state| {
        let shown = if state.is_ready() {
            Ok(state.french())
        } else {
            Err(state.french())
        };
        shared.update(|s| s.printer = Some(shown));
        if let Some(store) = &store {
            if let Err(e) = store.log_event("printer_state", state.code()) {
                warn!(error = %e, "printer state not logged");
            }
        }
    });
    match started {
        Ok(printer) => Some(printer),
        Err(e) => {
            warn!(error = %e, "printer worker not started");
            None
        }
    }
}

/// The sync loop (when enrolled) and the network probe.
fn start_background(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    shared: &SharedStatus,
    switch: CatalogSwitch,
    shutdown: CancellationToken,
) {
    {
        let shared = shared.clone();
        let shutdown = shutdown.clone();
        runtime.spawn(async move {
            loop {
                let up = network_up();
                shared.update(|s| s.network = up);
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_secs(10)) => {}
                }
            }
        });
    }
    let store = match kiosk_store::Store::open(config.store_path()) {
        Ok(store) => store,
        Err(_) => return,
    };
    let client = match crate::client_for(&store) {
        Ok(client) => client,
        Err(e) => {
            info!(reason = %e, "no sync: the kiosk is not enrolled");
            return;
        }
    };
    let store = Arc::new(Mutex::new(store));
    let data_dir = config.data_dir.clone();
    let interval = Duration::from_secs(config.sync.interval_seconds.max(1));
    let shared = shared.clone();
    runtime.spawn(async move {
        sync_loop::run(
            store,
            client,
            data_dir,
            interval,
            shutdown,
            move |report, reachable| {
                if matches!(report.catalog, CatalogOutcome::Installed { .. }) {
                    switch.installed();
                }
                if let Some(snapshot) = &report.availability {
                    shared.availability(Arc::clone(snapshot));
                }
                let now = chrono::Local::now().format("%H:%M:%S").to_string();
                shared.update(|s| {
                    s.queue_length = Some(report.remaining);
                    s.backend_reachable = Some(reachable);
                    if report.last_error.is_none() {
                        s.last_sync = Some(now);
                    }
                });
            },
        )
        .await;
    });
}
