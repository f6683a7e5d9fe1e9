//! Administrators: `/admin/parcours`: the published flows (versions, kiosks, who and when,
//! retired or not) and the publishing form. The uploaded YAML files (and datasets) are
//! checked like `backend flow publish` does ([`crate::publish`]); on any error nothing is
//! published and every file is shown with its lines numbered and the faulty lines marked,
//! each problem as `file:line:column: message`.

use super::session::{check_csrf, Admin, Agent};
use super::view::{self, french_time, render, see_other, Layout, NoticeQuery};
use crate::db::{self, flow_catalog};
use crate::error::Error;
use crate::extract::Query;
use crate::publish::{self, Upload};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;

/// The uploaded files, the kiosks typed, and who posted them (token checked).
pub struct PublishForm {
    admin: Agent,
    uploads: Vec<Upload>,
    kiosks: String,
}

impl FromRequest<AppState> for PublishForm {
    type Rejection = Error;

    /// Reads the `multipart/form-data` body (within the server's body limit), then checks
    /// the `csrf` field before anything is used; a body that is not multipart has no token.
    async fn from_request(request: Request, state: &AppState) -> Result<PublishForm, Error> {
        let (mut parts, body) = request.into_parts();
        let admin = Agent::from_request_parts(&mut parts, state).await?;
        if !admin.user.is_admin() {
            return Err(Error::NotFound);
        }
        let mut multipart = Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| Error::Csrf)?;
        let (mut csrf, mut uploads, mut kiosks) = (String::new(), Vec::new(), String::new());
        while let Some(field) = multipart.next_field().await.map_err(|_| Error::Csrf)? {
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().unwrap_or("parcours.yaml").to_string();
            let bytes = field.bytes().await.map_err(|_| Error::Csrf)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            match name.as_str() {
                "csrf" => csrf = text,
                "bornes" => kiosks = text,
                "fichiers" if !bytes.is_empty() => uploads.push(Upload {
                    name: file_name,
                    text,
                }),
                _ => {}
            }
        }
        check_csrf(&admin.csrf, &csrf)?;
        Ok(PublishForm {
            admin,
            uploads,
            kiosks,
        })
    }
}

pub struct FlowLine {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub service: String,
    pub kiosks: String,
    pub published: String,
    pub state: &'static str,
}

/// One line of an uploaded file, as shown back.
pub struct SourceLine {
    pub number: usize,
    pub text: String,
    /// The problems on this line (empty: a good line).
    pub problems: Vec<String>,
}

pub struct FileView {
    pub name: String,
    pub lines: Vec<SourceLine>,
    pub has_errors: bool,
}

#[derive(Template)]
#[template(path = "admin/flows.html")]
struct FlowsTemplate {
    layout: Layout,
    notice: Option<String>,
    flows: Vec<FlowLine>,
    /// Every problem, `file:line:column: message`.
    problems: Vec<String>,
    files: Vec<FileView>,
    kiosks: String,
}

fn file_view(report: &publish::FileReport) -> FileView {
    let lines = report
        .text
        .lines()
        .enumerate()
        .map(|(i, text)| SourceLine {
            number: i + 1,
            text: text.to_string(),
            problems: report
                .diagnostics
                .iter()
                .filter(|d| d.position.line == i + 1)
                .map(|d| d.render(&report.name))
                .collect(),
        })
        .collect();
    FileView {
        name: report.name.clone(),
        lines,
        has_errors: report.has_errors(),
    }
}

async fn page(
    state: &AppState,
    admin: &Agent,
    status: StatusCode,
    notice: Option<String>,
    checked: Option<publish::Checked>,
    kiosks: String,
) -> Result<Response, Error> {
    let published = state
        .db
        .call("flows", |conn| flow_catalog::list(conn))
        .await?;
    let flows = published
        .into_iter()
        .map(|f| FlowLine {
            state: if f.retired_at.is_some() {
                "retiré"
            } else {
                "publié"
            },
            id: f.id,
            version: f.version,
            title: f.title,
            service: f.service,
            kiosks: if f.kiosks.is_empty() {
                "toutes".to_string()
            } else {
                f.kiosks.join(", ")
            },
            published: format!("{} par {}", french_time(&f.published_at), f.published_by),
        })
        .collect();
    let (problems, files) = match &checked {
        Some(checked) => (
            checked.lines(),
            checked.files.iter().map(file_view).collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let template = FlowsTemplate {
        layout: admin.layout("Parcours", view::SECTION_FLOWS),
        notice,
        flows,
        problems,
        files,
        kiosks,
    };
    render(status, &template)
}

pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    let notice = (query.fait == "publie").then(|| {
        "Parcours publiés. Les bornes les installent à leur prochaine synchronisation, \
         entre deux personnes."
            .to_string()
    });
    page(&state, &admin, StatusCode::OK, notice, None, String::new()).await
}

pub async fn publish(State(state): State<AppState>, form: PublishForm) -> Result<Response, Error> {
    let PublishForm {
        admin,
        uploads,
        kiosks,
    } = form;
    let names: Vec<String> = kiosks
        .split([',', '\n'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    let by = admin.user.email.clone();
    let outcome = state
        .db
        .call("flow_publish", move |conn| {
            let checked = publish::check(conn, &uploads, &names)?;
            let revision = match &checked.publication {
                Some(publication) => {
                    Some(flow_catalog::publish(conn, publication, &by, &db::now())?)
                }
                None => None,
            };
            Ok((checked, revision))
        })
        .await?;
    match outcome {
        (_, Some(revision)) => {
            tracing::info!(user = admin.user.id, revision, "parcours publiés");
            see_other("/admin/parcours?fait=publie")
        }
        (checked, None) => {
            page(
                &state,
                &admin,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(checked),
                kiosks,
            )
            .await
        }
    }
}
