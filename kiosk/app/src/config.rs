//! `kiosk.toml`: the appliance's configuration, read by `kiosk run`.
//!
//! Every key has a default that works on a development machine (data in `.kiosk-data`, the
//! shipped flows in `flows/`, the models that `scripts/fetch-models` put in `voice-models/`), so
//! the file may be missing or hold only what differs. Relative paths are taken from the
//! configuration file's folder (from the current folder when there is no file). A mistake is
//! reported with its line and column, and unknown keys are refused, so a typo never silently
//! falls back to a default. `provisioning/kiosk.toml` is the annotated production example.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The SQLite store (outbox, identity, settings) and the prompt cache.
    pub data_dir: PathBuf,
    /// The flows to offer: a folder of `*.yaml` with its `data/` datasets.
    pub flows: PathBuf,
    /// Where `scripts/fetch-models` put the models and runtime libraries.
    pub models: PathBuf,
    pub screen: ScreenConfig,
    pub voice: VoiceConfig,
    pub supervisor: SupervisorConfig,
    pub printer: PrinterConfig,
    pub sync: SyncConfig,
    /// The front panel: which board, its GPIO pins (`hardware/README.md`).
    pub hardware: kiosk_hardware::HardwareConfig,
    /// The file this was read from; `None`: no file, the development defaults.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// The supervisor PIN of the development defaults and of the published example
/// (`provisioning/kiosk.toml`). Anyone can read it, so a kiosk configured by a file refuses it:
/// `provisioning/install-kiosk` writes a PIN of its own to every kiosk.
pub const PUBLISHED_DEFAULT_PIN: &str = "2468";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScreenConfig {
    /// Seconds without a touch or a word before "Vous êtes toujours là ?".
    pub idle_seconds: u64,
    /// Seconds of the visible countdown before the session is wiped.
    pub idle_countdown_seconds: u64,
    /// Seconds without a touch before "Vous êtes toujours là ?" once the presence sensor saw
    /// the person leave (instead of `idle_seconds`).
    pub absent_idle_seconds: u64,
    /// Window size on a desktop (the Pi's screen is used whole).
    pub width: u32,
    pub height: u32,
    /// Start with large text or high contrast (a citizen can change both during a session).
    pub large_text: bool,
    pub high_contrast: bool,
    /// Start every session in one-button mode (otherwise a long press of « Parler » or the
    /// settings panel turns it on for one visit).
    pub one_button: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceConfig {
    /// `false`: text and touch only, even when models and devices are there.
    pub enabled: bool,
    /// Speech rate; 175 is a natural pace, slower is easier to follow.
    pub words_per_minute: u32,
    /// Playback volume, 0.0 to 1.0.
    pub volume: f32,
    /// Silence that ends an answer, in milliseconds.
    pub end_of_speech_ms: u64,
    /// Seconds of listening with no speech before the question is asked again.
    pub no_speech_seconds: u64,
    /// Longest answer, in seconds.
    pub max_utterance_seconds: u64,
    /// Audio devices by ALSA name (`kiosk run --list-devices` shows them); none: the defaults.
    pub input_device: Option<String>,
    pub output_device: Option<String>,
    /// The language of the texts, as an espeak-ng voice name: a Piper voice of another language
    /// is refused, and espeak-ng's voice of this language speaks when no Piper voice is usable.
    pub fallback_language: String,
    /// The Piper voice (a folder of the models); none: the production French voice.
    pub piper_voice: Option<String>,
    /// The recognizer's search narrowed for short answers (kiosk-voice's `Search::KIOSK`,
    /// about twice as fast in free dictation); `false`: the model's own search.
    pub narrow_search: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupervisorConfig {
    /// The ambassadors' PIN (digits), asked after a long press in the top-left corner.
    pub pin: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrinterConfig {
    /// An ESC/POS thermal printer's device file (`/dev/usb/lp0`): receipts in ESC/POS, French
    /// text in code page 858. Takes precedence over `command`.
    pub device: Option<PathBuf>,
    /// A command that prints the plain text it reads on its standard input (e.g.
    /// `lp -d ticket`). Neither `device` nor `command`: no printer, and no print button.
    pub command: Option<String>,
    /// Characters per line at normal size: 32 on 58 mm paper, 48 on 80 mm.
    pub columns: usize,
    /// Seconds a receipt may take before the printer counts as not responding.
    pub timeout_seconds: u64,
}

impl Default for PrinterConfig {
    fn default() -> Self {
        Self {
            device: None,
            command: None,
            columns: 32,
            timeout_seconds: 10,
        }
    }
}

impl PrinterConfig {
    /// Where receipts go, if the kiosk has a printer.
    pub fn output(&self) -> Option<kiosk_printer::Output> {
        match (&self.device, &self.command) {
            (Some(device), _) => Some(kiosk_printer::Output::Device(device.clone())),
            (None, Some(command)) if !command.trim().is_empty() => {
                Some(kiosk_printer::Output::Command(command.clone()))
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SyncConfig {
    /// Seconds between two passes over the outbox when the back end is reachable.
    pub interval_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(".kiosk-data"),
            flows: PathBuf::from("flows"),
            models: PathBuf::from("voice-models"),
            screen: ScreenConfig::default(),
            voice: VoiceConfig::default(),
            supervisor: SupervisorConfig::default(),
            printer: PrinterConfig::default(),
            sync: SyncConfig::default(),
            hardware: kiosk_hardware::HardwareConfig::default(),
            source: None,
        }
    }
}

impl Default for ScreenConfig {
    fn default() -> Self {
        Self {
            idle_seconds: 90,
            idle_countdown_seconds: 20,
            absent_idle_seconds: 15,
            width: 1280,
            height: 800,
            large_text: false,
            high_contrast: false,
            one_button: false,
        }
    }
}

impl Default for VoiceConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            words_per_minute: 150,
            volume: 0.9,
            end_of_speech_ms: 700,
            no_speech_seconds: 8,
            max_utterance_seconds: 20,
            input_device: None,
            output_device: None,
            fallback_language: "fr".to_owned(),
            piper_voice: None,
            narrow_search: true,
        }
    }
}

impl Default for SupervisorConfig {
    fn default() -> Self {
        // A development default; provisioning/install-kiosk writes a real one per kiosk.
        Self {
            pin: PUBLISHED_DEFAULT_PIN.to_owned(),
        }
    }
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            interval_seconds: 2,
        }
    }
}

impl Config {
    /// Reads `path`; a missing file gives the defaults, relative to the current folder.
    /// `data_dir_override` (`--data-dir`, `KIOSK_DATA_DIR`) wins over the file.
    pub fn load(path: &Path, data_dir_override: Option<&Path>) -> Result<Config> {
        let _span = tracing::info_span!("config_load", path = %path.display()).entered();
        let (mut config, base) = match std::fs::read_to_string(path) {
            Ok(text) => {
                let config = Self::parse(&text)
                    .map_err(|message| anyhow::anyhow!("{}:{message}", path.display()))?;
                let base = path
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| PathBuf::from("."));
                let config = Config {
                    source: Some(path.to_path_buf()),
                    ..config
                };
                (config, base)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                tracing::info!("no configuration file: defaults");
                (Config::default(), PathBuf::from("."))
            }
            Err(e) => {
                return Err(e).with_context(|| format!("impossible de lire {}", path.display()))
            }
        };
        config.data_dir = base.join(&config.data_dir);
        config.flows = base.join(&config.flows);
        config.models = base.join(&config.models);
        if let Some(dir) = data_dir_override {
            config.data_dir = dir.to_path_buf();
        }
        Ok(config)
    }

    /// Parses the text of a configuration; the error is `line:column: message`, in French.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|span| line_column(text, span.start))
                .unwrap_or((1, 1));
            format!("{line}:{column}: {}", e.message().trim())
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), String> {
        if self.supervisor.pin.len() < 4 || !self.supervisor.pin.chars().all(|c| c.is_ascii_digit())
        {
            return Err("supervisor.pin : le code doit avoir au moins 4 chiffres".to_owned());
        }
        if !(0.0..=1.0).contains(&self.voice.volume) {
            return Err("voice.volume : entre 0.0 et 1.0".to_owned());
        }
        if !(60..=300).contains(&self.voice.words_per_minute) {
            return Err("voice.words_per_minute : entre 60 et 300".to_owned());
        }
        if self.screen.idle_seconds < 10 {
            return Err("screen.idle_seconds : 10 secondes au moins".to_owned());
        }
        if !(5..=self.screen.idle_seconds).contains(&self.screen.absent_idle_seconds) {
            return Err(format!(
                "screen.absent_idle_seconds : de 5 secondes à idle_seconds ({})",
                self.screen.idle_seconds
            ));
        }
        self.hardware.check()
    }

    /// Refuses the published default PIN in a configuration file (a kiosk), with a message in
    /// French and English for the journal. Without a file (a development machine) the default
    /// is allowed.
    pub fn refuse_published_pin(&self) -> Result<(), String> {
        match &self.source {
            Some(path) if self.supervisor.pin == PUBLISHED_DEFAULT_PIN => Err(format!(
                "{} : le code superviseur est le code publié ({PUBLISHED_DEFAULT_PIN}) ; \
                 la borne refuse de démarrer. Mettez un code propre à cette borne dans \
                 [supervisor] pin (provisioning/install-kiosk le fait). / The supervisor PIN \
                 is the published default; the kiosk refuses to start. Set a PIN of this \
                 kiosk's own in [supervisor] pin.",
                path.display()
            )),
            _ => Ok(()),
        }
    }

    pub fn idle(&self) -> Duration {
        Duration::from_secs(self.screen.idle_seconds)
    }

    pub fn idle_countdown(&self) -> Duration {
        Duration::from_secs(self.screen.idle_countdown_seconds)
    }

    /// Which voice speaks: the configured Piper voice, refused unless it speaks the texts'
    /// language, else espeak-ng's voice of that language.
    pub fn voice_choice(&self) -> kiosk_voice::VoiceChoice {
        kiosk_voice::VoiceChoice {
            piper_voice: self.voice.piper_voice.clone(),
            language: self.voice.fallback_language.clone(),
        }
    }

    pub fn absent_idle(&self) -> Duration {
        Duration::from_secs(self.screen.absent_idle_seconds)
    }

    pub fn store_path(&self) -> PathBuf {
        self.data_dir.join("kiosk.db")
    }

    pub fn prompt_cache_dir(&self) -> PathBuf {
        self.data_dir.join("prompt-cache")
    }

    /// Where the Piper voice's optimized graph is saved (kiosk-voice's `onnx.rs`).
    pub fn optimized_voice_dir(&self) -> PathBuf {
        self.data_dir.join("voice-optimized")
    }

    /// What the voice engine needs; `open_devices` false for file-only uses.
    pub fn voice_settings(&self, open_devices: bool) -> crate::voice_engine::VoiceSettings {
        let voice = &self.voice;
        crate::voice_engine::VoiceSettings {
            models: self.models.clone(),
            audio: kiosk_voice::AudioConfig {
                input: voice.input_device.clone(),
                output: voice.output_device.clone(),
            },
            cache_dir: Some(self.prompt_cache_dir()),
            optimized_dir: Some(self.optimized_voice_dir()),
            recognition_search: voice.narrow_search.then_some(kiosk_voice::Search::KIOSK),
            words_per_minute: voice.words_per_minute,
            volume: voice.volume,
            turn: kiosk_voice::TurnConfig {
                end_silence: Duration::from_millis(voice.end_of_speech_ms),
                no_speech_timeout: Duration::from_secs(voice.no_speech_seconds),
                max_utterance: Duration::from_secs(voice.max_utterance_seconds),
                ..kiosk_voice::TurnConfig::default()
            },
            voice_choice: self.voice_choice(),
            open_devices: open_devices && voice.enabled,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_gives_the_development_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config.flows, PathBuf::from("flows"));
        assert_eq!(config.voice.end_of_speech_ms, 700);
        assert!(config.voice.words_per_minute < 175, "slower than natural");
        assert!(config.printer.command.is_none());
        assert!(config.printer.output().is_none(), "no printer by default");
    }

    #[test]
    fn the_printer_is_a_device_file_or_a_command() {
        let config = Config::parse("[printer]\ndevice = \"/dev/usb/lp0\"\ncolumns = 48\n").unwrap();
        assert_eq!(
            config.printer.output(),
            Some(kiosk_printer::Output::Device("/dev/usb/lp0".into()))
        );
        assert_eq!(config.printer.columns, 48);
        let config = Config::parse("[printer]\ncommand = \"lp -d ticket\"\n").unwrap();
        assert_eq!(
            config.printer.output(),
            Some(kiosk_printer::Output::Command("lp -d ticket".into()))
        );
        assert_eq!(config.printer.timeout_seconds, 10);
    }

    #[test]
    fn a_typo_is_refused_with_its_position() {
        let err = Config::parse("[voice]\nwords_per_minut = 140\n").unwrap_err();
        assert!(err.starts_with("2:1:"), "{err}");
        assert!(err.contains("words_per_minut"), "{err}");
    }

    #[test]
    fn a_wrong_type_is_refused_with_its_position() {
        let err = Config::parse("[screen]\nidle_seconds = \"long\"\n").unwrap_err();
        assert!(err.starts_with("2:16:"), "{err}");
    }

    #[test]
    fn values_out_of_range_are_refused() {
        assert!(Config::parse("[supervisor]\npin = \"12\"\n").is_err());
        assert!(Config::parse("[voice]\nvolume = 3.0\n").is_err());
    }

    #[test]
    fn the_front_panel_pins_are_checked_and_named_by_their_key() {
        let config =
            Config::parse("[hardware]\nboard = \"simulated\"\nstatus_led_pin = 5\n").unwrap();
        assert_eq!(
            config.hardware.board,
            kiosk_hardware::BoardChoice::Simulated
        );
        assert_eq!(config.hardware.status_led_pin, 5);
        let err = Config::parse("[hardware]\nhelp_button_pin = 17\n").unwrap_err();
        assert!(err.contains("hardware.help_button_pin"), "{err}");
        let err = Config::parse("[hardware]\nboard = \"usb\"\n").unwrap_err();
        assert!(err.starts_with("2:9:"), "{err}");
        let err = Config::parse("[screen]\nabsent_idle_seconds = 200\n").unwrap_err();
        assert!(err.contains("absent_idle_seconds"), "{err}");
    }

    #[test]
    fn relative_paths_are_taken_from_the_file_folder() {
        let dir = std::env::temp_dir().join(format!("kiosk-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kiosk.toml");
        std::fs::write(&path, "flows = \"mes-parcours\"\n").unwrap();
        let config = Config::load(&path, None).unwrap();
        assert_eq!(config.flows, dir.join("mes-parcours"));
        assert_eq!(config.data_dir, dir.join(".kiosk-data"));
        let config = Config::load(&path, Some(Path::new("/tmp/ailleurs"))).unwrap();
        assert_eq!(config.data_dir, PathBuf::from("/tmp/ailleurs"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_annotated_example_is_valid_and_shows_the_defaults() {
        let example = Config::parse(include_str!("../../../provisioning/kiosk.toml")).unwrap();
        let defaults = Config::default();
        assert_eq!(
            example.voice.words_per_minute,
            defaults.voice.words_per_minute
        );
        assert_eq!(
            example.voice.end_of_speech_ms,
            defaults.voice.end_of_speech_ms
        );
        assert_eq!(example.screen.idle_seconds, defaults.screen.idle_seconds);
        assert_eq!(
            example.sync.interval_seconds,
            defaults.sync.interval_seconds
        );
        assert_eq!(example.hardware, defaults.hardware);
        assert_eq!(
            example.screen.absent_idle_seconds,
            defaults.screen.absent_idle_seconds
        );
    }

    #[test]
    fn a_missing_file_gives_the_defaults() {
        let config = Config::load(Path::new("/nonexistent/kiosk.toml"), None).unwrap();
        assert_eq!(config.supervisor.pin, "2468");
        assert!(config.source.is_none());
        assert!(
            config.refuse_published_pin().is_ok(),
            "development defaults"
        );
    }

    #[test]
    fn a_kiosk_file_with_the_published_pin_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.toml");
        std::fs::write(&path, "[supervisor]\npin = \"2468\"\n").unwrap();
        let err = Config::load(&path, None)
            .unwrap()
            .refuse_published_pin()
            .unwrap_err();
        assert!(err.contains("code publié"), "{err}");
        assert!(err.contains("published default"), "{err}");
        // A key left out takes the default PIN: refused too.
        std::fs::write(&path, "[voice]\nenabled = false\n").unwrap();
        assert!(Config::load(&path, None)
            .unwrap()
            .refuse_published_pin()
            .is_err());
        std::fs::write(&path, "[supervisor]\npin = \"804613\"\n").unwrap();
        assert!(Config::load(&path, None)
            .unwrap()
            .refuse_published_pin()
            .is_ok());
    }
}
