//! `PUT /api/v1/submissions/{id}`: a sealed submission is checked, opened with the back
//! end's key, read into `kiosk_flow`'s `Submission` (anything else is refused), and stored
//! once (idempotent on its id and content digest), with its service's notifications queued;
//! the notifier sends them afterwards, never holding up the answer.

use super::{ack, check_flow_id, check_id, check_timestamp};
use crate::auth::Kiosk;
use crate::db::{self, submissions};
use crate::error::Error;
use crate::extract::{Json, Path};
use crate::opened;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use kiosk_sync::wire::{normalize_receipt, Ack, SubmissionUpload};

pub async fn put(
    State(state): State<AppState>,
    kiosk: Kiosk,
    Path(id): Path<String>,
    Json(upload): Json<SubmissionUpload>,
) -> Result<(StatusCode, axum::Json<Ack>), Error> {
    check_id(&id, &upload.id)?;
    check_flow_id("flow_id", &upload.flow_id)?;
    check_flow_id("service", &upload.service)?;
    check_timestamp("created_at", &upload.created_at)?;
    let receipt = normalize_receipt(&upload.receipt)
        .ok_or_else(|| Error::BadRequest("le code de reçu est mal formé".into()))?;
    let sealed = STANDARD
        .decode(upload.sealed.trim())
        .map_err(|_| Error::BadRequest("le champ « sealed » n'est pas du base64".into()))?;
    let content_digest = upload.content_digest();

    // Opening costs an X25519 exchange: off the async workers, and before anything is stored.
    let keys = state.keys.clone();
    let clear = (
        upload.flow_id.clone(),
        upload.flow_version,
        upload.service.clone(),
    );
    let (opened, answers_json) = tokio::task::spawn_blocking(move || open(&keys, &sealed, &clear))
        .await
        .map_err(|error| Error::Internal(error.into()))??;

    let new = submissions::NewSubmission {
        id: upload.id,
        kiosk_id: kiosk.id.clone(),
        flow_id: upload.flow_id,
        flow_version: upload.flow_version,
        service: upload.service,
        receipt,
        created_at: upload.created_at,
        content_digest,
        opened,
        answers_json,
    };
    let ingested = state
        .db
        .call("ingest_submission", move |conn| {
            submissions::ingest(conn, &new, &db::now())
        })
        .await?;
    tracing::info!(kiosk = %kiosk.id, submission = %id, outcome = ingested.label(), "soumission");
    if matches!(ingested, db::Ingested::New { .. }) {
        // Its notifications are queued (same transaction): the notifier's loops (one per
        // channel) send them now.
        state.outbox_bell.notify_waiters();
    }
    ack(id, ingested)
}

/// Opens the sealed box and reads it into the one submission type ([`crate::opened`]);
/// checks that its flow and service are the ones sent in clear (so the clear fields cannot
/// route it elsewhere). Returns the submission and its JSON text, stored as it came.
fn open(
    keys: &kiosk_sync::seal::KeyPair,
    sealed: &[u8],
    clear: &(String, u32, String),
) -> Result<(opened::Submission, String), Error> {
    let bytes = keys.open(sealed).map_err(|_| Error::CannotOpen)?;
    let submission = opened::parse(&bytes).map_err(|_| Error::BadContent)?;
    if (
        &submission.flow_id,
        submission.flow_version,
        &submission.service,
    ) != (&clear.0, clear.1, &clear.2)
    {
        return Err(Error::BadContent);
    }
    let json = String::from_utf8(bytes).map_err(|_| Error::BadContent)?;
    Ok((submission, json))
}
