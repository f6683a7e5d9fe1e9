//! `POST /api/v1/enroll`: a one-time code becomes a device token.

use crate::db::{self, kiosks};
use crate::error::Error;
use crate::extract::Json;
use crate::secrets;
use crate::state::AppState;
use axum::extract::State;
use kiosk_sync::wire::{EnrollRequest, EnrollResponse};

pub async fn enroll(
    State(state): State<AppState>,
    Json(request): Json<EnrollRequest>,
) -> Result<axum::Json<EnrollResponse>, Error> {
    let code = secrets::normalize_enrolment_code(&request.code).ok_or(Error::BadCode)?;
    let code_hash = secrets::sha256_hex(&code);
    let token = secrets::new_token();
    let token_hash = secrets::sha256_hex(&token);
    let kiosk = state
        .db
        .call("enroll", move |conn| {
            kiosks::enroll(conn, &code_hash, &token_hash, &db::now())
        })
        .await?
        .ok_or(Error::BadCode)?;
    tracing::info!(kiosk = %kiosk.id, "borne enrôlée");
    Ok(axum::Json(EnrollResponse {
        kiosk_id: kiosk.id,
        name: kiosk.name,
        place: kiosk.place,
        token,
        public_key: state.public_key.to_string(),
        receipt_prefix: kiosk.receipt_prefix,
        catalog_key: state.catalog_key.to_string(),
    }))
}
