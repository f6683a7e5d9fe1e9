//! Turn-taking: when the citizen starts and stops speaking, and what the microphone hears while
//! the kiosk speaks (nothing: half-duplex).
//!
//! [`Turn`] is a pure state machine: it is fed 16 ms frames of 16 kHz audio with the voice
//! probability [`Vad`] gives them and a clock value, and says what to do with each frame. No
//! thread, no sleep, no device: tests drive it with made-up frames and times.

use std::collections::VecDeque;
use std::time::Duration;

/// Samples in one frame: 16 ms at 16 kHz, what earshot takes.
pub const FRAME: usize = 256;
const FRAME_TIME: Duration = Duration::from_millis(16);

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TurnConfig {
    /// Silence that ends an utterance (default 0.7 s).
    pub end_silence: Duration,
    /// With no speech for this long after the prompt, the kiosk reprompts.
    pub no_speech_timeout: Duration,
    /// An utterance is cut after this long.
    pub max_utterance: Duration,
    /// A frame is voice at or above this probability.
    pub threshold: f32,
    /// Audio kept from before the first voiced frame, so the recognizer hears the whole first word.
    pub pre_roll: Duration,
}

impl Default for TurnConfig {
    fn default() -> Self {
        Self {
            end_silence: Duration::from_millis(700),
            no_speech_timeout: Duration::from_secs(8),
            max_utterance: Duration::from_secs(15),
            threshold: 0.5,
            pre_roll: Duration::from_millis(320),
        }
    }
}

/// Why a turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnEnd {
    /// The citizen spoke, then was silent for `end_silence`: recognize.
    EndOfSpeech,
    /// Nobody spoke: reprompt.
    NoSpeech,
    /// The utterance reached `max_utterance`: recognize what there is.
    MaxLength,
}

/// What to do with a frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TurnStep {
    /// The kiosk is speaking or not listening: drop the frame.
    Ignored,
    /// Listening, no speech yet.
    Waiting,
    /// Feed these samples to the recognizer (the pre-roll comes with the first voiced frame).
    Speech(Vec<i16>),
    /// End the utterance.
    Ended(TurnEnd),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Idle,
    KioskSpeaking,
    Listening {
        since: Duration,
    },
    InSpeech {
        started: Duration,
        last_voice: Duration,
    },
}

#[derive(Debug)]
pub struct Turn {
    config: TurnConfig,
    phase: Phase,
    pre_roll: VecDeque<Vec<i16>>,
}

impl Turn {
    pub fn new(config: TurnConfig) -> Self {
        Self {
            config,
            phase: Phase::Idle,
            pre_roll: VecDeque::new(),
        }
    }

    /// The kiosk starts speaking: the microphone is ignored until [`Turn::listen`].
    pub fn kiosk_speaks(&mut self) {
        self.phase = Phase::KioskSpeaking;
        self.pre_roll.clear();
    }

    /// The prompt is over (or was stopped): listen from `now`.
    pub fn listen(&mut self, now: Duration) {
        self.phase = Phase::Listening { since: now };
        self.pre_roll.clear();
    }

    /// A touch or the button: returns true if speech must stop now. Touch answers the step, so
    /// the turn goes back to idle either way.
    pub fn touch(&mut self) -> bool {
        let was_speaking = self.phase == Phase::KioskSpeaking;
        self.phase = Phase::Idle;
        self.pre_roll.clear();
        was_speaking
    }

    pub fn is_listening(&self) -> bool {
        matches!(self.phase, Phase::Listening { .. } | Phase::InSpeech { .. })
    }

    /// One frame of microphone audio, its voice probability and the time at its end.
    pub fn frame(&mut self, frame: &[i16], voice_probability: f32, now: Duration) -> TurnStep {
        let voiced = voice_probability >= self.config.threshold;
        match self.phase {
            Phase::Idle | Phase::KioskSpeaking => TurnStep::Ignored,
            Phase::Listening { since } => {
                if voiced {
                    self.phase = Phase::InSpeech {
                        started: now,
                        last_voice: now,
                    };
                    let mut samples: Vec<i16> = self.pre_roll.drain(..).flatten().collect();
                    samples.extend_from_slice(frame);
                    TurnStep::Speech(samples)
                } else if now.saturating_sub(since) >= self.config.no_speech_timeout {
                    self.phase = Phase::Idle;
                    self.pre_roll.clear();
                    TurnStep::Ended(TurnEnd::NoSpeech)
                } else {
                    self.pre_roll.push_back(frame.to_vec());
                    let keep = (self.config.pre_roll.as_millis() / FRAME_TIME.as_millis()) as usize;
                    while self.pre_roll.len() > keep {
                        self.pre_roll.pop_front();
                    }
                    TurnStep::Waiting
                }
            }
            Phase::InSpeech {
                started,
                last_voice,
            } => {
                let last_voice = if voiced { now } else { last_voice };
                if now.saturating_sub(started) >= self.config.max_utterance {
                    self.phase = Phase::Idle;
                    TurnStep::Ended(TurnEnd::MaxLength)
                } else if now.saturating_sub(last_voice) >= self.config.end_silence {
                    self.phase = Phase::Idle;
                    TurnStep::Ended(TurnEnd::EndOfSpeech)
                } else {
                    self.phase = Phase::InSpeech {
                        started,
                        last_voice,
                    };
                    TurnStep::Speech(frame.to_vec())
                }
            }
        }
    }
}

/// Voice activity detection (earshot): cuts 16 kHz audio into [`FRAME`]s and scores each.
pub struct Vad {
    detector: earshot::Detector,
    pending: Vec<i16>,
}

impl Default for Vad {
    fn default() -> Self {
        Self {
            detector: earshot::Detector::default(),
            pending: Vec::with_capacity(FRAME * 2),
        }
    }
}

impl Vad {
    /// The complete frames in `samples` (with what was left from the last call), each with its
    /// voice probability.
    pub fn frames(&mut self, samples: &[i16]) -> Vec<(Vec<i16>, f32)> {
        self.pending.extend_from_slice(samples);
        let mut out = Vec::new();
        let whole = self.pending.len() / FRAME * FRAME;
        for frame in self.pending[..whole].chunks_exact(FRAME) {
            let p = self.detector.predict_i16(frame);
            out.push((frame.to_vec(), p));
        }
        self.pending.drain(..whole);
        out
    }

    pub fn reset(&mut self) {
        self.detector.reset();
        self.pending.clear();
    }
}

/// The duration of one frame, for clocks driven by sample counts.
pub fn frame_time() -> Duration {
    FRAME_TIME
}

#[cfg(test)]
mod tests {
    use super::*;

    const SILENT: [i16; FRAME] = [0; FRAME];
    const LOUD: [i16; FRAME] = [1000; FRAME];

    /// Feeds `n` frames of probability `p` from time `*t`, returning the steps.
    fn run(turn: &mut Turn, n: usize, p: f32, t: &mut Duration) -> Vec<TurnStep> {
        (0..n)
            .map(|_| {
                *t += FRAME_TIME;
                let frame = if p >= 0.5 { &LOUD } else { &SILENT };
                turn.frame(frame, p, *t)
            })
            .collect()
    }

    #[test]
    fn speech_then_silence_ends_the_utterance_after_the_configured_silence() {
        let mut turn = Turn::new(TurnConfig::default());
        let mut t = Duration::ZERO;
        turn.listen(t);
        assert!(run(&mut turn, 10, 0.0, &mut t)
            .iter()
            .all(|s| *s == TurnStep::Waiting));
        let speech = run(&mut turn, 50, 0.9, &mut t);
        // The first voiced frame brings the pre-roll with it.
        assert_eq!(
            speech[0],
            TurnStep::Speech(std::iter::repeat_n(0, 10 * FRAME).chain(LOUD).collect())
        );
        assert!(speech[1..].iter().all(|s| matches!(s, TurnStep::Speech(_))));
        let silence = run(&mut turn, 60, 0.0, &mut t);
        let end = silence
            .iter()
            .position(|s| *s == TurnStep::Ended(TurnEnd::EndOfSpeech))
            .expect("end of speech");
        // 0.7 s of 16 ms frames: the 44th silent frame.
        assert_eq!(end, 43);
        assert!(silence[end + 1..].iter().all(|s| *s == TurnStep::Ignored));
    }

    #[test]
    fn a_short_pause_does_not_end_the_utterance() {
        let mut turn = Turn::new(TurnConfig::default());
        let mut t = Duration::ZERO;
        turn.listen(t);
        run(&mut turn, 20, 0.9, &mut t);
        let pause = run(&mut turn, 30, 0.1, &mut t); // 0.48 s
        assert!(pause.iter().all(|s| matches!(s, TurnStep::Speech(_))));
        assert!(matches!(
            run(&mut turn, 1, 0.9, &mut t)[0],
            TurnStep::Speech(_)
        ));
    }

    #[test]
    fn nobody_speaking_times_out_for_a_reprompt() {
        let config = TurnConfig {
            no_speech_timeout: Duration::from_secs(2),
            ..TurnConfig::default()
        };
        let mut turn = Turn::new(config);
        let mut t = Duration::from_secs(100);
        turn.listen(t);
        let steps = run(&mut turn, 200, 0.0, &mut t);
        let end = steps
            .iter()
            .position(|s| *s == TurnStep::Ended(TurnEnd::NoSpeech))
            .expect("timeout");
        assert_eq!(end, 124); // 2 s / 16 ms = 125th frame
    }

    #[test]
    fn an_endless_utterance_is_cut() {
        let config = TurnConfig {
            max_utterance: Duration::from_secs(1),
            ..TurnConfig::default()
        };
        let mut turn = Turn::new(config);
        let mut t = Duration::ZERO;
        turn.listen(t);
        let steps = run(&mut turn, 100, 0.9, &mut t);
        assert_eq!(steps[63], TurnStep::Ended(TurnEnd::MaxLength));
    }

    #[test]
    fn the_microphone_is_ignored_while_the_kiosk_speaks_and_a_touch_stops_the_speech() {
        let mut turn = Turn::new(TurnConfig::default());
        let mut t = Duration::ZERO;
        turn.kiosk_speaks();
        assert!(run(&mut turn, 100, 0.9, &mut t)
            .iter()
            .all(|s| *s == TurnStep::Ignored));
        assert!(turn.touch(), "a touch during speech stops it");
        assert!(!turn.touch(), "nothing to stop afterwards");
        turn.listen(t);
        assert!(turn.is_listening());
        assert!(matches!(
            run(&mut turn, 1, 0.9, &mut t)[0],
            TurnStep::Speech(_)
        ));
    }

    #[test]
    fn vad_cuts_frames_across_calls_and_hears_silence_as_silence() {
        let mut vad = Vad::default();
        assert!(vad.frames(&[0; 200]).is_empty());
        let frames = vad.frames(&[0; 400]);
        assert_eq!(frames.len(), 2);
        assert!(frames.iter().all(|(f, p)| f.len() == FRAME && *p < 0.5));
    }
}
