//! Conditions as a session plays them: dates relative to the session's today, and two
//! answers compared with each other.

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
    submit: "Merci. Votre code est {recu}."
"#;

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn session(today: &str) -> Session {
    let loaded = load_flow(FLOW, &Datasets::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    Session::new(Arc::new(loaded.value.expect("flow")), day(today))
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
