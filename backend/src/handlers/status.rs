//! `GET /api/v1/status/{receipt}`: where a request is, for the citizen at any kiosk. The
//! answer holds the status and the agent's note, no personal data, so any enrolled kiosk
//! may ask about any receipt.

use crate::auth::Kiosk;
use crate::db::submissions;
use crate::error::Error;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::State;
use kiosk_sync::wire::{normalize_receipt, StatusResponse};

pub async fn get(
    State(state): State<AppState>,
    _kiosk: Kiosk,
    Path(receipt): Path<String>,
) -> Result<axum::Json<StatusResponse>, Error> {
    // A code that cannot be a receipt cannot have a status either.
    let receipt = normalize_receipt(&receipt).ok_or(Error::NotFound)?;
    let status = state
        .db
        .call("status_by_receipt", move |conn| {
            submissions::status_by_receipt(conn, &receipt)
        })
        .await?
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(status))
}
