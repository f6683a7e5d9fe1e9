//! The flows the kiosk offers: its installed catalog of published flows when it has one
//! with flows, else the shipped flows (the `flows/` folder of `kiosk.toml`).
//!
//! The installed catalog is verified again whenever it is read (signature, kiosk, every flow
//! with the checker): a database edited behind the kiosk's back falls back to the shipped
//! flows instead of offering something unsigned.

use crate::catalog;
use kiosk_flow::Flow;
use kiosk_store::Store;
use std::path::Path;
use std::sync::Arc;

/// Where the offered flows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Shipped,
    Published,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Shipped => "shipped",
            Origin::Published => "published",
        }
    }
}

/// The flows offered, where they come from, and what is wrong with the others.
pub struct Offered {
    pub flows: Vec<Arc<Flow>>,
    pub origin: Origin,
    /// The installed catalog's version, if the flows are published ones.
    pub catalog_version: Option<u64>,
    /// Flows left out, or why the installed catalog is not used (for the log and the
    /// supervisor's screen).
    pub problems: Vec<String>,
}

/// The installed catalog's flows, verified again, or why they cannot be used. `Ok(None)`:
/// nothing published for this kiosk (no catalog, or one without flows).
pub fn published(store: &Store) -> anyhow::Result<Option<(u64, Vec<Flow>)>> {
    let Some(installed) = store.installed_catalog()? else {
        return Ok(None);
    };
    let identity = store
        .identity()?
        .ok_or_else(|| anyhow::anyhow!("catalogue installé mais borne non inscrite"))?;
    let signed = kiosk_sync::catalog::SignedCatalog {
        payload: installed.payload,
        signature: installed.signature,
    };
    let (catalog, flows) = signed.check(&identity.catalog_key, &identity.kiosk_id, None)?;
    Ok((!flows.is_empty()).then_some((catalog.version, flows)))
}

/// The shipped flows of `dir` that load, and the problems of the others.
pub fn shipped(dir: &Path) -> (Vec<Arc<Flow>>, Vec<String>) {
    match catalog::check(&[dir.to_path_buf()]) {
        Ok(report) => {
            let problems: Vec<String> = report
                .lines()
                .into_iter()
                .filter(|l| l.contains("erreur"))
                .collect();
            for line in &problems {
                tracing::warn!(problem = %line, "flow left out");
            }
            let flows = report.flows.into_iter().map(|(_, f)| Arc::new(f)).collect();
            (flows, problems)
        }
        Err(e) => {
            tracing::warn!(error = %format!("{e:#}"), "no flows");
            (
                Vec::new(),
                vec![format!("Parcours illisibles ({}) : {e:#}", dir.display())],
            )
        }
    }
}

/// What the kiosk offers: the published flows if any, else the shipped ones.
pub fn offered(store: Option<&Store>, shipped_dir: &Path) -> Offered {
    let mut problems = Vec::new();
    if let Some(store) = store {
        match published(store) {
            Ok(Some((version, flows))) => {
                return Offered {
                    flows: flows.into_iter().map(Arc::new).collect(),
                    origin: Origin::Published,
                    catalog_version: Some(version),
                    problems,
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "installed catalog unusable");
                problems.push(format!(
                    "Catalogue installé inutilisable, parcours livrés proposés : {e:#}"
                ));
            }
        }
    }
    let (flows, shipped_problems) = shipped(shipped_dir);
    problems.extend(shipped_problems);
    Offered {
        flows,
        origin: Origin::Shipped,
        catalog_version: None,
        problems,
    }
}
