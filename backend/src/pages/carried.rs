//! A form posted after its session ended, given back after the login that followed
//! (WCAG 2.2.1, RGAA 13.1.3: the agent loses nothing). The form was kept by the login page
//! (`session::Posted` answers [`crate::error::Error::SessionExpired`]); here, a status
//! change comes back on its request's page, filled in; any other form comes back as a page
//! that sends it again with one button. Nothing is sent without the agent's say.

use super::request::{self, StatusDraft};
use super::session::Agent;
use super::view::{render, Layout};
use crate::error::Error;
use crate::state::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "carried.html")]
struct CarriedTemplate {
    layout: Layout,
    action: String,
    fields: Vec<(String, String)>,
}

/// The request id of a status form's address, `/demandes/{id}/statut`.
fn status_form_request(path: &str) -> Option<&str> {
    let id = path.strip_prefix("/demandes/")?.strip_suffix("/statut")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The page giving back `form` (form-encoded), posted to `path` before the login.
pub async fn give_back(
    state: &AppState,
    agent: &Agent,
    path: &str,
    form: &str,
) -> Result<Response, Error> {
    if let Some(id) = status_form_request(path) {
        let draft: StatusDraft = serde_html_form::from_str(form).unwrap_or_default();
        return request::page(state, agent, id.to_string(), false, Some(draft), false).await;
    }
    let fields: Vec<(String, String)> = serde_html_form::from_str(form).unwrap_or_default();
    let template = CarriedTemplate {
        layout: agent.layout("Reprendre votre envoi", ""),
        action: path.to_string(),
        fields,
    };
    render(StatusCode::OK, &template)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_forms_are_recognised_by_their_address() {
        assert_eq!(status_form_request("/demandes/abc-1/statut"), Some("abc-1"));
        assert_eq!(status_form_request("/demandes//statut"), None);
        assert_eq!(status_form_request("/demandes/a/b/statut"), None);
        assert_eq!(status_form_request("/admin/services/x"), None);
    }
}
