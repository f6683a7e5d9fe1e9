//! The voices: Piper (ONNX, through piper-rs) and espeak-ng as the fallback, and the splitting of a
//! text into sentences.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use tracing::{info, instrument};

use crate::audio::Audio;
use crate::VoiceError;

/// The speed, in words per minute, at which a voice speaks when left alone; the kiosk's rate is
/// expressed relative to it.
pub const NATURAL_WORDS_PER_MINUTE: f32 = 175.0;

/// A voice turns one sentence into audio.
///
/// Three implementations: [`PiperVoice`], [`EspeakVoice`], and the tests' counting fake.
pub trait Voice: Send {
    /// Names the voice in the prompt cache's keys.
    fn id(&self) -> &str;
    /// Synthesizes one sentence at `words_per_minute`.
    fn synthesize(&mut self, sentence: &str, words_per_minute: u32) -> Result<Audio, VoiceError>;
}

/// A Piper voice (`NAME.onnx` with `NAME.onnx.json` beside it).
pub struct PiperVoice {
    id: String,
    piper: piper_rs::Piper,
}

static ORT_INIT: OnceLock<Result<(), String>> = OnceLock::new();

/// Folders where Debian and Raspberry Pi OS keep `espeak-ng-data`.
const ESPEAK_DATA_PARENTS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib/arm-linux-gnueabihf",
    "/usr/share",
];

impl PiperVoice {
    /// Loads a voice; `onnxruntime` is the `libonnxruntime.so` to open (once per process).
    #[instrument(skip_all, fields(voice = %onnx.display()))]
    pub fn load(onnx: &Path, onnxruntime: &Path) -> Result<Self, VoiceError> {
        let ort = ORT_INIT.get_or_init(|| {
            ort::init_from(onnxruntime)
                .map(|builder| {
                    builder.commit();
                })
                .map_err(|e| format!("{}: {e}", onnxruntime.display()))
        });
        if let Err(why) = ort {
            return Err(VoiceError::Load {
                what: "ONNX Runtime".into(),
                why: why.clone(),
            });
        }
        // piper-rs phonemizes with espeak-ng, which needs its data folder; use the system's
        // unless the environment names one. Set before any synthesis thread starts.
        if std::env::var_os("PIPER_ESPEAKNG_DATA_DIRECTORY").is_none() {
            if let Some(parent) = ESPEAK_DATA_PARENTS
                .iter()
                .map(PathBuf::from)
                .find(|p| p.join("espeak-ng-data").is_dir())
            {
                std::env::set_var("PIPER_ESPEAKNG_DATA_DIRECTORY", parent);
            }
        }
        let config = onnx.with_extension("onnx.json");
        let started = std::time::Instant::now();
        let piper = piper_rs::Piper::new(onnx, &config).map_err(|e| VoiceError::Load {
            what: onnx.display().to_string(),
            why: e.to_string(),
        })?;
        let id = onnx
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "piper".into());
        info!(load_time = ?started.elapsed(), %id, "Piper voice loaded");
        Ok(Self { id, piper })
    }
}

impl Voice for PiperVoice {
    fn id(&self) -> &str {
        &self.id
    }

    #[instrument(skip_all, fields(voice = %self.id, chars = sentence.len()))]
    fn synthesize(&mut self, sentence: &str, words_per_minute: u32) -> Result<Audio, VoiceError> {
        let length_scale = NATURAL_WORDS_PER_MINUTE / words_per_minute.max(40) as f32;
        let (samples, rate) = self
            .piper
            .create(sentence, false, None, Some(length_scale), None, None)
            .map_err(|e| VoiceError::Synthesis(e.to_string()))?;
        Ok(Audio::new(samples, rate))
    }
}

/// The espeak-ng command: robotic, but always there on Debian and Raspberry Pi OS.
pub struct EspeakVoice {
    id: String,
    language: String,
}

impl EspeakVoice {
    /// `language` is an espeak-ng voice name such as `fr`, `en-us` or `ko`.
    pub fn new(language: &str) -> Self {
        Self {
            id: format!("espeak-ng-{language}"),
            language: language.to_owned(),
        }
    }

    /// Whether the `espeak-ng` command runs here.
    pub fn available() -> bool {
        Command::new("espeak-ng")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Voice for EspeakVoice {
    fn id(&self) -> &str {
        &self.id
    }

    #[instrument(skip_all, fields(voice = %self.id, chars = sentence.len()))]
    fn synthesize(&mut self, sentence: &str, words_per_minute: u32) -> Result<Audio, VoiceError> {
        let output = Command::new("espeak-ng")
            .args(["-v", &self.language, "-s", &words_per_minute.to_string()])
            .arg("--stdout")
            .arg("--")
            .arg(sentence)
            .output()
            .map_err(|e| VoiceError::Synthesis(format!("espeak-ng: {e}")))?;
        if !output.status.success() {
            return Err(VoiceError::Synthesis(format!(
                "espeak-ng: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Audio::from_wav_bytes(&output.stdout)
    }
}

/// Splits a text into sentences, each ending with its punctuation; a line break also ends one.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' {
            push_sentence(&mut out, &mut current);
            continue;
        }
        current.push(c);
        if matches!(c, '.' | '!' | '?' | '…') {
            // Closing punctuation stays with its sentence; a sentence ends before white space.
            while let Some(&next) = chars.peek() {
                if matches!(next, '.' | '!' | '?' | '…' | '"' | '»' | ')') {
                    current.push(next);
                    chars.next();
                } else {
                    break;
                }
            }
            if chars.peek().is_none_or(|c| c.is_whitespace()) {
                push_sentence(&mut out, &mut current);
            }
        }
    }
    push_sentence(&mut out, &mut current);
    out
}

fn push_sentence(out: &mut Vec<String>, current: &mut String) {
    let sentence = current.split_whitespace().collect::<Vec<_>>().join(" ");
    if sentence.chars().any(char::is_alphanumeric) {
        out.push(sentence);
    }
    current.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_splits_into_sentences() {
        assert_eq!(
            sentences("Bonjour. Dans quelle commune ? Dites « Duisans »!\nMerci… 3.5 euros."),
            vec![
                "Bonjour.",
                "Dans quelle commune ?",
                "Dites « Duisans »!",
                "Merci…",
                "3.5 euros."
            ]
        );
        assert!(sentences("  ... ").is_empty());
    }
}
