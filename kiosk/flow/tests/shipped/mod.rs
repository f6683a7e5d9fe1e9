//! The shipped flows (`flows/`), loaded with their datasets and services' notices as the kiosk
//! loads them, for the tests that drive the whole kiosk.
#![allow(dead_code)]

use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn flows_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows")
}

/// The shipped services' privacy notice templates (`flows/services/`).
pub fn shipped_notices() -> ServiceNotices {
    let mut notices = ServiceNotices::new();
    for entry in std::fs::read_dir(flows_dir().join("services")).expect("flows/services") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("notice");
        let loaded = load_service_notice(&source);
        let notice = loaded
            .value
            .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
        notices.insert(notice.service.clone(), notice);
    }
    notices
}

/// Every shipped flow, loaded with the shipped datasets and notices, as the kiosk loads them.
pub fn shipped_flows() -> Vec<Arc<Flow>> {
    let dir = flows_dir();
    let mut datasets = Datasets::new();
    for entry in std::fs::read_dir(dir.join("data")).expect("flows/data") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let source = std::fs::read_to_string(&path).expect("dataset");
            let dataset = load_dataset(&source).value.expect("the dataset loads");
            datasets.insert(dataset.id.clone(), dataset);
        }
    }
    let notices = shipped_notices();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("flows/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let source = std::fs::read_to_string(path).expect("flow");
            let loaded = load_flow_with(&source, &datasets, &notices);
            assert!(!loaded.has_errors(), "{path:?}: {:?}", loaded.diagnostics);
            Arc::new(loaded.value.expect("flow"))
        })
        .collect()
}
