//! One catalog pass of the sync loop: fetch the kiosk's catalog of published flows when it
//! changed (`If-None-Match` with the installed and last refused versions), verify it
//! (signature, kiosk, version, every flow with the checker) and install it in the store,
//! or refuse it, keep the installed one, and remember why for the heartbeat.

use crate::sync_loop::{with_store, SharedStore};
use anyhow::Result;
use kiosk_store::CatalogEntry;
use kiosk_sync::catalog::CatalogError;
use kiosk_sync::client::{CatalogFetch, Client};

/// What a catalog pass did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CatalogOutcome {
    /// Nothing new (304), or the pass was not tried.
    #[default]
    Unchanged,
    /// A new catalog is installed: the appliance switches to it between two people.
    Installed { version: u64, flows: usize },
    /// The catalog offered was refused and kept out; the installed one stays.
    Refused {
        version: Option<u64>,
        reason: String,
    },
    /// The back end did not answer; try again at the next pass.
    Failed(String),
}

/// Fetches, verifies and installs the kiosk's catalog if it changed.
#[tracing::instrument(skip_all)]
pub async fn catalog_pass(store: &SharedStore, client: &Client) -> Result<CatalogOutcome> {
    let (identity, installed, refusal) = with_store(store, |s| {
        Ok((
            s.identity()?,
            s.installed_catalog()?.map(|c| c.version),
            s.catalog_refusal()?,
        ))
    })
    .await?;
    let Some(identity) = identity else {
        return Ok(CatalogOutcome::Unchanged);
    };
    let seen: Vec<u64> = installed
        .into_iter()
        .chain(refusal.and_then(|r| r.version))
        .collect();
    let signed = match client.catalog(&seen).await {
        Ok(CatalogFetch::Unchanged) => return Ok(CatalogOutcome::Unchanged),
        Ok(CatalogFetch::Offered { signed, .. }) => signed,
        Err(e) => return Ok(CatalogOutcome::Failed(e.to_string())),
    };
    let checked = signed.check(&identity.catalog_key, &identity.kiosk_id, installed);
    let (catalog, flows) = match checked {
        Ok(ok) => ok,
        Err(error) => {
            // The version is named only once the signature holds: a forged number must not
            // make the kiosk skip a real catalog later.
            let version = match &error {
                CatalogError::Older { offered, .. } => Some(*offered),
                CatalogError::FlowDoesNotLoad(_) => signed
                    .verify(&identity.catalog_key, &identity.kiosk_id)
                    .ok()
                    .map(|c| c.version),
                _ => None,
            };
            let reason = error.to_string();
            tracing::warn!(reason = %reason, "catalog refused");
            let stored = reason.clone();
            with_store(store, move |s| Ok(s.refuse_catalog(version, &stored)?)).await?;
            return Ok(CatalogOutcome::Refused { version, reason });
        }
    };
    if Some(catalog.version) == installed {
        return Ok(CatalogOutcome::Unchanged);
    }
    let count = flows.len();
    let version = catalog.version;
    with_store(store, move |s| {
        let entries: Vec<CatalogEntry<'_>> = catalog
            .flows
            .iter()
            .map(|f| CatalogEntry {
                id: &f.id,
                version: f.version,
                yaml: &f.yaml,
            })
            .collect();
        s.install_catalog(version, &signed.payload, &signed.signature, &entries)?;
        Ok(())
    })
    .await?;
    tracing::info!(version, flows = count, "catalog installed");
    Ok(CatalogOutcome::Installed {
        version,
        flows: count,
    })
}
