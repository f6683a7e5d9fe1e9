//! Availability benchmark (`cargo bench -p backend --bench availability`): the snapshot the
//! kiosks sync, for the 96 communes' village halls plus 5 lots of equipment over 365 days,
//! with about a third of the halls' weekends booked, some days blocked; its JSON size
//! (plain and gzip-free, as sent) and build time; and the availability check of one booking
//! (`bookings::decide` with the resource's load read from SQLite), as done at ingest.
//!
//! `BOOKINGS_BENCH_ROUNDS` (default 20) snapshot builds and 20 × that many checks.

use backend::db::bookings::decide;
use backend::db::resources::{self, Load, NewResource};
use backend::db::Db;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use kiosk_flow::booking::{BookingRequest, ResourceKind};
use std::time::Instant;

fn main() {
    let rounds: usize = std::env::var("BOOKINGS_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(20);
    let parent = option_env!("CARGO_TARGET_TMPDIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    std::fs::create_dir_all(&parent).expect("bench folder");
    let dir = tempfile::tempdir_in(parent).expect("tempdir");
    let db = Db::open(&dir.path().join("b.sqlite3")).expect("db");
    let today = NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
    let every_day = resources::parse_weekdays("tous").expect("days");
    let mut ids = Vec::new();
    db.with(|c| {
        for n in 0..96 {
            let id = format!("salle-62{n:03}");
            resources::add(
                c,
                &NewResource {
                    id: id.clone(),
                    name: format!("Salle des fêtes {n}"),
                    kind: ResourceKind::Salle,
                    service: "reservations".into(),
                    commune: None,
                    capacity: 1,
                    per_booking: None,
                    weekdays: every_day.clone(),
                    holidays_closed: true,
                    notice_days: 7,
                    horizon_days: 365,
                    auto_confirm: true,
                },
                "t",
            )?;
            ids.push(id);
        }
        for (lot, quantity) in [
            ("tables", 60),
            ("chaises", 400),
            ("bancs", 80),
            ("barnum", 2),
            ("barrieres", 120),
        ] {
            resources::add(
                c,
                &NewResource {
                    id: format!("materiel-{lot}"),
                    name: lot.into(),
                    kind: ResourceKind::Materiel,
                    service: "reservations".into(),
                    commune: None,
                    capacity: quantity,
                    per_booking: None,
                    weekdays: every_day.clone(),
                    holidays_closed: true,
                    notice_days: 7,
                    horizon_days: 365,
                    auto_confirm: true,
                },
                "t",
            )?;
        }
        Ok::<_, anyhow::Error>(())
    })
    .expect("resources");

    // Bookings: a third of the halls' Saturdays and Sundays, and chairs on most weekends.
    let mut booked = 0usize;
    db.with(|c| {
        let tx = c.transaction()?;
        for offset in 7..365u64 {
            let day = today.checked_add_days(Days::new(offset)).expect("date");
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            for (n, id) in ids.iter().enumerate() {
                if weekend && (n + offset as usize).is_multiple_of(3) {
                    insert(&tx, &format!("b{booked}"), id, day, 1)?;
                    booked += 1;
                }
            }
            if weekend {
                insert(&tx, &format!("b{booked}"), "materiel-chaises", day, 120)?;
                booked += 1;
            }
        }
        tx.commit()?;
        for id in ids.iter().step_by(8) {
            let first = today.checked_add_days(Days::new(60)).expect("date");
            resources::block(
                c,
                id,
                first,
                first.checked_add_days(Days::new(6)).expect("date"),
                Some("Travaux"),
                "t",
            )?;
        }
        Ok::<_, anyhow::Error>(())
    })
    .expect("bookings");

    let mut size = 0;
    let started = Instant::now();
    for _ in 0..rounds {
        let snapshot = db
            .with(|c| resources::snapshot(c, today, "2027-01-04T08:00:00Z"))
            .expect("snapshot");
        size = serde_json::to_vec(&snapshot).expect("json").len();
    }
    let build = started.elapsed() / rounds as u32;
    println!(
        "snapshot: {} resources over 365 days, {booked} bookings: {size} bytes of JSON ({:.1} KiB), built in {:.2} ms",
        ids.len() + 5,
        size as f64 / 1024.0,
        build.as_secs_f64() * 1000.0
    );

    let checks = rounds * 20;
    let started = Instant::now();
    for n in 0..checks {
        let id = &ids[n % ids.len()];
        let day = today
            .checked_add_days(Days::new(7 + (n as u64 * 13) % 350))
            .expect("date");
        let request = BookingRequest {
            resource: id.clone(),
            day,
            quantity: 1,
        };
        db.with(|c| {
            let resource = resources::get(c, id)?.expect("resource");
            let load = Load::of(c, id, today)?;
            Ok::<_, anyhow::Error>(decide(&resource, &load, &request, today))
        })
        .expect("decide");
    }
    let check = started.elapsed() / checks as u32;
    println!(
        "availability check per booking (rules, load from SQLite, nearest free days): {:.3} ms",
        check.as_secs_f64() * 1000.0
    );
}

/// A booking row (its submission first, as ingest files them).
fn insert(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    resource: &str,
    day: NaiveDate,
    quantity: u32,
) -> anyhow::Result<()> {
    tx.execute(
        "INSERT OR IGNORE INTO kiosks (id, name, place, receipt_prefix, created_at) \
         VALUES ('k', 'K', 'P', 'AB', 't')",
        [],
    )?;
    tx.execute(
        "INSERT INTO submissions (id, kiosk_id, flow_id, flow_version, service, receipt, \
         created_at, received_at, content_digest, answers_json, status_updated_at) \
         VALUES (?1, 'k', 'f', 1, 'reservations', ?1, 't', 't', 'd', '{}', 't')",
        [id],
    )?;
    tx.execute(
        "INSERT INTO bookings (submission_id, resource_id, day, quantity, state) \
         VALUES (?1, ?2, ?3, ?4, 'confirmed')",
        rusqlite::params![id, resource, day.to_string(), quantity],
    )?;
    Ok(())
}
