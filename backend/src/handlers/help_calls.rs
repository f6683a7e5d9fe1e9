//! `PUT /api/v1/help-calls/{id}`: a citizen asked for a person; stored once, same
//! idempotency rules as submissions (nothing sealed: a help call says where, never who), and
//! announced to the kiosk's ambassadors. `GET /api/v1/help-calls/{id}`: whether an
//! ambassador took it, for the kiosk that made it (another kiosk's call is "not found").

use super::{ack, check_flow_id, check_id, check_timestamp};
use crate::auth::Kiosk;
use crate::db::{self, help_calls};
use crate::error::Error;
use crate::extract::{Json, Path};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use kiosk_sync::wire::{hex, Ack, HelpCall, HelpCallState};
use sha2::{Digest, Sha256};

pub async fn put(
    State(state): State<AppState>,
    kiosk: Kiosk,
    Path(id): Path<String>,
    Json(call): Json<HelpCall>,
) -> Result<(StatusCode, axum::Json<Ack>), Error> {
    check_id(&id, &call.id)?;
    check_flow_id("flow_id", &call.flow_id)?;
    check_flow_id("step_id", &call.step_id)?;
    check_timestamp("created_at", &call.created_at)?;
    let new = help_calls::NewHelpCall {
        content_digest: content_digest(&call),
        id: call.id,
        kiosk_id: kiosk.id.clone(),
        flow_id: call.flow_id,
        step_id: call.step_id,
        created_at: call.created_at,
    };
    let ingested = state
        .db
        .call("ingest_help_call", move |conn| {
            help_calls::ingest(conn, &new, &db::now())
        })
        .await?;
    tracing::info!(kiosk = %kiosk.id, help_call = %id, outcome = ingested.label(), "appel à l'aide");
    if matches!(ingested, db::Ingested::New { .. }) {
        state.outbox_bell.notify_waiters();
    }
    ack(id, ingested)
}

pub async fn get(
    State(state): State<AppState>,
    kiosk: Kiosk,
    Path(id): Path<String>,
) -> Result<axum::Json<HelpCallState>, Error> {
    let found = state
        .db
        .call("help_call_state", move |conn| {
            help_calls::state_for_kiosk(conn, &kiosk.id, &id)
        })
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(found))
}

/// "Same content" for a help call, computed like `SubmissionUpload::content_digest`: every
/// field, length-prefixed, in a fixed order. (The wire crate has no such method for help
/// calls; if it gains one, use it.)
pub fn content_digest(call: &HelpCall) -> String {
    let mut h = Sha256::new();
    for part in [
        call.id.as_str(),
        call.flow_id.as_str(),
        call.step_id.as_str(),
        call.created_at.as_str(),
    ] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}
