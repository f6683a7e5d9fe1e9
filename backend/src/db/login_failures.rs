//! Failed logins, counted per account and per network address, so that guessing passwords
//! is slowed down: after a few free failures, the key is locked for a while, twice as long
//! after each further failure, up to a ceiling. A lock refuses every attempt, right or
//! wrong, until it ends. A successful login clears its account's count; a day without
//! failures forgets a key.
//!
//! The policy is pure ([`Policy::lock_after`]) and the clock comes in as a value, so tests
//! need no waiting.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension};

/// When a key gets locked, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before the first lock.
    pub free_failures: u32,
    /// The first lock; each further failure doubles it.
    pub first_lock_secs: i64,
    /// The longest lock.
    pub max_lock_secs: i64,
    /// A key without failures for this long starts again from zero.
    pub forget_after_secs: i64,
}

/// Per account: 5 free failures, then 1 minute, 2, 4, 8, then 15 minutes at most (short
/// enough that someone locking an agent out by typing wrong passwords cannot do much harm).
pub const PER_ACCOUNT: Policy = Policy {
    free_failures: 5,
    first_lock_secs: 60,
    max_lock_secs: 15 * 60,
    forget_after_secs: 24 * 3600,
};

/// Per network address: more room (a town hall's agents may share one address), then the
/// same doubling, up to an hour.
pub const PER_ADDRESS: Policy = Policy {
    free_failures: 20,
    first_lock_secs: 60,
    max_lock_secs: 3600,
    forget_after_secs: 24 * 3600,
};

impl Policy {
    /// How long a key is locked after its `failures`-th failure in a row (none before
    /// `free_failures`).
    pub fn lock_after(&self, failures: u32) -> Option<Duration> {
        let over = failures.checked_sub(self.free_failures)?;
        let factor = 1i64.checked_shl(over.min(30)).unwrap_or(i64::MAX);
        let secs = self
            .first_lock_secs
            .saturating_mul(factor)
            .min(self.max_lock_secs);
        Some(Duration::seconds(secs))
    }
}

/// The key counting the failures of the account `email` (whether it exists or not).
pub fn account_key(email: &str) -> String {
    format!("compte:{}", email.trim().to_lowercase())
}

/// The key counting the failures from a network address.
pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

/// When the lock on `key` ends, if it is locked at `now`.
pub fn locked_until(
    conn: &Connection,
    key: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let until: Option<Option<String>> = conn
        .prepare_cached("SELECT locked_until FROM login_failures WHERE key = ?1")?
        .query_row([key], |row| row.get(0))
        .optional()?;
    Ok(until
        .flatten()
        .and_then(|until| DateTime::parse_from_rfc3339(&until).ok())
        .map(|until| until.with_timezone(&Utc))
        .filter(|until| *until > now))
}

/// Counts a failure for `key` at `now`; returns the new lock's end, if this failure locks.
pub fn record_failure(
    conn: &Connection,
    key: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let previous: Option<(u32, String)> = conn
        .prepare_cached("SELECT failures, last_failure_at FROM login_failures WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let forgotten = |last: &str| {
        DateTime::parse_from_rfc3339(last).map_or(true, |last| {
            now - last.with_timezone(&Utc) > Duration::seconds(policy.forget_after_secs)
        })
    };
    let failures = match previous {
        Some((failures, last)) if !forgotten(&last) => failures.saturating_add(1),
        _ => 1,
    };
    let locked_until = policy.lock_after(failures).map(|lock| now + lock);
    conn.prepare_cached(
        "INSERT INTO login_failures (key, failures, last_failure_at, locked_until) \
         VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (key) DO UPDATE SET failures = ?2, last_failure_at = ?3, \
         locked_until = ?4",
    )?
    .execute(params![
        key,
        failures,
        super::timestamp(now),
        locked_until.map(super::timestamp)
    ])?;
    Ok(locked_until)
}

/// Forgets the failures of `key` (after a successful login).
pub fn clear(conn: &Connection, key: &str) -> anyhow::Result<()> {
    conn.prepare_cached("DELETE FROM login_failures WHERE key = ?1")?
        .execute([key])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn locks_double_up_to_a_ceiling() {
        let minutes = |n: u32| PER_ACCOUNT.lock_after(n).map(|d| d.num_minutes());
        assert_eq!(minutes(4), None);
        assert_eq!(minutes(5), Some(1));
        assert_eq!(minutes(6), Some(2));
        assert_eq!(minutes(8), Some(8));
        assert_eq!(minutes(9), Some(15));
        assert_eq!(minutes(u32::MAX), Some(15));
        assert_eq!(PER_ADDRESS.lock_after(19), None);
        assert_eq!(
            PER_ADDRESS.lock_after(40).map(|d| d.num_minutes()),
            Some(60)
        );
    }

    #[test]
    fn failures_lock_then_the_lock_ends_and_a_day_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let key = account_key(" Agent@Example.org");
        assert_eq!(key, "compte:agent@example.org");
        let t0: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        for _ in 0..4 {
            assert_eq!(
                db.with(|c| record_failure(c, &key, &PER_ACCOUNT, t0))
                    .unwrap(),
                None
            );
        }
        assert_eq!(db.with(|c| locked_until(c, &key, t0)).unwrap(), None);
        let until = db
            .with(|c| record_failure(c, &key, &PER_ACCOUNT, t0))
            .unwrap()
            .unwrap();
        assert_eq!(until, t0 + Duration::minutes(1));
        assert_eq!(db.with(|c| locked_until(c, &key, t0)).unwrap(), Some(until));
        assert_eq!(db.with(|c| locked_until(c, &key, until)).unwrap(), None);
        // The next failure doubles the lock.
        let again = db
            .with(|c| record_failure(c, &key, &PER_ACCOUNT, until))
            .unwrap()
            .unwrap();
        assert_eq!(again, until + Duration::minutes(2));
        // A day later, it starts from zero.
        let later = t0 + Duration::days(2);
        assert_eq!(
            db.with(|c| record_failure(c, &key, &PER_ACCOUNT, later))
                .unwrap(),
            None
        );
        db.with(|c| clear(c, &key)).unwrap();
        assert_eq!(db.with(|c| locked_until(c, &key, later)).unwrap(), None);
    }
}
