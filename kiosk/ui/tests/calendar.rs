//! The calendar of a date question on Tuesdays only, on Slint's testing backend: it opens on
//! the first Tuesday that can be chosen, other days cannot be touched, a Tuesday can.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use common::*;
use kiosk_flow::{load_flow, Datasets};
use kiosk_ui::Kiosk as KioskGlobal;
use slint::{ComponentHandle, Model};
use std::sync::Arc;

const PICKUP: &str = "
id: encombrants
version: 1
title: Enlèvement des encombrants
kind: booking
service: dechets
description: Demander le passage des encombrants.
steps:
  - id: jour
    ask: Quel jour voulez-vous le passage ?
    label: Jour du passage
    type: date
    earliest: today+1d
    latest: today+6m
    weekdays: [mardi]
    exclude: [jours-feries, 2026-12-15]
    help: Dites un mardi.
    reprompt: Dites un mardi.
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: Merci. Votre code est {recu}.
";

#[test]
fn only_allowed_days_can_be_touched_on_the_calendar() {
    let flow = load_flow(PICKUP, &Datasets::new())
        .value
        .expect("the flow loads");
    let k = kiosk(kiosk_ui::UiConfig {
        flows: vec![Arc::new(flow)],
        ..config()
    });
    tap(&k, "Commencer");
    tap(&k, "Réserver");
    tap(&k, "Enlèvement des encombrants");
    assert_eq!(step(&k), "jour");

    // Today is Tuesday 1 December 2026 and the bounds start tomorrow: the first day is
    // Tuesday the 8th, and the calendar opens on its week, not on the week of the 2nd.
    let days = k.controller.window().global::<KioskGlobal>().get_days();
    assert_eq!(days.row_data(0).unwrap().date, "2026-12-07");
    // No day can be chosen before that page: « ◀ » is off.
    let global = k.controller.window().global::<KioskGlobal>();
    assert!(!global.get_can_go_earlier());
    assert!(global.get_can_go_later());
    let enabled: Vec<String> = days
        .iter()
        .filter(|d| d.enabled)
        .map(|d| d.date.to_string())
        .collect();
    assert_eq!(enabled.first().map(String::as_str), Some("2026-12-08"));
    assert!(!enabled.contains(&"2026-12-15".to_string()), "closed");
    assert!(enabled.iter().all(|d| {
        let day = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        chrono::Datelike::weekday(&day) == chrono::Weekday::Tue
    }));

    // A Wednesday and the closed Tuesday do nothing when touched.
    tap(&k, "2026-12-09");
    tap(&k, "2026-12-15");
    assert_eq!(step(&k), "jour");
    assert!(k.voice.said().iter().all(|s| !s.contains("Vous avez dit")));

    // A Tuesday is read back.
    tap(&k, "2026-12-22");
    let screen = k.controller.current_screen().unwrap();
    assert_eq!(
        screen.text,
        "Vous avez dit : mardi 22 décembre 2026. C'est bien ça ?"
    );
}
