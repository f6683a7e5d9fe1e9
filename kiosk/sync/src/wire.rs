//! The kiosk API of the back end: paths, JSON bodies and error shapes, version 1.
//!
//! Every endpoint but enrolment needs `Authorization: Bearer <device token>`.
//! A wrong or unknown token gets 401, a revoked kiosk 403. Every error is
//! `{"error": "<code>", "message": "<French text>"}` with a 4xx or 5xx status.
//! Bodies over [`MAX_BODY_BYTES`] get 413.
//!
//! | method and path | body | answers |
//! |---|---|---|
//! | `POST /api/v1/enroll` | [`EnrollRequest`] | 200 [`EnrollResponse`]; 401 `bad_code` (unknown, used or expired); 429 `too_many_attempts` |
//! | `PUT /api/v1/submissions/{id}` | [`SubmissionUpload`] | 201 [`Ack`] stored; 200 [`Ack`] already stored with the same content; 409 `conflict` same id, other content; 422 `cannot_open` sealed to another key or damaged; 400 `bad_request` (id in path and body differ, bad base64, bad fields) |
//! | `PUT /api/v1/help-calls/{id}` | [`HelpCall`] | 201 or 200 [`Ack`], same rules as submissions |
//! | `GET /api/v1/help-calls/{id}` | | 200 [`HelpCallState`] (has an ambassador taken it?); 404 `not_found` (not received yet, or another kiosk's) |
//! | `POST /api/v1/heartbeat` | [`Heartbeat`] | 204 |
//! | `GET /api/v1/status/{receipt}` | | 200 [`StatusResponse`]; 404 `not_found` |
//! | `GET /api/v1/availability` | | 200 [`Availability`]: every resource's free days and quantities over its horizon |
//! | `GET /api/v1/catalog` | (`If-None-Match`) | 200 [`crate::catalog::SignedCatalog`] with an `ETag`; 304 when the `ETag` is one the kiosk named |
//!
//! A retry sends exactly the same bytes as the first try, so "same content" is a plain
//! comparison of [`SubmissionUpload::content_digest`].

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const API_PREFIX: &str = "/api/v1";
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn enroll_path() -> String {
    format!("{API_PREFIX}/enroll")
}

pub fn submission_path(id: &str) -> String {
    format!("{API_PREFIX}/submissions/{id}")
}

pub fn help_call_path(id: &str) -> String {
    format!("{API_PREFIX}/help-calls/{id}")
}

pub fn heartbeat_path() -> String {
    format!("{API_PREFIX}/heartbeat")
}

pub fn status_path(receipt: &str) -> String {
    format!("{API_PREFIX}/status/{receipt}")
}

/// The kiosk's catalog of published flows, signed ([`crate::catalog`]).
pub fn catalog_path() -> String {
    format!("{API_PREFIX}/catalog")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollRequest {
    /// The one-time code printed by `backend kiosk add`.
    pub code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollResponse {
    /// The kiosk's id in the back end (a UUID).
    pub kiosk_id: String,
    /// The kiosk's name and place, as the administrator typed them.
    pub name: String,
    pub place: String,
    /// The device token, sent as `Authorization: Bearer ...`; the back end keeps only its hash.
    pub token: String,
    /// The back end's X25519 public key, base64 (32 bytes): submissions are sealed to it.
    pub public_key: String,
    /// Two characters of the receipt-code alphabet, unique to this kiosk, that start
    /// every receipt code it gives, so codes are unique across kiosks.
    pub receipt_prefix: String,
    /// The back end's Ed25519 public key, base64 (32 bytes): published catalogs are signed
    /// with its secret half ([`crate::catalog`]). Empty from a back end without publishing.
    #[serde(default)]
    pub catalog_key: String,
}

/// A sealed submission. Only what sync and the status lookup need is in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmissionUpload {
    /// A UUID made by the kiosk when the citizen confirmed; the idempotency key.
    pub id: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    /// The receipt code the citizen keeps (`AB3-7KQ`).
    pub receipt: String,
    /// When the citizen confirmed, RFC 3339 UTC.
    pub created_at: String,
    /// The sealed box (base64) of the JSON of `kiosk_flow::runtime::Submission`.
    pub sealed: String,
}

impl SubmissionUpload {
    /// What "same content" means for a retry: every field, in a fixed order.
    pub fn content_digest(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.id.as_str(),
            self.flow_id.as_str(),
            &self.flow_version.to_string(),
            self.service.as_str(),
            self.receipt.as_str(),
            self.created_at.as_str(),
            self.sealed.as_str(),
        ] {
            h.update(part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
        hex(&h.finalize())
    }
}

/// A citizen asked for a person: where, never who.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpCall {
    /// A UUID made by the kiosk; the idempotency key.
    pub id: String,
    pub flow_id: String,
    pub step_id: String,
    pub created_at: String,
}

/// How an ambassador answered a call ("Je m'en occupe"), as the kiosk tells the citizen.
pub use kiosk_flow::machine::HelpMode;

/// Where a call for help is, for the kiosk that made it while its citizen waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelpCallState {
    pub id: String,
    /// Taken by an ambassador, and how; none while nobody has.
    pub taken: Option<HelpMode>,
    /// Closed by an ambassador ("Terminé").
    pub closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    pub id: String,
    /// When the back end first stored it, RFC 3339 UTC.
    pub received_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalledFlow {
    pub id: String,
    pub version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heartbeat {
    pub software_version: String,
    pub flows: Vec<InstalledFlow>,
    /// Submissions and help calls not yet acknowledged.
    pub queue_length: u64,
    /// The last sync error, without personal data.
    pub last_error: Option<String>,
    pub free_disk_bytes: u64,
    /// The version of the catalog of published flows the kiosk runs; none: shipped flows.
    #[serde(default)]
    pub catalog_version: Option<u64>,
    /// Why the last catalog offered was refused (bad signature, older version, a flow that
    /// does not load); none when the last one offered was installed.
    #[serde(default)]
    pub catalog_refused: Option<String>,
    /// Submissions the back end refused for good, kept on the kiosk for a person to look at.
    #[serde(default)]
    pub refused: u64,
}

/// Where a request is in the agents' hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Arrived, not opened yet.
    Recu,
    EnCours,
    Traite,
    Rejete,
}

impl RequestStatus {
    /// What the kiosk says to the citizen.
    pub fn french(self) -> &'static str {
        match self {
            RequestStatus::Recu => "reçue",
            RequestStatus::EnCours => "en cours de traitement",
            RequestStatus::Traite => "traitée",
            RequestStatus::Rejete => "refusée",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusResponse {
    pub receipt: String,
    pub status: RequestStatus,
    pub updated_at: String,
    /// The agent's note for the citizen, if any.
    pub note: Option<String>,
    /// For a request that booked a resource: confirmed, declined (why, the nearest free
    /// days) or still held. Absent from older back ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<BookingOutcome>,
}

/// The availability snapshot of the resources (`GET /api/v1/availability`).
pub fn availability_path() -> String {
    format!("{API_PREFIX}/availability")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub message: String,
}

pub use kiosk_flow::booking::{Availability, BookingOutcome, BookingState};
pub use kiosk_flow::receipt::{normalize_receipt, RECEIPT_ALPHABET};

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The fingerprint of a back end's two public keys (the X25519 key kiosks seal to and the
/// Ed25519 key that signs catalogs, base64 as [`EnrollResponse`] carries them): the first
/// 16 bytes of the sha256 of `public_key`, a line feed and `catalog_key`, in upper-case hex,
/// in groups of four (`3F2A 9C01 …`). `backend init` and `backend kiosk add` print it;
/// `kiosk enroll` prints the one it received, so the installer can compare them.
pub fn key_fingerprint(public_key: &str, catalog_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(public_key.trim().as_bytes())
        .chain_update(b"\n")
        .chain_update(catalog_key.trim().as_bytes())
        .finalize();
    let hex = hex(&digest[..16]).to_uppercase();
    hex.as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod fingerprint_tests {
    use super::key_fingerprint;

    #[test]
    fn fingerprints_are_eight_groups_and_depend_on_both_keys() {
        let print = key_fingerprint("clé-a", "clé-b");
        assert_eq!(print.len(), 39, "{print}");
        assert_eq!(print.split(' ').count(), 8);
        assert_eq!(print, key_fingerprint(" clé-a\n", "clé-b"));
        assert_ne!(print, key_fingerprint("clé-a", "clé-c"));
        assert_ne!(print, key_fingerprint("clé-c", "clé-b"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_changes_with_any_field() {
        let a = SubmissionUpload {
            id: "1".into(),
            flow_id: "f".into(),
            flow_version: 1,
            service: "s".into(),
            receipt: "AB3-7KQ".into(),
            created_at: "2026-11-28T10:00:00Z".into(),
            sealed: "xx".into(),
        };
        let mut b = a.clone();
        b.sealed = "xy".into();
        assert_ne!(a.content_digest(), b.content_digest());
        assert_eq!(a.content_digest(), a.clone().content_digest());
    }
}
