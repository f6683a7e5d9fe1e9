//! The home menu: which flow a citizen asked for, by voice.

use kiosk_flow::menu::home_menu;
use kiosk_flow::{load_flow, Datasets, Flow};

fn flow(id: &str, kind: &str, title: &str, description: &str) -> Flow {
    let yaml = format!(
        "id: {id}\nversion: 1\ntitle: {title}\nkind: {kind}\nservice: voirie\ndescription: {description}\nsteps:\n  - id: fin\n    end: Au revoir.\n"
    );
    let loaded = load_flow(&yaml, &Datasets::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    loaded.value.expect("flow")
}

fn flows() -> Vec<Flow> {
    vec![
        flow(
            "eclairage-public",
            "report",
            "Un lampadaire ne marche plus",
            "Signaler un lampadaire éteint, qui clignote ou qui est abîmé.",
        ),
        flow(
            "voirie",
            "report",
            "Un problème sur la route ou le trottoir",
            "Signaler un trou, un trottoir abîmé ou une plaque d'égout.",
        ),
        flow(
            "depot-sauvage",
            "report",
            "Des déchets jetés dehors",
            "Signaler des déchets abandonnés dans la rue ou dans la nature.",
        ),
        flow(
            "place-creche",
            "booking",
            "Demander une place en crèche",
            "Demander une place en crèche pour votre enfant.",
        ),
        flow(
            "salle-des-fetes",
            "booking",
            "Réserver la salle des fêtes",
            "Demander la salle des fêtes de votre commune pour une date.",
        ),
        flow(
            "rappel",
            "procedure",
            "Être rappelé par quelqu'un",
            "Une personne vous rappelle pour vous aider.",
        ),
    ]
}

#[test]
fn a_flow_is_chosen_by_title_by_a_distinctive_word_or_by_rank() {
    let flows = flows();
    let menu = home_menu(&flows);
    for (said, expected) in [
        ("un lampadaire ne marche plus", Some("eclairage-public")),
        ("signaler un lampadaire", Some("eclairage-public")),
        ("le lampadaire", Some("eclairage-public")),
        ("il y a un trou sur la route", Some("voirie")),
        ("des déchets", Some("depot-sauvage")),
        (
            "une place pour mon enfant à la crèche",
            Some("place-creche"),
        ),
        ("la salle des fêtes", Some("salle-des-fetes")),
        ("je veux qu'on me rappelle", Some("rappel")),
        ("le premier", Some("depot-sauvage")),
        // Words several entries share choose nothing.
        ("signaler", None),
        ("demander", None),
        ("bonjour", None),
        ("", None),
    ] {
        assert_eq!(menu.understand(said).as_deref(), expected, "{said:?}");
    }
}

#[test]
fn the_home_grammar_has_titles_and_distinctive_words_only() {
    let flows = flows();
    let phrases = home_menu(&flows).phrases();
    assert!(phrases.contains(&"un lampadaire ne marche plus".to_owned()));
    assert!(phrases.contains(&"lampadaire".to_owned()));
    assert!(phrases.contains(&"crèche".to_owned()) || phrases.contains(&"creche".to_owned()));
    assert!(!phrases.contains(&"signaler".to_owned()), "{phrases:?}");
}
