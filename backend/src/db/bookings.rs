//! Bookings: the holds kiosks send with their submissions, decided at ingest in the same
//! transaction, and the agents' decisions afterwards.
//!
//! The rule, the same whatever the order of arrival or the retries:
//! - a submission is decided once, when it is first stored (a retry is recognised by
//!   [`super::submissions::ingest`] before it gets here, so it never takes a second place);
//! - a hold takes its quantity on its day as soon as it is filed, held or confirmed, so the
//!   sum of what is not declined never exceeds the resource's capacity: of two holds on the
//!   last place, the one that reaches the back end first keeps it (the kiosks' clocks are not
//!   trusted to order them), the other is declined with the reason and the nearest free days;
//! - a hold that fits is confirmed at once when the resource confirms automatically, else it
//!   waits for an agent; an agent's decline frees the place.
//!
//! The submission's status follows: confirmed is « traité », declined « rejeté », with the
//! reason as the note the kiosk reads at the status lookup.

use super::resources::{self, Load, Resource};
use super::submissions::{self, StatusChange};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use kiosk_flow::booking::{BookingOutcome, BookingRequest, BookingState, DayLeft};
use kiosk_sync::wire::RequestStatus;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

/// Who decided a booking at ingest.
pub const BY_RULE: &str = "automatique";
/// How many nearest free days a declined booking proposes.
pub const ALTERNATIVES: usize = 3;

/// A booking as agents see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Booking {
    pub submission_id: String,
    pub receipt: String,
    pub resource_id: String,
    pub day: NaiveDate,
    pub quantity: u32,
    pub state: BookingState,
    pub reason: Option<String>,
    pub alternatives: Vec<NaiveDate>,
}

/// What filing a hold decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub state: BookingState,
    pub reason: Option<String>,
    pub alternatives: Vec<NaiveDate>,
}

/// Decides `request` against the resource's rules and what is already booked, as of
/// `asked_on` (the day the citizen asked, at the kiosk).
pub fn decide(
    resource: &Resource,
    load: &Load,
    request: &BookingRequest,
    asked_on: NaiveDate,
) -> Decision {
    let declined = |reason: String| Decision {
        state: BookingState::Declined,
        reason: Some(reason),
        alternatives: resource.nearest_free(
            load,
            request.day,
            asked_on,
            request.quantity.min(resource.per_booking),
            ALTERNATIVES,
        ),
    };
    if request.quantity > resource.per_booking {
        return declined(format!(
            "on ne peut pas demander plus de {} à la fois",
            resource.per_booking
        ));
    }
    match resource.left_on(load, request.day, asked_on) {
        DayLeft::Closed => declined(
            resource
                .closed_reason(load, request.day, asked_on)
                .unwrap_or_else(|| "ce jour n'est pas possible".to_string()),
        ),
        DayLeft::Left(left) if left < request.quantity => {
            declined(resource.kind.taken().to_string())
        }
        DayLeft::Left(_) => Decision {
            state: if resource.auto_confirm {
                BookingState::Confirmed
            } else {
                BookingState::Held
            },
            reason: None,
            alternatives: Vec::new(),
        },
    }
}

/// Files the hold of a submission being stored, inside its transaction. `None` when the
/// resource is unknown (the request stays an ordinary request: agents see it).
pub fn file(
    tx: &Transaction<'_>,
    submission_id: &str,
    request: &BookingRequest,
    asked_on: NaiveDate,
    now: &str,
) -> anyhow::Result<Option<Decision>> {
    let Some(resource) = resources::get(tx, &request.resource)? else {
        tracing::warn!(resource = %request.resource, "booking for an unknown resource");
        return Ok(None);
    };
    let load = Load::of(tx, &resource.id, asked_on.min(request.day))?;
    let decision = decide(&resource, &load, request, asked_on);
    let decided = decision.state != BookingState::Held;
    tx.prepare_cached(
        "INSERT INTO bookings (submission_id, resource_id, day, quantity, state, reason, \
         alternatives, decided_at, decided_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        submission_id,
        resource.id,
        request.day.to_string(),
        request.quantity,
        decision.state.keyword(),
        decision.reason,
        serde_json::to_string(&decision.alternatives)?,
        decided.then_some(now),
        decided.then_some(BY_RULE),
    ])?;
    if let Some(status) = submission_status(decision.state) {
        submissions::record_status(
            tx,
            submission_id,
            &StatusChange {
                status,
                note: decision.reason.as_deref(),
                by: BY_RULE,
                user_id: None,
            },
            now,
        )?;
    }
    Ok(Some(decision))
}

/// The request's status that follows a booking's state.
fn submission_status(state: BookingState) -> Option<RequestStatus> {
    match state {
        BookingState::Held => None,
        BookingState::Confirmed => Some(RequestStatus::Traite),
        BookingState::Declined => Some(RequestStatus::Rejete),
    }
}

/// An agent confirms or declines the booking of submission `id`, with a note for the
/// citizen. A held booking can be confirmed or declined, a confirmed one declined
/// (cancelled); a declined one stays declined (its place may be gone).
pub fn agent_decides(
    conn: &mut Connection,
    id: &str,
    state: BookingState,
    note: Option<&str>,
    by: (&str, Option<i64>),
    now: &str,
) -> anyhow::Result<()> {
    let (by, user_id) = by;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: Option<String> = tx
        .query_row(
            "SELECT state FROM bookings WHERE submission_id = ?1",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let current = current
        .as_deref()
        .and_then(BookingState::from_keyword)
        .context("cette demande n'a pas de réservation")?;
    match (current, state) {
        (BookingState::Held, BookingState::Confirmed | BookingState::Declined)
        | (BookingState::Confirmed, BookingState::Declined) => {}
        (from, to) if from == to => bail!("la réservation est déjà {}", to.french()),
        (from, _) => bail!("une réservation {} ne peut plus changer", from.french()),
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    tx.execute(
        "UPDATE bookings SET state = ?2, reason = ?3, decided_at = ?4, decided_by = ?5 \
         WHERE submission_id = ?1",
        params![id, state.keyword(), note, now, by],
    )?;
    if let Some(status) = submission_status(state) {
        submissions::record_status(
            &tx,
            id,
            &StatusChange {
                status,
                note,
                by,
                user_id,
            },
            now,
        )?;
    }
    tx.commit()?;
    Ok(())
}

const COLUMNS: &str = "b.submission_id, s.receipt, b.resource_id, b.day, b.quantity, b.state, \
     b.reason, b.alternatives";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Booking> {
    let day: String = row.get(3)?;
    let state: String = row.get(5)?;
    let alternatives: String = row.get(7)?;
    let bad = |what: String| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into())
    };
    Ok(Booking {
        submission_id: row.get(0)?,
        receipt: row.get(1)?,
        resource_id: row.get(2)?,
        day: day
            .parse()
            .map_err(|_| bad(format!("jour illisible : {day}")))?,
        quantity: row.get(4)?,
        state: BookingState::from_keyword(&state)
            .ok_or_else(|| bad(format!("état inconnu : {state}")))?,
        reason: row.get(6)?,
        alternatives: serde_json::from_str(&alternatives).unwrap_or_default(),
    })
}

/// The bookings of a resource from `first` to `last` (included), by day then arrival.
pub fn of_resource(
    conn: &Connection,
    resource_id: &str,
    first: NaiveDate,
    last: NaiveDate,
) -> anyhow::Result<Vec<Booking>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM bookings b JOIN submissions s ON s.id = b.submission_id \
         WHERE b.resource_id = ?1 AND b.day >= ?2 AND b.day <= ?3 \
         ORDER BY b.day, s.received_at, s.id"
    ))?;
    let rows = stmt.query_map(
        params![resource_id, first.to_string(), last.to_string()],
        from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The booking of submission `id`, if it booked a known resource.
pub fn of_submission(conn: &Connection, id: &str) -> anyhow::Result<Option<Booking>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM bookings b JOIN submissions s ON s.id = b.submission_id \
             WHERE b.submission_id = ?1"
        ))?
        .query_row([id], from_row)
        .optional()?)
}

/// What the status lookup says about the booking of the request with this receipt.
pub fn outcome_by_receipt(
    conn: &Connection,
    receipt: &str,
) -> anyhow::Result<Option<BookingOutcome>> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, r.name FROM bookings b JOIN submissions s ON s.id = b.submission_id \
             JOIN resources r ON r.id = b.resource_id WHERE s.receipt = ?1"
        ))?
        .query_row([receipt], |row| {
            Ok((from_row(row)?, row.get::<_, String>(8)?))
        })
        .optional()?;
    Ok(found.map(|(booking, resource_name)| BookingOutcome {
        resource_name,
        day: booking.day,
        quantity: booking.quantity,
        state: booking.state,
        reason: booking.reason,
        alternatives: booking.alternatives,
    }))
}
