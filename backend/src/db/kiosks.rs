//! Kiosks: adding one (with its one-time enrolment code and receipt prefix), enrolment,
//! token lookup, heartbeats, listing and revocation.

use crate::secrets;
use anyhow::{bail, Context};
use kiosk_sync::wire::Heartbeat;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

/// How many random prefixes to try before giving up (there are 32 × 32 = 1024).
const PREFIX_TRIES: usize = 4096;

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
}

const COLUMNS: &str = "id, name, place, receipt_prefix, created_at, enrolled_at, revoked_at, \
     software_version, queue_length, last_error, free_disk_bytes, last_seen_at";

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
    })
}

/// A kiosk just added, with the enrolment code to give to whoever installs it.
#[derive(Debug, Clone)]
pub struct Added {
    pub kiosk: Kiosk,
    /// The canonical code (8 characters); only its hash is stored.
    pub code: String,
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
    let taken: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM kiosks WHERE name = ?1)",
        [name],
        |row| row.get(0),
    )?;
    if taken {
        bail!("une borne s'appelle déjà « {name} » : choisissez un autre nom");
    }
    let receipt_prefix = free_receipt_prefix(&tx)?;
    let id = uuid::Uuid::new_v4().to_string();
    tx.execute(
        "INSERT INTO kiosks (id, name, place, receipt_prefix, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, name, place, receipt_prefix, now],
    )?;
    let code = secrets::new_enrolment_code();
    tx.execute(
        "INSERT INTO enrolment_codes (code_hash, kiosk_id, created_at) VALUES (?1, ?2, ?3)",
        params![secrets::sha256_hex(&code), id, now],
    )?;
    let kiosk = tx.query_row(
        &format!("SELECT {COLUMNS} FROM kiosks WHERE id = ?1"),
        [&id],
        from_row,
    )?;
    tx.commit()?;
    Ok(Added { kiosk, code })
}

/// A receipt prefix no kiosk or other channel has (two characters of the receipt alphabet).
pub(crate) fn free_receipt_prefix(conn: &Connection) -> anyhow::Result<String> {
    for _ in 0..PREFIX_TRIES {
        let candidate = secrets::random_code(2);
        let used: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM kiosks WHERE receipt_prefix = ?1)",
            [&candidate],
            |row| row.get(0),
        )?;
        if !used {
            return Ok(candidate);
        }
    }
    bail!("plus aucun préfixe de reçu libre : les 1024 préfixes sont pris");
}

/// Enrols the kiosk whose unused code hashes to `code_hash`: in one transaction the code is
/// marked used and the kiosk gets `token_hash`. `None` for an unknown or used code, or a
/// revoked kiosk.
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
             WHERE c.code_hash = ?1 AND c.used_at IS NULL AND k.revoked_at IS NULL",
            [code_hash],
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
        .prepare_cached("SELECT id, revoked_at IS NOT NULL FROM kiosks WHERE token_hash = ?1 AND kind = 'borne'")?
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
         last_error = ?5, free_disk_bytes = ?6, last_seen_at = ?7 WHERE id = ?1",
    )?
    .execute(params![
        kiosk_id,
        heartbeat.software_version,
        flows,
        i64::try_from(heartbeat.queue_length).unwrap_or(i64::MAX),
        heartbeat.last_error,
        i64::try_from(heartbeat.free_disk_bytes).unwrap_or(i64::MAX),
        now,
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
    let kiosk = tx
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM kiosks WHERE (id = ?1 OR name = ?1) AND kind = 'borne'"
            ),
            [name_or_id.trim()],
            from_row,
        )
        .optional()?
        .with_context(|| {
            format!("aucune borne ne s'appelle ni n'a pour identifiant « {name_or_id} »")
        })?;
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
        let first = db.with(|c| enroll(c, &hash, "t1", "now")).unwrap();
        assert_eq!(first.unwrap().enrolled_at.as_deref(), Some("now"));
        assert!(db
            .with(|c| enroll(c, &hash, "t2", "now"))
            .unwrap()
            .is_none());
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
        let added = db.with(|c| add(c, "A", "Tincques", "t")).unwrap();
        let revoked = db.with(|c| revoke(c, "A", "t2")).unwrap();
        assert!(!revoked.already);
        assert!(
            db.with(|c| revoke(c, &added.kiosk.id, "t3"))
                .unwrap()
                .already
        );
        let hash = secrets::sha256_hex(&added.code);
        assert!(db
            .with(|c| enroll(c, &hash, "t1", "now"))
            .unwrap()
            .is_none());
        assert!(db.with(|c| revoke(c, "nobody", "t")).is_err());
    }
}
