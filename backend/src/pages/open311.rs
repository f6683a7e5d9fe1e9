//! Administrators: `/admin/open311`: the clients of the Open311 API (other channels that post
//! reports), adding one (its `api_key` is shown once, like `backend open311 key add`), and
//! revoking one (its key is refused at once).

use super::session::{Admin, AdminPosted, Agent};
use super::users::SecretTemplate;
use super::view::{self, french_time, render, see_other, Layout, NoFields, NoticeQuery};
use crate::db::{self, open311};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    name: String,
}

pub struct ClientLine {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub state: String,
    pub revocable: bool,
}

#[derive(Template)]
#[template(path = "admin/open311.html")]
struct ClientsTemplate {
    layout: Layout,
    notice: Option<String>,
    clients: Vec<ClientLine>,
    problems: Vec<String>,
    form: ClientForm,
    endpoint: String,
}

async fn list_page(
    state: &AppState,
    admin: &Agent,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    form: ClientForm,
) -> Result<Response, Error> {
    let clients = state
        .db
        .call("open311_clients", |conn| open311::clients(conn))
        .await?;
    let template = ClientsTemplate {
        layout: admin.layout("Open311", view::SECTION_OPEN311),
        notice,
        clients: clients
            .into_iter()
            .map(|client| ClientLine {
                revocable: client.revoked_at.is_none(),
                state: client.revoked_at.as_deref().map_or_else(
                    || "active".to_string(),
                    |at| format!("révoquée le {}", french_time(at)),
                ),
                id: client.id,
                name: client.name,
                prefix: client.receipt_prefix,
                created: french_time(&client.created_at),
            })
            .collect(),
        problems,
        form,
        endpoint: format!(
            "{}{}/discovery.json",
            state.settings.public_url,
            crate::open311::PREFIX
        ),
    };
    render(status, &template)
}

pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    let notice = (query.fait == "revoquee")
        .then(|| "Clé révoquée : elle est refusée dès maintenant.".to_string());
    list_page(
        &state,
        &admin,
        StatusCode::OK,
        notice,
        Vec::new(),
        ClientForm::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    AdminPosted { admin, form }: AdminPosted<ClientForm>,
) -> Result<Response, Error> {
    let name = form.name.clone();
    let added = state
        .db
        .call("open311_client_add", move |conn| {
            Ok(open311::add_client(conn, &name, &db::now()))
        })
        .await?;
    let (client, key) = match added {
        Ok(added) => added,
        Err(error) => {
            return list_page(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                vec![view::sentence(&error.to_string())],
                form,
            )
            .await;
        }
    };
    tracing::info!(user = admin.user.id, client = %client.id, "client Open311 ajouté");
    let template = SecretTemplate {
        layout: admin.layout(format!("Client {}", client.name), view::SECTION_OPEN311),
        heading: format!("Client Open311 {}", client.name),
        intro: format!(
            "Client « {} » ajouté (préfixe des codes de suivi {}). Voici sa clé api_key.",
            client.name, client.receipt_prefix
        ),
        secret: key,
        advice: "Donnez-la au client par un moyen sûr. Elle ne sera plus affichée : \
                 en cas de perte, révoquez-la et créez-en une autre."
            .to_string(),
        back_href: "/admin/open311".to_string(),
        back_label: "Retour aux clients Open311".to_string(),
    };
    render(StatusCode::OK, &template)
}

pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminPosted {
        admin,
        form: NoFields {},
    }: AdminPosted<NoFields>,
) -> Result<Response, Error> {
    let target = id.clone();
    state
        .db
        .call("open311_client_revoke", move |conn| {
            let known = open311::clients(conn)?.into_iter().any(|c| c.id == target);
            if !known {
                return Ok(None);
            }
            open311::revoke_client(conn, &target, &db::now()).map(Some)
        })
        .await?
        .ok_or(Error::NotFound)?;
    tracing::info!(user = admin.user.id, client = %id, "client Open311 révoqué");
    see_other("/admin/open311?fait=revoquee")
}
