//! Help calls: idempotent ingest (no sealing: they say where, never who).

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
    tx.commit()?;
    Ok(Ingested::New {
        received_at: now.to_string(),
    })
}
