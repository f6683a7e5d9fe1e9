//! A flow filled in at once (`kiosk_flow::form`), as another channel sends it: the shipped
//! street-light report, with its conditions, options, bounds and urgency.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

use chrono::NaiveDate;
use kiosk_flow::form::{fill, FormProblem};
use kiosk_flow::ServiceNotices;
use kiosk_flow::{load_dataset, load_flow_with, load_service_notice, Datasets, Flow};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn flows_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows")
}

fn yaml_files(dir: &Path) -> Vec<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// A shipped flow, loaded with the shipped datasets and notices.
fn shipped(id: &str) -> Flow {
    let mut datasets = Datasets::new();
    for source in yaml_files(&flows_dir().join("data")) {
        let dataset = load_dataset(&source).value.unwrap();
        datasets.insert(dataset.id.clone(), dataset);
    }
    let mut notices = ServiceNotices::new();
    for source in yaml_files(&flows_dir().join("services")) {
        let notice = load_service_notice(&source).value.unwrap();
        notices.insert(notice.service.clone(), notice);
    }
    let source = std::fs::read_to_string(flows_dir().join(format!("{id}.yaml"))).unwrap();
    load_flow_with(&source, &datasets, &notices).value.unwrap()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
    let mut given: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, value) in pairs {
        given
            .entry(code.to_string())
            .or_default()
            .push(value.to_string());
    }
    given
}

#[test]
fn a_complete_report_gives_the_submission_the_kiosk_would_send() {
    let flow = shipped("eclairage-public");
    let submission = fill(
        &flow,
        &form(&[
            ("commune", "62279"),
            ("lieu", "devant le 12 rue de l'Église"),
            ("probleme", "clignote"),
            ("rappel", "true"),
            ("telephone", "06 12 34 56 78"),
        ]),
        today(),
    )
    .unwrap();
    assert_eq!(submission.flow_id, "eclairage-public");
    assert_eq!(submission.service, "voirie");
    assert!(!submission.urgent);
    let steps: Vec<&str> = submission
        .answers
        .iter()
        .map(|a| a.step_id.as_str())
        .collect();
    assert_eq!(
        steps,
        ["commune", "lieu", "probleme", "rappel", "telephone"]
    );
    let commune = &submission.answers[0];
    assert_eq!(commune.dataset.as_deref(), Some("communes"));
    assert_eq!(submission.commune(), Some(commune.display.as_str()));
    assert_eq!(commune.details.get("code_postal").map(String::len), Some(5));
    assert_eq!(submission.answers[2].display, "Il clignote");
    assert_eq!(submission.answers[4].value, "0612345678");
}

#[test]
fn the_flows_conditions_decide_what_is_asked_and_what_is_urgent() {
    let flow = shipped("eclairage-public");
    // No call-back asked: the phone number is not asked, so not sent even when given.
    let submission = fill(
        &flow,
        &form(&[
            ("commune", "62279"),
            ("lieu", "rue Haute"),
            ("probleme", "abime"),
            ("danger", "false"),
            ("rappel", "false"),
            ("telephone", "0612345678"),
        ]),
        today(),
    )
    .unwrap();
    assert!(submission.urgent, "an « abime » report is urgent");
    assert!(submission.answers.iter().all(|a| a.step_id != "telephone"));

    // A danger now: the flow ends with its emergency message, and nothing is sent.
    let ended = fill(
        &flow,
        &form(&[
            ("commune", "62279"),
            ("lieu", "rue Haute"),
            ("probleme", "abime"),
            ("danger", "true"),
        ]),
        today(),
    )
    .unwrap_err();
    match &ended[..] {
        [FormProblem::Ended { step_id, text }] => {
            assert_eq!(step_id, "urgence");
            assert!(text.contains("112"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_problem_is_said_with_its_question() {
    let flow = shipped("eclairage-public");
    let problems = fill(
        &flow,
        &form(&[
            ("commune", "99999"),
            ("probleme", "clignote"),
            ("probleme", "eteint"),
            ("rappel", "peut-être"),
            ("couleur", "rouge"),
        ]),
        today(),
    )
    .unwrap_err();
    let by_step: Vec<(Option<&str>, String)> = problems
        .iter()
        .map(|p| (p.step_id(), p.message()))
        .collect();
    assert!(by_step.contains(&(
        Some("couleur"),
        "« couleur » n'est pas une question de ce parcours.".to_string()
    )));
    assert!(by_step.contains(&(
        Some("commune"),
        "« Commune » (commune) : « 99999 » n'est pas une des valeurs proposées.".to_string()
    )));
    assert!(by_step.contains(&(
        Some("lieu"),
        "« Endroit » (lieu) est obligatoire.".to_string()
    )));
    assert!(by_step.contains(&(
        Some("probleme"),
        "« Problème » (probleme) : une seule valeur est attendue.".to_string()
    )));
    assert!(by_step
        .iter()
        .any(|(step, message)| *step == Some("rappel") && message.contains("true")));
    assert_eq!(problems.len(), 5, "{problems:?}");
}

#[test]
fn dates_keep_their_bounds_and_refused_days() {
    let flow = shipped("encombrants");
    let date_step = flow
        .steps
        .iter()
        .find(|s| {
            matches!(&s.body, kiosk_flow::model::StepBody::Question(q)
            if matches!(q.kind, kiosk_flow::model::QuestionKind::Date { .. }))
        })
        .map(|s| s.id.clone())
        .expect("the bulky-items flow asks a date");
    for (raw, why) in [
        ("2026-12-25", "a public holiday"),
        ("2020-01-01", "before the earliest date"),
        ("03/12/2026", "not in the machine form"),
    ] {
        let problems = fill(&flow, &form(&[(date_step.as_str(), raw)]), today()).unwrap_err();
        assert!(
            problems
                .iter()
                .any(|p| p.step_id() == Some(date_step.as_str())
                    && matches!(p, FormProblem::Invalid { .. })),
            "{raw} ({why}): {problems:?}"
        );
    }
}
