//! One request: `GET /demandes/{id}` (its page), `POST /demandes/{id}/statut` (a status
//! change with an optional note for the citizen, recorded with the agent),
//! `GET /demandes/{id}/export.json`, and `POST /demandes/{id}/effacer` (administrators: the
//! request erased at once, RGPD art. 17, logged without personal data by
//! [`crate::db::retention`]). A request outside the account's scope is "not found".

use super::inbox::{status_choices, Choice};
use super::session::{AdminPosted, Agent, Posted};
use super::view::{self, french_time, render, see_other, status_label, status_slug, Layout};
use crate::db::inbox::{self, Detail, Scope};
use crate::db::submissions::{self, status_from_db, StatusChange, BY_AGENT};
use crate::db::{retention, services};
use crate::error::Error;
use crate::export::{self, Answer};
use crate::extract::{Path, Query};
use crate::flow_titles::Titles;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// The longest note for the citizen (the kiosk reads it aloud).
pub const NOTE_MAX_CHARS: usize = 500;

pub struct HistoryView {
    pub at: String,
    pub status_label: &'static str,
    pub status_slug: &'static str,
    pub by: String,
    pub note: String,
}

#[derive(Template)]
#[template(path = "request.html")]
struct RequestTemplate {
    layout: Layout,
    notice: Option<String>,
    receipt: String,
    status_label: &'static str,
    status_slug: &'static str,
    status_updated: String,
    status_note: Option<String>,
    urgent: bool,
    flow: String,
    service: String,
    kiosk: String,
    created: String,
    received: String,
    answers: Vec<Answer>,
    status_action: String,
    status_options: Vec<Choice>,
    note_value: String,
    note_max: usize,
    history: Vec<HistoryView>,
    json_href: String,
    /// The erase form's address, for administrators only.
    erase_action: Option<String>,
    /// Why the last erase was refused.
    erase_problem: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    enregistre: String,
    /// Set when an erase was posted without its confirmation.
    #[serde(default)]
    confirmer: String,
}

/// The request `id` as `scope` may see it, with its service's name.
/// A request, its service's name and its flow's title.
async fn load(
    state: &AppState,
    scope: Scope,
    id: String,
) -> Result<(Detail, Option<String>, String), Error> {
    let shipped = state.shipped_flows.clone();
    state
        .db
        .call("request", move |conn| {
            let Some(detail) = inbox::detail(conn, &scope, &id)? else {
                return Ok(None);
            };
            let name = services::get(conn, &detail.submission.service)?.map(|s| s.name);
            let title = Titles::load(conn, &shipped)?.of(&detail.submission.flow_id);
            Ok(Some((detail, name, title)))
        })
        .await?
        .ok_or(Error::NotFound)
}

fn by_whom(by: &str, user: Option<&(String, String)>) -> String {
    match (by, user) {
        (_, Some((name, email))) => format!("{name} ({email})"),
        (submissions::BY_KIOSK, None) => "la borne".to_string(),
        ("cli", None) => "ligne de commande".to_string(),
        (other, None) => other.to_string(),
    }
}

pub async fn show(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, Error> {
    let erase_unconfirmed = !query.confirmer.is_empty();
    page(
        &state,
        &agent,
        id,
        !query.enregistre.is_empty(),
        None,
        erase_unconfirmed,
    )
    .await
}

/// A status change not sent yet, shown filled in on the request's page (after a login that
/// interrupted it).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusDraft {
    #[serde(default)]
    pub statut: String,
    #[serde(default)]
    pub note: String,
}

/// The page of request `id`: `saved` says the status was just saved; with `draft`, its form
/// is filled in with it and the page says it was kept; `erase_unconfirmed`: an erasure was
/// asked without its confirmation box ticked (422, said by the form).
pub async fn page(
    state: &AppState,
    agent: &Agent,
    id: String,
    saved: bool,
    draft: Option<StatusDraft>,
    erase_unconfirmed: bool,
) -> Result<Response, Error> {
    let (detail, service_name, flow_title) = load(state, agent.scope(), id).await?;
    let s = &detail.submission;
    let kiosk = match (&detail.kiosk_name, &detail.kiosk_place) {
        (Some(name), Some(place)) => format!("{name} ({place})"),
        (Some(name), None) => name.clone(),
        _ => s.kiosk_id.clone(),
    };
    let mut notice = saved.then(|| format!("Statut enregistré : {}.", status_label(s.status)));
    let mut status_options = status_choices(s.status);
    let mut note_value = s.status_note.clone().unwrap_or_default();
    if let Some(draft) = draft {
        notice = Some(
            "Vous êtes reconnecté. Votre changement de statut n'est pas encore enregistré : \
             vérifiez-le ci-dessous, puis cliquez sur « Enregistrer le statut »."
                .to_string(),
        );
        if status_options.iter().any(|o| o.value == draft.statut) {
            for option in &mut status_options {
                option.selected = option.value == draft.statut;
            }
        }
        note_value = draft.note;
    }
    let template = RequestTemplate {
        layout: agent.layout(format!("Demande {}", s.receipt), view::SECTION_INBOX),
        notice,
        receipt: s.receipt.clone(),
        status_label: status_label(s.status),
        status_slug: status_slug(s.status),
        status_updated: french_time(&s.status_updated_at),
        status_note: s.status_note.clone(),
        urgent: s.urgent,
        flow: format!("{flow_title} (version {})", s.flow_version),
        service: service_name.unwrap_or_else(|| s.service.clone()),
        kiosk,
        created: french_time(&s.created_at),
        received: french_time(&s.received_at),
        answers: export::answers(&s.opened()?),
        status_action: format!("/demandes/{}/statut", s.id),
        status_options,
        note_value,
        note_max: NOTE_MAX_CHARS,
        history: detail
            .history
            .iter()
            .map(|entry| HistoryView {
                at: french_time(&entry.at),
                status_label: status_label(entry.status),
                status_slug: status_slug(entry.status),
                by: by_whom(&entry.by, entry.user.as_ref()),
                note: entry.note.clone().unwrap_or_default(),
            })
            .collect(),
        json_href: format!("/demandes/{}/export.json", s.id),
        erase_action: agent
            .user
            .is_admin()
            .then(|| format!("/demandes/{}/effacer", s.id)),
        erase_problem: erase_unconfirmed.then_some("Cochez la case pour confirmer l'effacement."),
    };
    let status = if !erase_unconfirmed {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    render(status, &template)
}

#[derive(Debug, Default, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    confirm: String,
}

/// An administrator erases a request: it, its history and its pending notifications are
/// deleted; `erased_submissions` keeps which one, when and by whom, without its content.
pub async fn erase(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPosted { admin, form }: AdminPosted<EraseForm>,
) -> Result<Response, Error> {
    if form.confirm.is_empty() {
        return see_other(&format!("/demandes/{id}?confirmer=1#effacer"));
    }
    let user_id = admin.user.id;
    let target = id.clone();
    let erased = state
        .db
        .call("erase_request", move |conn| {
            retention::erase(
                conn,
                &target,
                retention::Reason::Admin,
                Some(user_id),
                chrono::Utc::now(),
            )
        })
        .await?;
    if !erased {
        return Err(Error::NotFound);
    }
    tracing::info!(user = user_id, submission = %id, "demande effacée");
    see_other("/demandes?efface=1")
}

#[derive(Debug, Default, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    statut: String,
    #[serde(default)]
    note: String,
}

pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { agent, form }: Posted<StatusForm>,
) -> Result<Response, Error> {
    let status = status_from_db(form.statut.trim())
        .ok_or_else(|| Error::BadRequest("choisissez un statut".into()))?;
    let note = form.note.trim().to_string();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(Error::BadRequest(format!(
            "la note dépasse {NOTE_MAX_CHARS} caractères"
        )));
    }
    let scope = agent.scope();
    let user_id = agent.user.id;
    let target = id.clone();
    let changed = state
        .db
        .call("set_status", move |conn| {
            // The same scope as the page: another service's request is not found.
            if inbox::detail(conn, &scope, &target)?.is_none() {
                return Ok(false);
            }
            let change = StatusChange {
                status,
                note: Some(note.as_str()).filter(|n| !n.is_empty()),
                by: BY_AGENT,
                user_id: Some(user_id),
            };
            submissions::set_status_by_id(conn, &target, &change, &crate::db::now())
        })
        .await?;
    if !changed {
        return Err(Error::NotFound);
    }
    tracing::info!(user = user_id, submission = %id, status = status_slug(status), "statut changé");
    see_other(&format!("/demandes/{id}?enregistre=1#contenu"))
}

pub async fn export_json(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let (detail, service_name, flow_title) = load(&state, agent.scope(), id).await?;
    let json = export::request_json(&detail, service_name.as_deref(), &flow_title)?;
    let body = serde_json::to_vec_pretty(&json).map_err(|error| Error::Internal(error.into()))?;
    tracing::info!(user = agent.user.id, submission = %detail.submission.id, "export JSON");
    let filename = format!(
        "attachment; filename=\"demande-{}.json\"",
        detail.submission.receipt
    );
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&filename).map_err(|error| Error::Internal(error.into()))?,
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
