//! The home menu: the installed flows grouped by kind, in a fixed, predictable order.

use crate::model::{ChoiceOption, Flow, FlowKind};
use crate::understand::choice::{stem, STOP_WORDS};
use crate::understand::normalize::clean_words;
use crate::understand::{understand, Expected};
use crate::Value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The built-in home entry "Où en est ma demande ?" (a flow may not use this id).
pub const STATUS_ENTRY: &str = "suivi";
pub const STATUS_TITLE: &str = "Où en est ma demande ?";
const STATUS_SYNONYMS: &[&str] = &[
    "où en est ma demande",
    "suivi",
    "le suivi",
    "suivre ma demande",
    "suivre une demande",
    "ma demande",
    "code de suivi",
    "mon code de suivi",
    "j'ai un code",
    "savoir où en est ma demande",
];

/// How people name a kind of flows.
fn kind_synonyms(kind: FlowKind) -> &'static [&'static str] {
    match kind {
        FlowKind::Report => &[
            "signaler",
            "signaler un problème",
            "un signalement",
            "un problème",
            "une panne",
        ],
        FlowKind::Booking => &[
            "réserver",
            "une réservation",
            "faire une réservation",
            "louer",
        ],
        FlowKind::Procedure => &["une démarche", "les démarches", "des papiers", "un papier"],
    }
}

/// What a citizen chose on the home screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MenuChoice {
    Flow(String),
    Kind(FlowKind),
    Status,
}

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

    /// The entries as choice options (id: the flow id, label: its title, the pictogram's
    /// words as a synonym: "lampadaire", "salle des fêtes").
    pub fn options(&self) -> Vec<ChoiceOption> {
        self.entries()
            .map(|e| {
                let mut option = ChoiceOption::new(&e.flow_id, &e.title, &[]);
                if let Some(p) = &e.pictogram {
                    option.synonyms.push(p.replace('-', " "));
                }
                option
            })
            .collect()
    }

    /// The phrases of the kinds and of the status entry, for the home screen's grammar.
    pub fn choice_phrases(&self) -> Vec<String> {
        let mut phrases: Vec<String> = self
            .sections
            .iter()
            .map(|s| s.heading.to_lowercase())
            .collect();
        for section in &self.sections {
            phrases.extend(kind_synonyms(section.kind).iter().map(|s| s.to_string()));
        }
        phrases.push(STATUS_TITLE.trim_end_matches(" ?").to_lowercase());
        phrases.extend(STATUS_SYNONYMS.iter().map(|s| s.to_string()));
        phrases
    }

    /// What a citizen asked for on the home screen: a flow (see [`Menu::understand`]), else a
    /// kind of flows ("je veux réserver") or the status of a request ("où en est ma demande").
    pub fn understand_choice(&self, utterance: &str) -> Option<MenuChoice> {
        if let Some(id) = self.understand(utterance) {
            return Some(MenuChoice::Flow(id));
        }
        let mut options: Vec<ChoiceOption> = self
            .sections
            .iter()
            .map(|s| ChoiceOption::new(s.kind.keyword(), &s.heading, kind_synonyms(s.kind)))
            .collect();
        options.push(ChoiceOption::new(
            STATUS_ENTRY,
            STATUS_TITLE,
            STATUS_SYNONYMS,
        ));
        let today = chrono::NaiveDate::default();
        match understand(Expected::Choice(&options), utterance, today).value {
            Some(Value::Choice(id)) if id == STATUS_ENTRY => Some(MenuChoice::Status),
            Some(Value::Choice(id)) => FlowKind::from_keyword(&id).map(MenuChoice::Kind),
            _ => None,
        }
    }

    /// What a touch on a home tile means: a flow id, a kind keyword or [`STATUS_ENTRY`].
    pub fn touched(&self, id: &str) -> Option<MenuChoice> {
        if id == STATUS_ENTRY {
            Some(MenuChoice::Status)
        } else if let Some(kind) = FlowKind::from_keyword(id) {
            self.sections
                .iter()
                .any(|s| s.kind == kind)
                .then_some(MenuChoice::Kind(kind))
        } else {
            self.entries()
                .any(|e| e.flow_id == id)
                .then(|| MenuChoice::Flow(id.to_string()))
        }
    }

    /// The flow a citizen asked for: a title (or a close paraphrase, or a rank such as "le
    /// deuxième"), else a word that only one entry has in its title or description ("un
    /// lampadaire", "pour la crèche"). `None` when nothing or several entries fit.
    pub fn understand(&self, utterance: &str) -> Option<String> {
        let options = self.options();
        let today = chrono::NaiveDate::default();
        if let Some(Value::Choice(id)) =
            understand(Expected::Choice(&options), utterance, today).value
        {
            return Some(id);
        }
        let keywords = self.keywords();
        let chosen: BTreeSet<&String> = clean_words(utterance)
            .iter()
            .filter_map(|w| keywords.get(stem(w)))
            .collect();
        let mut chosen = chosen.into_iter();
        match (chosen.next(), chosen.next()) {
            (Some(id), None) => Some(id.clone()),
            _ => None,
        }
    }

    /// The recognition grammar of the flows: titles and distinctive words.
    pub fn phrases(&self) -> Vec<String> {
        let mut phrases: Vec<String> = self.entries().map(|e| e.title.to_lowercase()).collect();
        let keywords = self.keywords();
        let mut words: Vec<String> = self
            .entries()
            .flat_map(|e| clean_words(&format!("{} {}", e.title, e.description)))
            .filter(|w| keywords.contains_key(stem(w)))
            .collect();
        words.sort();
        words.dedup();
        phrases.extend(words);
        phrases
    }

    /// Stems of the words that appear in exactly one entry's title or description, and that
    /// entry's flow id. Words that name a kind ("réserver", "signaler") are not distinctive:
    /// "je veux réserver" asks for the bookings, not for the one flow titled "Réserver …".
    fn keywords(&self) -> BTreeMap<String, String> {
        let kind_words: BTreeSet<String> = FlowKind::ALL
            .into_iter()
            .flat_map(|k| kind_synonyms(k).iter().copied().chain([k.menu_heading()]))
            .flat_map(clean_words)
            .map(|w| stem(&w).to_owned())
            .collect();
        let mut owners: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for entry in self.entries() {
            for word in clean_words(&format!("{} {}", entry.title, entry.description)) {
                if word.chars().count() < 4
                    || STOP_WORDS.contains(&word.as_str())
                    || kind_words.contains(stem(&word))
                {
                    continue;
                }
                owners
                    .entry(stem(&word).to_owned())
                    .or_default()
                    .insert(&entry.flow_id);
            }
        }
        owners
            .into_iter()
            .filter_map(
                |(word, ids)| match ids.into_iter().collect::<Vec<_>>()[..] {
                    [id] => Some((word, id.to_owned())),
                    _ => None,
                },
            )
            .collect()
    }
}
