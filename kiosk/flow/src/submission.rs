//! What a kiosk seals and the back end opens: one typed submission on both sides.
//!
//! The kiosk's runtime builds a [`Submission`] at a flow's `submit` step; the store seals its
//! JSON; the back end opens it back into the same type. Nothing on either side reads it as
//! untyped JSON, so a field added here is seen by both.

use crate::model::{display, Question, QuestionKind, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The dataset of the 96 communes (`flows/data/communes.yaml`): the back end files a request
/// under the commune answered from it, whatever the question's step id.
pub const COMMUNES_DATASET: &str = "communes";

/// What goes to the back end: the flow, and the answers in flow order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submission {
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    /// Answers in flow order.
    pub answers: Vec<SubmittedAnswer>,
    /// The flow's `urgent` condition held when it was sent: agents see it first. Absent
    /// from what older kiosks sent, and left out when false: the JSON of a request that is
    /// not urgent is what it always was.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub urgent: bool,
}

/// One answer as it was given and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmittedAnswer {
    pub step_id: String,
    /// The question's label in the summary ("Commune", "Téléphone").
    pub label: String,
    /// The value as JSON (`true`, `2`, `"0612345678"`, `"2026-12-03"`, an option id).
    pub value: serde_json::Value,
    /// The answer as the citizen saw it ("Avesnes-le-Comte", "06 12 34 56 78").
    pub display: String,
    /// The dataset the options came from (`communes`), when the question used one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Extra data of a chosen option (a commune's postcode).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

impl SubmittedAnswer {
    /// The answer to `question` (step `step_id`) as sent: its value, display, dataset and
    /// the chosen option's details; a skipped question (`None`) is sent with a null value,
    /// shown as `no_answer`, and without a dataset.
    pub fn of(
        step_id: &str,
        question: &Question,
        value: Option<&Value>,
        no_answer: &str,
    ) -> SubmittedAnswer {
        let Some(value) = value else {
            return SubmittedAnswer {
                step_id: step_id.to_string(),
                label: question.label.clone(),
                value: serde_json::Value::Null,
                display: no_answer.to_string(),
                dataset: None,
                details: BTreeMap::new(),
            };
        };
        let details = match (&question.kind, value) {
            (QuestionKind::Choice { options }, Value::Choice(id)) => options
                .iter()
                .find(|o| &o.id == id)
                .map(|o| o.details.clone())
                .unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        SubmittedAnswer {
            step_id: step_id.to_string(),
            label: question.label.clone(),
            value: value.to_json(),
            display: display::value(value, &question.kind),
            dataset: question.dataset.clone(),
            details,
        }
    }
}

impl Submission {
    /// The first answer taken from `dataset`.
    pub fn answer_from_dataset(&self, dataset: &str) -> Option<&SubmittedAnswer> {
        self.answers
            .iter()
            .find(|a| a.dataset.as_deref() == Some(dataset))
    }

    /// The commune the request is about, as shown ("Duisans"), if a question asked it from
    /// the communes dataset.
    pub fn commune(&self) -> Option<&str> {
        self.answer_from_dataset(COMMUNES_DATASET)
            .map(|a| a.display.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_reads_old_json_without_dataset() {
        let old = r#"{"flow_id":"eclairage-public","flow_version":1,"service":"voirie",
            "answers":[{"step_id":"lieu","label":"Commune","value":"62276","display":"Duisans"}]}"#;
        let parsed: Submission = serde_json::from_str(old).expect("old shape");
        assert_eq!(parsed.commune(), None);
        let mut with = parsed.clone();
        with.answers[0].dataset = Some(COMMUNES_DATASET.into());
        let json = serde_json::to_string(&with).expect("json");
        let back: Submission = serde_json::from_str(&json).expect("new shape");
        assert_eq!(back.commune(), Some("Duisans"));
        assert!(!back.urgent, "old JSON without « urgent » is not urgent");
        assert!(!json.contains("urgent"), "{json}");
        with.urgent = true;
        let json = serde_json::to_string(&with).expect("json");
        assert!(json.contains(r#""urgent":true"#), "{json}");
        let back: Submission = serde_json::from_str(&json).expect("urgent shape");
        assert!(back.urgent);
    }
}
