//! What the kiosk shows, page by page: the whole screen as a value that a host lays out.

use super::scan::ScanView;
use crate::runtime::Screen;
use serde::Serialize;

/// The whole screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    pub page: PageView,
    /// "Vous êtes toujours là ?" over the page, with the seconds before the session is wiped.
    pub idle_prompt: Option<u32>,
    /// Whether the kiosk can hear answers (a microphone and a recognizer work). When not, the
    /// screen says "Touchez l'écran pour répondre" instead of a listening indicator.
    pub hearing: bool,
    /// One-button mode: the items scanned and the one highlighted (a thick focus ring on
    /// screen, its label said); `None` when the mode is off.
    pub scan: Option<Box<ScanView>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "page", rename_all = "snake_case")]
pub enum PageView {
    /// Waiting for the next person.
    Attract { invitation: String },
    /// The home menu: the kinds of flows, or the flows of one kind.
    Home(HomeView),
    /// A step of a flow, or of the status lookup.
    Step(Screen),
    /// The end of a visit: what was done, the receipt code if any; "Terminer" and "Imprimer".
    Done {
        text: String,
        receipt: Option<String>,
    },
    /// The ambassadors' PIN pad.
    Pin {
        digits: usize,
        message: Option<String>,
    },
    /// The ambassadors' screen; `notes` say what the kiosk cannot do and why.
    Supervisor { notes: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeView {
    /// "Que voulez-vous faire ?" or the kind's heading.
    pub title: String,
    pub tiles: Vec<Tile>,
    /// Inside a kind: a "Retour" to the kinds.
    pub can_go_back: bool,
    pub notice: Option<String>,
}

/// A big button of the home menu: a kind, a flow or the status lookup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tile {
    /// What a touch sends: a kind keyword, a flow id or `suivi`.
    pub id: String,
    pub label: String,
    pub pictogram: Option<String>,
}
