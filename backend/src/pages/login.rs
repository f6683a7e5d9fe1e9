//! `GET|POST /connexion` and `POST /deconnexion`: logging in with an email address and a
//! password, slowed down after repeated failures (`db::login_failures`), and logging out.
//!
//! The login form's CSRF token is stateless (signed, bound to its own cookie: showing the
//! page stores nothing); a successful login starts a logged-in session with a new id and
//! token, so that an id planted in a browser beforehand is worth nothing afterwards, and
//! gives the browser a device cookie (`db::login_failures`). Attempts are counted before
//! the password is verified, and argon2 runs a few at a time (`passwords::PasswordWork`).

use super::carried;
use super::is_local_path;
use super::session::{
    self, login_form_token_valid, DeviceCookies, FormBody, Jar, LoginCookie, Posted, Visitor,
};
use super::view::{render, see_other, Layout, NoFields};
use crate::client_address::ClientAddress;
use crate::db::login_failures::{self, Reservation};
use crate::db::{sessions, users};
use crate::error::Error;
use crate::extract::Query;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    layout: Layout,
    csrf: String,
    next: String,
    /// A form posted after its session ended, form-encoded, given back after the login.
    carried: String,
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
    #[serde(default)]
    repris: String,
}

fn after_login(next: &str) -> &str {
    if is_local_path(next) && !next.starts_with("/connexion") {
        next
    } else {
        "/demandes"
    }
}

/// What the login page shows besides its form.
struct LoginPage<'a> {
    status: StatusCode,
    next: &'a str,
    carried: &'a str,
    email: &'a str,
    error: Option<String>,
    notice: Option<String>,
}

impl<'a> LoginPage<'a> {
    fn new(status: StatusCode, next: &'a str) -> LoginPage<'a> {
        LoginPage {
            status,
            next,
            carried: "",
            email: "",
            error: None,
            notice: None,
        }
    }

    /// The page, with a form token for this browser (and its cookie if it has none yet):
    /// nothing is stored.
    fn render(self, state: &AppState, cookie: &LoginCookie) -> Result<Response, Error> {
        let (csrf, set_cookie) = cookie.token(state)?;
        let local = is_local_path(self.next);
        let template = LoginTemplate {
            layout: Layout::anonymous("Connexion"),
            csrf,
            next: if local {
                self.next.to_string()
            } else {
                String::new()
            },
            carried: if local {
                self.carried.to_string()
            } else {
                String::new()
            },
            email: self.email.to_string(),
            error: self.error,
            notice: self.notice,
        };
        let mut response = render(self.status, &template)?;
        if let Some(cookie) = set_cookie {
            response.headers_mut().append(SET_COOKIE, cookie);
        }
        Ok(response)
    }
}

pub async fn form(
    State(state): State<AppState>,
    visitor: Visitor,
    cookie: LoginCookie,
    Query(query): Query<LoginQuery>,
) -> Result<Response, Error> {
    if visitor.user.is_some() {
        return see_other(after_login(&query.suite));
    }
    let mut page = LoginPage::new(StatusCode::OK, &query.suite);
    if !query.deconnecte.is_empty() {
        page.notice = Some("Vous êtes déconnecté.".to_string());
    } else if !query.password_changed.is_empty() {
        page.notice = Some("Mot de passe changé. Connectez-vous avec le nouveau.".to_string());
    }
    page.render(&state, &cookie)
}

/// The login page answering a form posted after its session ended: it carries the form,
/// and after the login the form comes back, filled in as it was.
pub fn carrying(
    state: &AppState,
    cookie: &LoginCookie,
    path: &str,
    form: &str,
) -> Result<Response, Error> {
    let mut page = LoginPage::new(StatusCode::UNAUTHORIZED, path);
    page.carried = form;
    page.notice = Some(
        "Votre session s'est fermée après une longue inactivité. Reconnectez-vous : ce que \
         vous aviez saisi est gardé, vous le retrouverez ensuite."
            .to_string(),
    );
    page.render(state, cookie)
}

/// "Réessayez dans 3 minutes."
pub(super) fn retry_in(until: DateTime<Utc>, now: DateTime<Utc>) -> (String, u64) {
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
    state: &AppState,
    cookie: &LoginCookie,
    form: &LoginForm,
    email: &str,
    until: DateTime<Utc>,
    prefix: &str,
) -> Result<Response, Error> {
    let (retry, secs) = retry_in(until, Utc::now());
    let mut page = LoginPage::new(StatusCode::TOO_MANY_REQUESTS, &form.suite);
    page.carried = &form.repris;
    page.email = email;
    page.error = Some(format!("{prefix}Trop de tentatives de connexion. {retry}"));
    let mut response = page.render(state, cookie)?;
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs));
    Ok(response)
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    visitor: Visitor,
    cookie: LoginCookie,
    devices: DeviceCookies,
    FormBody { form, csrf }: FormBody<LoginForm>,
) -> Result<Response, Error> {
    let email = form.email.trim().to_string();
    // The form must come from this site's login page, in this browser.
    if !login_form_token_valid(&state, &cookie.0, &csrf, Utc::now()) {
        let mut page = LoginPage::new(StatusCode::FORBIDDEN, &form.suite);
        page.carried = &form.repris;
        page.email = &email;
        page.error = Some(
            "Le formulaire de connexion a expiré ou ne vient pas de ce site. Réessayez."
                .to_string(),
        );
        return page.render(&state, &cookie);
    }

    let lookup = email.clone();
    let found = state
        .db
        .call("login_user", move |conn| users::by_email(conn, &lookup))
        .await?;
    // A browser that logged in to this account before is counted on its own, and is not
    // held by the account's lock nor slowed down by its address.
    let device = found
        .as_ref()
        .and_then(|(user, _)| devices.of(user.id))
        .map(|device| login_failures::device_key(&device.nonce));
    let (counted_key, address_key) = match device {
        Some(device_key) => (device_key, None),
        None => (
            login_failures::account_key(&email),
            Some(login_failures::address_key(address)),
        ),
    };

    // The attempt is counted before the password is verified, so concurrent attempts
    // cannot all get past the limit.
    let keys = (counted_key.clone(), address_key.clone());
    let reservation = state
        .db
        .call("login_reserve", move |conn| {
            login_failures::reserve(conn, &keys.0, keys.1.as_deref(), Utc::now())
        })
        .await?;
    let (wait, lock) = match reservation {
        Reservation::Locked(until) => {
            tracing::info!("connexion refusée : trop de tentatives");
            return too_many(&state, &cookie, &form, &email, until, "");
        }
        Reservation::Counted { wait, lock } => (wait, lock),
    };
    if !wait.is_zero() {
        tracing::info!(wait_ms = wait.as_millis() as u64, "connexion ralentie");
        tokio::time::sleep(wait).await;
    }

    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let right = state
        .password_work
        .verify(form.password.clone(), hash)
        .await
        .map_err(Error::Internal)?;
    let Some(user) = user.filter(|u| right && u.disabled_at.is_none()) else {
        tracing::info!("échec de connexion");
        let wrong = "Adresse e-mail ou mot de passe incorrect. ";
        if let Some(until) = lock {
            return too_many(&state, &cookie, &form, &email, until, wrong);
        }
        let mut page = LoginPage::new(StatusCode::UNAUTHORIZED, &form.suite);
        page.carried = &form.repris;
        page.email = &email;
        page.error = Some(format!("{wrong}Vérifiez-les et réessayez."));
        return page.render(&state, &cookie);
    };

    state
        .db
        .call("login_success", move |conn| {
            login_failures::succeeded(conn, &counted_key, address_key.as_deref())
        })
        .await?;
    // Any session the browser had before is over.
    let old = visitor
        .session
        .map(|previous| previous.id_hash)
        .into_iter()
        .collect();
    let logged_in = session::start_logged_in(&state, old, user.id).await?;
    tracing::info!(user = user.id, "connexion");
    let next = after_login(&form.suite).to_string();
    let cookies = [
        logged_in.cookie.clone(),
        session::clear_cookie(&state, Jar::Login)?,
        session::new_device_cookie(&state, user.id)?,
    ];
    let mut response = if form.repris.is_empty() {
        see_other(&next)?
    } else {
        // A form posted after its session ended comes back, filled in as it was.
        let agent = session::Agent {
            user,
            csrf: logged_in.csrf,
            session_hash: logged_in.id_hash,
            session_left: state.settings.session_idle,
        };
        carried::give_back(&state, &agent, &next, &form.repris).await?
    };
    let headers = response.headers_mut();
    for cookie in cookies {
        headers.append(SET_COOKIE, cookie);
    }
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
