//! The kiosk's front panel (`hardware/README.md`): the big illuminated « Parler » button, the
//! « Aide » button, the status light and the presence sensor.
//!
//! It decides nothing: it turns levels on pins into the machine's events
//! ([`KioskEvent::Button`], [`KioskEvent::Presence`]) and shows the light the host derives from
//! the machine's effects ([`LightFollower`]). What a press means is decided in
//! `kiosk_flow::machine`.
//!
//! # Layout
//! - `config`: the `[hardware]` section of `kiosk.toml` (pins, which board);
//! - `light`: the light's states, their blink patterns (a pure function of time) and the
//!   follower that derives the state from the machine's effects;
//! - `input`: debounce, short and long presses, presence, as pure state machines of time;
//! - `board`: the board the host starts: real GPIO, simulated, or none;
//! - `simulated`: the simulated board, driven over a Unix socket;
//! - `gpio`: the real board on rppal (feature `gpio`).
//!
//! [`KioskEvent::Button`]: kiosk_flow::machine::KioskEvent::Button
//! [`KioskEvent::Presence`]: kiosk_flow::machine::KioskEvent::Presence

mod board;
mod config;
#[cfg(feature = "gpio")]
mod gpio;
mod input;
mod light;
mod simulated;

pub use board::{Board, BoardKind, EventSink};
pub use config::{BoardChoice, HardwareConfig};
pub use input::{ButtonTracker, PanelLevels, PanelReader, PresenceTracker};
pub use light::{Light, LightFollower, LightSwitch};
pub use simulated::{SimulatedBoard, SOCKET_NAME};
