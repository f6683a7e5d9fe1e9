//! The kiosk's one SQLite database: identity, settings, the sealed outbox, help calls,
//! installed flows and an event log without personal data.
//!
//! # Layout
//!
//! - [`Store`] (this file): opening (WAL, `synchronous=FULL`, busy timeout, migrations),
//!   settings and the event log.
//! - [`migrations`]: the schema, an append-only list of `rusqlite_migration` steps.
//! - [`identity`]: [`Identity`], written at enrolment; its `Debug` hides the token.
//! - [`outbox`]: submissions (sealed before they touch the disk) and help calls, waiting
//!   for the back end: queue, due, delivered, failed, listing, receipt lookup.
//! - [`receipt`]: receipt codes (`AB3-7KQ`): the kiosk's prefix and four random characters.
//! - [`backoff`]: when to retry, as a pure function.
//! - [`flows`]: flows installed from the back end (YAML and its sha256).
//! - [`catalog`]: the signed catalog of published flows installed (or last refused).
//!
//! # Promises
//!
//! - **Never lose an answer.** [`Store::queue_submission`] returns only after the sealed
//!   submission is committed with `synchronous=FULL`: once it says "stored", a power cut
//!   cannot take it back. A pending item stays pending until [`Store::mark_delivered`];
//!   [`Store::due`] hands out exactly the same bytes on every retry, so the back end can
//!   recognize a retry and never makes a duplicate.
//! - **Forget the person.** The submission's JSON is sealed in memory to the back end's
//!   public key; only the sealed box is written, and the store holds no key that opens it.
//!   Once delivered, the sealed box is dropped (`secure_delete` zeroes freed pages): the
//!   kiosk keeps only the receipt code and status.
//! - **No personal data in logs.** Events and tracing spans carry ids, flow ids, counts and
//!   status codes only, never answers or tokens; a receipt code (a bearer code for the
//!   request's status) only as its [`outbox::receipt_tag`] hash.
//!
//! # Several processes
//!
//! The kiosk app and `kiosk sync --once` may open the same file at once. Every write is one
//! `BEGIN IMMEDIATE` transaction, and SQLite waits up to 5 s for the other writer
//! (busy timeout), so short writes never surface `SQLITE_BUSY`. A [`Store`] is `Send` and
//! `Sync` (the connection sits behind a mutex); its methods block, so async code calls
//! them from `spawn_blocking`.

pub mod availability;
pub mod backoff;
pub mod catalog;
pub mod error;
pub mod flows;
pub mod identity;
pub mod migrations;
pub mod outbox;
pub mod receipt;

pub use catalog::{CatalogEntry, CatalogRefusal, InstalledCatalog};
pub use error::{Result, StoreError};
pub use flows::StoredFlow;
pub use identity::Identity;
pub use outbox::{receipt_tag, DeliveryState, HelpCallItem, OutboxEntry, OutboxItem, Queued};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long a write waits for another process's write before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// How many events the log keeps (the oldest go first).
pub const EVENT_LOG_KEEP: i64 = 10_000;

/// The longest event detail kept, in characters.
const EVENT_DETAIL_MAX: usize = 500;

/// The kiosk's database. Cheap to share behind an `Arc`; every method is one short
/// blocking operation.
pub struct Store {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// One line of the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// `submission_queued`, `sync_ok`, `sync_error`...
    pub kind: String,
    /// Ids, flow ids, counts, status codes, receipt tags: never personal data nor a receipt
    /// code.
    pub detail: String,
}

impl Store {
    /// Opens the database at `path`, creating the file (0600) and its parent directory (0700)
    /// if needed, making them private if they were not, and brings the schema up to date.
    #[tracing::instrument(name = "store.open", skip_all)]
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref();
        // The device token is in this file: 0600, its folder 0700, whatever they were.
        kiosk_sync::private_files::private_database(path).map_err(|source| {
            StoreError::Private {
                path: path.to_owned(),
                source,
            }
        })?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", true)?;
        conn.pragma_update(None, "secure_delete", true)?;
        // Switching a new file to WAL and migrating it take locks that two openers can
        // deadlock on; SQLite then answers "busy" at once, without waiting. Try again.
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        let mut pause = Duration::from_millis(5);
        loop {
            match prepare(&mut conn) {
                Err(error) if is_busy(&error) && std::time::Instant::now() < deadline => {
                    tracing::debug!("database busy while opening, trying again");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
                other => break other?,
            }
        }
        tracing::debug!("store open");
        Ok(Store {
            conn: Mutex::new(conn),
            path: path.to_owned(),
        })
    }

    /// Where the database file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection. A panic while holding it cannot leave a transaction open (the
    /// transaction rolls back on drop), so a poisoned lock is safe to take over.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A setting's value, or `None` if it was never set.
    #[tracing::instrument(name = "store.setting", skip_all, fields(key))]
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        let conn = self.conn();
        Ok(conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Sets a setting. The event log records the key, not the value.
    #[tracing::instrument(name = "store.set_setting", skip_all, fields(key))]
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        insert_event(&tx, "setting_changed", &format!("key={key}"))?;
        tx.commit()?;
        Ok(())
    }

    /// Adds a line to the event log.
    ///
    /// **Callers must pass no personal data**: `kind` is a short code (`sync_ok`,
    /// `sync_error`), `detail` holds ids, receipt tags, flow ids, counts or an HTTP status,
    /// never an answer, a name, a phone number, a token or free text from a citizen.
    /// The detail is cut at 500 characters; the log keeps the last [`EVENT_LOG_KEEP`] lines.
    #[tracing::instrument(name = "store.log_event", skip_all, fields(kind))]
    pub fn log_event(&self, kind: &str, detail: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_event(&tx, kind, detail)?;
        tx.commit()?;
        Ok(())
    }

    /// The last `limit` events, newest first.
    #[tracing::instrument(name = "store.recent_events", skip_all, fields(limit))]
    pub fn recent_events(&self, limit: usize) -> Result<Vec<Event>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached("SELECT id, at, kind, detail FROM events ORDER BY id DESC LIMIT ?1")?;
        let rows = stmt.query_map([clamp_limit(limit)], |r| {
            Ok(Event {
                id: r.get(0)?,
                at: r.get(1)?,
                kind: r.get(2)?,
                detail: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// SQLite's own check of the file: an empty list means the database is sound.
    #[tracing::instrument(name = "store.integrity_check", skip_all)]
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines.into_iter().filter(|l| l != "ok").collect())
    }
}

/// Puts the file in WAL mode and brings the schema up to date.
fn prepare(conn: &mut Connection) -> Result<()> {
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "mode de journal « {mode} » au lieu de WAL"
        )));
    }
    migrate(conn)
}

/// Whether SQLite gave up on a lock (`SQLITE_BUSY` or `SQLITE_LOCKED`).
fn is_busy(error: &StoreError) -> bool {
    let sqlite = match error {
        StoreError::Database(e) => e.sqlite_error_code(),
        StoreError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => {
            err.sqlite_error_code()
        }
        _ => None,
    };
    matches!(
        sqlite,
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Runs the migrations. Two processes opening a new file at once may both see it empty;
/// the second then fails inside its migration transaction (rolled back) and finds the
/// schema already up to date on its next look.
fn migrate(conn: &mut Connection) -> Result<()> {
    let migrations = migrations::migrations();
    let mut tries = 0;
    loop {
        match migrations.to_latest(conn) {
            Ok(()) => return Ok(()),
            Err(error) => {
                tries += 1;
                if migrations.pending_migrations(conn)? == 0 {
                    return Ok(());
                }
                if tries >= 3 {
                    return Err(error.into());
                }
            }
        }
    }
}

/// The one time format of the database: RFC 3339 UTC with milliseconds, so times compare
/// as text.
pub fn fmt_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A `LIMIT` value SQLite accepts.
pub(crate) fn clamp_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// Adds an event inside the caller's transaction and trims the log.
pub(crate) fn insert_event(conn: &Connection, kind: &str, detail: &str) -> Result<()> {
    let detail: String = detail.chars().take(EVENT_DETAIL_MAX).collect();
    conn.execute(
        "INSERT INTO events (at, kind, detail) VALUES (?1, ?2, ?3)",
        params![fmt_time(Utc::now()), kind, detail],
    )?;
    let id = conn.last_insert_rowid();
    if id % 100 == 0 {
        conn.execute("DELETE FROM events WHERE id <= ?1", [id - EVENT_LOG_KEEP])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_and_its_folder_are_private_whatever_they_were() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("kiosk");
        let path = dir.join("kiosk.db");
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        drop(Store::open(&path).unwrap());
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let store = Store::open(&path).unwrap();
        store.set_setting("essai", "1").unwrap();
        assert_eq!(mode(&dir), 0o700);
        for name in ["kiosk.db", "kiosk.db-wal", "kiosk.db-shm"] {
            assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
        }
    }

    #[test]
    fn connection_settings_are_in_force() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("kiosk.db")).unwrap();
        let conn = store.conn();
        let get =
            |name: &str| -> i64 { conn.pragma_query_value(None, name, |r| r.get(0)).unwrap() };
        assert_eq!(get("synchronous"), 2, "FULL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("secure_delete"), 1);
        assert_eq!(get("busy_timeout"), 5_000);
        let mode: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn a_store_can_be_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Store>();
    }

    #[test]
    fn times_sort_as_text() {
        let a = DateTime::parse_from_rfc3339("2026-11-28T09:59:59.999Z").unwrap();
        let b = DateTime::parse_from_rfc3339("2026-11-28T10:00:00Z").unwrap();
        let (a, b) = (fmt_time(a.to_utc()), fmt_time(b.to_utc()));
        assert_eq!(b, "2026-11-28T10:00:00.000Z");
        assert!(a < b);
    }
}
