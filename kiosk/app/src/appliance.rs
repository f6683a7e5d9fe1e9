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
use kiosk_ui::{Controller, ControllerHandle, Host, KioskStatus, Storage, UiConfig, VoicePort};
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
            Box::new(move |report| on_voice_report(report, &shared, &progress)),
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
        supervisor_pin: config.supervisor.pin.clone(),
        printer: config.printer.command.is_some(),
        text_size: u8::from(config.screen.large_text),
        high_contrast: config.screen.high_contrast,
        one_button: config.screen.one_button,
        volume: (config.voice.volume * 100.0).round() as u8,
        ..UiConfig::default()
    };
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
    if let Some(command) = config.printer.command.clone() {
        controller.on_print(move |receipt, text| print_receipt(&command, receipt, text));
    }
    shared.attach(controller.handle());
    info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
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

/// Prints the receipt with the configured command (the text on its standard input).
fn print_receipt(command: &str, receipt: &str, text: &str) {
    let _span = tracing::info_span!("print").entered();
    let mut parts = command.split_whitespace();
    let Some(program) = parts.next() else {
        return;
    };
    let child = std::process::Command::new(program)
        .args(parts)
        .stdin(std::process::Stdio::piped())
        .spawn();
    match child {
        Ok(mut child) => {
            if let Some(mut stdin) = child.stdin.take() {
                use std::io::Write;
                // A receipt, or a text without code (the privacy notice).
                let _ = if receipt.is_empty() {
                    writeln!(stdin, "{text}")
                } else {
                    writeln!(stdin, "{text}\n\nCode de suivi : {receipt}")
                };
            }
            let _ = child.wait();
        }
        Err(e) => warn!(error = %e, "printer command failed"),
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
