//! One-button mode on the touchscreen: the item the machine highlights gets a thick focus ring
//! (a `FocusRing` around the button), on the page and in the scan's strip (marked « ▶ »), and
//! the ring follows the scan step and the presses of « Parler ».
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use common::*;
use i_slint_backend_testing::ElementHandle;
use kiosk_flow::machine::{KioskEvent, PanelButton, Press};
use kiosk_ui::{Focus, Page, UiConfig};
use slint::ComponentHandle;

fn one_button_config() -> UiConfig {
    UiConfig {
        one_button: true,
        ..config()
    }
}

fn press(k: &Kiosk) {
    k.controller.event(KioskEvent::Button {
        button: PanelButton::Talk,
        press: Press::Short,
    });
    settle();
}

/// The scan step runs out (the machine's one timer).
fn tick(k: &Kiosk) {
    k.controller.time_out();
    settle();
}

/// The buttons labelled `label` that have a focus ring around them.
fn ringed(k: &Kiosk, label: &str) -> usize {
    settle();
    let window = k.controller.window();
    let rings: Vec<ElementHandle> =
        ElementHandle::find_by_element_type_name(window, "FocusRing").collect();
    ElementHandle::find_by_accessible_label(window, label)
        .filter(|e| e.accessible_role() == Some(i_slint_backend_testing::AccessibleRole::Button))
        .filter(|button| {
            let (p, s) = (button.absolute_position(), button.size());
            rings.iter().any(|ring| {
                let (rp, rs) = (ring.absolute_position(), ring.size());
                // Around the button, and thick: wider than it by the ring's width.
                rp.x < p.x
                    && rp.y < p.y
                    && rp.x + rs.width > p.x + s.width
                    && rp.y + rs.height > p.y + s.height
                    && rs.width - s.width >= 6.0
            })
        })
        .count()
}

/// Lets the scan run until `id` is highlighted.
fn tick_to(k: &Kiosk, id: &str) {
    for _ in 0..20 {
        if focus(k) == id {
            return;
        }
        tick(k);
    }
    panic!("{id} never highlighted");
}

fn focus(k: &Kiosk) -> String {
    k.controller.window().global::<Focus>().get_id().to_string()
}

#[test]
fn the_focus_ring_follows_the_scan_and_the_presses() {
    let k = kiosk(one_button_config());
    assert!(k.controller.window().global::<Focus>().get_scanning());
    assert_eq!(focus(&k), "commencer");
    assert_eq!(ringed(&k, "▶ Commencer"), 1, "the strip's item is ringed");

    press(&k);
    assert_eq!(k.controller.page(), Page::Home);
    assert_eq!(focus(&k), "report");
    assert_eq!(ringed(&k, "Signaler un problème"), 1, "the tile is ringed");
    assert_eq!(ringed(&k, "▶ Signaler un problème"), 1);
    tick(&k);
    assert_eq!(focus(&k), "booking");
    assert_eq!(ringed(&k, "Signaler un problème"), 0);
    assert_eq!(ringed(&k, "Réserver"), 1);

    // Back to the reports, then the street light, then the communes' letter groups.
    tick_to(&k, "report");
    press(&k);
    tick_to(&k, "eclairage-public");
    assert_eq!(ringed(&k, "Un lampadaire ne marche plus"), 1);
    press(&k);
    assert_eq!(step(&k), "accueil");
    assert_eq!(ringed(&k, "Suivant"), 1);
    press(&k);
    assert_eq!(step(&k), "commune");
    assert_eq!(focus(&k), "groupe:A–B");
    assert_eq!(
        ringed(&k, "Lettre A–B"),
        1,
        "the letter filter shows the scan's groups"
    );
    press(&k);
    // The group opened: its names only, the first one ringed.
    let first = k.controller.current_screen().unwrap().options[0]
        .label
        .clone();
    assert_eq!(first, "Adinfer");
    // More than twelve names: runs of names first, in the strip.
    assert!(focus(&k).starts_with("groupe:De Adinfer"), "{}", focus(&k));
    press(&k);
    assert_eq!(focus(&k), "62009");
    assert_eq!(ringed(&k, "Adinfer"), 1);
    assert_eq!(ringed(&k, "▶ Adinfer"), 1);
    assert_eq!(
        ElementHandle::find_by_accessible_label(k.controller.window(), "Tincques").count(),
        0
    );
}

#[test]
fn the_settings_panel_turns_the_mode_on_and_off() {
    let k = kiosk(config());
    tap(&k, "Commencer");
    assert!(!k.controller.window().global::<Focus>().get_scanning());
    tap(&k, "Réglages");
    tap(&k, "Activer");
    assert!(k.controller.window().global::<Focus>().get_scanning());
    assert_eq!(
        k.controller
            .window()
            .global::<kiosk_ui::Kiosk>()
            .get_scan_speed_label(),
        "2 s par choix"
    );
    tap(&k, "Plus lent");
    assert_eq!(
        k.controller
            .window()
            .global::<kiosk_ui::Kiosk>()
            .get_scan_speed_label(),
        "3 s par choix"
    );
    tap(&k, "Arrêter");
    assert!(!k.controller.window().global::<Focus>().get_scanning());
}
