//! The flow language and its runtime: what the kiosk plays, with no I/O.
//!
//! A flow is a YAML file written by an administrator (specified in `flows/README.md`).
//! This crate loads and checks flows, plays them as a pure state machine (events in,
//! effects out), and understands French answers. It has no tokio, no SQLite, no Slint,
//! no filesystem and no clock: the kiosk, the simulator, the back end and the tests all
//! drive it the same way.
//!
//! # Layout
//! - [`booking`]: resources' bookings and the availability snapshot (shared with the back end).
//! - [`calendar`]: French public holidays and the days a date question accepts.
//! - [`model`]: the checked flow (steps, questions, options) and answer values.
//! - [`load`]: YAML to [`model::Flow`] with every [`diagnostic::Diagnostic`] at once.
//! - [`form`]: a flow filled in at once (another channel's request), checked as at the kiosk.
//! - [`expr`], [`template`]: the `when` condition language and `{answer}` texts.
//! - [`plain_language`]: FALC warnings.
//! - [`privacy`]: the information notice on personal data (service template and flow's part).
//! - [`understand`]: French answers and global commands.
//! - [`receipt`]: receipt codes (alphabet, canonical form, spelling).
//! - [`runtime`]: the session state machine.
//! - [`submission`]: the typed submission the kiosk seals and the back end opens.
//! - [`menu`]: the home menu built from installed flows.
//! - [`machine`]: the whole kiosk (attract, menu, sessions, idle, lookup, supervisor) as one
//!   pure machine that every host drives.

pub mod booking;
pub mod calendar;
pub mod diagnostic;
pub mod expr;
pub mod form;
pub mod ids;
pub mod letters;
pub mod load;
pub mod machine;
pub mod menu;
pub mod model;
pub mod plain_language;
pub mod privacy;
pub mod receipt;
pub mod runtime;
pub mod submission;
pub mod template;
pub mod understand;
pub mod vocabulary;

pub use diagnostic::{Diagnostic, Severity};
pub use load::{
    load_dataset, load_dataset_bytes, load_flow, load_flow_bytes, load_flow_bytes_with,
    load_flow_with, load_flow_within, load_service_notice, load_service_notice_bytes, Dataset,
    Datasets, Limits, Loaded, ServiceNotices,
};
pub use model::{Flow, Value};
