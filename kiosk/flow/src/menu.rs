//! The home menu: the installed flows grouped by kind, in a fixed, predictable order.

use crate::model::{Flow, FlowKind};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Menu {
    pub sections: Vec<MenuSection>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuSection {
    pub kind: FlowKind,
    pub heading: String,
    pub entries: Vec<MenuEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MenuEntry {
    pub flow_id: String,
    pub title: String,
    pub description: String,
    pub pictogram: Option<String>,
}

/// Builds the menu: reports, then bookings, then procedures; flows by title within each.
/// Empty sections are left out.
pub fn home_menu<'a>(flows: impl IntoIterator<Item = &'a Flow>) -> Menu {
    let flows: Vec<&Flow> = flows.into_iter().collect();
    let sections = FlowKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut entries: Vec<MenuEntry> = flows
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| MenuEntry {
                    flow_id: f.id.clone(),
                    title: f.title.clone(),
                    description: f.description.clone(),
                    pictogram: f.pictogram.clone(),
                })
                .collect();
            entries.sort_by(|a, b| a.title.cmp(&b.title));
            (!entries.is_empty()).then(|| MenuSection {
                kind,
                heading: kind.menu_heading().to_string(),
                entries,
            })
        })
        .collect();
    Menu { sections }
}

impl Menu {
    /// What the kiosk says on the home screen.
    pub fn spoken(&self) -> String {
        let mut text = String::from("Bonjour. Que voulez-vous faire ?");
        for section in &self.sections {
            let titles: Vec<&str> = section.entries.iter().map(|e| e.title.as_str()).collect();
            text.push_str(&format!(" {} : {}.", section.heading, titles.join(", ")));
        }
        text
    }

    pub fn entries(&self) -> impl Iterator<Item = &MenuEntry> {
        self.sections.iter().flat_map(|s| s.entries.iter())
    }
}
