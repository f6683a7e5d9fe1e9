//! Flows installed from the back end: the YAML as published, and its sha256, one version
//! per flow id (installing a flow replaces the previous version).

use crate::error::Result;
use crate::{fmt_time, insert_event, Store};
use chrono::Utc;
use kiosk_sync::wire::{hex, InstalledFlow};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

/// An installed flow with its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFlow {
    pub id: String,
    pub version: u32,
    pub yaml: String,
    /// sha256 of the YAML's bytes, lower-case hex.
    pub sha256: String,
    /// RFC 3339 UTC.
    pub installed_at: String,
}

impl Store {
    /// Installs (or replaces) flow `id` at `version`. The caller has already checked it.
    /// Returns the sha256 of the YAML.
    #[tracing::instrument(name = "store.install_flow", skip_all, fields(id, version))]
    pub fn install_flow(&self, id: &str, version: u32, yaml: &str) -> Result<String> {
        let sha256 = hex(&Sha256::digest(yaml.as_bytes()));
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO installed_flows (id, version, yaml, sha256, installed_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, yaml = excluded.yaml,
                 sha256 = excluded.sha256, installed_at = excluded.installed_at",
            params![id, version, yaml, sha256, fmt_time(Utc::now())],
        )?;
        insert_event(
            &tx,
            "flow_installed",
            &format!("flow={id}@{version} sha256={sha256}"),
        )?;
        tx.commit()?;
        Ok(sha256)
    }

    /// The installed flows' ids and versions, by id (the heartbeat's `flows`).
    #[tracing::instrument(name = "store.installed_flows", skip_all)]
    pub fn installed_flows(&self) -> Result<Vec<InstalledFlow>> {
        let conn = self.conn();
        let mut stmt =
            conn.prepare_cached("SELECT id, version FROM installed_flows ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok(InstalledFlow {
                id: r.get(0)?,
                version: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One installed flow with its YAML.
    #[tracing::instrument(name = "store.installed_flow", skip_all, fields(id))]
    pub fn installed_flow(&self, id: &str) -> Result<Option<StoredFlow>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT id, version, yaml, sha256, installed_at FROM installed_flows WHERE id = ?1",
                [id],
                stored_from_row,
            )
            .optional()?)
    }

    /// Every installed flow with its YAML, by id.
    #[tracing::instrument(name = "store.stored_flows", skip_all)]
    pub fn stored_flows(&self) -> Result<Vec<StoredFlow>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, version, yaml, sha256, installed_at FROM installed_flows ORDER BY id",
        )?;
        let rows = stmt.query_map([], stored_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

fn stored_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredFlow> {
    Ok(StoredFlow {
        id: r.get(0)?,
        version: r.get(1)?,
        yaml: r.get(2)?,
        sha256: r.get(3)?,
        installed_at: r.get(4)?,
    })
}
