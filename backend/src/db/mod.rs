//! The back end's SQLite file: opening (0600, WAL, `synchronous=FULL`, `secure_delete`, busy
//! timeout), migrations, and the bridge from async handlers to blocking SQLite calls.
//!
//! Each table group has a module of plain synchronous functions over a
//! [`rusqlite::Connection`]: the server calls them through [`Db::call`] (on tokio's blocking
//! pool, inside a tracing span), the command line through [`Db::with`].

pub mod ambassadors;
pub mod bookings;
pub mod flow_catalog;
pub mod help_calls;
pub mod inbox;
pub mod kiosks;
pub mod login_failures;
mod migrations;
pub mod open311;
pub mod outbox;
pub mod resources;
pub mod retention;
pub mod services;
pub mod sessions;
pub mod submissions;
pub mod users;

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tracing::Instrument;

pub use migrations::migrations;

/// How long a statement waits for another writer (another `backend` command) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The database, shared by every request. One connection behind a mutex: SQLite has one
/// writer at a time anyway, and every commit waits for the disk (`synchronous=FULL`).
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

/// What an idempotent upload (a submission or a help call) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ingested {
    /// Stored now, at this time.
    New { received_at: String },
    /// Already stored with the same content: a retry. The time is the first reception.
    Again { received_at: String },
    /// The id is already stored with other content.
    Conflict,
    /// The receipt code belongs to another submission.
    ReceiptTaken,
    /// The receipt code does not carry one of the uploading kiosk's receipt prefixes.
    ForeignReceipt,
}

impl Ingested {
    /// A short name for logs.
    pub fn label(&self) -> &'static str {
        match self {
            Ingested::New { .. } => "new",
            Ingested::Again { .. } => "again",
            Ingested::Conflict => "conflict",
            Ingested::ReceiptTaken => "receipt_taken",
            Ingested::ForeignReceipt => "foreign_receipt",
        }
    }
}

impl Db {
    /// Opens (creating it if needed) the database at `path` and brings its schema up to date.
    /// The file, its `-wal` and `-shm` companions are made 0600 and its folder 0700, whatever
    /// they were ([`kiosk_sync::private_files`]).
    pub fn open(path: &Path) -> anyhow::Result<Db> {
        let private = || {
            kiosk_sync::private_files::private_database(path).with_context(|| {
                format!(
                    "impossible de protéger la base {} (mode 0600)",
                    path.display()
                )
            })
        };
        private()?;
        let mut conn = Connection::open(path)
            .with_context(|| format!("impossible d'ouvrir la base {}", path.display()))?;
        configure(&conn).context("impossible de configurer la base")?;
        // Migrations that rebuild a table (to change a CHECK constraint) must run with
        // foreign keys off, or dropping the old table would cascade; each such migration
        // ends with a foreign key check.
        conn.pragma_update(None, "foreign_keys", "OFF")
            .context("impossible de configurer la base")?;
        migrations()
            .to_latest(&mut conn)
            .context("impossible de mettre à jour le schéma de la base")?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .context("impossible de configurer la base")?;
        // The WAL now exists: it was made with the file's mode, checked again all the same.
        private()?;
        Ok(Db {
            conn: Arc::new(Mutex::new(conn)),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A separate read-only connection to the same file, for a long read (the CSV export)
    /// that must not hold the shared connection: in WAL mode it reads one consistent moment
    /// while kiosks and agents keep writing.
    pub fn reader(&self) -> anyhow::Result<Connection> {
        use rusqlite::OpenFlags;
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("impossible de lire la base {}", self.path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        Ok(conn)
    }

    /// Runs `f` on the connection, here and now (for the command line and tests).
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> T) -> T {
        // A panic while holding the lock leaves no open transaction (rusqlite rolls back on
        // drop), so the connection is still sound.
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn)
    }

    /// Runs `f` on the connection on tokio's blocking pool, in a `db` span named `op`.
    pub async fn call<T, F>(&self, op: &'static str, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> anyhow::Result<T> + Send + 'static,
    {
        let db = self.clone();
        let span = tracing::info_span!("db", op);
        let inner = span.clone();
        tokio::task::spawn_blocking(move || inner.in_scope(|| db.with(f)))
            .instrument(span)
            .await
            .with_context(|| format!("la tâche base de données « {op} » a échoué"))?
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "la base n'a pas pu passer en mode WAL");
    }
    // Every commit reaches the disk before a kiosk hears "stored".
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // What is deleted (an erased request, a purged one) is overwritten, not left in free pages.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

/// Now, as stored and sent: RFC 3339 UTC with milliseconds (`2026-11-28T10:00:00.000Z`).
pub fn now() -> String {
    timestamp(Utc::now())
}

/// A time as stored: RFC 3339 UTC with milliseconds. Stored times compare as strings.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
