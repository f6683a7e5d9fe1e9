//! The notification outbox: one row per new submission and channel (the service's email
//! address, its webhook), and one per new call for help, ambassador of its kiosk and channel
//! (the ambassador's email address, their webhook), written in the same transaction as the
//! submission or the call, so that no announcement is lost whatever fails afterwards. The notifier (`crate::notify`) sends what
//! is due and records the outcome: sent, skipped (nothing to send it to), or failed (tried
//! again later, with a growing delay).

use rusqlite::{params, Connection, Row};

/// Where an announcement goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    pub fn as_db(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    fn from_db(text: &str) -> Option<Channel> {
        match text {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            _ => None,
        }
    }

    pub fn french(self) -> &'static str {
        match self {
            Channel::Email => "e-mail",
            Channel::Webhook => "webhook",
        }
    }
}

/// What an announcement is about, and for whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new request, for its service.
    Request {
        submission_id: String,
        service_id: String,
    },
    /// A new call for help, for an ambassador of its kiosk.
    HelpCall { help_call_id: String, user_id: i64 },
}

/// An announcement still to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: i64,
    pub target: Target,
    pub channel: Channel,
    pub created_at: String,
    /// Attempts so far (all failed).
    pub attempts: u32,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
}

const COLUMNS: &str = "id, submission_id, service_id, channel, created_at, attempts, \
     next_attempt_at, last_error, help_call_id, user_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Pending> {
    let channel: String = row.get(3)?;
    let request: (Option<String>, Option<String>) = (row.get(1)?, row.get(2)?);
    let help_call: (Option<String>, Option<i64>) = (row.get(8)?, row.get(9)?);
    let target = match (request, help_call) {
        ((Some(submission_id), Some(service_id)), _) => Target::Request {
            submission_id,
            service_id,
        },
        (_, (Some(help_call_id), Some(user_id))) => Target::HelpCall {
            help_call_id,
            user_id,
        },
        _ => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                1,
                rusqlite::types::Type::Null,
                "annonce sans demande ni appel".into(),
            ))
        }
    };
    Ok(Pending {
        id: row.get(0)?,
        target,
        channel: Channel::from_db(&channel).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("canal inconnu : {channel}").into(),
            )
        })?,
        created_at: row.get(4)?,
        attempts: row.get(5)?,
        next_attempt_at: row.get(6)?,
        last_error: row.get(7)?,
    })
}

/// Queues the announcements of a new submission for `service`: one per channel the service
/// has. Called inside the submission's transaction. Returns how many were queued.
pub fn enqueue(
    conn: &Connection,
    submission_id: &str,
    service: &str,
    now: &str,
) -> anyhow::Result<usize> {
    let queued = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO notification_outbox \
             (submission_id, service_id, channel, created_at, next_attempt_at) \
             SELECT ?1, id, 'email', ?3, ?3 FROM services WHERE id = ?2 AND email IS NOT NULL \
             UNION ALL \
             SELECT ?1, id, 'webhook', ?3, ?3 FROM services \
             WHERE id = ?2 AND webhook_url IS NOT NULL",
        )?
        .execute(params![submission_id, service, now])?;
    Ok(queued)
}

/// Queues the announcements of a new call for help: for each active ambassador of kiosk
/// `kiosk_id`, an email, and a webhook call if they have one. Called inside the call's
/// transaction. Returns how many were queued.
pub fn enqueue_help_call(
    conn: &Connection,
    help_call_id: &str,
    kiosk_id: &str,
    now: &str,
) -> anyhow::Result<usize> {
    let queued = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO notification_outbox \
             (help_call_id, user_id, channel, created_at, next_attempt_at) \
             SELECT ?1, u.id, c.channel, ?3, ?3 \
             FROM ambassador_kiosks a JOIN users u ON u.id = a.user_id \
             JOIN (SELECT 'email' AS channel UNION ALL SELECT 'webhook') c \
             WHERE a.kiosk_id = ?2 AND u.role = 'ambassadeur' AND u.disabled_at IS NULL \
             AND (c.channel = 'email' OR u.webhook_url IS NOT NULL)",
        )?
        .execute(params![help_call_id, kiosk_id, now])?;
    Ok(queued)
}

/// The pending announcements on `channel` due at `now`, oldest first, at most `limit`.
pub fn due(
    conn: &Connection,
    channel: Channel,
    now: &str,
    limit: usize,
) -> anyhow::Result<Vec<Pending>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notification_outbox \
         WHERE state = 'pending' AND channel = ?1 AND next_attempt_at <= ?2 \
         ORDER BY next_attempt_at, id LIMIT ?3"
    ))?;
    let due = stmt
        .query_map(
            params![
                channel.as_db(),
                now,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            from_row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(due)
}

/// When the next announcement on `channel` is due, if any is pending.
pub fn next_due_at(conn: &Connection, channel: Channel) -> anyhow::Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT min(next_attempt_at) FROM notification_outbox \
         WHERE state = 'pending' AND channel = ?1",
        [channel.as_db()],
        |row| row.get(0),
    )?)
}

pub fn pending(conn: &Connection) -> anyhow::Result<Vec<Pending>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM notification_outbox WHERE state = 'pending' \
         ORDER BY created_at, id"
    ))?;
    let pending = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    Ok(pending)
}

pub fn mark_sent(conn: &Connection, id: i64, now: &str) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE notification_outbox SET state = 'sent', attempts = attempts + 1, \
         done_at = ?2, last_error = NULL WHERE id = ?1",
    )?
    .execute(params![id, now])?;
    Ok(())
}

/// Nothing to send it to (the service lost its address, or email is switched off).
pub fn mark_skipped(conn: &Connection, id: i64, reason: &str, now: &str) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE notification_outbox SET state = 'skipped', done_at = ?2, last_error = ?3 \
         WHERE id = ?1",
    )?
    .execute(params![id, now, reason])?;
    Ok(())
}

/// An attempt failed with `error` (without personal data); try again at `next_attempt_at`.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    next_attempt_at: &str,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE notification_outbox SET attempts = attempts + 1, last_error = ?2, \
         next_attempt_at = ?3 WHERE id = ?1",
    )?
    .execute(params![id, error, next_attempt_at])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{services, Db};

    #[test]
    fn one_row_per_channel_the_service_has() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let both = services::check(
            "Voirie",
            Some("voirie@example.org"),
            Some("https://outil.example.org/hook"),
        )
        .unwrap();
        db.with(|c| services::add(c, "voirie", &both, "t")).unwrap();
        let none = services::check("Crèche", None, None).unwrap();
        db.with(|c| services::add(c, "creche", &none, "t")).unwrap();
        db.with(|c| {
            c.execute_batch(
                "INSERT INTO kiosks (id, name, place, receipt_prefix, created_at) \
                 VALUES ('k', 'K', 'P', 'AB', 't');
                 INSERT INTO submissions (id, kiosk_id, flow_id, flow_version, service, receipt, \
                 created_at, received_at, content_digest, answers_json, status_updated_at) \
                 VALUES ('s1', 'k', 'f', 1, 'voirie', 'AB2-222', 't', 't', 'd', '{}', 't'), \
                        ('s2', 'k', 'f', 1, 'creche', 'AB2-223', 't', 't', 'd', '{}', 't'), \
                        ('s3', 'k', 'f', 1, 'inconnu', 'AB2-224', 't', 't', 'd', '{}', 't');",
            )
        })
        .unwrap();
        let t = "2026-01-01T10:00:00.000Z";
        assert_eq!(db.with(|c| enqueue(c, "s1", "voirie", t)).unwrap(), 2);
        assert_eq!(db.with(|c| enqueue(c, "s1", "voirie", t)).unwrap(), 0);
        assert_eq!(db.with(|c| enqueue(c, "s2", "creche", t)).unwrap(), 0);
        assert_eq!(db.with(|c| enqueue(c, "s3", "inconnu", t)).unwrap(), 0);

        // Both channels, email first.
        let due_all = |at: &str| {
            db.with(|c| {
                let mut all = due(c, Channel::Email, at, 10)?;
                all.extend(due(c, Channel::Webhook, at, 10)?);
                anyhow::Ok(all)
            })
            .unwrap()
        };
        assert!(due_all("2026-01-01T09:00:00.000Z").is_empty());
        let due_now = due_all(t);
        assert_eq!(due_now.len(), 2);
        let later = "2026-01-01T10:01:00.000Z";
        db.with(|c| mark_failed(c, due_now[0].id, "refusé", later))
            .unwrap();
        db.with(|c| mark_sent(c, due_now[1].id, t)).unwrap();
        assert!(due_all(t).is_empty());
        assert_eq!(due_now[0].channel, Channel::Email);
        assert_eq!(
            db.with(|c| next_due_at(c, Channel::Email))
                .unwrap()
                .as_deref(),
            Some(later)
        );
        assert_eq!(db.with(|c| next_due_at(c, Channel::Webhook)).unwrap(), None);
        let retry = due_all(later);
        assert_eq!(retry[0].attempts, 1);
        assert_eq!(retry[0].last_error.as_deref(), Some("refusé"));
        db.with(|c| mark_skipped(c, retry[0].id, "plus d'adresse", later))
            .unwrap();
        assert!(db.with(|c| pending(c)).unwrap().is_empty());
        assert_eq!(db.with(|c| next_due_at(c, Channel::Email)).unwrap(), None);
    }
}
