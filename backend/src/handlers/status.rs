//! `GET /api/v1/status/{receipt}`: where a request is, for the citizen at any kiosk. The
//! answer holds the status and the agent's note, no personal data, so any enrolled kiosk
//! may ask about any receipt, within a rate per kiosk (`rate_limit::STATUS_LOOKUPS`; beyond
//! it, 429 with `Retry-After`), so a kiosk's token cannot be used to try codes by the thousand.

use crate::auth::Kiosk;
use crate::db::submissions;
use crate::error::Error;
use crate::extract::Path;
use crate::state::AppState;
use axum::extract::State;
use kiosk_sync::wire::{normalize_receipt, StatusResponse};

pub async fn get(
    State(state): State<AppState>,
    kiosk: Kiosk,
    Path(receipt): Path<String>,
) -> Result<axum::Json<StatusResponse>, Error> {
    if let Err(wait) = state
        .rate_limits
        .status_lookups
        .take(&kiosk.id, std::time::Instant::now())
    {
        tracing::info!(kiosk = %kiosk.id, "consultations de statut trop rapides");
        return Err(Error::TooManyRequests {
            retry_after: wait.as_secs().max(1),
        });
    }
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
