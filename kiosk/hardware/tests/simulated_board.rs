//! The simulated board over its Unix socket, with the real kiosk machine behind it: the lines a
//! test writes become the machine's events, the machine's effects drive the light, and the
//! light is read back over the same socket.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use kiosk_flow::machine::{
    KioskConfig, KioskEffect, KioskEvent, KioskMachine, PageView, PanelButton, Press,
};
use kiosk_flow::{load_flow, Datasets};
use kiosk_hardware::{Board, BoardChoice, BoardKind, HardwareConfig, Light, LightFollower};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use std::time::Duration;

const OPENING_HOURS: &str = r#"
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

fn simulated_board(dir: &Path) -> (Board, Receiver<KioskEvent>) {
    let (sender, events) = mpsc::channel();
    let sender = std::sync::Mutex::new(sender);
    let config = HardwareConfig {
        board: BoardChoice::Simulated,
        ..HardwareConfig::default()
    };
    let board = Board::start(
        &config,
        dir,
        Arc::new(move |event| {
            let _ = sender.lock().unwrap().send(event);
        }),
    )
    .expect("the simulated board starts");
    (board, events)
}

/// A client of the socket: one line out, one line back.
struct Panel {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
}

impl Panel {
    fn connect(board: &Board) -> Panel {
        let stream = UnixStream::connect(board.socket().expect("a socket")).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        Panel {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn send(&mut self, line: &str) -> String {
        writeln!(self.writer, "{line}").unwrap();
        let mut answer = String::new();
        self.reader.read_line(&mut answer).unwrap();
        answer.trim().to_owned()
    }
}

/// A host as small as can be: the machine, the light follower, and the board.
struct Kiosk {
    machine: KioskMachine,
    follower: LightFollower,
    board: Board,
    events: Receiver<KioskEvent>,
}

impl Kiosk {
    fn new(dir: &Path, can_send: bool) -> Kiosk {
        let flow = load_flow(OPENING_HOURS, &Datasets::new())
            .value
            .expect("the flow loads");
        let config = KioskConfig {
            flows: vec![Arc::new(flow)],
            can_send,
            ..KioskConfig::default()
        };
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let (board, events) = simulated_board(dir);
        let mut kiosk = Kiosk {
            machine: KioskMachine::new(config, today),
            follower: LightFollower::new(),
            board,
            events,
        };
        let effects = kiosk.machine.start();
        kiosk.carry_out(&effects);
        kiosk
    }

    fn carry_out(&mut self, effects: &[KioskEffect]) {
        for effect in effects {
            self.follower.effect(effect);
        }
        self.board.light().set(self.follower.light());
    }

    /// The next event the board sent, handled by the machine.
    fn next(&mut self) -> (KioskEvent, Vec<KioskEffect>) {
        let event = self
            .events
            .recv_timeout(Duration::from_secs(10))
            .expect("the board sends the event");
        let effects = self.machine.handle(event.clone());
        self.carry_out(&effects);
        (event, effects)
    }
}

fn listens(effects: &[KioskEffect]) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, KioskEffect::Listen { .. }))
}

#[test]
fn every_line_is_its_event_and_a_wrong_line_says_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let (board, events) = simulated_board(dir.path());
    assert_eq!(board.kind(), BoardKind::Simulated);
    let mut panel = Panel::connect(&board);
    for (line, expected) in [
        ("parler", "Button { button: Talk, press: Short }"),
        ("parler long", "Button { button: Talk, press: Long }"),
        ("aide", "Button { button: Help, press: Short }"),
        ("  aide   long ", "Button { button: Help, press: Long }"),
        ("presence 1", "Presence(true)"),
        ("présence 0", "Presence(false)"),
    ] {
        assert_eq!(panel.send(line), "ok", "{line}");
        let event = events.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(format!("{event:?}"), expected);
    }
    let answer = panel.send("parler fort");
    assert!(
        answer.starts_with("erreur : ligne inconnue « parler fort »"),
        "{answer}"
    );
    assert!(answer.contains("aide long"), "{answer}");
    assert!(events.try_recv().is_err(), "nothing sent for a wrong line");
    assert_eq!(panel.send("led"), "led off");
    board.light().set(Light::Speaking);
    assert_eq!(panel.send("led"), "led speaking");

    // Dropped: the socket is gone; a stale file left by a killed kiosk is replaced.
    let socket = board.socket().unwrap().to_path_buf();
    drop(board);
    assert!(!socket.exists());
    std::fs::write(&socket, "").unwrap();
    let (board, _events) = simulated_board(dir.path());
    assert_eq!(Panel::connect(&board).send("led"), "led off");
}

#[test]
fn presence_wakes_the_attract_screen_and_parler_starts_listening() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::new(dir.path(), true);
    let mut panel = Panel::connect(&kiosk.board);
    assert_eq!(panel.send("led"), "led idle");

    panel.send("presence 1");
    let (_, effects) = kiosk.next();
    let shown = effects.iter().rev().find_map(|e| match e {
        KioskEffect::Show(view) => Some(&view.page),
        _ => None,
    });
    assert!(matches!(shown, Some(PageView::Home(_))), "{effects:?}");
    // The greeting is being said.
    assert_eq!(panel.send("led"), "led speaking");
    kiosk.follower.done_speaking();
    kiosk.board.light().set(kiosk.follower.light());
    assert_eq!(panel.send("led"), "led listening");

    // The kiosk speaks again (the home menu repeated); « Parler » cuts it and listens.
    let effects = kiosk
        .machine
        .handle(KioskEvent::Command(kiosk_flow::understand::Command::Repeat));
    kiosk.carry_out(&effects);
    assert_eq!(panel.send("led"), "led speaking");
    panel.send("parler");
    let (event, effects) = kiosk.next();
    assert!(matches!(
        event,
        KioskEvent::Button {
            button: PanelButton::Talk,
            press: Press::Short
        }
    ));
    assert!(
        matches!(effects.first(), Some(KioskEffect::Hush)),
        "{effects:?}"
    );
    assert!(listens(&effects), "{effects:?}");
    assert_eq!(panel.send("led"), "led listening");

    // The voice reports it cannot hear: the light says so.
    let effects = kiosk.machine.handle(KioskEvent::Voice {
        hearing: false,
        speaking: true,
    });
    kiosk.carry_out(&effects);
    assert_eq!(panel.send("led"), "led error");
}

#[test]
fn a_long_press_of_aide_queues_a_call_for_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut kiosk = Kiosk::new(dir.path(), true);
    let mut panel = Panel::connect(&kiosk.board);
    panel.send("parler");
    kiosk.next();
    panel.send("aide long");
    let (_, effects) = kiosk.next();
    let calls: Vec<_> = effects
        .iter()
        .filter(|e| matches!(e, KioskEffect::CallForHelp { .. }))
        .collect();
    assert_eq!(
        calls,
        [&KioskEffect::CallForHelp {
            flow_id: "accueil".into(),
            step_id: "menu".into()
        }]
    );
}

#[test]
fn a_machine_without_gpio_gets_the_simulated_board_or_none_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let start = |board| {
        let config = HardwareConfig {
            board,
            ..HardwareConfig::default()
        };
        Board::start(&config, dir.path(), Arc::new(|_| {}))
    };
    // This test machine has no Raspberry Pi GPIO (with the feature `gpio` or without).
    let auto = start(BoardChoice::Auto).expect("a board");
    assert_eq!(auto.kind(), BoardKind::Simulated);
    drop(auto);
    assert!(start(BoardChoice::Gpio).is_none());
    assert!(start(BoardChoice::None).is_none());
    // A data folder where no socket can be made: no board, no panic.
    let config = HardwareConfig {
        board: BoardChoice::Simulated,
        ..HardwareConfig::default()
    };
    assert!(Board::start(&config, Path::new("/nonexistent/folder"), Arc::new(|_| {})).is_none());
}
