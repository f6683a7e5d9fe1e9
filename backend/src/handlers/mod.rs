//! One module per resource of the kiosk API, plus the checks they share and the fallbacks.
//! What each route answers is specified in `kiosk_sync::wire` and `backend/openapi.yaml`.

pub mod availability;
pub mod catalog;
pub mod enroll;
pub mod heartbeat;
pub mod help_calls;
pub mod status;
pub mod submissions;

use crate::db::Ingested;
use crate::error::Error;
use axum::http::StatusCode;
use kiosk_sync::wire::Ack;

/// Unknown route: 404 `not_found`, as JSON.
pub async fn not_found() -> Error {
    Error::NotFound
}

/// Known route, other method: 405 `method_not_allowed`, as JSON.
pub async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}

/// The idempotency key in the path must be the one in the body, and a UUID.
fn check_id(path_id: &str, body_id: &str) -> Result<(), Error> {
    if path_id != body_id {
        return Err(Error::BadRequest(
            "l'identifiant de l'adresse et celui du corps diffèrent".into(),
        ));
    }
    uuid::Uuid::parse_str(body_id)
        .map_err(|_| Error::BadRequest("l'identifiant n'est pas un UUID".into()))?;
    Ok(())
}

/// A flow, step or service id: `[a-z0-9_-]{1,64}` ([`kiosk_flow::ids::is_valid_id`]).
fn check_flow_id(field: &str, value: &str) -> Result<(), Error> {
    if !kiosk_flow::ids::is_valid_id(value) {
        return Err(Error::BadRequest(format!(
            "le champ « {field} » n'est pas un identifiant valable : lettres minuscules, \
             chiffres, - et _, de 1 à 64 caractères"
        )));
    }
    Ok(())
}

fn check_timestamp(field: &str, value: &str) -> Result<(), Error> {
    chrono::DateTime::parse_from_rfc3339(value).map_err(|_| {
        Error::BadRequest(format!("le champ « {field} » n'est pas une date RFC 3339"))
    })?;
    Ok(())
}

/// 201 for a new upload, 200 for a retry of the same content (with the first reception time).
fn ack(id: String, ingested: Ingested) -> Result<(StatusCode, axum::Json<Ack>), Error> {
    match ingested {
        Ingested::New { received_at } => {
            Ok((StatusCode::CREATED, axum::Json(Ack { id, received_at })))
        }
        Ingested::Again { received_at } => {
            Ok((StatusCode::OK, axum::Json(Ack { id, received_at })))
        }
        Ingested::Conflict => Err(Error::Conflict),
        Ingested::ReceiptTaken => Err(Error::ReceiptTaken),
        Ingested::ForeignReceipt => Err(Error::ForeignReceipt),
    }
}
