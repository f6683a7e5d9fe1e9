//! Speaking a text: split into sentences, each played while the next is synthesized (or read
//! from the prompt cache), at the kiosk's rate and volume, stoppable at once by a touch.
//!
//! With no voice at all the speaker is text-only: it logs that once and returns
//! [`Spoken::TextOnly`]; the screen still shows every prompt.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use tracing::{info, instrument, warn};

use crate::audio::Audio;
use crate::cache::PromptCache;
use crate::models::{ModelPaths, PRODUCTION_VOICE};
use crate::synth::{
    piper_voice_language, same_language, sentences, EspeakVoice, PiperVoice, Voice,
};
use crate::VoiceError;

/// Rate and volume, adjustable by the citizen ("plus lentement").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechSettings {
    /// Default 150, slower than normal speech (plain-language guidance).
    pub words_per_minute: u32,
    /// Gain applied at playback, 1.0 = as synthesized.
    pub volume: f32,
}

impl Default for SpeechSettings {
    fn default() -> Self {
        Self {
            words_per_minute: 150,
            volume: 1.0,
        }
    }
}

/// Stops speech at once (a touch, the button); shared with the playback.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Where speech goes: a sound card, a WAV file, memory.
pub trait AudioSink {
    /// Plays one sentence, returning early if `stop` is raised.
    fn play(&mut self, audio: &Audio, stop: &StopFlag) -> Result<(), VoiceError>;
}

/// Collects what is played, for `kiosk say --out` and the tests.
#[derive(Debug, Default)]
pub struct MemorySink {
    pub audio: Option<Audio>,
    /// When the first sentence arrived.
    pub first_audio_at: Option<Instant>,
}

impl AudioSink for MemorySink {
    fn play(&mut self, audio: &Audio, _stop: &StopFlag) -> Result<(), VoiceError> {
        self.first_audio_at.get_or_insert_with(Instant::now);
        match &mut self.audio {
            Some(all) if all.sample_rate == audio.sample_rate => {
                all.samples.extend_from_slice(&audio.samples)
            }
            Some(all) => {
                let converted = audio.resampled(all.sample_rate)?;
                all.samples.extend_from_slice(&converted.samples);
            }
            None => self.audio = Some(audio.clone()),
        }
        Ok(())
    }
}

/// How a text was spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spoken {
    Played {
        sentences: usize,
        /// Sentences that needed synthesis (the others came from the cache).
        synthesized: usize,
    },
    /// Stopped by a touch or the button.
    Stopped,
    /// No voice: the text is only shown.
    TextOnly,
}

/// Which voice should speak, from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceChoice {
    /// A Piper voice folder under the models root; `None`: [`PRODUCTION_VOICE`].
    pub piper_voice: Option<String>,
    /// The language of the texts, as an espeak-ng voice name (`fr`): a Piper voice of another
    /// language is refused, and espeak-ng speaks it when no Piper voice is usable.
    pub language: String,
}

impl Default for VoiceChoice {
    fn default() -> Self {
        Self {
            piper_voice: None,
            language: "fr".to_owned(),
        }
    }
}

/// The `.onnx` of the chosen Piper voice, if it is installed and speaks the chosen language.
fn choose_piper(paths: &ModelPaths, choice: &VoiceChoice) -> Option<PathBuf> {
    let name = choice.piper_voice.as_deref().unwrap_or(PRODUCTION_VOICE);
    let Some(onnx) = paths.piper_voice(name) else {
        info!(
            voice = name,
            "Piper voice not installed (scripts/fetch-models --production)"
        );
        return None;
    };
    match piper_voice_language(&onnx) {
        Ok(spoken) if same_language(&spoken, &choice.language) => Some(onnx),
        Ok(spoken) => {
            warn!(
                voice = name,
                spoken = %spoken,
                wanted = %choice.language,
                "voix Piper {name} refusée : elle parle « {spoken} », pas « {} » / Piper voice {name} refused: it speaks {spoken}, not {}",
                choice.language,
                choice.language
            );
            None
        }
        Err(e) => {
            warn!(voice = name, error = %e, "Piper voice without a readable language: refused");
            None
        }
    }
}

pub struct Speaker {
    voice: Option<Box<dyn Voice>>,
    cache: Option<PromptCache>,
    pub settings: SpeechSettings,
}

impl Speaker {
    pub fn new(voice: Option<Box<dyn Voice>>, cache: Option<PromptCache>) -> Self {
        if voice.is_none() {
            warn!("no voice installed: text-only operation (prompts are shown, not spoken)");
        }
        Self {
            voice,
            cache,
            settings: SpeechSettings::default(),
        }
    }

    /// The voice that speaks `choice.language`: the chosen Piper voice (the production French
    /// voice unless the configuration names another) if it is installed and speaks that
    /// language, else espeak-ng's voice of that language, else none (text only). A Piper voice
    /// of another language is refused, never used: French is never read by a foreign voice.
    pub fn from_models(
        paths: &ModelPaths,
        choice: &VoiceChoice,
        cache_dir: Option<PathBuf>,
    ) -> Self {
        let language = choice.language.as_str();
        let piper = choose_piper(paths, choice).and_then(|onnx| {
            let Some(ort) = paths.onnxruntime() else {
                info!("no ONNX Runtime installed (scripts/fetch-models): no Piper voice");
                return None;
            };
            match PiperVoice::load(&onnx, &ort, paths.optimized_dir()) {
                Ok(voice) => Some(Box::new(voice) as Box<dyn Voice>),
                Err(e) => {
                    warn!(error = %e, "Piper voice unusable, trying espeak-ng");
                    None
                }
            }
        });
        let voice = piper.or_else(|| {
            EspeakVoice::available(language).then(|| {
                info!(language, "using espeak-ng's voice");
                Box::new(EspeakVoice::new(language)) as Box<dyn Voice>
            })
        });
        let cache = cache_dir.and_then(|dir| match PromptCache::open(&dir) {
            Ok(cache) => Some(cache),
            Err(e) => {
                warn!(error = %e, dir = %dir.display(), "no prompt cache");
                None
            }
        });
        Self::new(voice, cache)
    }

    /// Names the voice for people (`piper fr_FR-siwis-medium`, `espeak-ng fr`), if there is one.
    pub fn voice_label(&self) -> Option<String> {
        self.voice.as_deref().map(Voice::label)
    }

    /// The voice's id, if there is one.
    pub fn voice_id(&self) -> Option<&str> {
        self.voice.as_deref().map(Voice::id)
    }

    /// The prompt cache, if there is one.
    pub fn cache(&self) -> Option<&PromptCache> {
        self.cache.as_ref()
    }

    /// Sets the texts whose sentences the prompt cache may hold (see
    /// [`PromptCache::set_allowed`]), deleting the files of sentences no longer allowed; returns
    /// how many were deleted. Any other sentence is synthesized in memory each time it is said.
    pub fn set_cache_allowed<S: AsRef<str>>(&mut self, texts: &[S]) -> usize {
        self.cache
            .as_mut()
            .map_or(0, |cache| cache.set_allowed(texts))
    }

    /// Speaks `text` into `sink`: the next sentence is synthesized while one plays.
    #[instrument(skip_all, fields(chars = text.len()))]
    pub fn speak(
        &mut self,
        text: &str,
        sink: &mut dyn AudioSink,
        stop: &StopFlag,
    ) -> Result<Spoken, VoiceError> {
        let Some(voice) = self.voice.as_mut() else {
            info!("text only: nothing spoken");
            return Ok(Spoken::TextOnly);
        };
        let sentences = sentences(text);
        let count = sentences.len();
        let wpm = self.settings.words_per_minute;
        let volume = self.settings.volume;
        let cache = self.cache.as_ref();
        std::thread::scope(|scope| {
            // One sentence of look-ahead: synthesis runs while the previous one plays.
            let (tx, rx) = mpsc::sync_channel::<Result<(Audio, bool), VoiceError>>(1);
            scope.spawn(move || {
                for sentence in &sentences {
                    if stop.is_stopped() {
                        break;
                    }
                    let item = cached_or_synthesized(voice.as_mut(), cache, wpm, sentence);
                    if tx.send(item).is_err() {
                        break;
                    }
                }
            });
            let mut synthesized = 0;
            for item in rx {
                if stop.is_stopped() {
                    return Ok(Spoken::Stopped);
                }
                let (audio, fresh) = item?;
                synthesized += usize::from(fresh);
                sink.play(&audio.scaled(volume), stop)?;
            }
            if stop.is_stopped() {
                return Ok(Spoken::Stopped);
            }
            Ok(Spoken::Played {
                sentences: count,
                synthesized,
            })
        })
    }

    /// The whole text as one buffer (`kiosk say --out`); `None` when text-only.
    pub fn render(&mut self, text: &str) -> Result<Option<Audio>, VoiceError> {
        let mut sink = MemorySink::default();
        match self.speak(text, &mut sink, &StopFlag::default())? {
            Spoken::TextOnly => Ok(None),
            _ => Ok(sink.audio),
        }
    }

    /// Synthesizes ahead of time every sentence of `texts` missing from the cache, reporting
    /// `(done, total)` after each text; returns how many sentences were synthesized. Sentences the
    /// cache does not allow ([`Speaker::set_cache_allowed`]) are skipped.
    #[instrument(skip_all, fields(texts = texts.len()))]
    pub fn warm_cache(
        &mut self,
        texts: &[String],
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<usize, VoiceError> {
        let (Some(voice), Some(cache)) = (self.voice.as_mut(), self.cache.as_ref()) else {
            return Ok(0);
        };
        let wpm = self.settings.words_per_minute;
        let mut synthesized = 0;
        for (i, text) in texts.iter().enumerate() {
            for sentence in sentences(text) {
                if cache.allows(&sentence) && !cache.contains(voice.id(), wpm, &sentence) {
                    let audio = voice.synthesize(&sentence, wpm)?;
                    cache.put(voice.id(), wpm, &sentence, &audio)?;
                    synthesized += 1;
                }
            }
            progress(i + 1, texts.len());
        }
        Ok(synthesized)
    }
}

/// The sentence from the cache, or synthesized (and then cached if the cache allows it: a
/// sentence with an answer in it stays in memory); the flag says "synthesized".
fn cached_or_synthesized(
    voice: &mut dyn Voice,
    cache: Option<&PromptCache>,
    wpm: u32,
    sentence: &str,
) -> Result<(Audio, bool), VoiceError> {
    if let Some(audio) = cache.and_then(|c| c.get(voice.id(), wpm, sentence)) {
        return Ok((audio, false));
    }
    let audio = voice.synthesize(sentence, wpm)?;
    if let Some(cache) = cache {
        if let Err(e) = cache.put(voice.id(), wpm, sentence, &audio) {
            warn!(error = %e, "could not cache a prompt");
        }
    }
    Ok((audio, true))
}
