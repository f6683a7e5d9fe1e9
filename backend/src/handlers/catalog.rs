//! `GET /api/v1/catalog`: the kiosk's catalog of published flows, signed with the back
//! end's Ed25519 key, with its version as `ETag`; 304 when the kiosk names that `ETag` in
//! `If-None-Match` (it already runs it, or already refused it).

use crate::auth::Kiosk;
use crate::db::{self, flow_catalog};
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kiosk_sync::catalog::{etag, version_of_etag};

pub async fn get(
    State(state): State<AppState>,
    kiosk: Kiosk,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let seen: Vec<u64> = headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(version_of_etag)
        .collect();
    let kiosk_id = kiosk.id.clone();
    let current = state
        .db
        .call("catalog_revision", |conn| flow_catalog::revision(conn))
        .await?;
    let tag = HeaderValue::from_str(&etag(current)).map_err(anyhow::Error::from)?;
    if seen.contains(&current) {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, tag)]).into_response());
    }
    let catalog = state
        .db
        .call("catalog", move |conn| {
            flow_catalog::catalog_for(conn, &kiosk_id, &db::now())
        })
        .await?;
    let tag = HeaderValue::from_str(&etag(catalog.version)).map_err(anyhow::Error::from)?;
    let signed = catalog.sign(&state.signing_key);
    tracing::info!(kiosk = %kiosk.id, version = catalog.version, flows = catalog.flows.len(), "catalogue envoyé");
    Ok((StatusCode::OK, [(ETAG, tag)], axum::Json(signed)).into_response())
}
