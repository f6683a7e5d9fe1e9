//! The one error type of the back end. Every error answers a JSON [`ErrorBody`] and carries
//! an [`ErrorPage`] extension, which the pages' middleware (`crate::pages::html_errors`)
//! turns into a French HTML page, a redirection to the login page or a reload outside the
//! kiosk API; internal errors are logged here and shown to clients only as "erreur interne".
//! This module knows nothing of the pages: they depend on it, never the other way.

use axum::http::StatusCode;
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
    /// Too many wrong enrolment codes from this address: wait `retry_after_secs`.
    #[error(
        "trop de codes d'enrôlement faux depuis cette adresse : réessayez dans {} minutes",
        retry_after_secs.div_ceil(60)
    )]
    TooManyGuesses { retry_after_secs: u64 },
    #[error("introuvable")]
    NotFound,
    #[error("méthode non permise pour cette adresse")]
    MethodNotAllowed,
    #[error("cet identifiant est déjà enregistré avec un autre contenu")]
    Conflict,
    #[error("ce code de reçu appartient déjà à une autre demande")]
    ReceiptTaken,
    #[error("ce code de reçu ne porte pas le préfixe de cette borne")]
    ForeignReceipt,
    #[error("impossible d'ouvrir la demande : scellée pour une autre clé, ou abîmée")]
    CannotOpen,
    /// Opened, but not a submission (`kiosk_flow::submission::Submission`), or one for
    /// another flow or service than the clear fields say.
    #[error("la demande ouverte n'est pas une soumission valide de cette démarche")]
    BadContent,
    #[error("le corps doit être du JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("corps trop gros")]
    PayloadTooLarge,
    /// A page needs a logged-in account: to the login page, then back to `next` (a path).
    #[error("connexion nécessaire")]
    LoginRequired { next: String },
    /// A form posted after its session ended: the login page, carrying the form (`form`,
    /// form-encoded, without token or password) back to `path` after the login.
    #[error("votre session s'est fermée : reconnectez-vous")]
    SessionExpired { path: String, form: String },
    /// A page asked from another site without a session: reload `path` from this site, so
    /// the browser sends its SameSite=Strict cookie (see `pages::session::Agent`).
    #[error("rechargement depuis ce site")]
    ReloadFromHere { path: String },
    /// A form without the session's token, or with another one.
    #[error(
        "ce formulaire a expiré ou ne vient pas de ce site : rechargez la page et recommencez"
    )]
    Csrf,
    /// Too many requests of one kind from one client: try again after `retry_after` seconds
    /// (`Retry-After`).
    #[error("trop de demandes : réessayez dans {retry_after} secondes")]
    TooManyRequests { retry_after: u64 },
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
            Error::TooManyGuesses { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
            Error::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            Error::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            Error::Conflict => (StatusCode::CONFLICT, "conflict"),
            Error::ReceiptTaken => (StatusCode::CONFLICT, "receipt_taken"),
            Error::ForeignReceipt => (StatusCode::UNPROCESSABLE_ENTITY, "foreign_receipt"),
            Error::CannotOpen => (StatusCode::UNPROCESSABLE_ENTITY, "cannot_open"),
            Error::BadContent => (StatusCode::UNPROCESSABLE_ENTITY, "bad_content"),
            Error::UnsupportedMediaType => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Error::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Error::LoginRequired { .. } => (StatusCode::SEE_OTHER, "login_required"),
            Error::ReloadFromHere { .. } => (StatusCode::OK, "reload"),
            Error::SessionExpired { .. } => (StatusCode::UNAUTHORIZED, "session_expired"),
            Error::Csrf => (StatusCode::FORBIDDEN, "csrf"),
            Error::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// What a page shows for an error: set on every error response, rendered by the pages'
/// middleware (`crate::pages::html_errors`) outside the kiosk API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorPage {
    /// A French page with the error's status and message.
    Message { status: StatusCode, message: String },
    /// To the login page, then back to `next` ([`Error::LoginRequired`]).
    Login { next: String },
    /// A page that reloads `path` from this site ([`Error::ReloadFromHere`]).
    Reload { path: String },
    /// The login page, carrying a form back to `path` ([`Error::SessionExpired`]).
    LoginCarrying { path: String, form: String },
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let retry_after = match &self {
            Error::TooManyRequests { retry_after } => Some(*retry_after),
            Error::TooManyGuesses { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let message = match &self {
            Error::Internal(error) => {
                // The cause stays in the log; the client learns only that it failed.
                tracing::error!(error = format!("{error:#}"), "erreur interne");
                "erreur interne du serveur, réessayez plus tard".to_string()
            }
            other => other.to_string(),
        };
        let page = match self {
            Error::LoginRequired { next } => ErrorPage::Login { next },
            Error::ReloadFromHere { path } => ErrorPage::Reload { path },
            Error::SessionExpired { path, form } => ErrorPage::LoginCarrying { path, form },
            _ => ErrorPage::Message {
                status,
                message: message.clone(),
            },
        };
        let body = ErrorBody {
            error: code.to_string(),
            message,
        };
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
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
