//! A publication reaches the machine during a citizen's session (`FlowsChanged`): the
//! session goes on with the flows it started with, and the new set is offered from the
//! next person on, once the attract screen is back.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

use chrono::NaiveDate;
use kiosk_flow::machine::{KioskConfig, KioskEvent, KioskMachine};
use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices,
};
use std::path::PathBuf;
use std::sync::Arc;

fn flows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../flows")
}

/// The services' privacy notices of `flows/services/`.
fn notices() -> ServiceNotices {
    let mut notices = ServiceNotices::new();
    for entry in std::fs::read_dir(flows_dir().join("services")).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let notice = load_service_notice(&source).value.unwrap();
        notices.insert(notice.service.clone(), notice);
    }
    notices
}

fn shipped(id: &str) -> Arc<Flow> {
    let mut datasets = Datasets::new();
    for entry in std::fs::read_dir(flows_dir().join("data")).unwrap() {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let dataset = load_dataset(&source).value.unwrap();
        datasets.insert(dataset.id.clone(), dataset);
    }
    let source = std::fs::read_to_string(flows_dir().join(format!("{id}.yaml"))).unwrap();
    Arc::new(
        load_flow_with(&source, &datasets, &notices())
            .value
            .unwrap(),
    )
}

/// The call-back flow, published under another id and title.
fn published() -> Arc<Flow> {
    let source = std::fs::read_to_string(flows_dir().join("rappel.yaml"))
        .unwrap()
        .replace("id: rappel\n", "id: rappel-duisans\n")
        .replace(
            "title: Être rappelé par quelqu'un\n",
            "title: Être rappelé par la mairie de Duisans\n",
        );
    Arc::new(
        load_flow_with(&source, &Datasets::new(), &notices())
            .value
            .unwrap(),
    )
}

fn offered(machine: &KioskMachine) -> Vec<String> {
    machine
        .menu()
        .sections
        .iter()
        .flat_map(|s| s.entries.iter().map(|e| e.flow_id.clone()))
        .collect()
}

#[test]
fn new_flows_wait_for_the_end_of_the_session() {
    let mut machine = KioskMachine::new(
        KioskConfig {
            flows: vec![shipped("eclairage-public")],
            ..KioskConfig::default()
        },
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap(),
    );
    machine.start();
    machine.handle(KioskEvent::Tap);
    machine.handle(KioskEvent::Touched("eclairage-public".into()));
    assert_eq!(
        machine.session().map(|s| s.flow().id.clone()).as_deref(),
        Some("eclairage-public")
    );

    // Published during the session: nothing changes for this citizen.
    machine.handle(KioskEvent::FlowsChanged(vec![published()]));
    assert_eq!(
        machine.session().map(|s| s.flow().id.clone()).as_deref(),
        Some("eclairage-public")
    );
    assert_eq!(offered(&machine), ["eclairage-public"]);
    machine.handle(KioskEvent::Heard("Duisans".into()));
    assert!(machine.session().is_some(), "the session goes on");
    assert_eq!(offered(&machine), ["eclairage-public"]);

    // The citizen walks away: the idle question, then the wipe, then the attract screen.
    let mut turns = 0;
    while !machine.is_idle() && turns < 5 {
        machine.handle(KioskEvent::TimerFired);
        turns += 1;
    }
    assert!(machine.is_idle(), "back to the attract screen");
    assert_eq!(offered(&machine), ["rappel-duisans"]);

    // At the attract screen, a publication applies at once.
    machine.handle(KioskEvent::FlowsChanged(vec![shipped("voirie")]));
    assert_eq!(offered(&machine), ["voirie"]);
}
