//! Sound cards: capture from a microphone and playback to a speaker through cpal (ALSA on Linux),
//! downmixed to mono and resampled with rubato, half-duplex.
//!
//! - [`Playback`] is an [`AudioSink`](crate::AudioSink): [`crate::Speaker::speak`] plays through
//!   it, and the [`StopFlag`](crate::StopFlag) silences it at the next device callback (a touch,
//!   the button).
//! - [`Capture`] delivers 16 kHz mono `i16` chunks over a channel to the turn-taking loop
//!   ([`crate::listen`]).
//! - [`HalfDuplex`] is shared by both: while the kiosk speaks, and for a short tail after (the
//!   device's buffer and the room's echo), what the microphone hears is dropped at the source.
//!
//! Devices are chosen by name in [`AudioConfig`] (an ALSA PCM name as [`list_devices`] shows it,
//! such as `pulse` or `default`, or a device's description); `None` is the system default. With
//! no device the constructors return [`DeviceError`] and log a warning: the kiosk then runs
//! text-only, never panics.
//!
//! # Layout
//!
//! - `open`: what both directions share: finding a device by name, choosing its configuration,
//!   building and starting its stream whatever its sample format, reporting errors.
//! - `playback`: [`Playback`]; `capture`: [`Capture`]; `duplex`: [`HalfDuplex`];
//!   `resample`: [`Downsampler`].

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::{Deserialize, Serialize};

mod capture;
mod duplex;
mod open;
mod playback;
mod resample;

pub use capture::Capture;
pub use duplex::{HalfDuplex, Speaking};
pub use open::list_devices;
pub use playback::Playback;
pub use resample::Downsampler;

/// Which sound devices the kiosk uses (its configuration); `None` is the system default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioConfig {
    /// The microphone.
    pub input: Option<String>,
    /// The speaker.
    pub output: Option<String>,
}

/// Capture or playback, in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Input => "input (microphone)",
            Direction::Output => "output (speaker)",
        })
    }
}

/// Why a sound device cannot be used; the kiosk then runs text-only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("no default audio {0} device")]
    NoDefault(Direction),
    #[error("no audio {direction} device named {name:?}")]
    NotFound { direction: Direction, name: String },
    #[error("audio {direction} device {name:?} cannot be opened: {why}")]
    Open {
        direction: Direction,
        name: String,
        why: String,
    },
    #[error("audio {direction} device {name:?} stopped: {why}")]
    Failed {
        direction: Direction,
        name: String,
        why: String,
    },
}

/// The names of the sound devices, for the supervisor's screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceList {
    /// Microphones: the names [`AudioConfig::input`] takes.
    pub inputs: Vec<String>,
    /// Speakers: the names [`AudioConfig::output`] takes.
    pub outputs: Vec<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
