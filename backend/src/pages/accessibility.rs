//! `GET /accessibilite`: the accessibility statement (« Déclaration d'accessibilité ») that
//! RGAA asks of public bodies' online services, linked from every page's footer with the
//! conformity status (« Accessibilité : non conforme » until an RGAA audit is done: the law
//! allows no other wording without one). Open to everyone, logged in or not.

use super::session::Visitor;
use super::view::{render, Layout};
use crate::error::Error;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;

/// The conformity status the footer and the statement give.
pub const CONFORMITY: &str = "non conforme";

#[derive(Template)]
#[template(path = "accessibility.html")]
struct StatementTemplate {
    layout: Layout,
    conformity: &'static str,
}

pub async fn statement(visitor: Visitor) -> Result<Response, Error> {
    let title = "Déclaration d'accessibilité";
    let layout = match &visitor.user {
        Some(user) => Layout {
            user_name: Some(user.name.clone()),
            is_admin: user.is_admin(),
            csrf: visitor
                .session
                .as_ref()
                .map(|s| s.csrf_token.clone())
                .unwrap_or_default(),
            ..Layout::anonymous(title)
        },
        None => Layout::anonymous(title),
    };
    render(
        StatusCode::OK,
        &StatementTemplate {
            layout,
            conformity: CONFORMITY,
        },
    )
}
