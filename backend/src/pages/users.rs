//! Administrators: `/admin/utilisateurs`: accounts (list, add with a generated password
//! shown once, change name, role and services, reset the password, deactivate). The last
//! active administrator cannot be demoted or deactivated, and nobody deactivates themselves.

use super::inbox::Choice;
use super::session::{Admin, AdminPosted, Agent};
use super::view::{self, render, see_other, Layout, NoFields, NoticeQuery};
use crate::db::users::{self, Role, User};
use crate::db::{self, services};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::passwords;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    service: Vec<String>,
}

/// The form as the template shows it.
pub struct UserFormView {
    pub email: String,
    pub name: String,
    pub admin: bool,
    pub ambassador: bool,
    pub services: Vec<Choice>,
}

pub struct UserLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub services: String,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersTemplate {
    layout: Layout,
    notice: Option<String>,
    users: Vec<UserLine>,
    problems: Vec<String>,
    form: UserFormView,
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserTemplate {
    layout: Layout,
    notice: Option<String>,
    user_id: i64,
    user_name: String,
    user_email: String,
    state: &'static str,
    disabled: bool,
    problems: Vec<String>,
    form: UserFormView,
}

#[derive(Template)]
#[template(path = "admin/secret.html")]
pub struct SecretTemplate {
    pub layout: Layout,
    pub heading: String,
    pub intro: String,
    pub secret: String,
    pub advice: String,
    pub back_href: String,
    pub back_label: String,
}

fn notice(query: &NoticeQuery) -> Option<String> {
    match query.fait.as_str() {
        "enregistre" => Some("Compte enregistré.".into()),
        "desactive" => Some("Compte désactivé : ses sessions sont fermées.".into()),
        "reactive" => Some("Compte réactivé.".into()),
        _ => None,
    }
}

fn state_label(user: &User) -> &'static str {
    if user.disabled_at.is_some() {
        "désactivé"
    } else {
        "actif"
    }
}

/// Every service as a checkbox, checked if in `selected`.
async fn service_choices(state: &AppState, selected: Vec<String>) -> Result<Vec<Choice>, Error> {
    let all = state
        .db
        .call("services", |conn| services::list(conn))
        .await?;
    Ok(all
        .into_iter()
        .map(|service| Choice {
            selected: selected.contains(&service.id),
            label: format!("{} ({})", service.name, service.id),
            value: service.id,
        })
        .collect())
}

async fn form_view(state: &AppState, form: &UserForm) -> Result<UserFormView, Error> {
    Ok(UserFormView {
        email: form.email.clone(),
        name: form.name.clone(),
        admin: Role::from_db(&form.role) == Some(Role::Admin),
        ambassador: Role::from_db(&form.role) == Some(Role::Ambassador),
        services: service_choices(state, form.service.clone()).await?,
    })
}

async fn list_page(
    state: &AppState,
    admin: &Agent,
    status: StatusCode,
    problems: Vec<String>,
    form: &UserForm,
) -> Result<Response, Error> {
    let all = state.db.call("users", |conn| users::list(conn)).await?;
    let template = UsersTemplate {
        layout: admin.layout("Utilisateurs", view::SECTION_USERS),
        notice: None,
        users: all
            .iter()
            .map(|user| UserLine {
                id: user.id,
                name: user.name.clone(),
                email: user.email.clone(),
                role: user.role.french(),
                services: user.services.join(", "),
                state: state_label(user),
            })
            .collect(),
        problems,
        form: form_view(state, form).await?,
    };
    render(status, &template)
}

pub async fn list(State(state): State<AppState>, Admin(admin): Admin) -> Result<Response, Error> {
    list_page(
        &state,
        &admin,
        StatusCode::OK,
        Vec::new(),
        &UserForm::default(),
    )
    .await
}

/// The page that shows a new password once.
fn password_page(
    admin: &Agent,
    user: &User,
    password: String,
    new: bool,
) -> Result<Response, Error> {
    let template = SecretTemplate {
        layout: admin.layout(
            format!("Mot de passe de {}", user.name),
            view::SECTION_USERS,
        ),
        heading: format!("Mot de passe de {}", user.name),
        intro: if new {
            format!("Compte créé pour {} ({}).", user.name, user.email)
        } else {
            format!("Nouveau mot de passe pour {} ({}).", user.name, user.email)
        },
        secret: password,
        advice:
            "Transmettez-le à la personne par un moyen sûr (de vive voix, par exemple) : il ne \
                 sera plus affiché. Elle pourra le changer dans « Mon compte »."
                .to_string(),
        back_href: format!("/admin/utilisateurs/{}", user.id),
        back_label: "Voir le compte".to_string(),
    };
    let mut response = render(StatusCode::OK, &template)?;
    // Never kept by a browser's cache (render already says no-store).
    response.headers_mut().insert(
        axum::http::header::PRAGMA,
        HeaderValue::from_static("no-cache"),
    );
    Ok(response)
}

pub async fn create(
    State(state): State<AppState>,
    AdminPosted { admin, form }: AdminPosted<UserForm>,
) -> Result<Response, Error> {
    let mut problems = Vec::new();
    if let Err(problem) = users::check_email(&form.email) {
        problems.push(problem);
    }
    if form.name.trim().is_empty() {
        problems.push("Le nom est obligatoire.".to_string());
    }
    let role = Role::from_db(&form.role);
    if role.is_none() {
        problems.push("Choisissez un rôle.".to_string());
    }
    let (Some(role), true) = (role, problems.is_empty()) else {
        return list_page(
            &state,
            &admin,
            StatusCode::UNPROCESSABLE_ENTITY,
            problems,
            &form,
        )
        .await;
    };
    let password = passwords::generate();
    let secret = password.clone();
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&secret))
        .await
        .map_err(|error| Error::Internal(error.into()))??;
    let (email, name, services) = (form.email.clone(), form.name.clone(), form.service.clone());
    let added = state
        .db
        .call("user_add", move |conn| {
            Ok(users::add(
                conn,
                &email,
                &name,
                role,
                &hash,
                &services,
                &db::now(),
            ))
        })
        .await?;
    match added {
        Ok(user) => {
            tracing::info!(user = admin.user.id, added = user.id, "compte ajouté");
            password_page(&admin, &user, password, true)
        }
        Err(error) => {
            let problem = format!("{}.", capitalize(&error.to_string()));
            list_page(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![problem],
                &form,
            )
            .await
        }
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

async fn load(state: &AppState, id: i64) -> Result<User, Error> {
    state
        .db
        .call("user", move |conn| users::get(conn, id))
        .await?
        .ok_or(Error::NotFound)
}

async fn edit_page(
    state: &AppState,
    admin: &Agent,
    user: &User,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    typed: Option<&UserForm>,
) -> Result<Response, Error> {
    let form = match typed {
        Some(form) => form.clone(),
        None => UserForm {
            email: user.email.clone(),
            name: user.name.clone(),
            role: user.role.as_db().to_string(),
            service: user.services.clone(),
        },
    };
    let template = UserTemplate {
        layout: admin.layout(format!("Compte de {}", user.name), view::SECTION_USERS),
        notice,
        user_id: user.id,
        user_name: user.name.clone(),
        user_email: user.email.clone(),
        state: state_label(user),
        disabled: user.disabled_at.is_some(),
        problems,
        form: form_view(state, &form).await?,
    };
    render(status, &template)
}

pub async fn show(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    let user = load(&state, id).await?;
    edit_page(
        &state,
        &admin,
        &user,
        StatusCode::OK,
        notice(&query),
        Vec::new(),
        None,
    )
    .await
}

/// Why `user` cannot lose administration (or be deactivated) now, if so.
async fn last_admin_problem(state: &AppState, user: &User) -> Result<Option<String>, Error> {
    if !user.is_admin() || user.disabled_at.is_some() {
        return Ok(None);
    }
    let admins = state
        .db
        .call("admins", |conn| users::active_admins(conn))
        .await?;
    Ok((admins <= 1)
        .then(|| "C'est le dernier administrateur actif : nommez-en un autre d'abord.".to_string()))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminPosted { admin, form }: AdminPosted<UserForm>,
) -> Result<Response, Error> {
    let user = load(&state, id).await?;
    let mut problems = Vec::new();
    if form.name.trim().is_empty() {
        problems.push("Le nom est obligatoire.".to_string());
    }
    let role = Role::from_db(&form.role);
    match role {
        None => problems.push("Choisissez un rôle.".to_string()),
        Some(Role::Agent | Role::Ambassador) => {
            problems.extend(last_admin_problem(&state, &user).await?)
        }
        Some(Role::Admin) => {}
    }
    let (Some(role), true) = (role, problems.is_empty()) else {
        return edit_page(
            &state,
            &admin,
            &user,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            problems,
            Some(&form),
        )
        .await;
    };
    let (name, services) = (form.name.clone(), form.service.clone());
    let updated = state
        .db
        .call("user_update", move |conn| {
            Ok(users::update(conn, id, &name, role, &services))
        })
        .await?;
    match updated {
        Ok(Some(_)) => {
            tracing::info!(user = admin.user.id, changed = id, "compte modifié");
            see_other(&format!("/admin/utilisateurs/{id}?fait=enregistre"))
        }
        Ok(None) => Err(Error::NotFound),
        Err(error) => {
            edit_page(
                &state,
                &admin,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![format!("{}.", capitalize(&error.to_string()))],
                Some(&form),
            )
            .await
        }
    }
}

pub async fn reset_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminPosted {
        admin,
        form: NoFields {},
    }: AdminPosted<NoFields>,
) -> Result<Response, Error> {
    let user = load(&state, id).await?;
    let password = passwords::generate();
    let secret = password.clone();
    let hash = tokio::task::spawn_blocking(move || passwords::hash(&secret))
        .await
        .map_err(|error| Error::Internal(error.into()))??;
    state
        .db
        .call("user_reset", move |conn| {
            users::set_password(conn, id, &hash)
        })
        .await?;
    tracing::info!(
        user = admin.user.id,
        reset = id,
        "mot de passe réinitialisé"
    );
    password_page(&admin, &user, password, false)
}

async fn set_disabled(
    state: &AppState,
    admin: &Agent,
    id: i64,
    disable: bool,
) -> Result<Response, Error> {
    let user = load(state, id).await?;
    if disable {
        let problem = if user.id == admin.user.id {
            Some("Vous ne pouvez pas désactiver votre propre compte.".to_string())
        } else {
            last_admin_problem(state, &user).await?
        };
        if let Some(problem) = problem {
            return edit_page(
                state,
                admin,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![problem],
                None,
            )
            .await;
        }
    }
    let at = disable.then(db::now);
    state
        .db
        .call("user_disable", move |conn| {
            users::set_disabled(conn, id, at.as_deref())
        })
        .await?;
    tracing::info!(
        user = admin.user.id,
        changed = id,
        disable,
        "compte (dés)activé"
    );
    let done = if disable { "desactive" } else { "reactive" };
    see_other(&format!("/admin/utilisateurs/{id}?fait={done}"))
}

pub async fn disable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminPosted {
        admin,
        form: NoFields {},
    }: AdminPosted<NoFields>,
) -> Result<Response, Error> {
    set_disabled(&state, &admin, id, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    AdminPosted {
        admin,
        form: NoFields {},
    }: AdminPosted<NoFields>,
) -> Result<Response, Error> {
    set_disabled(&state, &admin, id, false).await
}
