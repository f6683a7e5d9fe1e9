//! The status light: what state the kiosk is in, and how the LED shows it.
//!
//! The host derives the state from what it already carries out ([`LightFollower`]): the
//! machine's effects (`Show`, `Say`, `Listen`, `Hush`) and the voice's reports (done speaking,
//! heard, nothing heard). No new effect: the light only mirrors what the kiosk visibly does,
//! and the machine decides nothing new for it.
//!
//! | state | when | the status LED | the « Parler » lamp |
//! | --- | --- | --- | --- |
//! | [`Light::Idle`] | the attract screen, waiting for someone | a short flash every 2 s | lit |
//! | [`Light::Listening`] | the kiosk listens for an answer | steady | lit |
//! | [`Light::Speaking`] | the kiosk speaks | slow blink, 1 per second | lit |
//! | [`Light::Error`] | the kiosk cannot hear (no microphone or model): touch only | double flash | off |
//! | [`Light::Off`] | the kiosk is not running | off | off |

use kiosk_flow::machine::{KioskEffect, PageView};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The state the status light shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Light {
    Off,
    Idle,
    Listening,
    Speaking,
    Error,
}

impl Light {
    const ALL: [Light; 5] = [
        Light::Off,
        Light::Idle,
        Light::Listening,
        Light::Speaking,
        Light::Error,
    ];

    /// Whether the status LED is on at `elapsed` since this state began: a pure function of
    /// time, so that the pattern is tested without hardware.
    pub fn is_on(self, elapsed: Duration) -> bool {
        let ms = |period: u64| (elapsed.as_millis() % u128::from(period)) as u64;
        match self {
            Light::Off => false,
            // A heartbeat: alive, waiting.
            Light::Idle => ms(2000) < 150,
            Light::Listening => true,
            Light::Speaking => ms(1000) < 500,
            // Two quick flashes, then a pause: something needs an ambassador.
            Light::Error => matches!(ms(1000), 0..=149 | 300..=449),
        }
    }

    /// Whether the lamp in « Parler » is lit: the button does something now.
    pub fn talk_lamp(self) -> bool {
        !matches!(self, Light::Off | Light::Error)
    }

    /// The name the simulated board answers (`led`).
    pub fn name(self) -> &'static str {
        match self {
            Light::Off => "off",
            Light::Idle => "idle",
            Light::Listening => "listening",
            Light::Speaking => "speaking",
            Light::Error => "error",
        }
    }

    fn index(self) -> u8 {
        Light::ALL.iter().position(|l| *l == self).unwrap_or(0) as u8
    }
}

/// The light shared between the host (which sets it) and the board's thread (which shows it).
#[derive(Debug, Clone, Default)]
pub struct LightSwitch {
    state: Arc<AtomicU8>,
}

impl LightSwitch {
    pub fn set(&self, light: Light) {
        self.state.store(light.index(), Ordering::Relaxed);
    }

    pub fn get(&self) -> Light {
        Light::ALL
            .get(usize::from(self.state.load(Ordering::Relaxed)))
            .copied()
            .unwrap_or(Light::Off)
    }
}

/// Derives the light from what the host carries out.
#[derive(Debug, Clone)]
pub struct LightFollower {
    attract: bool,
    hearing: bool,
    /// Sentences given to the voice and not yet reported said.
    speaking: u32,
    listening: bool,
}

impl Default for LightFollower {
    fn default() -> Self {
        LightFollower {
            attract: true,
            hearing: true,
            speaking: 0,
            listening: false,
        }
    }
}

impl LightFollower {
    pub fn new() -> Self {
        Self::default()
    }

    /// An effect of the machine, as the host carries it out.
    pub fn effect(&mut self, effect: &KioskEffect) {
        match effect {
            KioskEffect::Show(view) => {
                self.attract = matches!(view.page, PageView::Attract { .. });
                self.hearing = view.hearing;
            }
            KioskEffect::Say { .. } => self.speaking += 1,
            KioskEffect::Listen { .. } => self.listening = true,
            KioskEffect::Hush => {
                self.speaking = 0;
                self.listening = false;
            }
            _ => {}
        }
    }

    /// The voice said a sentence (or was stopped, or has no voice).
    pub fn done_speaking(&mut self) {
        self.speaking = self.speaking.saturating_sub(1);
    }

    /// The voice heard an answer, or nothing before its timeout: listening is over.
    pub fn done_listening(&mut self) {
        self.listening = false;
    }

    pub fn light(&self) -> Light {
        if !self.hearing {
            Light::Error
        } else if self.speaking > 0 {
            Light::Speaking
        } else if self.attract {
            // The attract screen listens for a greeting all the time: that is waiting.
            Light::Idle
        } else if self.listening {
            Light::Listening
        } else {
            Light::Idle
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The share of time the LED is on over `period`, sampled every millisecond.
    fn duty(light: Light, period: u64) -> f64 {
        (0..period).filter(|t| light.is_on(ms(*t))).count() as f64 / period as f64
    }

    #[test]
    fn each_state_has_its_own_pattern() {
        assert_eq!(duty(Light::Off, 4000), 0.0);
        assert_eq!(duty(Light::Listening, 4000), 1.0);
        assert!((duty(Light::Speaking, 4000) - 0.5).abs() < 0.01);
        assert!(duty(Light::Idle, 4000) < 0.1);
        assert!((duty(Light::Error, 4000) - 0.3).abs() < 0.01);
        // Idle: one flash per 2 s; error: two per second.
        let flashes = |light: Light, period: u64| {
            (1..period)
                .filter(|t| light.is_on(ms(*t)) && !light.is_on(ms(t - 1)))
                .count()
        };
        assert_eq!(flashes(Light::Idle, 4001), 2);
        assert_eq!(flashes(Light::Error, 2001), 4);
        assert!(Light::Listening.talk_lamp() && !Light::Error.talk_lamp());
    }

    #[test]
    fn the_switch_carries_every_state() {
        let switch = LightSwitch::default();
        assert_eq!(switch.get(), Light::Off);
        for light in Light::ALL {
            switch.clone().set(light);
            assert_eq!(switch.get(), light);
        }
    }
}
