//! Retention and erasure (RGPD art. 5 (1) e and art. 17): a request is kept for its
//! service's retention period (`services.retention_days`, else
//! [`DEFAULT_RETENTION_DAYS`]) after its last change of status, then erased by the daily
//! sweep of `backend serve` or by `backend submissions purge`; an administrator can erase one
//! at once from its page.
//!
//! Erasing deletes the request, its status history and its pending notifications, and
//! records in `erased_submissions` which request it was (its random id, service, flow, the
//! digest of its sealed upload), when, why and by whom: nothing a person could be recognised
//! by. The record also keeps a kiosk's late retry of an erased request from storing it again
//! (it gets 200, as for any retry). With `secure_delete` on, the erased rows are overwritten.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// How long a request is kept after its last change when its service sets nothing: one year.
pub const DEFAULT_RETENTION_DAYS: u32 = 365;
/// The longest retention a service may set (ten years).
pub const MAX_RETENTION_DAYS: u32 = 3650;
/// Requests erased per transaction, so that kiosks and agents wait little while a long
/// purge runs beside them.
const BATCH: usize = 200;

/// Why a request was erased, as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Its service's retention period ran out.
    Retention,
    /// `backend submissions purge --older-than`.
    Purge,
    /// An administrator erased it from its page.
    Admin,
}

impl Reason {
    pub fn as_db(self) -> &'static str {
        match self {
            Reason::Retention => "retention",
            Reason::Purge => "purge",
            Reason::Admin => "admin",
        }
    }
}

/// Which requests a purge erases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Older {
    /// Those past their service's retention period.
    ThanRetention,
    /// Those whose last change is more than this many days old, whatever their service.
    ThanDays(u32),
}

/// `now` minus `days`, as stored times are written (they compare as strings).
fn cutoff(now: DateTime<Utc>, days: u32) -> String {
    super::timestamp(now - Duration::days(i64::from(days)))
}

/// The ids of the requests `older` selects at `now`, at most `limit`.
fn selected(
    conn: &Connection,
    older: Older,
    now: DateTime<Utc>,
    limit: usize,
) -> anyhow::Result<Vec<String>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let ids = match older {
        Older::ThanDays(days) => conn
            .prepare_cached(
                "SELECT id FROM submissions WHERE status_updated_at < ?1 \
                 ORDER BY status_updated_at LIMIT ?2",
            )?
            .query_map(params![cutoff(now, days), limit], |row| row.get(0))?
            .collect::<Result<_, _>>()?,
        Older::ThanRetention => conn
            .prepare_cached(
                "SELECT s.id FROM submissions s LEFT JOIN services v ON v.id = s.service \
                 WHERE s.status_updated_at < strftime('%Y-%m-%dT%H:%M:%fZ', ?1, \
                   '-' || COALESCE(v.retention_days, ?2) || ' days') \
                 ORDER BY s.status_updated_at LIMIT ?3",
            )?
            .query_map(
                params![super::timestamp(now), DEFAULT_RETENTION_DAYS, limit],
                |row| row.get(0),
            )?
            .collect::<Result<_, _>>()?,
    };
    Ok(ids)
}

/// How many requests `older` selects at `now` (for `purge --dry-run`).
pub fn count(conn: &Connection, older: Older, now: DateTime<Utc>) -> anyhow::Result<usize> {
    Ok(selected(conn, older, now, usize::MAX)?.len())
}

/// Erases every request `older` selects at `now`, [`BATCH`] per transaction; returns how
/// many.
pub fn purge(
    conn: &mut Connection,
    older: Older,
    reason: Reason,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut erased = 0;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ids = selected(&tx, older, now, BATCH)?;
        for id in &ids {
            erase_in(&tx, id, reason, None, now)?;
        }
        tx.commit()?;
        erased += ids.len();
        if ids.len() < BATCH {
            return Ok(erased);
        }
    }
}

/// Erases the request `id` (an administrator's action: `user_id`). `false` if there is none.
pub fn erase(
    conn: &mut Connection,
    id: &str,
    reason: Reason,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let erased = erase_in(&tx, id, reason, user_id, now)?;
    tx.commit()?;
    Ok(erased)
}

fn erase_in(
    conn: &Connection,
    id: &str,
    reason: Reason,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let recorded = conn
        .prepare_cached(
            "INSERT INTO erased_submissions (submission_id, service, flow_id, content_digest, \
             received_at, erased_at, reason, user_id) \
             SELECT id, service, flow_id, content_digest, received_at, ?2, ?3, ?4 \
             FROM submissions WHERE id = ?1",
        )?
        .execute(params![id, super::timestamp(now), reason.as_db(), user_id])?;
    if recorded == 0 {
        return Ok(false);
    }
    conn.prepare_cached("DELETE FROM status_history WHERE submission_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM notification_outbox WHERE submission_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM submissions WHERE id = ?1")?
        .execute([id])?;
    Ok(true)
}

/// When and why `id` was erased, if it was.
pub fn erased(conn: &Connection, id: &str) -> anyhow::Result<Option<(String, String)>> {
    let found = conn
        .prepare_cached(
            "SELECT erased_at, reason FROM erased_submissions WHERE submission_id = ?1",
        )?
        .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(found)
}

/// Reads a retention period as typed: a number of days from 1 to [`MAX_RETENTION_DAYS`]
/// (`365`, `365j`, `365d`); empty means the default (`None`).
pub fn parse_days(text: &str) -> Result<Option<u32>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let digits = trimmed
        .strip_suffix(['d', 'j', 'D', 'J'])
        .unwrap_or(trimmed)
        .trim();
    match digits.parse::<u32>() {
        Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(format!(
            "« {trimmed} » n'est pas une durée de conservation : un nombre de jours de 1 à \
             {MAX_RETENTION_DAYS}, par exemple 365"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_forgivingly_and_bounded() {
        assert_eq!(parse_days(""), Ok(None));
        assert_eq!(parse_days(" 365 "), Ok(Some(365)));
        assert_eq!(parse_days("30j"), Ok(Some(30)));
        assert_eq!(parse_days("90d"), Ok(Some(90)));
        for bad in ["0", "-3", "un an", "3651", "12m"] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }
}
