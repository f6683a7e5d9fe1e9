//! Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) under `/open311/v2/`: the reports
//! made at the kiosks, readable by the intercommunality's other tools (FixMyStreet, city
//! dashboards, open-data portals), and reports from other channels posted into the same
//! inbox. JSON and XML for every resource, chosen by the file extension.
//!
//! - [`reply`]: one response built once, written as JSON or XML;
//! - [`services`]: `services` and `services/{code}`: one service per flow of kind `report`,
//!   its attributes generated from the flow's questions;
//! - [`requests`]: `requests`, `requests/{id}` and `tokens/{token}`: what the public may see
//!   of a report (never a name, a phone number or an e-mail address);
//! - [`post`]: `POST requests` with an `api_key`: checked with the flow's own rules
//!   (`kiosk_flow::form`) and filed like a kiosk's submission.
//!
//! Which fields are public and how statuses map is in `backend/README.md`.

pub mod post;
pub mod reply;
pub mod requests;
pub mod services;

use crate::known_flows::KnownFlows;
use crate::state::AppState;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use reply::{Field, Format, Item, Reply};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The one jurisdiction served; a request naming another is refused.
pub const JURISDICTION_ID: &str = "campagnes-artois";

/// The path every resource is under.
pub const PREFIX: &str = "/open311/v2";

/// An error as the specification writes them: a list of `code` and `description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub status: StatusCode,
    pub descriptions: Vec<String>,
}

impl Open311Error {
    pub fn new(status: StatusCode, description: impl Into<String>) -> Open311Error {
        Open311Error {
            status,
            descriptions: vec![description.into()],
        }
    }

    pub fn bad_request(description: impl Into<String>) -> Open311Error {
        Open311Error::new(StatusCode::BAD_REQUEST, description)
    }

    pub fn not_found(description: impl Into<String>) -> Open311Error {
        Open311Error::new(StatusCode::NOT_FOUND, description)
    }

    pub fn internal(error: anyhow::Error) -> Open311Error {
        tracing::error!(error = %format!("{error:#}"), "open311");
        Open311Error::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Erreur interne : réessayez plus tard.",
        )
    }

    pub fn reply(&self) -> Reply {
        let code = i64::from(self.status.as_u16());
        Reply::List {
            root: "errors",
            tag: "error",
            items: self
                .descriptions
                .iter()
                .map(|description| {
                    Item::default()
                        .with("code", Field::Int(code))
                        .with("description", Field::text(description.clone()))
                })
                .collect(),
        }
    }

    pub fn respond(&self, format: Format) -> Response {
        self.reply().respond(self.status, format)
    }
}

/// The format of a resource named by the last segment of `uri` (`services.xml`); JSON when
/// it has none that is known (the error is then said in JSON).
pub fn format_of(uri: &Uri) -> Format {
    uri.path()
        .rsplit('/')
        .next()
        .and_then(Format::split)
        .map_or(Format::Json, |(_, format)| format)
}

/// The query's parameters; a parameter given twice keeps its last value.
pub fn query_params(uri: &Uri) -> BTreeMap<String, String> {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

/// Refuses a `jurisdiction_id` other than [`JURISDICTION_ID`].
pub fn check_jurisdiction(params: &BTreeMap<String, String>) -> Result<(), Open311Error> {
    match params.get("jurisdiction_id").map(|j| j.trim()) {
        None | Some("") | Some(JURISDICTION_ID) => Ok(()),
        Some(other) => Err(Open311Error::not_found(format!(
            "jurisdiction_id « {other} » inconnu : ce serveur ne sert que « {JURISDICTION_ID} »."
        ))),
    }
}

/// Runs `f` on the database (see [`crate::db::Db::call`]); a failure is a 500.
pub async fn db<T, F>(state: &AppState, op: &'static str, f: F) -> Result<T, Open311Error>
where
    T: Send + 'static,
    F: FnOnce(&mut rusqlite::Connection) -> anyhow::Result<T> + Send + 'static,
{
    state.db.call(op, f).await.map_err(Open311Error::internal)
}

/// The flows the back end knows now.
pub async fn known_flows(state: &AppState) -> Result<Arc<KnownFlows>, Open311Error> {
    let cache = state.known_flows.clone();
    let shipped = state.shipped_flows.clone();
    db(state, "open311_flows", move |conn| {
        cache.get(conn, &shipped)
    })
    .await
}

/// The names of the back end's services, by id (a service's `group`, a request's agency).
pub async fn service_names(state: &AppState) -> Result<BTreeMap<String, String>, Open311Error> {
    let services = db(state, "open311_services", |conn| {
        crate::db::services::list(conn)
    })
    .await?;
    Ok(services.into_iter().map(|s| (s.id, s.name)).collect())
}

/// `GET /open311/v2/discovery.{format}`: where the endpoint is and what it speaks.
pub async fn discovery(
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: Uri,
) -> Response {
    let format = format_of(&uri);
    let url = format!("{}{PREFIX}", state.settings.public_url);
    let endpoint = Item::default()
        .with(
            "specification",
            Field::text("http://wiki.open311.org/GeoReport_v2"),
        )
        .with("url", Field::text(url))
        .with("changeset", Field::text(CHANGESET))
        .with("type", Field::text("production"))
        .with(
            "formats",
            Field::Texts {
                tag: "format",
                texts: vec!["text/xml".into(), "application/json".into()],
            },
        );
    Reply::One {
        root: "discovery",
        item: Item::default()
            .with("changeset", Field::text(CHANGESET))
            .with(
                "contact",
                Field::text("Communauté de Communes des Campagnes de l'Artois"),
            )
            .with(
                "key_service",
                Field::text("Une clé api_key est donnée par les administrateurs (page Open311)."),
            )
            .with(
                "endpoints",
                Field::Items {
                    tag: "endpoint",
                    items: vec![endpoint],
                },
            ),
    }
    .respond(StatusCode::OK, format)
}

/// When this API last changed.
const CHANGESET: &str = "2026-12-01T00:00:00Z";
