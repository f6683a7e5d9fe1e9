//! What templates need besides their data: the [`Layout`] every page shares (title, account,
//! menu, logout token), French forms of times and statuses, [`render`], and small helpers
//! shared by the pages' handlers.

use crate::db::users::User;
use crate::error::Error;
use askama::Template;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Europe::Paris;
use kiosk_sync::wire::RequestStatus;

/// The menu's sections; [`Layout::section`] says which one the page is in.
pub const SECTION_INBOX: &str = "demandes";
pub const SECTION_SERVICES: &str = "services";
pub const SECTION_USERS: &str = "utilisateurs";
pub const SECTION_KIOSKS: &str = "bornes";
pub const SECTION_FLOWS: &str = "parcours";
pub const SECTION_OPEN311: &str = "open311";
pub const SECTION_ACCOUNT: &str = "compte";

/// What every page's frame shows.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// The page's own title (the site's name is added after it).
    pub title: String,
    /// The logged-in account, if any: name, whether administrator.
    pub user_name: Option<String>,
    pub is_admin: bool,
    /// The session's form token, for the logout button.
    pub csrf: String,
    /// One of the `SECTION_*` constants, or empty.
    pub section: &'static str,
}

impl Layout {
    /// The frame for a logged-in account.
    pub fn for_user(
        title: impl Into<String>,
        user: &User,
        csrf: &str,
        section: &'static str,
    ) -> Layout {
        Layout {
            title: title.into(),
            user_name: Some(user.name.clone()),
            is_admin: user.is_admin(),
            csrf: csrf.to_string(),
            section,
        }
    }

    /// The frame without an account (login and error pages).
    pub fn anonymous(title: impl Into<String>) -> Layout {
        Layout {
            title: title.into(),
            ..Layout::default()
        }
    }
}

/// Renders `template` as a page: HTML, never cached (pages show personal data).
pub fn render<T: Template>(status: StatusCode, template: &T) -> Result<Response, Error> {
    let html = template
        .render()
        .map_err(|error| Error::Internal(anyhow::anyhow!("gabarit : {error}")))?;
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// 303 See Other to `location` (after a form, or to the login page).
/// An error message as a sentence for a page: capital first letter, final period.
pub fn sentence(message: &str) -> String {
    let mut text = message.trim_end_matches('.').to_string();
    if let Some(first) = text.get(..1) {
        let upper = first.to_uppercase();
        text.replace_range(..1, &upper);
    }
    format!("{text}.")
}

pub fn see_other(location: &str) -> Result<Response, Error> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response.headers_mut().insert(
        LOCATION,
        HeaderValue::from_str(location).map_err(|error| Error::Internal(error.into()))?,
    );
    Ok(response)
}

/// A form with no field but its token (logout, password reset, revocation...).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// `?fait=...`: what the previous form did, said once on the page it leads to.
#[derive(Debug, Default, serde::Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    pub fait: String,
}

/// A stored time (RFC 3339) as agents read it: `28/11/2026 à 11:05`, in French time.
pub fn french_time(stored: &str) -> String {
    match DateTime::parse_from_rfc3339(stored) {
        Ok(at) => at
            .with_timezone(&Paris)
            .format("%d/%m/%Y à %H:%M")
            .to_string(),
        Err(_) => stored.to_string(),
    }
}

/// Midnight, French time, at the start of `date` (`YYYY-MM-DD`), as stored (UTC).
pub fn start_of_french_day(date: NaiveDate) -> Option<String> {
    let midnight = date.and_hms_opt(0, 0, 0)?;
    let local = Paris.from_local_datetime(&midnight).earliest()?;
    Some(crate::db::timestamp(local.with_timezone(&Utc)))
}

/// The status as agents read it (the CSV export's spelling too).
pub use crate::export::status_label;

/// The status's spelling in addresses, forms and CSS classes.
pub fn status_slug(status: RequestStatus) -> &'static str {
    crate::db::submissions::status_to_db(status)
}

/// Every status, in the order of a request's life.
pub const STATUSES: [RequestStatus; 4] = [
    RequestStatus::Recu,
    RequestStatus::EnCours,
    RequestStatus::Traite,
    RequestStatus::Rejete,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_french_time() {
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            french_time("2026-11-28T10:05:00.000Z"),
            "28/11/2026 à 11:05"
        );
        assert_eq!(french_time("2026-07-01T10:05:00Z"), "01/07/2026 à 12:05");
        assert_eq!(french_time("pas une date"), "pas une date");
        let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        assert_eq!(
            start_of_french_day(day).as_deref(),
            Some("2026-11-27T23:00:00.000Z")
        );
    }
}
