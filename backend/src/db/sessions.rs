//! Browser sessions of agents and administrators. A session is known by the sha256 of its
//! cookie's value (a copy of the database does not let anyone in); it holds the form token
//! (CSRF) and the account. Only logging in stores one (the login form's token is stateless,
//! `pages::login`), and logging in always replaces the browser's session with a new one.
//! Sessions that are over are deleted when met, at each login, and by the sweeper.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    /// `None` before login.
    pub user_id: Option<i64>,
    pub csrf_token: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub expires_at: String,
}

/// A new session: the hash of its cookie's value, its account (if any), its form token and
/// its times.
pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: Option<i64>,
    pub csrf_token: &'a str,
    pub now: &'a str,
    pub expires_at: &'a str,
}

fn insert(conn: &Connection, new: &NewSession<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, \
         expires_at) VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
    )?
    .execute(params![
        new.id_hash,
        new.user_id,
        new.csrf_token,
        new.now,
        new.expires_at
    ])?;
    Ok(())
}

/// Stores a new session.
pub fn create(conn: &Connection, new: &NewSession<'_>) -> anyhow::Result<()> {
    insert(conn, new)?;
    Ok(())
}

/// Logs in: in one transaction, the sessions the browser had (`old`) are deleted and a new
/// one, with a new id and a new form token, is stored for the account. Expired sessions
/// are swept at the same time.
pub fn replace(conn: &mut Connection, old: &[String], new: &NewSession<'_>) -> anyhow::Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for old in old {
        tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [old])?;
    }
    tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [new.now])?;
    insert(&tx, new)?;
    tx.commit()?;
    Ok(())
}

/// The live session with this id hash: not past `expires_at`, and seen after `idle_cutoff`
/// (sessions idle since then are over). A dead session is deleted.
pub fn live(
    conn: &Connection,
    id_hash: &str,
    now: &str,
    idle_cutoff: &str,
) -> anyhow::Result<Option<Session>> {
    let found = conn
        .prepare_cached(
            "SELECT id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at \
             FROM sessions WHERE id_hash = ?1",
        )?
        .query_row([id_hash], |row| {
            Ok(Session {
                id_hash: row.get(0)?,
                user_id: row.get(1)?,
                csrf_token: row.get(2)?,
                created_at: row.get(3)?,
                last_seen_at: row.get(4)?,
                expires_at: row.get(5)?,
            })
        })
        .optional()?;
    match found {
        Some(session)
            if session.expires_at.as_str() > now && session.last_seen_at.as_str() > idle_cutoff =>
        {
            Ok(Some(session))
        }
        Some(_) => {
            delete(conn, id_hash)?;
            Ok(None)
        }
        None => Ok(None),
    }
}

/// Deletes every session past `expires_at` at `now` or idle since before `idle_cutoff`;
/// returns how many.
pub fn sweep(conn: &Connection, now: &str, idle_cutoff: &str) -> anyhow::Result<usize> {
    Ok(conn
        .prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2")?
        .execute(params![now, idle_cutoff])?)
}

/// Records activity on a session (for the idle timeout).
pub fn touch(conn: &Connection, id_hash: &str, now: &str) -> anyhow::Result<()> {
    conn.prepare_cached("UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1")?
        .execute(params![id_hash, now])?;
    Ok(())
}

/// Ends a session (logout).
pub fn delete(conn: &Connection, id_hash: &str) -> anyhow::Result<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE id_hash = ?1")?
        .execute([id_hash])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    #[test]
    fn sessions_expire_idle_and_are_replaced_at_login() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let anonymous = NewSession {
            id_hash: "a",
            user_id: None,
            csrf_token: "c1",
            now: "2026-01-01T10:00:00.000Z",
            expires_at: "2026-01-01T11:00:00.000Z",
        };
        db.with(|c| create(c, &anonymous)).unwrap();
        let live_at =
            |c: &Connection, id: &str, now: &str, cutoff: &str| live(c, id, now, cutoff).unwrap();
        assert!(db
            .with(|c| live_at(
                c,
                "a",
                "2026-01-01T10:30:00.000Z",
                "2026-01-01T09:00:00.000Z"
            ))
            .is_some());
        // Idle since before the cutoff: over, and deleted.
        assert!(db
            .with(|c| live_at(
                c,
                "a",
                "2026-01-01T10:30:00.000Z",
                "2026-01-01T10:10:00.000Z"
            ))
            .is_none());
        assert!(db
            .with(|c| live_at(
                c,
                "a",
                "2026-01-01T10:30:00.000Z",
                "2026-01-01T09:00:00.000Z"
            ))
            .is_none());

        db.with(|c| create(c, &anonymous)).unwrap();
        let logged_in = NewSession {
            id_hash: "b",
            user_id: None,
            csrf_token: "c2",
            now: "2026-01-01T10:05:00.000Z",
            expires_at: "2026-01-01T22:00:00.000Z",
        };
        db.with(|c| replace(c, &["a".to_string()], &logged_in))
            .unwrap();
        let cutoff = "2026-01-01T09:00:00.000Z";
        let now = "2026-01-01T10:06:00.000Z";
        assert!(db.with(|c| live_at(c, "a", now, cutoff)).is_none());
        let session = db.with(|c| live_at(c, "b", now, cutoff)).unwrap();
        assert_eq!(session.csrf_token, "c2");
        // Past its expiry, even if active.
        db.with(|c| touch(c, "b", "2026-01-01T21:59:00.000Z"))
            .unwrap();
        assert!(db
            .with(|c| live_at(
                c,
                "b",
                "2026-01-01T22:00:00.000Z",
                "2026-01-01T21:00:00.000Z"
            ))
            .is_none());
    }

    #[test]
    fn the_sweep_deletes_expired_and_idle_sessions_only() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        for (id, seen, expires) in [
            (
                "expired",
                "2026-01-01T10:00:00.000Z",
                "2026-01-01T11:00:00.000Z",
            ),
            (
                "idle",
                "2026-01-01T08:00:00.000Z",
                "2026-01-01T20:00:00.000Z",
            ),
            (
                "live",
                "2026-01-01T11:30:00.000Z",
                "2026-01-01T20:00:00.000Z",
            ),
        ] {
            db.with(|c| {
                create(
                    c,
                    &NewSession {
                        id_hash: id,
                        user_id: None,
                        csrf_token: "t",
                        now: seen,
                        expires_at: expires,
                    },
                )
            })
            .unwrap();
        }
        let swept = db
            .with(|c| sweep(c, "2026-01-01T12:00:00.000Z", "2026-01-01T10:00:00.000Z"))
            .unwrap();
        assert_eq!(swept, 2);
        let left: Vec<String> = db.with(|c| {
            c.prepare("SELECT id_hash FROM sessions")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect()
        });
        assert_eq!(left, ["live"]);
    }
}
