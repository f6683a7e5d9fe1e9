//! The voice port: what the UI asks of speech synthesis and recognition. The app
//! implements it with kiosk-voice; [`NoVoice`] does nothing and [`RecordingVoice`] keeps
//! every call for tests.
//!
//! The port lives on the UI thread. An implementation must not call the controller back
//! from inside these methods: results (heard text, end of speech) come back through
//! [`crate::ControllerHandle`], from any thread.

use std::cell::RefCell;
use std::rc::Rc;

pub trait VoicePort {
    /// Speak this text (stop what was being said first).
    fn say(&mut self, text: &str);
    fn stop_speaking(&mut self);
    /// Listen for the next answer: `phrases` is the recognition grammar, `None` free dictation.
    fn listen(&mut self, phrases: Option<Vec<String>>);
    fn stop_listening(&mut self);
    /// Speech rate, 1.0 the kiosk's normal (already slow, about 150 words a minute).
    fn set_rate(&mut self, rate: f32);
    /// Volume in percent.
    fn set_volume(&mut self, volume: u8);
    /// Supervisor: record a few seconds and report (through the handle's `test_result`).
    fn test_microphone(&mut self);
    /// Supervisor: play a test sentence.
    fn test_speaker(&mut self);
}

/// No speech at all: a kiosk with touch only, and screenshots.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoVoice;

impl VoicePort for NoVoice {
    fn say(&mut self, _: &str) {}
    fn stop_speaking(&mut self) {}
    fn listen(&mut self, _: Option<Vec<String>>) {}
    fn stop_listening(&mut self) {}
    fn set_rate(&mut self, _: f32) {}
    fn set_volume(&mut self, _: u8) {}
    fn test_microphone(&mut self) {}
    fn test_speaker(&mut self) {}
}

/// One call made to the port.
#[derive(Debug, Clone, PartialEq)]
pub enum VoiceCall {
    Say(String),
    StopSpeaking,
    Listen(Option<Vec<String>>),
    StopListening,
    Rate(f32),
    Volume(u8),
    TestMicrophone,
    TestSpeaker,
}

/// Keeps every call; clones share the log, so a test keeps one and gives one away.
#[derive(Debug, Default, Clone)]
pub struct RecordingVoice {
    calls: Rc<RefCell<Vec<VoiceCall>>>,
}

impl RecordingVoice {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn calls(&self) -> Vec<VoiceCall> {
        self.calls.borrow().clone()
    }

    /// Everything said, in order.
    pub fn said(&self) -> Vec<String> {
        self.calls
            .borrow()
            .iter()
            .filter_map(|c| match c {
                VoiceCall::Say(t) => Some(t.clone()),
                _ => None,
            })
            .collect()
    }

    /// The last grammar asked for.
    pub fn last_grammar(&self) -> Option<Option<Vec<String>>> {
        self.calls.borrow().iter().rev().find_map(|c| match c {
            VoiceCall::Listen(p) => Some(p.clone()),
            _ => None,
        })
    }

    pub fn clear(&self) {
        self.calls.borrow_mut().clear();
    }

    fn push(&self, call: VoiceCall) {
        self.calls.borrow_mut().push(call);
    }
}

impl VoicePort for RecordingVoice {
    fn say(&mut self, text: &str) {
        self.push(VoiceCall::Say(text.to_string()));
    }
    fn stop_speaking(&mut self) {
        self.push(VoiceCall::StopSpeaking);
    }
    fn listen(&mut self, phrases: Option<Vec<String>>) {
        self.push(VoiceCall::Listen(phrases));
    }
    fn stop_listening(&mut self) {
        self.push(VoiceCall::StopListening);
    }
    fn set_rate(&mut self, rate: f32) {
        self.push(VoiceCall::Rate(rate));
    }
    fn set_volume(&mut self, volume: u8) {
        self.push(VoiceCall::Volume(volume));
    }
    fn test_microphone(&mut self) {
        self.push(VoiceCall::TestMicrophone);
    }
    fn test_speaker(&mut self) {
        self.push(VoiceCall::TestSpeaker);
    }
}
