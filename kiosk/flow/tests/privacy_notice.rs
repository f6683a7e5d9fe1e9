//! The privacy notice (RGPD, article 13): loading the services' templates and the flows'
//! `privacy:`, and the notice the runtime gives before the first personal question: once,
//! in short, in full one touch away, printable, with an honest way out.

mod session;

use chrono::NaiveDate;
use kiosk_flow::machine::{KioskConfig, KioskEffect, KioskEvent, KioskMachine};
use kiosk_flow::model::StepBody;
use kiosk_flow::runtime::{
    Effect, Event, Input, Outcome, Screen, Session, NOTICE_FULL_SCREEN, NOTICE_REFUSED_SCREEN,
    NOTICE_SCREEN,
};
use kiosk_flow::{load_flow_with, load_service_notice, Datasets, Flow, ServiceNotices};
use session::{heard, said, touched};
use std::sync::Arc;

const NOTICE: &str = r#"
service: dechets
name: le service des déchets de la Communauté de Communes
controller: la Communauté de Communes des Campagnes de l'Artois
address: 1050 avenue François Mitterrand, 62810 Avesnes-le-Comte
dpo: dpo@campagnesartois.fr
recipients: les agents du service des déchets
legal_basis: l'enlèvement des déchets, une mission de service public
"#;

/// A choice, a free text only for "autre chose", a call-back and its phone number.
const FLOW: &str = r#"
id: encombrants
version: 1
title: Faire enlever des encombrants
kind: booking
service: dechets
description: Demander le passage du camion.
privacy:
  purpose: organiser le passage du camion
  retention: six mois
  recipients: les agents du service des déchets et le transporteur
steps:
  - id: accueil
    info: Vous allez demander le passage du camion.
  - id: quoi
    ask: Qu'avez-vous à jeter ?
    label: Objets
    type: choice
    options:
      - { id: meuble, label: Un meuble }
      - { id: autre, label: Autre chose }
    help: Dites ce que vous avez à jeter.
    reprompt: Qu'avez-vous à jeter ?
  - id: precision
    when: quoi == 'autre'
    ask: Dites ce que c'est.
    label: Précision
    type: text
    help: Dites en quelques mots ce que vous avez à jeter.
    reprompt: Redites ce que c'est.
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

fn notices() -> ServiceNotices {
    let loaded = load_service_notice(NOTICE);
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let notice = loaded.value.expect("notice");
    ServiceNotices::from([(notice.service.clone(), notice)])
}

fn flow() -> Arc<Flow> {
    let loaded = load_flow_with(FLOW, &Datasets::new(), &notices());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    Arc::new(loaded.value.expect("flow"))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn session(printer: bool) -> Session {
    Session::new(flow(), today()).with_printer(printer)
}

fn shown(effects: &[Effect]) -> Vec<&Screen> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Show(screen) => Some(screen),
            _ => None,
        })
        .collect()
}

fn screen(effects: &[Effect]) -> &Screen {
    shown(effects).pop().expect("a screen")
}

fn option_ids(screen: &Screen) -> Vec<&str> {
    screen.options.iter().map(|o| o.id.as_str()).collect()
}

/// Start, the info step, "un meuble" (no free text), "oui" to the call-back: the notice.
fn to_notice(s: &mut Session) -> Vec<Effect> {
    s.handle(Event::Start);
    heard(s, "suivant");
    heard(s, "un meuble");
    heard(s, "oui")
}

/// The ids of the flow's personal questions, in order.
fn personal_questions(flow: &Flow) -> Vec<&str> {
    flow.steps
        .iter()
        .filter(|s| matches!(&s.body, StepBody::Question(q) if q.personal))
        .map(|s| s.id.as_str())
        .collect()
}

// ----- loading ------------------------------------------------------------------------------

#[test]
fn a_flow_gets_its_notice_from_its_service_and_its_own_privacy_section() {
    let flow = flow();
    let notice = flow.privacy.as_ref().expect("a notice");
    assert_eq!(notice.purpose, "organiser le passage du camion");
    assert_eq!(notice.retention, "six mois");
    // The flow's recipients replace the service's; the legal basis is the service's.
    assert_eq!(
        notice.recipients,
        "les agents du service des déchets et le transporteur"
    );
    assert_eq!(
        notice.legal_basis,
        "l'enlèvement des déchets, une mission de service public"
    );
    assert_eq!(notice.dpo, "dpo@campagnesartois.fr");
    let personal = personal_questions(&flow);
    assert_eq!(personal, ["precision", "telephone"]);
}

#[test]
fn a_question_declared_personal_counts_and_a_flow_without_personal_data_needs_no_notice() {
    let with_date = FLOW.replace(
        "    type: yes_no\n",
        "    type: yes_no\n    personal: true\n",
    );
    let loaded = load_flow_with(&with_date, &Datasets::new(), &notices());
    let flow = loaded.value.expect("flow");
    let personal = personal_questions(&flow);
    assert_eq!(personal, ["precision", "rappel", "telephone"]);
    assert_eq!(
        flow.first_personal_question().map(|s| s.id.as_str()),
        Some("precision")
    );

    let nothing_personal = r#"
id: horaires
version: 1
title: Les horaires de la mairie
kind: procedure
service: accueil
description: Connaître les heures d'ouverture.
steps:
  - id: jour
    ask: Quel jour voulez-vous venir ?
    label: Jour
    type: date
    help: Dites un jour.
    reprompt: Redites le jour.
  - id: fin
    end: La mairie est ouverte de 9 heures à 12 heures.
"#;
    let loaded = load_flow_with(nothing_personal, &Datasets::new(), &ServiceNotices::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    assert!(loaded.value.expect("flow").privacy.is_none());
}

/// The service's template: every key required, the DPO reachable by e-mail, nothing left to
/// write, no unknown key; each message at its place.
#[test]
fn a_service_notice_says_what_is_missing_where() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "dpo: dpo@campagnesartois.fr",
            "dpo: le délégué de la Communauté de Communes",
            "6:6: « dpo » doit donner l'adresse e-mail du délégué à la protection des données, par exemple dpo@macommune.fr",
        ),
        (
            "address: 1050 avenue François Mitterrand, 62810 Avesnes-le-Comte",
            "address: adresse à compléter",
            "5:10: « address » contient « à compléter » : écrivez le vrai texte à la place",
        ),
        (
            "legal_basis: l'enlèvement des déchets, une mission de service public\n",
            "",
            "2:1: clé « legal_basis » manquante dans la notice du service (ce qui permet de traiter les données, par exemple une mission de service public)",
        ),
        (
            "recipients: les agents du service des déchets",
            "recipient: les agents du service des déchets",
            "7:1: clé inconnue « recipient » dans la notice du service : vouliez-vous dire « recipients » ?",
        ),
    ];
    for (from, to, expected) in cases {
        let source = NOTICE.replace(from, to);
        let loaded = load_service_notice(&source);
        let got: Vec<String> = loaded.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, [expected], "{source}");
        assert!(loaded.value.is_none());
    }
}

// ----- the runtime ----------------------------------------------------------------------------

#[test]
fn the_notice_comes_before_the_first_personal_question_asked_and_only_once() {
    let mut s = session(false);
    s.handle(Event::Start);
    heard(&mut s, "suivant");
    // The free text is skipped ("un meuble"): no notice before the call-back question.
    let e = heard(&mut s, "un meuble");
    assert_eq!(screen(&e).step_id, "rappel");
    let e = heard(&mut s, "oui");
    let notice = screen(&e);
    assert_eq!(notice.step_id, NOTICE_SCREEN);
    assert_eq!(notice.input, Input::PrivacyNotice { full: false });
    assert_eq!(
        notice.text,
        "Vos réponses vont au service des déchets de la Communauté de Communes. Elles servent à organiser le passage du camion. Elles sont gardées six mois."
    );
    assert_eq!(option_ids(notice), ["lire-en-entier", "non", "suivant"]);
    assert!(said(&e).starts_with(&notice.text), "{}", said(&e));
    assert!(said(&e).contains("dites : suivant"), "{}", said(&e));
    // The progress and a call for help place the citizen at the personal question.
    assert_eq!(s.current_step_id(), Some("telephone"));

    // Back from the notice: the call-back question; forward again: the notice again.
    let e = heard(&mut s, "retour");
    assert_eq!(screen(&e).step_id, "rappel");
    let e = heard(&mut s, "oui");
    assert_eq!(screen(&e).step_id, NOTICE_SCREEN);
    let e = heard(&mut s, "d'accord");
    assert_eq!(screen(&e).step_id, "telephone");

    // Accepted: back and forth, and a correction from the summary, never show it again.
    heard(&mut s, "retour");
    let e = heard(&mut s, "oui");
    assert_eq!(screen(&e).step_id, "telephone");
    heard(
        &mut s,
        "zéro six douze trente quatre cinquante six soixante dix huit",
    );
    let e = heard(&mut s, "oui");
    assert_eq!(screen(&e).step_id, "resume");
    heard(&mut s, "non");
    heard(&mut s, "objets");
    let e = heard(&mut s, "autre chose");
    assert_eq!(screen(&e).step_id, "precision");
    let all: Vec<Effect> = [
        heard(&mut s, "un vieux frigo"),
        heard(&mut s, "oui"),
        heard(&mut s, "oui"),
    ]
    .concat();
    assert!(shown(&all).iter().all(|sc| sc.step_id != NOTICE_SCREEN));
    assert!(all.iter().any(|e| matches!(e, Effect::Submit(_))));
}

#[test]
fn a_visit_without_personal_questions_never_sees_the_notice() {
    let mut s = session(false);
    let all: Vec<Effect> = [
        s.handle(Event::Start),
        heard(&mut s, "suivant"),
        heard(&mut s, "un meuble"),
        heard(&mut s, "non"),
    ]
    .concat();
    assert_eq!(s.current_step_id(), Some("resume"));
    assert!(shown(&all).iter().all(|sc| sc.step_id != NOTICE_SCREEN));
}

#[test]
fn the_full_text_is_one_touch_away_and_printable() {
    let mut s = session(true);
    let e = to_notice(&mut s);
    assert_eq!(
        option_ids(screen(&e)),
        ["lire-en-entier", "imprimer", "non", "suivant"]
    );
    let e = touched(&mut s, "lire-en-entier");
    let full = screen(&e);
    assert_eq!(full.step_id, NOTICE_FULL_SCREEN);
    assert_eq!(full.input, Input::PrivacyNotice { full: true });
    assert_eq!(option_ids(full), ["imprimer", "non", "suivant"]);
    for part in [
        "Vos données personnelles\n",
        "Qui est responsable : la Communauté de Communes des Campagnes de l'Artois, 1050 avenue",
        "Qui reçoit vos réponses : les agents du service des déchets et le transporteur.",
        "Combien de temps : elles sont gardées six mois.",
        "corriger ou effacer",
        "dpo@campagnesartois.fr",
        "CNIL",
    ] {
        assert!(full.text.contains(part), "{part:?} not in {}", full.text);
    }
    // Every screen text can be spoken: the full text too.
    assert!(said(&e).contains("CNIL"), "{}", said(&e));
    let text = s.flow().privacy.as_ref().expect("notice").full_text();

    let e = touched(&mut s, "imprimer");
    assert!(e.contains(&Effect::Print { text: text.clone() }), "{e:?}");
    assert_eq!(said(&e), "J'imprime le texte en entier.");
    assert!(shown(&e).is_empty(), "the page stays");
    // "retour" goes back to the short notice; the voice may print too.
    let e = heard(&mut s, "retour");
    assert_eq!(screen(&e).step_id, NOTICE_SCREEN);
    let e = heard(&mut s, "imprimer");
    assert!(e.contains(&Effect::Print { text }), "{e:?}");
    let e = touched(&mut s, "suivant");
    assert_eq!(screen(&e).step_id, "telephone");
}

#[test]
fn without_a_printer_nothing_is_promised() {
    let mut s = session(false);
    to_notice(&mut s);
    let e = heard(&mut s, "imprimer");
    assert!(!e.iter().any(|e| matches!(e, Effect::Print { .. })));
    assert_eq!(said(&e), "Cette borne n'a pas d'imprimante.");
    assert!(!s
        .grammar()
        .unwrap_or_default()
        .iter()
        .any(|p| p == "imprimer"));
    assert!(s
        .grammar()
        .unwrap_or_default()
        .iter()
        .any(|p| p == "lire en entier"));
}

#[test]
fn no_to_the_notice_says_what_it_means_and_lets_the_citizen_stop_or_go_on() {
    let mut s = session(false);
    to_notice(&mut s);
    let e = heard(&mut s, "je ne veux pas");
    let refused = screen(&e);
    assert_eq!(refused.step_id, NOTICE_REFUSED_SCREEN);
    assert_eq!(refused.input, Input::YesNo);
    assert_eq!(
        said(&e),
        "Sans ces informations, la demande ne peut pas être envoyée. Voulez-vous arrêter ?"
    );
    // "non": back to the notice, then on.
    let e = heard(&mut s, "non");
    assert_eq!(screen(&e).step_id, NOTICE_SCREEN);
    // The "Je ne veux pas" button, then "oui": the visit ends, every answer forgotten.
    let e = touched(&mut s, "non");
    assert_eq!(screen(&e).step_id, NOTICE_REFUSED_SCREEN);
    let e = touched(&mut s, "oui");
    assert!(e.contains(&Effect::Finished {
        outcome: Outcome::Cancelled
    }));
    assert!(s.is_finished());
    assert!(s.active_answers().is_empty());
}

#[test]
fn help_and_misunderstandings_on_the_notice_say_how_to_go_on() {
    let mut s = session(false);
    to_notice(&mut s);
    let e = heard(&mut s, "aide");
    assert!(
        said(&e).starts_with("Ce texte dit ce que deviennent vos réponses."),
        "{}",
        said(&e)
    );
    let e = heard(&mut s, "les pommes de terre");
    assert!(
        said(&e).starts_with("Je n'ai pas compris. Pour continuer, dites : suivant."),
        "{}",
        said(&e)
    );
    assert_eq!(screen(&e).step_id, NOTICE_SCREEN);
    let e = heard(&mut s, "où suis-je");
    assert!(said(&e).contains("Vos réponses vont au service des déchets"));
}

#[test]
fn the_notice_is_a_fixed_prompt_of_the_flow() {
    let flow = flow();
    let prompts = kiosk_flow::runtime::fixed_prompts(&flow);
    let mut s = session(false);
    let first = said(&to_notice(&mut s));
    assert!(prompts.contains(&first), "{first:?} not in {prompts:?}");
    let full = said(&touched(&mut s, "lire-en-entier"));
    assert!(prompts.contains(&full), "{full:?}");
    assert!(kiosk_flow::machine::fixed_prompts([flow.as_ref()]).contains(&full));
}

#[test]
fn the_kiosk_prints_the_notice_without_a_receipt_code() {
    let mut machine = KioskMachine::new(
        KioskConfig {
            flows: vec![flow()],
            printer: true,
            ..KioskConfig::default()
        },
        today(),
    );
    machine.begin("encombrants");
    for said in ["suivant", "un meuble", "oui"] {
        machine.handle(KioskEvent::Heard(said.to_string()));
    }
    let effects = machine.handle(KioskEvent::Touched("imprimer".to_string()));
    let printed: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            KioskEffect::Print(printout) => Some(printout.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(printed.len(), 1, "{effects:?}");
    assert_eq!(printed[0].receipt, None);
    assert_eq!(printed[0].title, "Vos données personnelles");
    assert!(!printed[0].body.is_empty());
    assert!(printed[0]
        .plain_text(None)
        .starts_with("Vos données personnelles"));
}
