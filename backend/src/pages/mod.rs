//! The pages for people: agents (inbox, requests, statuses, exports), ambassadors (their
//! kiosks and calls for help) and administrators (services, accounts, kiosks), rendered on
//! the server with askama templates (`backend/templates`) and one plain CSS file
//! (`backend/static/style.css`), in French.
//! Everything works without JavaScript; one small script (`static/session.js`,
//! [`session_time`]) only warns before a session ends and keeps it open without leaving the
//! page.
//!
//! # Layout
//! - [`session`]: the session cookie and the extractors every handler takes ([`session::Agent`],
//!   [`session::Admin`], [`session::Posted`] with its CSRF check, ...).
//! - [`view`]: the frame every page shares, French times and statuses, [`view::render`].
//! - One module per page group: [`login`], [`inbox`], [`request`], [`account`], [`services`],
//!   [`users`], [`kiosks`], [`flows`], [`ambassador`], [`accessibility`] (the accessibility
//!   statement), [`assets`] (the stylesheet), [`session_time`] (staying logged in) and
//!   [`carried`] (a form posted after its session ended, given back after the login).
//!
//! Their routes are [`crate::router::PAGES`]. What an agent may see is decided in one place,
//! [`crate::db::inbox::Scope`]: a request outside it is "not found", whether asked by page,
//! export or guessed address.

pub mod accessibility;
pub mod account;
pub mod ambassador;
pub mod assets;
pub mod bookings;
pub mod carried;
pub mod flows;
pub mod inbox;
pub mod kiosks;
pub mod login;
pub mod open311;
pub mod request;
pub mod services;
pub mod session;
pub mod session_time;
pub mod users;
pub mod view;

use crate::error::ErrorPage;
use crate::state::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, LOCATION, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kiosk_sync::wire::API_PREFIX;
use view::Layout;

/// Whether `path` is a path on this site (and so a safe place to go after login): it starts
/// with one `/`, not `//` or `/\` (which browsers read as another site).
pub fn is_local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.starts_with("/\\")
        && !path.chars().any(|c| c.is_control())
}

/// The login page's address, then back to `next` (a local path; anything else is dropped).
pub fn login_location(next: &str) -> String {
    if is_local_path(next) && next != "/" {
        let query = serde_html_form::to_string([("suite", next)]).unwrap_or_default();
        format!("/connexion?{query}")
    } else {
        "/connexion".to_string()
    }
}

/// `/`: the inbox (which sends visitors without a session to the login page).
pub async fn home() -> Redirect {
    Redirect::to("/demandes")
}

#[derive(Template)]
#[template(path = "reload.html")]
struct ReloadTemplate {
    layout: Layout,
    path: String,
}

/// A page that reloads `path` (a local path) from this site at once, with a link for
/// browsers that do not follow `meta refresh`.
pub fn reload_page(path: &str) -> Response {
    let path = if is_local_path(path) { path } else { "/" };
    let template = ReloadTemplate {
        layout: Layout::anonymous("Ouverture de la page"),
        path: path.to_string(),
    };
    view::render(StatusCode::OK, &template)
        .unwrap_or_else(|_| Redirect::to("/connexion").into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    layout: Layout,
    heading: &'static str,
    message: String,
}

/// Outside the kiosk API, an error answers a French page rather than JSON (or the login
/// page's redirection or the login page carrying a form, or a reload from this site: see
/// [`ErrorPage`]); every page also gets headers that forbid framing, sniffing and outside
/// resources.
pub async fn html_errors(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let page = !request.uri().path().starts_with(API_PREFIX);
    let login_cookie = session::LoginCookie::read(request.headers(), &state);
    let mut response = next.run(request).await;
    if !page {
        return response;
    }
    match response.extensions().get::<ErrorPage>().cloned() {
        Some(ErrorPage::Message { status, message }) => {
            response = error_page(status, &message).unwrap_or(response);
        }
        Some(ErrorPage::Login { next }) => {
            response = login_redirect(&next);
        }
        Some(ErrorPage::Reload { path }) => {
            response = reload_page(&path);
        }
        Some(ErrorPage::LoginCarrying { path, form }) => {
            response = login::carrying(&state, &login_cookie, &path, &form)
                .unwrap_or_else(|_| login_redirect(&path));
        }
        None => {}
    }
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
             img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// 303 See Other to the login page, then back to `next`.
fn login_redirect(next: &str) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(location) = HeaderValue::from_str(&login_location(next)) {
        response.headers_mut().insert(LOCATION, location);
    }
    response
}

fn error_page(status: StatusCode, message: &str) -> Option<Response> {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page introuvable",
        StatusCode::FORBIDDEN => "Action refusée",
        StatusCode::TOO_MANY_REQUESTS => "Trop de tentatives",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Demande incomprise",
        status if status.is_server_error() => "Erreur du serveur",
        _ => "Erreur",
    };
    let message = match status {
        StatusCode::NOT_FOUND => "Cette page n'existe pas, ou vous n'y avez pas accès.".to_string(),
        _ => {
            let mut message = message.to_string();
            if let Some(first) = message.get(..1) {
                let upper = first.to_uppercase();
                message.replace_range(..1, &upper);
            }
            if !message.ends_with('.') {
                message.push('.');
            }
            message
        }
    };
    let template = ErrorTemplate {
        layout: Layout::anonymous(heading),
        heading,
        message,
    };
    view::render(status, &template)
        .map(IntoResponse::into_response)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert!(is_local_path("/demandes?statut=recu"));
        assert!(!is_local_path("//evil.example/"));
        assert!(!is_local_path("/\\evil.example/"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/a\nb"));
        assert!(!is_local_path(""));
    }
}
