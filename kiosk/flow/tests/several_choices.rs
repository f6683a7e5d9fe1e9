//! Questions with several answers (`type: choices`) and options filtered by an earlier answer
//! (`options_from` with `filter`), played as the kiosk plays them and checked as the loader
//! checks them.

mod session;

use chrono::NaiveDate;
use kiosk_flow::runtime::{Effect, Event, Input, Screen, Session};
use kiosk_flow::{load_dataset, load_flow, Datasets, Value};
use session::{heard, said, submission, touched};
use std::sync::Arc;

const CANTEEN: &str = r#"
id: cantine
version: 1
title: Inscrire un enfant à la cantine
kind: procedure
service: scolaire
description: Inscrire un enfant à la cantine.
steps:
  - id: jours
    ask: Quels jours votre enfant mange-t-il à la cantine ?
    label: Jours
    type: choices
    min: 1
    max: MAX
    options:
      - { id: lundi, label: Lundi }
      - { id: mardi, label: Mardi }
      - { id: jeudi, label: Jeudi }
      - { id: vendredi, label: Vendredi }
    help: Dites les jours, par exemple lundi et jeudi.
    reprompt: Quels jours ?
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: "Merci. Votre code est {recu}."
"#;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

fn session_of(yaml: &str, datasets: &Datasets) -> Session {
    let loaded = load_flow(yaml, datasets);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    Session::new(Arc::new(loaded.value.expect("flow")), today())
}

fn canteen(max: usize) -> Session {
    let mut s = session_of(&CANTEEN.replace("MAX", &max.to_string()), &Datasets::new());
    s.handle(Event::Start);
    s
}

fn screen(effects: &[Effect]) -> &Screen {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Show(s) => Some(s),
            _ => None,
        })
        .expect("a screen")
}

fn selected(effects: &[Effect]) -> Vec<String> {
    match &screen(effects).input {
        Input::Choices { selected, .. } => selected.clone(),
        other => panic!("not a choices input: {other:?}"),
    }
}

#[test]
fn several_days_said_at_once_are_noted_then_closed_with_cest_tout() {
    let mut s = canteen(4);
    let effects = heard(&mut s, "lundi mardi et jeudi");
    assert_eq!(
        said(&effects),
        "J'ai noté : Lundi, mardi et jeudi. Autre chose ? Sinon, dites : c'est tout."
    );
    assert_eq!(selected(&effects), ["lundi", "mardi", "jeudi"]);
    let effects = heard(&mut s, "c'est tout");
    assert!(said(&effects).starts_with("Vous avez choisi : Lundi, mardi et jeudi."));
    let summary = screen(&effects);
    assert_eq!(summary.summary[0].value, "Lundi, mardi et jeudi");
    let effects = heard(&mut s, "oui");
    let sent = submission(&effects).expect("submitted");
    assert_eq!(
        sent.answers[0].value,
        serde_json::json!(["lundi", "mardi", "jeudi"])
    );
    assert_eq!(sent.answers[0].display, "Lundi, mardi et jeudi");
}

#[test]
fn all_but_one_is_a_complete_answer() {
    let mut s = canteen(4);
    let effects = heard(&mut s, "tous sauf le mardi");
    assert!(said(&effects).starts_with("Vous avez choisi : Lundi, jeudi et vendredi."));
    assert_eq!(screen(&effects).step_id, "resume");
}

#[test]
fn items_are_added_one_by_one_and_removed_by_voice() {
    let mut s = canteen(4);
    heard(&mut s, "le vendredi");
    let effects = heard(&mut s, "et le lundi");
    // Kept in the order of the options, whatever the order said.
    assert_eq!(selected(&effects), ["lundi", "vendredi"]);
    let effects = heard(&mut s, "pas le vendredi");
    assert_eq!(selected(&effects), ["lundi"]);
    assert!(said(&effects).starts_with("J'ai noté : Lundi."));
}

#[test]
fn tiles_toggle_and_valider_closes() {
    let mut s = canteen(4);
    touched(&mut s, "lundi");
    touched(&mut s, "mardi");
    let effects = touched(&mut s, "lundi");
    assert_eq!(selected(&effects), ["mardi"]);
    let effects = touched(&mut s, "valider");
    assert_eq!(screen(&effects).step_id, "resume");
    assert_eq!(screen(&effects).summary[0].value, "Mardi");
}

#[test]
fn closing_with_nothing_chosen_says_the_rule_and_keeps_the_question() {
    let mut s = canteen(4);
    let effects = heard(&mut s, "c'est tout");
    assert!(
        said(&effects)
            .starts_with("Vous n'avez encore rien choisi. Choisissez entre 1 et 4 réponses."),
        "{}",
        said(&effects)
    );
    assert_eq!(screen(&effects).step_id, "jours");
    let effects = touched(&mut s, "valider");
    assert_eq!(screen(&effects).step_id, "jours");
}

#[test]
fn more_than_the_maximum_is_refused_and_the_maximum_closes_the_question() {
    let mut s = canteen(2);
    heard(&mut s, "lundi");
    let effects = heard(&mut s, "mardi et jeudi");
    assert!(said(&effects).starts_with("Choisissez entre 1 et 2 réponses."));
    assert_eq!(selected(&effects), ["lundi"]);
    let effects = heard(&mut s, "jeudi");
    assert!(said(&effects).starts_with("Vous avez choisi : Lundi et jeudi."));
    assert_eq!(screen(&effects).step_id, "resume");
}

#[test]
fn a_correction_from_the_summary_starts_from_the_answer_given() {
    let mut s = canteen(4);
    heard(&mut s, "lundi et jeudi");
    heard(&mut s, "c'est tout");
    heard(&mut s, "non");
    let effects = heard(&mut s, "jours");
    assert_eq!(selected(&effects), ["lundi", "jeudi"]);
    heard(&mut s, "et le vendredi");
    let effects = heard(&mut s, "c'est tout");
    assert_eq!(
        screen(&effects).summary[0].value,
        "Lundi, jeudi et vendredi"
    );
}

#[test]
fn an_unknown_word_is_not_understood_and_nothing_is_lost() {
    let mut s = canteen(4);
    heard(&mut s, "lundi");
    let effects = heard(&mut s, "mardi et dimanche");
    assert!(said(&effects).starts_with("Je n'ai pas compris."));
    assert_eq!(selected(&effects), ["lundi"]);
}

const POSTCODES: &str = r#"
id: codes
title: Codes postaux
options:
  - { id: "62810", label: "62810" }
  - { id: "62161", label: "62161" }
  - { id: "62999", label: "62999" }
"#;

const COMMUNES: &str = r#"
id: villes
title: Communes
fields:
  code_postal: { label: Code postal, dataset: codes }
options:
  - { id: "62063", label: Avesnes-le-Comte, details: { code_postal: "62810" } }
  - { id: "62423", label: Hauteville, details: { code_postal: "62810" } }
  - { id: "62276", label: Duisans, details: { code_postal: "62161" } }
"#;

const BY_POSTCODE: &str = r#"
id: par-code
version: 1
title: Une commune par son code postal
kind: procedure
service: essai
description: Un essai.
steps:
  - id: cp
    ask: Votre code postal ?
    label: Code postal
    type: choice
    options_from: codes
    help: Dites votre code postal.
    reprompt: Votre code postal ?
  - id: commune
    ask: Votre commune ?
    label: Commune
    type: choice
    options_from: villes
    FILTER
    help: Dites votre commune.
    reprompt: Votre commune ?
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: "Merci. Votre code est {recu}."
"#;

fn datasets() -> Datasets {
    let mut all = Datasets::new();
    for source in [POSTCODES, COMMUNES] {
        let loaded = load_dataset(source);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let dataset = loaded.value.expect("dataset");
        all.insert(dataset.id.clone(), dataset);
    }
    all
}

fn option_ids(effects: &[Effect]) -> Vec<String> {
    screen(effects)
        .options
        .iter()
        .map(|o| o.id.clone())
        .collect()
}

#[test]
fn a_filtered_list_shows_only_the_options_of_the_earlier_answer() {
    let mut s = session_of(
        &BY_POSTCODE.replace("FILTER", "filter: { code_postal: cp }"),
        &datasets(),
    );
    s.handle(Event::Start);
    let effects = touched(&mut s, "62810");
    assert_eq!(option_ids(&effects), ["62063", "62423"]);
    // Duisans is not in 62810: not understood, even said in full.
    let effects = heard(&mut s, "Duisans");
    assert!(said(&effects).starts_with("Je n'ai pas compris."));
    heard(&mut s, "Hauteville");
    // Changing the postcode from the summary drops the commune, which is asked again.
    heard(&mut s, "non");
    heard(&mut s, "code postal");
    let effects = touched(&mut s, "62161");
    assert_eq!(screen(&effects).step_id, "commune");
    assert_eq!(option_ids(&effects), ["62276"]);
    let effects = touched(&mut s, "62276");
    assert_eq!(screen(&effects).step_id, "resume");
    let effects = heard(&mut s, "oui");
    let sent = submission(&effects).expect("submitted");
    assert_eq!(sent.answers[1].value, serde_json::json!("62276"));
    assert_eq!(sent.answers[1].details["code_postal"], "62161");
}

#[test]
fn a_filtered_list_with_nothing_left_is_passed() {
    let mut s = session_of(
        &BY_POSTCODE.replace("FILTER", "filter: { code_postal: cp }"),
        &datasets(),
    );
    s.handle(Event::Start);
    let effects = touched(&mut s, "62999");
    assert_eq!(screen(&effects).step_id, "resume");
    assert!(screen(&effects)
        .summary
        .iter()
        .all(|l| l.step_id != "commune"));
}

#[test]
fn the_loader_warns_about_answers_that_leave_nothing_to_choose() {
    let loaded = load_flow(
        &BY_POSTCODE.replace("FILTER", "filter: { code_postal: cp }"),
        &datasets(),
    );
    let messages: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        ["21:13: attention : « filter » : aucune option pour 1 réponse(s) de « cp » (62999) : la question sera passée pour elles"]
    );
}

fn errors_of(filter: &str) -> Vec<String> {
    let loaded = load_flow(&BY_POSTCODE.replace("FILTER", filter), &datasets());
    assert!(loaded.value.is_none(), "accepted: {filter}");
    loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn bad_filters_are_explained() {
    assert_eq!(
        errors_of("filter: { code: cp }"),
        ["21:15: « filter » : champ inconnu « code » (champs de « villes » : code_postal)"]
    );
    assert_eq!(
        errors_of("filter: { code_postal: plus-tard }"),
        ["21:13: étape inconnue « plus-tard »"]
    );
    assert_eq!(
        errors_of("filter: code_postal"),
        ["21:13: « filter » s'écrit { champ: étape }, par exemple { commune: lieu } : les options dont le champ « commune » est la réponse à l'étape « lieu »"]
    );
}

#[test]
fn a_filter_needs_a_question_with_the_fields_dataset() {
    let yaml = BY_POSTCODE
        .replace("options_from: codes", "options_from: villes")
        .replace("FILTER", "filter: { code_postal: cp }");
    let loaded = load_flow(&yaml, &datasets());
    let messages: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        ["21:13: « filter » : le champ « code_postal » contient des options de « codes », mais « cp » ne prend pas ses options dans « codes » (options_from: codes)"]
    );
}

#[test]
fn dataset_fields_are_declared_and_present() {
    let undeclared = COMMUNES.replace(
        "fields:\n  code_postal: { label: Code postal, dataset: codes }\n",
        "",
    );
    let loaded = load_dataset(&undeclared);
    let messages: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(messages.len(), 3, "{messages:?}");
    assert!(
        messages[0].ends_with(
            "champ « code_postal » non déclaré : déclarez-le dans « fields » en haut du fichier"
        ),
        "{messages:?}"
    );
    let missing = COMMUNES.replace(", details: { code_postal: \"62161\" }", "");
    let loaded = load_dataset(&missing);
    let messages: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        messages,
        ["9:5: il manque le champ « code_postal » dans « details » de cette option"]
    );
}

fn choices_errors(extra: &str) -> Vec<String> {
    let yaml = CANTEEN.replace("    min: 1\n    max: MAX\n", extra);
    let loaded = load_flow(&yaml, &Datasets::new());
    loaded.diagnostics.iter().map(|d| d.to_string()).collect()
}

#[test]
fn choices_bounds_are_checked() {
    assert_eq!(
        choices_errors("    min: 3\n    max: 2\n"),
        ["14:10: « max » (2) est plus petit que « min » (3)"]
    );
    assert_eq!(
        choices_errors("    max: 5\n"),
        ["13:10: « max » doit aller de 0 à 4, le nombre d'options"]
    );
    assert_eq!(
        choices_errors("    max: 0\n    min: 0\n"),
        ["13:10: « max » vaut 0 : la personne ne pourrait rien choisir"]
    );
    assert!(choices_errors("").is_empty());
}

#[test]
fn conditions_cannot_compare_a_list_with_one_value() {
    let yaml = CANTEEN.replace("MAX", "4").replace(
        "  - id: resume\n",
        "  - id: fin\n    when: jours == 'lundi'\n    end: Fin.\n  - id: resume\n",
    );
    let loaded = load_flow(&yaml, &Datasets::new());
    assert!(loaded.value.is_none());
}

#[test]
fn the_grammar_has_the_options_and_the_closing_words() {
    let s = canteen(4);
    let grammar = s.grammar().expect("a grammar");
    for phrase in ["lundi", "vendredi", "et", "sauf", "c'est tout", "tous"] {
        assert!(grammar.contains(&phrase.to_string()), "{phrase} missing");
    }
}

#[test]
fn the_value_lists_ids_in_option_order() {
    assert_eq!(
        Value::Choices(vec!["lundi".into(), "jeudi".into()]).to_json(),
        serde_json::json!(["lundi", "jeudi"])
    );
}

mod corpus {
    use super::*;
    use kiosk_flow::model::{ChoiceOption, QuestionKind};
    use kiosk_flow::understand::{understand_several, SeveralChoices};

    const CORPUS: &str = include_str!("data/several_choices.tsv");

    fn options(set: &str) -> Vec<ChoiceOption> {
        match set {
            "jours" => ["lundi", "mardi", "jeudi", "vendredi"]
                .iter()
                .map(|d| {
                    let label = format!("{}{}", d[..1].to_uppercase(), &d[1..]);
                    ChoiceOption::new(d, &label, &[])
                })
                .collect(),
            "objets" => {
                let source = std::fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../flows/encombrants.yaml"),
                )
                .expect("the shipped flow");
                let mut datasets = Datasets::new();
                for name in ["communes", "codes-postaux"] {
                    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join(format!("../../flows/data/{name}.yaml"));
                    let loaded = load_dataset(&std::fs::read_to_string(path).expect("dataset"));
                    let dataset = loaded.value.expect("dataset loads");
                    datasets.insert(dataset.id.clone(), dataset);
                }
                // The flow asks personal data: it needs its service's privacy notice.
                let notice = std::fs::read_to_string(
                    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("../../flows/services/dechets.yaml"),
                )
                .expect("the service's notice");
                let notice = kiosk_flow::load_service_notice(&notice)
                    .value
                    .expect("notice loads");
                let notices = kiosk_flow::ServiceNotices::from([(notice.service.clone(), notice)]);
                let flow = kiosk_flow::load_flow_with(&source, &datasets, &notices)
                    .value
                    .expect("flow loads");
                match &flow.question("objets").expect("objets").kind {
                    QuestionKind::Choices { options, .. } => options.clone(),
                    _ => panic!("objets is a choices question"),
                }
            }
            other => panic!("unknown option set {other}"),
        }
    }

    fn as_json(
        reply: &(
            Option<kiosk_flow::understand::Command>,
            Option<SeveralChoices>,
        ),
    ) -> serde_json::Value {
        match reply {
            (Some(command), _) => serde_json::json!({ "command": command.name() }),
            (None, Some(SeveralChoices::Add(ids))) => serde_json::json!({ "add": ids }),
            (None, Some(SeveralChoices::Remove(ids))) => serde_json::json!({ "remove": ids }),
            (None, Some(SeveralChoices::Exactly(ids))) => serde_json::json!({ "exactly": ids }),
            (None, Some(SeveralChoices::Done)) => serde_json::json!("done"),
            (None, None) => serde_json::Value::Null,
        }
    }

    #[test]
    fn several_choices_corpus() {
        let mut failures = Vec::new();
        let mut count = 0;
        for (i, line) in CORPUS.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 3, "line {}: {line:?}", i + 1);
            let expected: serde_json::Value =
                serde_json::from_str(cols[2]).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
            let got = as_json(&understand_several(&options(cols[0]), cols[1]));
            count += 1;
            if got != expected {
                failures.push(format!(
                    "line {}: {:?}: expected {expected}, got {got}",
                    i + 1,
                    cols[1]
                ));
            }
        }
        assert!(count >= 30, "only {count} cases");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
