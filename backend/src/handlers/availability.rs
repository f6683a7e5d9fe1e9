//! `GET /api/v1/availability`: the availability snapshot of every resource (free days and
//! quantities left over each one's horizon, from today in France), for the kiosks to show
//! what is free while offline. Built from two queries; see `cargo bench -p backend --bench
//! availability` for its size and time.

use crate::auth::Kiosk;
use crate::db::{self, resources};
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use kiosk_sync::wire::Availability;

pub async fn get(
    State(state): State<AppState>,
    _kiosk: Kiosk,
) -> Result<axum::Json<Availability>, Error> {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let snapshot = state
        .db
        .call("availability", move |conn| {
            resources::snapshot(conn, today, &db::now())
        })
        .await?;
    Ok(axum::Json(snapshot))
}
