//! The kiosk's touchscreen UI (Slint) and the session controller that drives it.
//!
//! - `ui/`: the .slint pages and components, with a `Theme` global (sizes, colours, text
//!   size and contrast switchable at run time) and a `Kiosk` global (what Rust shows,
//!   what the screens send back).
//! - [`Controller`]: owns the flow session, the store, the voice port and the idle
//!   timer, on the UI thread; [`ControllerHandle`] posts voice results and status from
//!   other threads.
//! - [`render_flow_screenshots`]: every screen of a flow as PNG, headless.

#[allow(clippy::all, clippy::unwrap_used, unused, unsafe_code)]
mod generated {
    slint::include_modules!();
}

pub mod controller;
pub mod headless;
pub mod layouts;
pub mod pictograms;
pub mod screenshots;
pub mod status;
pub mod voice;

pub use controller::{Controller, ControllerHandle, Storage, UiConfig, UiError, SAMPLE_RECEIPT};
pub use generated::{InputKind, Kiosk, KioskWindow, Page, Theme};
pub use screenshots::{render_flow_screenshots, ScreenshotOptions};
pub use status::KioskStatus;
pub use voice::{NoVoice, RecordingVoice, VoiceCall, VoicePort};
