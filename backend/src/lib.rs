//! The intercommunal back end: the kiosk API (enrolment, sealed submissions, help calls,
//! heartbeats, status lookups) over one SQLite file, and the `backend` command line.
//!
//! # Layout
//! - [`data_dir`]: the data folder: the database file and the X25519 secret key (`backend init`).
//! - [`db`]: SQLite (WAL, `synchronous=FULL`), migrations, and one module per table group;
//!   plain synchronous functions over a `Connection`, shared by the server and the command line.
//! - [`secrets`]: device tokens, enrolment codes, receipt prefixes and their hashes.
//! - [`state`]: [`state::AppState`], the one struct every handler receives.
//! - [`router`]: every route in one table ([`router::ROUTES`]) and [`router::app`].
//! - [`handlers`]: one module per resource of the kiosk API.
//! - [`auth`]: the device-token extractor. [`extract`]: JSON and path extractors whose
//!   rejections are JSON [`kiosk_sync::wire::ErrorBody`]s.
//! - [`error`]: the one [`error::Error`] enum and its HTTP mapping.
//! - [`serve`]: runs the router on a listener until a shutdown future completes.
//! - [`cli`]: the `backend` command line (`main.rs` only parses and calls it).
//!
//! The wire types all come from `kiosk_sync::wire`: this crate never redefines them.

pub mod auth;
pub mod cli;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod router;
pub mod secrets;
pub mod serve;
pub mod state;
