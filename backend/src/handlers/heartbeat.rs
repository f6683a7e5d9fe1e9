//! `POST /api/v1/heartbeat`: a kiosk says how it is (version, flows, queue, last error,
//! free disk); the back end keeps the latest, for the ambassadors' view.

use crate::auth::Kiosk;
use crate::db::{self, flow_catalog, kiosks};
use crate::error::Error;
use crate::extract::Json;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use kiosk_sync::wire::Heartbeat;

pub async fn post(
    State(state): State<AppState>,
    kiosk: Kiosk,
    Json(heartbeat): Json<Heartbeat>,
) -> Result<StatusCode, Error> {
    state
        .db
        .call("heartbeat", move |conn| {
            kiosks::record_heartbeat(conn, &kiosk.id, &heartbeat, &db::now())?;
            flow_catalog::record_catalog_state(
                conn,
                &kiosk.id,
                heartbeat.catalog_version,
                heartbeat.catalog_refused.as_deref(),
            )
        })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
