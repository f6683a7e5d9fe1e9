//! A date question bound to a resource (`resource: salle-{commune}`): the last availability
//! snapshot closes the taken days on the calendar, a taken day said aloud is answered with
//! the nearest free one, and the answer is sent as a booking request.

mod session;

use chrono::NaiveDate;
use kiosk_flow::booking::{Availability, DayLeft, ResourceDays, ResourceKind};
use kiosk_flow::load_flow;
use kiosk_flow::runtime::{Event, Input, Session};
use session::{heard, said, submission};
use std::sync::Arc;

const FLOW: &str = r#"
id: salle
version: 1
title: Réserver la salle
kind: booking
service: reservations
description: La salle des fêtes.
steps:
  - id: commune
    ask: Dans quelle commune ?
    label: Commune
    type: choice
    options:
      - { id: duisans, label: Duisans }
      - { id: tincques, label: Tincques }
    help: Dites le nom de la commune.
    reprompt: Dites le nom de la commune.
  - id: date
    ask: Pour quelle date ?
    label: Date
    type: date
    earliest: today+7d
    latest: today+365d
    resource: salle-{commune}
    help: Dites le jour et le mois.
    reprompt: Dites le jour et le mois.
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: Votre demande est notée pour le {date}. La mairie la confirmera. Code {recu}.
"#;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a test date")
}

/// From 1 March 2027: the hall of Duisans taken on Saturday 13 March, closed on the 20th.
fn snapshot() -> Arc<Availability> {
    let days = (0..365).map(|offset| match offset {
        12 => DayLeft::Left(0),
        19 => DayLeft::Closed,
        _ => DayLeft::Left(1),
    });
    Arc::new(Availability {
        generated_at: "2027-03-01T08:00:00Z".into(),
        first_day: day("2027-03-01"),
        resources: vec![ResourceDays::from_days(
            "salle-duisans",
            "Salle des fêtes de Duisans",
            ResourceKind::Salle,
            1,
            1,
            days,
        )],
    })
}

fn started() -> Session {
    let flow = load_flow(FLOW, &kiosk_flow::Datasets::new())
        .value
        .expect("the flow loads");
    let mut s = Session::new(Arc::new(flow), day("2027-03-01")).with_availability(Some(snapshot()));
    s.handle(Event::Start);
    heard(&mut s, "duisans");
    s
}

#[test]
fn a_taken_day_is_said_taken_and_the_nearest_free_day_offered_then_booked() {
    let mut s = started();
    let effects = heard(&mut s, "le samedi 13 mars");
    let text = said(&effects);
    assert!(
        text.contains("Le samedi 13 mars, la salle est déjà prise. Le plus proche est le"),
        "{text}"
    );
    heard(&mut s, "oui");
    let effects = heard(&mut s, "oui");
    let sent = submission(&effects).expect("submitted after the summary");
    let booking = sent.booking.as_ref().expect("a booking request");
    assert_eq!(booking.resource, "salle-duisans");
    assert_ne!(booking.day, day("2027-03-13"));
    assert_eq!(booking.quantity, 1);
}

#[test]
fn the_calendar_closes_the_taken_and_closed_days_of_the_chosen_hall_only() {
    let s = started();
    let screen = s.screen_now().expect("a screen");
    let Input::Date { allowed, .. } = &screen.input else {
        panic!("a date input: {:?}", screen.input);
    };
    assert!(!allowed.allows(day("2027-03-13")));
    assert!(!allowed.allows(day("2027-03-20")));
    assert!(allowed.allows(day("2027-03-14")));

    // Tincques' hall is not in the snapshot: every day is offered, the back end decides.
    let flow = load_flow(FLOW, &kiosk_flow::Datasets::new())
        .value
        .expect("the flow loads");
    let mut other =
        Session::new(Arc::new(flow), day("2027-03-01")).with_availability(Some(snapshot()));
    other.handle(Event::Start);
    heard(&mut other, "tincques");
    let effects = heard(&mut other, "le samedi 13 mars");
    assert!(!said(&effects).contains("déjà prise"));
}
