//! Bookings for agents: `/reservations` (the resources of their services), a month
//! calendar per resource (`/reservations/{id}?mois=2027-03`) with the requests of each day,
//! confirm or decline one with a note the kiosk reads to the citizen, block and unblock
//! days; and each resource's iCalendar feed at its secret address
//! (`/calendrier/{secret}.ics`, no login: a town hall's calendar program subscribes to it).
//! A resource of another service is "not found".

use super::session::{Agent, Posted};
use super::view::{self, render, see_other, Layout};
use crate::db::bookings::{self, Booking};
use crate::db::resources::{self, Load, Resource};
use crate::db::{self, inbox::Scope};
use crate::error::Error;
use crate::extract::{Path, Query};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, Days, Months, NaiveDate};
use kiosk_flow::booking::BookingState;
use kiosk_flow::model::display::{day_and_month, MONTHS};
use serde::Deserialize;

/// Whether `scope` may see the resources of `service`.
fn sees(scope: &Scope, service: &str) -> bool {
    match scope {
        Scope::All => true,
        Scope::Services(services) => services.iter().any(|s| s == service),
    }
}

fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive()
}

pub struct ResourceLine {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub commune: String,
    pub capacity: u32,
    pub confirmation: &'static str,
}

#[derive(Template)]
#[template(path = "bookings.html")]
struct ListTemplate {
    layout: Layout,
    resources: Vec<ResourceLine>,
}

pub async fn list(State(state): State<AppState>, agent: Agent) -> Result<Response, Error> {
    let scope = agent.scope();
    let all = state.db.call("resources", |c| resources::list(c)).await?;
    let template = ListTemplate {
        layout: agent.layout("Réservations", view::SECTION_BOOKINGS),
        resources: all
            .into_iter()
            .filter(|r| sees(&scope, &r.service))
            .map(|r| ResourceLine {
                href: format!("/reservations/{}", r.id),
                kind: match r.kind {
                    kiosk_flow::booking::ResourceKind::Salle => "Salle",
                    kiosk_flow::booking::ResourceKind::Materiel => "Matériel",
                    kiosk_flow::booking::ResourceKind::Places => "Places",
                },
                commune: r.commune.clone().unwrap_or_default(),
                capacity: r.capacity,
                confirmation: if r.auto_confirm {
                    "automatique"
                } else {
                    "par un agent"
                },
                name: r.name,
            })
            .collect(),
    };
    render(StatusCode::OK, &template)
}

pub struct BookingView {
    pub receipt: String,
    pub request_href: String,
    pub submission_id: String,
    pub quantity: u32,
    pub state: &'static str,
    pub state_slug: &'static str,
    pub reason: String,
    pub can_confirm: bool,
    pub can_decline: bool,
}

pub struct DayView {
    /// 0 for the blank cells before the 1st.
    pub number: u32,
    pub iso: String,
    pub label: String,
    /// « Libre », « Reste 12 », « Complet », « Fermé : … », « Bloqué : … ».
    pub summary: String,
    pub slug: &'static str,
    pub blocked: bool,
    pub bookings: Vec<BookingView>,
}

#[derive(Template)]
#[template(path = "booking_calendar.html")]
struct CalendarTemplate {
    layout: Layout,
    notice: Option<String>,
    id: String,
    name: String,
    month: String,
    previous: String,
    next: String,
    weeks: Vec<Vec<DayView>>,
    rules: String,
    ical_href: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct CalendarQuery {
    #[serde(default)]
    mois: String,
    #[serde(default)]
    fait: String,
}

fn state_label(state: BookingState) -> (&'static str, &'static str) {
    match state {
        BookingState::Held => ("En attente", "en_cours"),
        BookingState::Confirmed => ("Confirmée", "traite"),
        BookingState::Declined => ("Refusée", "rejete"),
    }
}

/// The resource `id` if `scope` may see it.
async fn visible(state: &AppState, scope: &Scope, id: &str) -> Result<Resource, Error> {
    let id = id.to_string();
    let resource = state
        .db
        .call("resource", move |conn| resources::get(conn, &id))
        .await?
        .ok_or(Error::NotFound)?;
    if !sees(scope, &resource.service) {
        return Err(Error::NotFound);
    }
    Ok(resource)
}

fn day_view(resource: &Resource, load: &Load, day: NaiveDate, bookings: &[Booking]) -> DayView {
    let taken = resource.taken_for(load, day);
    let blocked = load.blocked.contains(&day);
    let (summary, slug) = match resource.rule_closure(load, day) {
        Some(why) if blocked => (format!("Bloqué : {why}"), "bloque"),
        Some(why) => (format!("Fermé : {why}"), "ferme"),
        None if taken >= resource.capacity => ("Complet".to_string(), "complet"),
        None if taken == 0 => ("Libre".to_string(), "libre"),
        None => (format!("Reste {}", resource.capacity - taken), "partiel"),
    };
    DayView {
        number: day.day(),
        iso: day.to_string(),
        label: day_and_month(day),
        summary,
        slug,
        blocked,
        bookings: bookings
            .iter()
            .filter(|b| b.day == day)
            .map(|b| {
                let (state, state_slug) = state_label(b.state);
                BookingView {
                    receipt: b.receipt.clone(),
                    request_href: format!("/demandes/{}", b.submission_id),
                    submission_id: b.submission_id.clone(),
                    quantity: b.quantity,
                    state,
                    state_slug,
                    reason: b.reason.clone().unwrap_or_default(),
                    can_confirm: b.state == BookingState::Held,
                    can_decline: b.state != BookingState::Declined,
                }
            })
            .collect(),
    }
}

pub async fn calendar(
    State(state): State<AppState>,
    agent: Agent,
    Path(id): Path<String>,
    Query(query): Query<CalendarQuery>,
) -> Result<Response, Error> {
    let resource = visible(&state, &agent.scope(), &id).await?;
    let first = NaiveDate::parse_from_str(&format!("{}-01", query.mois.trim()), "%Y-%m-%d")
        .unwrap_or_else(|_| today().with_day(1).unwrap_or_else(today));
    let last = first
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .ok_or_else(|| Error::BadRequest("mois hors limites".into()))?;
    let target = resource.id.clone();
    let (load, month_bookings) = state
        .db
        .call("booking_calendar", move |conn| {
            Ok((
                Load::of(conn, &target, first)?,
                bookings::of_resource(conn, &target, first, last)?,
            ))
        })
        .await?;
    let mut weeks: Vec<Vec<DayView>> = Vec::new();
    let mut week: Vec<DayView> = (0..first.weekday().num_days_from_monday())
        .map(|_| DayView {
            number: 0,
            iso: String::new(),
            label: String::new(),
            summary: String::new(),
            slug: "vide",
            blocked: false,
            bookings: Vec::new(),
        })
        .collect();
    let mut day = first;
    while day <= last {
        week.push(day_view(&resource, &load, day, &month_bookings));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        day = day.checked_add_days(Days::new(1)).ok_or(Error::NotFound)?;
    }
    if !week.is_empty() {
        weeks.push(week);
    }
    let notice = match query.fait.as_str() {
        "confirmee" => Some("Réservation confirmée. La borne le dira à l'usager.".to_string()),
        "refusee" => Some("Réservation refusée. La borne le dira à l'usager.".to_string()),
        "bloque" => Some("Jour bloqué : il n'est plus proposé aux bornes.".to_string()),
        "debloque" => Some("Jour débloqué.".to_string()),
        _ => None,
    };
    let month_param = |d: NaiveDate| format!("{}-{:02}", d.year(), d.month());
    let template = CalendarTemplate {
        layout: agent.layout(resource.name.clone(), view::SECTION_BOOKINGS),
        notice,
        id: resource.id.clone(),
        month: format!("{} {}", MONTHS[first.month0() as usize], first.year()),
        previous: format!(
            "/reservations/{}?mois={}",
            resource.id,
            month_param(first.checked_sub_months(Months::new(1)).unwrap_or(first))
        ),
        next: format!(
            "/reservations/{}?mois={}",
            resource.id,
            month_param(first.checked_add_months(Months::new(1)).unwrap_or(first))
        ),
        weeks,
        rules: format!(
            "Quantité : {}. Ouverte : {}{}. Délai : {} jour(s) au moins, {} jours à l'avance au plus. Confirmation {}.",
            resource.capacity,
            resources::weekdays_french(&resource.weekdays),
            if resource.holidays_closed { ", sauf les jours fériés" } else { "" },
            resource.notice_days,
            resource.horizon_days,
            if resource.auto_confirm { "automatique quand c'est libre" } else { "par un agent" },
        ),
        ical_href: format!("/calendrier/{}.ics", resource.ical_token),
        name: resource.name,
    };
    render(StatusCode::OK, &template)
}

#[derive(Debug, Default, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    demande: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { agent, form }: Posted<DecisionForm>,
) -> Result<Response, Error> {
    let resource = visible(&state, &agent.scope(), &id).await?;
    let decision = match form.decision.as_str() {
        "confirmer" => BookingState::Confirmed,
        "refuser" => BookingState::Declined,
        _ => return Err(Error::BadRequest("choisissez confirmer ou refuser".into())),
    };
    let note = form.note.trim().to_string();
    if note.chars().count() > super::request::NOTE_MAX_CHARS {
        return Err(Error::BadRequest(format!(
            "la note dépasse {} caractères",
            super::request::NOTE_MAX_CHARS
        )));
    }
    let user_id = agent.user.id;
    let submission = form.demande.clone();
    let resource_id = resource.id.clone();
    let day = state
        .db
        .call("booking_decision", move |conn| {
            let booking = bookings::of_submission(conn, &submission)?
                .filter(|b| b.resource_id == resource_id);
            let Some(booking) = booking else {
                return Ok(Err(Error::NotFound));
            };
            let decided = bookings::agent_decides(
                conn,
                &submission,
                decision,
                Some(note.as_str()),
                (crate::db::submissions::BY_AGENT, Some(user_id)),
                &db::now(),
            );
            Ok(match decided {
                Ok(()) => Ok(booking.day),
                Err(why) => Err(Error::BadRequest(why.to_string())),
            })
        })
        .await??;
    tracing::info!(user = user_id, resource = %resource.id, decision = decision.keyword(), "réservation décidée");
    let done = if decision == BookingState::Confirmed {
        "confirmee"
    } else {
        "refusee"
    };
    see_other(&format!(
        "/reservations/{}?mois={}-{:02}&fait={done}",
        resource.id,
        day.year(),
        day.month()
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct BlockForm {
    #[serde(default)]
    jour: String,
    #[serde(default)]
    note: String,
}

fn form_day(text: &str) -> Result<NaiveDate, Error> {
    text.trim()
        .parse()
        .map_err(|_| Error::BadRequest("le jour doit être une date (AAAA-MM-JJ)".into()))
}

pub async fn block(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { agent, form }: Posted<BlockForm>,
) -> Result<Response, Error> {
    let resource = visible(&state, &agent.scope(), &id).await?;
    let day = form_day(&form.jour)?;
    let note = form.note.trim().to_string();
    let target = resource.id.clone();
    state
        .db
        .call("resource_block", move |conn| {
            let note = Some(note.as_str()).filter(|n| !n.is_empty());
            resources::block(conn, &target, day, day, note, &db::now())
        })
        .await?;
    see_other(&format!(
        "/reservations/{}?mois={}-{:02}&fait=bloque",
        resource.id,
        day.year(),
        day.month()
    ))
}

pub async fn unblock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { agent, form }: Posted<BlockForm>,
) -> Result<Response, Error> {
    let resource = visible(&state, &agent.scope(), &id).await?;
    let day = form_day(&form.jour)?;
    let target = resource.id.clone();
    state
        .db
        .call("resource_unblock", move |conn| {
            resources::unblock(conn, &target, day)
        })
        .await?;
    see_other(&format!(
        "/reservations/{}?mois={}-{:02}&fait=debloque",
        resource.id,
        day.year(),
        day.month()
    ))
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
fn ical_text(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), on character boundaries.
fn ical_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The iCalendar feed of a resource: its bookings not declined (receipt codes only, nothing
/// personal) and its blocked days, from 90 days ago on.
pub fn ical_feed(
    resource: &Resource,
    bookings: &[Booking],
    blocked: &[(NaiveDate, Option<String>)],
    stamp: &str,
) -> String {
    let mut out = String::new();
    let date = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let next = |d: NaiveDate| d.succ_opt().unwrap_or(d);
    for line in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CCCA//Bornes//FR",
        "CALSCALE:GREGORIAN",
    ] {
        ical_line(&mut out, line);
    }
    ical_line(
        &mut out,
        &format!("X-WR-CALNAME:{}", ical_text(&resource.name)),
    );
    for b in bookings
        .iter()
        .filter(|b| b.state != BookingState::Declined)
    {
        let (status, what) = match b.state {
            BookingState::Confirmed => ("CONFIRMED", "Réservation confirmée"),
            _ => ("TENTATIVE", "Demande en attente"),
        };
        let quantity = if resource.capacity > 1 {
            format!(" ({})", b.quantity)
        } else {
            String::new()
        };
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}@reservations", b.submission_id),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", date(b.day)),
            format!("DTEND;VALUE=DATE:{}", date(next(b.day))),
            format!(
                "SUMMARY:{}",
                ical_text(&format!("{what} {}{quantity}", b.receipt))
            ),
            format!("STATUS:{status}"),
            "END:VEVENT".to_string(),
        ] {
            ical_line(&mut out, &line);
        }
    }
    for (day, note) in blocked {
        let summary = match note {
            Some(note) => format!("Fermé : {note}"),
            None => "Fermé".to_string(),
        };
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:ferme-{}-{}@reservations", resource.id, day),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", date(*day)),
            format!("DTEND;VALUE=DATE:{}", date(next(*day))),
            format!("SUMMARY:{}", ical_text(&summary)),
            "TRANSP:OPAQUE".to_string(),
            "END:VEVENT".to_string(),
        ] {
            ical_line(&mut out, &line);
        }
    }
    ical_line(&mut out, "END:VCALENDAR");
    out
}

pub async fn ical(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, Error> {
    let token = file.strip_suffix(".ics").unwrap_or(&file).to_string();
    if token.len() < 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound);
    }
    let from = today()
        .checked_sub_days(Days::new(90))
        .unwrap_or_else(today);
    let found = state
        .db
        .call("ical", move |conn| {
            let Some(resource) = resources::by_ical_token(conn, &token)? else {
                return Ok(None);
            };
            let last = from
                .checked_add_days(Days::new(u64::from(resource.horizon_days) + 90))
                .unwrap_or(from);
            let list = bookings::of_resource(conn, &resource.id, from, last)?;
            let blocked = resources::blocks_from(conn, &resource.id, from)?;
            Ok(Some((resource, list, blocked)))
        })
        .await?;
    let Some((resource, list, blocked)) = found else {
        return Err(Error::NotFound);
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let body = ical_feed(&resource, &list, &blocked, &stamp);
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
