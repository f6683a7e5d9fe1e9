//! An opened submission, read in one place: the JSON a kiosk sealed becomes the one typed
//! [`Submission`] of `kiosk_flow::submission`, whether fresh from its sealed box (ingest
//! refuses what does not parse) or read back from the `answers_json` of a stored row.
//! Nothing else in the back end reads that JSON, and nothing names a step id: the commune a
//! request is filed under is the answer taken from the communes dataset
//! ([`Submission::commune`]).

use anyhow::Context;
pub use kiosk_flow::submission::{Submission, SubmittedAnswer, COMMUNES_DATASET};

/// Reads the JSON of an opened submission into the one type.
pub fn parse(json: &[u8]) -> Result<Submission, serde_json::Error> {
    serde_json::from_slice(json)
}

/// Reads back the stored `answers_json` of request `id` (checked at ingest, so a failure
/// means the row was changed behind the back end's back).
pub fn stored(id: &str, answers_json: &str) -> anyhow::Result<Submission> {
    parse(answers_json.as_bytes())
        .with_context(|| format!("réponses illisibles pour la demande {id}"))
}

/// The commune a request is filed under (the inbox's filter, the CSV's column, the email):
/// the display of its answer from the communes dataset, if it has one that is not blank.
pub fn commune(submission: &Submission) -> Option<String> {
    submission
        .commune()
        .filter(|display| !display.trim().is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commune_is_the_communes_dataset_answer_whatever_its_step_id() {
        let json = br#"{"flow_id": "f", "flow_version": 1, "service": "voirie", "answers": [
            {"step_id": "commune", "label": "Nom", "value": "x", "display": "Pas une commune"},
            {"step_id": "lieu", "label": "Commune", "value": "62276", "display": "Duisans",
             "dataset": "communes", "details": {"postcode": "62161"}}
        ]}"#;
        let opened = parse(json).unwrap();
        assert_eq!(commune(&opened).as_deref(), Some("Duisans"));
        assert_eq!(opened.answers[1].details["postcode"], "62161");

        let blank = br#"{"flow_id": "f", "flow_version": 1, "service": "voirie", "answers": [
            {"step_id": "lieu", "label": "Commune", "value": "1", "display": " ",
             "dataset": "communes"}]}"#;
        assert_eq!(commune(&parse(blank).unwrap()), None);

        // An optional commune question the citizen skipped: sent with a null value and no
        // dataset, so the request is filed under no commune.
        let skipped = br#"{"flow_id": "f", "flow_version": 1, "service": "voirie", "answers": [
            {"step_id": "lieu", "label": "Commune", "value": null, "display": "non renseigne"}]}"#;
        assert_eq!(commune(&parse(skipped).unwrap()), None);
    }

    #[test]
    fn what_is_not_a_submission_does_not_parse() {
        assert!(parse(b"pas du json").is_err());
        assert!(parse(b"{}").is_err());
        assert!(parse(br#"{"flow_id": "f", "flow_version": 1, "service": "s"}"#).is_err());
        // An answer without its label and display is not what a kiosk seals.
        assert!(parse(
            br#"{"flow_id": "f", "flow_version": 1, "service": "s",
                 "answers": [{"step_id": "a", "value": 1}]}"#
        )
        .is_err());
        assert!(stored("d1", "{}").unwrap_err().to_string().contains("d1"));
    }
}
