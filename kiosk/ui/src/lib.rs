//! The kiosk's touchscreen UI (Slint) and its host of the kiosk machine.
//!
//! - `ui/`: the .slint pages and components, with a `Theme` global (sizes, colours, text
//!   size and contrast switchable at run time) and a `Kiosk` global (what Rust shows,
//!   what the screens send back).
//! - [`Controller`]: the Slint host of the kiosk machine (`kiosk_flow::machine`) on the UI
//!   thread: lays out its views, carries out its effects (voice port, timer, the shared
//!   storage and network adapter `kiosk_host::Host`); [`ControllerHandle`] posts voice
//!   results, status and late answers from other threads.
//! - [`render_flow_screenshots`]: every screen of a flow as PNG, headless.

#[allow(clippy::all, clippy::unwrap_used, unused, unsafe_code)]
mod generated {
    slint::include_modules!();
}

pub mod controller;
pub mod headless;
pub mod layouts;
pub mod pictograms;
mod render;
pub mod screenshots;
pub mod status;
pub mod voice;

pub use controller::{
    Controller, ControllerHandle, Host, Light, Storage, UiConfig, UiError, SAMPLE_RECEIPT,
};
pub use generated::{Focus, InputKind, Kiosk, KioskWindow, Page, Theme};
pub use screenshots::{render_flow_screenshots, ScreenshotOptions};
pub use status::KioskStatus;
pub use voice::{NoVoice, RecordingVoice, VoiceCall, VoicePort};
