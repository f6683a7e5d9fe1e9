//! Kiosks: adding one (with its one-time enrolment code and receipt prefix), new codes,
//! enrolment, token lookup, heartbeats, listing and revocation, and the receipt prefixes each
//! kiosk has held (`kiosk_receipt_prefixes`): a receipt is accepted only with one of its
//! kiosk's, and a prefix once given is never given to another kiosk.

use crate::secrets;
use anyhow::{bail, Context};
use kiosk_sync::wire::Heartbeat;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

/// How long an enrolment code can be used: 7 days from when it was made.
pub const CODE_VALID_DAYS: u32 = 7;

/// The SQL expression of a code's expiry, made at `?now`.
const EXPIRES_AT: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', ?3, '+7 days')";

/// A kiosk as the administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kiosk {
    pub id: String,
    pub name: String,
    pub place: String,
    pub receipt_prefix: String,
    pub created_at: String,
    pub enrolled_at: Option<String>,
    pub revoked_at: Option<String>,
    pub software_version: Option<String>,
    pub queue_length: Option<i64>,
    pub last_error: Option<String>,
    pub free_disk_bytes: Option<i64>,
    pub last_seen_at: Option<String>,
    /// Submissions the kiosk holds that were refused for good (its last heartbeat).
    pub refused_count: i64,
}

const COLUMNS: &str = "id, name, place, receipt_prefix, created_at, enrolled_at, revoked_at, \
     software_version, queue_length, last_error, free_disk_bytes, last_seen_at, refused_count";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Kiosk> {
    Ok(Kiosk {
        id: row.get(0)?,
        name: row.get(1)?,
        place: row.get(2)?,
        receipt_prefix: row.get(3)?,
        created_at: row.get(4)?,
        enrolled_at: row.get(5)?,
        revoked_at: row.get(6)?,
        software_version: row.get(7)?,
        queue_length: row.get(8)?,
        last_error: row.get(9)?,
        free_disk_bytes: row.get(10)?,
        last_seen_at: row.get(11)?,
        refused_count: row.get(12)?,
    })
}

/// A kiosk just added, with the enrolment code to give to whoever installs it.
#[derive(Debug, Clone)]
pub struct Added {
    pub kiosk: Kiosk,
    /// The canonical code ([`secrets::ENROLMENT_CODE_LEN`] characters); only its hash is
    /// stored. It expires after [`CODE_VALID_DAYS`].
    pub code: String,
}

/// Stores a fresh enrolment code for `kiosk_id`, valid [`CODE_VALID_DAYS`] from `now`, and
/// returns it. The kiosk's earlier unused codes stop working.
fn insert_code(conn: &Connection, kiosk_id: &str, now: &str) -> anyhow::Result<String> {
    conn.execute(
        "UPDATE enrolment_codes SET expires_at = ?2 WHERE kiosk_id = ?1 AND used_at IS NULL",
        params![kiosk_id, now],
    )?;
    let code = secrets::new_enrolment_code();
    let inserted = conn.execute(
        &format!(
            "INSERT INTO enrolment_codes (code_hash, kiosk_id, created_at, expires_at) \
             VALUES (?1, ?2, ?3, {EXPIRES_AT})"
        ),
        params![secrets::sha256_hex(&code), kiosk_id, now],
    )?;
    debug_assert_eq!(inserted, 1);
    Ok(code)
}

/// A receipt prefix no kiosk or other channel holds or ever held, at random among the 32 × 32.
pub(crate) fn free_receipt_prefix(conn: &Connection) -> anyhow::Result<String> {
    let mut stmt = conn.prepare(
        "SELECT receipt_prefix FROM kiosks UNION SELECT prefix FROM kiosk_receipt_prefixes",
    )?;
    let taken: std::collections::HashSet<String> = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let alphabet = kiosk_sync::wire::RECEIPT_ALPHABET;
    let free: Vec<String> = alphabet
        .iter()
        .flat_map(|first| {
            alphabet
                .iter()
                .map(move |second| format!("{}{}", char::from(*first), char::from(*second)))
        })
        .filter(|prefix| !taken.contains(prefix))
        .collect();
    if free.is_empty() {
        bail!("plus aucun préfixe de reçu libre : les 1024 préfixes sont pris");
    }
    let pick = rand::Rng::random_range(&mut rand::rng(), 0..free.len());
    free.into_iter()
        .nth(pick)
        .context("plus aucun préfixe de reçu libre")
}

/// Whether `prefix` is, or was, one of `kiosk_id`'s receipt prefixes (its current one, or one
/// in its history).
pub fn owns_receipt_prefix(
    conn: &Connection,
    kiosk_id: &str,
    prefix: &str,
) -> anyhow::Result<bool> {
    let owned = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM kiosk_receipt_prefixes \
             WHERE prefix = ?1 AND kiosk_id = ?2) \
             OR EXISTS (SELECT 1 FROM kiosks WHERE id = ?2 AND receipt_prefix = ?1)",
        )?
        .query_row(params![prefix, kiosk_id], |row| row.get(0))?;
    Ok(owned)
}

/// Every receipt prefix `kiosk_id` has held, oldest first.
pub fn receipt_prefixes(conn: &Connection, kiosk_id: &str) -> anyhow::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT prefix FROM kiosk_receipt_prefixes WHERE kiosk_id = ?1 ORDER BY given_at, prefix",
    )?;
    let prefixes = stmt
        .query_map([kiosk_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(prefixes)
}

/// Whether a kiosk or an Open311 client (both rows of `kiosks`) is already called `name`.
pub(crate) fn name_taken(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM kiosks WHERE name = ?1)",
        [name],
        |row| row.get(0),
    )
}

/// Adds a kiosk named `name` at `place`, with a fresh receipt prefix and enrolment code.
pub fn add(conn: &mut Connection, name: &str, place: &str, now: &str) -> anyhow::Result<Added> {
    let name = name.trim();
    let place = place.trim();
    if name.is_empty() {
        bail!("le nom de la borne est vide");
    }
    if place.is_empty() {
        bail!("le lieu de la borne est vide");
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if name_taken(&tx, name)? {
        bail!("une borne s'appelle déjà « {name} » : choisissez un autre nom");
    }
    let receipt_prefix = free_receipt_prefix(&tx)?;
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO kiosks (id, name, place, receipt_prefix, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, place, receipt_prefix, now],
    )?;
    tx.execute(
        "INSERT INTO kiosk_receipt_prefixes (prefix, kiosk_id, given_at) VALUES (?1, ?2, ?3)",
        params![receipt_prefix, id, now],
    )?;
    let code = insert_code(&tx, &id, now)?;
    let kiosk = tx.query_row(
        &format!("SELECT {COLUMNS} FROM kiosks WHERE id = ?1"),
        [&id],
        from_row,
    )?;
    tx.commit()?;
    Ok(Added { kiosk, code })
}

/// A fresh enrolment code for the kiosk named or identified by `name_or_id` (to enrol it when
/// its code expired or was lost, or to enrol it again); its earlier unused codes stop working.
/// Refused for a revoked kiosk.
pub fn new_code(conn: &mut Connection, name_or_id: &str, now: &str) -> anyhow::Result<Added> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let kiosk = find(&tx, name_or_id)?;
    if kiosk.revoked_at.is_some() {
        bail!(
            "la borne « {} » est révoquée : ajoutez-en une nouvelle (backend kiosk add)",
            kiosk.name
        );
    }
    let code = insert_code(&tx, &kiosk.id, now)?;
    tx.commit()?;
    Ok(Added { kiosk, code })
}

fn find(conn: &Connection, name_or_id: &str) -> anyhow::Result<Kiosk> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM kiosks WHERE (id = ?1 OR name = ?1) AND kind = 'borne'"),
        [name_or_id.trim()],
        from_row,
    )
    .optional()?
    .with_context(|| format!("aucune borne ne s'appelle ni n'a pour identifiant « {name_or_id} »"))
}

/// Enrols the kiosk whose unused, unexpired code hashes to `code_hash`: in one transaction
/// the code is marked used and the kiosk gets `token_hash`. `None` for an unknown, used or
/// expired code, or a revoked kiosk.
pub fn enroll(
    conn: &mut Connection,
    code_hash: &str,
    token_hash: &str,
    now: &str,
) -> anyhow::Result<Option<Kiosk>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let kiosk_id: Option<String> = tx
        .query_row(
            "SELECT c.kiosk_id FROM enrolment_codes c JOIN kiosks k ON k.id = c.kiosk_id \
             WHERE c.code_hash = ?1 AND c.used_at IS NULL AND k.revoked_at IS NULL \
             AND c.expires_at > ?2",
            params![code_hash, now],
            |row| row.get(0),
        )
        .optional()?;
    let Some(kiosk_id) = kiosk_id else {
        return Ok(None);
    };
    tx.execute(
        "UPDATE enrolment_codes SET used_at = ?2 WHERE code_hash = ?1",
        params![code_hash, now],
    )?;
    tx.execute(
        "UPDATE kiosks SET token_hash = ?2, enrolled_at = ?3 WHERE id = ?1",
        params![kiosk_id, token_hash, now],
    )?;
    let kiosk = tx.query_row(
        &format!("SELECT {COLUMNS} FROM kiosks WHERE id = ?1"),
        [&kiosk_id],
        from_row,
    )?;
    tx.commit()?;
    Ok(Some(kiosk))
}

/// Who holds a token, as the authentication extractor needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    pub kiosk_id: String,
    pub revoked: bool,
}

pub fn by_token_hash(conn: &Connection, token_hash: &str) -> anyhow::Result<Option<TokenHolder>> {
    let holder = conn
        .prepare_cached(
            "SELECT id, revoked_at IS NOT NULL FROM kiosks WHERE token_hash = ?1 AND kind = 'borne'",
        )?
        .query_row([token_hash], |row| {
            Ok(TokenHolder {
                kiosk_id: row.get(0)?,
                revoked: row.get(1)?,
            })
        })
        .optional()?;
    Ok(holder)
}

/// Records what a kiosk says about itself.
pub fn record_heartbeat(
    conn: &Connection,
    kiosk_id: &str,
    heartbeat: &Heartbeat,
    now: &str,
) -> anyhow::Result<()> {
    let flows = serde_json::to_string(&heartbeat.flows)?;
    conn.prepare_cached(
        "UPDATE kiosks SET software_version = ?2, flows = ?3, queue_length = ?4, \
         last_error = ?5, free_disk_bytes = ?6, last_seen_at = ?7, refused_count = ?8 \
         WHERE id = ?1",
    )?
    .execute(params![
        kiosk_id,
        heartbeat.software_version,
        flows,
        i64::try_from(heartbeat.queue_length).unwrap_or(i64::MAX),
        heartbeat.last_error,
        i64::try_from(heartbeat.free_disk_bytes).unwrap_or(i64::MAX),
        now,
        i64::try_from(heartbeat.refused).unwrap_or(i64::MAX),
    ])?;
    Ok(())
}

/// Every kiosk, by name.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<Kiosk>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM kiosks WHERE kind = 'borne' ORDER BY name"
    ))?;
    let kiosks = stmt.query_map([], from_row)?.collect::<Result<_, _>>()?;
    Ok(kiosks)
}

/// What [`revoke`] did.
#[derive(Debug, Clone)]
pub struct Revoked {
    pub kiosk: Kiosk,
    /// It was already revoked: nothing changed.
    pub already: bool,
}

/// Revokes the kiosk named or identified by `name_or_id`: its token stops working (403) and
/// its unused enrolment code too.
pub fn revoke(conn: &mut Connection, name_or_id: &str, now: &str) -> anyhow::Result<Revoked> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let kiosk = find(&tx, name_or_id)?;
    if kiosk.revoked_at.is_some() {
        return Ok(Revoked {
            kiosk,
            already: true,
        });
    }
    tx.execute(
        "UPDATE kiosks SET revoked_at = ?2 WHERE id = ?1",
        params![kiosk.id, now],
    )?;
    tx.commit()?;
    Ok(Revoked {
        kiosk: Kiosk {
            revoked_at: Some(now.to_string()),
            ..kiosk
        },
        already: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    /// A day after the kiosks of these tests were added.
    const NOW: &str = "2026-01-02T00:00:00.000Z";

    fn db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        (dir, db)
    }

    #[test]
    fn a_code_enrols_once() {
        let (_dir, db) = db();
        let added = db
            .with(|c| add(c, "Mairie", "Duisans", "2026-01-01T00:00:00.000Z"))
            .unwrap();
        assert_eq!(added.kiosk.receipt_prefix.len(), 2);
        let hash = secrets::sha256_hex(&added.code);
        let first = db.with(|c| enroll(c, &hash, "t1", NOW)).unwrap();
        assert_eq!(first.unwrap().enrolled_at.as_deref(), Some(NOW));
        assert!(db.with(|c| enroll(c, &hash, "t2", NOW)).unwrap().is_none());
        let holder = db.with(|c| by_token_hash(c, "t1")).unwrap().unwrap();
        assert!(!holder.revoked);
        assert!(db.with(|c| by_token_hash(c, "t2")).unwrap().is_none());
    }

    #[test]
    fn names_are_unique_and_prefixes_differ() {
        let (_dir, db) = db();
        let a = db.with(|c| add(c, "A", "Tincques", "t")).unwrap();
        assert!(db.with(|c| add(c, "A", "Tincques", "t")).is_err());
        let b = db.with(|c| add(c, "B", "Tincques", "t")).unwrap();
        assert_ne!(a.kiosk.receipt_prefix, b.kiosk.receipt_prefix);
    }

    #[test]
    fn a_revoked_kiosk_cannot_enrol() {
        let (_dir, db) = db();
        let added = db
            .with(|c| add(c, "A", "Tincques", "2026-01-01T00:00:00.000Z"))
            .unwrap();
        let revoked = db.with(|c| revoke(c, "A", "t2")).unwrap();
        assert!(!revoked.already);
        assert!(
            db.with(|c| revoke(c, &added.kiosk.id, "t3"))
                .unwrap()
                .already
        );
        let hash = secrets::sha256_hex(&added.code);
        assert!(db.with(|c| enroll(c, &hash, "t1", NOW)).unwrap().is_none());
        assert!(db.with(|c| revoke(c, "nobody", "t")).is_err());
        assert!(db.with(|c| new_code(c, "A", NOW)).is_err());
    }

    #[test]
    fn codes_expire_after_seven_days_and_a_new_one_replaces_them() {
        let (_dir, db) = db();
        let added = db
            .with(|c| add(c, "A", "Tincques", "2026-01-01T10:00:00.000Z"))
            .unwrap();
        let hash = secrets::sha256_hex(&added.code);
        let late = "2026-01-08T10:00:00.001Z";
        assert!(db.with(|c| enroll(c, &hash, "t1", late)).unwrap().is_none());
        // Nothing changed: not enrolled, no token.
        assert!(db.with(|c| by_token_hash(c, "t1")).unwrap().is_none());

        let again = db.with(|c| new_code(c, "A", late)).unwrap();
        let newer = db.with(|c| new_code(c, &added.kiosk.id, late)).unwrap();
        // A newer code replaces the one before it.
        let again_hash = secrets::sha256_hex(&again.code);
        assert!(db
            .with(|c| enroll(c, &again_hash, "t2", late))
            .unwrap()
            .is_none());
        let newer_hash = secrets::sha256_hex(&newer.code);
        let enrolled = db.with(|c| enroll(c, &newer_hash, "t3", late)).unwrap();
        assert_eq!(enrolled.unwrap().id, added.kiosk.id);
    }

    #[test]
    fn prefixes_are_kept_per_kiosk_and_never_given_twice() {
        let (_dir, db) = db();
        let a = db.with(|c| add(c, "A", "Tincques", "t")).unwrap().kiosk;
        let b = db.with(|c| add(c, "B", "Tincques", "t")).unwrap().kiosk;
        assert!(db
            .with(|c| owns_receipt_prefix(c, &a.id, &a.receipt_prefix))
            .unwrap());
        assert!(!db
            .with(|c| owns_receipt_prefix(c, &a.id, &b.receipt_prefix))
            .unwrap());
        // A prefix A held before (history) stays A's, and is never given to a new kiosk.
        db.with(|c| {
            c.execute(
                "INSERT INTO kiosk_receipt_prefixes (prefix, kiosk_id, given_at) \
                 VALUES ('ZZ', ?1, 's')",
                [&a.id],
            )
        })
        .unwrap();
        assert!(db.with(|c| owns_receipt_prefix(c, &a.id, "ZZ")).unwrap());
        assert_eq!(
            db.with(|c| receipt_prefixes(c, &a.id)).unwrap(),
            ["ZZ".to_string(), a.receipt_prefix.clone()]
        );
        // Every prefix but one is in the history: a new kiosk gets that one.
        let alphabet = kiosk_sync::wire::RECEIPT_ALPHABET;
        let mut free = None;
        for first in alphabet {
            for second in alphabet {
                let prefix = format!("{}{}", char::from(*first), char::from(*second));
                if db.with(|c| owns_receipt_prefix(c, &b.id, &prefix)).unwrap()
                    || db.with(|c| owns_receipt_prefix(c, &a.id, &prefix)).unwrap()
                {
                    continue;
                }
                if free.is_none() {
                    free = Some(prefix);
                    continue;
                }
                db.with(|c| {
                    c.execute(
                        "INSERT INTO kiosk_receipt_prefixes (prefix, kiosk_id, given_at) \
                         VALUES (?1, ?2, 't0')",
                        [&prefix, &a.id],
                    )
                })
                .unwrap();
            }
        }
        let c = db.with(|c| add(c, "C", "T", "t")).unwrap().kiosk;
        assert_eq!(Some(c.receipt_prefix), free);
        assert!(db.with(|c| add(c, "D", "T", "t")).is_err());
    }
}
