//! The flows the back end knows, loaded: the shipped ones (`backend serve --flows DIR`) and
//! the published ones (the catalog's newest version of each id not retired, loaded with the
//! published datasets and services' notices). Titles, Open311's services and the validation
//! of requests from other channels all read them here.

use crate::db::flow_catalog;
use crate::publish::{is_dataset, is_service_notice, uploads_from_paths};
use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices,
};
use kiosk_sync::catalog::SERVICE_PREFIX;
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The shipped flows (a folder laid out as `flows/`), loaded once at start.
#[derive(Debug, Clone, Default)]
pub struct ShippedFlows(Vec<Arc<Flow>>);

impl ShippedFlows {
    /// Reads the flows of `dir`; flows that do not load are skipped.
    pub fn load(dir: &Path) -> anyhow::Result<ShippedFlows> {
        let uploads = uploads_from_paths(&[dir.to_path_buf()])?;
        let mut datasets = Datasets::new();
        let mut notices = ServiceNotices::new();
        for upload in &uploads {
            if is_service_notice(upload) {
                if let Some(notice) = load_service_notice(&upload.text).value {
                    notices.insert(notice.service.clone(), notice);
                }
            } else if is_dataset(upload) {
                if let Some(dataset) = load_dataset(&upload.text).value {
                    datasets.insert(dataset.id.clone(), dataset);
                }
            }
        }
        let flows = uploads
            .iter()
            .filter(|u| !is_dataset(u) && !is_service_notice(u))
            .filter_map(|u| load_flow_with(&u.text, &datasets, &notices).value)
            .map(Arc::new)
            .collect();
        Ok(ShippedFlows(flows))
    }

    pub fn flows(&self) -> &[Arc<Flow>] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The published datasets and services' notices (kept among the datasets as
/// `services/NAME`), loaded; what does not load is skipped (it was checked when published).
pub fn published_sources(conn: &Connection) -> anyhow::Result<(Datasets, ServiceNotices)> {
    let mut datasets = Datasets::new();
    let mut notices = ServiceNotices::new();
    for (id, yaml) in flow_catalog::datasets(conn)? {
        if id.starts_with(SERVICE_PREFIX) {
            if let Some(notice) = load_service_notice(&yaml).value {
                notices.insert(notice.service.clone(), notice);
            }
        } else if let Some(dataset) = load_dataset(&yaml).value {
            datasets.insert(dataset.id.clone(), dataset);
        }
    }
    Ok((datasets, notices))
}

/// Every flow by id: published over shipped.
#[derive(Debug, Clone, Default)]
pub struct KnownFlows {
    by_id: BTreeMap<String, Arc<Flow>>,
}

impl KnownFlows {
    pub fn load(conn: &Connection, shipped: &ShippedFlows) -> anyhow::Result<KnownFlows> {
        let mut by_id: BTreeMap<String, Arc<Flow>> = shipped
            .flows()
            .iter()
            .map(|flow| (flow.id.clone(), flow.clone()))
            .collect();
        let (datasets, notices) = published_sources(conn)?;
        for (id, yaml) in flow_catalog::active_flows(conn)? {
            if let Some(flow) = load_flow_with(&yaml, &datasets, &notices).value {
                by_id.insert(id, Arc::new(flow));
            }
        }
        Ok(KnownFlows { by_id })
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Flow>> {
        self.by_id.get(id)
    }

    /// Every flow, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Flow>> {
        self.by_id.values()
    }
}

/// [`KnownFlows`] loaded once per catalog revision (loading parses every published flow).
#[derive(Debug, Default)]
pub struct KnownFlowsCache(Mutex<Option<(u64, Arc<KnownFlows>)>>);

impl KnownFlowsCache {
    /// The known flows at the catalog's current revision.
    pub fn get(
        &self,
        conn: &Connection,
        shipped: &ShippedFlows,
    ) -> anyhow::Result<Arc<KnownFlows>> {
        let revision = flow_catalog::revision(conn)?;
        let mut cached = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((at, flows)) = cached.as_ref() {
            if *at == revision {
                return Ok(flows.clone());
            }
        }
        let flows = Arc::new(KnownFlows::load(conn, shipped)?);
        *cached = Some((revision, flows.clone()));
        Ok(flows)
    }
}
