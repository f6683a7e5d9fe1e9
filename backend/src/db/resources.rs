//! Bookable resources (a hall, a lot of equipment, crèche places) with their rules, the
//! days blocked by the town hall, and the availability snapshot the kiosks sync.
//!
//! A day of a resource is *closed* when its rules refuse it (a weekday it does not open, a
//! French public holiday, a blocked day, too soon after the day of the request, past the
//! horizon), else it has `capacity` minus what the bookings not declined take.

use anyhow::{bail, Context};
use chrono::{Datelike, Days, NaiveDate, Weekday};
use kiosk_flow::booking::{Availability, DayLeft, ResourceDays, ResourceKind};
use kiosk_flow::calendar::{is_public_holiday, weekday_from_name, weekday_name};
use rand::Rng;
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::{BTreeSet, HashMap};

/// Migration V6: resources, blocked days and bookings (see [`super::bookings`]).
pub const SCHEMA: &str = r#"
CREATE TABLE resources (
    id              TEXT PRIMARY KEY,             -- as flows name it: 'salle-62276'
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('salle', 'materiel', 'places')),
    service         TEXT NOT NULL,                -- whose agents decide
    commune         TEXT,                         -- the commune's name, if it has one
    capacity        INTEGER NOT NULL CHECK (capacity >= 1),
    per_booking     INTEGER NOT NULL CHECK (per_booking >= 1),
    weekdays        TEXT NOT NULL,                -- ISO weekdays it opens: '1234567'
    holidays_closed INTEGER NOT NULL CHECK (holidays_closed IN (0, 1)),
    notice_days     INTEGER NOT NULL CHECK (notice_days >= 0),
    horizon_days    INTEGER NOT NULL CHECK (horizon_days >= 1),
    auto_confirm    INTEGER NOT NULL CHECK (auto_confirm IN (0, 1)),
    ical_token      TEXT NOT NULL UNIQUE,         -- the secret of its iCalendar feed's address
    created_at      TEXT NOT NULL
) STRICT;

CREATE TABLE resource_blocks (
    resource_id TEXT NOT NULL REFERENCES resources (id),
    day         TEXT NOT NULL,                    -- YYYY-MM-DD
    note        TEXT,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (resource_id, day)
) STRICT;

CREATE TABLE bookings (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    resource_id   TEXT NOT NULL REFERENCES resources (id),
    day           TEXT NOT NULL,                  -- YYYY-MM-DD
    quantity      INTEGER NOT NULL CHECK (quantity >= 1),
    state         TEXT NOT NULL CHECK (state IN ('held', 'confirmed', 'declined')),
    reason        TEXT,                           -- why declined, or the agent's note
    alternatives  TEXT NOT NULL DEFAULT '[]',     -- JSON: the nearest free days when declined
    decided_at    TEXT,
    decided_by    TEXT                            -- 'automatique' or 'agent'
) STRICT;

CREATE INDEX bookings_by_day ON bookings (resource_id, day, state);
"#;

/// A resource and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
    pub service: String,
    pub commune: Option<String>,
    pub capacity: u32,
    pub per_booking: u32,
    /// The weekdays it opens, Monday first.
    pub weekdays: Vec<Weekday>,
    pub holidays_closed: bool,
    /// Days between the request and the booked day, at least.
    pub notice_days: u32,
    /// Days ahead it can be booked, at most.
    pub horizon_days: u32,
    /// A hold that fits is confirmed at once.
    pub auto_confirm: bool,
    pub ical_token: String,
}

/// What `backend resource add` and the administrators' page give.
#[derive(Debug, Clone)]
pub struct NewResource {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
    pub service: String,
    pub commune: Option<String>,
    pub capacity: u32,
    pub per_booking: Option<u32>,
    pub weekdays: Vec<Weekday>,
    pub holidays_closed: bool,
    pub notice_days: u32,
    pub horizon_days: u32,
    pub auto_confirm: bool,
}

/// Reads `samedi,dimanche` (or `tous`) into weekdays, Monday first.
pub fn parse_weekdays(text: &str) -> anyhow::Result<Vec<Weekday>> {
    if text.trim() == "tous" {
        return Ok((0..7u8).filter_map(|i| Weekday::try_from(i).ok()).collect());
    }
    let mut days = Vec::new();
    for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match weekday_from_name(word) {
            Some(day) if !days.contains(&day) => days.push(day),
            Some(_) => {}
            None => bail!("jour inconnu « {word} » : écrivez lundi, mardi, … dimanche, séparés par des virgules, ou « tous »"),
        }
    }
    if days.is_empty() {
        bail!("aucun jour d'ouverture : écrivez par exemple « samedi,dimanche » ou « tous »");
    }
    days.sort_by_key(|d| d.num_days_from_monday());
    Ok(days)
}

fn weekdays_to_db(days: &[Weekday]) -> String {
    days.iter()
        .map(|d| char::from(b'1' + d.num_days_from_monday() as u8))
        .collect()
}

fn weekdays_from_db(text: &str) -> Vec<Weekday> {
    text.bytes()
        .filter_map(|b| Weekday::try_from(b.checked_sub(b'1')?).ok())
        .collect()
}

/// The weekdays in French for a page: « samedi, dimanche ».
pub fn weekdays_french(days: &[Weekday]) -> String {
    if days.len() == 7 {
        return "tous les jours".to_string();
    }
    days.iter()
        .map(|d| weekday_name(*d))
        .collect::<Vec<_>>()
        .join(", ")
}

const COLUMNS: &str = "id, name, kind, service, commune, capacity, per_booking, weekdays, \
     holidays_closed, notice_days, horizon_days, auto_confirm, ical_token";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Resource> {
    let kind: String = row.get(2)?;
    let weekdays: String = row.get(7)?;
    Ok(Resource {
        id: row.get(0)?,
        name: row.get(1)?,
        kind: ResourceKind::from_keyword(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("sorte de ressource inconnue : {kind}").into(),
            )
        })?,
        service: row.get(3)?,
        commune: row.get(4)?,
        capacity: row.get(5)?,
        per_booking: row.get(6)?,
        weekdays: weekdays_from_db(&weekdays),
        holidays_closed: row.get(8)?,
        notice_days: row.get(9)?,
        horizon_days: row.get(10)?,
        auto_confirm: row.get(11)?,
        ical_token: row.get(12)?,
    })
}

/// An id as flows write it: lower-case letters, digits and `-`, starting with a letter.
fn is_resource_id(id: &str) -> bool {
    id.len() <= 80
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Adds a resource; its iCalendar secret is made here.
pub fn add(conn: &Connection, new: &NewResource, now: &str) -> anyhow::Result<Resource> {
    if !is_resource_id(&new.id) {
        bail!(
            "identifiant de ressource « {} » invalide : lettres minuscules, chiffres et « - »",
            new.id
        );
    }
    if new.name.trim().is_empty() {
        bail!("le nom de la ressource est vide");
    }
    if new.capacity == 0 || new.horizon_days == 0 {
        bail!("la quantité et l'horizon doivent être au moins 1");
    }
    if get(conn, &new.id)?.is_some() {
        bail!("la ressource « {} » existe déjà", new.id);
    }
    let mut secret = [0u8; 24];
    rand::rng().fill(&mut secret);
    let per_booking = new
        .per_booking
        .unwrap_or(new.capacity)
        .clamp(1, new.capacity);
    conn.execute(
        "INSERT INTO resources (id, name, kind, service, commune, capacity, per_booking, \
         weekdays, holidays_closed, notice_days, horizon_days, auto_confirm, ical_token, \
         created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            new.id,
            new.name.trim(),
            new.kind.keyword(),
            new.service,
            new.commune,
            new.capacity,
            per_booking,
            weekdays_to_db(&new.weekdays),
            new.holidays_closed,
            new.notice_days,
            new.horizon_days,
            new.auto_confirm,
            kiosk_sync::wire::hex(&secret),
            now,
        ],
    )
    .context("impossible d'ajouter la ressource")?;
    get(conn, &new.id)?.context("ressource ajoutée introuvable")
}

pub fn get(conn: &Connection, id: &str) -> anyhow::Result<Option<Resource>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM resources WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?)
}

/// The resource whose iCalendar secret is `token`.
pub fn by_ical_token(conn: &Connection, token: &str) -> anyhow::Result<Option<Resource>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM resources WHERE ical_token = ?1"
        ))?
        .query_row([token], from_row)
        .optional()?)
}

/// Every resource, by id.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<Resource>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM resources ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Blocks the days from `first` to `last` (included); days already blocked keep their note.
/// Returns how many days were newly blocked.
pub fn block(
    conn: &mut Connection,
    id: &str,
    first: NaiveDate,
    last: NaiveDate,
    note: Option<&str>,
    now: &str,
) -> anyhow::Result<usize> {
    if get(conn, id)?.is_none() {
        bail!("la ressource « {id} » n'existe pas");
    }
    if last < first || (last - first).num_days() > 366 {
        bail!("période invalide : du {first} au {last} (un an au plus)");
    }
    let tx = conn.transaction()?;
    let mut added = 0;
    let mut day = first;
    while day <= last {
        added += tx.execute(
            "INSERT OR IGNORE INTO resource_blocks (resource_id, day, note, created_at) \
             VALUES (?1, ?2, ?3, ?4)",
            params![id, day.to_string(), note, now],
        )?;
        day = day
            .checked_add_days(Days::new(1))
            .context("date hors limites")?;
    }
    tx.commit()?;
    Ok(added)
}

/// Unblocks one day; `false` if it was not blocked.
pub fn unblock(conn: &Connection, id: &str, day: NaiveDate) -> anyhow::Result<bool> {
    Ok(conn.execute(
        "DELETE FROM resource_blocks WHERE resource_id = ?1 AND day = ?2",
        params![id, day.to_string()],
    )? > 0)
}

/// The blocked days of a resource from `from` on, with their notes.
pub fn blocks_from(
    conn: &Connection,
    id: &str,
    from: NaiveDate,
) -> anyhow::Result<Vec<(NaiveDate, Option<String>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, note FROM resource_blocks WHERE resource_id = ?1 AND day >= ?2 ORDER BY day",
    )?;
    let rows = stmt.query_map(params![id, from.to_string()], |row| {
        Ok((row.get::<_, String>(0)?, row.get(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (day, note) = row?;
        if let Ok(day) = day.parse() {
            out.push((day, note));
        }
    }
    Ok(out)
}

/// What a resource's days look like from `from` on: the blocked days and, per day and per
/// month, the quantity taken by bookings not declined (bookings are read from the first day
/// of `from`'s month, so that the month `from` is in is counted whole).
#[derive(Debug, Default)]
pub struct Load {
    pub blocked: BTreeSet<NaiveDate>,
    taken: HashMap<NaiveDate, u32>,
    taken_by_month: HashMap<(i32, u32), u32>,
}

/// The first day of `day`'s month.
fn month_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

impl Load {
    /// The load of every resource from `from` on, in two queries.
    pub fn all_from(conn: &Connection, from: NaiveDate) -> anyhow::Result<HashMap<String, Load>> {
        let mut loads: HashMap<String, Load> = HashMap::new();
        let from_month = month_start(from).to_string();
        let from = from.to_string();
        let mut blocks =
            conn.prepare_cached("SELECT resource_id, day FROM resource_blocks WHERE day >= ?1")?;
        for row in blocks.query_map([&from], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })? {
            let (id, day) = row?;
            if let Ok(day) = day.parse() {
                loads.entry(id).or_default().blocked.insert(day);
            }
        }
        let mut taken = conn.prepare_cached(
            "SELECT resource_id, day, SUM(quantity) FROM bookings \
             WHERE state != 'declined' AND day >= ?1 GROUP BY resource_id, day",
        )?;
        for row in taken.query_map([&from_month], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })? {
            let (id, day, quantity) = row?;
            if let Ok(day) = day.parse() {
                loads.entry(id).or_default().add_taken(day, quantity);
            }
        }
        Ok(loads)
    }

    /// The load of one resource from `from` on.
    pub fn of(conn: &Connection, id: &str, from: NaiveDate) -> anyhow::Result<Load> {
        let mut load = Load::default();
        for (day, _) in blocks_from(conn, id, from)? {
            load.blocked.insert(day);
        }
        let mut stmt = conn.prepare_cached(
            "SELECT day, SUM(quantity) FROM bookings \
             WHERE resource_id = ?1 AND state != 'declined' AND day >= ?2 GROUP BY day",
        )?;
        for row in stmt.query_map(params![id, month_start(from).to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
        })? {
            let (day, quantity) = row?;
            if let Ok(day) = day.parse() {
                load.add_taken(day, quantity);
            }
        }
        Ok(load)
    }

    /// Counts `quantity` taken on `day` (and in its month).
    pub fn add_taken(&mut self, day: NaiveDate, quantity: u32) {
        *self.taken.entry(day).or_default() += quantity;
        *self
            .taken_by_month
            .entry((day.year(), day.month()))
            .or_default() += quantity;
    }

    /// The quantity taken on `day`.
    pub fn taken_on(&self, day: NaiveDate) -> u32 {
        self.taken.get(&day).copied().unwrap_or(0)
    }

    /// The quantity taken over `day`'s month.
    pub fn taken_in_month(&self, day: NaiveDate) -> u32 {
        self.taken_by_month
            .get(&(day.year(), day.month()))
            .copied()
            .unwrap_or(0)
    }
}

impl Resource {
    /// Why `day` cannot be booked by a request made on `asked_on`, in French; `None` when
    /// the rules allow it (whatever is already booked).
    pub fn closed_reason(
        &self,
        load: &Load,
        day: NaiveDate,
        asked_on: NaiveDate,
    ) -> Option<String> {
        let ahead = (day - asked_on).num_days();
        if ahead < i64::from(self.notice_days) {
            Some(format!(
                "il faut réserver {} jour(s) à l'avance au moins",
                self.notice_days
            ))
        } else if ahead > i64::from(self.horizon_days) {
            Some(format!(
                "on ne peut pas réserver plus de {} jours à l'avance",
                self.horizon_days
            ))
        } else {
            self.rule_closure(load, day)
        }
    }

    /// Why `day` is closed whoever asks and whenever (a weekday it does not open, a public
    /// holiday, a blocked day), in French.
    pub fn rule_closure(&self, load: &Load, day: NaiveDate) -> Option<String> {
        if !self.weekdays.contains(&day.weekday()) {
            Some(format!(
                "la réservation n'est possible que ces jours : {}",
                weekdays_french(&self.weekdays)
            ))
        } else if self.holidays_closed && is_public_holiday(day) {
            Some("c'est un jour férié".to_string())
        } else if load.blocked.contains(&day) {
            Some("la mairie a fermé ce jour-là".to_string())
        } else {
            None
        }
    }

    /// What is already taken of the resource for `day`: that day's bookings for a hall or
    /// equipment; the whole month's for places (a crèche's capacity is its places each month:
    /// a place asked from the 3rd takes one of that month's places).
    pub fn taken_for(&self, load: &Load, day: NaiveDate) -> u32 {
        match self.kind {
            ResourceKind::Places => load.taken_in_month(day),
            ResourceKind::Salle | ResourceKind::Materiel => load.taken_on(day),
        }
    }

    /// What is left on `day` for a request made on `asked_on`.
    pub fn left_on(&self, load: &Load, day: NaiveDate, asked_on: NaiveDate) -> DayLeft {
        match self.closed_reason(load, day, asked_on) {
            Some(_) => DayLeft::Closed,
            None => DayLeft::Left(self.capacity.saturating_sub(self.taken_for(load, day))),
        }
    }

    /// Up to `count` days nearest to `day` (the later one first at the same distance) that
    /// the rules allow for a request made on `asked_on` and that still have `quantity`.
    pub fn nearest_free(
        &self,
        load: &Load,
        day: NaiveDate,
        asked_on: NaiveDate,
        quantity: u32,
        count: usize,
    ) -> Vec<NaiveDate> {
        let fits = |d: NaiveDate| matches!(self.left_on(load, d, asked_on), DayLeft::Left(left) if left >= quantity);
        let mut found = Vec::new();
        for distance in 1..=u64::from(self.horizon_days) + 1 {
            for candidate in [
                day.checked_add_days(Days::new(distance)),
                day.checked_sub_days(Days::new(distance)),
            ]
            .into_iter()
            .flatten()
            {
                if found.len() < count && fits(candidate) {
                    found.push(candidate);
                }
            }
            if found.len() >= count {
                break;
            }
        }
        found
    }
}

/// The availability of every resource from `today` over its horizon, as kiosks see it (a
/// request made today).
pub fn snapshot(
    conn: &Connection,
    today: NaiveDate,
    generated_at: &str,
) -> anyhow::Result<Availability> {
    let loads = Load::all_from(conn, today)?;
    let empty = Load::default();
    let resources = list(conn)?
        .into_iter()
        .map(|resource| {
            let load = loads.get(&resource.id).unwrap_or(&empty);
            let days = (0..=u64::from(resource.horizon_days))
                .filter_map(|ahead| today.checked_add_days(Days::new(ahead)))
                .map(|day| resource.left_on(load, day, today));
            ResourceDays::from_days(
                &resource.id,
                &resource.name,
                resource.kind,
                resource.capacity,
                resource.per_booking,
                days,
            )
        })
        .collect();
    Ok(Availability {
        generated_at: generated_at.to_string(),
        first_day: today,
        resources,
    })
}
