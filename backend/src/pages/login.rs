//! `GET|POST /connexion` and `POST /deconnexion`: logging in with an email address and a
//! password, slowed down after repeated failures (`db::login_failures`), and logging out.
//!
//! The login form has its own session before login (its own cookie, for its CSRF token); a
//! successful login deletes it and starts a logged-in session with a new id and token, so
//! that an id planted in a browser beforehand is worth nothing afterwards.

use super::is_local_path;
use super::session::{self, check_csrf, FormBody, Jar, LoginSession, Posted, Visitor};
use super::view::{render, see_other, Layout, NoFields};
use crate::db::login_failures::{self, PER_ACCOUNT, PER_ADDRESS};
use crate::db::{sessions, users};
use crate::error::Error;
use crate::extract::Query;
use crate::passwords;
use crate::state::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    layout: Layout,
    csrf: String,
    next: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    suite: String,
    #[serde(default)]
    deconnecte: String,
    #[serde(default, rename = "mot-de-passe")]
    password_changed: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    suite: String,
}

/// The peer's address (the TCP connection's, not a header a client could write).
pub struct ClientAddress(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientAddress, Error> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

fn after_login(next: &str) -> &str {
    if is_local_path(next) && !next.starts_with("/connexion") {
        next
    } else {
        "/demandes"
    }
}

/// The login page, with `status`, `error`, and a cookie if the session is new.
fn login_page(
    status: StatusCode,
    csrf: String,
    next: &str,
    email: &str,
    error: Option<String>,
    notice: Option<String>,
    cookie: Option<HeaderValue>,
) -> Result<Response, Error> {
    let template = LoginTemplate {
        layout: Layout::anonymous("Connexion"),
        csrf,
        next: if is_local_path(next) {
            next.to_string()
        } else {
            String::new()
        },
        email: email.to_string(),
        error,
        notice,
    };
    let mut response = render(status, &template)?;
    if let Some(cookie) = cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    Ok(response)
}

/// The login form's session token, or a new session before login (and its cookie).
async fn anonymous_session(
    state: &AppState,
    login: &LoginSession,
) -> Result<(String, Option<HeaderValue>), Error> {
    match &login.0 {
        Some(session) => Ok((session.csrf_token.clone(), None)),
        None => {
            let (fresh, cookie) = session::start_anonymous(state).await?;
            Ok((fresh.csrf, Some(cookie)))
        }
    }
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    login: LoginSession,
    Query(query): Query<LoginQuery>,
) -> Result<Response, Error> {
    if visitor.user.is_some() {
        return see_other(after_login(&query.suite));
    }
    let (csrf, cookie) = anonymous_session(&state, &login).await?;
    let notice = if !query.deconnecte.is_empty() {
        Some("Vous êtes déconnecté.".to_string())
    } else if !query.password_changed.is_empty() {
        Some("Mot de passe changé. Connectez-vous avec le nouveau.".to_string())
    } else {
        None
    };
    login_page(StatusCode::OK, csrf, &query.suite, "", None, notice, cookie)
}

/// "Réessayez dans 3 minutes."
fn retry_in(until: DateTime<Utc>, now: DateTime<Utc>) -> (String, u64) {
    let secs = u64::try_from((until - now).num_seconds().max(1)).unwrap_or(1);
    let minutes = secs.div_ceil(60);
    let text = if minutes <= 1 {
        "Réessayez dans une minute.".to_string()
    } else {
        format!("Réessayez dans {minutes} minutes.")
    };
    (text, secs)
}

fn too_many(
    csrf: String,
    next: &str,
    email: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
    prefix: &str,
) -> Result<Response, Error> {
    let (retry, secs) = retry_in(until, now);
    let mut response = login_page(
        StatusCode::TOO_MANY_REQUESTS,
        csrf,
        next,
        email,
        Some(format!("{prefix}Trop de tentatives de connexion. {retry}")),
        None,
        None,
    )?;
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs));
    Ok(response)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    visitor: Visitor,
    login: LoginSession,
    FormBody { form, csrf }: FormBody<LoginForm>,
) -> Result<Response, Error> {
    let email = form.email.trim().to_string();
    // The form must come from this site's login page, in this browser.
    let Some(session) = login
        .0
        .clone()
        .filter(|s| check_csrf(&s.csrf_token, &csrf).is_ok())
    else {
        // A new form (on the form's session if there is one, which stays as it was).
        let (csrf, cookie) = anonymous_session(&state, &login).await?;
        return login_page(
            StatusCode::FORBIDDEN,
            csrf,
            &form.suite,
            &email,
            Some(
                "Le formulaire de connexion a expiré ou ne vient pas de ce site. Réessayez."
                    .to_string(),
            ),
            None,
            cookie,
        );
    };
    let csrf = session.csrf_token.clone();
    let account_key = login_failures::account_key(&email);
    let address_key = login_failures::address_key(
        &address.map_or_else(|| "inconnue".to_string(), |ip| ip.to_string()),
    );

    // Locked: refused without even looking at the password.
    let now = Utc::now();
    let keys = (account_key.clone(), address_key.clone());
    let locked = state
        .db
        .call("login_locks", move |conn| {
            let account = login_failures::locked_until(conn, &keys.0, now)?;
            let address = login_failures::locked_until(conn, &keys.1, now)?;
            Ok(account.max(address))
        })
        .await?;
    if let Some(until) = locked {
        tracing::info!("connexion refusée : trop de tentatives");
        return too_many(csrf, &form.suite, &email, until, now, "");
    }

    let lookup = email.clone();
    let found = state
        .db
        .call("login_user", move |conn| users::by_email(conn, &lookup))
        .await?;
    let password = form.password;
    let user = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) if passwords::verify(&password, &hash) => {
            Some(user).filter(|u| u.disabled_at.is_none())
        }
        Some(_) => None,
        None => {
            passwords::verify_nobody(&password);
            None
        }
    })
    .await
    .map_err(|error| Error::Internal(error.into()))?;

    let Some(user) = user else {
        let now = Utc::now();
        let lock = state
            .db
            .call("login_failure", move |conn| {
                let account =
                    login_failures::record_failure(conn, &account_key, &PER_ACCOUNT, now)?;
                let address =
                    login_failures::record_failure(conn, &address_key, &PER_ADDRESS, now)?;
                Ok(account.max(address))
            })
            .await?;
        tracing::info!("échec de connexion");
        let wrong = "Adresse e-mail ou mot de passe incorrect. ";
        if let Some(until) = lock {
            return too_many(csrf, &form.suite, &email, until, now, wrong);
        }
        return login_page(
            StatusCode::UNAUTHORIZED,
            csrf,
            &form.suite,
            &email,
            Some(format!("{}Vérifiez-les et réessayez.", wrong)),
            None,
            None,
        );
    };

    state
        .db
        .call("login_success", move |conn| {
            login_failures::clear(conn, &account_key)
        })
        .await?;
    // The form's session and any session the browser had before are over.
    let mut old = vec![session.id_hash];
    old.extend(visitor.session.map(|previous| previous.id_hash));
    let cookie = session::start_logged_in(&state, old, user.id).await?;
    tracing::info!(user = user.id, "connexion");
    let mut response = see_other(after_login(&form.suite))?;
    let headers = response.headers_mut();
    headers.append(SET_COOKIE, cookie);
    headers.append(SET_COOKIE, session::clear_cookie(&state, Jar::Login)?);
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    Posted {
        agent,
        form: NoFields {},
    }: Posted<NoFields>,
) -> Result<Response, Error> {
    let hash = agent.session_hash.clone();
    state
        .db
        .call("logout", move |conn| sessions::delete(conn, &hash))
        .await?;
    tracing::info!(user = agent.user.id, "déconnexion");
    let mut response = see_other("/connexion?deconnecte=1")?;
    response
        .headers_mut()
        .append(SET_COOKIE, session::clear_cookie(&state, Jar::Session)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_are_said_in_whole_minutes() {
        let now: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        let in_secs = |s| now + chrono::Duration::seconds(s);
        assert_eq!(retry_in(in_secs(30), now).0, "Réessayez dans une minute.");
        assert_eq!(retry_in(in_secs(61), now).0, "Réessayez dans 2 minutes.");
        assert_eq!(retry_in(in_secs(-5), now).1, 1);
    }

    #[test]
    fn after_login_only_local_pages() {
        assert_eq!(after_login("/demandes/abc"), "/demandes/abc");
        assert_eq!(after_login("https://evil.example"), "/demandes");
        assert_eq!(after_login("/connexion"), "/demandes");
        assert_eq!(after_login(""), "/demandes");
    }
}
