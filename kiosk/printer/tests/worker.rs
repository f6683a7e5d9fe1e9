//! The printer's worker never holds up its caller: a printer that is missing, hung (a FIFO
//! nobody reads, a command that sleeps) or slow is reported as its state, while the kiosk
//! machine's idle timer goes on.
#![allow(clippy::unwrap_used)] // test helpers

mod common;

use chrono::NaiveDate;
use kiosk_flow::machine::{KioskConfig, KioskEffect, KioskEvent, KioskMachine, Printout};
use kiosk_printer::{Output, Printer, PrinterSettings, PrinterState, Refused};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

fn slip() -> Printout {
    Printout {
        receipt: Some("K7M-4PQ".into()),
        ..Printout::text(
            "Un lampadaire ne marche plus",
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            "Merci. Un agent va regarder.",
        )
    }
}

fn settings(output: Output) -> PrinterSettings {
    PrinterSettings {
        timeout: Duration::from_millis(300),
        probe_every: Duration::from_millis(100),
        queue: 2,
        ..PrinterSettings::new(output)
    }
}

/// A printer whose state changes come on a channel.
fn start(output: Output) -> (Printer, mpsc::Receiver<PrinterState>) {
    let (tx, rx) = mpsc::channel();
    let printer = Printer::start(settings(output), move |s| {
        let _ = tx.send(s.clone());
    })
    .expect("worker");
    (printer, rx)
}

/// Waits (bounded) for the state `want`.
fn wait_for(rx: &mpsc::Receiver<PrinterState>, want: &PrinterState) {
    loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(s) if &s == want => return,
            Ok(_) => {}
            Err(e) => panic!("no {want:?}: {e}"),
        }
    }
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_device_file_gets_the_escpos_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    std::fs::write(&device, b"").unwrap();
    let (printer, rx) = start(Output::Device(device.clone()));
    wait_for(&rx, &PrinterState::Ready);
    printer.print(&slip()).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let bytes = loop {
        let bytes = std::fs::read(&device).unwrap();
        if bytes.ends_with(&[0x1D, b'V', 66, 0]) || std::time::Instant::now() > deadline {
            break bytes;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let decoded = common::decode(&bytes);
    assert_eq!(decoded.line("K7M-4PQ").size, kiosk_printer::escpos::BIG);
    assert_eq!(printer.state(), PrinterState::Ready);
}

#[test]
fn a_missing_device_is_absent_and_seen_when_plugged_in() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    let (printer, rx) = start(Output::Device(device.clone()));
    wait_for(&rx, &PrinterState::Absent);
    printer.print(&slip()).unwrap();
    std::fs::write(&device, b"").unwrap();
    wait_for(&rx, &PrinterState::Ready);
    std::fs::remove_file(&device).unwrap();
    wait_for(&rx, &PrinterState::Absent);
}

#[test]
fn a_hung_printer_returns_at_once_reports_it_and_bounds_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    mkfifo(&device); // nobody reads: opening it for writing never returns
    let (printer, rx) = start(Output::Device(device.clone()));
    wait_for(&rx, &PrinterState::Ready);
    printer.print(&slip()).unwrap();
    wait_for(&rx, &PrinterState::NotResponding);
    // Still stuck: slips are dropped, the queue never grows past its bound.
    let mut refused = 0;
    for _ in 0..50 {
        if printer.print(&slip()) == Err(Refused::QueueFull) {
            refused += 1;
        }
    }
    assert!(refused > 0, "the queue is bounded");
    assert_eq!(printer.state(), PrinterState::NotResponding);

    // Someone reads the FIFO at last: the stuck write ends and printing comes back.
    let (slips, read) = mpsc::channel();
    std::thread::spawn(move || loop {
        let Ok(bytes) = std::fs::read(&device) else {
            return;
        };
        if slips.send(bytes).is_err() {
            return;
        }
    });
    let first = read.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(common::decode(&first).cut);
    wait_for(&rx, &PrinterState::Ready);
    drop(read);
}

#[test]
fn a_print_command_that_hangs_is_killed_and_one_that_works_gets_the_text() {
    let (printer, rx) = start(Output::Command("sleep 60".into()));
    printer.print(&slip()).unwrap();
    wait_for(&rx, &PrinterState::NotResponding);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("printed.txt");
    let script = dir.path().join("print.sh");
    std::fs::write(&script, format!("#!/bin/sh\ncat > {}\n", out.display())).unwrap();
    let (printer, rx) = start(Output::Command(format!("sh {}", script.display())));
    printer.print(&slip()).unwrap();
    wait_for(&rx, &PrinterState::Ready);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&out).map_or(true, |t| !t.contains("Merci"))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("Un lampadaire ne marche plus\nLe mardi 1er décembre 2026"),
        "{text}"
    );
    assert!(text.contains("Code de suivi : K7M-4PQ"), "{text}");

    let (_printer, rx) = start(Output::Command("/nonexistent/print-command".into()));
    _printer.print(&slip()).unwrap();
    wait_for(&rx, &PrinterState::Absent);
}

/// The machine's end screen: « Imprimer » on a hung printer, then the machine's timer runs
/// out and the kiosk goes back to the attract screen as if nothing printed. The print hook
/// (what `kiosk run` hands the UI) returns at once; the test would wait forever otherwise,
/// so it runs on a thread with a bound.
#[test]
fn a_hung_printer_does_not_stop_the_idle_timer() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    mkfifo(&device);
    let (printer, states) = start(Output::Device(device.clone()));
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let mut machine = KioskMachine::new(
            KioskConfig {
                printer: true,
                flows: vec![opening_hours()],
                ..KioskConfig::default()
            },
            NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        );
        machine.start();
        machine.begin("horaires");
        // « Suivant », then the flow's end: the end screen, with its timer.
        let effects = machine.handle(KioskEvent::Touched("suivant".into()));
        let timer = effects.iter().rev().find_map(|e| match e {
            KioskEffect::SetTimer(t) => Some(*t),
            _ => None,
        });
        let mut printed = 0;
        for _ in 0..3 {
            for effect in machine.handle(KioskEvent::Print) {
                if let KioskEffect::Print(slip) = effect {
                    let _ = printer.print(&slip); // the appliance's print hook
                    printed += 1;
                }
            }
        }
        let after = machine.handle(KioskEvent::TimerFired);
        let _ = done.send((timer, printed, after, printer));
    });
    let (timer, printed, after, printer) = finished
        .recv_timeout(Duration::from_secs(20))
        .expect("the machine's thread was held up by the printer");
    assert!(timer.flatten().is_some(), "the end screen armed its timer");
    assert_eq!(printed, 3);
    assert!(
        machine_is_at_attract(&after),
        "the timer ended the end screen: {after:?}"
    );
    wait_for(&states, &PrinterState::NotResponding);
    assert_eq!(printer.state(), PrinterState::NotResponding);
    // Unblock the stuck write so the test leaves no thread behind.
    let _ = std::fs::read(&device);
}

/// A flow that sends nothing and ends on its second step.
fn opening_hours() -> std::sync::Arc<kiosk_flow::Flow> {
    let source = r#"
id: horaires
version: 1
title: Les horaires de la mairie
kind: procedure
service: accueil
description: Connaître les heures d'ouverture de la mairie.
steps:
  - id: horaires
    info: La mairie est ouverte du lundi au vendredi, de 9 heures à 12 heures.
  - id: fin
    end: Merci. Bonne journée.
"#;
    let loaded = kiosk_flow::load::load_flow(source, &kiosk_flow::Datasets::new());
    std::sync::Arc::new(loaded.value.expect("flow"))
}

fn machine_is_at_attract(effects: &[KioskEffect]) -> bool {
    effects.iter().any(|e| {
        matches!(e, KioskEffect::Show(view)
            if matches!(view.page, kiosk_flow::machine::PageView::Attract { .. }))
    })
}
