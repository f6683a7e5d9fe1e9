//! `GET /demandes`: the inbox (urgent requests to deal with first, then new ones; filters, search by receipt code, pages,
//! counts per status), and `GET /demandes/export.csv`: the same list as CSV.

use super::session::Agent;
use super::view::{self, french_time, render, status_label, status_slug, Layout, STATUSES};
use crate::db::inbox::{self, Filter, Scope};
use crate::db::services;
use crate::db::submissions::status_from_db;
use crate::error::Error;
use crate::export;
use crate::extract::Query;
use crate::flow_titles::Titles;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use kiosk_sync::wire::RequestStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Lines per page.
pub const PER_PAGE: usize = 25;

/// The inbox's address parameters, in French, as typed (checked by [`InboxQuery::filter`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct InboxQuery {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub recu: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub service: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub statut: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub demarche: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub commune: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub du: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub au: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub page: String,
}

fn some(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

impl InboxQuery {
    /// The filter, and what could not be understood (ignored, and said on the page).
    pub fn filter(&self) -> (Filter, Vec<String>) {
        let mut problems = Vec::new();
        let status = some(&self.statut).and_then(|text| {
            let status = status_from_db(&text);
            if status.is_none() {
                problems.push(format!("statut inconnu « {text} »"));
            }
            status
        });
        let mut date = |text: &str, what: &str| {
            some(text).and_then(|text| match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.push(format!("{what} « {text} » n'est pas une date (AAAA-MM-JJ)"));
                    None
                }
            })
        };
        let from = date(&self.du, "la date de début");
        let to = date(&self.au, "la date de fin");
        let receipt = some(&self.recu).map(|text| {
            text.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect::<String>()
        });
        let filter = Filter {
            service: some(&self.service),
            status,
            flow: some(&self.demarche),
            commune: some(&self.commune),
            received_from: from.and_then(view::start_of_french_day),
            received_before: to
                .and_then(|to| to.succ_opt())
                .and_then(view::start_of_french_day),
            receipt: receipt.filter(|r| !r.is_empty()),
        };
        (filter, problems)
    }

    /// The page number asked for (1 if none or not a number).
    pub fn page_number(&self) -> usize {
        self.page.trim().parse().unwrap_or(1).max(1)
    }

    /// `path` with these parameters.
    pub fn href(&self, path: &str) -> String {
        let query = serde_html_form::to_string(self).unwrap_or_default();
        if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        }
    }

    fn with_page(&self, page: usize) -> InboxQuery {
        InboxQuery {
            page: if page > 1 {
                page.to_string()
            } else {
                String::new()
            },
            ..self.clone()
        }
    }
}

/// An option of a `<select>` or a checkbox.
#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct FilterForm {
    pub receipt: String,
    pub services: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub flows: Vec<Choice>,
    pub communes: Vec<Choice>,
    pub from: String,
    pub to: String,
}

pub struct CountLink {
    pub label: &'static str,
    pub slug: &'static str,
    pub n: usize,
    pub href: String,
    pub current: bool,
}

pub struct LineView {
    pub href: String,
    pub receipt: String,
    pub urgent: bool,
    pub received: String,
    pub status_label: &'static str,
    pub status_slug: &'static str,
    pub flow: String,
    pub commune: String,
    pub service: String,
    pub kiosk: String,
}

pub struct Pagination {
    pub page: usize,
    pub pages: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxTemplate {
    layout: Layout,
    heading: String,
    problems: Vec<String>,
    counts: Vec<CountLink>,
    filters: FilterForm,
    total: usize,
    lines: Vec<LineView>,
    csv_href: String,
    pagination: Option<Pagination>,
}

/// Service ids and their names, for the services the account works with.
fn service_names(
    conn: &rusqlite::Connection,
    scope: &Scope,
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut names: BTreeMap<String, String> = services::list(conn)?
        .into_iter()
        .map(|service| (service.id, service.name))
        .collect();
    match scope {
        Scope::All => {
            // Requests may name services nobody set up yet.
            for id in inbox::services(conn, scope)? {
                names.entry(id.clone()).or_insert(id);
            }
        }
        Scope::Services(mine) => names.retain(|id, _| mine.contains(id)),
    }
    Ok(names)
}

fn options(values: &[String], selected: &str, label: impl Fn(&str) -> String) -> Vec<Choice> {
    values
        .iter()
        .map(|value| Choice {
            value: value.clone(),
            label: label(value),
            selected: value == selected,
        })
        .collect()
}

pub async fn list(
    State(state): State<AppState>,
    agent: Agent,
    Query(query): Query<InboxQuery>,
) -> Result<Response, Error> {
    let (filter, problems) = query.filter();
    let scope = agent.scope();
    let page = query.page_number();
    let shipped = state.shipped_flows.clone();
    let data = state
        .db
        .call("inbox", move |conn| {
            let total = inbox::count(conn, &scope, &filter)?;
            let pages = total.div_ceil(PER_PAGE).max(1);
            let page = page.min(pages);
            let lines = inbox::page(conn, &scope, &filter, (page - 1) * PER_PAGE, PER_PAGE)?;
            Ok((
                total,
                pages,
                page,
                lines,
                inbox::counts_by_status(conn, &scope, &filter)?,
                inbox::flows(conn, &scope)?,
                inbox::communes(conn, &scope)?,
                service_names(conn, &scope)?,
                Titles::load(conn, &shipped)?,
            ))
        })
        .await?;
    let (total, pages, page, lines, counts, flows, communes, names, titles) = data;

    let name_of = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let heading = match names.get(query.service.trim()) {
        Some(name) => format!("Demandes — {name}"),
        None => "Demandes".to_string(),
    };
    let counts = STATUSES
        .iter()
        .map(|&status| {
            let n = counts
                .iter()
                .find(|(s, _)| *s == status)
                .map_or(0, |(_, n)| *n);
            let link = InboxQuery {
                statut: status_slug(status).to_string(),
                page: String::new(),
                ..query.clone()
            };
            CountLink {
                label: status_label(status),
                slug: status_slug(status),
                n,
                href: link.href("/demandes"),
                current: query.statut.trim() == status_slug(status),
            }
        })
        .collect();
    let service_ids: Vec<String> = names.keys().cloned().collect();
    let filters = FilterForm {
        receipt: query.recu.clone(),
        services: options(&service_ids, query.service.trim(), |id| name_of(id)),
        statuses: STATUSES
            .iter()
            .map(|&status| Choice {
                value: status_slug(status).to_string(),
                label: status_label(status).to_string(),
                selected: query.statut.trim() == status_slug(status),
            })
            .collect(),
        flows: options(&flows, query.demarche.trim(), |id| titles.of(id)),
        communes: options(&communes, query.commune.trim(), str::to_string),
        from: query.du.clone(),
        to: query.au.clone(),
    };
    let lines = lines
        .into_iter()
        .map(|line| LineView {
            href: format!("/demandes/{}", line.id),
            receipt: line.receipt,
            urgent: line.urgent,
            received: french_time(&line.received_at),
            status_label: status_label(line.status),
            status_slug: status_slug(line.status),
            flow: titles.of(&line.flow_id),
            commune: line.commune.unwrap_or_default(),
            service: name_of(&line.service),
            kiosk: line.kiosk_name.unwrap_or_default(),
        })
        .collect();
    let pagination = (pages > 1).then(|| Pagination {
        page,
        pages,
        previous: (page > 1).then(|| query.with_page(page - 1).href("/demandes")),
        next: (page < pages).then(|| query.with_page(page + 1).href("/demandes")),
    });
    let csv_href = query.with_page(1).href("/demandes/export.csv");
    let template = InboxTemplate {
        layout: agent.layout(heading.clone(), view::SECTION_INBOX),
        heading,
        problems,
        counts,
        filters,
        total,
        lines,
        csv_href,
        pagination,
    };
    render(StatusCode::OK, &template)
}

pub async fn export_csv(
    State(state): State<AppState>,
    agent: Agent,
    Query(query): Query<InboxQuery>,
) -> Result<Response, Error> {
    let (filter, _) = query.filter();
    let scope = agent.scope();
    let shipped = state.shipped_flows.clone();
    let csv = state
        .db
        .call("inbox_csv", move |conn| {
            let names = service_names(conn, &scope)?;
            let titles = Titles::load(conn, &shipped)?;
            let mut csv = String::from(export::CSV_BOM);
            csv.push_str(&export::csv_header());
            inbox::for_each(conn, &scope, &filter, |line, opened| {
                let service = names
                    .get(&line.service)
                    .cloned()
                    .unwrap_or_else(|| line.service.clone());
                let received = french_time(&line.received_at);
                let title = titles.of(&line.flow_id);
                csv.push_str(&export::csv_request(
                    &line, &received, &service, &title, &opened,
                ));
                Ok(())
            })?;
            Ok(csv)
        })
        .await?;
    tracing::info!(user = agent.user.id, "export CSV");
    let filename = format!(
        "attachment; filename=\"demandes-{}.csv\"",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut response = (StatusCode::OK, csv).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        CONTENT_DISPOSITION,
        HeaderValue::from_str(&filename).map_err(|error| Error::Internal(error.into()))?,
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// For the request page's form.
pub fn status_choices(current: RequestStatus) -> Vec<Choice> {
    STATUSES
        .iter()
        .map(|&status| Choice {
            value: status_slug(status).to_string(),
            label: status_label(status).to_string(),
            selected: status == current,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_become_filters_and_links() {
        let query = InboxQuery {
            recu: " ab3-7k ".into(),
            statut: "traite".into(),
            du: "2026-11-01".into(),
            au: "2026-11-30".into(),
            page: "3".into(),
            ..InboxQuery::default()
        };
        let (filter, problems) = query.filter();
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(filter.receipt.as_deref(), Some("AB37K"));
        assert_eq!(filter.status, Some(RequestStatus::Traite));
        assert_eq!(
            filter.received_from.as_deref(),
            Some("2026-10-31T23:00:00.000Z")
        );
        assert_eq!(
            filter.received_before.as_deref(),
            Some("2026-11-30T23:00:00.000Z")
        );
        assert_eq!(query.page_number(), 3);
        assert_eq!(
            query.with_page(1).href("/demandes"),
            "/demandes?recu=+ab3-7k+&statut=traite&du=2026-11-01&au=2026-11-30"
        );
        let bad = InboxQuery {
            statut: "fini".into(),
            du: "hier".into(),
            page: "x".into(),
            ..InboxQuery::default()
        };
        let (filter, problems) = bad.filter();
        assert_eq!(filter, Filter::default());
        assert_eq!(problems.len(), 2);
        assert_eq!(bad.page_number(), 1);
    }
}
