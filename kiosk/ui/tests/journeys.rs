//! The street-light report end to end on Slint's testing backend, with the shipped flow
//! and a real SQLite store: by touch only, by voice only; the idle timeout; a call for
//! help; the supervisor's long press and PIN.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use common::*;
use kiosk_flow::machine::Printout;
use kiosk_ui::{Kiosk as KioskGlobal, Page, UiConfig, VoiceCall};
use slint::platform::{PointerEventButton, WindowEvent};
use slint::{ComponentHandle, LogicalPosition};
use std::time::Duration;

fn receipt(k: &Kiosk) -> String {
    k.controller
        .window()
        .global::<KioskGlobal>()
        .get_receipt()
        .to_string()
}

#[test]
fn street_light_report_by_touch_only() {
    let k = kiosk(config());
    assert_eq!(k.controller.page(), Page::Attract);
    tap(&k, "Commencer");
    assert_eq!(k.controller.page(), Page::Home);
    // The kinds first, every one in sight at 800x480, then the flows of a kind.
    for kind in [
        "Signaler un problème",
        "Réserver",
        "Faire une démarche",
        "Où en est ma demande ?",
    ] {
        assert_eq!(buttons_labelled(&k, kind), 1, "{kind}");
    }
    tap(&k, "Signaler un problème");
    tap(&k, "Un lampadaire ne marche plus");
    assert_eq!(step(&k), "accueil");
    tap(&k, "Suivant");

    // 96 communes: filter by first letter, then touch the name.
    assert_eq!(step(&k), "commune");
    tap_letter(&k, 'D');
    tap(&k, "Duisans");

    // What happens to the answers: the short notice, the full text one touch away, then on.
    assert_eq!(step(&k), "vos-données");
    tap(&k, "Lire en entier");
    assert_eq!(step(&k), "vos-données-en-entier");
    let text = k.controller.current_screen().unwrap().text;
    assert!(text.contains("CNIL"), "{text}");
    tap(&k, "Suivant");

    // Free text on the AZERTY keyboard, read back, confirmed.
    assert_eq!(step(&k), "lieu");
    type_keys(&k, "place de la mairie");
    tap(&k, "⌫");
    type_keys(&k, "e");
    tap(&k, "Valider");
    let screen = k.controller.current_screen().unwrap();
    assert!(
        screen.text.contains("place de la mairie"),
        "{}",
        screen.text
    );
    tap(&k, "Oui");

    assert_eq!(step(&k), "probleme");
    tap(&k, "Il clignote");
    assert_eq!(step(&k), "rappel");
    tap(&k, "Oui");

    // Phone number on the keypad, shown two by two, read back.
    assert_eq!(step(&k), "telephone");
    type_keys(&k, "0612345678");
    let typed = k.controller.window().global::<KioskGlobal>().get_typed();
    assert_eq!(typed, "06 12 34 56 78");
    tap(&k, "Valider");
    tap(&k, "Oui");

    assert_eq!(step(&k), "resume");
    let summary = k.controller.current_screen().unwrap().summary;
    assert!(summary.iter().any(|l| l.value == "Duisans"), "{summary:?}");
    assert_eq!(
        k.store.pending_count().unwrap(),
        0,
        "nothing sent before the summary is confirmed"
    );
    tap(&k, "Oui, c'est juste");

    assert_eq!(k.controller.page(), Page::Done);
    let code = receipt(&k);
    assert!(!code.is_empty());
    let entry = k
        .store
        .lookup_receipt(&code)
        .unwrap()
        .expect("the receipt is in the outbox");
    assert_eq!(k.store.pending_count().unwrap(), 1);
    // The sealed submission opens with the back end's key and holds the answers.
    let item = k
        .store
        .due(chrono::Utc::now() + chrono::Duration::days(1), 10)
        .unwrap();
    assert_eq!(item.len(), 1);
    let _ = entry;
    let upload = item[0].to_upload();
    let sealed = base64_decode(&upload.sealed);
    let plain = String::from_utf8(k.keys.open(&sealed).unwrap()).unwrap();
    assert!(plain.contains("Duisans"), "{plain}");
    assert!(plain.contains("0612345678"), "{plain}");
    assert!(plain.contains("clignote"), "{plain}");

    // The big code is on screen.
    let shown: Vec<_> = i_slint_backend_testing::ElementHandle::find_by_accessible_label(
        k.controller.window(),
        "Code de suivi",
    )
    .collect();
    assert_eq!(shown[0].accessible_value().unwrap(), code.as_str());

    tap(&k, "J'ai terminé");
    assert_eq!(k.controller.page(), Page::Attract);
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn street_light_report_by_voice_only() {
    let k = kiosk(config());
    k.controller.heard("bonjour");
    assert_eq!(k.controller.page(), Page::Home);
    assert!(k
        .voice
        .said()
        .last()
        .unwrap()
        .contains("Que voulez-vous faire"));
    k.controller.heard("un lampadaire ne marche plus");
    assert_eq!(step(&k), "accueil");
    k.controller.partial("sui");
    assert_eq!(
        k.controller.window().global::<KioskGlobal>().get_heard(),
        "sui"
    );
    for (said, next) in [
        ("suivant", "commune"),
        ("à duisans", "vos-données"),
        ("suivant", "lieu"),
        ("devant le douze rue de l'église", "lieu"),
        ("oui", "probleme"),
        ("il ne s'allume plus", "rappel"),
        ("oui", "telephone"),
        (
            "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
            "telephone",
        ),
        ("oui", "resume"),
    ] {
        k.controller.heard(said);
        assert_eq!(step(&k), next, "after {said:?}");
    }
    // The grammar of the summary is yes/no.
    let grammar = k.voice.last_grammar().unwrap().unwrap();
    assert!(grammar.iter().any(|p| p == "oui"));
    k.controller.heard("oui");
    assert_eq!(k.controller.page(), Page::Done);
    let code = receipt(&k);
    assert!(k.store.lookup_receipt(&code).unwrap().is_some());
    // The code is said, spelled.
    let last = k.voice.said().join(" ");
    let spelled: Vec<String> = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_string())
        .collect();
    assert!(last.contains(&spelled.join(", ")), "{last}");
}

#[test]
fn misunderstanding_shows_a_notice_and_keeps_the_step() {
    let k = kiosk(config());
    open_street_light(&k);
    tap(&k, "Suivant");
    k.controller.heard("la voiture rouge");
    assert_eq!(step(&k), "commune");
    let notice = k.controller.window().global::<KioskGlobal>().get_notice();
    assert!(notice.contains("pas compris"), "{notice}");
    k.controller.no_speech();
    let notice = k.controller.window().global::<KioskGlobal>().get_notice();
    assert!(
        notice.contains("toucher"),
        "second miss suggests touch: {notice}"
    );
}

#[test]
fn idle_timeout_wipes_the_session() {
    let mut cfg = config();
    cfg.idle_timeout = Duration::from_secs(20);
    cfg.idle_countdown = Duration::from_secs(5);
    let k = kiosk(cfg);
    open_street_light(&k);
    tap(&k, "Suivant");
    tap_letter(&k, 'D');
    tap(&k, "Duisans");
    tap(&k, "Suivant");
    assert_eq!(step(&k), "lieu");
    let g = || k.controller.window().global::<KioskGlobal>();

    // Still there: the question, then "oui" brings the step back.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(19_000));
    assert!(!g().get_idle_prompt());
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1_500));
    assert!(g().get_idle_prompt());
    assert_eq!(g().get_idle_seconds(), 5);
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1_000));
    assert_eq!(g().get_idle_seconds(), 4);
    k.controller.heard("oui je suis là");
    assert!(!g().get_idle_prompt());
    assert_eq!(step(&k), "lieu");

    // Speech counts as activity: the timer starts again when the kiosk stops talking.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(15_000));
    k.controller.done_speaking();
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(15_000));
    assert!(!g().get_idle_prompt());

    // Nobody: the question, the countdown, then everything is wiped.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(6_000));
    assert!(g().get_idle_prompt());
    for _ in 0..5 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1_000));
    }
    assert_eq!(k.controller.page(), Page::Attract);
    assert!(!g().get_idle_prompt());
    assert_eq!(k.controller.step_id(), None);
    assert!(k.controller.current_screen().is_none());
    assert_eq!(g().get_step_text(), "");
    assert!(!k.controller.has_session(), "the session is wiped");
    let said = k.voice.said();
    assert!(
        said.last().unwrap().contains("Vos réponses sont effacées"),
        "{said:?}"
    );
    // Listening again for the next person, with the attract screen's grammar.
    match k.voice.calls().last() {
        Some(VoiceCall::Listen(Some(grammar))) => {
            assert!(grammar.iter().any(|p| p == "bonjour"), "{grammar:?}")
        }
        other => panic!("not listening for the next person: {other:?}"),
    }
    assert_eq!(k.store.pending_count().unwrap(), 0);
}

#[test]
fn call_for_help_is_queued_for_the_ambassadors() {
    let k = kiosk(config());
    open_street_light(&k);
    tap(&k, "Suivant");
    tap(&k, "Appeler quelqu'un");
    let calls = k
        .store
        .due_help_calls(chrono::Utc::now() + chrono::Duration::days(1), 10)
        .unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].flow_id, "eclairage-public");
    assert_eq!(calls[0].step_id, "commune");
    // Said and captioned, and the step is still there.
    assert!(k
        .voice
        .said()
        .last()
        .unwrap()
        .contains("Votre appel est noté"));
    assert!(!k.voice.said().join(" ").contains("J'appelle quelqu'un"));
    assert!(k
        .controller
        .window()
        .global::<KioskGlobal>()
        .get_show_caption());
    assert_eq!(step(&k), "commune");
}

fn hold_corner(k: &Kiosk, millis: u64) {
    let w = k.controller.window().window();
    let position = LogicalPosition::new(20.0, 15.0);
    w.dispatch_event(WindowEvent::PointerPressed {
        position,
        button: PointerEventButton::Left,
    });
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(millis));
    w.dispatch_event(WindowEvent::PointerReleased {
        position,
        button: PointerEventButton::Left,
    });
    settle();
}

#[test]
fn supervisor_needs_a_long_press_and_the_pin() {
    let k = kiosk(config());
    open_street_light(&k);
    hold_corner(&k, 800);
    assert_eq!(
        k.controller.page(),
        Page::Step,
        "a short press does nothing"
    );
    hold_corner(&k, 3_100);
    assert_eq!(k.controller.page(), Page::Pin);
    assert!(!k.controller.has_session(), "the PIN pad ends the visit");

    type_keys(&k, "1357");
    tap(&k, "Valider");
    assert_eq!(k.controller.page(), Page::Pin);
    let message = k
        .controller
        .window()
        .global::<KioskGlobal>()
        .get_pin_message();
    assert!(message.contains("incorrect"));

    type_keys(&k, "2468");
    tap(&k, "Valider");
    assert_eq!(k.controller.page(), Page::Supervisor);
    k.controller.set_status(kiosk_ui::KioskStatus {
        network: Some(false),
        ..Default::default()
    });
    let lines = k.controller.window().global::<KioskGlobal>().get_status();
    use slint::Model;
    let lines: Vec<_> = lines.iter().collect();
    assert!(lines
        .iter()
        .any(|l| l.label == "Réseau" && l.value == "hors ligne" && !l.ok));
    assert!(lines
        .iter()
        .any(|l| l.label == "Demandes à envoyer" && l.value == "0"));
    tap(&k, "Tester le micro");
    tap(&k, "Tester le haut-parleur");
    let calls = k.voice.calls();
    assert!(calls.contains(&VoiceCall::TestMicrophone) && calls.contains(&VoiceCall::TestSpeaker));
    tap(&k, "Fermer");
    assert_eq!(k.controller.page(), Page::Attract);
}

#[test]
fn pin_pad_left_alone_ends_on_the_attract_screen_with_nothing_left() {
    let k = kiosk(config());
    open_street_light(&k);
    tap(&k, "Suivant");
    tap_letter(&k, 'D');
    tap(&k, "Duisans");
    tap(&k, "Suivant");
    assert_eq!(step(&k), "lieu");
    hold_corner(&k, 3_100);
    assert_eq!(k.controller.page(), Page::Pin);
    type_keys(&k, "12");
    // Nobody touches the PIN pad: the supervisor timeout ends on the attract screen.
    i_slint_backend_testing::mock_elapsed_time(Duration::from_secs(121));
    settle();
    assert_eq!(k.controller.page(), Page::Attract);
    assert!(!k.controller.has_session());
    // The next person starts afresh: no way back to Duisans.
    open_street_light(&k);
    assert_eq!(step(&k), "accueil");
    tap(&k, "Suivant");
    assert_eq!(step(&k), "commune");
}

#[test]
fn without_a_microphone_the_screen_says_to_touch() {
    let k = kiosk(config());
    k.controller.voice_available(false, true);
    let before = k.voice.calls().len();
    tap(&k, "Commencer");
    let g = k.controller.window().global::<KioskGlobal>();
    assert!(!g.get_hearing());
    assert!(!g.get_listening(), "no listening indicator");
    assert!(
        !k.voice.calls()[before..]
            .iter()
            .any(|c| matches!(c, VoiceCall::Listen(_))),
        "no listening once the kiosk knows it cannot hear"
    );
    let shown: Vec<_> = i_slint_backend_testing::ElementHandle::find_by_accessible_label(
        k.controller.window(),
        "Touchez l'écran pour répondre",
    )
    .collect();
    assert!(!shown.is_empty(), "the header says to touch");
}

/// From the attract screen, by touch: the reports, then the street-light flow.
/// How many buttons with this label are on the screen.
fn buttons_labelled(k: &Kiosk, label: &str) -> usize {
    settle();
    i_slint_backend_testing::ElementHandle::find_by_accessible_label(k.controller.window(), label)
        .filter(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .count()
}

#[test]
fn an_optional_question_has_a_passer_button_and_is_sent_as_not_given() {
    let k = kiosk(config());
    tap(&k, "Commencer");
    tap(&k, "Signaler un problème");
    tap(&k, "Des déchets jetés dehors");
    tap(&k, "Suivant");
    assert_eq!(step(&k), "commune");
    assert_eq!(
        buttons_labelled(&k, "Passer"),
        0,
        "the commune is not optional"
    );
    tap_letter(&k, 'D');
    tap(&k, "Duisans");
    // What happens to the answers, before the first personal one.
    tap(&k, "Suivant");
    type_keys(&k, "fosse");
    tap(&k, "Valider");
    tap(&k, "Oui");
    assert_eq!(step(&k), "dechets");
    tap(&k, "Des pneus");

    // The optional quantity: the toolbar's Passer button, within the 800x480 screen.
    assert_eq!(step(&k), "volume");
    // Six buttons: Réglages keeps its name (shown as an icon at 800x480).
    assert_eq!(buttons_labelled(&k, "Réglages"), 1);
    tap(&k, "Passer");
    assert_eq!(step(&k), "rappel");
    assert_eq!(buttons_labelled(&k, "Passer"), 0);
    tap(&k, "Non");

    assert_eq!(step(&k), "resume");
    let summary = k.controller.current_screen().unwrap().summary;
    assert!(
        summary
            .iter()
            .any(|l| l.label == "Quantité" && l.value == "non renseigné"),
        "{summary:?}"
    );
    tap(&k, "Oui, c'est juste");
    assert_eq!(k.controller.page(), Page::Done);
    let item = k
        .store
        .due(chrono::Utc::now() + chrono::Duration::days(1), 10)
        .unwrap();
    let sealed = base64_decode(&item[0].to_upload().sealed);
    let plain = String::from_utf8(k.keys.open(&sealed).unwrap()).unwrap();
    assert!(
        plain.contains(
            r#""step_id":"volume","label":"Quantité","value":null,"display":"non renseigné""#
        ),
        "{plain}"
    );
}

fn open_street_light(k: &Kiosk) {
    tap(k, "Commencer");
    tap(k, "Signaler un problème");
    tap(k, "Un lampadaire ne marche plus");
}

/// Taps the letter filter's button holding this initial ("D", or a group such as "D–F").
fn tap_letter(k: &Kiosk, initial: char) {
    use slint::Model;
    settle();
    let letters = k.controller.window().global::<KioskGlobal>().get_letters();
    let label = letters
        .iter()
        .map(|l| l.to_string())
        .find(|l| {
            let mut bounds = l.split('–').filter_map(|b| b.chars().next());
            match (bounds.next(), bounds.next()) {
                (Some(a), Some(b)) => a <= initial && initial <= b,
                (Some(a), None) => a == initial,
                _ => false,
            }
        })
        .unwrap_or_else(|| panic!("no letter button for {initial}"));
    tap(k, &format!("Lettre {label}"));
    // A group of initials ("C–G") opens on its initials: then the letter itself.
    if label.contains('–') {
        tap(k, &format!("Lettre {initial}"));
    }
}

#[test]
fn settings_change_text_contrast_and_voice() {
    let k = kiosk(config());
    tap(&k, "Commencer");
    tap(&k, "Réglages");
    tap(&k, "Plus grand");
    tap(&k, "Fort");
    tap(&k, "Plus lente");
    tap(&k, "Moins fort");
    let theme = k.controller.window().global::<kiosk_ui::Theme>();
    assert!(theme.get_high_contrast());
    assert!(theme.get_text_scale() > 1.0);
    let calls = k.voice.calls();
    assert!(calls.contains(&VoiceCall::Rate(0.85)));
    assert!(calls.contains(&VoiceCall::Volume(65)));
    tap(&k, "Fermer les réglages");
    // A new person gets the defaults back.
    k.controller
        .window()
        .global::<KioskGlobal>()
        .invoke_command("annuler".into());
    assert!(!theme.get_high_contrast());
    assert_eq!(theme.get_text_scale(), 1.0);
}

#[test]
fn the_privacy_notice_prints_in_full_when_the_kiosk_has_a_printer() {
    let k = kiosk(UiConfig {
        printer: true,
        ..config()
    });
    let printed = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Printout>::new()));
    let sink = printed.clone();
    k.controller
        .on_print(move |printout| sink.borrow_mut().push(printout.clone()));
    open_street_light(&k);
    tap(&k, "Suivant");
    tap_letter(&k, 'D');
    tap(&k, "Duisans");
    assert_eq!(step(&k), "vos-données");
    tap(&k, "Imprimer");
    let printed = printed.borrow();
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].receipt, None, "no receipt code on the notice");
    let text = printed[0].plain_text(None);
    assert!(text.starts_with("Vos données personnelles"), "{text}");
    assert!(text.contains("dpo@"), "{text}");
    assert_eq!(step(&k), "vos-données");
}

#[test]
fn the_front_panel_drives_the_kiosk_and_the_light_follows_it() {
    use kiosk_flow::machine::{KioskEvent, PanelButton, Press};
    use kiosk_ui::Light;
    use std::cell::RefCell;
    use std::rc::Rc;

    let k = kiosk(config());
    let seen = Rc::new(RefCell::new(Vec::new()));
    {
        let seen = Rc::clone(&seen);
        k.controller
            .on_light(move |light| seen.borrow_mut().push(light));
    }
    assert_eq!(*seen.borrow(), [Light::Idle], "the attract screen");

    // Someone arrives: the greeting is said, then the kiosk listens.
    k.controller.event(KioskEvent::Presence(true));
    assert_eq!(k.controller.page(), Page::Home);
    assert_eq!(k.controller.light(), Light::Speaking);
    k.controller.done_speaking();
    assert_eq!(k.controller.light(), Light::Listening);

    // « Parler » while the kiosk speaks: it stops and listens at once.
    tap(&k, "Signaler un problème");
    assert_eq!(k.controller.light(), Light::Speaking);
    let before = k.voice.calls().len();
    k.controller.event(KioskEvent::Button {
        button: PanelButton::Talk,
        press: Press::Short,
    });
    let calls = k.voice.calls()[before..].to_vec();
    assert_eq!(calls.first(), Some(&VoiceCall::StopSpeaking), "{calls:?}");
    assert!(
        matches!(calls.last(), Some(VoiceCall::Listen(Some(_)))),
        "{calls:?}"
    );
    assert_eq!(k.controller.light(), Light::Listening);
    k.controller.no_speech();

    // Held « Aide »: a call for help in the store.
    assert!(!k
        .controller
        .window()
        .global::<KioskGlobal>()
        .get_show_caption());
    k.controller.event(KioskEvent::Button {
        button: PanelButton::Help,
        press: Press::Long,
    });
    let calls = k
        .store
        .due_help_calls(chrono::Utc::now() + chrono::Duration::days(1), 10)
        .unwrap();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].step_id, "menu");
    // Said and captioned, as with the on-screen button.
    assert!(k
        .controller
        .window()
        .global::<KioskGlobal>()
        .get_show_caption());

    // The microphone is gone: the light says so.
    k.controller.voice_available(false, true);
    assert_eq!(k.controller.light(), Light::Error);
    assert_eq!(seen.borrow().last(), Some(&Light::Error));
}

/// The appliance's print hook on a hung printer (a FIFO nobody reads): « Imprimer » returns
/// at once and the controller's idle timer still asks « Vous êtes toujours là ? ».
#[test]
fn a_hung_printer_does_not_stop_the_idle_timer() {
    let dir = tempfile::tempdir().unwrap();
    let device = dir.path().join("lp0");
    let made = std::process::Command::new("mkfifo")
        .arg(&device)
        .status()
        .unwrap();
    assert!(made.success());
    let printer = kiosk_printer::Printer::start(
        kiosk_printer::PrinterSettings {
            timeout: Duration::from_millis(200),
            ..kiosk_printer::PrinterSettings::new(kiosk_printer::Output::Device(device.clone()))
        },
        |_| {},
    )
    .unwrap();
    let mut cfg = config();
    cfg.printer = true;
    cfg.idle_timeout = Duration::from_secs(20);
    let k = kiosk(cfg);
    k.controller.on_print(move |printout| {
        let _ = printer.print(printout);
    });
    open_street_light(&k);
    tap(&k, "Suivant");
    tap_letter(&k, 'D');
    tap(&k, "Duisans");
    assert_eq!(step(&k), "vos-données");
    for _ in 0..3 {
        tap(&k, "Imprimer");
    }
    let g = || k.controller.window().global::<KioskGlobal>();
    assert!(!g().get_idle_prompt());
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(21_000));
    assert!(
        g().get_idle_prompt(),
        "the idle timer ran while the printer hangs"
    );
    // Let the stuck write end.
    let _ = std::fs::read(&device);
}
