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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::resources::{NewResource, Resource};
    use chrono::Datelike;
    use kiosk_flow::booking::ResourceKind;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn hall(auto_confirm: bool) -> Resource {
        Resource {
            id: "salle-62279".into(),
            name: "Salle des fêtes de Duisans".into(),
            kind: ResourceKind::Salle,
            service: "reservations".into(),
            commune: Some("Duisans".into()),
            capacity: 1,
            per_booking: 1,
            weekdays: resources::parse_weekdays("vendredi,samedi,dimanche").unwrap(),
            holidays_closed: true,
            notice_days: 7,
            horizon_days: 365,
            auto_confirm,
            ical_token: "x".into(),
        }
    }

    fn ask(on: &str, quantity: u32) -> BookingRequest {
        BookingRequest {
            resource: "salle-62279".into(),
            day: day(on),
            quantity,
        }
    }

    /// Crèche places count per month: two places in March, both asked (the 3rd and the
    /// 22nd), and no day of March is left, while April is.
    #[test]
    fn places_are_counted_over_the_month_of_the_day_asked() {
        let creche = Resource {
            id: "places-creche".into(),
            name: "Crèche intercommunale".into(),
            kind: ResourceKind::Places,
            capacity: 2,
            per_booking: 1,
            weekdays: resources::parse_weekdays("lundi,mardi,mercredi,jeudi,vendredi").unwrap(),
            notice_days: 0,
            auto_confirm: false,
            ..hall(false)
        };
        let asked_on = day("2027-02-15");
        let mut load = Load::default();
        load.add_taken(day("2027-03-03"), 1);
        load.add_taken(day("2027-03-22"), 1);
        let asked = BookingRequest {
            resource: "places-creche".into(),
            day: day("2027-03-10"),
            quantity: 1,
        };
        let full = decide(&creche, &load, &asked, asked_on);
        assert_eq!(full.state, BookingState::Declined);
        assert!(
            full.alternatives.iter().all(|d| d.month() != 3),
            "{:?}",
            full.alternatives
        );
        // The nearest: Friday 26 February (the weekend is closed).
        assert_eq!(full.alternatives[0], day("2027-02-26"));
        for free_day in ["2027-03-31", "2027-03-01"] {
            assert_eq!(
                creche.left_on(&load, day(free_day), asked_on),
                DayLeft::Left(0)
            );
        }
        let april = BookingRequest {
            day: day("2027-04-01"),
            ..asked
        };
        assert_eq!(
            decide(&creche, &load, &april, asked_on).state,
            BookingState::Held
        );
    }

    #[test]
    fn the_rules_decline_with_the_reason_and_the_nearest_free_days() {
        let asked_on = day("2027-03-01");
        let mut load = Load::default();
        // Saturday 13 March is free: held, or confirmed when the resource says so.
        assert_eq!(
            decide(&hall(false), &load, &ask("2027-03-13", 1), asked_on).state,
            BookingState::Held
        );
        assert_eq!(
            decide(&hall(true), &load, &ask("2027-03-13", 1), asked_on).state,
            BookingState::Confirmed
        );
        // Taken: declined, with the nearest free days (the same weekend first).
        load.add_taken(day("2027-03-13"), 1);
        let taken = decide(&hall(true), &load, &ask("2027-03-13", 1), asked_on);
        assert_eq!(taken.state, BookingState::Declined);
        assert_eq!(taken.reason.as_deref(), Some("la salle est déjà prise"));
        assert_eq!(
            taken.alternatives,
            [day("2027-03-14"), day("2027-03-12"), day("2027-03-19")]
        );
        // A blocked day, a public holiday (Easter Monday is closed anyway: a Monday; the
        // 14th of July 2027 is a Wednesday; 1 May 2027 is a Saturday), a closed weekday,
        // too soon, too far, too many.
        load.blocked.insert(day("2027-03-20"));
        for (on, quantity, reason) in [
            ("2027-03-20", 1, "la mairie a fermé ce jour-là"),
            ("2027-05-01", 1, "c'est un jour férié"),
            (
                "2027-03-10",
                1,
                "la réservation n'est possible que ces jours : vendredi, samedi, dimanche",
            ),
            (
                "2027-03-05",
                1,
                "il faut réserver 7 jour(s) à l'avance au moins",
            ),
            (
                "2028-03-04",
                1,
                "on ne peut pas réserver plus de 365 jours à l'avance",
            ),
            (
                "2027-03-27",
                2,
                "on ne peut pas demander plus de 1 à la fois",
            ),
        ] {
            let decision = decide(&hall(true), &load, &ask(on, quantity), asked_on);
            assert_eq!(decision.state, BookingState::Declined, "{on}");
            assert_eq!(decision.reason.as_deref(), Some(reason), "{on}");
            assert!(!decision.alternatives.contains(&day("2027-03-20")));
            assert!(!decision.alternatives.contains(&day("2027-03-13")));
        }
    }

    /// A database with the hall and one kiosk.
    fn db_with_hall(auto_confirm: bool) -> (tempfile::TempDir, crate::db::Db, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let kiosk = db
            .with(|c| crate::db::kiosks::add(c, "A", "Duisans", "t"))
            .unwrap()
            .kiosk;
        // The receipts below carry the prefix « AB »: make it this kiosk's.
        db.with(|c| {
            c.execute(
                "UPDATE kiosk_receipt_prefixes SET prefix = 'AB' WHERE kiosk_id = ?1",
                [&kiosk.id],
            )?;
            c.execute(
                "UPDATE kiosks SET receipt_prefix = 'AB' WHERE id = ?1",
                [&kiosk.id],
            )?;
            Ok::<_, rusqlite::Error>(())
        })
        .unwrap();
        let h = hall(auto_confirm);
        db.with(|c| {
            resources::add(
                c,
                &NewResource {
                    id: h.id,
                    name: h.name,
                    kind: h.kind,
                    service: h.service,
                    commune: h.commune,
                    capacity: 1,
                    per_booking: None,
                    weekdays: h.weekdays,
                    holidays_closed: true,
                    notice_days: 7,
                    horizon_days: 365,
                    auto_confirm,
                },
                "t",
            )
        })
        .unwrap();
        (dir, db, kiosk.id)
    }

    fn hold(kiosk_id: &str, id: &str, receipt: &str, on: &str) -> submissions::NewSubmission {
        let json = format!(
            r#"{{"flow_id": "salle-des-fetes", "flow_version": 3, "service": "reservations",
                "answers": [], "booking": {{"resource": "salle-62279", "day": "{on}"}}}}"#
        );
        submissions::NewSubmission {
            id: id.into(),
            kiosk_id: kiosk_id.into(),
            flow_id: "salle-des-fetes".into(),
            flow_version: 3,
            service: "reservations".into(),
            receipt: receipt.into(),
            created_at: "2027-03-01T10:00:00Z".into(),
            content_digest: format!("d-{id}"),
            opened: crate::opened::parse(json.as_bytes()).unwrap(),
            answers_json: json,
        }
    }

    #[test]
    fn of_two_holds_on_the_last_place_the_first_stored_keeps_it_and_retries_change_nothing() {
        for order in [["s1", "s2"], ["s2", "s1"]] {
            let (_dir, db, kiosk) = db_with_hall(true);
            let holds = |id: &str| match id {
                "s1" => hold(&kiosk, "s1", "AB3-7KQ", "2027-03-13"),
                _ => hold(&kiosk, "s2", "AB3-7KR", "2027-03-13"),
            };
            for id in order {
                db.with(|c| submissions::ingest(c, &holds(id), "2027-03-02T10:00:00Z"))
                    .unwrap();
            }
            // Retries of both, in any order, decide nothing again.
            for id in order.iter().rev() {
                db.with(|c| submissions::ingest(c, &holds(id), "2027-03-03T10:00:00Z"))
                    .unwrap();
            }
            let first = db.with(|c| bookings_of(c, order[0]));
            let second = db.with(|c| bookings_of(c, order[1]));
            assert_eq!(first.state, BookingState::Confirmed, "{order:?}");
            assert_eq!(second.state, BookingState::Declined, "{order:?}");
            assert_eq!(second.reason.as_deref(), Some("la salle est déjà prise"));
            let rows: i64 = db.with(|c| {
                c.query_row("SELECT count(*) FROM bookings", [], |r| r.get(0))
                    .unwrap()
            });
            assert_eq!(rows, 2);
            // The lookup says it; the request's status follows.
            let status = db
                .with(|c| submissions::status_by_receipt(c, &second.receipt))
                .unwrap()
                .unwrap();
            assert_eq!(status.status, RequestStatus::Rejete);
            let outcome = status.booking.unwrap();
            assert_eq!(outcome.state, BookingState::Declined);
            assert_eq!(outcome.alternatives[0], day("2027-03-14"));
            // The snapshot shows the day taken.
            let snapshot = db
                .with(|c| resources::snapshot(c, day("2027-03-02"), "t"))
                .unwrap();
            assert_eq!(
                snapshot.day_free("salle-62279", day("2027-03-13"), 1),
                kiosk_flow::booking::DayFree::Taken { left: 0 }
            );
        }
    }

    fn bookings_of(conn: &Connection, id: &str) -> Booking {
        of_submission(conn, id).unwrap().unwrap()
    }

    #[test]
    fn an_agent_confirms_a_hold_and_a_decline_frees_the_place() {
        let (_dir, db, kiosk) = db_with_hall(false);
        let first = hold(&kiosk, "s1", "AB3-7KQ", "2027-03-13");
        db.with(|c| submissions::ingest(c, &first, "2027-03-02T10:00:00Z"))
            .unwrap();
        assert_eq!(db.with(|c| bookings_of(c, "s1")).state, BookingState::Held);
        db.with(|c| {
            agent_decides(
                c,
                "s1",
                BookingState::Confirmed,
                Some("Clés à la mairie."),
                ("agent", None),
                "t",
            )
        })
        .unwrap();
        let status = db
            .with(|c| submissions::status_by_receipt(c, "AB3-7KQ"))
            .unwrap()
            .unwrap();
        assert_eq!(status.status, RequestStatus::Traite);
        assert_eq!(status.booking.unwrap().state, BookingState::Confirmed);
        // Confirming twice is refused, in French.
        let again = db
            .with(|c| agent_decides(c, "s1", BookingState::Confirmed, None, ("agent", None), "t"))
            .unwrap_err();
        assert!(again.to_string().contains("déjà confirmée"), "{again}");
        // Cancelled: the day is free again for the next hold.
        db.with(|c| {
            agent_decides(
                c,
                "s1",
                BookingState::Declined,
                Some("Annulée."),
                ("agent", None),
                "t",
            )
        })
        .unwrap();
        db.with(|c| {
            submissions::ingest(
                c,
                &hold(&kiosk, "s2", "AB3-7KR", "2027-03-13"),
                "2027-03-04T10:00:00Z",
            )
        })
        .unwrap();
        assert_eq!(db.with(|c| bookings_of(c, "s2")).state, BookingState::Held);
    }
}
