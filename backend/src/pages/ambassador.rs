//! Ambassadors (digital mediators), and administrators who see every kiosk: `/ambassadeur`,
//! their kiosks (place, online or not, last heartbeat, queue, errors, catalog version: what
//! the administrators' kiosk page reads from heartbeats) and the calls for help, newest
//! first, with the kiosk's place and the flow and step the citizen was at (a call carries
//! no answer). The page reloads itself (`meta refresh`, no JavaScript). "Je m'en occupe"
//! (coming over, or calling back) is one button; the kiosk asks and tells the citizen.
//! "Terminé" takes a note on the call's own page, which does not reload itself.
//!
//! What an ambassador may see is [`KioskScope`]: another kiosk or its calls are "not found".

use super::kiosks::{line, KioskLine};
use super::session::{Agent, Ambassador, AmbassadorPosted};
use super::view::{self, french_time, render, see_other, Layout, NoticeQuery};
use crate::db::help_calls::{self, Answered, HelpCallRow, HelpMode, KioskScope};
use crate::db::{self, ambassadors, flow_catalog, kiosks};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::flow_titles::Titles;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

/// How many calls the page lists (the open ones, then the latest closed ones).
const LISTED_CALLS: usize = 100;
/// Seconds between the page's reloads.
pub const REFRESH_SECONDS: u32 = 15;

/// A call for help as the page shows it.
pub struct CallLine {
    pub id: String,
    pub kiosk_name: String,
    pub kiosk_place: String,
    pub flow: String,
    pub step_id: String,
    pub created: String,
    /// "Ouvert", "Pris par Nadia (se déplace)", "Terminé par Nadia".
    pub state: String,
    pub open: bool,
    pub taken: bool,
    pub note: String,
}

fn call_line(call: HelpCallRow, titles: &Titles) -> CallLine {
    let who = |name: &Option<String>| name.clone().unwrap_or_else(|| "un compte supprimé".into());
    let state = match (&call.handled_at, call.taken_mode) {
        (Some(at), _) => format!(
            "Terminé par {} le {}",
            who(&call.handled_by),
            french_time(at)
        ),
        (None, Some(mode)) => format!(
            "Pris par {} ({})",
            who(&call.taken_by),
            help_calls::mode_french(mode)
        ),
        (None, None) => "Personne ne s'en occupe encore".to_string(),
    };
    CallLine {
        flow: titles.of(&call.flow_id),
        open: call.handled_at.is_none(),
        taken: call.taken_mode.is_some(),
        note: call.note.unwrap_or_default(),
        id: call.id,
        kiosk_name: call.kiosk_name,
        kiosk_place: call.kiosk_place,
        step_id: call.step_id,
        created: french_time(&call.created_at),
        state,
    }
}

#[derive(Template)]
#[template(path = "ambassador/desk.html")]
struct DeskTemplate {
    layout: Layout,
    heading: String,
    notice: Option<String>,
    refresh: u32,
    kiosks: Vec<KioskLine>,
    calls: Vec<CallLine>,
}

/// The kiosks in `scope` (one of them if `only`) and their calls, newest first.
async fn load(
    state: &AppState,
    scope: KioskScope,
    only: Option<String>,
) -> Result<(Vec<KioskLine>, Vec<CallLine>), Error> {
    let shipped = state.shipped_flows.clone();
    let (mine, catalogs, calls, titles) = state
        .db
        .call("help_desk", move |conn| {
            let mine = match scope {
                KioskScope::All => kiosks::list(conn)?,
                KioskScope::Ambassador(user_id) => ambassadors::kiosks_of(conn, user_id)?,
            };
            let mine: Vec<_> = mine
                .into_iter()
                .filter(|k| only.as_ref().is_none_or(|id| &k.id == id))
                .collect();
            // A kiosk outside the scope: nothing of it.
            let calls = if only.is_some() && mine.is_empty() {
                Vec::new()
            } else {
                help_calls::list(conn, scope, only.as_deref(), false, LISTED_CALLS)?
            };
            Ok((
                mine,
                flow_catalog::kiosk_catalog_states(conn)?,
                calls,
                Titles::load(conn, &shipped)?,
            ))
        })
        .await?;
    let kiosks = mine.into_iter().map(|k| line(k, &catalogs)).collect();
    // Open calls first, newest first within each group.
    let (open, closed): (Vec<_>, Vec<_>) = calls.into_iter().partition(|c| c.handled_at.is_none());
    let calls = open
        .into_iter()
        .chain(closed)
        .map(|c| call_line(c, &titles))
        .collect();
    Ok((kiosks, calls))
}

fn desk_page(
    agent: &Agent,
    heading: String,
    notice: Option<String>,
    kiosks: Vec<KioskLine>,
    calls: Vec<CallLine>,
) -> Result<Response, Error> {
    let template = DeskTemplate {
        layout: agent.layout(heading.clone(), view::SECTION_HELP),
        heading,
        notice,
        refresh: REFRESH_SECONDS,
        kiosks,
        calls,
    };
    render(StatusCode::OK, &template)
}

fn notice_of(query: &NoticeQuery) -> Option<String> {
    match query.fait.as_str() {
        "pris" => Some("C'est noté : la borne le dit à la personne.".to_string()),
        "termine" => Some("Appel terminé.".to_string()),
        "deja-termine" => Some("Cet appel était déjà terminé.".to_string()),
        _ => None,
    }
}

/// `GET /ambassadeur`: every kiosk of the account and their calls.
pub async fn desk(
    State(state): State<AppState>,
    Ambassador(agent): Ambassador,
    Query(query): Query<NoticeQuery>,
) -> Result<Response, Error> {
    let (kiosks, calls) = load(&state, agent.kiosk_scope(), None).await?;
    desk_page(
        &agent,
        "Mes bornes et appels à l'aide".to_string(),
        notice_of(&query),
        kiosks,
        calls,
    )
}

/// `GET /ambassadeur/bornes/{id}`: one kiosk of the account and its calls.
pub async fn kiosk(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Ambassador(agent): Ambassador,
) -> Result<Response, Error> {
    let (kiosks, calls) = load(&state, agent.kiosk_scope(), Some(id)).await?;
    let Some(name) = kiosks.first().map(|k| k.name.clone()) else {
        return Err(Error::NotFound);
    };
    desk_page(&agent, format!("Borne {name}"), None, kiosks, calls)
}

#[derive(Template)]
#[template(path = "ambassador/call.html")]
struct CallTemplate {
    layout: Layout,
    call: CallLine,
}

/// `GET /ambassadeur/appels/{id}`: one call, with "Terminé" and its note.
pub async fn call(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Ambassador(agent): Ambassador,
) -> Result<Response, Error> {
    let scope = agent.kiosk_scope();
    let shipped = state.shipped_flows.clone();
    let (call, titles) = state
        .db
        .call("help_call", move |conn| {
            Ok((
                help_calls::get(conn, scope, &id)?,
                Titles::load(conn, &shipped)?,
            ))
        })
        .await?;
    let call = call.ok_or(Error::NotFound)?;
    let template = CallTemplate {
        layout: agent.layout(
            format!("Appel à la borne {}", call.kiosk_name),
            view::SECTION_HELP,
        ),
        call: call_line(call, &titles),
    };
    render(StatusCode::OK, &template)
}

#[derive(Debug, Deserialize)]
pub struct TakeForm {
    #[serde(default)]
    mode: String,
}

/// `POST /ambassadeur/appels/{id}/prendre`: "Je m'en occupe", coming over or calling back.
pub async fn take(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AmbassadorPosted { ambassador, form }: AmbassadorPosted<TakeForm>,
) -> Result<Response, Error> {
    let mode: HelpMode = help_calls::mode_from_db(&form.mode).ok_or_else(|| {
        Error::BadRequest("choisissez « je viens » ou « je rappelle » (champ mode)".into())
    })?;
    let (scope, user_id) = (ambassador.kiosk_scope(), ambassador.user.id);
    let call = id.clone();
    let answered = state
        .db
        .call("help_call_take", move |conn| {
            help_calls::take(conn, scope, &call, user_id, mode, &db::now())
        })
        .await?;
    tracing::info!(user = user_id, help_call = %id, mode = help_calls::mode_to_db(mode), "appel pris");
    answered_redirect(answered, "pris")
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    note: String,
}

/// The longest note kept on a call.
const MAX_NOTE_CHARS: usize = 2000;

/// `POST /ambassadeur/appels/{id}/terminer`: "Terminé", with a note.
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AmbassadorPosted { ambassador, form }: AmbassadorPosted<CloseForm>,
) -> Result<Response, Error> {
    let note = form.note.trim().to_string();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(Error::BadRequest(format!(
            "la note est trop longue ({MAX_NOTE_CHARS} caractères au plus)"
        )));
    }
    let (scope, user_id) = (ambassador.kiosk_scope(), ambassador.user.id);
    let call = id.clone();
    let answered = state
        .db
        .call("help_call_close", move |conn| {
            let note = (!note.is_empty()).then_some(note.as_str());
            help_calls::close(conn, scope, &call, user_id, note, &db::now())
        })
        .await?;
    tracing::info!(user = user_id, help_call = %id, "appel terminé");
    answered_redirect(answered, "termine")
}

fn answered_redirect(answered: Answered, done: &str) -> Result<Response, Error> {
    match answered {
        Answered::Done => see_other(&format!("/ambassadeur?fait={done}")),
        Answered::AlreadyClosed => see_other("/ambassadeur?fait=deja-termine"),
        Answered::NotFound => Err(Error::NotFound),
    }
}
