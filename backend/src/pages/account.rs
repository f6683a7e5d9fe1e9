//! `GET|POST /compte`: one's own account, and changing one's password (which ends every
//! session of the account, this one included: log in again with the new password).
//!
//! A wrong current password counts like a failed login of the account, on the same key and
//! with the same lock (`db::login_failures`), so a session left open cannot be used to guess
//! the password; the attempt is counted before argon2 runs, as at login.

use super::session::{self, Agent, Jar, Posted};
use super::view::{self, render, see_other, Layout};
use crate::db::login_failures::{self, Reservation};
use crate::db::users;
use crate::error::Error;
use crate::passwords;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTemplate {
    layout: Layout,
    name: String,
    email: String,
    role: &'static str,
    services: String,
    problems: Vec<String>,
    min_chars: usize,
}

fn page(agent: &Agent, status: StatusCode, problems: Vec<String>) -> Result<Response, Error> {
    let user = &agent.user;
    let template = AccountTemplate {
        layout: agent.layout("Mon compte", view::SECTION_ACCOUNT),
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role.french(),
        services: user.services.join(", "),
        problems,
        min_chars: passwords::MIN_CHARS,
    };
    render(status, &template)
}

pub async fn show(agent: Agent) -> Result<Response, Error> {
    page(&agent, StatusCode::OK, Vec::new())
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Posted { agent, form }: Posted<PasswordForm>,
) -> Result<Response, Error> {
    let user_id = agent.user.id;
    let hash = state
        .db
        .call("password_hash", move |conn| {
            users::password_hash(conn, user_id)
        })
        .await?
        .ok_or(Error::NotFound)?;
    let PasswordForm {
        current,
        new,
        confirm,
    } = form;
    let key = login_failures::account_key(&agent.user.email);
    let counted = key.clone();
    let reservation = state
        .db
        .call("password_reserve", move |conn| {
            login_failures::reserve(conn, &counted, None, chrono::Utc::now())
        })
        .await?;
    if let Reservation::Locked(until) = reservation {
        tracing::info!(
            user = user_id,
            "changement de mot de passe refusé : trop d'échecs"
        );
        let (retry, secs) = super::login::retry_in(until, chrono::Utc::now());
        let mut response = page(
            &agent,
            StatusCode::TOO_MANY_REQUESTS,
            vec![format!("Trop de mots de passe actuels incorrects. {retry}")],
        )?;
        response
            .headers_mut()
            .insert(RETRY_AFTER, axum::http::HeaderValue::from(secs));
        return Ok(response);
    }
    let checked = state
        .password_work
        .run(move || {
            let mut problems = Vec::new();
            let right = passwords::verify(&current, &hash);
            if !right {
                problems.push("Le mot de passe actuel est incorrect.".to_string());
            }
            if let Err(problem) = passwords::check_new(&new) {
                problems.push(problem);
            }
            if new != confirm {
                problems.push("Les deux nouveaux mots de passe diffèrent.".to_string());
            }
            let outcome = if problems.is_empty() {
                passwords::hash(&new).map(Ok)
            } else {
                Ok(Err(problems))
            };
            (right, outcome)
        })
        .await?;
    let (right, checked) = checked;
    if right {
        // The attempt counted in advance is taken back.
        state
            .db
            .call("password_right", move |conn| {
                login_failures::succeeded(conn, &key, None)
            })
            .await?;
    } else {
        tracing::info!(user = user_id, "mot de passe actuel incorrect");
    }
    let new_hash = match checked? {
        Ok(hash) => hash,
        Err(problems) => return page(&agent, StatusCode::UNPROCESSABLE_ENTITY, problems),
    };
    state
        .db
        .call("set_password", move |conn| {
            users::set_password(conn, user_id, &new_hash)
        })
        .await?;
    tracing::info!(user = user_id, "mot de passe changé");
    let mut response = see_other("/connexion?mot-de-passe=change")?;
    response
        .headers_mut()
        .append(SET_COOKIE, session::clear_cookie(&state, Jar::Session)?);
    Ok(response)
}
