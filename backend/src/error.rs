//! The one error type of the back end. Every error answers a JSON [`ErrorBody`] and carries
//! an [`ErrorPage`] extension, which the pages' middleware (`crate::pages::html_errors`)
//! turns into a French HTML page outside the kiosk API; internal errors are logged here and
//! shown to clients only as "erreur interne".

use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kiosk_sync::wire::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request is malformed: bad JSON, missing or bad fields, path and body disagree.
    #[error("requête invalide : {0}")]
    BadRequest(String),
    #[error("jeton d'appareil absent, mal formé ou inconnu")]
    Unauthorized,
    #[error("cette borne a été révoquée")]
    Revoked,
    #[error("code d'enrôlement inconnu ou déjà utilisé")]
    BadCode,
    #[error("introuvable")]
    NotFound,
    #[error("méthode non permise pour cette adresse")]
    MethodNotAllowed,
    #[error("cet identifiant est déjà enregistré avec un autre contenu")]
    Conflict,
    #[error("ce code de reçu appartient déjà à une autre demande")]
    ReceiptTaken,
    #[error("impossible d'ouvrir la demande : scellée pour une autre clé, ou abîmée")]
    CannotOpen,
    #[error("la demande ouverte n'est pas du JSON")]
    BadContent,
    #[error("le corps doit être du JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("corps trop gros")]
    PayloadTooLarge,
    /// A page needs a logged-in account: to the login page, then back to `next` (a path).
    #[error("connexion nécessaire")]
    LoginRequired { next: String },
    /// A page asked from another site without a session: reload `path` from this site, so
    /// the browser sends its SameSite=Strict cookie (see `pages::session::Agent`).
    #[error("rechargement depuis ce site")]
    ReloadFromHere { path: String },
    /// A form without the session's token, or with another one.
    #[error(
        "ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez"
    )]
    Csrf,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// The HTTP status and the machine-readable code of the error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Error::Revoked => (StatusCode::FORBIDDEN, "revoked"),
            Error::BadCode => (StatusCode::UNAUTHORIZED, "bad_code"),
            Error::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::Conflict => (StatusCode::CONFLICT, "conflict"),
            Error::ReceiptTaken => (StatusCode::CONFLICT, "receipt_taken"),
            Error::CannotOpen => (StatusCode::UNPROCESSABLE_ENTITY, "cannot_open"),
            Error::BadContent => (StatusCode::UNPROCESSABLE_ENTITY, "bad_content"),
            Error::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Error::LoginRequired { .. } => (StatusCode::SEE_OTHER, "login_required"),
            Error::ReloadFromHere { .. } => (StatusCode::OK, "reload"),
            Error::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// What an error page shows: set on every error response, used outside the kiosk API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub message: String,
}

/// The login page's address, then back to `next` (a local path; anything else is dropped).
pub fn login_location(next: &str) -> String {
    if crate::pages::is_local_path(next) && next != "/" {
        let query = serde_html_form::to_string([("suite", next)]).unwrap_or_default();
        format!("/connexion?{query}")
    } else {
        "/connexion".to_string()
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::LoginRequired { next } = &self {
            let mut response = StatusCode::SEE_OTHER.into_response();
            if let Ok(location) = HeaderValue::from_str(&login_location(next)) {
                response.headers_mut().insert(LOCATION, location);
            }
            return response;
        }
        if let Error::ReloadFromHere { path } = &self {
            return crate::pages::reload_page(path);
        }
        let (status, code) = self.status_and_code();
        let message = match &self {
            Error::Internal(error) => {
                // The cause stays in the log; the client learns only that it failed.
                tracing::error!(error = format!("{error:#}"), "erreur interne");
                "erreur interne du serveur, réessayez plus tard".to_string()
            }
            other => other.to_string(),
        };
        let page = ErrorPage {
            status,
            message: message.clone(),
        };
        let body = ErrorBody {
            error: code.to_string(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        response.extensions_mut().insert(page);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn internal_errors_are_hidden() {
        let response =
            Error::Internal(anyhow::anyhow!("disk on fire at /secret/path")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = axum::body::to_bytes(response.into_body(), 10_000)
            .await
            .unwrap();
        let body: ErrorBody = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body.error, "internal");
        assert!(!body.message.contains("secret"));
    }
}
