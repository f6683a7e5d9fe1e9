//! The types a UI lays out: the screen of the current moment and its parts.

use chrono::NaiveDate;
use serde::Serialize;

/// Everything the screen shows for the current moment. Decisions are made here, not in
/// the UI: the UI only lays this out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Screen {
    pub flow_title: String,
    pub step_id: String,
    /// The main text, large.
    pub text: String,
    pub pictogram: Option<String>,
    pub input: Input,
    /// Tiles or buttons for `Input::Choice` and `Input::Choices`.
    pub options: Vec<ScreenOption>,
    /// Label and answer lines for a summary.
    pub summary: Vec<SummaryLine>,
    /// A short message above the input ("Je n'ai pas compris.", "Touchez votre réponse.").
    pub notice: Option<String>,
    /// Step position, for the progress bar.
    pub progress: Progress,
    pub can_go_back: bool,
    /// A « Passer » button: the question is optional (it sends [`Command::Skip`]).
    ///
    /// [`Command::Skip`]: crate::understand::Command::Skip
    pub can_skip: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Input {
    /// A "Suivant" button.
    Continue,
    YesNo,
    Choice,
    /// Tiles that are toggled, and a « Valider » button (`Touched("valider")`).
    Choices {
        min: usize,
        max: usize,
        /// The ids of the tiles chosen so far, shown as chosen.
        selected: Vec<String>,
    },
    Number {
        min: i64,
        max: i64,
    },
    Phone,
    Email,
    Text {
        max_length: usize,
    },
    Date {
        earliest: Option<NaiveDate>,
        latest: Option<NaiveDate>,
    },
    Time {
        earliest: String,
        latest: String,
    },
    /// A receipt code: letters and digits on a keyboard (the status lookup).
    ReceiptCode,
    /// Nothing to answer: waiting for the store, or the session is over.
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenOption {
    pub id: String,
    pub label: String,
    pub pictogram: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryLine {
    pub step_id: String,
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub current: usize,
    pub total: usize,
}

impl ScreenOption {
    /// The Oui and Non buttons of a yes/no question, a read-back or a confirmation.
    pub fn yes_no() -> Vec<ScreenOption> {
        ["oui", "non"]
            .into_iter()
            .map(|id| ScreenOption {
                id: id.into(),
                label: if id == "oui" { "Oui" } else { "Non" }.into(),
                pictogram: Some(id.into()),
            })
            .collect()
    }
}
