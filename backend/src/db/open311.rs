//! Open311 in the database: the clients (other channels that post reports with an
//! `api_key`), the tokens of their posted requests, and the public listing of reports.
//!
//! A client is a channel like a kiosk: it files requests under its own receipt prefix, so
//! that a receipt code never collides and every request says where it came from. It is kept
//! among the kiosks (`kind = 'open311'`), whose rows every submission refers to; nothing that
//! serves kiosks (the kiosk API's authentication, the fleet's pages) sees it.

use super::kiosks::free_receipt_prefix;
use super::submissions::status_from_db;
use crate::secrets;
use anyhow::{bail, Context};
use kiosk_sync::wire::RequestStatus;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, TransactionBehavior};

/// The schema: the channel kind of each row of `kiosks`, and the tokens of posted requests.
pub const SCHEMA: &str = r#"
ALTER TABLE kiosks ADD COLUMN kind TEXT NOT NULL DEFAULT 'borne'
    CHECK (kind IN ('borne', 'open311'));    -- 'open311': a client of the Open311 API

CREATE TABLE open311_tokens (
    token         TEXT PRIMARY KEY,           -- a UUID, given back by POST requests
    submission_id TEXT NOT NULL UNIQUE REFERENCES submissions (id),
    created_at    TEXT NOT NULL
) STRICT;
"#;

/// An Open311 client, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub receipt_prefix: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// Where a client's requests are said to come from (the inbox shows it as the place).
pub fn client_place(name: &str) -> String {
    format!("Open311 : {name}")
}

/// Adds client `name`; returns it with its API key, shown once (only its hash is kept).
pub fn add_client(
    conn: &mut Connection,
    name: &str,
    now: &str,
) -> anyhow::Result<(Client, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("le nom du client Open311 est vide ou trop long (100 caractères au plus)");
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if super::kiosks::name_taken(&tx, name)? {
        bail!("une borne ou un client s'appelle déjà « {name} » : choisissez un autre nom");
    }
    let receipt_prefix = free_receipt_prefix(&tx)?;
    let id = uuid::Uuid::new_v4().to_string();
    let key = secrets::new_token();
    tx.execute(
        "INSERT INTO kiosks (id, name, place, receipt_prefix, created_at, enrolled_at, \
         token_hash, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 'open311')",
        params![
            id,
            name,
            client_place(name),
            receipt_prefix,
            now,
            secrets::sha256_hex(&key)
        ],
    )?;
    tx.commit()?;
    let client = Client {
        id,
        name: name.to_string(),
        receipt_prefix,
        created_at: now.to_string(),
        revoked_at: None,
    };
    Ok((client, key))
}

const CLIENT_COLUMNS: &str = "id, name, receipt_prefix, created_at, revoked_at";

fn client_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Client> {
    Ok(Client {
        id: row.get(0)?,
        name: row.get(1)?,
        receipt_prefix: row.get(2)?,
        created_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

/// Every client, by name.
pub fn clients(conn: &Connection) -> anyhow::Result<Vec<Client>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {CLIENT_COLUMNS} FROM kiosks WHERE kind = 'open311' ORDER BY name"
    ))?;
    let clients = stmt.query_map([], client_row)?.collect::<Result<_, _>>()?;
    Ok(clients)
}

/// Revokes client `name_or_id`: its key stops working at once. `false` if it already was.
pub fn revoke_client(conn: &Connection, name_or_id: &str, now: &str) -> anyhow::Result<bool> {
    let client = conn
        .query_row(
            &format!(
                "SELECT {CLIENT_COLUMNS} FROM kiosks \
                 WHERE (id = ?1 OR name = ?1) AND kind = 'open311'"
            ),
            [name_or_id.trim()],
            client_row,
        )
        .optional()?
        .with_context(|| format!("aucun client Open311 ne s'appelle « {name_or_id} »"))?;
    if client.revoked_at.is_some() {
        return Ok(false);
    }
    conn.execute(
        "UPDATE kiosks SET revoked_at = ?2 WHERE id = ?1",
        params![client.id, now],
    )?;
    Ok(true)
}

/// The client holding the key whose hash is `key_hash`, if it is not revoked.
pub fn client_by_key(conn: &Connection, key_hash: &str) -> anyhow::Result<Option<Client>> {
    let client = conn
        .prepare_cached(&format!(
            "SELECT {CLIENT_COLUMNS} FROM kiosks \
             WHERE token_hash = ?1 AND kind = 'open311' AND revoked_at IS NULL"
        ))?
        .query_row([key_hash], client_row)
        .optional()?;
    Ok(client)
}

/// Records the token given back for submission `submission_id`.
pub fn add_token(
    conn: &Connection,
    token: &str,
    submission_id: &str,
    now: &str,
) -> anyhow::Result<()> {
    conn.execute(
        "INSERT INTO open311_tokens (token, submission_id, created_at) VALUES (?1, ?2, ?3)",
        params![token, submission_id, now],
    )?;
    Ok(())
}

/// The receipt code of the request posted with `token`.
pub fn receipt_by_token(conn: &Connection, token: &str) -> anyhow::Result<Option<String>> {
    let receipt = conn
        .prepare_cached(
            "SELECT s.receipt FROM open311_tokens t JOIN submissions s ON s.id = t.submission_id \
             WHERE t.token = ?1",
        )?
        .query_row([token], |row| row.get(0))
        .optional()?;
    Ok(receipt)
}

/// Which reports `GET requests` lists.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Receipt codes (normalized); when given, the other criteria are ignored.
    pub receipts: Vec<String>,
    /// Flow ids: the reports' services; never empty (only report flows are public).
    pub flows: Vec<String>,
    /// Statuses kept; empty: all.
    pub statuses: Vec<RequestStatus>,
    /// Requested from (inclusive) and until (inclusive), RFC 3339. Compared as instants:
    /// kiosks write their creation times with their own offset.
    pub start: Option<String>,
    pub end: Option<String>,
    pub limit: usize,
}

/// A stored report, with what the public listing is built from.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub receipt: String,
    pub flow_id: String,
    pub service: String,
    pub status: RequestStatus,
    pub status_note: Option<String>,
    pub created_at: String,
    pub status_updated_at: String,
    pub answers_json: String,
}

/// The reports `filter` selects, newest first.
pub fn reports(conn: &Connection, filter: &RequestFilter) -> anyhow::Result<Vec<StoredReport>> {
    let mut conditions = Vec::new();
    let mut values: Vec<String> = Vec::new();
    // Appends `items` to the query's values and gives their numbered SQL parameters
    // (`?3, ?4`), for an `IN (...)` list.
    let bind_list = |values: &mut Vec<String>, items: &[String]| -> String {
        let start = values.len();
        values.extend(items.iter().cloned());
        (start..values.len())
            .map(|i| format!("?{}", i + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if filter.flows.is_empty() {
        return Ok(Vec::new());
    }
    let flows = bind_list(&mut values, &filter.flows);
    conditions.push(format!("flow_id IN ({flows})"));
    if !filter.receipts.is_empty() {
        let receipts = bind_list(&mut values, &filter.receipts);
        conditions.push(format!("receipt IN ({receipts})"));
    } else {
        if !filter.statuses.is_empty() {
            let statuses: Vec<String> = filter
                .statuses
                .iter()
                .map(|s| super::submissions::status_to_db(*s).to_string())
                .collect();
            let statuses = bind_list(&mut values, &statuses);
            conditions.push(format!("status IN ({statuses})"));
        }
        if let Some(start) = &filter.start {
            values.push(start.clone());
            conditions.push(format!(
                "julianday(created_at) >= julianday(?{})",
                values.len()
            ));
        }
        if let Some(end) = &filter.end {
            values.push(end.clone());
            conditions.push(format!(
                "julianday(created_at) <= julianday(?{})",
                values.len()
            ));
        }
    }
    let sql = format!(
        "SELECT receipt, flow_id, service, status, status_note, created_at, status_updated_at, \
         answers_json FROM submissions WHERE {} ORDER BY julianday(created_at) DESC, id LIMIT {}",
        conditions.join(" AND "),
        filter.limit
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params_from_iter(values.iter()), |row| {
        let status: String = row.get(3)?;
        Ok((
            StoredReport {
                receipt: row.get(0)?,
                flow_id: row.get(1)?,
                service: row.get(2)?,
                status: RequestStatus::Recu,
                status_note: row.get(4)?,
                created_at: row.get(5)?,
                status_updated_at: row.get(6)?,
                answers_json: row.get(7)?,
            },
            status,
        ))
    })?;
    let mut reports = Vec::new();
    for row in rows {
        let (mut report, status) = row?;
        report.status =
            status_from_db(&status).with_context(|| format!("statut inconnu : {status}"))?;
        reports.push(report);
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{kiosks, Db};

    #[test]
    fn clients_have_their_own_prefix_and_never_pass_as_kiosks() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let kiosk = db
            .with(|c| kiosks::add(c, "Duisans", "Mairie", "t"))
            .unwrap()
            .kiosk;
        let (client, key) = db.with(|c| add_client(c, "Portail", "t")).unwrap();
        assert_ne!(client.receipt_prefix, kiosk.receipt_prefix);
        let hash = secrets::sha256_hex(&key);
        assert_eq!(
            db.with(|c| client_by_key(c, &hash))
                .unwrap()
                .map(|c| c.name),
            Some("Portail".to_string())
        );
        // The kiosk API and the fleet do not see it.
        assert_eq!(db.with(|c| kiosks::by_token_hash(c, &hash)).unwrap(), None);
        let fleet = db.with(|c| kiosks::list(c)).unwrap();
        assert_eq!(fleet.len(), 1);
        assert!(db.with(|c| kiosks::revoke(c, "Portail", "t")).is_err());
        // A name is taken once, among kiosks and clients.
        assert!(db.with(|c| add_client(c, "Duisans", "t")).is_err());

        assert!(db.with(|c| revoke_client(c, "Portail", "t2")).unwrap());
        assert!(!db.with(|c| revoke_client(c, "Portail", "t3")).unwrap());
        assert_eq!(db.with(|c| client_by_key(c, &hash)).unwrap(), None);
        assert_eq!(
            db.with(|c| clients(c)).unwrap()[0].revoked_at.as_deref(),
            Some("t2")
        );
    }
}
