//! Administrators: `/admin/bornes`: the kiosks (last heartbeat, queue length, software
//! version, last error), adding one (its one-time enrolment code is shown once, like
//! `backend kiosk add`), and revoking one (its token is refused at once).

use super::session::{Admin, AdminPosted, Agent};
use super::users::SecretTemplate;
use super::view::{self, french_time, render, see_other, Layout, NoFields, NoticeQuery};
use crate::db::{self, flow_catalog, kiosks};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::secrets;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct KioskForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    place: String,
}

pub struct KioskLine {
    pub id: String,
    pub name: String,
    pub place: String,
    pub state: &'static str,
    pub last_seen: String,
    pub queue: String,
    pub version: String,
    pub last_error: String,
    pub revocable: bool,
    /// The catalog of published flows it runs ("version 7", "parcours livrés"), and why
    /// it refused the last one offered, if it did.
    pub catalog: String,
    pub catalog_refused: String,
}

#[derive(Template)]
#[template(path = "admin/kiosks.html")]
struct KiosksTemplate {
    layout: Layout,
    notice: Option<String>,
    kiosks: Vec<KioskLine>,
    problems: Vec<String>,
    form: KioskForm,
}

fn line(
    kiosk: kiosks::Kiosk,
    catalogs: &std::collections::HashMap<String, flow_catalog::KioskCatalog>,
) -> KioskLine {
    let state = catalogs.get(&kiosk.id).cloned().unwrap_or_default();
    let catalog = match state.version {
        _ if kiosk.last_seen_at.is_none() => "—".to_string(),
        Some(version) => format!("version {version}"),
        None => "parcours livrés".to_string(),
    };
    let catalog_refused = state.refused.unwrap_or_default();
    let state = match (&kiosk.revoked_at, &kiosk.enrolled_at) {
        (Some(_), _) => "révoquée",
        (None, Some(_)) => "en service",
        (None, None) => "en attente d'enrôlement",
    };
    KioskLine {
        revocable: kiosk.revoked_at.is_none(),
        id: kiosk.id,
        name: kiosk.name,
        place: kiosk.place,
        state,
        last_seen: kiosk
            .last_seen_at
            .as_deref()
            .map_or_else(|| "jamais".to_string(), french_time),
        queue: kiosk
            .queue_length
            .map_or_else(|| "—".to_string(), |n| n.to_string()),
        version: kiosk.software_version.unwrap_or_else(|| "—".to_string()),
        last_error: kiosk.last_error.unwrap_or_default(),
        catalog,
        catalog_refused,
    }
}

async fn list_page(
    state: &AppState,
    admin: &Agent,
    status: StatusCode,
    notice: Option<String>,
    problems: Vec<String>,
    form: KioskForm,
) -> Result<Response, Error> {
    let (all, catalogs) = state
        .db
        .call("kiosks", |conn| {
            Ok((
                kiosks::list(conn)?,
                flow_catalog::kiosk_catalog_states(conn)?,
            ))
        })
        .await?;
    let template = KiosksTemplate {
        layout: admin.layout("Bornes", view::SECTION_KIOSKS),
        notice,
        kiosks: all.into_iter().map(|k| line(k, &catalogs)).collect(),
        problems,
        form,
    };
    render(status, &template)
}

pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    let notice = (query.fait == "revoquee")
        .then(|| "Borne révoquée : son jeton est refusé dès maintenant.".to_string());
    list_page(
        &state,
        &admin,
        StatusCode::OK,
        notice,
        Vec::new(),
        KioskForm::default(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    AdminPosted { admin, form }: AdminPosted<KioskForm>,
) -> Result<Response, Error> {
    let (name, place) = (form.name.clone(), form.place.clone());
    let added = state
        .db
        .call("kiosk_add", move |conn| {
            Ok(kiosks::add(conn, &name, &place, &db::now()))
        })
        .await?;
    let added = match added {
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
    tracing::info!(user = admin.user.id, kiosk = %added.kiosk.id, "borne ajoutée");
    let template = SecretTemplate {
        layout: admin.layout(format!("Borne {}", added.kiosk.name), view::SECTION_KIOSKS),
        heading: format!("Borne {}", added.kiosk.name),
        intro: format!(
            "Borne « {} » ajoutée à {} (préfixe des reçus {}). Voici son code d'enrôlement.",
            added.kiosk.name, added.kiosk.place, added.kiosk.receipt_prefix
        ),
        secret: secrets::display_enrolment_code(&added.code),
        advice: "À saisir sur la borne à son installation (kiosk enroll). Il ne sert qu'une fois \
                 et ne sera plus affiché : notez-le maintenant."
            .to_string(),
        back_href: "/admin/bornes".to_string(),
        back_label: "Retour aux bornes".to_string(),
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
    let revoked = state
        .db
        .call("kiosk_revoke", move |conn| {
            let known = kiosks::list(conn)?.into_iter().any(|k| k.id == target);
            if !known {
                return Ok(None);
            }
            kiosks::revoke(conn, &target, &db::now()).map(Some)
        })
        .await?
        .ok_or(Error::NotFound)?;
    tracing::info!(user = admin.user.id, kiosk = %revoked.kiosk.id, "borne révoquée");
    see_other("/admin/bornes?fait=revoquee")
}
