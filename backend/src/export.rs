//! Requests as they leave the back end: readable answers (label and display, as the kiosk
//! showed them), the JSON of one request (its page's export and the webhook's payload), and
//! CSV lines for the inbox's export (`;`-separated, UTF-8 with a byte-order mark, so that
//! Excel in French opens it as it is).

use crate::db::inbox::{Detail, Line};
use crate::db::submissions::status_to_db;
use crate::opened::Submission;
use kiosk_sync::wire::RequestStatus;
use serde_json::{json, Value};

/// Written first in a CSV file: tells Excel the file is UTF-8.
pub const CSV_BOM: &str = "\u{feff}";
/// The CSV separator Excel expects in French.
pub const CSV_SEPARATOR: char = ';';

/// The status as agents read it (on the pages and in the CSV export).
pub fn status_label(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Recu => "Reçu",
        RequestStatus::EnCours => "En cours",
        RequestStatus::Traite => "Traité",
        RequestStatus::Rejete => "Rejeté",
    }
}

/// One answer as the citizen saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub label: String,
    pub display: String,
}

/// The answers of an opened submission, in flow order: the question's label (or its step
/// id) and the answer's display (or its value).
pub fn answers(opened: &Submission) -> Vec<Answer> {
    opened
        .answers
        .iter()
        .map(|answer| Answer {
            label: if answer.label.trim().is_empty() {
                answer.step_id.clone()
            } else {
                answer.label.clone()
            },
            display: if answer.display.trim().is_empty() {
                match &answer.value {
                    Value::String(text) => text.clone(),
                    Value::Bool(true) => "oui".into(),
                    Value::Bool(false) => "non".into(),
                    // A question the citizen skipped (an optional one).
                    Value::Null => "non renseigné".into(),
                    other => other.to_string(),
                }
            } else {
                answer.display.clone()
            },
        })
        .collect()
}

/// The JSON of one request: what the kiosk sent (answers included), where it is, and its
/// history. Fails only if its stored answers do not read back ([`crate::opened::stored`]).
pub fn request_json(
    detail: &Detail,
    service_name: Option<&str>,
    flow_title: &str,
) -> anyhow::Result<Value> {
    let s = &detail.submission;
    let opened = s.opened()?;
    let history: Vec<Value> = detail
        .history
        .iter()
        .map(|entry| {
            json!({
                "at": entry.at,
                "status": status_to_db(entry.status),
                "note": entry.note,
                "by": entry.by,
                "agent": entry.user.as_ref().map(|(name, email)| json!({"name": name, "email": email})),
            })
        })
        .collect();
    Ok(json!({
        "id": s.id,
        "receipt": s.receipt,
        "flow_id": s.flow_id,
        "flow_title": flow_title,
        "flow_version": s.flow_version,
        "service": {"id": s.service, "name": service_name},
        "kiosk": {"id": s.kiosk_id, "name": detail.kiosk_name, "place": detail.kiosk_place},
        "created_at": s.created_at,
        "received_at": s.received_at,
        "status": status_to_db(s.status),
        "status_updated_at": s.status_updated_at,
        "status_note": s.status_note,
        "urgent": s.urgent,
        "commune": detail.commune,
        "answers": opened.answers,
        "history": history,
    }))
}

/// One CSV field: quoted when it holds the separator, a quote or a line break (quotes
/// doubled), and defused when a spreadsheet would read it as a formula (a leading `=`, `+`,
/// `-`, `@`, tab or carriage return gets a `'` in front: text from the kiosk is the
/// citizen's).
pub fn csv_field(text: &str) -> String {
    let defused = match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_string(),
    };
    if defused.contains([CSV_SEPARATOR, '"', '\n', '\r', ',']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// One CSV line (with its CRLF) of `fields`.
pub fn csv_line<'a>(fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut line = fields
        .into_iter()
        .map(csv_field)
        .collect::<Vec<_>>()
        .join(&CSV_SEPARATOR.to_string());
    line.push_str("\r\n");
    line
}

/// The CSV header line.
pub fn csv_header() -> String {
    csv_line([
        "Code de reçu",
        "Reçue le",
        "Statut",
        "Urgent",
        "Démarche",
        "Version",
        "Service",
        "Commune",
        "Borne",
        "Note pour l'usager",
        "Réponses",
    ])
}

/// The CSV line of one request; `received` is its reception time as agents read it,
/// `flow_title` its flow's title (`crate::flow_titles`).
pub fn csv_request(
    line: &Line,
    received: &str,
    service_name: &str,
    flow_title: &str,
    opened: &Submission,
) -> String {
    let answers = answers(opened)
        .into_iter()
        .map(|a| format!("{} : {}", a.label, a.display))
        .collect::<Vec<_>>()
        .join("\n");
    let version = line.flow_version.to_string();
    csv_line([
        line.receipt.as_str(),
        received,
        status_label(line.status),
        if line.urgent { "Oui" } else { "Non" },
        flow_title,
        version.as_str(),
        service_name,
        line.commune.as_deref().unwrap_or(""),
        line.kiosk_name.as_deref().unwrap_or(""),
        line.status_note.as_deref().unwrap_or(""),
        answers.as_str(),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("Duisans"), "Duisans");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("il a dit \"non\""), "\"il a dit \"\"non\"\"\"");
        assert_eq!(csv_field("ligne 1\nligne 2"), "\"ligne 1\nligne 2\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("+33 6 12"), "'+33 6 12");
        assert_eq!(csv_field("1,5"), "\"1,5\"");
        assert_eq!(csv_line(["a", "b;c", ""]), "a;\"b;c\";\r\n");
    }

    #[test]
    fn answers_read_labels_and_displays() {
        let json = br#"{"flow_id": "f", "flow_version": 1, "service": "s", "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62276", "display": "Duisans"},
            {"step_id": "rappel", "label": "", "value": true, "display": ""},
            {"step_id": "nombre", "label": "Combien ?", "value": 2, "display": " "},
            {"step_id": "volume", "label": "Quantite", "value": null, "display": ""}
        ]}"#;
        let read = answers(&crate::opened::parse(json).unwrap());
        assert_eq!(
            read,
            vec![
                Answer {
                    label: "Commune".into(),
                    display: "Duisans".into()
                },
                Answer {
                    label: "rappel".into(),
                    display: "oui".into()
                },
                Answer {
                    label: "Combien ?".into(),
                    display: "2".into()
                },
                Answer {
                    label: "Quantite".into(),
                    display: "non renseigné".into()
                },
            ]
        );
    }
}
