//! Help calls: idempotent ingest (no sealing: they say where, never who), announced to the
//! kiosk's ambassadors in the same transaction; what ambassadors see and do with them
//! ("Je m'en occupe", "Terminé"), and what the kiosk asks while the citizen waits.

use super::Ingested;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// A help call ready to store.
#[derive(Debug, Clone)]
pub struct NewHelpCall {
    pub id: String,
    pub kiosk_id: String,
    pub flow_id: String,
    pub step_id: String,
    pub created_at: String,
    pub content_digest: String,
}

/// Stores `new` unless it is already there; same rules as submissions, in one transaction.
pub fn ingest(conn: &mut Connection, new: &NewHelpCall, now: &str) -> anyhow::Result<Ingested> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(String, String)> = tx
        .prepare_cached("SELECT content_digest, received_at FROM help_calls WHERE id = ?1")?
        .query_row([&new.id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    if let Some((digest, received_at)) = existing {
        return Ok(if digest == new.content_digest {
            Ingested::Again { received_at }
        } else {
            Ingested::Conflict
        });
    }
    tx.prepare_cached(
        "INSERT INTO help_calls (id, kiosk_id, flow_id, step_id, created_at, received_at, \
         content_digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        new.id,
        new.kiosk_id,
        new.flow_id,
        new.step_id,
        new.created_at,
        now,
        new.content_digest,
    ])?;
    super::outbox::enqueue_help_call(&tx, &new.id, &new.kiosk_id, now)?;
    tx.commit()?;
    Ok(Ingested::New {
        received_at: now.to_string(),
    })
}

/// How an ambassador answers a call ("Je m'en occupe"): the kiosk tells the citizen which.
pub use kiosk_sync::wire::HelpMode;

/// The spelling of `mode` in the database and in forms.
pub fn mode_to_db(mode: HelpMode) -> &'static str {
    match mode {
        HelpMode::Coming => "sur_place",
        HelpMode::CallBack => "rappel",
    }
}

pub fn mode_from_db(text: &str) -> Option<HelpMode> {
    match text {
        "sur_place" => Some(HelpMode::Coming),
        "rappel" => Some(HelpMode::CallBack),
        _ => None,
    }
}

/// What ambassadors read: "Je viens", "Je rappelle".
pub fn mode_french(mode: HelpMode) -> &'static str {
    match mode {
        HelpMode::Coming => "se déplace",
        HelpMode::CallBack => "va rappeler",
    }
}

/// Which kiosks' calls an account may see: administrators every kiosk, an ambassador the
/// kiosks they supervise (`crate::db::ambassadors`). A call outside it is "not found".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KioskScope {
    All,
    Ambassador(i64),
}

impl KioskScope {
    /// The SQL parameter of [`SCOPE_SQL`]: NULL for every kiosk.
    fn param(self) -> Option<i64> {
        match self {
            KioskScope::All => None,
            KioskScope::Ambassador(user_id) => Some(user_id),
        }
    }
}

/// The condition on `kiosk_id` for a scope given as `?1` (see [`KioskScope::param`]).
pub const SCOPE_SQL: &str =
    "(?1 IS NULL OR kiosk_id IN (SELECT kiosk_id FROM ambassador_kiosks WHERE user_id = ?1))";

/// A call for help as ambassadors see it: where and when, the flow and step, who took it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpCallRow {
    pub id: String,
    pub kiosk_id: String,
    pub kiosk_name: String,
    pub kiosk_place: String,
    pub flow_id: String,
    pub step_id: String,
    pub created_at: String,
    pub received_at: String,
    pub taken_at: Option<String>,
    pub taken_by: Option<String>,
    pub taken_mode: Option<HelpMode>,
    pub handled_at: Option<String>,
    pub handled_by: Option<String>,
    pub note: Option<String>,
}

const ROW_SQL: &str = "SELECT h.id, h.kiosk_id, k.name, k.place, h.flow_id, h.step_id, \
     h.created_at, h.received_at, h.taken_at, t.name, h.taken_mode, h.handled_at, d.name, h.note \
     FROM help_calls h JOIN kiosks k ON k.id = h.kiosk_id \
     LEFT JOIN users t ON t.id = h.taken_by LEFT JOIN users d ON d.id = h.handled_by";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HelpCallRow> {
    let mode: Option<String> = r.get(10)?;
    Ok(HelpCallRow {
        id: r.get(0)?,
        kiosk_id: r.get(1)?,
        kiosk_name: r.get(2)?,
        kiosk_place: r.get(3)?,
        flow_id: r.get(4)?,
        step_id: r.get(5)?,
        created_at: r.get(6)?,
        received_at: r.get(7)?,
        taken_at: r.get(8)?,
        taken_by: r.get(9)?,
        taken_mode: mode.as_deref().and_then(mode_from_db),
        handled_at: r.get(11)?,
        handled_by: r.get(12)?,
        note: r.get(13)?,
    })
}

/// The calls in `scope`, newest first: the open ones only, or also the closed ones of the
/// last `limit` calls; `kiosk`: one kiosk's only.
pub fn list(
    conn: &Connection,
    scope: KioskScope,
    kiosk: Option<&str>,
    open_only: bool,
    limit: usize,
) -> anyhow::Result<Vec<HelpCallRow>> {
    let sql = format!(
        "{ROW_SQL} WHERE {} AND (?2 IS NULL OR h.kiosk_id = ?2) \
         AND (?3 = 0 OR h.handled_at IS NULL) \
         ORDER BY h.received_at DESC, h.created_at DESC LIMIT ?4",
        SCOPE_SQL.replace("kiosk_id IN", "h.kiosk_id IN")
    );
    let rows = conn
        .prepare_cached(&sql)?
        .query_map(
            params![
                scope.param(),
                kiosk,
                open_only,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
            row,
        )?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// One call, if it is in `scope`.
pub fn get(conn: &Connection, scope: KioskScope, id: &str) -> anyhow::Result<Option<HelpCallRow>> {
    let sql = format!(
        "{ROW_SQL} WHERE {} AND h.id = ?2",
        SCOPE_SQL.replace("kiosk_id IN", "h.kiosk_id IN")
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params![scope.param(), id], row)
        .optional()?)
}

/// What taking or closing a call did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Done,
    /// Closed already: nothing changed.
    AlreadyClosed,
    /// Not in the scope (or no such call).
    NotFound,
}

/// "Je m'en occupe": `user_id` takes call `id` (coming over or calling back). Taking it
/// again changes who and how.
pub fn take(
    conn: &mut Connection,
    scope: KioskScope,
    id: &str,
    user_id: i64,
    mode: HelpMode,
    now: &str,
) -> anyhow::Result<Answered> {
    answer(conn, scope, id, |tx| {
        tx.execute(
            "UPDATE help_calls SET taken_at = ?2, taken_by = ?3, taken_mode = ?4 WHERE id = ?1",
            params![id, now, user_id, mode_to_db(mode)],
        )
    })
}

/// "Terminé": call `id` is closed by `user_id` with `note` (what was done, no answers).
pub fn close(
    conn: &mut Connection,
    scope: KioskScope,
    id: &str,
    user_id: i64,
    note: Option<&str>,
    now: &str,
) -> anyhow::Result<Answered> {
    answer(conn, scope, id, |tx| {
        tx.execute(
            "UPDATE help_calls SET handled_at = ?2, handled_by = ?3, note = ?4 WHERE id = ?1",
            params![id, now, user_id, note],
        )
    })
}

fn answer(
    conn: &mut Connection,
    scope: KioskScope,
    id: &str,
    update: impl FnOnce(&rusqlite::Transaction<'_>) -> rusqlite::Result<usize>,
) -> anyhow::Result<Answered> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let Some(call) = get(&tx, scope, id)? else {
        return Ok(Answered::NotFound);
    };
    if call.handled_at.is_some() {
        return Ok(Answered::AlreadyClosed);
    }
    update(&tx)?;
    tx.commit()?;
    Ok(Answered::Done)
}

/// Where call `id` of kiosk `kiosk_id` is, for that kiosk; `None` if the kiosk has no such
/// call (not delivered yet, or another kiosk's).
pub fn state_for_kiosk(
    conn: &Connection,
    kiosk_id: &str,
    id: &str,
) -> anyhow::Result<Option<kiosk_sync::wire::HelpCallState>> {
    let found: Option<(Option<String>, bool)> = conn
        .prepare_cached(
            "SELECT taken_mode, handled_at IS NOT NULL FROM help_calls \
             WHERE id = ?1 AND kiosk_id = ?2",
        )?
        .query_row(params![id, kiosk_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(found.map(|(mode, closed)| kiosk_sync::wire::HelpCallState {
        id: id.to_string(),
        taken: mode.as_deref().and_then(mode_from_db),
        closed,
    }))
}
