//! The catalog of published flows: every version of every flow an administrator published
//! (with its YAML, who and when, to which kiosks, retired or not), the datasets they use,
//! and the revisions that number the catalogs kiosks install.
//!
//! A kiosk's catalog is, for each flow id, the newest version not retired that is assigned
//! to every kiosk or to it, with every published dataset; its version is the latest
//! revision (it grows with every publication and retirement, so a kiosk never goes back).

use anyhow::Context;
use kiosk_sync::catalog::{Catalog, CatalogDataset, CatalogFlow, CatalogService, SERVICE_PREFIX};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;

/// The schema (migration V3): published flows, their kiosks and datasets, revisions, and
/// what each kiosk says of its catalog in its heartbeat.
pub const SCHEMA: &str = r#"
CREATE TABLE published_flows (
    id           TEXT NOT NULL,
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    service      TEXT NOT NULL,
    yaml         TEXT NOT NULL,
    datasets     TEXT NOT NULL,                   -- JSON: ids of the datasets published with it
    published_by TEXT NOT NULL,                   -- an account's email, or 'cli'
    published_at TEXT NOT NULL,
    all_kiosks   INTEGER NOT NULL CHECK (all_kiosks IN (0, 1)),
    retired_at   TEXT,
    retired_by   TEXT,
    revision     INTEGER NOT NULL,                -- the catalog revision that published it
    PRIMARY KEY (id, version)
) STRICT;

CREATE TABLE published_flow_kiosks (
    flow_id  TEXT NOT NULL,
    version  INTEGER NOT NULL,
    kiosk_id TEXT NOT NULL REFERENCES kiosks (id),
    PRIMARY KEY (flow_id, version, kiosk_id),
    FOREIGN KEY (flow_id, version) REFERENCES published_flows (id, version)
) STRICT;

CREATE TABLE published_datasets (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    yaml         TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at TEXT NOT NULL
) STRICT;

CREATE TABLE catalog_revisions (
    revision INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    "by"     TEXT NOT NULL,
    what     TEXT NOT NULL                        -- 'publish eclairage-public@2', 'retire ...'
) STRICT;

ALTER TABLE kiosks ADD COLUMN catalog_version INTEGER;  -- from the heartbeat
ALTER TABLE kiosks ADD COLUMN catalog_refused TEXT;     -- why the last one offered was refused
"#;

/// A flow ready to be published (already checked).
#[derive(Debug, Clone)]
pub struct NewFlow {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub kind: String,
    pub service: String,
    pub yaml: String,
}

/// A dataset ready to be published (already checked).
#[derive(Debug, Clone)]
pub struct NewDataset {
    pub id: String,
    pub title: String,
    pub yaml: String,
}

/// One publication: flows, the datasets published with them, and where they go.
#[derive(Debug, Clone)]
pub struct Publication {
    pub flows: Vec<NewFlow>,
    pub datasets: Vec<NewDataset>,
    /// Kiosk ids; empty: every kiosk.
    pub kiosks: Vec<String>,
}

/// A published flow version, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFlow {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub kind: String,
    pub service: String,
    pub published_by: String,
    pub published_at: String,
    /// Kiosk names; empty: every kiosk.
    pub kiosks: Vec<String>,
    pub retired_at: Option<String>,
}

/// The latest catalog revision (0 when nothing was ever published).
pub fn revision(conn: &Connection) -> anyhow::Result<u64> {
    let revision: i64 = conn.query_row(
        "SELECT COALESCE(MAX(revision), 0) FROM catalog_revisions",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(revision).unwrap_or(0))
}

/// The newest published version of each flow id (retired ones included): a new
/// publication must be above it.
pub fn latest_versions(conn: &Connection) -> anyhow::Result<HashMap<String, u32>> {
    let mut stmt = conn.prepare("SELECT id, MAX(version) FROM published_flows GROUP BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every published dataset: id → YAML.
pub fn datasets(conn: &Connection) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT id, yaml FROM published_datasets ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The YAML of the newest version of each flow id not retired (whatever its kiosks).
pub fn active_flows(conn: &Connection) -> anyhow::Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.yaml FROM published_flows f
         WHERE f.retired_at IS NULL
           AND f.version = (SELECT MAX(version) FROM published_flows g
                            WHERE g.id = f.id AND g.retired_at IS NULL)
         ORDER BY f.id",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Stores a checked publication in one transaction and returns its revision. Versions are
/// checked again inside the transaction, so two publications at once cannot both win.
pub fn publish(
    conn: &mut Connection,
    publication: &Publication,
    by: &str,
    now: &str,
) -> anyhow::Result<u64> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let what = publication
        .flows
        .iter()
        .map(|f| format!("{}@{}", f.id, f.version))
        .chain(
            publication
                .datasets
                .iter()
                .map(|d| format!("data/{}", d.id)),
        )
        .collect::<Vec<_>>()
        .join(" ");
    tx.execute(
        "INSERT INTO catalog_revisions (at, \"by\", what) VALUES (?1, ?2, ?3)",
        params![now, by, format!("publication {what}")],
    )?;
    let revision = tx.last_insert_rowid();
    let dataset_ids: Vec<&str> = publication.datasets.iter().map(|d| d.id.as_str()).collect();
    let dataset_ids = serde_json::to_string(&dataset_ids)?;
    for dataset in &publication.datasets {
        tx.execute(
            "INSERT INTO published_datasets (id, title, yaml, published_by, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, yaml = excluded.yaml,
                 published_by = excluded.published_by, published_at = excluded.published_at",
            params![dataset.id, dataset.title, dataset.yaml, by, now],
        )?;
    }
    for flow in &publication.flows {
        let newest: Option<u32> = tx
            .query_row(
                "SELECT MAX(version) FROM published_flows WHERE id = ?1",
                [&flow.id],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if let Some(newest) = newest.filter(|n| *n >= flow.version) {
            anyhow::bail!(
                "le parcours « {} » est déjà publié en version {newest} : la version doit \
                 augmenter",
                flow.id
            );
        }
        tx.execute(
            "INSERT INTO published_flows (id, version, title, kind, service, yaml, datasets,
                 published_by, published_at, all_kiosks, revision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                flow.id,
                flow.version,
                flow.title,
                flow.kind,
                flow.service,
                flow.yaml,
                dataset_ids,
                by,
                now,
                publication.kiosks.is_empty(),
                revision,
            ],
        )?;
        for kiosk in &publication.kiosks {
            tx.execute(
                "INSERT INTO published_flow_kiosks (flow_id, version, kiosk_id)
                 VALUES (?1, ?2, ?3)",
                params![flow.id, flow.version, kiosk],
            )?;
        }
    }
    tx.commit()?;
    Ok(u64::try_from(revision).unwrap_or(0))
}

/// Retires every version of flow `id`: kiosks drop it from their next catalog. Returns the
/// revision, or `None` when no version of it is published and not yet retired.
pub fn retire(conn: &mut Connection, id: &str, by: &str, now: &str) -> anyhow::Result<Option<u64>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let changed = tx.execute(
        "UPDATE published_flows SET retired_at = ?2, retired_by = ?3
         WHERE id = ?1 AND retired_at IS NULL",
        params![id.trim(), now, by],
    )?;
    if changed == 0 {
        return Ok(None);
    }
    tx.execute(
        "INSERT INTO catalog_revisions (at, \"by\", what) VALUES (?1, ?2, ?3)",
        params![now, by, format!("retrait {}", id.trim())],
    )?;
    let revision = tx.last_insert_rowid();
    tx.commit()?;
    Ok(Some(u64::try_from(revision).unwrap_or(0)))
}

/// Every published flow version, newest first within each id.
pub fn list(conn: &Connection) -> anyhow::Result<Vec<PublishedFlow>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.version, f.title, f.kind, f.service, f.published_by, f.published_at,
                f.retired_at,
                (SELECT json_group_array(k.name) FROM published_flow_kiosks a
                 JOIN kiosks k ON k.id = a.kiosk_id
                 WHERE a.flow_id = f.id AND a.version = f.version)
         FROM published_flows f ORDER BY f.id, f.version DESC",
    )?;
    let rows = stmt.query_map([], |r| {
        let kiosks: String = r.get(8)?;
        Ok(PublishedFlow {
            id: r.get(0)?,
            version: r.get(1)?,
            title: r.get(2)?,
            kind: r.get(3)?,
            service: r.get(4)?,
            published_by: r.get(5)?,
            published_at: r.get(6)?,
            retired_at: r.get(7)?,
            kiosks: serde_json::from_str(&kiosks).unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The title of each published flow id (its newest version's).
pub fn titles(conn: &Connection) -> anyhow::Result<HashMap<String, String>> {
    let mut stmt = conn.prepare(
        "SELECT id, title FROM published_flows f
         WHERE version = (SELECT MAX(version) FROM published_flows g WHERE g.id = f.id)",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The catalog of kiosk `kiosk_id` at the latest revision.
pub fn catalog_for(conn: &Connection, kiosk_id: &str, now: &str) -> anyhow::Result<Catalog> {
    let version = revision(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT f.id, f.version, f.title, f.yaml FROM published_flows f
         WHERE f.retired_at IS NULL
           AND (f.all_kiosks = 1 OR EXISTS (
                SELECT 1 FROM published_flow_kiosks a
                WHERE a.flow_id = f.id AND a.version = f.version AND a.kiosk_id = ?1))
           AND f.version = (
                SELECT MAX(g.version) FROM published_flows g
                WHERE g.id = f.id AND g.retired_at IS NULL
                  AND (g.all_kiosks = 1 OR EXISTS (
                       SELECT 1 FROM published_flow_kiosks b
                       WHERE b.flow_id = g.id AND b.version = g.version AND b.kiosk_id = ?1)))
         ORDER BY f.id",
    )?;
    let flows = stmt
        .query_map([kiosk_id], |r| {
            Ok(CatalogFlow {
                id: r.get(0)?,
                version: r.get(1)?,
                title: r.get(2)?,
                yaml: r.get(3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()
        .context("lecture du catalogue")?;
    let (mut datasets, mut services) = (Vec::new(), Vec::new());
    if !flows.is_empty() {
        // Services' privacy notices are kept among the datasets under `services/NAME`.
        for (id, yaml) in self::datasets(conn)? {
            match id.strip_prefix(SERVICE_PREFIX) {
                Some(service) => services.push(CatalogService {
                    service: service.to_string(),
                    yaml,
                }),
                None => datasets.push(CatalogDataset { id, yaml }),
            }
        }
    }
    Ok(Catalog {
        version,
        kiosk_id: kiosk_id.to_string(),
        issued_at: now.to_string(),
        flows,
        datasets,
        services,
    })
}

/// What a kiosk's heartbeat says of its catalog.
pub fn record_catalog_state(
    conn: &Connection,
    kiosk_id: &str,
    version: Option<u64>,
    refused: Option<&str>,
) -> anyhow::Result<()> {
    conn.prepare_cached(
        "UPDATE kiosks SET catalog_version = ?2, catalog_refused = ?3 WHERE id = ?1",
    )?
    .execute(params![
        kiosk_id,
        version.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
        refused
    ])?;
    Ok(())
}

/// What a kiosk last said of its catalog: the version it runs (none: its shipped flows)
/// and why it refused the last one offered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KioskCatalog {
    pub version: Option<u64>,
    pub refused: Option<String>,
}

/// Each kiosk's catalog state, by kiosk id.
pub fn kiosk_catalog_states(conn: &Connection) -> anyhow::Result<HashMap<String, KioskCatalog>> {
    let mut stmt = conn.prepare("SELECT id, catalog_version, catalog_refused FROM kiosks")?;
    let rows = stmt.query_map([], |r| {
        let version: Option<i64> = r.get(1)?;
        Ok((
            r.get::<_, String>(0)?,
            KioskCatalog {
                version: version.and_then(|v| u64::try_from(v).ok()),
                refused: r.get(2)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{kiosks, Db};

    fn flow(id: &str, version: u32) -> NewFlow {
        NewFlow {
            id: id.into(),
            version,
            title: format!("Titre de {id}"),
            kind: "report".into(),
            service: "voirie".into(),
            yaml: format!("id: {id}\nversion: {version}\n"),
        }
    }

    #[test]
    fn each_kiosk_gets_its_flows_and_versions_only_grow() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let a = db.with(|c| kiosks::add(c, "A", "Duisans", "t")).unwrap();
        let b = db.with(|c| kiosks::add(c, "B", "Tincques", "t")).unwrap();
        let (a, b) = (a.kiosk.id, b.kiosk.id);
        let everyone = Publication {
            flows: vec![flow("commun", 1)],
            datasets: vec![],
            kiosks: vec![],
        };
        let only_a = Publication {
            flows: vec![flow("local", 1)],
            datasets: vec![],
            kiosks: vec![a.clone()],
        };
        assert_eq!(db.with(|c| publish(c, &everyone, "cli", "t1")).unwrap(), 1);
        assert_eq!(db.with(|c| publish(c, &only_a, "cli", "t2")).unwrap(), 2);
        let ids = |kiosk: &str| -> Vec<String> {
            db.with(|c| catalog_for(c, kiosk, "t"))
                .unwrap()
                .flows
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(ids(&a), ["commun", "local"]);
        assert_eq!(ids(&b), ["commun"]);
        assert!(db.with(|c| publish(c, &everyone, "cli", "t3")).is_err());
        assert_eq!(db.with(|c| revision(c)).unwrap(), 2, "nothing published");
        assert_eq!(
            db.with(|c| retire(c, "local", "cli", "t4")).unwrap(),
            Some(3)
        );
        assert_eq!(db.with(|c| retire(c, "local", "cli", "t4")).unwrap(), None);
        assert_eq!(ids(&a), ["commun"]);
        let catalog = db.with(|c| catalog_for(c, &a, "t")).unwrap();
        assert_eq!(catalog.version, 3);
        let listed = db.with(|c| list(c)).unwrap();
        assert_eq!(listed[1].kiosks, ["A"]);
        assert!(listed[1].retired_at.is_some());
    }
}
