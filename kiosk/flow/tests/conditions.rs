//! Conditions as a session plays them: dates relative to the session's today, two answers
//! compared with each other, and `urgent` on `submit`.

use chrono::NaiveDate;
use kiosk_flow::runtime::{Effect, Event, Outcome, Session};
use kiosk_flow::{load_flow, Datasets};
use std::sync::Arc;

const FLOW: &str = r#"
id: salle-des-fetes
version: 1
title: Réserver la salle des fêtes
kind: booking
service: reservations
description: Demander la salle des fêtes pour une soirée.
steps:
  - id: naissance
    ask: Quelle est votre date de naissance ?
    label: Date de naissance
    type: date
    latest: today
    help: Dites la date.
    reprompt: Dites votre date de naissance.
  - id: mineur
    when: naissance > today-18y
    info: Un parent doit signer la réservation.
  - id: debut
    ask: Quel jour commence la location ?
    label: Premier jour
    type: date
    earliest: today
    help: Dites la date.
    reprompt: Dites le premier jour.
  - id: fin
    ask: Quel jour finit la location ?
    label: Dernier jour
    type: date
    earliest: today
    help: Dites la date.
    reprompt: Dites le dernier jour.
  - id: a-l-envers
    when: fin < debut
    end: Le dernier jour vient avant le premier. Recommencez, s'il vous plaît.
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    urgent: debut <= today+7d
    submit: "Merci. Votre code est {recu}."
"#;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn session_of(flow: &str, today: &str) -> Session {
    let loaded = load_flow(flow, &Datasets::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    Session::new(Arc::new(loaded.value.expect("flow")), day(today))
}

fn session(today: &str) -> Session {
    session_of(FLOW, today)
}

/// Touches a date on the calendar and confirms its read-back.
fn give_date(s: &mut Session, date: &str) -> Vec<Effect> {
    s.handle(Event::Touched(date.to_string()));
    s.handle(Event::Heard("oui".to_string()))
}

fn born(today: &str, birth: &str) -> Option<String> {
    let mut s = session(today);
    s.handle(Event::Start);
    give_date(&mut s, birth);
    s.current_step_id().map(str::to_string)
}

#[test]
fn an_age_counts_from_the_sessions_today() {
    // 18 years old on 2026-12-02.
    assert_eq!(born("2026-12-01", "2008-12-02").as_deref(), Some("mineur"));
    assert_eq!(born("2026-12-02", "2008-12-02").as_deref(), Some("debut"));
    assert_eq!(born("2026-12-01", "2008-12-01").as_deref(), Some("debut"));
}

#[test]
fn two_answers_are_compared() {
    let mut s = session("2026-12-01");
    s.handle(Event::Start);
    give_date(&mut s, "1980-03-03");
    give_date(&mut s, "2026-12-20");
    let effects = give_date(&mut s, "2026-12-19");
    assert!(effects.contains(&Effect::Finished {
        outcome: Outcome::Ended {
            step_id: "a-l-envers".into()
        }
    }));

    let mut s = session("2026-12-01");
    s.handle(Event::Start);
    give_date(&mut s, "1980-03-03");
    give_date(&mut s, "2026-12-20");
    give_date(&mut s, "2026-12-20");
    assert_eq!(s.current_step_id(), Some("resume"));
}

/// Plays `flow` to its submission with a rental starting on `debut`; whether it is urgent.
fn urgent_when_starting(flow: &str, debut: &str) -> bool {
    let mut s = session_of(flow, "2026-12-01");
    s.handle(Event::Start);
    give_date(&mut s, "1980-03-03");
    give_date(&mut s, debut);
    give_date(&mut s, "2027-01-31");
    let effects = s.handle(Event::Heard("oui".to_string()));
    let submitted = effects.iter().find_map(|e| match e {
        Effect::Submit(submission) => Some(submission.urgent),
        _ => None,
    });
    submitted.expect("submitted")
}

#[test]
fn a_submission_is_urgent_exactly_when_its_condition_holds() {
    assert!(urgent_when_starting(FLOW, "2026-12-08"));
    assert!(!urgent_when_starting(FLOW, "2026-12-09"));
}

#[test]
fn urgent_may_be_always_or_never() {
    for (written, urgent) in [
        ("true", true),
        ("oui", true),
        ("non", false),
        ("false", false),
    ] {
        let flow = FLOW.replace("urgent: debut <= today+7d", &format!("urgent: {written}"));
        assert_eq!(
            urgent_when_starting(&flow, "2026-12-02"),
            urgent,
            "{written}"
        );
    }
}

const CANTEEN: &str = r#"
id: cantine
version: 1
title: Inscrire un enfant à la cantine
kind: procedure
service: scolaire
description: Inscrire un enfant à la cantine.
steps:
  - id: jours
    ask: Quels jours votre enfant mange-t-il à la cantine ?
    label: Jours
    type: choices
    options:
      - { id: lundi, label: Lundi }
      - { id: mardi, label: Mardi }
      - { id: jeudi, label: Jeudi }
      - { id: vendredi, label: Vendredi }
    help: Dites les jours, par exemple lundi et jeudi.
    reprompt: Quels jours ?
  - id: poisson
    when: "'vendredi' in jours"
    info: Le vendredi, le repas est sans viande.
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    urgent: count(jours) >= 3
    submit: "Merci. Votre code est {recu}."
"#;

/// Chooses `days` by touch, then « Valider »; the step shown next and, after the summary,
/// whether the submission is urgent.
fn canteen(days: &[&str]) -> (Option<String>, bool) {
    let mut s = session_of(CANTEEN, "2026-12-01");
    s.handle(Event::Start);
    for day in days {
        s.handle(Event::Touched(day.to_string()));
    }
    s.handle(Event::Touched("valider".to_string()));
    let next = s.current_step_id().map(str::to_string);
    if next.as_deref() == Some("poisson") {
        s.handle(Event::Touched("suivant".to_string()));
    }
    let effects = s.handle(Event::Heard("oui".to_string()));
    let urgent = effects.iter().find_map(|e| match e {
        Effect::Submit(submission) => Some(submission.urgent),
        _ => None,
    });
    (next, urgent.expect("submitted"))
}

#[test]
fn several_choices_are_tested_by_membership_and_count() {
    assert_eq!(
        canteen(&["lundi", "vendredi"]),
        (Some("poisson".into()), false)
    );
    assert_eq!(canteen(&["lundi", "jeudi"]), (Some("resume".into()), false));
    assert_eq!(
        canteen(&["lundi", "mardi", "jeudi"]),
        (Some("resume".into()), true)
    );
}
