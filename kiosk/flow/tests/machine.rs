//! The whole kiosk (`KioskMachine`) driven as a host drives it, with the shipped flows: events
//! in, effects out. The [`Host`] below answers `Submit` and `LookupStatus` like the appliance,
//! keeps the one timer and fires it when a test asks, and checks every effect list it gets:
//! no sentence said twice within one event, no promise that someone comes, and no listening
//! once the host said the kiosk cannot hear.

use chrono::NaiveDate;
use kiosk_flow::machine::phrases::{
    HELP_CALLING_BACK, HELP_COMING, HELP_NOTED, HELP_UNAVAILABLE, HOME_GREETING, LOOKUP_ASK,
    LOOKUP_NOT_ENROLLED, LOOKUP_OFFLINE, NOT_ENROLLED_NOTE, PIN_WRONG, STILL_THERE, WIPED,
};
use kiosk_flow::machine::{
    sends_something, HelpCallAnswer, HelpMode, HomeView, KioskConfig, KioskEffect, KioskEvent,
    KioskMachine, LookupAnswer, PageView, PanelButton, Press, Printout, RequestState, View,
};
use kiosk_flow::runtime::{Input, Screen, Submission, NOTICE_SCREEN};
use kiosk_flow::understand::Command;
use kiosk_flow::{load_flow, Datasets, Flow};
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

const RECEIPT: &str = "K7M-4PQ";
const PIN: &str = "2468";

mod shipped;
use shipped::{flows_dir, shipped_flows};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

/// A flow that sends nothing: it ends with `end`, so an unenrolled kiosk may offer it.
const OPENING_HOURS: &str = r#"
id: horaires
version: 1
title: Les horaires de la mairie
kind: procedure
service: accueil
description: Connaître les heures d'ouverture de la mairie.
steps:
  - id: horaires
    info: La mairie est ouverte du lundi au vendredi, de 9 heures à 12 heures.
  - id: fin
    end: Merci. Bonne journée.
"#;

fn opening_hours() -> Arc<Flow> {
    let loaded = load_flow(OPENING_HOURS, &Datasets::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    Arc::new(loaded.value.expect("flow"))
}

fn config(flows: Vec<Arc<Flow>>, can_send: bool) -> KioskConfig {
    KioskConfig {
        flows,
        can_send,
        supervisor_pin: PIN.to_string(),
        ..KioskConfig::default()
    }
}

/// The lines of an answer script of `flows/examples/` as events, as the simulator reads them:
/// `touch:ID` a touch (a command button id is that command), anything else heard.
fn script(name: &str) -> Vec<KioskEvent> {
    let text = std::fs::read_to_string(flows_dir().join("examples").join(name)).expect("script");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|line| match line.strip_prefix("touch:") {
            Some(id) => match Command::from_button_id(id.trim()) {
                Some(command) => KioskEvent::Command(command),
                None => KioskEvent::Touched(id.trim().to_string()),
            },
            None => KioskEvent::Heard(line.to_string()),
        })
        .collect()
}

fn heard(text: &str) -> KioskEvent {
    KioskEvent::Heard(text.to_string())
}

fn touched(id: &str) -> KioskEvent {
    KioskEvent::Touched(id.to_string())
}

/// A host: carries out the effects that need an answer and checks every effect list.
struct Host {
    machine: KioskMachine,
    /// The one timer, as the last `SetTimer` left it.
    timer: Option<Duration>,
    /// The next `Submit` fails (answered `StoreFailed`).
    fail_store: bool,
    /// The answer to the next `LookupStatus`.
    lookup: LookupAnswer,
    submitted: Vec<Submission>,
    looked_up: Vec<String>,
    /// The host reported that the kiosk cannot hear.
    deaf: bool,
    /// The back end's answer to the next `AskHelpCall`.
    help_answer: HelpCallAnswer,
    /// The ids of the calls for help asked after, in order.
    asked_help: Vec<String>,
}

/// The id the host gives the calls for help it queues.
const HELP_CALL_ID: &str = "appel-1";

impl Host {
    fn new(config: KioskConfig) -> Host {
        let mut host = Host {
            machine: KioskMachine::new(config, today()),
            timer: None,
            fail_store: false,
            lookup: LookupAnswer::Offline,
            submitted: Vec::new(),
            looked_up: Vec::new(),
            deaf: false,
            help_answer: HelpCallAnswer::NotReceived,
            asked_help: Vec::new(),
        };
        let effects = host.machine.start();
        host.check(&effects);
        assert!(matches!(last_view(&effects).page, PageView::Attract { .. }));
        host
    }

    fn shipped() -> Host {
        Host::new(config(shipped_flows(), true))
    }

    /// Feeds one event, then the answers the host owes (store, lookup); returns every effect.
    fn send(&mut self, event: KioskEvent) -> Vec<KioskEffect> {
        if let KioskEvent::Voice { hearing, .. } = event {
            self.deaf = !hearing;
        }
        let mut all = Vec::new();
        let mut queue = VecDeque::from([event]);
        while let Some(event) = queue.pop_front() {
            let effects = self.machine.handle(event);
            self.check(&effects);
            for effect in &effects {
                match effect {
                    KioskEffect::SetTimer(after) => self.timer = *after,
                    KioskEffect::Submit(submission) => {
                        self.submitted.push(submission.clone());
                        queue.push_back(if std::mem::take(&mut self.fail_store) {
                            KioskEvent::StoreFailed
                        } else {
                            KioskEvent::Stored {
                                receipt: RECEIPT.to_string(),
                            }
                        });
                    }
                    KioskEffect::LookupStatus { receipt } => {
                        self.looked_up.push(receipt.clone());
                        queue.push_back(KioskEvent::Looked(self.lookup.clone()));
                    }
                    KioskEffect::CallForHelp { .. } => {
                        queue.push_back(KioskEvent::HelpCallQueued {
                            id: HELP_CALL_ID.to_string(),
                        });
                    }
                    KioskEffect::AskHelpCall { id } => {
                        self.asked_help.push(id.clone());
                        queue.push_back(KioskEvent::HelpCall(self.help_answer));
                    }
                    _ => {}
                }
            }
            all.extend(effects);
        }
        all
    }

    fn send_all(&mut self, events: impl IntoIterator<Item = KioskEvent>) -> Vec<KioskEffect> {
        let mut last = Vec::new();
        for event in events {
            last = self.send(event);
        }
        last
    }

    /// The timer the machine asked for runs out.
    fn fire(&mut self) -> Vec<KioskEffect> {
        assert!(self.timer.is_some(), "no timer armed");
        self.timer = None;
        self.send(KioskEvent::TimerFired)
    }

    /// What every effect list must respect, whatever the journey.
    fn check(&self, effects: &[KioskEffect]) {
        let mut sentences = HashSet::new();
        for text in says(effects) {
            for promise in [
                "J'appelle quelqu'un",
                "Restez ici",
                "va venir",
                "arrive tout de suite",
            ] {
                assert!(!text.contains(promise), "a promise nobody keeps: {text:?}");
            }
            for sentence in split_sentences(text) {
                assert!(
                    sentences.insert(sentence.to_lowercase()),
                    "said twice in one answer: {sentence:?} in {:?}",
                    says(effects)
                );
            }
        }
        if self.deaf {
            for effect in effects {
                assert!(
                    !matches!(effect, KioskEffect::Listen { .. }),
                    "listening although the kiosk cannot hear: {effects:?}"
                );
                if let KioskEffect::Show(view) = effect {
                    assert!(!view.hearing, "a view says the kiosk hears: {view:?}");
                }
            }
        }
    }

    /// From the attract screen to the first step of a flow, by touch: the kinds, then the flow.
    fn open_flow(&mut self, kind: &str, flow_id: &str) -> Vec<KioskEffect> {
        self.send(KioskEvent::Tap);
        let effects = self.send(touched(kind));
        assert!(
            home(&effects).tiles.iter().any(|t| t.id == flow_id),
            "{flow_id} not in {:?}",
            home(&effects)
        );
        self.send(touched(flow_id))
    }

    /// The street-light flow up to the place question (commune answered: Duisans, the privacy
    /// notice accepted).
    fn street_light_at_place(&mut self) {
        self.open_flow("report", "eclairage-public");
        self.send(heard("suivant"));
        let effects = self.send(heard("à duisans"));
        assert_eq!(screen(&effects).step_id, NOTICE_SCREEN);
        let effects = self.send(heard("suivant"));
        assert_eq!(screen(&effects).step_id, "lieu");
    }
}

fn split_sentences(text: &str) -> Vec<String> {
    text.split(". ")
        .flat_map(|s| s.split("? "))
        .flat_map(|s| s.split("! "))
        .map(|s| s.trim().trim_end_matches(['.', '?', '!', ' ']).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn says(effects: &[KioskEffect]) -> Vec<&str> {
    effects
        .iter()
        .filter_map(|e| match e {
            KioskEffect::Say { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn said(effects: &[KioskEffect]) -> String {
    says(effects).join(" | ")
}

fn views(effects: &[KioskEffect]) -> Vec<&View> {
    effects
        .iter()
        .filter_map(|e| match e {
            KioskEffect::Show(view) => Some(view),
            _ => None,
        })
        .collect()
}

fn last_view(effects: &[KioskEffect]) -> &View {
    views(effects)
        .pop()
        .unwrap_or_else(|| panic!("nothing shown: {effects:?}"))
}

fn home(effects: &[KioskEffect]) -> &HomeView {
    match &last_view(effects).page {
        PageView::Home(home) => home,
        other => panic!("not the home menu: {other:?}"),
    }
}

fn screen(effects: &[KioskEffect]) -> &Screen {
    match &last_view(effects).page {
        PageView::Step(screen) => screen,
        other => panic!("not a step: {other:?}"),
    }
}

fn done(effects: &[KioskEffect]) -> (&str, Option<&str>) {
    match &last_view(effects).page {
        PageView::Done { text, receipt } => (text.as_str(), receipt.as_deref()),
        other => panic!("not the end screen: {other:?}"),
    }
}

fn is_attract(effects: &[KioskEffect]) -> bool {
    matches!(last_view(effects).page, PageView::Attract { .. })
}

fn tile_ids(home: &HomeView) -> Vec<&str> {
    home.tiles.iter().map(|t| t.id.as_str()).collect()
}

fn calls_for_help(effects: &[KioskEffect]) -> Vec<(&str, &str)> {
    effects
        .iter()
        .filter_map(|e| match e {
            KioskEffect::CallForHelp { flow_id, step_id } => {
                Some((flow_id.as_str(), step_id.as_str()))
            }
            _ => None,
        })
        .collect()
}

fn summary_values(screen: &Screen) -> Vec<String> {
    screen
        .summary
        .iter()
        .map(|l| format!("{} : {}", l.label, l.value))
        .collect()
}

// ----- whole journeys -----------------------------------------------------------------------

#[test]
fn a_street_light_report_from_the_attract_screen_then_a_fresh_citizen() {
    let mut host = Host::shipped();

    let effects = host.send(KioskEvent::Tap);
    assert_eq!(
        tile_ids(home(&effects)),
        ["report", "booking", "procedure", "suivi"]
    );
    assert!(said(&effects).starts_with("Bonjour."), "{}", said(&effects));

    let effects = host.send(touched("report"));
    let reports = tile_ids(home(&effects));
    assert!(reports.contains(&"eclairage-public"), "{reports:?}");
    assert!(home(&effects).can_go_back);

    let effects = host.send(touched("eclairage-public"));
    assert_eq!(screen(&effects).step_id, "accueil");
    assert_eq!(screen(&effects).flow_title, "Un lampadaire ne marche plus");

    let effects = host.send_all(script("eclairage-public.txt"));
    let submission = host.submitted.last().expect("submitted");
    assert_eq!(submission.flow_id, "eclairage-public");
    let display: Vec<&str> = submission
        .answers
        .iter()
        .map(|a| a.display.as_str())
        .collect();
    assert!(display.contains(&"Duisans"), "{display:?}");
    let (text, receipt) = done(&effects);
    assert_eq!(receipt, Some(RECEIPT));
    assert!(text.contains(RECEIPT), "{text}");
    assert!(
        said(&effects).contains("K, 7, M, 4, P, Q"),
        "{}",
        said(&effects)
    );
    assert!(host.machine.session().is_none());
    assert_eq!(host.timer, Some(KioskConfig::default().done_timeout));

    let effects = host.send(touched("terminer"));
    assert!(is_attract(&effects));
    assert!(host.machine.is_idle());
    assert_eq!(host.timer, None);

    // The next person: a fresh session, by touch this time.
    let effects = host.open_flow("report", "eclairage-public");
    assert_eq!(screen(&effects).step_id, "accueil");
    assert!(host
        .machine
        .session()
        .expect("a session")
        .active_answers()
        .is_empty());
    let mut lines = script("eclairage-public-toucher.txt");
    let last = lines.pop().expect("the summary's oui");
    let effects = host.send_all(lines);
    let summary = screen(&effects);
    assert_eq!(summary.step_id, "resume");
    let values = summary_values(summary);
    assert!(
        values.iter().any(|v| v == "Commune : Tincques"),
        "{values:?}"
    );
    for first in ["Duisans", "église", "Il ne s'allume plus"] {
        assert!(
            !values.iter().any(|v| v.contains(first)),
            "the first citizen's {first:?} in {values:?}"
        );
    }
    let effects = host.send(last);
    assert_eq!(done(&effects).1, Some(RECEIPT));
    let second = host.submitted.last().expect("submitted");
    assert!(!second
        .answers
        .iter()
        .any(|a| a.display.contains("Duisans") || a.display.contains("église")));
    assert_eq!(host.submitted.len(), 2);
}

#[test]
fn every_shipped_example_script_plays_to_its_end_in_the_machine() {
    let flows = shipped_flows();
    for flow in &flows {
        for suffix in ["", "-toucher"] {
            let name = format!("{}{suffix}.txt", flow.id);
            if !flows_dir().join("examples").join(&name).exists() {
                continue;
            }
            let mut host = Host::new(config(flows.clone(), true));
            host.open_flow(flow.kind.keyword(), &flow.id);
            let effects = host.send_all(script(&name));
            let (text, _) = done(&effects);
            assert!(!text.is_empty(), "{name}");
            assert!(host.machine.session().is_none(), "{name}");
        }
    }
}

/// The street-light and roads flows tell the citizen « Votre signalement sera marqué
/// urgent » exactly when their `urgent` condition holds, and the submission carries it.
#[test]
fn shipped_reports_are_urgent_exactly_when_they_say_so() {
    for (flow_id, name, urgent) in [
        ("eclairage-public", "eclairage-public-abime.txt", true),
        ("eclairage-public", "eclairage-public.txt", false),
        ("eclairage-public", "eclairage-public-toucher.txt", false),
        ("voirie", "voirie.txt", true),
        ("voirie", "voirie-toucher.txt", false),
    ] {
        let mut host = Host::shipped();
        host.open_flow("report", flow_id);
        let mut told = false;
        for event in script(name) {
            told |= said(&host.send(event)).contains("marqué urgent");
        }
        let submission = host.submitted.last().expect("submitted");
        assert_eq!(submission.flow_id, flow_id, "{name}");
        assert_eq!(submission.urgent, urgent, "{name}");
        assert_eq!(told, urgent, "{name}: what the citizen was told");
    }
}

#[test]
fn saying_a_flow_name_starts_it_even_at_the_attract_screen() {
    let mut host = Host::shipped();
    let effects = host.send(heard("un lampadaire"));
    assert_eq!(screen(&effects).flow_title, "Un lampadaire ne marche plus");
    assert_eq!(screen(&effects).step_id, "accueil");

    let mut host = Host::shipped();
    host.send(KioskEvent::Tap);
    let effects = host.send(heard("un lampadaire"));
    assert_eq!(screen(&effects).flow_title, "Un lampadaire ne marche plus");

    for wake in [None, Some(KioskEvent::Tap)] {
        let mut host = Host::shipped();
        if let Some(tap) = wake {
            host.send(tap);
        }
        let effects = host.send(heard("je veux réserver"));
        let bookings = home(&effects);
        let ids = tile_ids(bookings);
        assert!(
            ids.contains(&"salle-des-fetes") && ids.contains(&"place-creche"),
            "{ids:?}"
        );
        assert!(!ids.contains(&"eclairage-public"), "{ids:?}");
    }
}

// ----- the idle prompt ------------------------------------------------------------------------

#[test]
fn no_at_the_idle_prompt_ends_the_visit() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    let effects = host.fire();
    assert!(said(&effects).contains(STILL_THERE), "{}", said(&effects));
    assert!(last_view(&effects).idle_prompt.is_some());
    assert_eq!(host.timer, Some(KioskConfig::default().idle_countdown));

    let effects = host.send(heard("pas d'accord"));
    assert!(is_attract(&effects), "{effects:?}");
    assert!(host.machine.session().is_none());
    assert!(said(&effects).contains("effacées"), "{}", said(&effects));
}

#[test]
fn yes_at_the_idle_prompt_resumes_the_same_step_with_answers_kept() {
    for yes in ["oui", "je suis là"] {
        let mut host = Host::shipped();
        host.street_light_at_place();
        host.fire();
        let effects = host.send(heard(yes));
        let view = last_view(&effects);
        assert_eq!(view.idle_prompt, None, "{yes}");
        assert_eq!(screen(&effects).step_id, "lieu", "{yes}");
        assert!(said(&effects).contains("Où est le lampadaire"), "{yes}");
        assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));

        let effects = host.send_all([
            heard("devant le douze rue de l'église"),
            heard("oui"),
            heard("il ne s'allume plus"),
            heard("non"),
        ]);
        let values = summary_values(screen(&effects));
        assert!(
            values.iter().any(|v| v == "Commune : Duisans"),
            "{yes}: {values:?}"
        );
    }
}

#[test]
fn a_second_timer_at_the_idle_prompt_wipes_and_the_next_visit_has_no_answers() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.fire();
    let effects = host.fire();
    assert!(is_attract(&effects));
    assert!(said(&effects).contains(WIPED), "{}", said(&effects));
    assert!(host.machine.session().is_none());
    assert_eq!(host.timer, None);

    let effects = host.send(KioskEvent::Tap);
    assert_eq!(
        tile_ids(home(&effects)),
        ["report", "booking", "procedure", "suivi"]
    );
    host.send(touched("report"));
    let effects = host.send(touched("eclairage-public"));
    assert_eq!(screen(&effects).step_id, "accueil");
    let session = host.machine.session().expect("a session");
    assert!(session.active_answers().is_empty());
}

// ----- ambassadors ----------------------------------------------------------------------------

#[test]
fn the_pin_pad_ends_the_visit_whatever_happens_on_it() {
    // The timer runs out on the PIN pad.
    let mut host = Host::shipped();
    host.street_light_at_place();
    let effects = host.send(KioskEvent::SupervisorCorner);
    assert!(effects.contains(&KioskEffect::Hush));
    assert!(matches!(last_view(&effects).page, PageView::Pin { .. }));
    assert!(host.machine.session().is_none());
    let effects = host.fire();
    assert!(is_attract(&effects));
    assert!(host.machine.session().is_none());
    let effects = host.send(KioskEvent::Tap);
    assert_eq!(home(&effects).title, "Que voulez-vous faire ?");

    // "annuler" on the PIN pad.
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.send(KioskEvent::SupervisorCorner);
    host.send(KioskEvent::PinKey("1".into()));
    let effects = host.send(KioskEvent::PinKey("annuler".into()));
    assert!(is_attract(&effects));
    assert!(host.machine.session().is_none());
    let effects = host.send(KioskEvent::Tap);
    assert!(matches!(last_view(&effects).page, PageView::Home(_)));
    assert!(!said(&effects).contains("Où est le lampadaire"));
}

#[test]
fn a_wrong_pin_says_so_and_the_right_one_opens_the_supervisor_screen() {
    let mut host = Host::shipped();
    host.send(KioskEvent::SupervisorCorner);
    for digit in ["1", "2", "3"] {
        let effects = host.send(KioskEvent::PinKey(digit.into()));
        assert!(matches!(
            last_view(&effects).page,
            PageView::Pin { message: None, .. }
        ));
    }
    let effects = host.send(KioskEvent::PinKey("valider".into()));
    assert_eq!(
        last_view(&effects).page,
        PageView::Pin {
            digits: 0,
            message: Some(PIN_WRONG.to_string())
        }
    );
    let mut effects = Vec::new();
    for key in ["2", "4", "6", "9", "effacer", "8"] {
        effects = host.send(KioskEvent::PinKey(key.into()));
    }
    assert_eq!(
        last_view(&effects).page,
        PageView::Pin {
            digits: 4,
            message: None
        }
    );
    let effects = host.send(KioskEvent::PinKey("valider".into()));
    assert_eq!(
        last_view(&effects).page,
        PageView::Supervisor { notes: Vec::new() }
    );
    let effects = host.send(KioskEvent::Supervisor(
        kiosk_flow::machine::SupervisorAction::Close,
    ));
    assert!(is_attract(&effects));
}

fn open_supervisor(host: &mut Host) -> Vec<String> {
    host.send(KioskEvent::SupervisorCorner);
    for key in PIN.chars() {
        host.send(KioskEvent::PinKey(key.to_string()));
    }
    let effects = host.send(KioskEvent::PinKey("valider".into()));
    match &last_view(&effects).page {
        PageView::Supervisor { notes } => notes.clone(),
        other => panic!("not the supervisor screen: {other:?}"),
    }
}

// ----- an unenrolled kiosk --------------------------------------------------------------------

#[test]
fn an_unenrolled_kiosk_offers_only_flows_that_send_nothing() {
    let mut flows = shipped_flows();
    assert!(flows.iter().all(|f| sends_something(f)));
    flows.push(opening_hours());
    let mut host = Host::new(config(flows.clone(), false));
    let effects = host.send(KioskEvent::Tap);
    let ids = tile_ids(home(&effects));
    assert!(ids.contains(&"horaires"), "{ids:?}");
    assert!(ids.contains(&"suivi"), "{ids:?}");
    for id in &ids {
        if let Some(flow) = flows.iter().find(|f| f.id == *id) {
            assert!(!sends_something(flow), "{id} sends something");
        }
    }
    assert!(!said(&effects).contains("lampadaire"), "{}", said(&effects));
    // Not even by voice.
    let effects = host.send(heard("un lampadaire"));
    assert!(matches!(last_view(&effects).page, PageView::Home(_)));
    assert!(host.machine.session().is_none());

    // With the shipped flows only (all of them send), the status tile is all there is.
    let mut host = Host::new(config(shipped_flows(), false));
    let effects = host.send(KioskEvent::Tap);
    assert_eq!(tile_ids(home(&effects)), ["suivi"]);

    let notes = open_supervisor(&mut host);
    assert!(notes.iter().any(|n| n == NOT_ENROLLED_NOTE), "{notes:?}");
    let mut enrolled = Host::shipped();
    assert!(open_supervisor(&mut enrolled).is_empty());
}

#[test]
fn an_unenrolled_kiosk_says_it_cannot_check_a_request_without_asking_the_code() {
    let mut host = Host::new(config(vec![opening_hours()], false));
    let effects = host.send(KioskEvent::Tap);
    assert!(tile_ids(home(&effects)).contains(&"suivi"));
    let effects = host.send(touched("suivi"));
    assert!(
        said(&effects).contains(LOOKUP_NOT_ENROLLED),
        "{}",
        said(&effects)
    );
    assert!(!said(&effects).contains(LOOKUP_ASK));
    assert_eq!(done(&effects), (LOOKUP_NOT_ENROLLED, None));
    assert!(!views(&effects)
        .iter()
        .any(|v| matches!(&v.page, PageView::Step(s) if s.input == Input::ReceiptCode)));
    assert!(host.looked_up.is_empty());
}

// ----- the status lookup ----------------------------------------------------------------------

fn lookup_to_answer(answer: LookupAnswer) -> (Host, Vec<KioskEffect>) {
    let mut host = Host::shipped();
    host.lookup = answer;
    host.send(KioskEvent::Tap);
    let effects = host.send(touched("suivi"));
    assert_eq!(screen(&effects).input, Input::ReceiptCode);
    assert!(said(&effects).contains(LOOKUP_ASK));
    let effects = host.send(heard("i grec, ka, cu, bé, gé, vé"));
    assert!(screen(&effects).text.contains("YKQ-BGV"), "{effects:?}");
    assert!(
        said(&effects).contains("Y, K, Q, B, G, V"),
        "{}",
        said(&effects)
    );
    assert!(host.looked_up.is_empty());
    let effects = host.send(heard("oui"));
    assert!(effects.contains(&KioskEffect::LookupStatus {
        receipt: "YKQ-BGV".into()
    }));
    assert_eq!(host.looked_up, ["YKQ-BGV"]);
    (host, effects)
}

#[test]
fn a_booking_is_said_confirmed_or_refused_with_the_reason_and_the_free_days() {
    use kiosk_flow::booking::{BookingOutcome, BookingState};
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let outcome = |state, reason: Option<&str>, alternatives| BookingOutcome {
        resource_name: "Salle des fêtes de Duisans".into(),
        day: day("2027-03-13"),
        quantity: 1,
        state,
        reason: reason.map(str::to_string),
        alternatives,
    };
    let (_, effects) = lookup_to_answer(LookupAnswer::Found {
        state: RequestState::Done,
        note: None,
        booking: Some(outcome(BookingState::Confirmed, None, Vec::new())),
    });
    let (text, _) = done(&effects);
    assert!(text.contains("du samedi 13 mars est confirmée."), "{text}");

    let (_, effects) = lookup_to_answer(LookupAnswer::Found {
        state: RequestState::Rejected,
        note: Some("la salle est déjà prise".into()),
        booking: Some(outcome(
            BookingState::Declined,
            Some("la salle est déjà prise"),
            vec![day("2027-03-20"), day("2027-03-14")],
        )),
    });
    let (text, _) = done(&effects);
    assert!(
        text.contains("est refusée. Raison : la salle est déjà prise."),
        "{text}"
    );
    assert!(
        text.contains("Jours libres les plus proches : le samedi 20 mars et le dimanche 14 mars."),
        "{text}"
    );
    assert_eq!(
        text.matches("déjà prise").count(),
        1,
        "the note is not said twice: {text}"
    );
}

#[test]
fn a_receipt_code_said_letter_by_letter_gives_the_status_and_the_note() {
    let (_, effects) = lookup_to_answer(LookupAnswer::Found {
        state: RequestState::Done,
        note: Some("Le lampadaire est réparé.".into()),
        booking: None,
    });
    let (text, _) = done(&effects);
    assert!(text.contains("traitée"), "{text}");
    assert!(text.contains("Le lampadaire est réparé."), "{text}");
    assert!(said(&effects).contains("Le lampadaire est réparé."));
}

#[test]
fn an_offline_lookup_says_to_come_back() {
    let (mut host, effects) = lookup_to_answer(LookupAnswer::Offline);
    let (text, _) = done(&effects);
    assert_eq!(text, LOOKUP_OFFLINE);
    assert!(text.contains("Je ne peux pas vérifier maintenant"));
    assert!(text.contains("Revenez"));
    let effects = host.send(touched("terminer"));
    assert!(is_attract(&effects));
}

// ----- "où j'en suis" ---------------------------------------------------------------------------

#[test]
fn where_am_i_in_a_flow_says_the_flow_the_step_and_the_question_and_loses_nothing() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    let total = host.machine.session().expect("session").flow().steps.len();
    let effects = host.send(heard("où j'en suis"));
    let text = said(&effects);
    assert!(text.contains("Un lampadaire ne marche plus"), "{text}");
    assert!(text.contains(&format!("Étape 3 sur {total}")), "{text}");
    assert!(text.contains("Où est le lampadaire ?"), "{text}");
    assert_eq!(screen(&effects).step_id, "lieu");

    let effects = host.send(heard("devant le douze rue de l'église"));
    assert_eq!(screen(&effects).input, Input::YesNo);
    let effects = host.send_all([heard("oui"), heard("il ne s'allume plus"), heard("non")]);
    let values = summary_values(screen(&effects));
    assert!(
        values.iter().any(|v| v == "Commune : Duisans"),
        "{values:?}"
    );
    assert!(
        values.iter().any(|v| v.starts_with("Endroit : ")),
        "{values:?}"
    );
}

// ----- what is said ---------------------------------------------------------------------------

#[test]
fn a_store_failure_is_said_once_and_can_be_retried() {
    let mut host = Host::shipped();
    host.open_flow("report", "eclairage-public");
    let mut lines = script("eclairage-public.txt");
    let last = lines.pop().expect("the summary's oui");
    host.send_all(lines);
    host.fail_store = true;
    let effects = host.send(last);
    assert_eq!(host.submitted.len(), 1);
    let text = said(&effects);
    assert_eq!(
        text.matches("Je n'arrive pas à enregistrer").count(),
        1,
        "{text}"
    );
    assert_eq!(screen(&effects).input, Input::Continue);
    let effects = host.send(touched("suivant"));
    assert_eq!(host.submitted.len(), 2);
    assert_eq!(done(&effects).1, Some(RECEIPT));
}

#[test]
fn a_call_for_help_promises_nothing_and_is_queued_only_when_enrolled() {
    let ask = "je veux parler à quelqu'un";

    let mut host = Host::shipped();
    host.open_flow("report", "eclairage-public");
    host.send(heard("suivant"));
    let effects = host.send(heard(ask));
    assert_eq!(calls_for_help(&effects), [("eclairage-public", "commune")]);
    assert_eq!(said(&effects), HELP_NOTED);
    assert_eq!(screen(&effects).step_id, "commune");
    // Asking again in the same visit: the same call, noted once.
    let effects = host.send(KioskEvent::Command(Command::Human));
    assert!(calls_for_help(&effects).is_empty(), "{effects:?}");
    assert_eq!(said(&effects), HELP_NOTED);
    // At the home menu too.
    let mut host = Host::shipped();
    host.send(KioskEvent::Tap);
    let effects = host.send(heard(ask));
    assert_eq!(calls_for_help(&effects).len(), 1, "{effects:?}");
    assert!(said(&effects).contains(HELP_NOTED));

    // At the attract screen: a call, not the flow "Être rappelé par quelqu'un".
    let mut host = Host::shipped();
    let effects = host.send(heard(ask));
    assert_eq!(calls_for_help(&effects), [("accueil", "accueil")]);
    assert!(host.machine.session().is_none());
    assert!(said(&effects).contains(HELP_NOTED));
    assert!(effects
        .iter()
        .any(|e| matches!(e, KioskEffect::Listen { .. })));

    let mut host = Host::new(config(vec![opening_hours()], false));
    let effects = host.send(heard(ask));
    assert!(calls_for_help(&effects).is_empty(), "{effects:?}");
    assert!(said(&effects).contains(HELP_UNAVAILABLE));
    let effects = host.send(KioskEvent::Tap);
    assert!(tile_ids(home(&effects)).contains(&"horaires"));
    let effects = host.send(touched("horaires"));
    assert_eq!(screen(&effects).step_id, "horaires");
    for event in [heard(ask), KioskEvent::Command(Command::Human)] {
        let effects = host.send(event);
        assert!(calls_for_help(&effects).is_empty(), "{effects:?}");
        assert_eq!(said(&effects), HELP_UNAVAILABLE);
    }
    let mut host = Host::new(config(vec![opening_hours()], false));
    host.send(KioskEvent::Tap);
    let effects = host.send(heard(ask));
    assert!(calls_for_help(&effects).is_empty(), "{effects:?}");
    assert!(said(&effects).contains(HELP_UNAVAILABLE));
}

#[test]
fn a_kiosk_that_cannot_hear_never_listens() {
    let mut host = Host::shipped();
    let effects = host.send(KioskEvent::Voice {
        hearing: false,
        speaking: true,
    });
    assert!(!last_view(&effects).hearing);
    let effects = host.open_flow("report", "eclairage-public");
    assert!(!last_view(&effects).hearing);
    let effects = host.send_all(script("eclairage-public-toucher.txt"));
    assert_eq!(done(&effects).1, Some(RECEIPT));
    host.send(touched("terminer"));

    // The idle prompt, then a lookup typed on the keyboard.
    host.send(KioskEvent::Tap);
    host.fire();
    host.send(KioskEvent::Tap);
    host.lookup = LookupAnswer::Queued;
    host.send(touched("suivi"));
    host.send(touched("YKQBGV"));
    let effects = host.send(touched("oui"));
    assert_eq!(host.looked_up, ["YKQ-BGV"]);
    assert!(matches!(last_view(&effects).page, PageView::Done { .. }));
}

// ----- touches are never commands ---------------------------------------------------------------

#[test]
fn an_option_id_equal_to_a_command_id_cannot_reach_the_command() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.send_all([heard("devant le douze rue de l'église"), heard("oui")]);
    let session = host.machine.session().expect("session");
    assert_eq!(session.current_step_id(), Some("probleme"));

    let help = "Dites ce qui ne va pas";
    let effects = host.send(touched("aide"));
    assert!(!said(&effects).contains(help), "{}", said(&effects));
    assert!(
        said(&effects).contains("Je n'ai pas compris"),
        "{}",
        said(&effects)
    );
    assert_eq!(screen(&effects).step_id, "probleme");

    let effects = host.send(KioskEvent::Command(Command::Help));
    assert!(said(&effects).contains(help), "{}", said(&effects));
    assert_eq!(screen(&effects).step_id, "probleme");
}

// ----- the edges of the idle prompt and of the PIN pad ----------------------------------------

#[test]
fn the_receipt_stored_during_the_idle_prompt_is_shown_and_terminer_works_at_once() {
    let mut host = Host::shipped();
    host.open_flow("report", "eclairage-public");
    let mut lines = script("eclairage-public.txt");
    let last = lines.pop().expect("the summary's oui");
    host.send_all(lines);
    // The store is slow: the host answers after the idle timer ran out.
    let effects = host.machine.handle(last);
    host.check(&effects);
    assert!(effects.iter().any(|e| matches!(e, KioskEffect::Submit(_))));
    let effects = host.machine.handle(KioskEvent::TimerFired);
    host.check(&effects);
    assert!(said(&effects).contains(STILL_THERE));
    let effects = host.send(KioskEvent::Stored {
        receipt: RECEIPT.into(),
    });
    assert_eq!(done(&effects).1, Some(RECEIPT));
    assert_eq!(last_view(&effects).idle_prompt, None);
    assert_eq!(host.timer, Some(KioskConfig::default().done_timeout));
    let effects = host.send(touched("terminer"));
    assert!(is_attract(&effects), "{effects:?}");
}

#[test]
fn the_idle_prompt_stays_on_screen_when_the_voice_changes_and_a_setting_resumes() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.fire();
    let effects = host.send(KioskEvent::Voice {
        hearing: false,
        speaking: true,
    });
    let view = last_view(&effects);
    assert!(!view.hearing);
    assert_eq!(view.idle_prompt, Some(20));

    let effects = host.send(KioskEvent::Setting(
        kiosk_flow::machine::SettingChange::TextBigger,
    ));
    assert_eq!(last_view(&effects).idle_prompt, None);
    assert_eq!(screen(&effects).step_id, "lieu");
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
    // The prompt is over: the next timer asks again, it does not wipe.
    let effects = host.fire();
    assert!(said(&effects).contains(STILL_THERE));
    assert!(host.machine.session().is_some());
}

#[test]
fn without_a_pin_the_corner_does_not_end_the_visit() {
    let mut host = Host::new(KioskConfig {
        flows: shipped_flows(),
        ..KioskConfig::default()
    });
    host.street_light_at_place();
    let effects = host.send(KioskEvent::SupervisorCorner);
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(
        host.machine.session().and_then(|s| s.current_step_id()),
        Some("lieu")
    );
}

#[test]
fn with_one_kind_of_flows_the_status_entry_stays_on_the_home_menu() {
    let mut host = Host::new(config(vec![opening_hours()], true));
    let effects = host.send(KioskEvent::Tap);
    let menu = home(&effects);
    assert_eq!(tile_ids(menu), ["horaires", "suivi"]);
    assert!(!menu.can_go_back);
    assert!(
        said(&effects).contains("où en est ma demande"),
        "{}",
        said(&effects)
    );
    let effects = host.send(touched("suivi"));
    assert_eq!(screen(&effects).input, Input::ReceiptCode);
}

// ----- optional questions -----------------------------------------------------------------

#[test]
fn an_optional_question_is_skipped_then_answered_from_the_summary() {
    let mut host = Host::shipped();
    host.open_flow("report", "depot-sauvage");
    let mut lines = script("depot-sauvage-passer.txt");
    // Up to the optional quantity question: its screen has the Passer button, others not.
    let effects = host.send_all(lines.drain(..6));
    assert_eq!(screen(&effects).step_id, "volume");
    assert!(screen(&effects).can_skip);
    let effects = host.send(lines.remove(0)); // "je ne sais pas"
    assert!(said(&effects).contains("D'accord, on passe cette question."));
    assert_eq!(screen(&effects).step_id, "rappel");
    assert!(!screen(&effects).can_skip);
    let effects = host.send(lines.remove(0)); // "non": no call back
    let values = summary_values(screen(&effects));
    assert!(
        values.contains(&"Quantité : non renseigné".to_string()),
        "{values:?}"
    );
    // The rest of the script: change the quantity from the summary, then confirm.
    let effects = host.send_all(lines);
    assert_eq!(done(&effects).1, Some(RECEIPT));
    let submission = host.submitted.last().expect("submitted");
    let volume = submission
        .answers
        .iter()
        .find(|a| a.step_id == "volume")
        .expect("the quantity is sent");
    assert_eq!(volume.value, serde_json::json!("sac"));
    assert_eq!(volume.display, "Un sac");
}

#[test]
fn the_passer_button_sends_a_skipped_answer_explicitly() {
    let mut host = Host::shipped();
    host.open_flow("report", "depot-sauvage");
    let mut lines = script("depot-sauvage-passer.txt");
    host.send_all(lines.drain(..6));
    let effects = host.send(KioskEvent::Command(Command::Skip));
    assert_eq!(screen(&effects).step_id, "rappel");
    host.send(heard("non"));
    let effects = host.send(heard("oui"));
    assert_eq!(done(&effects).1, Some(RECEIPT));
    let volume = host
        .submitted
        .last()
        .and_then(|s| s.answers.iter().find(|a| a.step_id == "volume"))
        .expect("a skipped answer is sent");
    assert_eq!(volume.value, serde_json::Value::Null);
    assert_eq!(volume.display, "non renseigné");
    assert_eq!(volume.dataset, None);
}

#[test]
fn je_ne_sais_pas_on_the_home_menu_gets_its_help() {
    let mut host = Host::shipped();
    host.send(KioskEvent::Tap);
    let effects = host.send(heard("je ne sais pas"));
    assert!(
        said(&effects).contains(kiosk_flow::machine::phrases::HOME_HELP),
        "{}",
        said(&effects)
    );
    assert!(matches!(last_view(&effects).page, PageView::Home(_)));
}

// ----- the front panel (buttons and presence sensor) -------------------------------------------

fn button(button: PanelButton, press: Press) -> KioskEvent {
    KioskEvent::Button { button, press }
}

fn listens(effects: &[KioskEffect]) -> Vec<&Option<Vec<String>>> {
    effects
        .iter()
        .filter_map(|e| match e {
            KioskEffect::Listen { phrases } => Some(phrases),
            _ => None,
        })
        .collect()
}

#[test]
fn parler_wakes_the_attract_screen_with_the_greeting() {
    let mut host = Host::shipped();
    let effects = host.send(button(PanelButton::Talk, Press::Short));
    assert!(matches!(last_view(&effects).page, PageView::Home(_)));
    assert!(
        said(&effects).starts_with(HOME_GREETING),
        "{}",
        said(&effects)
    );
    assert!(!listens(&effects).is_empty());
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
}

#[test]
fn parler_interrupts_the_kiosk_and_listens_for_the_question_on_screen() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    let asked = host.send(KioskEvent::Command(Command::Repeat));
    let question_grammar = listens(&asked).last().cloned().cloned().expect("listens");

    let effects = host.send(button(PanelButton::Talk, Press::Short));
    // Speech stopped first, then listening at once, for the same answer; nothing said, the
    // screen unchanged.
    let hush = effects
        .iter()
        .position(|e| matches!(e, KioskEffect::Hush))
        .expect("the kiosk stops talking");
    let listen = effects
        .iter()
        .position(|e| matches!(e, KioskEffect::Listen { .. }))
        .expect("and listens");
    assert!(hush < listen, "{effects:?}");
    assert_eq!(listens(&effects), [&question_grammar]);
    assert!(says(&effects).is_empty(), "{effects:?}");
    assert!(views(&effects).is_empty(), "{effects:?}");
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));

    // What is said then answers the question on screen (read back for confirmation).
    let effects = host.send(heard("devant le douze rue de l'église"));
    assert!(said(&effects).contains("douze"), "{}", said(&effects));
}

#[test]
fn parler_does_not_listen_when_the_kiosk_cannot_hear() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.send(KioskEvent::Voice {
        hearing: false,
        speaking: true,
    });
    // Host::check refuses any Listen once the kiosk cannot hear.
    let effects = host.send(button(PanelButton::Talk, Press::Short));
    assert!(listens(&effects).is_empty());
}

#[test]
fn parler_under_the_idle_prompt_means_i_am_here() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.fire();
    let effects = host.send(button(PanelButton::Talk, Press::Short));
    assert_eq!(last_view(&effects).idle_prompt, None);
    assert_eq!(screen(&effects).step_id, "lieu");
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
}

#[test]
fn a_long_press_of_parler_offers_one_button_mode() {
    // Not a speak-now: the kiosk offers one-button mode, and listens for nothing.
    let mut host = Host::shipped();
    host.street_light_at_place();
    let effects = host.send(button(PanelButton::Talk, Press::Long));
    assert!(
        said(&effects).contains(kiosk_flow::machine::phrases::ONE_BUTTON_OFFER),
        "{}",
        said(&effects)
    );
    assert!(listens(&effects).is_empty(), "{effects:?}");
}

#[test]
fn aide_is_the_help_of_this_step_and_held_down_a_call_for_help() {
    let mut host = Host::shipped();
    host.street_light_at_place();
    let by_command = host.send(KioskEvent::Command(Command::Help));
    let by_button = host.send(button(PanelButton::Help, Press::Short));
    assert_eq!(said(&by_button), said(&by_command));
    assert_eq!(screen(&by_button).step_id, "lieu");
    assert!(calls_for_help(&by_button).is_empty());

    let effects = host.send(button(PanelButton::Help, Press::Long));
    assert_eq!(calls_for_help(&effects), [("eclairage-public", "lieu")]);
    assert_eq!(said(&effects), HELP_NOTED);
    assert_eq!(screen(&effects).step_id, "lieu", "the answers stay");

    // On the attract screen too, without starting anything.
    let mut host = Host::shipped();
    let effects = host.send(button(PanelButton::Help, Press::Long));
    assert_eq!(calls_for_help(&effects), [("accueil", "accueil")]);
    assert!(host.machine.is_idle());

    // Not enrolled: nothing queued, and said so.
    let mut host = Host::new(config(vec![opening_hours()], false));
    host.send(KioskEvent::Tap);
    let effects = host.send(button(PanelButton::Help, Press::Long));
    assert!(calls_for_help(&effects).is_empty());
    assert!(said(&effects).contains(HELP_UNAVAILABLE));
}

#[test]
fn presence_wakes_the_attract_screen_with_the_greeting() {
    let mut host = Host::shipped();
    let effects = host.send(KioskEvent::Presence(true));
    assert!(matches!(last_view(&effects).page, PageView::Home(_)));
    assert!(said(&effects).starts_with(HOME_GREETING));
    // Seen again during the visit: nothing new said.
    let effects = host.send(KioskEvent::Presence(true));
    assert!(effects.is_empty(), "{effects:?}");
    // Nobody leaving the attract screen changes nothing.
    let mut host = Host::shipped();
    let effects = host.send(KioskEvent::Presence(false));
    assert!(effects.is_empty(), "{effects:?}");
    assert!(host.machine.is_idle());
}

#[test]
fn a_person_who_leaves_gets_the_idle_prompt_sooner_then_the_wipe() {
    let defaults = KioskConfig::default();
    assert!(defaults.absent_timeout < defaults.idle_timeout);
    let mut host = Host::shipped();
    host.street_light_at_place();
    host.send(KioskEvent::Presence(false));
    assert_eq!(host.timer, Some(defaults.absent_timeout));
    // The end of a sentence does not bring the long time back.
    host.send(KioskEvent::DoneSpeaking);
    assert_eq!(host.timer, Some(defaults.absent_timeout));
    let effects = host.fire();
    assert!(said(&effects).contains(STILL_THERE));
    assert_eq!(host.timer, Some(defaults.idle_countdown));
    let effects = host.fire();
    assert!(is_attract(&effects));
    assert!(host.machine.session().is_none());

    // The next visit has the usual time again.
    host.send(KioskEvent::Presence(true));
    assert_eq!(host.timer, Some(defaults.idle_timeout));
}

#[test]
fn a_touch_or_the_person_seen_again_brings_the_usual_idle_time_back() {
    let defaults = KioskConfig::default();
    for back in [KioskEvent::Presence(true), touched("nothing-here")] {
        let mut host = Host::shipped();
        host.street_light_at_place();
        host.send(KioskEvent::Presence(false));
        assert_eq!(host.timer, Some(defaults.absent_timeout));
        host.send(back.clone());
        assert_eq!(host.timer, Some(defaults.idle_timeout), "{back:?}");
    }
    // The end screen goes sooner too (the receipt is not left for the next person to read).
    let mut host = Host::shipped();
    host.open_flow("report", "eclairage-public");
    host.send_all(script("eclairage-public-toucher.txt"));
    assert_eq!(host.timer, Some(defaults.done_timeout));
    host.send(KioskEvent::Presence(false));
    assert_eq!(host.timer, Some(defaults.absent_timeout));
}

/// The street-light flow at its place question with a call for help just made there.
fn waiting_for_help(help_answer: HelpCallAnswer) -> Host {
    let mut host = Host::shipped();
    host.help_answer = help_answer;
    host.street_light_at_place();
    host.send(heard("le lampadaire devant la mairie"));
    let effects = host.send(heard("je veux parler à quelqu'un"));
    assert_eq!(calls_for_help(&effects).len(), 1);
    assert!(said(&effects).contains(HELP_NOTED), "{effects:?}");
    host
}

fn never_says_someone_comes(effects: &[KioskEffect]) {
    for text in says(effects) {
        assert!(
            !text.contains(HELP_COMING) && !text.contains(HELP_CALLING_BACK),
            "{text:?}"
        );
    }
}

#[test]
fn a_call_nobody_has_taken_stays_noted_and_is_asked_after_at_the_timer() {
    let mut host = waiting_for_help(HelpCallAnswer::Open);
    let step = host
        .machine
        .session()
        .map(|s| s.current_step_id().map(str::to_string));
    assert_eq!(host.timer, Some(KioskConfig::default().help_poll_every));
    for _ in 0..3 {
        let effects = host.fire();
        never_says_someone_comes(&effects);
        assert!(says(&effects).is_empty(), "{effects:?}");
    }
    assert_eq!(host.asked_help, [HELP_CALL_ID; 3]);
    // The citizen goes on meanwhile: nothing is lost, the call is still asked after.
    let again = host
        .machine
        .session()
        .map(|s| s.current_step_id().map(str::to_string));
    assert_eq!(again, step);
    let effects = host.send(KioskEvent::Command(Command::Human));
    assert_eq!(said(&effects), HELP_NOTED);
    assert!(calls_for_help(&effects).is_empty());
}

#[test]
fn an_offline_kiosk_or_an_unsent_call_keeps_saying_noted_until_the_citizen_is_gone() {
    for answer in [HelpCallAnswer::Offline, HelpCallAnswer::NotReceived] {
        let mut host = waiting_for_help(answer);
        let config = KioskConfig::default();
        let polls = (config.help_patience.as_secs() / config.help_poll_every.as_secs()) as usize;
        // Waiting is allowed longer than the usual idle time, then "Vous êtes toujours là ?".
        for _ in 0..polls {
            let effects = host.fire();
            never_says_someone_comes(&effects);
        }
        assert_eq!(host.asked_help.len(), polls);
        let effects = host.fire();
        assert!(said(&effects).contains(STILL_THERE), "{effects:?}");
        let effects = host.fire();
        assert!(said(&effects).contains(WIPED));
        assert!(is_attract(&effects));
        // The next person hears nothing of that call.
        host.help_answer = HelpCallAnswer::Taken(HelpMode::Coming);
        host.send(KioskEvent::Tap);
        assert_eq!(host.asked_help.len(), polls);
    }
}

#[test]
fn once_an_ambassador_takes_the_call_the_kiosk_says_someone_is_coming() {
    let mut host = waiting_for_help(HelpCallAnswer::Open);
    host.fire();
    host.help_answer = HelpCallAnswer::Taken(HelpMode::Coming);
    let effects = host.fire();
    assert!(said(&effects).starts_with(HELP_COMING), "{effects:?}");
    // Shown on the step, which is still there with its question.
    assert_eq!(screen(&effects).step_id, "lieu");
    assert!(format!("{:?}", screen(&effects)).contains(HELP_COMING));
    // No more asking: the timer is the idle one again.
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
    let asked = host.asked_help.len();
    let effects = host.fire();
    assert!(said(&effects).contains(STILL_THERE));
    assert_eq!(host.asked_help.len(), asked);
    // Asked again, the kiosk says what is true now.
    host.send(heard("oui"));
    let effects = host.send(KioskEvent::Command(Command::Human));
    assert_eq!(said(&effects), HELP_COMING);
}

#[test]
fn a_call_back_is_said_as_a_call_back_even_at_the_home_menu() {
    let mut host = Host::shipped();
    host.help_answer = HelpCallAnswer::Taken(HelpMode::CallBack);
    host.send(KioskEvent::Tap);
    let effects = host.send(heard("je veux parler à quelqu'un"));
    assert_eq!(calls_for_help(&effects), [("accueil", "menu")]);
    assert!(said(&effects).contains(HELP_NOTED));
    never_says_someone_comes(&effects);
    let effects = host.fire();
    assert!(said(&effects).starts_with(HELP_CALLING_BACK), "{effects:?}");
    assert_eq!(home(&effects).notice.as_deref(), Some(HELP_CALLING_BACK));
}

#[test]
fn a_call_closed_without_being_taken_stays_noted() {
    let mut host = waiting_for_help(HelpCallAnswer::Closed);
    let effects = host.fire();
    never_says_someone_comes(&effects);
    assert_eq!(host.asked_help.len(), 1);
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
}

#[test]
fn an_unenrolled_kiosk_never_asks_after_a_call() {
    let mut host = Host::new(config(vec![opening_hours()], false));
    host.help_answer = HelpCallAnswer::Taken(HelpMode::Coming);
    host.send(KioskEvent::Tap);
    let effects = host.send(heard("je veux parler à quelqu'un"));
    assert_eq!(host.timer, Some(KioskConfig::default().idle_timeout));
    never_says_someone_comes(&effects);
    let effects = host.fire();
    assert!(said(&effects).contains(STILL_THERE));
    assert!(host.asked_help.is_empty());
}

/// « Imprimer » on the end screen: the slip the machine decides carries the flow's title, the
/// day, the commune asked, the code and what happens next; a procedure adds the documents to
/// bring that the citizen was shown (its `print: true` steps, the passport's stamp left out
/// when only the card is renewed).
#[test]
fn the_printed_receipt_carries_title_date_commune_code_and_documents() {
    let printed = |effects: &[KioskEffect]| -> Printout {
        let slips: Vec<_> = effects
            .iter()
            .filter_map(|e| match e {
                KioskEffect::Print(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(slips.len(), 1, "{effects:?}");
        slips[0].clone()
    };

    let mut host = Host::shipped();
    host.open_flow("report", "eclairage-public");
    host.send_all(script("eclairage-public.txt"));
    let slip = printed(&host.send(KioskEvent::Print));
    assert_eq!(slip.title, "Un lampadaire ne marche plus");
    assert_eq!(slip.receipt.as_deref(), Some(RECEIPT));
    assert_eq!(slip.date, today());
    assert_eq!(slip.commune.as_deref(), Some("Duisans"));
    assert!(slip.body.iter().any(|l| l.contains(RECEIPT)), "{slip:?}");
    assert!(slip.documents.is_empty(), "a report lists no documents");
    let text = slip.plain_text(Some("Mairie de Duisans"));
    assert!(
        text.starts_with("Mairie de Duisans\nUn lampadaire ne marche plus\nLe "),
        "{text}"
    );
    assert!(text.contains("Commune : Duisans"), "{text}");
    assert!(
        text.contains(&format!("Code de suivi : {RECEIPT}")),
        "{text}"
    );

    let mut host = Host::shipped();
    host.open_flow("procedure", "carte-identite");
    host.send_all(script("carte-identite.txt"));
    let slip = printed(&host.send(KioskEvent::Print));
    assert_eq!(slip.title, "Refaire ma carte d'identité ou mon passeport");
    assert_eq!(slip.receipt.as_deref(), Some(RECEIPT));
    assert_eq!(slip.commune, None);
    let documents = slip.documents.join("\n");
    assert!(
        documents.contains("Une photo d'identité de moins de 6 mois."),
        "{documents}"
    );
    assert!(documents.contains("timbre de 25 euros"), "{documents}");
    assert!(
        !documents.contains("86 euros"),
        "the passport's stamp: {documents}"
    );
    assert!(slip.plain_text(None).contains("À retenir :"));
}
