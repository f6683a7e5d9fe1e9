//! Every route in two tables: the kiosk API, [`ROUTES`] (checked against
//! `backend/openapi.yaml` by a test), and the pages for people, [`PAGES`]; and [`app`], which
//! builds the router from both.

use crate::error::Error;
use crate::handlers;
use crate::open311;
use crate::pages;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::{HeaderValue, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{on, MethodFilter, MethodRouter};
use axum::Router;
use http_body_util::BodyExt;
use kiosk_sync::wire::MAX_BODY_BYTES;
use std::collections::BTreeMap;
use std::time::Duration;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// An HTTP method used by the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
        }
    }
}

/// Which handler answers a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Enroll,
    PutSubmission,
    PutHelpCall,
    HelpCallState,
    Heartbeat,
    Status,
    Catalog,
    Availability,
    /// Open311 GeoReport v2 (`crate::open311`).
    Open311Discovery,
    Open311Services,
    Open311Service,
    Open311Requests,
    Open311Post,
    Open311Request,
    Open311Token,
}

#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: Method,
    /// In axum's syntax, `{name}` for a parameter (the same as OpenAPI's).
    pub path: &'static str,
    pub endpoint: Endpoint,
}

const fn open311(method: Method, path: &'static str, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        endpoint,
    }
}

/// The kiosk API, as `kiosk_sync::wire` specifies it, and Open311 GeoReport v2 (each
/// resource in JSON and in XML, by its extension).
pub const ROUTES: &[Route] = &[
    Route {
        method: Method::Post,
        path: "/api/v1/enroll",
        endpoint: Endpoint::Enroll,
    },
    Route {
        method: Method::Put,
        path: "/api/v1/submissions/{id}",
        endpoint: Endpoint::PutSubmission,
    },
    Route {
        method: Method::Put,
        path: "/api/v1/help-calls/{id}",
        endpoint: Endpoint::PutHelpCall,
    },
    Route {
        method: Method::Get,
        path: "/api/v1/help-calls/{id}",
        endpoint: Endpoint::HelpCallState,
    },
    Route {
        method: Method::Post,
        path: "/api/v1/heartbeat",
        endpoint: Endpoint::Heartbeat,
    },
    Route {
        method: Method::Get,
        path: "/api/v1/status/{receipt}",
        endpoint: Endpoint::Status,
    },
    Route {
        method: Method::Get,
        path: "/api/v1/catalog",
        endpoint: Endpoint::Catalog,
    },
    Route {
        method: Method::Get,
        path: "/api/v1/availability",
        endpoint: Endpoint::Availability,
    },
    open311(
        Method::Get,
        "/open311/v2/discovery.json",
        Endpoint::Open311Discovery,
    ),
    open311(
        Method::Get,
        "/open311/v2/discovery.xml",
        Endpoint::Open311Discovery,
    ),
    open311(
        Method::Get,
        "/open311/v2/services.json",
        Endpoint::Open311Services,
    ),
    open311(
        Method::Get,
        "/open311/v2/services.xml",
        Endpoint::Open311Services,
    ),
    open311(
        Method::Get,
        "/open311/v2/services/{file}",
        Endpoint::Open311Service,
    ),
    open311(
        Method::Get,
        "/open311/v2/requests.json",
        Endpoint::Open311Requests,
    ),
    open311(
        Method::Get,
        "/open311/v2/requests.xml",
        Endpoint::Open311Requests,
    ),
    open311(
        Method::Post,
        "/open311/v2/requests.json",
        Endpoint::Open311Post,
    ),
    open311(
        Method::Post,
        "/open311/v2/requests.xml",
        Endpoint::Open311Post,
    ),
    open311(
        Method::Get,
        "/open311/v2/requests/{file}",
        Endpoint::Open311Request,
    ),
    open311(
        Method::Get,
        "/open311/v2/tokens/{file}",
        Endpoint::Open311Token,
    ),
];

/// Which page handler answers a page route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Home,
    Style,
    LoginForm,
    Login,
    Logout,
    Inbox,
    InboxCsv,
    Request,
    RequestStatus,
    RequestJson,
    RequestErase,
    Account,
    AccountPassword,
    Services,
    ServiceCreate,
    Service,
    ServiceUpdate,
    ServiceDelete,
    Users,
    UserCreate,
    User,
    UserUpdate,
    UserPassword,
    UserDisable,
    UserEnable,
    Kiosks,
    KioskCreate,
    KioskRevoke,
    Flows,
    FlowPublish,
    SessionScript,
    SessionExtend,
    Accessibility,
    HelpDesk,
    HelpKiosk,
    HelpCall,
    HelpCallTake,
    HelpCallClose,
    Bookings,
    BookingCalendar,
    BookingDecision,
    BookingBlock,
    BookingUnblock,
    BookingIcal,
    Open311Clients,
    Open311ClientCreate,
    Open311ClientRevoke,
}

#[derive(Debug, Clone, Copy)]
pub struct PageRoute {
    pub method: Method,
    pub path: &'static str,
    pub page: Page,
}

const fn page(method: Method, path: &'static str, page: Page) -> PageRoute {
    PageRoute { method, path, page }
}

/// The pages for agents and administrators (`crate::pages`). Every POST takes a form whose
/// CSRF token is checked by its extractor (`pages::session::Posted`, `AdminPosted`, or the
/// login form's own check).
pub const PAGES: &[PageRoute] = &[
    page(Method::Get, "/", Page::Home),
    page(Method::Get, "/static/style.css", Page::Style),
    page(Method::Get, "/connexion", Page::LoginForm),
    page(Method::Post, "/connexion", Page::Login),
    page(Method::Post, "/deconnexion", Page::Logout),
    page(Method::Get, "/demandes", Page::Inbox),
    page(Method::Get, "/demandes/export.csv", Page::InboxCsv),
    page(Method::Get, "/demandes/{id}", Page::Request),
    page(Method::Post, "/demandes/{id}/statut", Page::RequestStatus),
    page(Method::Get, "/demandes/{id}/export.json", Page::RequestJson),
    page(Method::Post, "/demandes/{id}/effacer", Page::RequestErase),
    page(Method::Get, "/compte", Page::Account),
    page(Method::Post, "/compte", Page::AccountPassword),
    page(Method::Get, "/admin/services", Page::Services),
    page(Method::Post, "/admin/services", Page::ServiceCreate),
    page(Method::Get, "/admin/services/{id}", Page::Service),
    page(Method::Post, "/admin/services/{id}", Page::ServiceUpdate),
    page(
        Method::Post,
        "/admin/services/{id}/supprimer",
        Page::ServiceDelete,
    ),
    page(Method::Get, "/admin/utilisateurs", Page::Users),
    page(Method::Post, "/admin/utilisateurs", Page::UserCreate),
    page(Method::Get, "/admin/utilisateurs/{id}", Page::User),
    page(Method::Post, "/admin/utilisateurs/{id}", Page::UserUpdate),
    page(
        Method::Post,
        "/admin/utilisateurs/{id}/mot-de-passe",
        Page::UserPassword,
    ),
    page(
        Method::Post,
        "/admin/utilisateurs/{id}/desactiver",
        Page::UserDisable,
    ),
    page(
        Method::Post,
        "/admin/utilisateurs/{id}/reactiver",
        Page::UserEnable,
    ),
    page(Method::Get, "/admin/bornes", Page::Kiosks),
    page(Method::Post, "/admin/bornes", Page::KioskCreate),
    page(
        Method::Post,
        "/admin/bornes/{id}/revoquer",
        Page::KioskRevoke,
    ),
    page(Method::Get, "/admin/parcours", Page::Flows),
    page(Method::Post, "/admin/parcours", Page::FlowPublish),
    page(Method::Get, "/static/session.js", Page::SessionScript),
    page(Method::Post, "/session/prolonger", Page::SessionExtend),
    page(Method::Get, "/accessibilite", Page::Accessibility),
    page(Method::Get, "/ambassadeur", Page::HelpDesk),
    page(Method::Get, "/ambassadeur/bornes/{id}", Page::HelpKiosk),
    page(Method::Get, "/ambassadeur/appels/{id}", Page::HelpCall),
    page(
        Method::Post,
        "/ambassadeur/appels/{id}/prendre",
        Page::HelpCallTake,
    ),
    page(
        Method::Post,
        "/ambassadeur/appels/{id}/terminer",
        Page::HelpCallClose,
    ),
    page(Method::Get, "/reservations", Page::Bookings),
    page(Method::Get, "/reservations/{id}", Page::BookingCalendar),
    page(
        Method::Post,
        "/reservations/{id}/decision",
        Page::BookingDecision,
    ),
    page(
        Method::Post,
        "/reservations/{id}/blocage",
        Page::BookingBlock,
    ),
    page(
        Method::Post,
        "/reservations/{id}/deblocage",
        Page::BookingUnblock,
    ),
    page(Method::Get, "/calendrier/{file}", Page::BookingIcal),
    page(Method::Get, "/admin/open311", Page::Open311Clients),
    page(Method::Post, "/admin/open311", Page::Open311ClientCreate),
    page(
        Method::Post,
        "/admin/open311/{id}/revoquer",
        Page::Open311ClientRevoke,
    ),
];

fn page_router(route: &PageRoute) -> MethodRouter<AppState> {
    use pages::{
        accessibility, account, ambassador, assets, bookings, flows, inbox, kiosks, login, request,
        services, session_time, users,
    };
    let filter = route.method.filter();
    match route.page {
        Page::Home => on(filter, pages::home),
        Page::Style => on(filter, assets::style),
        Page::LoginForm => on(filter, login::form),
        Page::Login => on(filter, login::submit),
        Page::Logout => on(filter, login::logout),
        Page::Inbox => on(filter, inbox::list),
        Page::InboxCsv => on(filter, inbox::export_csv),
        Page::Request => on(filter, request::show),
        Page::RequestStatus => on(filter, request::set_status),
        Page::RequestJson => on(filter, request::export_json),
        Page::RequestErase => on(filter, request::erase),
        Page::Account => on(filter, account::show),
        Page::AccountPassword => on(filter, account::change_password),
        Page::Services => on(filter, services::list),
        Page::ServiceCreate => on(filter, services::create),
        Page::Service => on(filter, services::show),
        Page::ServiceUpdate => on(filter, services::update),
        Page::ServiceDelete => on(filter, services::delete),
        Page::Users => on(filter, users::list),
        Page::UserCreate => on(filter, users::create),
        Page::User => on(filter, users::show),
        Page::UserUpdate => on(filter, users::update),
        Page::UserPassword => on(filter, users::reset_password),
        Page::UserDisable => on(filter, users::disable),
        Page::UserEnable => on(filter, users::enable),
        Page::Kiosks => on(filter, kiosks::list),
        Page::KioskCreate => on(filter, kiosks::create),
        Page::KioskRevoke => on(filter, kiosks::revoke),
        Page::Flows => on(filter, flows::list),
        Page::FlowPublish => on(filter, flows::publish),
        Page::SessionScript => on(filter, session_time::script),
        Page::SessionExtend => on(filter, session_time::extend),
        Page::Accessibility => on(filter, accessibility::statement),
        Page::HelpDesk => on(filter, ambassador::desk),
        Page::HelpKiosk => on(filter, ambassador::kiosk),
        Page::HelpCall => on(filter, ambassador::call),
        Page::HelpCallTake => on(filter, ambassador::take),
        Page::HelpCallClose => on(filter, ambassador::close),
        Page::Bookings => on(filter, bookings::list),
        Page::BookingCalendar => on(filter, bookings::calendar),
        Page::BookingDecision => on(filter, bookings::decide),
        Page::BookingBlock => on(filter, bookings::block),
        Page::BookingUnblock => on(filter, bookings::unblock),
        Page::BookingIcal => on(filter, bookings::ical),
        Page::Open311Clients => on(filter, pages::open311::list),
        Page::Open311ClientCreate => on(filter, pages::open311::create),
        Page::Open311ClientRevoke => on(filter, pages::open311::revoke),
    }
}

fn method_router(route: &Route) -> MethodRouter<AppState> {
    let filter = route.method.filter();
    match route.endpoint {
        Endpoint::Enroll => on(filter, handlers::enroll::enroll),
        Endpoint::PutSubmission => on(filter, handlers::submissions::put),
        Endpoint::PutHelpCall => on(filter, handlers::help_calls::put),
        Endpoint::HelpCallState => on(filter, handlers::help_calls::get),
        Endpoint::Heartbeat => on(filter, handlers::heartbeat::post),
        Endpoint::Status => on(filter, handlers::status::get),
        Endpoint::Catalog => on(filter, handlers::catalog::get),
        Endpoint::Availability => on(filter, handlers::availability::get),
        Endpoint::Open311Discovery => on(filter, open311::discovery),
        Endpoint::Open311Services => on(filter, open311::services::list),
        Endpoint::Open311Service => on(filter, open311::services::definition),
        Endpoint::Open311Requests => on(filter, open311::requests::list),
        Endpoint::Open311Post => on(filter, open311::post::create),
        Endpoint::Open311Request => on(filter, open311::requests::one),
        Endpoint::Open311Token => on(filter, open311::requests::token),
    }
}

/// The whole service: routes, fallbacks (JSON for the API, pages elsewhere), body limits,
/// page headers, the request timeout (408, connection closed) and request tracing.
pub fn app(state: AppState) -> Router {
    let request_timeout = state.settings.limits.request_timeout;
    // Routes sharing a path (a page and its form) share one method router.
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    let api = ROUTES
        .iter()
        .map(|route| (route.path, method_router(route)));
    let people = PAGES.iter().map(|route| (route.path, page_router(route)));
    for (path, methods) in api.chain(people) {
        let merged = match by_path.remove(path) {
            Some(existing) => existing.merge(methods),
            None => methods,
        };
        by_path.insert(path, merged);
    }
    let mut router = Router::new();
    for (path, methods) in by_path {
        router = router.route(path, methods);
    }
    router
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            pages::html_errors,
        ))
        // Bodies streamed without a length are cut at the limit by the extractors (413 too).
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(refuse_declared_oversize))
        // A request not read and answered in time (a body trickling in) gets 408, and its
        // connection is closed: what is left of the body is never read.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(middleware::map_response(close_after_timeout))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::ERROR)),
        )
        .with_state(state)
}

/// One span per request, naming the route pattern rather than the path, so receipt codes
/// and ids stay out of request logs; headers (and so tokens) are never recorded.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(inconnue)", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route)
}

/// `Connection: close` on a 408 (the request's body was not read to its end).
async fn close_after_timeout(mut response: Response) -> Response {
    if response.status() == StatusCode::REQUEST_TIMEOUT {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// How much of a refused body is read and thrown away, and for how long, so the client can
/// finish sending and read the 413 (closing at once would reset the connection under it).
const DRAIN_MAX_BYTES: usize = 32 * 1024 * 1024;
const DRAIN_MAX_TIME: Duration = Duration::from_secs(10);

/// 413 at once for a body declared bigger than the limit, without handling any of it.
async fn refuse_declared_oversize(request: Request<Body>, next: Next) -> Response {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES as u64 => {
            tokio::spawn(drain(request.into_body()));
            let mut response = Error::PayloadTooLarge.into_response();
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
        _ => next.run(request).await,
    }
}

/// Reads and discards `body`, within [`DRAIN_MAX_BYTES`] and [`DRAIN_MAX_TIME`]
/// (a "lingering close", RFC 9112 section 9.6).
async fn drain(mut body: Body) {
    let read = async {
        let mut total = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            total += frame.data_ref().map_or(0, |data| data.len());
            if total > DRAIN_MAX_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, read).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_sync::wire;

    #[test]
    fn routes_are_the_wire_paths() {
        let path = |endpoint| {
            ROUTES
                .iter()
                .find(|route| route.endpoint == endpoint)
                .map(|route| route.path.to_string())
                .unwrap()
        };
        assert_eq!(path(Endpoint::Enroll), wire::enroll_path());
        assert_eq!(path(Endpoint::PutSubmission), wire::submission_path("{id}"));
        assert_eq!(path(Endpoint::PutHelpCall), wire::help_call_path("{id}"));
        assert_eq!(path(Endpoint::HelpCallState), wire::help_call_path("{id}"));
        assert_eq!(path(Endpoint::Heartbeat), wire::heartbeat_path());
        assert_eq!(path(Endpoint::Status), wire::status_path("{receipt}"));
        assert_eq!(path(Endpoint::Catalog), wire::catalog_path());
        assert_eq!(path(Endpoint::Availability), wire::availability_path());
    }

    #[test]
    fn pages_stay_out_of_the_kiosk_api() {
        for route in PAGES {
            assert!(!route.path.starts_with(wire::API_PREFIX), "{}", route.path);
        }
        let mut seen = std::collections::HashSet::new();
        for route in PAGES {
            assert!(seen.insert((route.method, route.path)), "{:?}", route);
        }
    }
}
