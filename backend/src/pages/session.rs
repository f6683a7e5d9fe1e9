//! Sessions as the pages see them: the cookies, and the extractors that every page handler
//! takes instead of reading cookies itself.
//!
//! - [`Visitor`]: whoever is asking, with their account if the session cookie names a live,
//!   logged-in session. [`LoginCookie`]: the login form's cookie; [`DeviceCookies`]: the
//!   signed cookies of accounts that logged in from this browser before.
//! - [`Agent`]: a logged-in account (agent or administrator), else a redirection to the login
//!   page. [`Admin`]: an administrator, else "not found". [`Ambassador`]: an ambassador or
//!   an administrator, else "not found".
//! - [`Posted`], [`AdminPosted`] and [`AmbassadorPosted`]: a form posted by an [`Agent`], an
//!   [`Admin`] or an [`Ambassador`], whose
//!   `csrf` field must be the session's token (compared in constant time), else 403. Every
//!   POST page handler takes one of them, so no form can forget the check (the login form,
//!   posted before there is an account, checks its own token). A form posted after the
//!   session ended is kept ([`Error::SessionExpired`]): the login page carries it, and after
//!   login it is given back.
//!
//! Three cookies, all HttpOnly, SameSite=Strict, Path=/, and Secure with the `__Host-` prefix
//! whenever [`Settings::cookie_secure`](crate::config::Settings) is on:
//! - `session`: a logged-in session (32 random bytes; the database keeps only their sha256),
//!   set only by a successful login, always with a new id (so an id planted beforehand is
//!   never adopted);
//! - `connexion`: the login form's, 32 random bytes stored nowhere: the form's token is
//!   `<time>.<HMAC(cookie value, time)>` ([`login_form_token`]), so showing the login page
//!   writes nothing. Keeping it apart means that showing the login form never overwrites a
//!   logged-in session's cookie (with SameSite=Strict, a link from a webmail arrives without
//!   cookies and lands on the login page; see [`Agent`] for how such a visit gets its session
//!   back);
//! - `appareil`: given at login, `<account id>.<nonce>.<HMAC>`, for 180 days: a browser that
//!   has logged in to the account before is counted apart from the account's lock
//!   (`db::login_failures`).

use crate::db::help_calls::KioskScope;
use crate::db::inbox::Scope;
use crate::db::sessions::{self, NewSession, Session};
use crate::db::users::{self, Role, User};
use crate::db::{self};
use crate::error::Error;
use crate::pages::is_local_path;
use crate::pages::view::Layout;
use crate::secrets;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use chrono::{DateTime, Duration, Utc};
use serde::de::DeserializeOwned;
use subtle::ConstantTimeEq;

/// Which cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jar {
    /// A logged-in session.
    Session,
    /// The login form's, before login.
    Login,
    /// A browser that has logged in before.
    Device,
}

impl Jar {
    /// The cookie's name: with the Secure flag, the `__Host-` prefix makes browsers refuse it
    /// from plain http, from another path, or with a Domain attribute.
    pub fn name(self, state: &AppState) -> &'static str {
        match (self, state.settings.cookie_secure) {
            (Jar::Session, true) => "__Host-session",
            (Jar::Session, false) => "session",
            (Jar::Login, true) => "__Host-connexion",
            (Jar::Login, false) => "connexion",
            (Jar::Device, true) => "__Host-appareil",
            (Jar::Device, false) => "appareil",
        }
    }
}

/// How long the login form (its cookie and its token) lives.
pub const LOGIN_FORM_TTL: Duration = Duration::hours(1);
/// How long a logged-in session lives at most (a working day).
pub const USER_TTL: Duration = Duration::hours(12);
/// How long a browser is remembered as one that logged in before.
pub const DEVICE_TTL: Duration = Duration::days(180);
/// Activity is recorded at most this often (a write per request would be wasted), or every
/// tenth of the idle timeout if that is shorter.
const TOUCH_EVERY: Duration = Duration::minutes(1);
/// The largest form accepted.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The `Set-Cookie` value giving the browser cookie `jar` = `value` for `ttl`.
pub fn set_cookie(
    state: &AppState,
    jar: Jar,
    value: &str,
    ttl: Duration,
) -> Result<HeaderValue, Error> {
    let secure = if state.settings.cookie_secure {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        jar.name(state),
        ttl.num_seconds()
    );
    HeaderValue::from_str(&cookie).map_err(|error| Error::Internal(error.into()))
}

/// The `Set-Cookie` value that removes cookie `jar`.
pub fn clear_cookie(state: &AppState, jar: Jar) -> Result<HeaderValue, Error> {
    set_cookie(state, jar, "", Duration::zero())
}

/// Every value the request's cookies give `name` (an attacker on a sibling host may have
/// added its own, so all are tried).
fn cookie_values<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(move |pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then_some(value.trim())
        })
}

/// Whether `given` is the session's form token, compared in constant time.
pub fn check_csrf(expected: &str, given: &str) -> Result<(), Error> {
    if expected.is_empty() || !bool::from(expected.as_bytes().ct_eq(given.as_bytes())) {
        return Err(Error::Csrf);
    }
    Ok(())
}

/// A new session's cookie value and form token, and the stored row for them.
pub struct Fresh {
    pub cookie_value: String,
    pub id_hash: String,
    pub csrf: String,
}

impl Fresh {
    pub fn new() -> Fresh {
        let cookie_value = secrets::new_token();
        Fresh {
            id_hash: secrets::sha256_hex(&cookie_value),
            cookie_value,
            csrf: secrets::new_token(),
        }
    }
}

impl Default for Fresh {
    fn default() -> Fresh {
        Fresh::new()
    }
}

/// The login form's token for the browser whose `connexion` cookie is `nonce`, made at `now`.
pub fn login_form_token(state: &AppState, nonce: &str, now: DateTime<Utc>) -> String {
    let issued = now.timestamp();
    let signature = state
        .cookie_key
        .sign("connexion", &format!("{nonce}.{issued}"));
    format!("{issued}.{signature}")
}

/// Whether `token` is a login form token made for one of `nonces` less than
/// [`LOGIN_FORM_TTL`] before `now`.
pub fn login_form_token_valid(
    state: &AppState,
    nonces: &[String],
    token: &str,
    now: DateTime<Utc>,
) -> bool {
    let Some((issued, signature)) = token.split_once('.') else {
        return false;
    };
    let Ok(issued_secs) = issued.parse::<i64>() else {
        return false;
    };
    let age = now.timestamp().saturating_sub(issued_secs);
    if !(0..=LOGIN_FORM_TTL.num_seconds()).contains(&age) {
        return false;
    }
    nonces.iter().any(|nonce| {
        state
            .cookie_key
            .verify("connexion", &format!("{nonce}.{issued}"), signature)
    })
}

/// The values of the request's `connexion` cookies that look like ours.
#[derive(Debug, Clone, Default)]
pub struct LoginCookie(pub Vec<String>);

impl LoginCookie {
    pub fn read(headers: &HeaderMap, state: &AppState) -> LoginCookie {
        LoginCookie(
            cookie_values(headers, Jar::Login.name(state))
                .filter(|value| secrets::looks_like_token(value))
                .map(str::to_string)
                .collect(),
        )
    }

    /// A form token for this browser, and the cookie to set if it has none yet (nothing is
    /// stored either way).
    pub fn token(&self, state: &AppState) -> Result<(String, Option<HeaderValue>), Error> {
        let now = Utc::now();
        match self.0.first() {
            Some(nonce) => Ok((login_form_token(state, nonce, now), None)),
            None => {
                let nonce = secrets::new_token();
                let cookie = set_cookie(state, Jar::Login, &nonce, LOGIN_FORM_TTL)?;
                Ok((login_form_token(state, &nonce, now), Some(cookie)))
            }
        }
    }
}

impl FromRequestParts<AppState> for LoginCookie {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<LoginCookie, Error> {
        Ok(LoginCookie::read(&parts.headers, state))
    }
}

/// A valid device cookie: the account that logged in from this browser, and the cookie's
/// nonce (what its failures are counted on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCookie {
    pub user_id: i64,
    pub nonce: String,
}

/// The request's device cookies whose signature holds.
#[derive(Debug, Clone, Default)]
pub struct DeviceCookies(pub Vec<DeviceCookie>);

impl DeviceCookies {
    /// The cookie of account `user_id`, if this browser has one.
    pub fn of(&self, user_id: i64) -> Option<&DeviceCookie> {
        self.0.iter().find(|cookie| cookie.user_id == user_id)
    }
}

impl FromRequestParts<AppState> for DeviceCookies {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<DeviceCookies, Error> {
        let cookies = cookie_values(&parts.headers, Jar::Device.name(state))
            .filter_map(|value| {
                let (signed, signature) = value.rsplit_once('.')?;
                let (user_id, nonce) = signed.split_once('.')?;
                let user_id = user_id.parse::<i64>().ok()?;
                (secrets::looks_like_token(nonce)
                    && state.cookie_key.verify("appareil", signed, signature))
                .then(|| DeviceCookie {
                    user_id,
                    nonce: nonce.to_string(),
                })
            })
            .collect();
        Ok(DeviceCookies(cookies))
    }
}

/// The `Set-Cookie` value of a new device cookie for account `user_id`.
pub fn new_device_cookie(state: &AppState, user_id: i64) -> Result<HeaderValue, Error> {
    let signed = format!("{user_id}.{}", secrets::new_token());
    let signature = state.cookie_key.sign("appareil", &signed);
    set_cookie(
        state,
        Jar::Device,
        &format!("{signed}.{signature}"),
        DEVICE_TTL,
    )
}

/// A session just started by a login.
pub struct LoggedIn {
    /// Its `Set-Cookie` value.
    pub cookie: HeaderValue,
    pub csrf: String,
    pub id_hash: String,
}

/// Logs `user_id` in: the visitor's session (if any) is deleted and a new one, with a new
/// id and a new form token, replaces it (so a session id planted before login is worth
/// nothing after).
pub async fn start_logged_in(
    state: &AppState,
    old: Vec<String>,
    user_id: i64,
) -> Result<LoggedIn, Error> {
    let fresh = Fresh::new();
    let now = Utc::now();
    let (id_hash, csrf) = (fresh.id_hash.clone(), fresh.csrf.clone());
    state
        .db
        .call("session_login", move |conn| {
            sessions::replace(
                conn,
                &old,
                &NewSession {
                    id_hash: &id_hash,
                    user_id: Some(user_id),
                    csrf_token: &csrf,
                    now: &db::timestamp(now),
                    expires_at: &db::timestamp(now + USER_TTL),
                },
            )
        })
        .await?;
    Ok(LoggedIn {
        cookie: set_cookie(state, Jar::Session, &fresh.cookie_value, USER_TTL)?,
        csrf: fresh.csrf,
        id_hash: fresh.id_hash,
    })
}

/// The live, logged-in session named by the session cookie, if any, with its account (none
/// if the account is disabled). Sessions without an account are ignored.
async fn load(parts: &Parts, state: &AppState) -> Result<(Option<Session>, Option<User>), Error> {
    let hashes: Vec<String> = cookie_values(&parts.headers, Jar::Session.name(state))
        .filter(|value| secrets::looks_like_token(value))
        .map(secrets::sha256_hex)
        .collect();
    if hashes.is_empty() {
        return Ok((None, None));
    }
    let idle = Duration::from_std(state.settings.session_idle).unwrap_or(Duration::hours(2));
    let touch_every = TOUCH_EVERY.min(idle / 10);
    let found = state
        .db
        .call("session", move |conn| {
            let now = Utc::now();
            let (stamp, idle_cutoff) = (db::timestamp(now), db::timestamp(now - idle));
            for hash in hashes {
                let Some(mut session) = sessions::live(conn, &hash, &stamp, &idle_cutoff)? else {
                    continue;
                };
                let Some(id) = session.user_id else {
                    continue;
                };
                let Some(user) = users::get(conn, id)?.filter(|u| u.disabled_at.is_none()) else {
                    continue;
                };
                if session.last_seen_at < db::timestamp(now - touch_every) {
                    sessions::touch(conn, &hash, &stamp)?;
                    session.last_seen_at = stamp;
                }
                return Ok((Some(session), Some(user)));
            }
            Ok((None, None))
        })
        .await?;
    Ok(found)
}

/// How long until `session` is over if nothing happens: idle timeout or end of life,
/// whichever comes first.
fn time_left(session: &Session, idle: std::time::Duration) -> std::time::Duration {
    let parse = |stamp: &str| {
        DateTime::parse_from_rfc3339(stamp)
            .map(|t| t.with_timezone(&Utc))
            .ok()
    };
    let now = Utc::now();
    let idle_end = parse(&session.last_seen_at)
        .map(|seen| seen + Duration::from_std(idle).unwrap_or(Duration::zero()));
    let end = match (idle_end, parse(&session.expires_at)) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b).unwrap_or(now),
    };
    (end - now).to_std().unwrap_or_default()
}

/// Whoever is asking: their logged-in session and account, if the session cookie names a
/// live one.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    pub session: Option<Session>,
    pub user: Option<User>,
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, Error> {
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let (session, user) = load(parts, state).await?;
        let visitor = Visitor { session, user };
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

/// A logged-in account (agent or administrator); without one, a redirection to the login
/// page (then back), or for a GET arriving from another site, a page that reloads itself
/// from this one (so the browser sends its SameSite=Strict cookie, if it has one).
#[derive(Debug, Clone)]
pub struct Agent {
    pub user: User,
    /// The session's form token.
    pub csrf: String,
    pub session_hash: String,
    /// How long until the session ends if nothing happens (shown, and warned before).
    pub session_left: std::time::Duration,
}

impl Agent {
    /// What the account may see: everything for administrators, their services' requests
    /// for agents, no request for ambassadors.
    pub fn scope(&self) -> Scope {
        match self.user.role {
            Role::Admin => Scope::All,
            Role::Agent => Scope::Services(self.user.services.clone()),
            Role::Ambassador => Scope::Services(Vec::new()),
        }
    }

    /// Which kiosks' calls for help the account may see.
    pub fn kiosk_scope(&self) -> KioskScope {
        match self.user.role {
            Role::Admin => KioskScope::All,
            _ => KioskScope::Ambassador(self.user.id),
        }
    }

    pub fn layout(&self, title: impl Into<String>, section: &'static str) -> Layout {
        let mut layout = Layout::for_user(title, &self.user, &self.csrf, section);
        layout.session_left_secs = self.session_left.as_secs();
        layout
    }
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Agent, Error> {
        let visitor = Visitor::from_request_parts(parts, state).await?;
        match (visitor.session, visitor.user) {
            (Some(session), Some(user)) => Ok(Agent {
                user,
                session_left: time_left(&session, state.settings.session_idle),
                csrf: session.csrf_token,
                session_hash: session.id_hash,
            }),
            _ => {
                let here = parts
                    .uri
                    .path_and_query()
                    .map_or("/", |path| path.as_str())
                    .to_string();
                // A link followed from another site (a webmail) arrives without the
                // SameSite=Strict cookie: the page reloads itself from this site, which
                // sends it. The reload comes from this site, so this happens once at most.
                let cross_site = parts
                    .headers
                    .get("sec-fetch-site")
                    .is_some_and(|site| site.as_bytes() == b"cross-site");
                if parts.method == Method::GET && cross_site {
                    return Err(Error::ReloadFromHere { path: here });
                }
                // After login, back to the page asked for (a form's page for a POST).
                let next = if parts.method == Method::GET {
                    here
                } else {
                    "/demandes".to_string()
                };
                Err(Error::LoginRequired { next })
            }
        }
    }
}

/// A logged-in ambassador or administrator (the ambassadors' pages); anyone else (an agent)
/// is told the page does not exist.
#[derive(Debug, Clone)]
pub struct Ambassador(pub Agent);

impl FromRequestParts<AppState> for Ambassador {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ambassador, Error> {
        let agent = Agent::from_request_parts(parts, state).await?;
        if agent.user.sees_help_calls() {
            Ok(Ambassador(agent))
        } else {
            Err(Error::NotFound)
        }
    }
}

/// A logged-in administrator; anyone else is told the page does not exist.
#[derive(Debug, Clone)]
pub struct Admin(pub Agent);

impl FromRequestParts<AppState> for Admin {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Admin, Error> {
        let agent = Agent::from_request_parts(parts, state).await?;
        if agent.user.is_admin() {
            Ok(Admin(agent))
        } else {
            Err(Error::NotFound)
        }
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

/// Reads a form body, refusing one bigger than [`MAX_FORM_BYTES`].
async fn read_form(request: Request) -> Result<axum::body::Bytes, Error> {
    axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES)
        .await
        .map_err(|_| Error::PayloadTooLarge)
}

/// The `csrf` field of a form body ("" if none).
fn csrf_field(bytes: &[u8]) -> String {
    serde_html_form::from_bytes::<CsrfField>(bytes)
        .map(|field| field.csrf)
        .unwrap_or_default()
}

fn parse_form<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    serde_html_form::from_bytes(bytes)
        .map_err(|error| Error::BadRequest(format!("formulaire mal rempli : {error}")))
}

/// Fields never carried over a login (the password forms').
const SECRET_FIELDS: &[&str] = &["csrf", "current", "new", "confirm", "password"];

/// A form posted after its session ended, as kept for after the login: its fields but the
/// token and any password, form-encoded.
fn carried_form(bytes: &[u8]) -> String {
    let fields: Vec<(String, String)> = serde_html_form::from_bytes(bytes).unwrap_or_default();
    let kept: Vec<(String, String)> = fields
        .into_iter()
        .filter(|(name, _)| !SECRET_FIELDS.contains(&name.as_str()))
        .collect();
    serde_html_form::to_string(&kept).unwrap_or_default()
}

/// A form body (`application/x-www-form-urlencoded`), parsed with repeated keys as lists.
/// No token check: only for the login form, which checks its own token.
pub struct FormBody<T> {
    pub form: T,
    /// The `csrf` field.
    pub csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for FormBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, _state: &AppState) -> Result<FormBody<T>, Error> {
        let bytes = read_form(request).await?;
        Ok(FormBody {
            csrf: csrf_field(&bytes),
            form: parse_form(&bytes)?,
        })
    }
}

/// The account posting a form, checked: logged in (else to the login page), `allowed` (else
/// "not found"), and the form's token (else 403), in that order, before the form itself is
/// parsed.
async fn posted<T: DeserializeOwned>(
    request: Request,
    state: &AppState,
    allowed: fn(&User) -> bool,
) -> Result<(Agent, T), Error> {
    let (mut parts, body) = request.into_parts();
    let agent = match Agent::from_request_parts(&mut parts, state).await {
        Ok(agent) => agent,
        // The session ended while the form was being filled in: the form is kept for after
        // the login (never its token or a password).
        Err(Error::LoginRequired { .. }) if is_local_path(parts.uri.path()) => {
            let path = parts.uri.path().to_string();
            let bytes = read_form(Request::from_parts(parts, body)).await?;
            return Err(Error::SessionExpired {
                path,
                form: carried_form(&bytes),
            });
        }
        Err(other) => return Err(other),
    };
    if !allowed(&agent.user) {
        return Err(Error::NotFound);
    }
    let bytes = read_form(Request::from_parts(parts, body)).await?;
    check_csrf(&agent.csrf, &csrf_field(&bytes))?;
    Ok((agent, parse_form(&bytes)?))
}

/// A form posted by a logged-in account, its token checked.
pub struct Posted<T> {
    pub agent: Agent,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<Posted<T>, Error> {
        let (agent, form) = posted(request, state, |_| true).await?;
        Ok(Posted { agent, form })
    }
}

/// A form posted by an administrator, its token checked.
pub struct AdminPosted<T> {
    pub admin: Agent,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for AdminPosted<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &AppState) -> Result<AdminPosted<T>, Error> {
        let (admin, form) = posted(request, state, User::is_admin).await?;
        Ok(AdminPosted { admin, form })
    }
}

/// A form posted by an ambassador or an administrator, its token checked.
pub struct AmbassadorPosted<T> {
    pub ambassador: Agent,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for AmbassadorPosted<T> {
    type Rejection = Error;

    async fn from_request(
        request: Request,
        state: &AppState,
    ) -> Result<AmbassadorPosted<T>, Error> {
        let (ambassador, form) = posted(request, state, User::sees_help_calls).await?;
        Ok(AmbassadorPosted { ambassador, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_must_match_exactly() {
        assert!(check_csrf("abc", "abc").is_ok());
        assert!(matches!(check_csrf("abc", "abd"), Err(Error::Csrf)));
        assert!(matches!(check_csrf("abc", "ab"), Err(Error::Csrf)));
        assert!(matches!(check_csrf("abc", ""), Err(Error::Csrf)));
        assert!(matches!(check_csrf("", ""), Err(Error::Csrf)));
    }

    #[test]
    fn a_carried_form_keeps_its_fields_but_tokens_and_passwords() {
        let carried =
            carried_form(b"csrf=abc&statut=traite&note=Lampe+chang%C3%A9e&current=secret");
        assert_eq!(carried, "statut=traite&note=Lampe+chang%C3%A9e");
        assert_eq!(carried_form(b""), "");
    }

    #[test]
    fn every_cookie_with_the_name_is_read() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; session=x; b=2; connexion=z"),
        );
        headers.append(COOKIE, HeaderValue::from_static("session=y"));
        let values: Vec<&str> = cookie_values(&headers, "session").collect();
        assert_eq!(values, ["x", "y"]);
        assert_eq!(cookie_values(&headers, "__Host-session").count(), 0);
    }
}
