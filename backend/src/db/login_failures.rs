//! Failed logins, counted per account, per device and per network address, so that guessing
//! passwords is slowed down.
//!
//! - Per account ([`PER_ACCOUNT`]), for browsers that have not logged in to it before: after
//!   a few free failures, the key is locked for a while, twice as long after each further
//!   failure, up to a ceiling. A lock refuses every attempt, right or wrong, until it ends.
//! - Per device ([`device_key`]): a browser holding the account's device cookie (it logged
//!   in to it before) is counted on its own key with the same policy, and is never held by
//!   the account's lock: someone typing wrong passwords elsewhere cannot keep the agent out.
//! - Per network address ([`PER_ADDRESS`], IPv6 per /64): never refuses; past its free
//!   failures, each attempt waits a little longer before the password is even looked at.
//!
//! An attempt is counted before its password is verified ([`reserve`]), so that concurrent
//! attempts cannot all get past the limit; a success takes it back ([`succeeded`]). A day
//! without failures forgets a key.
//!
//! The policy is pure ([`Policy::lock_after`]) and the clock comes in as a value, so tests
//! need no waiting.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::net::IpAddr;

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

/// Per network address: more room (a town hall's agents may share one address), then each
/// attempt waits 1 second before its password is verified, twice as long after each further
/// failure, up to 8 seconds: a slowdown, never a refusal.
pub const PER_ADDRESS: Policy = Policy {
    free_failures: 20,
    first_lock_secs: 1,
    max_lock_secs: 8,
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

/// The key counting the failures from a network address: an IPv4 address, or the /64 of an
/// IPv6 one (one household or office gets a whole /64); `None`: an unknown address.
pub fn address_key(address: Option<IpAddr>) -> String {
    match address.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            format!("ip:{}/64", std::net::Ipv6Addr::from(network))
        }
        None => "ip:inconnue".to_string(),
    }
}

/// The key counting the failures of a browser holding a device cookie (its nonce).
pub fn device_key(nonce: &str) -> String {
    format!("appareil:{nonce}")
}

/// What [`reserve`] decided about an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Refused without looking at the password, until then.
    Locked(DateTime<Utc>),
    /// Counted as a failure in advance: verify the password after `wait`; if it is wrong,
    /// `lock` is the lock this failure started (if any).
    Counted {
        wait: std::time::Duration,
        lock: Option<DateTime<Utc>>,
    },
}

/// Counts an attempt as a failure before its password is verified, in one transaction, so
/// that concurrent attempts see each other: `key` (the account's, or the device's) unless it
/// is locked, and `address` (if any, for browsers without a device cookie), whose earlier
/// failures say how long to wait.
pub fn reserve(
    conn: &mut Connection,
    key: &str,
    address: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<Reservation> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if let Some(until) = locked_until(&tx, key, now)? {
        return Ok(Reservation::Locked(until));
    }
    let lock = record_failure(&tx, key, &PER_ACCOUNT, now)?;
    let mut wait = std::time::Duration::ZERO;
    if let Some(address) = address {
        let earlier = failures(&tx, address, &PER_ADDRESS, now)?;
        wait = PER_ADDRESS
            .lock_after(earlier)
            .and_then(|delay| delay.to_std().ok())
            .unwrap_or_default();
        record_failure(&tx, address, &PER_ADDRESS, now)?;
    }
    tx.commit()?;
    Ok(Reservation::Counted { wait, lock })
}

/// After a right password: `key`'s failures are forgotten, and the address's failure
/// counted in advance by [`reserve`] is taken back.
pub fn succeeded(conn: &mut Connection, key: &str, address: Option<&str>) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    clear(&tx, key)?;
    if let Some(address) = address {
        tx.prepare_cached(
            "UPDATE login_failures SET failures = max(failures - 1, 0) WHERE key = ?1",
        )?
        .execute([address])?;
    }
    tx.commit()?;
    Ok(())
}

/// The failures in a row counted for `key` at `now` (0 once forgotten).
pub fn failures(
    conn: &Connection,
    key: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> anyhow::Result<u32> {
    let previous: Option<(u32, String)> = conn
        .prepare_cached("SELECT failures, last_failure_at FROM login_failures WHERE key = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(match previous {
        Some((failures, last)) if !forgotten(&last, policy, now) => failures,
        _ => 0,
    })
}

fn forgotten(last: &str, policy: &Policy, now: DateTime<Utc>) -> bool {
    DateTime::parse_from_rfc3339(last).map_or(true, |last| {
        now - last.with_timezone(&Utc) > Duration::seconds(policy.forget_after_secs)
    })
}

/// Deletes the keys without a failure for a day or more (the sweeper); returns how many.
pub fn sweep(conn: &Connection, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let cutoff = now
        - Duration::seconds(
            PER_ACCOUNT
                .forget_after_secs
                .max(PER_ADDRESS.forget_after_secs),
        );
    Ok(conn
        .prepare_cached("DELETE FROM login_failures WHERE last_failure_at < ?1")?
        .execute([super::timestamp(cutoff)])?)
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
    let failures = failures(conn, key, policy, now)?.saturating_add(1);
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
        assert_eq!(PER_ADDRESS.lock_after(20).map(|d| d.num_seconds()), Some(1));
        assert_eq!(PER_ADDRESS.lock_after(40).map(|d| d.num_seconds()), Some(8));
    }

    #[test]
    fn addresses_are_keyed_per_ipv4_and_per_ipv6_64() {
        let key = |text: &str| address_key(Some(text.parse().unwrap()));
        assert_eq!(key("192.0.2.7"), "ip:192.0.2.7");
        assert_eq!(key("::ffff:192.0.2.7"), "ip:192.0.2.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "ip:2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff::9"), key("2001:db8:1:2::1"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
        assert_eq!(address_key(None), "ip:inconnue");
    }

    #[test]
    fn attempts_are_counted_before_verifying_and_a_success_gives_back_the_address() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let t0: DateTime<Utc> = "2026-01-01T10:00:00Z".parse().unwrap();
        let account = account_key("agent@example.org");
        let address = address_key(Some("192.0.2.7".parse().unwrap()));
        // Five attempts counted at once: the fifth starts the lock, the sixth is refused.
        for n in 1..=5 {
            let reserved = db
                .with(|c| reserve(c, &account, Some(&address), t0))
                .unwrap();
            let Reservation::Counted { wait, lock } = reserved else {
                panic!("{reserved:?}")
            };
            assert_eq!(wait, std::time::Duration::ZERO);
            assert_eq!(lock.is_some(), n == 5);
        }
        assert!(matches!(
            db.with(|c| reserve(c, &account, Some(&address), t0))
                .unwrap(),
            Reservation::Locked(_)
        ));
        // The address is never refused: past 20 failures, it waits.
        let other = account_key("autre@example.org");
        for _ in 0..15 {
            db.with(|c| reserve(c, &other, Some(&address), t0 + Duration::hours(1)))
                .unwrap();
            db.with(|c| clear(c, &other)).unwrap();
        }
        let reserved = db
            .with(|c| reserve(c, &other, Some(&address), t0 + Duration::hours(1)))
            .unwrap();
        assert_eq!(
            reserved,
            Reservation::Counted {
                wait: std::time::Duration::from_secs(1),
                lock: None
            }
        );
        db.with(|c| succeeded(c, &other, Some(&address))).unwrap();
        let now = t0 + Duration::hours(1);
        assert_eq!(
            db.with(|c| failures(c, &address, &PER_ADDRESS, now))
                .unwrap(),
            20
        );
        assert_eq!(
            db.with(|c| failures(c, &other, &PER_ACCOUNT, now)).unwrap(),
            0
        );
        // Swept a day later.
        assert_eq!(db.with(|c| sweep(c, now + Duration::days(2))).unwrap(), 2);
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
