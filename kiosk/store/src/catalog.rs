//! The catalog of published flows the kiosk runs: the signed bundle as received (so it can
//! be verified again whenever it is read), its version, and the last refused bundle's
//! version and reason (for the heartbeat). Installing a catalog also replaces the
//! `installed_flows` list in the same transaction.

use crate::error::Result;
use crate::{fmt_time, insert_event, Store};
use chrono::Utc;
use kiosk_sync::wire::hex;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

/// Settings keys of the last refusal.
const REFUSED_VERSION: &str = "catalog_refused_version";
const REFUSED_REASON: &str = "catalog_refused";

/// The installed catalog, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledCatalog {
    pub version: u64,
    /// The signed JSON (`kiosk_sync::catalog::SignedCatalog::payload`).
    pub payload: String,
    /// Its signature, base64.
    pub signature: String,
    /// RFC 3339 UTC.
    pub installed_at: String,
}

/// One flow of a catalog being installed.
pub struct CatalogEntry<'a> {
    pub id: &'a str,
    pub version: u32,
    pub yaml: &'a str,
}

/// A catalog the kiosk refused: its version (none when unreadable) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogRefusal {
    pub version: Option<u64>,
    pub reason: String,
}

fn u64_to_sql(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl Store {
    /// Installs a verified catalog: the bundle, and its flows as the installed flows (the
    /// previous ones go). Clears the last refusal. One transaction: a power cut leaves the
    /// previous catalog or this one, never a mix.
    #[tracing::instrument(name = "store.install_catalog", skip_all, fields(version))]
    pub fn install_catalog(
        &self,
        version: u64,
        payload: &str,
        signature: &str,
        flows: &[CatalogEntry<'_>],
    ) -> Result<()> {
        let now = fmt_time(Utc::now());
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO installed_catalog (id, version, payload, signature, installed_at)
             VALUES (1, ?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version,
                 payload = excluded.payload, signature = excluded.signature,
                 installed_at = excluded.installed_at",
            params![u64_to_sql(version), payload, signature, now],
        )?;
        tx.execute("DELETE FROM installed_flows", [])?;
        for flow in flows {
            let sha256 = hex(&Sha256::digest(flow.yaml.as_bytes()));
            tx.execute(
                "INSERT INTO installed_flows (id, version, yaml, sha256, installed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![flow.id, flow.version, flow.yaml, sha256, now],
            )?;
        }
        tx.execute(
            "DELETE FROM settings WHERE key IN (?1, ?2)",
            params![REFUSED_VERSION, REFUSED_REASON],
        )?;
        insert_event(
            &tx,
            "catalog_installed",
            &format!("version={version} flows={}", flows.len()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The installed catalog, or `None` while the kiosk runs its shipped flows.
    #[tracing::instrument(name = "store.installed_catalog", skip_all)]
    pub fn installed_catalog(&self) -> Result<Option<InstalledCatalog>> {
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT version, payload, signature, installed_at FROM installed_catalog
                 WHERE id = 1",
                [],
                |r| {
                    Ok(InstalledCatalog {
                        version: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        payload: r.get(1)?,
                        signature: r.get(2)?,
                        installed_at: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Records that a catalog was refused (kept out; the installed one stays).
    /// `reason` names no person: a signature, a version, a flow's line and column.
    #[tracing::instrument(name = "store.refuse_catalog", skip_all)]
    pub fn refuse_catalog(&self, version: Option<u64>, reason: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (key, value) in [
            (
                REFUSED_VERSION,
                version.map(|v| v.to_string()).unwrap_or_default(),
            ),
            (REFUSED_REASON, reason.to_string()),
        ] {
            tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?;
        }
        let version = version.map_or_else(|| "?".to_string(), |v| v.to_string());
        insert_event(
            &tx,
            "catalog_refused",
            &format!("version={version} {reason}"),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last refused catalog, if the last one offered was refused.
    pub fn catalog_refusal(&self) -> Result<Option<CatalogRefusal>> {
        let Some(reason) = self.setting(REFUSED_REASON)? else {
            return Ok(None);
        };
        let version = self.setting(REFUSED_VERSION)?.and_then(|v| v.parse().ok());
        Ok(Some(CatalogRefusal { version, reason }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_catalog_replaces_the_installed_flows_and_clears_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("kiosk.db")).unwrap();
        assert_eq!(store.installed_catalog().unwrap(), None);
        store.install_flow("ancien", 1, "id: ancien").unwrap();
        store.refuse_catalog(Some(4), "signature invalide").unwrap();
        assert_eq!(
            store.catalog_refusal().unwrap(),
            Some(CatalogRefusal {
                version: Some(4),
                reason: "signature invalide".into()
            })
        );
        let flows = [CatalogEntry {
            id: "nouveau",
            version: 2,
            yaml: "id: nouveau",
        }];
        store.install_catalog(5, "{}", "c2ln", &flows).unwrap();
        let installed = store.installed_catalog().unwrap().unwrap();
        assert_eq!((installed.version, installed.payload.as_str()), (5, "{}"));
        let ids: Vec<_> = store
            .installed_flows()
            .unwrap()
            .into_iter()
            .map(|f| (f.id, f.version))
            .collect();
        assert_eq!(ids, [("nouveau".to_string(), 2)]);
        assert_eq!(store.catalog_refusal().unwrap(), None);
    }
}
