//! Extractors whose rejections are [`Error`]s, so axum's plain-text rejections never reach
//! a client: every failure is a JSON `ErrorBody`.

use crate::error::Error;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::StatusCode;

/// `axum::Json`, rejecting with 400 `bad_request` (bad JSON or fields), 415 (not JSON) or
/// 413 (too big).
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(Error))]
pub struct Json<T>(pub T);

impl From<JsonRejection> for Error {
    fn from(rejection: JsonRejection) -> Error {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Error::UnsupportedMediaType,
            JsonRejection::BytesRejection(inner)
                if inner.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Error::PayloadTooLarge
            }
            // serde's text says which field is wrong; it goes back to the kiosk that sent
            // the body and is never logged.
            JsonRejection::JsonDataError(error) => Error::BadRequest(error.body_text()),
            JsonRejection::JsonSyntaxError(error) => Error::BadRequest(error.body_text()),
            other => Error::BadRequest(other.body_text()),
        }
    }
}

/// `axum::extract::Path`, rejecting with 400 `bad_request`.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(Error))]
pub struct Path<T>(pub T);

impl From<PathRejection> for Error {
    fn from(rejection: PathRejection) -> Error {
        Error::BadRequest(rejection.body_text())
    }
}

/// The query string, parsed like a form (repeated keys as lists), rejecting with 400
/// `bad_request`. No query is an empty one.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Query<T>, Error> {
        let query = parts.uri.query().unwrap_or_default();
        serde_html_form::from_str(query)
            .map(Query)
            .map_err(|error| Error::BadRequest(format!("adresse mal formée : {error}")))
    }
}
