//! One listening turn: microphone chunks → voice activity ([`Vad`]) → turn-taking ([`Turn`]) →
//! the [`Recognizer`], with partial results for the screen and the instants the app needs to
//! measure its latency (end of speech → first audio of the next prompt).
//!
//! [`listen_once`] blocks the calling thread (the app runs it on a thread of its own) and reads
//! any `Receiver<Vec<i16>>` of 16 kHz chunks: a [`crate::Capture`]'s, or a test's.

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use tracing::{debug, info_span};

use crate::audio::RECOGNIZER_RATE;
use crate::recognize::{Event, Mode, Recognizer, Utterance};
use crate::speaker::StopFlag;
use crate::turn::{Turn, TurnConfig, TurnEnd, TurnStep, Vad};
use crate::VoiceError;

/// How a turn ended.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnOutcome {
    /// The citizen spoke; the recognizer's verdict (check [`Utterance::accepted_text`]: a
    /// rejected utterance is a misunderstanding, `Event::Heard` with nothing useful).
    Heard(Utterance),
    /// Nobody spoke before [`TurnConfig::no_speech_timeout`]: reprompt (`Event::Silence`).
    NoSpeech,
    /// The cancel flag was raised (a touch answered the step).
    Cancelled,
}

/// When things happened in a turn (the process's monotonic clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnTiming {
    /// When listening started.
    pub started: Instant,
    /// When the first voiced frame was read.
    pub speech_started: Option<Instant>,
    /// When the turn-taking decided the utterance was over (the VAD's end of speech, or the
    /// maximum length): the start of the "end of speech → next prompt" latency.
    pub speech_ended: Option<Instant>,
    /// Why the utterance ended, when there was one.
    pub end: Option<TurnEnd>,
    /// When the recognizer's final result arrived.
    pub recognized: Option<Instant>,
    /// Speech sent to the recognizer, in 16 kHz audio time (pre-roll included).
    pub speech_audio: Duration,
}

/// A turn's outcome and its timings.
#[derive(Debug, Clone, PartialEq)]
pub struct Listened {
    pub outcome: TurnOutcome,
    pub timing: TurnTiming,
}

/// With no audio at all for this long, the microphone is taken as dead.
const STALL: Duration = Duration::from_secs(5);
/// The recognizer's final result after the end of the utterance; generous for a loaded machine.
const FINAL_WAIT: Duration = Duration::from_secs(60);

/// Listens for one answer: waits for speech, feeds it to `recognizer` in `mode` until the
/// turn-taking ends it, and returns the recognizer's verdict. `frames` are 16 kHz mono chunks
/// (call [`crate::Capture::clear`] first so that old audio is not heard); `on_partial` gets
/// each partial text for display; raising `cancel` ends the turn at the next chunk.
///
/// The turn's clock is the audio itself (16 kHz samples read), so timeouts hold however late
/// the chunks arrive; a source that delivers nothing for 5 s is an error.
pub fn listen_once(
    recognizer: &Recognizer,
    mode: Mode,
    config: &TurnConfig,
    frames: &Receiver<Vec<i16>>,
    cancel: &StopFlag,
    on_partial: &mut dyn FnMut(&str),
) -> Result<Listened, VoiceError> {
    let span = info_span!(
        "listen",
        mode = match &mode {
            Mode::Grammar(p) => format!("grammar({})", p.len()),
            Mode::Free => "free".to_owned(),
        }
    );
    let _entered = span.enter();
    let mut timing = TurnTiming {
        started: Instant::now(),
        speech_started: None,
        speech_ended: None,
        end: None,
        recognized: None,
        speech_audio: Duration::ZERO,
    };
    // Results of an earlier, abandoned utterance.
    while recognizer.events().try_recv().is_ok() {}
    let mut vad = Vad::default();
    let mut turn = Turn::new(*config);
    turn.listen(Duration::ZERO);
    let mut samples_read: u64 = 0;
    let mut begun = false;
    let mut speech_samples: u64 = 0;
    let now_of =
        |samples: u64| Duration::from_micros(samples * 1_000_000 / u64::from(RECOGNIZER_RATE));

    let end = 'turn: loop {
        if cancel.is_stopped() {
            break None;
        }
        let chunk = match frames.recv_timeout(STALL) {
            Ok(chunk) => chunk,
            Err(RecvTimeoutError::Timeout) => {
                finish(recognizer, begun);
                return Err(VoiceError::Audio(
                    "the microphone delivers no audio".to_owned(),
                ));
            }
            Err(RecvTimeoutError::Disconnected) => {
                finish(recognizer, begun);
                return Err(VoiceError::Audio("the microphone is closed".to_owned()));
            }
        };
        for (frame, probability) in vad.frames(&chunk) {
            samples_read += frame.len() as u64;
            match turn.frame(&frame, probability, now_of(samples_read)) {
                TurnStep::Speech(samples) => {
                    if !begun {
                        timing.speech_started = Some(Instant::now());
                        recognizer.begin(mode.clone())?;
                        begun = true;
                        debug!(at = ?now_of(samples_read), "speech started");
                    }
                    speech_samples += samples.len() as u64;
                    recognizer.feed(samples)?;
                }
                TurnStep::Ended(end) => break 'turn Some(end),
                TurnStep::Waiting | TurnStep::Ignored => {}
            }
        }
        while let Ok(event) = recognizer.events().try_recv() {
            if let Event::Partial(text) = event {
                on_partial(&text);
            }
        }
    };
    timing.speech_audio = now_of(speech_samples);

    let Some(end) = end else {
        finish(recognizer, begun);
        debug!("turn cancelled");
        return Ok(Listened {
            outcome: TurnOutcome::Cancelled,
            timing,
        });
    };
    timing.end = Some(end);
    if end == TurnEnd::NoSpeech {
        debug!("no speech");
        return Ok(Listened {
            outcome: TurnOutcome::NoSpeech,
            timing,
        });
    }
    timing.speech_ended = Some(Instant::now());
    debug!(?end, audio = ?timing.speech_audio, "speech ended");
    recognizer.end()?;
    let deadline = Instant::now() + FINAL_WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match recognizer.events().recv_timeout(left) {
            Ok(Event::Partial(text)) => on_partial(&text),
            Ok(Event::Final(utterance)) => {
                timing.recognized = Some(Instant::now());
                debug!(accepted = utterance.accepted, "recognized");
                return Ok(Listened {
                    outcome: TurnOutcome::Heard(utterance),
                    timing,
                });
            }
            Err(RecvTimeoutError::Timeout) => {
                return Err(VoiceError::Recognition(
                    "no result from the recognizer".to_owned(),
                ))
            }
            Err(RecvTimeoutError::Disconnected) => return Err(VoiceError::WorkerGone),
        }
    }
}

/// Ends a begun utterance and waits (briefly) for its result, so that the next turn starts
/// with a quiet recognizer.
fn finish(recognizer: &Recognizer, begun: bool) {
    if !begun || recognizer.end().is_err() {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Ok(event) = recognizer
        .events()
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
    {
        if matches!(event, Event::Final(_)) {
            break;
        }
    }
}
