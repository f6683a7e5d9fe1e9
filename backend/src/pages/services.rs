//! Administrators: `/admin/services`: the services (list, add, change, delete), their
//! webhook secrets, and the notifications still waiting to be sent.

use super::session::{Admin, AdminPosted, Agent};
use super::view::{self, french_time, render, see_other, Layout, NoticeQuery};
use crate::db::{outbox, services, users};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// The form's fields, as typed (shown again when something is wrong).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    webhook: String,
    #[serde(default)]
    new_secret: String,
    /// Days its requests are kept after their last change; empty: the default.
    #[serde(default)]
    retention: String,
}

pub struct ServiceLine {
    pub id: String,
    pub name: String,
    pub email: String,
    pub webhook: &'static str,
    pub agents: usize,
}

pub struct PendingLine {
    pub service: String,
    pub channel: &'static str,
    pub created: String,
    pub attempts: u32,
    pub next: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "admin/services.html")]
struct ServicesTemplate {
    layout: Layout,
    notice: Option<String>,
    services: Vec<ServiceLine>,
    problems: Vec<String>,
    form: ServiceForm,
    pending: Vec<PendingLine>,
    default_retention: u32,
}

#[derive(Template)]
#[template(path = "admin/service.html")]
struct ServiceTemplate {
    layout: Layout,
    notice: Option<String>,
    service_id: String,
    service_name: String,
    agents: usize,
    problems: Vec<String>,
    form: ServiceForm,
    webhook_secret: Option<String>,
    default_retention: u32,
}

fn notice(query: &NoticeQuery) -> Option<String> {
    match query.fait.as_str() {
        "ajoute" => Some("Service ajouté.".into()),
        "enregistre" => Some("Service enregistré.".into()),
        "supprime" => Some("Service supprimé.".into()),
        _ => None,
    }
}

/// How many accounts work for each service.
fn agent_counts(
    conn: &rusqlite::Connection,
) -> anyhow::Result<std::collections::HashMap<String, usize>> {
    let mut counts = std::collections::HashMap::new();
    for user in users::list(conn)? {
        for service in user.services {
            *counts.entry(service).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

async fn list_page(
    state: &AppState,
    admin: &Agent,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    form: ServiceForm,
) -> Result<Response, Error> {
    let (all, counts, pending) = state
        .db
        .call("services_page", |conn| {
            Ok((
                services::list(conn)?,
                agent_counts(conn)?,
                outbox::pending(conn)?,
            ))
        })
        .await?;
    let services = all
        .into_iter()
        .map(|service| ServiceLine {
            agents: counts.get(&service.id).copied().unwrap_or(0),
            id: service.id,
            name: service.name,
            email: service.email.unwrap_or_default(),
            webhook: if service.webhook_url.is_some() {
                "oui"
            } else {
                "non"
            },
        })
        .collect();
    let pending = pending
        .into_iter()
        .map(|item| PendingLine {
            service: match item.target {
                outbox::Target::Request { service_id, .. } => service_id,
                outbox::Target::HelpCall { .. } => "appel à l'aide (ambassadeur)".to_string(),
            },
            channel: item.channel.french(),
            created: french_time(&item.created_at),
            attempts: item.attempts,
            next: french_time(&item.next_attempt_at),
            error: item.last_error.unwrap_or_default(),
        })
        .collect();
    let template = ServicesTemplate {
        layout: admin.layout("Services", view::SECTION_SERVICES),
        notice,
        services,
        problems,
        form,
        pending,
        default_retention: crate::db::retention::DEFAULT_RETENTION_DAYS,
    };
    render(status, &template)
}

pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    list_page(
        &state,
        &admin,
        StatusCode::OK,
        notice(&query),
        Vec::new(),
        ServiceForm::default(),
    )
    .await
}

fn optional(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// What the form says, checked: the fields ([`services::check`]), the webhook's address
/// against the configuration's policy, and the retention period.
fn checked(state: &AppState, form: &ServiceForm) -> Result<services::ServiceInput, Vec<String>> {
    let mut problems = Vec::new();
    let input = services::check(&form.name, optional(&form.email), optional(&form.webhook))
        .map_err(|more| problems.extend(more))
        .ok();
    if let (Some(url), Some(_)) = (optional(&form.webhook), &input) {
        if let Err(problem) = state.settings.webhooks.check(url) {
            problems.push(problem);
        }
    }
    let retention = crate::db::retention::parse_days(&form.retention)
        .map_err(|problem| problems.push(format!("{problem}.")))
        .ok();
    match (input, retention) {
        (Some(input), Some(retention_days)) if problems.is_empty() => Ok(services::ServiceInput {
            retention_days,
            ..input
        }),
        _ => Err(problems),
    }
}

pub async fn create(
    State(state): State<AppState>,
    AdminPosted { admin, form }: AdminPosted<ServiceForm>,
) -> Result<Response, Error> {
    let id = form.id.trim().to_string();
    let mut problems = Vec::new();
    if !services::valid_id(&id) {
        problems.push(
            "L'identifiant doit être fait de lettres minuscules, de chiffres et de tirets."
                .to_string(),
        );
    }
    let input = match checked(&state, &form) {
        Ok(input) => Some(input),
        Err(more) => {
            problems.extend(more);
            None
        }
    };
    let (Some(input), true) = (input, problems.is_empty()) else {
        return list_page(
            &state,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            problems,
            form,
        )
        .await;
    };
    let new_id = id.clone();
    let added = state
        .db
        .call("service_add", move |conn| {
            if services::get(conn, &new_id)?.is_some() {
                return Ok(None);
            }
            services::add(conn, &new_id, &input, &crate::db::now()).map(Some)
        })
        .await?;
    if added.is_none() {
        return list_page(
            &state,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            vec![format!("Le service « {id} » existe déjà.")],
            form,
        )
        .await;
    }
    tracing::info!(user = admin.user.id, service = %id, "service ajouté");
    see_other(&format!("/admin/services/{id}?fait=ajoute"))
}

async fn edit_page(
    state: &AppState,
    admin: &Agent,
    id: String,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    typed: Option<ServiceForm>,
) -> Result<Response, Error> {
    let (service, counts) = state
        .db
        .call("service_page", move |conn| {
            Ok((services::get(conn, &id)?, agent_counts(conn)?))
        })
        .await?;
    let service = service.ok_or(Error::NotFound)?;
    let form = typed.unwrap_or_else(|| ServiceForm {
        id: service.id.clone(),
        name: service.name.clone(),
        email: service.email.clone().unwrap_or_default(),
        webhook: service.webhook_url.clone().unwrap_or_default(),
        new_secret: String::new(),
        retention: service
            .retention_days
            .map(|days| days.to_string())
            .unwrap_or_default(),
    });
    let template = ServiceTemplate {
        layout: admin.layout(format!("Service {}", service.name), view::SECTION_SERVICES),
        notice,
        agents: counts.get(&service.id).copied().unwrap_or(0),
        service_id: service.id,
        service_name: service.name,
        problems,
        form,
        webhook_secret: service.webhook_secret,
        default_retention: crate::db::retention::DEFAULT_RETENTION_DAYS,
    };
    render(status, &template)
}

pub async fn show(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    edit_page(
        &state,
        &admin,
        id,
        StatusCode::OK,
        notice(&query),
        Vec::new(),
        None,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPosted { admin, form }: AdminPosted<ServiceForm>,
) -> Result<Response, Error> {
    let input = match checked(&state, &form) {
        Ok(input) => input,
        Err(problems) => {
            return edit_page(
                &state,
                &admin,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                problems,
                Some(form),
            )
            .await
        }
    };
    let new_secret = !form.new_secret.is_empty();
    let target = id.clone();
    state
        .db
        .call("service_update", move |conn| {
            services::update(conn, &target, &input, new_secret)
        })
        .await?
        .ok_or(Error::NotFound)?;
    tracing::info!(user = admin.user.id, service = %id, "service modifié");
    see_other(&format!("/admin/services/{id}?fait=enregistre"))
}

#[derive(Debug, Default, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPosted { admin, form }: AdminPosted<DeleteForm>,
) -> Result<Response, Error> {
    if form.confirm.is_empty() {
        return edit_page(
            &state,
            &admin,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            vec!["Cochez la case pour confirmer la suppression.".to_string()],
            None,
        )
        .await;
    }
    let target = id.clone();
    let deleted = state
        .db
        .call("service_delete", move |conn| {
            services::delete(conn, &target)
        })
        .await?;
    if !deleted {
        return Err(Error::NotFound);
    }
    tracing::info!(user = admin.user.id, service = %id, "service supprimé");
    see_other("/admin/services?fait=supprime")
}
