//! A question with several answers on the touchscreen (the shipped bulky-waste pickup): tiles
//! that toggle and say « choisi », a « Valider » button that counts them and stays off until
//! enough are chosen, and a list filtered by the postcode touched before.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use common::*;
use i_slint_backend_testing::ElementHandle;
use kiosk_flow::runtime::Input;

fn labelled(k: &Kiosk, label: &str) -> usize {
    settle();
    ElementHandle::find_by_accessible_label(k.controller.window(), label).count()
}

#[test]
fn bulky_items_are_chosen_by_toggling_tiles_then_valider() {
    let k = kiosk(config());
    tap(&k, "Commencer");
    tap(&k, "Réserver");
    tap(&k, "Faire enlever des encombrants");
    assert_eq!(step(&k), "accueil");
    tap(&k, "Suivant");

    // The postcode, then only the communes of that postcode.
    assert_eq!(step(&k), "code-postal");
    tap(&k, "62111");
    assert_eq!(step(&k), "commune");
    let screen = k.controller.current_screen().unwrap();
    let names: Vec<&str> = screen.options.iter().map(|o| o.label.as_str()).collect();
    assert_eq!(
        names,
        [
            "Bienvillers-au-Bois",
            "Hannescamps",
            "Monchy-au-Bois",
            "Pommier"
        ]
    );
    tap(&k, "Pommier");

    assert_eq!(step(&k), "objets");
    // Nothing chosen: « Valider » cannot be touched yet.
    tap(&k, "Valider");
    assert_eq!(step(&k), "objets");
    tap(&k, "Des meubles");
    assert_eq!(labelled(&k, "Des meubles, choisi"), 1);
    tap(&k, "Des planches");
    tap(&k, "De la ferraille");
    // A second touch takes a tile out.
    tap(&k, "Des planches, choisi");
    assert_eq!(labelled(&k, "Des planches, choisi"), 0);
    match k.controller.current_screen().unwrap().input {
        Input::Choices { selected, .. } => assert_eq!(selected, ["meubles", "ferraille"]),
        other => panic!("{other:?}"),
    }
    tap(&k, "Valider (2 choix)");
    assert_eq!(step(&k), "quantite");
}
