//! The ESC/POS bytes of a receipt, decoded back: every French letter in code page 858
//! selected with `ESC t 19`, the code in big letters, the title in bold, lines within the
//! paper's width, a cut at the end.
#![allow(clippy::unwrap_used)] // test helpers

mod common;

use chrono::NaiveDate;
use common::decode;
use kiosk_flow::machine::Printout;
use kiosk_printer::escpos::{receipt, BIG};

fn slip() -> Printout {
    Printout {
        title: "Refaire ma carte d'identité ou mon passeport".into(),
        receipt: Some("K7M-4PQ".into()),
        date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        commune: Some("Agnez-lès-Duisans".into()),
        body: vec![
            "Merci. Votre demande est enregistrée.".into(),
            "Un agent de l'état civil va vous rappeler.".into(),
        ],
        documents: vec![
            "Voici les papiers à apporter au rendez-vous.\nUne photo d'identité de moins de 6 mois.\nUn timbre fiscal de 86 €.".into(),
        ],
    }
}

#[test]
fn a_receipt_decodes_to_its_french_text_with_the_code_in_big_letters() {
    let bytes = receipt(&slip(), Some("Mairie de Duisans"), 32);
    let d = decode(&bytes);
    assert!(d.initialised, "starts with ESC @");
    assert_eq!(d.code_table, Some(19), "PC858 selected");
    assert!(d.unknown.is_empty(), "unexpected bytes {:x?}", d.unknown);
    assert!(d.cut, "ends with a cut");
    assert!(bytes.ends_with(&[0x1D, b'V', 66, 0]));

    let texts = d.texts();
    assert_eq!(texts[0], "Mairie de Duisans");
    // The title, wrapped at 32 columns, in bold and centred.
    assert_eq!(texts[2], "Refaire ma carte d'identité ou");
    assert_eq!(texts[3], "mon passeport");
    assert!(d.line("mon passeport").bold && d.line("mon passeport").centred);
    assert!(!d.line("Mairie de Duisans").bold);
    assert!(texts.contains(&"Le mardi 1er décembre 2026"), "{texts:#?}");
    assert!(texts.contains(&"Commune : Agnez-lès-Duisans"), "{texts:#?}");

    // The code: alone on its line, three times as big, centred; the rest at normal size.
    let code = d.line("K7M-4PQ");
    assert_eq!(code.size, BIG);
    assert!(code.centred);
    assert_eq!(d.lines.iter().filter(|l| l.size != 0).count(), 1);

    // What happens next and the documents, left-aligned.
    assert!(!d.line("Merci. Votre demande est").centred);
    assert!(texts.contains(&"À retenir :"), "{texts:#?}");
    assert!(d.line("À retenir :").bold);
    assert!(
        texts.contains(&"- Une photo d'identité de moins"),
        "{texts:#?}"
    );
    assert!(texts.contains(&"- Un timbre fiscal de 86 €."), "{texts:#?}");
    for line in &d.lines {
        assert!(line.text.chars().count() <= 32, "{line:?}");
    }
    // Every letter went through the code page: é is 0x82, è 0x8A, € 0xD5, never UTF-8.
    assert!(bytes.contains(&0x82) && bytes.contains(&0x8A) && bytes.contains(&0xD5));
    assert!(!bytes.windows(2).any(|w| w == "é".as_bytes()), "UTF-8 sent");
}

#[test]
fn a_slip_without_code_or_commune_has_no_big_line() {
    let notice = Printout::text(
        "Vos données personnelles",
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        "Qui : la mairie.\nPourquoi : traiter votre demande.",
    );
    let d = decode(&receipt(&notice, None, 48));
    assert_eq!(d.texts()[0], "Vos données personnelles");
    assert!(d.lines.iter().all(|l| l.size == 0));
    assert!(!d.texts().iter().any(|t| t.starts_with("Commune")));
    assert!(d.texts().contains(&"Pourquoi : traiter votre demande."));
}

#[test]
fn text_from_a_flow_cannot_inject_printer_commands() {
    let mut slip = slip();
    slip.body = vec!["Bonjour\u{1b}@\u{1d}V\u{42}\u{0}fin".into()];
    let d = decode(&receipt(&slip, None, 32));
    assert!(d.unknown.is_empty());
    assert!(d.texts().contains(&"Bonjour@VBfin"), "{:#?}", d.texts());
}
