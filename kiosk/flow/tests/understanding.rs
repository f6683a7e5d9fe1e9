//! Runs the French understanding corpus (tests/data/understanding.tsv) and checks that
//! understanding never panics, whatever it is given.

use chrono::NaiveDate;
use kiosk_flow::load::parse_date_bound;
use kiosk_flow::menu::{Menu, MenuChoice, MenuEntry, MenuSection};
use kiosk_flow::model::{ChoiceOption, FlowKind};
use kiosk_flow::understand::{understand, DateWindow, Expected};

const CORPUS: &str = include_str!("data/understanding.tsv");

/// The fixed "today" of the corpus: Saturday 28 November 2026.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid date")
}

/// The street-light report's "what is wrong" options.
fn probleme() -> Vec<ChoiceOption> {
    vec![
        ChoiceOption::new(
            "eteint",
            "Il ne s'allume plus",
            &["éteint", "en panne", "ne marche plus", "ne fonctionne plus"],
        ),
        ChoiceOption::new(
            "clignote",
            "Il clignote",
            &["clignotant", "il s'allume et s'éteint"],
        ),
        ChoiceOption::new(
            "allume-jour",
            "Il reste allumé le jour",
            &["allumé en plein jour", "allumé la journée"],
        ),
        ChoiceOption::new(
            "abime",
            "Il est abîmé",
            &["cassé", "tordu", "penché", "tombé"],
        ),
    ]
}

/// Look-alike commune names (ids are made-up INSEE-like codes).
fn communes() -> Vec<ChoiceOption> {
    [
        ("62060", "Avesnes-le-Comte"),
        ("62061", "Avesnes-le-Sec"),
        ("62051", "Aubigny-en-Artois"),
        ("62282", "Duisans"),
        ("62817", "Tincques"),
        ("62649", "Pas-en-Artois"),
        ("62010", "Agnez-lès-Duisans"),
    ]
    .iter()
    .map(|(id, label)| ChoiceOption::new(id, label, &[]))
    .collect()
}

/// School classes, said as letters and numbers ("ce un", "cé aime deux").
fn classes() -> Vec<ChoiceOption> {
    vec![
        ChoiceOption::new("cp", "CP", &["cé pé"]),
        ChoiceOption::new("ce1", "CE1", &["ce un", "cé un"]),
        ChoiceOption::new("ce2", "CE2", &["ce deux", "cé deux"]),
        ChoiceOption::new("cm1", "CM1", &["cé aime un", "cm un"]),
        ChoiceOption::new("cm2", "CM2", &["cé aime deux", "cm deux"]),
    ]
}

/// A home menu of the shipped flows' titles (fixed here, so that new flows do not move the
/// corpus).
fn menu() -> Menu {
    let entry = |flow_id: &str, title: &str, description: &str| MenuEntry {
        flow_id: flow_id.into(),
        title: title.into(),
        description: description.into(),
        pictogram: None,
    };
    let section = |kind: FlowKind, entries: Vec<MenuEntry>| MenuSection {
        kind,
        heading: kind.menu_heading().into(),
        entries,
    };
    Menu {
        sections: vec![
            section(
                FlowKind::Report,
                vec![
                    entry(
                        "depot-sauvage",
                        "Des déchets jetés dehors",
                        "Signaler des déchets abandonnés dans la rue ou dans la nature.",
                    ),
                    entry(
                        "eclairage-public",
                        "Un lampadaire ne marche plus",
                        "Signaler un lampadaire éteint, qui clignote ou qui est abîmé.",
                    ),
                ],
            ),
            section(
                FlowKind::Booking,
                vec![
                    entry(
                        "place-creche",
                        "Demander une place en crèche",
                        "Demander une place en crèche pour votre enfant.",
                    ),
                    entry(
                        "salle-des-fetes",
                        "Réserver la salle des fêtes",
                        "Demander la salle des fêtes de votre commune pour une date.",
                    ),
                ],
            ),
            section(
                FlowKind::Procedure,
                vec![entry(
                    "rappel",
                    "Être rappelé par quelqu'un",
                    "Une personne vous rappelle pour vous aider.",
                )],
            ),
        ],
    }
}

/// The window of a date line: `EARLIEST..LATEST`, each side a flow bound (`today`,
/// `today-1y`, `2027-01-31`) or empty for no bound; an empty column is no bound at all.
fn date_window(spec: &str, line: usize) -> DateWindow {
    if spec.trim().is_empty() {
        return DateWindow::ANY;
    }
    let (earliest, latest) = spec
        .split_once("..")
        .unwrap_or_else(|| panic!("line {line}: date bounds are EARLIEST..LATEST, not {spec:?}"));
    let bound = |side: &str| {
        let side = side.trim();
        (!side.is_empty()).then(|| {
            parse_date_bound(side)
                .and_then(|b| b.resolve(today()))
                .unwrap_or_else(|| panic!("line {line}: bad date bound {side:?}"))
        })
    };
    DateWindow {
        earliest: bound(earliest),
        latest: bound(latest),
    }
}

/// What the home screen makes of an utterance, as the kiosk machine does: a command first,
/// then a flow (its id), a kind (`kind:booking`) or the status lookup (`suivi`).
fn understand_menu(menu: &Menu, utterance: &str) -> (serde_json::Value, serde_json::Value) {
    if let Some(command) = understand(Expected::Text, utterance, today()).command {
        return (serde_json::Value::Null, command.name().into());
    }
    let value = match menu.understand_choice(utterance) {
        Some(MenuChoice::Flow(id)) => id.into(),
        Some(MenuChoice::Kind(kind)) => format!("kind:{}", kind.keyword()).into(),
        Some(MenuChoice::Status) => "suivi".into(),
        None => serde_json::Value::Null,
    };
    (value, serde_json::Value::Null)
}

struct Case {
    line: usize,
    kind: String,
    options: String,
    utterance: String,
    value: serde_json::Value,
    command: serde_json::Value,
}

fn parse_corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    for (i, raw) in CORPUS.lines().enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(
            cols.len() >= 5,
            "line {}: expected at least 5 tab-separated columns, got {}: {line:?}",
            i + 1,
            cols.len()
        );
        let json = |s: &str, what: &str| -> serde_json::Value {
            serde_json::from_str(s.trim())
                .unwrap_or_else(|e| panic!("line {}: bad {what} JSON {s:?}: {e}", i + 1))
        };
        cases.push(Case {
            line: i + 1,
            kind: cols[0].to_string(),
            options: cols[1].to_string(),
            utterance: cols[2].to_string(),
            value: json(cols[3], "expected_value"),
            command: match cols[4].trim() {
                "" | "null" => serde_json::Value::Null,
                name => serde_json::Value::String(name.to_string()),
            },
        });
    }
    cases
}

#[test]
fn corpus() {
    let probleme = probleme();
    let communes = communes();
    let classes = classes();
    let menu = menu();
    let cases = parse_corpus();
    assert!(
        cases.len() >= 150,
        "the corpus should have at least 150 cases, it has {}",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let expected = match case.kind.as_str() {
            "yes_no" => Expected::YesNo,
            "number" => Expected::Number,
            "phone" => Expected::Phone,
            "date" => Expected::Date(date_window(&case.options, case.line)),
            "time" => Expected::Time,
            "email" => Expected::Email,
            "text" => Expected::Text,
            "name" => Expected::Name,
            "choice" => match case.options.as_str() {
                "probleme" => Expected::Choice(&probleme),
                "communes" => Expected::Choice(&communes),
                "classes" => Expected::Choice(&classes),
                other => panic!("line {}: unknown option set {other:?}", case.line),
            },
            "menu" => Expected::Text,
            other => panic!("line {}: unknown kind {other:?}", case.line),
        };
        let (got_value, got_command) = if case.kind == "menu" {
            understand_menu(&menu, &case.utterance)
        } else {
            let got = understand(expected, &case.utterance, today());
            (
                got.value
                    .as_ref()
                    .map_or(serde_json::Value::Null, |v| v.to_json()),
                got.command
                    .map_or(serde_json::Value::Null, |c| c.name().into()),
            )
        };
        if got_value != case.value || got_command != case.command {
            failures.push(format!(
                "line {}: {} {:?}: expected value {} command {}, got value {} command {}",
                case.line,
                case.kind,
                case.utterance,
                case.value,
                case.command,
                got_value,
                got_command
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_covers_every_kind_and_command() {
    let cases = parse_corpus();
    for kind in [
        "yes_no", "number", "phone", "date", "time", "email", "text", "name", "choice", "menu",
    ] {
        let n = cases.iter().filter(|c| c.kind == kind).count();
        assert!(n >= 12, "only {n} cases for {kind}");
    }
    for command in [
        "repeat", "help", "back", "restart", "cancel", "slower", "louder", "human", "skip",
    ] {
        let n = cases.iter().filter(|c| c.command == command).count();
        assert!(n >= 3, "only {n} cases for the {command} command");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "zéro",
        "un",
        "une",
        "deux",
        "six",
        "dix",
        "douze",
        "vingt",
        "et",
        "soixante",
        "quatre",
        "cent",
        "mille",
        "milliard",
        "million",
        "premier",
        "deuxième",
        "moins",
        "plus",
        "heures",
        "h",
        "midi",
        "minuit",
        "quart",
        "demie",
        "le",
        "la",
        "mars",
        "février",
        "mardi",
        "prochain",
        "dans",
        "jours",
        "semaines",
        "il",
        "y",
        "a",
        "arobase",
        "point",
        "tiret",
        "bas",
        "oui",
        "non",
        "pas",
        "répète",
        "aide",
        "retour",
        "avesnes",
        "comte",
        "allumé",
        "-",
        "+",
        "/",
        ":",
        "@",
        ".",
        "'",
        "1er",
        "99999999999999999999",
        "14h30",
        "31/02/2020",
        "0033",
        "+33",
        "é",
        "",
        " ",
        "dernier",
        "numéro",
    ];

    fn kinds<'a>(options: &'a [ChoiceOption]) -> [Expected<'a>; 10] {
        let past = DateWindow {
            earliest: None,
            latest: Some(today()),
        };
        [
            Expected::YesNo,
            Expected::Number,
            Expected::Phone,
            Expected::Email,
            Expected::Date(DateWindow::ANY),
            Expected::Date(past),
            Expected::Time,
            Expected::Text,
            Expected::Name,
            Expected::Choice(options),
        ]
    }

    proptest! {
        #[test]
        fn on_arbitrary_strings(s in any::<String>()) {
            let options = probleme();
            for expected in kinds(&options) {
                let _ = understand(expected, &s, today());
            }
        }

        #[test]
        fn on_word_salads(words in prop::collection::vec(prop::sample::select(WORDS), 0..16)) {
            let s = words.join(" ");
            let options = communes();
            for expected in kinds(&options) {
                let _ = understand(expected, &s, today());
            }
            let glued = words.concat();
            for expected in kinds(&options) {
                let _ = understand(expected, &glued, today());
            }
        }

        #[test]
        fn on_extreme_dates(words in prop::collection::vec(prop::sample::select(WORDS), 0..8),
                            days in -100_000i32..100_000) {
            let s = words.join(" ");
            let base = NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid");
            let day = base + chrono::Duration::days(i64::from(days));
            let around = DateWindow {
                earliest: day.checked_sub_months(chrono::Months::new(6)),
                latest: Some(day),
            };
            for window in [DateWindow::ANY, around] {
                let _ = understand(Expected::Date(window), &s, day);
                let _ = understand(Expected::Date(window), &s, NaiveDate::MAX);
                let _ = understand(Expected::Date(window), &s, NaiveDate::MIN);
            }
        }
    }
}
