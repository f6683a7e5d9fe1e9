//! Staying logged in (WCAG 2.2.1, « Réglage du temps »): `POST /session/prolonger` records
//! activity on the session, so its idle timeout starts again. Every page of a logged-in
//! account says when its session ends and has this button; `GET /static/session.js`, the
//! one script, warns a few minutes before the end and sends the button without leaving the
//! page (without the script, the button reloads the page it was on).

use super::is_local_path;
use super::session::Posted;
use super::view::see_other;
use crate::db::{self, sessions};
use crate::error::Error;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;

pub const SESSION_JS: &str = include_str!("../../static/session.js");

pub async fn script() -> Response {
    let mut response = SESSION_JS.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}

#[derive(Debug, Default, Deserialize)]
pub struct ExtendForm {
    /// "1" when sent by the script (answered 204), else the page goes back where it was.
    #[serde(default)]
    js: String,
}

/// The local path of the page the button was on (its `Referer`), else the inbox.
fn back_to(headers: &HeaderMap, public_url: &str) -> String {
    headers
        .get(REFERER)
        .and_then(|value| value.to_str().ok())
        .and_then(|referer| referer.strip_prefix(public_url))
        .filter(|path| is_local_path(path))
        .unwrap_or("/demandes")
        .to_string()
}

pub async fn extend(
    State(state): State<AppState>,
    headers: HeaderMap,
    Posted { agent, form }: Posted<ExtendForm>,
) -> Result<Response, Error> {
    let hash = agent.session_hash.clone();
    state
        .db
        .call("session_extend", move |conn| {
            sessions::touch(conn, &hash, &db::timestamp(Utc::now()))
        })
        .await?;
    tracing::info!(user = agent.user.id, "session prolongée");
    if form.js == "1" {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    see_other(&back_to(&headers, &state.settings.public_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_button_goes_back_only_to_a_page_of_this_site() {
        let mut headers = HeaderMap::new();
        let site = "http://127.0.0.1:8080";
        assert_eq!(back_to(&headers, site), "/demandes");
        headers.insert(
            REFERER,
            HeaderValue::from_static("http://127.0.0.1:8080/demandes/abc?x=1"),
        );
        assert_eq!(back_to(&headers, site), "/demandes/abc?x=1");
        headers.insert(
            REFERER,
            HeaderValue::from_static("https://evil.example/demandes"),
        );
        assert_eq!(back_to(&headers, site), "/demandes");
    }
}
