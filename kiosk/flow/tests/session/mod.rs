//! What the session tests share: events sent the way the kiosk sends them, and what the
//! effects said and submitted. Each test file uses some of these.
#![allow(dead_code)]

use kiosk_flow::runtime::{Effect, Event, Session, Submission};

pub fn heard(s: &mut Session, text: &str) -> Vec<Effect> {
    s.handle(Event::Heard(text.to_string()))
}

pub fn touched(s: &mut Session, id: &str) -> Vec<Effect> {
    s.handle(Event::Touched(id.to_string()))
}

/// Every sentence said, joined with " | ".
pub fn said(effects: &[Effect]) -> String {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Say { text } => Some(text.as_str()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

pub fn submission(effects: &[Effect]) -> Option<&Submission> {
    effects.iter().find_map(|e| match e {
        Effect::Submit(s) => Some(s),
        _ => None,
    })
}
