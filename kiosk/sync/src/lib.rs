//! Kiosk ↔ back end: the wire protocol, sealing, and (in `client`) the sync client.
//!
//! # Layout
//! - [`wire`]: every JSON body and path of the kiosk API, shared by the kiosk and the
//!   back end so that both sides always agree.
//! - [`client`]: one method per endpoint, each answer classified (deliver, retry, refuse).
//! - [`seal`]: submissions are sealed (X25519 sealed box) to the back end's public key
//!   before they touch the kiosk's disk; only the back end can open them.
//! - [`catalog`]: the catalog of published flows a kiosk installs, signed (Ed25519) by the
//!   back end and verified, flow by flow with the flow checker, by the kiosk.
//! - [`private_files`]: the SQLite files of both ends and their folders, 0600 and 0700.
//! - [`wire::key_fingerprint`]: the fingerprint of the back end's keys, printed by
//!   `backend init` and `kiosk enroll` so that the installer can compare them.

pub mod catalog;
pub mod client;
pub mod private_files;
pub mod seal;
pub mod wire;
