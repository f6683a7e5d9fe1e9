//! What a printed receipt says, decided by the machine; the host's printer only lays it out
//! (ESC/POS, or plain text for a print command).

use chrono::NaiveDate;

/// One printed slip: a flow's receipt, the privacy notice in full, or a status answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printout {
    /// The flow's title (or the notice's, or "Où en est ma demande ?").
    pub title: String,
    /// The receipt code, printed big, when a request was sent.
    pub receipt: Option<String>,
    /// The day of the visit.
    pub date: NaiveDate,
    /// The commune the request is about, when the flow asked it.
    pub commune: Option<String>,
    /// What happens next (the flow's last screen), or the notice's paragraphs.
    pub body: Vec<String>,
    /// A procedure's documents to bring: the `print: true` steps the citizen was shown.
    pub documents: Vec<String>,
}

impl Printout {
    /// A slip with a title and text only (the privacy notice, a status answer).
    pub fn text(title: &str, date: NaiveDate, text: &str) -> Self {
        Printout {
            title: title.to_string(),
            receipt: None,
            date,
            commune: None,
            body: paragraphs(text),
            documents: Vec::new(),
        }
    }

    /// The date as printed: « mardi 1er décembre 2026 ».
    pub fn french_date(&self) -> String {
        crate::model::display::date(self.date)
    }

    /// The slip as plain text, for a print command and the simulator: `header` (the kiosk's
    /// name) first when given, then the title, the date, the commune, the code, what happens
    /// next and the documents.
    pub fn plain_text(&self, header: Option<&str>) -> String {
        let mut lines: Vec<String> = Vec::new();
        lines.extend(header.map(str::to_string));
        lines.push(self.title.clone());
        lines.push(format!("Le {}", self.french_date()));
        lines.extend(self.commune.as_ref().map(|c| format!("Commune : {c}")));
        if let Some(code) = &self.receipt {
            lines.push(String::new());
            lines.push(format!("{RECEIPT_LABEL} : {code}"));
        }
        lines.push(String::new());
        lines.extend(self.body.iter().cloned());
        if !self.documents.is_empty() {
            lines.push(String::new());
            lines.push(DOCUMENTS_HEADING.to_string());
            lines.extend(self.documents.iter().flat_map(|d| paragraphs(d)));
        }
        lines.join("\n")
    }
}

/// The label before the code.
pub const RECEIPT_LABEL: &str = "Code de suivi";
/// The heading of a procedure's documents.
pub const DOCUMENTS_HEADING: &str = "À retenir :";

/// A text's non-empty lines, trimmed.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}
