//! The intercommunal back end: the kiosk API (enrolment, sealed submissions, help calls,
//! heartbeats, status lookups), the pages for agents and administrators, the notifications
//! of new requests (email, signed webhooks), over one SQLite file, and the `backend`
//! command line.
//!
//! # Layout
//! - [`data_dir`]: the data folder: the database file and the X25519 secret key (`backend init`).
//! - [`config`]: the optional `backend.toml` (public address, cookies, SMTP, retries) and
//!   the [`config::Settings`] the server runs with.
//! - [`db`]: SQLite (WAL, `synchronous=FULL`), migrations, and one module per table group;
//!   plain synchronous functions over a `Connection`, shared by the server and the command line.
//! - [`secrets`]: device tokens, enrolment codes, receipt prefixes and their hashes;
//!   [`guesses`]: wrong enrolment codes limited per network address.
//! - [`state`]: [`state::AppState`], the one struct every handler receives.
//! - [`router`]: every route in two tables, the kiosk API's ([`router::ROUTES`]) and the
//!   pages' ([`router::PAGES`]), and [`router::app`].
//! - [`handlers`]: one module per resource of the kiosk API.
//! - [`pages`]: the pages for people (askama templates in `backend/templates`, one CSS file
//!   in `backend/static`), their sessions, CSRF checks and login throttling.
//! - [`passwords`]: argon2id hashes of the accounts' passwords.
//! - [`opened`]: the one place an opened submission's JSON is read, into
//!   `kiosk_flow::submission::Submission` (at ingest, and back from stored rows); the commune
//!   a request is filed under is its answer from the communes dataset.
//! - [`export`]: a request as JSON (its export and the webhook's payload) and as CSV.
//! - [`notify`]: the notifier, which sends the outbox's emails and signed webhooks, where
//!   the webhook policy allows ([`notify::targets`]).
//! - [`db::retention`]: retention periods and erasure (purge, an administrator's delete);
//!   [`retention_sweep`]: the daily retention sweep of `backend serve`; [`backup`]: `backend backup`.
//! - [`auth`]: the device-token extractor. [`extract`]: JSON and path extractors whose
//!   rejections are JSON [`kiosk_sync::wire::ErrorBody`]s.
//! - [`error`]: the one [`error::Error`] enum and its HTTP mapping.
//! - [`serve`]: runs the router, the notifier and the [`session_sweep`] (expired sessions, old login
//!   failures) on a listener until a shutdown future completes, with connection limits and
//!   timeouts.
//! - [`client_address`]: who is asking, behind the trusted reverse proxies.
//! - [`cookie_key`]: the key signing the login form's token and the device cookie.
//! - [`rate_limit`]: in-memory limits per key (receipt status look-ups per kiosk).
//! - [`cli`]: the `backend` command line (`main.rs` only parses and calls it);
//!   [`flow_cmd`]: its `flow publish|list|retire`; [`help_calls_cmd`]: its `help-calls`.
//! - [`publish`]: checking a publication (flow checker, growing versions, kiosks) for the
//!   page and the command line; [`flow_titles`]: a flow's title for people;
//!   [`known_flows`]: every flow the back end knows, loaded (shipped and published).
//! - [`open311`]: Open311 GeoReport v2 under `/open311/v2/` (reports, public and posted);
//!   [`open311_cmd`]: `backend open311 key add|list|revoke`.
//!
//! The wire types all come from `kiosk_sync::wire`, and the submission from
//! `kiosk_flow::submission`: this crate never redefines them.

pub mod auth;
pub mod backup;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod cookie_key;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod flow_cmd;
pub mod flow_titles;
pub mod guesses;
pub mod handlers;
pub mod help_calls_cmd;
pub mod known_flows;
pub mod notify;
pub mod open311;
pub mod open311_cmd;
pub mod opened;
pub mod pages;
pub mod passwords;
pub mod publish;
pub mod rate_limit;
pub mod resource_cmd;
pub mod retention_sweep;
pub mod router;
pub mod secrets;
pub mod serve;
pub mod session_sweep;
pub mod state;
