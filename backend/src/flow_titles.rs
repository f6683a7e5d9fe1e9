//! A flow's title for people (the inbox, a request's page, the exports): the newest
//! published version's title, else the shipped flow's (`backend serve --flows DIR`), else
//! its id.

use crate::db::flow_catalog;
use crate::known_flows::ShippedFlows;
use rusqlite::Connection;
use std::collections::HashMap;

/// Every known title: published ones over shipped ones.
#[derive(Debug, Clone, Default)]
pub struct Titles(HashMap<String, String>);

impl Titles {
    pub fn load(conn: &Connection, shipped: &ShippedFlows) -> anyhow::Result<Titles> {
        let mut titles: HashMap<String, String> = shipped
            .flows()
            .iter()
            .map(|flow| (flow.id.clone(), flow.title.clone()))
            .collect();
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
            ShippedFlows::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../flows"))
                .unwrap();
        assert!(shipped.len() >= 8, "{shipped:?}");
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let mut conn = conn;
        crate::db::migrations().to_latest(&mut conn).unwrap();
        let titles = Titles::load(&conn, &shipped).unwrap();
        assert_eq!(titles.of("rappel"), "Être rappelé par quelqu'un");
        assert_eq!(titles.of("inconnu"), "inconnu");
    }
}
