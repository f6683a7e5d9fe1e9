//! The kiosk's voice: speech recognition (Vosk), speech synthesis (Piper, espeak-ng), the prompt
//! cache, and turn-taking (voice activity, end of speech, half-duplex).
//!
//! Only this crate knows Vosk, Piper and ONNX Runtime; the flow runtime (`kiosk-flow`) knows
//! nothing of audio: the app turns its `Say { text }` effects into [`Speaker::speak`] and its
//! `Listen { phrases }` effects into a [`Mode::Grammar`] for the [`Recognizer`].
//!
//! # Layout
//!
//! - [`models`]: where the fetched models and runtime libraries are (`voice-models/`).
//! - [`audio`]: the [`Audio`] buffer type, WAV files and resampling to the recognizer's 16 kHz.
//! - [`recognize`]: the recognizer worker thread (a Vosk recognizer is not thread-safe): grammar
//!   and free modes, word confidences, partial results, recognizers recreated on a schedule.
//! - [`synth`]: the voices ([`PiperVoice`], the [`EspeakVoice`] fallback) and sentence splitting.
//! - [`cache`]: the prompt cache on disk, keyed by voice, rate and text.
//! - [`speaker`]: speaking a text: sentence by sentence, each played while the next is
//!   synthesized, through an [`AudioSink`]; text-only when there is no voice.
//! - [`turn`]: the turn-taking state machine, fed audio frames, a voice probability and a clock.

pub mod audio;
pub mod cache;
pub mod models;
pub mod recognize;
pub mod speaker;
pub mod synth;
pub mod turn;

pub use audio::Audio;
pub use cache::PromptCache;
pub use models::ModelPaths;
pub use recognize::{Event, Mode, Recognizer, RecognizerConfig, Utterance, Word};
pub use speaker::{AudioSink, MemorySink, Speaker, SpeechSettings, Spoken, StopFlag};
pub use synth::{EspeakVoice, PiperVoice, Voice};
pub use turn::{Turn, TurnConfig, TurnEnd, TurnStep, Vad};

/// Everything that can go wrong in the voice; the kiosk falls back to text when it does.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("model not found: {0}")]
    ModelMissing(String),
    #[error("could not load {what}: {why}")]
    Load { what: String, why: String },
    #[error("recognition failed: {0}")]
    Recognition(String),
    #[error("synthesis failed: {0}")]
    Synthesis(String),
    #[error("audio: {0}")]
    Audio(String),
    #[error("the recognizer worker stopped")]
    WorkerGone,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
