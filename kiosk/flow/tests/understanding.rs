//! Runs the French understanding corpus (tests/data/understanding.tsv) and checks that
//! understanding never panics, whatever it is given.

use chrono::NaiveDate;
use kiosk_flow::calendar::{DaysAllowed, Refusal};
use kiosk_flow::model::{ChoiceOption, Value};
use kiosk_flow::understand::{understand, Expected};

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

/// The day rule a date line names in its options column: `mardis` is a pickup on Tuesdays
/// without public holidays.
fn days_rule(kind: &str, options: &str) -> Option<DaysAllowed> {
    match (kind, options) {
        ("date", "mardis") => Some(DaysAllowed {
            weekdays: vec![chrono::Weekday::Tue],
            no_public_holidays: true,
            closed: Vec::new(),
        }),
        ("date", "") => None,
        (_, other) if kind == "date" => panic!("unknown day rule {other:?}"),
        _ => None,
    }
}

/// A date as the rule judges it, from today on: the date when taken, else why not and the
/// nearest date offered instead.
fn judged(date: NaiveDate, rule: &DaysAllowed) -> serde_json::Value {
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let reason = match rule.refusal(date) {
        None => return serde_json::Value::String(day(date)),
        Some(Refusal::Weekday) => "jour",
        Some(Refusal::PublicHoliday) => "férié",
        Some(Refusal::Closed) => "fermé",
    };
    serde_json::json!({
        "refusé": day(date),
        "raison": reason,
        "proposé": rule.nearest(date, Some(today()), None).map(day),
    })
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
            "date" => Expected::Date,
            "time" => Expected::Time,
            "email" => Expected::Email,
            "text" => Expected::Text,
            "choice" => match case.options.as_str() {
                "probleme" => Expected::Choice(&probleme),
                "communes" => Expected::Choice(&communes),
                other => panic!("line {}: unknown option set {other:?}", case.line),
            },
            other => panic!("line {}: unknown kind {other:?}", case.line),
        };
        let got = understand(expected, &case.utterance, today());
        let got_value = match (&got.value, days_rule(&case.kind, &case.options)) {
            (Some(Value::Date(date)), Some(rule)) => judged(*date, &rule),
            (value, _) => value
                .as_ref()
                .map_or(serde_json::Value::Null, |v| v.to_json()),
        };
        let got_command = got
            .command
            .map_or(serde_json::Value::Null, |c| c.name().into());
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
        "yes_no", "number", "phone", "date", "time", "email", "text", "choice",
    ] {
        let n = cases.iter().filter(|c| c.kind == kind).count();
        assert!(n >= 12, "only {n} cases for {kind}");
    }
    for command in [
        "repeat", "help", "back", "restart", "cancel", "slower", "louder", "human",
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

    fn kinds<'a>(options: &'a [ChoiceOption]) -> [Expected<'a>; 8] {
        [
            Expected::YesNo,
            Expected::Number,
            Expected::Phone,
            Expected::Email,
            Expected::Date,
            Expected::Time,
            Expected::Text,
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
            let _ = understand(Expected::Date, &s, day);
            let _ = understand(Expected::Date, &s, NaiveDate::MAX);
            let _ = understand(Expected::Date, &s, NaiveDate::MIN);
        }
    }
}
