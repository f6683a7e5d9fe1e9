//! The session state machine, driven by events as the kiosk drives it.

mod session;

use chrono::NaiveDate;
use kiosk_flow::runtime::{Effect, Event, Input, Outcome, Session, SpeechChange};
use kiosk_flow::understand::Command;
use kiosk_flow::{load_flow, load_flow_with, load_service_notice, Datasets, ServiceNotices};
use session::{heard, said, submission};
use std::sync::Arc;

const FLOW: &str = r#"
id: essai
version: 2
title: Un lampadaire ne marche plus
kind: report
service: voirie
description: Signaler un lampadaire.
privacy:
  purpose: réparer le lampadaire
  retention: un an
steps:
  - id: accueil
    info: Vous allez signaler un lampadaire.
  - id: probleme
    ask: Quel est le problème ?
    label: Problème
    type: choice
    options:
      - { id: eteint, label: Il ne s'allume plus, synonyms: [éteint, en panne] }
      - { id: clignote, label: Il clignote }
      - { id: autre, label: Autre chose }
    help: Dites ce qui ne va pas.
    reprompt: Quel est le problème ?
  - id: ailleurs
    when: probleme == 'autre'
    end: Appelez votre mairie.
  - id: rappel
    ask: Voulez-vous qu'on vous rappelle ?
    label: Être rappelé
    type: yes_no
    help: Dites oui ou non.
    reprompt: Dites oui ou non.
  - id: telephone
    when: rappel
    ask: Votre numéro ?
    label: Téléphone
    type: phone
    help: Dites votre numéro.
    reprompt: Redites votre numéro.
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: "Merci. Votre code est {recu}."
"#;

/// The voirie service's privacy notice, which the flow's phone question needs.
const NOTICE: &str = r#"
service: voirie
name: le service voirie de la Communauté de Communes
controller: la Communauté de Communes des Campagnes de l'Artois
address: 1050 avenue François Mitterrand, 62810 Avesnes-le-Comte
dpo: dpo@campagnesartois.fr
recipients: les agents du service voirie
legal_basis: une mission de service public
"#;

fn session() -> Session {
    session_of(FLOW)
}

/// A session of this flow on Saturday 28 November 2026, with the voirie service's notice.
fn session_of(yaml: &str) -> Session {
    let notice = load_service_notice(NOTICE).value.expect("the notice loads");
    let notices = ServiceNotices::from([(notice.service.clone(), notice)]);
    let loaded = load_flow_with(yaml, &Datasets::new(), &notices);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let flow = loaded.value.expect("flow");
    Session::new(
        Arc::new(flow),
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("date"),
    )
}

/// Start, pass the info step, answer "éteint" and "non" to the call-back.
fn to_summary(s: &mut Session) {
    s.handle(Event::Start);
    heard(s, "suivant");
    heard(s, "il est éteint");
    heard(s, "non");
    assert_eq!(s.current_step_id(), Some("resume"));
}

#[test]
fn plays_to_submission_and_gives_the_receipt() {
    let mut s = session();
    to_summary(&mut s);
    let effects = heard(&mut s, "oui c'est ça");
    let sub = submission(&effects).expect("submitted");
    assert_eq!(sub.flow_id, "essai");
    assert_eq!(sub.flow_version, 2);
    let ids: Vec<_> = sub.answers.iter().map(|a| a.step_id.as_str()).collect();
    assert_eq!(ids, ["probleme", "rappel"]);
    // Nothing is said to be sent before the store answers.
    assert!(!said(&effects).contains("Merci"));
    let effects = s.handle(Event::Stored {
        receipt: "K7M-4PQ".into(),
    });
    assert!(
        said(&effects).contains("K, 7, M, 4, P, Q"),
        "{}",
        said(&effects)
    );
    let shown = effects.iter().find_map(|e| match e {
        Effect::Show(screen) => Some(screen.text.clone()),
        _ => None,
    });
    assert_eq!(shown.as_deref(), Some("Merci. Votre code est K7M-4PQ."));
    assert!(effects.contains(&Effect::Finished {
        outcome: Outcome::Submitted {
            receipt: "K7M-4PQ".into()
        }
    }));
    assert!(s.is_finished());
}

#[test]
fn second_miss_suggests_touch_and_keeps_answers() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    let first = heard(&mut s, "les pommes de terre");
    assert!(
        said(&first).starts_with("Je n'ai pas compris. Quel est le problème ?"),
        "{}",
        said(&first)
    );
    assert!(!said(&first).contains("toucher"));
    let second = heard(&mut s, "des carottes");
    assert!(
        said(&second).contains("Vous pouvez aussi toucher votre réponse"),
        "{}",
        said(&second)
    );
    // A touch then works, and the flow goes on.
    s.handle(Event::Touched("clignote".into()));
    assert_eq!(s.current_step_id(), Some("rappel"));
}

#[test]
fn phone_is_read_back_and_can_be_corrected() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    heard(&mut s, "en panne");
    heard(&mut s, "oui");
    // The privacy notice comes before the phone number.
    heard(&mut s, "suivant");
    assert_eq!(s.current_step_id(), Some("telephone"));
    let e = heard(
        &mut s,
        "zéro six douze trente quatre cinquante six soixante dix huit",
    );
    assert!(
        said(&e).contains("Vous avez dit : 06 12 34 56 78. C'est bien ça ?"),
        "{}",
        said(&e)
    );
    // "non" asks again; a new number said straight away is read back too.
    let e = heard(&mut s, "non");
    assert_eq!(s.current_step_id(), Some("telephone"));
    assert!(said(&e).contains("Votre numéro ?"));
    heard(
        &mut s,
        "zéro six douze trente quatre cinquante six soixante dix neuf",
    );
    let e = heard(
        &mut s,
        "zéro sept douze trente quatre cinquante six soixante dix neuf",
    );
    assert!(said(&e).contains("07 12 34 56 79"), "{}", said(&e));
    heard(&mut s, "oui");
    assert_eq!(s.current_step_id(), Some("resume"));
    let e = heard(&mut s, "oui");
    let sub = submission(&e).expect("submitted");
    assert_eq!(
        sub.answers.last().map(|a| a.value.clone()),
        Some(serde_json::json!("0712345679"))
    );
}

#[test]
fn summary_correction_asks_only_what_is_new_then_returns() {
    let mut s = session();
    to_summary(&mut s);
    let e = heard(&mut s, "non");
    assert!(
        said(&e).starts_with("Que voulez-vous changer ?"),
        "{}",
        said(&e)
    );
    heard(&mut s, "être rappelé");
    assert_eq!(s.current_step_id(), Some("rappel"));
    heard(&mut s, "oui");
    // The phone question now applies: the privacy notice first, then the question, then back
    // to the summary.
    heard(&mut s, "suivant");
    assert_eq!(s.current_step_id(), Some("telephone"));
    heard(
        &mut s,
        "zéro six douze trente quatre cinquante six soixante dix huit",
    );
    heard(&mut s, "oui");
    assert_eq!(s.current_step_id(), Some("resume"));
    let screen = s.screen_now().expect("screen");
    let labels: Vec<_> = screen.summary.iter().map(|l| l.label.as_str()).collect();
    assert_eq!(labels, ["Problème", "Être rappelé", "Téléphone"]);
}

#[test]
fn answers_of_steps_that_no_longer_apply_are_not_sent() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    heard(&mut s, "éteint");
    heard(&mut s, "oui");
    heard(&mut s, "suivant");
    heard(
        &mut s,
        "zéro six douze trente quatre cinquante six soixante dix huit",
    );
    heard(&mut s, "oui");
    // Change the call-back to "non": the phone number must not be sent.
    heard(&mut s, "non");
    heard(&mut s, "être rappelé");
    heard(&mut s, "non");
    assert_eq!(s.current_step_id(), Some("resume"));
    let e = heard(&mut s, "oui");
    let sub = submission(&e).expect("submitted");
    assert!(sub.answers.iter().all(|a| a.step_id != "telephone"));
}

#[test]
fn end_step_stops_without_submitting() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    let e = s.handle(Event::Touched("autre".into()));
    assert!(submission(&e).is_none());
    assert!(said(&e).contains("Appelez votre mairie."));
    assert!(e.contains(&Effect::Finished {
        outcome: Outcome::Ended {
            step_id: "ailleurs".into()
        }
    }));
}

#[test]
fn back_restart_repeat_and_help() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    heard(&mut s, "éteint");
    assert_eq!(s.current_step_id(), Some("rappel"));
    let e = heard(&mut s, "retour");
    assert_eq!(s.current_step_id(), Some("probleme"));
    assert!(said(&e).contains("Quel est le problème ?"));
    let e = s.handle(Event::Command(Command::Help));
    assert!(
        said(&e).starts_with("Dites ce qui ne va pas."),
        "{}",
        said(&e)
    );
    let e = heard(&mut s, "vous pouvez répéter");
    assert!(said(&e).contains("Quel est le problème ?"));
    heard(&mut s, "recommencer");
    assert_eq!(s.current_step_id(), Some("accueil"));
    let e = s.handle(Event::Command(Command::Back));
    assert!(said(&e).contains("Vous êtes au début."));
    // A touch is an answer, never a command: "retour" touched is not the Retour button.
    let e = s.handle(Event::Touched("retour".into()));
    assert!(!said(&e).contains("Vous êtes au début."), "{}", said(&e));
    assert_eq!(s.current_step_id(), Some("accueil"));
}

#[test]
fn cancel_asks_first_and_wipes() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    heard(&mut s, "éteint");
    let e = heard(&mut s, "annuler");
    assert!(said(&e).contains("Voulez-vous vraiment arrêter ?"));
    heard(&mut s, "non");
    assert_eq!(s.current_step_id(), Some("rappel"));
    heard(&mut s, "j'arrête");
    let e = heard(&mut s, "oui");
    assert!(e.contains(&Effect::Finished {
        outcome: Outcome::Cancelled
    }));
    assert!(s.active_answers().is_empty());
}

#[test]
fn call_for_help_slower_louder_keep_the_step() {
    let mut s = session();
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    let e = heard(&mut s, "je veux parler à quelqu'un");
    assert!(e.contains(&Effect::CallForHelp {
        flow_id: "essai".into(),
        step_id: "probleme".into()
    }));
    assert_eq!(s.current_step_id(), Some("probleme"));
    let e = heard(&mut s, "plus lentement");
    assert!(e.contains(&Effect::AdjustSpeech {
        change: SpeechChange::Slower
    }));
    let e = s.handle(Event::Command(Command::Louder));
    assert!(e.contains(&Effect::AdjustSpeech {
        change: SpeechChange::Louder
    }));
    assert_eq!(s.current_step_id(), Some("probleme"));
}

#[test]
fn silence_counts_as_a_miss() {
    let mut s = session();
    s.handle(Event::Start);
    let e = s.handle(Event::Silence);
    assert!(said(&e).starts_with("Je ne vous ai pas entendu."));
    let e = s.handle(Event::Silence);
    assert!(said(&e).contains("toucher"));
}

#[test]
fn store_failure_can_be_retried() {
    let mut s = session();
    to_summary(&mut s);
    heard(&mut s, "oui");
    let e = s.handle(Event::StoreFailed);
    assert!(said(&e).contains("Je n'arrive pas à enregistrer"));
    let e = s.handle(Event::Touched("suivant".into()));
    assert!(submission(&e).is_some());
    s.handle(Event::Stored {
        receipt: "ABC-DEF".into(),
    });
    assert!(s.is_finished());
}

#[test]
fn each_step_gives_its_grammar_and_input() {
    let mut s = session();
    let e = s.handle(Event::Start);
    assert!(e
        .iter()
        .any(|e| matches!(e, Effect::Show(screen) if screen.input == Input::Continue)));
    heard(&mut s, "suivant");
    let grammar = s.grammar().expect("a grammar for a choice");
    for phrase in [
        "il ne s'allume plus",
        "éteint",
        "en panne",
        "il clignote",
        "répète",
        "aide",
    ] {
        let wanted = phrase.replace('\'', " ");
        assert!(
            grammar
                .iter()
                .any(|g| g == phrase || g.replace('\'', " ") == wanted),
            "{phrase} missing from {grammar:?}"
        );
    }
    heard(&mut s, "éteint");
    heard(&mut s, "oui");
    let screen = s.screen_now().expect("screen");
    assert_eq!(screen.input, Input::PrivacyNotice { full: false });
    heard(&mut s, "suivant");
    let screen = s.screen_now().expect("screen");
    assert_eq!(screen.input, Input::Phone);
    assert!(s.grammar().is_some_and(|g| g.iter().any(|p| p == "zéro")));
}

#[test]
fn fixed_prompts_are_the_texts_that_do_not_depend_on_answers() {
    let s = session();
    let prompts = kiosk_flow::runtime::fixed_prompts(s.flow());
    for expected in [
        "Vous allez signaler un lampadaire.",
        "Quel est le problème ?",
        "Dites oui ou non.",
        "Appelez votre mairie.",
        "Je n'ai pas compris.",
    ] {
        assert!(prompts.iter().any(|p| p == expected), "{expected} missing");
    }
    assert!(
        !prompts.iter().any(|p| p.contains("Votre code est")),
        "a text with a reference depends on the answers"
    );
    let mut unique = prompts.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prompts.len(), "no text twice");
}

#[test]
fn the_first_prompt_of_a_session_is_a_fixed_prompt() {
    let mut s = session();
    let prompts = kiosk_flow::runtime::fixed_prompts(s.flow());
    let first = said(&s.handle(Event::Start));
    assert!(prompts.contains(&first), "{first:?} not in {prompts:?}");
}

/// A call-back request with an optional phone number, a `when` on it, a past date and a name.
const OPTIONAL_FLOW: &str = r#"
id: rappel-essai
version: 1
title: Être rappelé
kind: procedure
service: voirie
description: Une personne vous rappelle.
privacy:
  purpose: vous rappeler
  retention: un mois
steps:
  - id: nom
    ask: Quel est votre nom ?
    label: Nom
    type: text
    format: name
    help: Dites votre prénom et votre nom.
    reprompt: Redites votre nom.
  - id: depuis
    ask: Depuis quand attendez-vous ?
    label: Depuis le
    type: date
    latest: today
    help: Dites une date.
    reprompt: Depuis quelle date ?
  - id: matin
    ask: Préférez-vous le matin ?
    label: Le matin
    type: yes_no
    optional: true
    help: Dites oui ou non.
    reprompt: Dites oui ou non.
  - id: heure
    when: matin == oui
    ask: À quelle heure ?
    label: Heure
    type: time
    help: Dites une heure.
    reprompt: À quelle heure ?
  - id: telephone
    optional: true
    type: phone
    label: Téléphone
    ask: Sur quel numéro vous appeler ?
    help: Dites les chiffres deux par deux.
    reprompt: Quel est le numéro ?
  - id: recapitulatif
    summary: Voici ce que vous demandez.
  - id: fin
    submit: "C'est noté. Code : {recu}."
"#;

fn optional_session() -> Session {
    session_of(OPTIONAL_FLOW)
}

fn shown(effects: &[Effect]) -> &kiosk_flow::runtime::Screen {
    effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::Show(screen) => Some(screen),
            _ => None,
        })
        .expect("a screen")
}

/// Name and date answered and confirmed; at the optional "matin" question.
fn to_optional_question(s: &mut Session) {
    s.handle(Event::Start);
    // The notice on personal data comes before the name.
    let effects = heard(s, "suivant");
    assert!(!shown(&effects).can_skip, "the name is not optional");
    let effects = heard(s, "jean-pierre de la tour");
    assert!(
        said(&effects).contains("Vous avez dit : Jean-Pierre de la Tour."),
        "{}",
        said(&effects)
    );
    heard(s, "oui");
    // Said without its year on a question about the past: last year's 3 December, and the
    // read-back says the year.
    let effects = heard(s, "le 3 décembre");
    assert!(
        said(&effects).contains("mercredi 3 décembre 2025"),
        "{}",
        said(&effects)
    );
    heard(s, "oui");
    assert_eq!(s.current_step_id(), Some("matin"));
}

#[test]
fn an_optional_question_is_skipped_by_voice_and_sent_as_not_given() {
    let mut s = optional_session();
    to_optional_question(&mut s);
    let effects = s.handle(Event::Command(Command::Repeat));
    assert!(
        shown(&effects).can_skip,
        "the Passer button on an optional question"
    );
    let effects = heard(&mut s, "je ne sais pas");
    assert!(said(&effects).starts_with("D'accord, on passe cette question."));
    // `matin == oui` is false for a skipped question: the hour is not asked.
    assert_eq!(s.current_step_id(), Some("telephone"));
    let effects = heard(&mut s, "je préfère ne pas répondre");
    assert_eq!(s.current_step_id(), Some("recapitulatif"));
    let summary = &shown(&effects).summary;
    let lines: Vec<String> = summary
        .iter()
        .map(|l| format!("{} : {}", l.label, l.value))
        .collect();
    assert_eq!(
        lines,
        [
            "Nom : Jean-Pierre de la Tour",
            "Depuis le : mercredi 3 décembre 2025",
            "Le matin : non renseigné",
            "Téléphone : non renseigné",
        ]
    );
    assert!(said(&effects).contains("Téléphone : non renseigné."));
    let effects = heard(&mut s, "oui");
    let sub = submission(&effects).expect("submitted");
    let answers: Vec<(&str, &serde_json::Value, &str)> = sub
        .answers
        .iter()
        .map(|a| (a.step_id.as_str(), &a.value, a.display.as_str()))
        .collect();
    assert_eq!(
        answers,
        [
            (
                "nom",
                &serde_json::json!("Jean-Pierre de la Tour"),
                "Jean-Pierre de la Tour"
            ),
            (
                "depuis",
                &serde_json::json!("2025-12-03"),
                "mercredi 3 décembre 2025"
            ),
            ("matin", &serde_json::Value::Null, "non renseigné"),
            ("telephone", &serde_json::Value::Null, "non renseigné"),
        ]
    );
}

#[test]
fn the_passer_button_skips_only_optional_questions() {
    let mut s = optional_session();
    s.handle(Event::Start);
    heard(&mut s, "suivant"); // the notice on personal data
                              // Not optional: said so, then the reprompt; not counted as a miss (no "touch" hint twice).
    for _ in 0..2 {
        let effects = s.handle(Event::Command(Command::Skip));
        assert_eq!(s.current_step_id(), Some("nom"));
        assert_eq!(
            said(&effects),
            "Cette question est obligatoire. Redites votre nom."
        );
        assert_eq!(
            shown(&effects).notice.as_deref(),
            Some("Cette question est obligatoire.")
        );
    }
    let effects = heard(&mut s, "passer");
    assert!(said(&effects).starts_with("Cette question est obligatoire."));
    assert_eq!(s.current_step_id(), Some("nom"));
    // A touch is never a command: "passer" touched on an answer is not a skip.
    heard(&mut s, "marie dupont");
    heard(&mut s, "oui");
    heard(&mut s, "hier");
    heard(&mut s, "oui");
    assert_eq!(s.current_step_id(), Some("matin"));
    let effects = s.handle(Event::Touched("passer".into()));
    assert_eq!(s.current_step_id(), Some("matin"));
    assert!(said(&effects).starts_with("Je n'ai pas compris."));
    // The button: the command.
    s.handle(Event::Command(Command::Skip));
    assert_eq!(s.current_step_id(), Some("telephone"));
    // Help says the question may be skipped.
    let effects = s.handle(Event::Command(Command::Help));
    assert!(
        said(&effects).contains("vous pouvez dire « passer »"),
        "{}",
        said(&effects)
    );
}

#[test]
fn a_skipped_answer_is_given_from_the_summary_and_skipped_again() {
    let mut s = optional_session();
    to_optional_question(&mut s);
    heard(&mut s, "oui");
    heard(&mut s, "neuf heures");
    heard(&mut s, "oui");
    s.handle(Event::Command(Command::Skip));
    assert_eq!(s.current_step_id(), Some("recapitulatif"));
    // Change the skipped phone number from the summary.
    heard(&mut s, "non");
    let effects = heard(&mut s, "téléphone");
    assert_eq!(s.current_step_id(), Some("telephone"));
    assert!(shown(&effects).can_skip);
    heard(
        &mut s,
        "zéro six douze trente-quatre cinquante-six soixante-dix-huit",
    );
    let effects = heard(&mut s, "oui");
    // Only what changed is asked: straight back to the summary.
    assert_eq!(s.current_step_id(), Some("recapitulatif"));
    let values: Vec<&str> = shown(&effects)
        .summary
        .iter()
        .map(|l| l.value.as_str())
        .collect();
    assert!(values.contains(&"06 12 34 56 78"), "{values:?}");
    // Skip the morning now: its hour no longer counts, and the summary says so.
    heard(&mut s, "non");
    heard(&mut s, "le matin");
    assert_eq!(s.current_step_id(), Some("matin"));
    let effects = heard(&mut s, "aucune idée");
    assert_eq!(s.current_step_id(), Some("recapitulatif"));
    let lines: Vec<String> = shown(&effects)
        .summary
        .iter()
        .map(|l| format!("{} : {}", l.label, l.value))
        .collect();
    assert!(
        lines.contains(&"Le matin : non renseigné".to_string()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("Heure")), "{lines:?}");
    let effects = heard(&mut s, "oui");
    let sub = submission(&effects).expect("submitted");
    let ids: Vec<&str> = sub.answers.iter().map(|a| a.step_id.as_str()).collect();
    assert_eq!(ids, ["nom", "depuis", "matin", "telephone"]);
    assert_eq!(sub.answers[3].value, serde_json::json!("0612345678"));
}

/// Dates limited to some weekdays, without public holidays or closed days (`weekdays`,
/// `exclude`).
mod days_limited {
    use super::*;

    /// A bulky-waste pickup on Tuesdays, never on a public holiday, within six months.
    const PICKUP: &str = r#"
    id: encombrants
    version: 1
    title: Enlèvement des encombrants
    kind: booking
    service: dechets
    description: Demander le passage des encombrants.
    steps:
      - id: jour
        ask: Quel jour voulez-vous le passage ?
        label: Jour du passage
        type: date
        earliest: today+1d
        latest: today+6m
        weekdays: [mardi]
        exclude: [jours-feries, 2026-12-29]
        help: Dites un mardi. Par exemple, mardi prochain.
        reprompt: Dites un mardi.
      - id: resume
        summary: Voici votre demande.
      - id: envoi
        submit: "Merci. Votre code est {recu}."
    "#;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
    }

    fn session_with(flow: &str, today: &str) -> Session {
        let loaded = load_flow(flow, &Datasets::new());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let mut s = Session::new(Arc::new(loaded.value.expect("flow")), date(today));
        s.handle(Event::Start);
        s
    }

    /// The pickup question, on Tuesday 1 December 2026.
    fn pickup() -> Session {
        session_with(PICKUP, "2026-12-01")
    }

    fn shown(effects: &[Effect]) -> String {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::Show(screen) => Some(screen.text.clone()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Confirms the summary and returns the date sent.
    fn sent_date(s: &mut Session) -> String {
        assert_eq!(s.current_step_id(), Some("resume"));
        let e = heard(s, "oui");
        let sub = e
            .iter()
            .find_map(|e| match e {
                Effect::Submit(sub) => Some(sub.clone()),
                _ => None,
            })
            .expect("submitted");
        sub.answers[0]
            .value
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn next_tuesday_said_on_a_tuesday_is_taken() {
        let mut s = pickup();
        let e = heard(&mut s, "mardi prochain");
        assert_eq!(
            said(&e),
            "Vous avez dit : mardi 8 décembre 2026. C'est bien ça ?"
        );
        heard(&mut s, "oui");
        assert_eq!(sent_date(&mut s), "2026-12-08");
    }

    #[test]
    fn tomorrow_said_on_a_monday_is_a_tuesday_and_is_taken() {
        let mut s = session_with(PICKUP, "2026-11-30");
        let e = heard(&mut s, "demain");
        assert_eq!(
            said(&e),
            "Vous avez dit : mardi 1er décembre 2026. C'est bien ça ?"
        );
    }

    #[test]
    fn tomorrow_a_wednesday_is_refused_and_the_nearest_tuesday_offered() {
        let mut s = pickup();
        let e = heard(&mut s, "demain");
        let offer = "Ce jour n'est pas possible : seuls les mardis sont possibles. \
                     Le plus proche est le mardi 8 décembre 2026. Le voulez-vous ?";
        assert_eq!(said(&e), offer);
        assert_eq!(shown(&e), offer);
        let screen = s.screen_now().expect("a screen");
        assert_eq!(screen.input, Input::YesNo);
        assert_eq!(s.current_step_id(), Some("jour"));
        // Not understood: the offer is asked again with its date.
        let e = heard(&mut s, "les pommes de terre");
        assert_eq!(
            said(&e),
            "Je n'ai pas compris. Voulez-vous le mardi 8 décembre 2026 ?"
        );
        // "oui" takes the offered date, without another read-back.
        heard(&mut s, "oui");
        assert_eq!(sent_date(&mut s), "2026-12-08");
    }

    #[test]
    fn no_to_an_offer_asks_again_and_another_date_may_be_said_instead() {
        let mut s = pickup();
        heard(&mut s, "demain");
        let e = heard(&mut s, "non");
        assert!(
            said(&e).starts_with("D'accord. Quel jour voulez-vous le passage ?"),
            "{}",
            said(&e)
        );
        heard(&mut s, "demain");
        // Another date straight away: a Tuesday is read back as usual...
        let e = heard(&mut s, "le quinze décembre");
        assert_eq!(
            said(&e),
            "Vous avez dit : mardi 15 décembre 2026. C'est bien ça ?"
        );
        // ... and a Friday gets its own offer.
        let e = heard(&mut s, "le dix huit décembre");
        assert!(
            said(&e).contains("Le plus proche est le mardi 15 décembre 2026."),
            "{}",
            said(&e)
        );
        heard(&mut s, "oui");
        assert_eq!(sent_date(&mut s), "2026-12-15");
    }

    #[test]
    fn a_closed_day_and_a_public_holiday_say_so() {
        // 29 December 2026 is a closed Tuesday: the nearest are the 22nd and 5 January.
        let mut s = pickup();
        let e = heard(&mut s, "le vingt neuf décembre");
        assert_eq!(
            said(&e),
            "Le 29 décembre n'est pas possible. Le plus proche est le mardi 5 janvier 2027. Le voulez-vous ?"
        );
        // 14 July 2026 is a Tuesday and a public holiday; 7 and 21 July are as near: the later.
        let mut s = session_with(PICKUP, "2026-07-01");
        let e = heard(&mut s, "le quatorze juillet");
        assert_eq!(
            said(&e),
            "Le 14 juillet est un jour férié. Le plus proche est le mardi 21 juillet 2026. Le voulez-vous ?"
        );
    }

    #[test]
    fn a_day_touched_on_the_calendar_is_checked_too() {
        let mut s = pickup();
        let e = s.handle(Event::Touched("2026-12-02".into()));
        assert!(
            said(&e).starts_with("Ce jour n'est pas possible"),
            "{}",
            said(&e)
        );
        s.handle(Event::Touched("oui".into()));
        assert_eq!(sent_date(&mut s), "2026-12-08");
    }

    #[test]
    fn without_any_possible_day_near_the_citizen_is_told() {
        // From Wednesday 8 July 2026, the only Tuesday within six days is 14 July, a holiday.
        let flow = PICKUP.replace("latest: today+6m", "latest: today+6d");
        let mut s = session_with(&flow, "2026-07-08");
        let e = heard(&mut s, "le dix juillet");
        assert!(
            said(&e).starts_with(
                "Ce jour n'est pas possible : seuls les mardis sont possibles. Aucune autre date n'est possible en ce moment."
            ),
            "{}",
            said(&e)
        );
        assert_eq!(s.current_step_id(), Some("jour"));
    }

    #[test]
    fn bounds_come_before_days() {
        // Today is a Tuesday, but the bounds start tomorrow: the bounds' message.
        let mut s = pickup();
        let e = heard(&mut s, "aujourd'hui");
        assert!(
            said(&e).starts_with("Cette date n'est pas possible. Choisissez entre"),
            "{}",
            said(&e)
        );
    }

    #[test]
    fn the_screen_carries_the_rule_and_where_am_i_says_it() {
        let mut s = pickup();
        let screen = s.screen_now().expect("a screen");
        let Input::Date {
            earliest, allowed, ..
        } = &screen.input
        else {
            panic!("a calendar, not {:?}", screen.input);
        };
        assert_eq!(*earliest, Some(date("2026-12-02")));
        assert!(allowed.allows(date("2026-12-08")));
        assert!(!allowed.allows(date("2026-12-09")));
        assert!(!allowed.allows(date("2026-12-29")));
        assert_eq!(
            allowed.first_from(date("2026-12-02"), None),
            Some(date("2026-12-08"))
        );
        let e = s.handle(Event::Command(Command::WhereAmI));
        assert!(
            said(&e).contains("Seuls les mardis sont possibles."),
            "{}",
            said(&e)
        );
        let flow = s.flow().clone();
        let prompts = kiosk_flow::runtime::fixed_prompts(&flow);
        assert!(prompts
            .iter()
            .any(|p| p == "Ce jour n'est pas possible : seuls les mardis sont possibles."));
        assert!(prompts.iter().any(|p| p == "Le voulez-vous ?"));
    }
}
