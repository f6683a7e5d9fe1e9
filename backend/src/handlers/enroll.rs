//! `POST /api/v1/enroll`: a one-time code (unused, less than 7 days old) becomes a device
//! token. Wrong codes are counted per network address ([`crate::guesses`]): past the limit
//! the address gets 429 `too_many_attempts`, even with a right code.

use crate::client_address::ClientAddress;
use crate::db::{self, kiosks};
use crate::error::Error;
use crate::extract::Json;
use crate::secrets;
use crate::state::AppState;
use axum::extract::State;
use kiosk_sync::wire::{EnrollRequest, EnrollResponse};
use std::time::Instant;

pub async fn enroll(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    Json(request): Json<EnrollRequest>,
) -> Result<axum::Json<EnrollResponse>, Error> {
    let guesses = &state.enrolment_guesses;
    if let Err(wait) = guesses.check(address, Instant::now()) {
        tracing::warn!("enrôlement : trop de codes faux depuis une adresse");
        return Err(Error::TooManyGuesses {
            retry_after_secs: wait.as_secs().max(1),
        });
    }
    let wrong = || {
        guesses.wrong_code(address, Instant::now());
        Error::BadCode
    };
    let Some(code) = secrets::normalize_enrolment_code(&request.code) else {
        return Err(wrong());
    };
    let code_hash = secrets::sha256_hex(&code);
    let token = secrets::new_token();
    let token_hash = secrets::sha256_hex(&token);
    let kiosk = state
        .db
        .call("enroll", move |conn| {
            kiosks::enroll(conn, &code_hash, &token_hash, &db::now())
        })
        .await?;
    let Some(kiosk) = kiosk else {
        return Err(wrong());
    };
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
