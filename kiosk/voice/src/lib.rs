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
//! - [`search`]: the decoder's search (beam, active states), narrowed for short answers.
//! - [`synth`]: the voices ([`PiperVoice`], the [`EspeakVoice`] fallback), a Piper voice's
//!   language, and sentence splitting. `espeak` (private) is the linked espeak-ng engine both use.
//! - [`cache`]: the prompt cache on disk, keyed by voice, rate and sentence; it holds only the
//!   sentences of the kiosk's fixed texts (never an answer), within a size bound.
//! - [`speaker`]: speaking a text: sentence by sentence, each played while the next is
//!   synthesized, through an [`AudioSink`]; text-only when there is no voice.
//! - [`turn`]: the turn-taking state machine, fed audio frames, a voice probability and a clock.
//! - [`device`]: the sound cards (cpal): [`Capture`] and [`Playback`] (opened by one shared
//!   helper), [`HalfDuplex`], [`list_devices`].
//! - [`listen`]: one listening turn, capture → VAD → turn-taking → recognizer
//!   ([`listen_once`]).
//!
//! # Audio devices
//!
//! Sound goes through cpal's ALSA backend (build: `libasound2-dev`). Devices are named in
//! [`AudioConfig`] by their ALSA PCM name as [`list_devices`] gives it (`default`, `pulse`, a
//! card's `sysdefault:CARD=...`), or by description; `None` is the system default. Under PulseAudio the `pulse`
//! (or `default`) device goes through ALSA's pulse plugin (`libasound2-plugins`), and the
//! `PULSE_SINK` / `PULSE_SOURCE` environment variables choose the Pulse sink and source.
//! Whatever the device's rate, format and channels, the microphone comes out as 16 kHz mono
//! `i16` and speech is resampled to the speaker's rate.
//!
//! A kiosk opens one [`HalfDuplex`], a [`Playback`] and a [`Capture`] sharing it, then per step:
//!
//! ```no_run
//! # use kiosk_voice::*;
//! # fn step(recognizer: &Recognizer, speaker: &mut Speaker) -> Result<(), VoiceError> {
//! let duplex = HalfDuplex::default();
//! let mut playback = Playback::open(&AudioConfig::default(), duplex.clone())?;
//! let capture = Capture::open(&AudioConfig::default(), duplex.clone())?;
//! let stop = StopFlag::default(); // a touch or the button: stop.stop()
//! speaker.speak("Dans quelle commune habitez-vous ?", &mut playback, &stop)?;
//! capture.clear();
//! let phrases = vec!["Duisans".to_owned(), "Arras".to_owned()];
//! let listened = listen_once(
//!     recognizer,
//!     Mode::Grammar(phrases),
//!     &TurnConfig::default(),
//!     capture.frames(),
//!     &stop,
//!     &mut |partial| println!("{partial}"),
//! )?;
//! match listened.outcome {
//!     TurnOutcome::Heard(utterance) => { /* Event::Heard(utterance.text) */ }
//!     TurnOutcome::NoSpeech => { /* Event::Silence */ }
//!     TurnOutcome::Cancelled => { /* a touch answered */ }
//! }
//! # Ok(()) }
//! ```
//!
//! What the microphone hears while the kiosk speaks, and for 300 ms after, is dropped. With no
//! device, `open` returns [`DeviceError`] (logged as a warning) and the kiosk runs text-only.

pub mod audio;
pub mod cache;
pub mod device;
mod espeak;
pub mod listen;
pub mod models;
mod onnx;
pub mod recognize;
pub mod search;
pub mod speaker;
pub mod synth;
pub mod test_rig;
pub mod turn;

pub use audio::Audio;
pub use cache::PromptCache;
pub use device::{
    list_devices, AudioConfig, Capture, DeviceError, DeviceList, HalfDuplex, Playback, Speaking,
};
pub use listen::{listen_once, Listened, TurnOutcome, TurnTiming};
pub use models::ModelPaths;
pub use recognize::{Event, Mode, Recognizer, RecognizerConfig, Utterance, Word};
pub use search::Search;
pub use speaker::{AudioSink, MemorySink, Speaker, SpeechSettings, Spoken, StopFlag, VoiceChoice};
pub use synth::{piper_voice_language, same_language, EspeakVoice, PiperVoice, Voice};
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
    #[error(transparent)]
    Device(#[from] device::DeviceError),
    #[error("the recognizer worker stopped")]
    WorkerGone,
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
