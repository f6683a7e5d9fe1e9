//! The voices: Piper (ONNX, through piper-rs) and espeak-ng (the linked library) as the fallback,
//! the language of a Piper voice, and the splitting of a text into sentences.

use std::path::Path;

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
    /// Names the voice for people: `piper fr_FR-siwis-medium`, `espeak-ng fr`.
    fn label(&self) -> String {
        self.id().to_owned()
    }
}

/// A Piper voice (`NAME.onnx` with `NAME.onnx.json` beside it).
pub struct PiperVoice {
    id: String,
    piper: piper_rs::Piper,
}

/// The language a Piper voice speaks, from its `.onnx.json`: `espeak.voice` (`fr`, `en-us`),
/// else `language.code` (`fr_FR`).
pub fn piper_voice_language(onnx: &Path) -> Result<String, VoiceError> {
    let config = onnx.with_extension("onnx.json");
    let load_error = |why: String| VoiceError::Load {
        what: config.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(&config).map_err(|e| load_error(e.to_string()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| load_error(e.to_string()))?;
    json.pointer("/espeak/voice")
        .or_else(|| json.pointer("/language/code"))
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| load_error("neither espeak.voice nor language.code".to_owned()))
}

/// Whether a voice's language (`fr`, `fr-be`, `fr_FR`) is `language` (`fr`): the same primary
/// subtag.
pub fn same_language(voice_language: &str, language: &str) -> bool {
    let primary = |l: &str| {
        l.split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    primary(voice_language) == primary(language)
}

impl PiperVoice {
    /// Loads a voice; `onnxruntime` is the `libonnxruntime.so` to open (once per process). With
    /// `optimized_dir`, ONNX Runtime's graph optimizations are done once and saved there
    /// (`onnx.rs`): later loads take a third of the time.
    #[instrument(skip_all, fields(voice = %onnx.display()))]
    pub fn load(
        onnx: &Path,
        onnxruntime: &Path,
        optimized_dir: Option<&Path>,
    ) -> Result<Self, VoiceError> {
        crate::onnx::init(onnxruntime)?;
        // piper-rs phonemizes with espeak-ng, which needs its data folder.
        crate::espeak::locate_data();
        let config_path = onnx.with_extension("onnx.json");
        let load_error = |why: String| VoiceError::Load {
            what: onnx.display().to_string(),
            why,
        };
        let config: piper_rs::ModelConfig = std::fs::read(&config_path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| serde_json::from_slice(&bytes).map_err(|e| e.to_string()))
            .map_err(|why| load_error(format!("{}: {why}", config_path.display())))?;
        let started = std::time::Instant::now();
        let session = crate::onnx::session(onnx, onnxruntime, optimized_dir)?;
        let piper = piper_rs::Piper::from_session(session, config);
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

    fn label(&self) -> String {
        format!("piper {}", self.id)
    }

    #[instrument(skip_all, fields(voice = %self.id, chars = sentence.len()))]
    fn synthesize(&mut self, sentence: &str, words_per_minute: u32) -> Result<Audio, VoiceError> {
        let length_scale = NATURAL_WORDS_PER_MINUTE / words_per_minute.max(40) as f32;
        // Piper phonemizes with the one espeak-ng engine.
        let _espeak = crate::espeak::lock();
        let (samples, rate) = self
            .piper
            .create(sentence, false, None, Some(length_scale), None, None)
            .map_err(|e| VoiceError::Synthesis(e.to_string()))?;
        Ok(Audio::new(samples, rate))
    }
}

/// espeak-ng's own voice, synthesized by the linked library (the one Piper phonemizes with):
/// robotic, but it needs only `espeak-ng-data`, there on Debian and Raspberry Pi OS.
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

    /// Whether espeak-ng runs here (its data folder found) with a voice named `language`.
    pub fn available(language: &str) -> bool {
        crate::espeak::has_voice(language)
    }
}

impl Voice for EspeakVoice {
    fn id(&self) -> &str {
        &self.id
    }

    fn label(&self) -> String {
        format!("espeak-ng {}", self.language)
    }

    #[instrument(skip_all, fields(voice = %self.id, chars = sentence.len()))]
    fn synthesize(&mut self, sentence: &str, words_per_minute: u32) -> Result<Audio, VoiceError> {
        let (samples, rate) = crate::espeak::synthesize(&self.language, sentence, words_per_minute)
            .map_err(|e| VoiceError::Synthesis(format!("espeak-ng: {e}")))?;
        Ok(Audio::new(
            samples.iter().map(|s| f32::from(*s) / 32768.0).collect(),
            rate,
        ))
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
