//! A flow's title for people (the inbox, a request's page, the exports): the newest
//! published version's title, else the shipped flow's (`backend serve --flows DIR`), else
//! its id.

use crate::db::flow_catalog;
use crate::publish::{is_dataset, is_service_notice, uploads_from_paths};
use kiosk_flow::{load_dataset, load_flow_with, load_service_notice, Datasets, ServiceNotices};
use rusqlite::Connection;
use std::collections::HashMap;
use std::path::Path;

/// The titles of the shipped flows, by id.
#[derive(Debug, Clone, Default)]
pub struct ShippedTitles(HashMap<String, String>);

impl ShippedTitles {
    /// Reads the flows of `dir` (laid out as `flows/`); flows that do not load are skipped.
    pub fn load(dir: &Path) -> anyhow::Result<ShippedTitles> {
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
        let titles = uploads
            .iter()
            .filter(|u| !is_dataset(u) && !is_service_notice(u))
            .filter_map(|u| load_flow_with(&u.text, &datasets, &notices).value)
            .map(|flow| (flow.id, flow.title))
            .collect();
        Ok(ShippedTitles(titles))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Every known title: published ones over shipped ones.
#[derive(Debug, Clone, Default)]
pub struct Titles(HashMap<String, String>);

impl Titles {
    pub fn load(conn: &Connection, shipped: &ShippedTitles) -> anyhow::Result<Titles> {
        let mut titles = shipped.0.clone();
        titles.extend(flow_catalog::titles(conn)?);
        Ok(Titles(titles))
    }

    /// The title of flow `id`, or the id when no title is known.
    pub fn of(&self, id: &str) -> String {
        self.0.get(id).cloned().unwrap_or_else(|| id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_titles_are_read_and_the_id_is_the_fallback() {
        let shipped =
            ShippedTitles::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../flows")).unwrap();
        assert!(shipped.len() >= 8, "{shipped:?}");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut conn = conn;
        crate::db::migrations().to_latest(&mut conn).unwrap();
        let titles = Titles::load(&conn, &shipped).unwrap();
        assert_eq!(titles.of("rappel"), "Être rappelé par quelqu'un");
        assert_eq!(titles.of("inconnu"), "inconnu");
    }
}
