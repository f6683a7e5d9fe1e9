//! One-button mode: the whole kiosk driven with the « Parler » button only (short and long
//! presses) and the machine's own timer (the scan step), on the shipped flows.

use chrono::NaiveDate;
use kiosk_flow::machine::phrases::{
    HELP_COMING, ONE_BUTTON_OFF, ONE_BUTTON_OFFER, ONE_BUTTON_ON, STILL_THERE,
};
use kiosk_flow::machine::{
    HelpCallAnswer, HelpMode, KioskConfig, KioskEffect, KioskEvent, KioskMachine, PageView,
    PanelButton, Press, ScanView, SettingChange, Settings, View, OFFER_ITEM, STILL_HERE_ITEM, UP,
};
use kiosk_flow::runtime::{Input, Outcome, Screen, Submission};
use std::collections::BTreeSet;
use std::time::Duration;

mod shipped;
use shipped::shipped_flows;

const RECEIPT: &str = "K7M-4PQ";
/// Presses and ticks a walk may take before the test calls it stuck.
const PATIENCE: usize = 4000;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).expect("date")
}

fn config(one_button: bool) -> KioskConfig {
    KioskConfig {
        flows: shipped_flows(),
        printer: true,
        settings: Settings {
            one_button,
            ..Settings::default()
        },
        ..KioskConfig::default()
    }
}

/// A host whose citizen has one button: it presses « Parler » and waits for the timer.
struct Button {
    machine: KioskMachine,
    timer: Option<Duration>,
    view: Option<View>,
    said: Vec<String>,
    submitted: Vec<Submission>,
    finished: Vec<(String, Outcome)>,
    /// Every press and tick so far.
    moves: usize,
    /// The calls for help asked after (`AskHelpCall`), by id.
    asked_help: Vec<String>,
}

impl Button {
    fn new(config: KioskConfig) -> Button {
        let mut machine = KioskMachine::new(config, today());
        let effects = machine.start();
        let mut host = Button {
            machine,
            timer: None,
            view: None,
            said: Vec::new(),
            submitted: Vec::new(),
            finished: Vec::new(),
            moves: 0,
            asked_help: Vec::new(),
        };
        host.carry_out(effects);
        host
    }

    fn send(&mut self, event: KioskEvent) {
        let effects = self.machine.handle(event);
        self.carry_out(effects);
    }

    fn carry_out(&mut self, effects: Vec<KioskEffect>) {
        let mut answers = Vec::new();
        for effect in effects {
            match effect {
                KioskEffect::Show(view) => self.view = Some(view),
                KioskEffect::Say { text } => self.said.push(text),
                KioskEffect::SetTimer(after) => self.timer = after,
                KioskEffect::Submit(submission) => {
                    self.submitted.push(submission);
                    answers.push(KioskEvent::Stored {
                        receipt: RECEIPT.to_string(),
                    });
                }
                KioskEffect::FlowFinished { flow_id, outcome } => {
                    self.finished.push((flow_id, outcome))
                }
                KioskEffect::CallForHelp { .. } => answers.push(KioskEvent::HelpCallQueued {
                    id: "appel-1".to_string(),
                }),
                KioskEffect::AskHelpCall { id } => self.asked_help.push(id),
                _ => {}
            }
        }
        for answer in answers {
            self.send(answer);
        }
    }

    fn press(&mut self) {
        self.moves += 1;
        assert!(self.moves < PATIENCE, "stuck at {:?}", self.view);
        self.said.clear();
        self.send(KioskEvent::Button {
            button: PanelButton::Talk,
            press: Press::Short,
        });
    }

    fn hold(&mut self) {
        self.said.clear();
        self.send(KioskEvent::Button {
            button: PanelButton::Talk,
            press: Press::Long,
        });
    }

    /// The scan step runs out: the next item is highlighted.
    fn tick(&mut self) {
        self.moves += 1;
        assert!(self.moves < PATIENCE, "stuck at {:?}", self.view);
        let step = self.timer.expect("a timer is armed while scanning");
        assert_eq!(step, self.machine.settings().scan_step(), "{:?}", self.view);
        self.said.clear();
        self.send(KioskEvent::TimerFired);
    }

    fn view(&self) -> &View {
        self.view.as_ref().expect("a view")
    }

    fn scan(&self) -> &ScanView {
        self.view()
            .scan
            .as_ref()
            .unwrap_or_else(|| panic!("no scan on {:?}", self.view()))
    }

    fn screen(&self) -> &Screen {
        match &self.view().page {
            PageView::Step(screen) => screen,
            other => panic!("not a step: {other:?}"),
        }
    }

    fn highlighted(&self) -> String {
        self.scan().current().expect("an item").id.clone()
    }

    /// Waits (ticks) until `id` is highlighted at this level, then presses; `false` when the
    /// level has no such item.
    fn press_on(&mut self, id: &str) -> bool {
        if !self.scan().items.iter().any(|i| i.id == id) {
            return false;
        }
        while self.highlighted() != id {
            self.tick();
            // What is highlighted is what is said.
            let label = self.scan().current().expect("item").label.clone();
            assert!(
                self.said.last() == Some(&label),
                "{label:?} not said: {:?}",
                self.said
            );
        }
        self.press();
        true
    }

    /// Reaches the item `id` wherever it is in the scan's groups, and chooses it.
    fn choose(&mut self, id: &str) {
        assert!(self.reach(id), "{id} not found in {:?}", self.scan());
    }

    fn reach(&mut self, id: &str) -> bool {
        if self.press_on(id) {
            return true;
        }
        let groups: Vec<String> = self
            .scan()
            .items
            .iter()
            .filter(|i| i.group)
            .map(|i| i.id.clone())
            .collect();
        for group in groups {
            assert!(self.press_on(&group));
            if self.reach(id) {
                return true;
            }
            assert!(self.press_on(UP), "no way out of {group}");
        }
        false
    }

    /// Writes `text` with the scanned keyboard or keypad, then « Valider ».
    fn write(&mut self, text: &str) {
        for c in text.chars() {
            self.choose(&key_id(c));
        }
        assert_eq!(self.scan().typed.as_deref(), Some(text));
        self.choose("touche:valider");
    }

    fn page_is_attract(&self) -> bool {
        matches!(self.view().page, PageView::Attract { .. })
    }
}

fn key_id(c: char) -> String {
    match c {
        ' ' => "touche:espace".into(),
        '@' => "touche:arobase".into(),
        '.' => "touche:point".into(),
        c => format!("touche:{c}"),
    }
}

#[test]
fn a_street_light_report_with_the_button_only() {
    let mut kiosk = Button::new(config(false));
    assert!(kiosk.page_is_attract());
    assert!(kiosk.view().scan.is_none(), "the mode is off by default");

    // A long press offers the mode, aloud; one more press turns it on.
    kiosk.hold();
    assert!(kiosk.said.iter().any(|s| s == ONE_BUTTON_OFFER));
    assert_eq!(kiosk.highlighted(), OFFER_ITEM);
    kiosk.press();
    assert!(kiosk.said.iter().any(|s| s == ONE_BUTTON_ON));
    assert!(kiosk.machine.settings().one_button);
    assert_eq!(kiosk.highlighted(), "commencer");
    kiosk.press();

    // The home menu: the kinds, then the flows.
    assert!(matches!(kiosk.view().page, PageView::Home(_)));
    kiosk.choose("report");
    kiosk.choose("eclairage-public");
    assert_eq!(kiosk.screen().step_id, "accueil");
    kiosk.choose("suivant");

    // The 96 communes: letter groups first, then names.
    assert_eq!(kiosk.screen().step_id, "commune");
    let top = kiosk.scan().items.clone();
    assert!(top.len() <= 8, "{top:?}");
    assert!(top[0].group && top[0].id.starts_with("groupe:"));
    let tincques = kiosk
        .screen()
        .options
        .iter()
        .find(|o| o.label == "Tincques")
        .expect("Tincques")
        .id
        .clone();
    kiosk.choose(&tincques);

    // The privacy notice, then the place, written with the scanned keyboard and read back.
    kiosk.choose("suivant");
    assert_eq!(kiosk.screen().step_id, "lieu");
    kiosk.write("place de la mairie");
    if matches!(kiosk.screen().input, Input::YesNo) {
        assert!(kiosk.screen().text.contains("place de la mairie"));
        kiosk.choose("oui");
    }
    assert_eq!(kiosk.screen().step_id, "probleme");
    kiosk.choose("clignote");
    assert_eq!(kiosk.screen().step_id, "rappel");
    kiosk.choose("oui");
    assert_eq!(kiosk.screen().step_id, "telephone");
    kiosk.write("0612345678");
    if matches!(kiosk.screen().input, Input::YesNo) && kiosk.screen().step_id == "telephone" {
        kiosk.choose("oui");
    }

    // The summary, read back; confirmed with the button.
    assert_eq!(kiosk.screen().step_id, "resume");
    kiosk.choose("oui");
    assert!(
        matches!(&kiosk.view().page, PageView::Done { receipt: Some(r), .. } if r == RECEIPT),
        "{:?}",
        kiosk.view()
    );
    let submission = kiosk.submitted.last().expect("submitted");
    let answers = format!("{:?}", submission.answers);
    for expected in ["62820", "place de la mairie", "clignote", "0612345678"] {
        assert!(answers.contains(expected), "{expected} not in {answers}");
    }

    // The end screen: « Terminer », and the next person starts without the mode.
    kiosk.choose("terminer");
    assert!(kiosk.page_is_attract());
    assert!(!kiosk.machine.settings().one_button);
    assert!(kiosk.view().scan.is_none());
    assert_eq!(kiosk.timer, None);
}

#[test]
fn a_kiosk_configured_in_one_button_mode_starts_every_visit_in_it() {
    let mut kiosk = Button::new(config(true));
    assert_eq!(kiosk.highlighted(), "commencer");
    kiosk.press();
    kiosk.choose("annuler");
    // « Arrêter » asks nothing on the home menu: back to the attract screen, still scanning.
    assert!(kiosk.page_is_attract());
    assert!(kiosk.machine.settings().one_button);
    assert_eq!(kiosk.highlighted(), "commencer");
}

#[test]
fn the_scan_waits_the_idle_time_then_asks_and_a_press_resumes_the_same_step() {
    let mut kiosk = Button::new(config(true));
    kiosk.press();
    kiosk.choose("report");
    kiosk.choose("eclairage-public");
    kiosk.choose("suivant");
    assert_eq!(kiosk.screen().step_id, "commune");
    let ticks = KioskConfig::default().idle_timeout.as_millis()
        / Settings::default().scan_step().as_millis();
    for _ in 1..ticks {
        kiosk.tick();
        assert_eq!(kiosk.view().idle_prompt, None);
    }
    kiosk.tick();
    assert!(kiosk.view().idle_prompt.is_some());
    assert!(kiosk.said.iter().any(|s| s == STILL_THERE));
    assert_eq!(kiosk.highlighted(), STILL_HERE_ITEM);
    kiosk.press();
    assert_eq!(kiosk.view().idle_prompt, None);
    assert_eq!(kiosk.screen().step_id, "commune");
    // Nobody presses: the countdown wipes the visit, and the mode ends with it.
    let mut kiosk = Button::new(config(false));
    kiosk.hold();
    kiosk.press();
    kiosk.press();
    for _ in 0..ticks {
        kiosk.tick();
    }
    assert!(kiosk.view().idle_prompt.is_some());
    kiosk.send(KioskEvent::TimerFired);
    assert!(kiosk.page_is_attract());
    assert!(!kiosk.machine.settings().one_button);
}

#[test]
fn the_offer_goes_away_unanswered_and_a_long_press_turns_the_mode_off() {
    let mut kiosk = Button::new(config(false));
    kiosk.send(KioskEvent::Tap);
    kiosk.hold();
    assert_eq!(kiosk.highlighted(), OFFER_ITEM);
    kiosk.send(KioskEvent::TimerFired);
    assert!(!kiosk.machine.settings().one_button);
    assert!(kiosk.view().scan.is_none());
    assert!(matches!(kiosk.view().page, PageView::Home(_)));

    kiosk.hold();
    kiosk.send(KioskEvent::Heard("oui".into()));
    assert!(kiosk.machine.settings().one_button);
    assert!(kiosk.view().scan.is_some());
    kiosk.hold();
    assert!(kiosk.said.iter().any(|s| s == ONE_BUTTON_OFF));
    assert!(!kiosk.machine.settings().one_button);
    assert!(kiosk.view().scan.is_none());
    assert_eq!(kiosk.timer, Some(KioskConfig::default().idle_timeout));
}

#[test]
fn the_settings_panel_turns_the_mode_on_and_sets_its_speed() {
    let mut kiosk = Button::new(config(false));
    kiosk.send(KioskEvent::Tap);
    kiosk.send(KioskEvent::Setting(SettingChange::OneButton(true)));
    assert!(kiosk.machine.settings().one_button);
    assert_eq!(kiosk.timer, Some(Duration::from_secs(2)));
    kiosk.send(KioskEvent::Setting(SettingChange::ScanSlower));
    kiosk.tick();
    assert_eq!(kiosk.timer, Some(Duration::from_secs(3)));
    kiosk.send(KioskEvent::Setting(SettingChange::ScanFaster));
    kiosk.send(KioskEvent::Setting(SettingChange::ScanFaster));
    kiosk.tick();
    assert_eq!(kiosk.timer, Some(Duration::from_millis(1500)));
    kiosk.send(KioskEvent::Setting(SettingChange::OneButton(false)));
    assert!(kiosk.view().scan.is_none());
    assert_eq!(kiosk.timer, Some(KioskConfig::default().idle_timeout));
}

#[test]
fn several_choices_are_toggled_then_validated_and_the_highlight_stays_on_the_tile() {
    let flow = shipped_flows()
        .into_iter()
        .find(|f| format!("{:?}", f.steps).contains("Choices"))
        .expect("a shipped flow with several choices");
    let mut kiosk = Button::new(config(true));
    kiosk.carry_out_begin(&flow.id);
    let mut guard = 0;
    while !matches!(
        kiosk.view().page,
        PageView::Step(Screen {
            input: Input::Choices { .. },
            ..
        })
    ) {
        guard += 1;
        assert!(guard < 60, "no several-choices step reached");
        kiosk.answer_anything();
    }
    let first = kiosk.scan().items[0].id.clone();
    kiosk.press();
    assert_eq!(
        kiosk.highlighted(),
        first,
        "the highlight stays on the tile"
    );
    let Input::Choices { selected, .. } = &kiosk.screen().input else {
        panic!()
    };
    assert_eq!(selected, &vec![first.clone()]);
    assert!(kiosk.scan().items[0].label.ends_with("choisi"));
    let step = kiosk.screen().step_id.clone();
    kiosk.choose(kiosk_flow::load::CONFIRM_CHOICES);
    assert_ne!(kiosk.screen().step_id, step);
}

impl Button {
    fn carry_out_begin(&mut self, flow_id: &str) {
        let effects = self.machine.begin(flow_id);
        self.carry_out(effects);
    }

    /// Answers whatever the screen asks with the button, the simplest way: the first choice,
    /// the first day, the smallest number. Returns the input kind answered.
    fn answer_anything(&mut self) -> String {
        let view = self.view().clone();
        match &view.page {
            PageView::Attract { .. } => {
                self.press();
                "attract".into()
            }
            PageView::Home(home) => {
                let first = home.tiles[0].id.clone();
                self.choose(&first);
                "home".into()
            }
            PageView::Done { .. } => {
                self.choose("terminer");
                "done".into()
            }
            PageView::Step(screen) => {
                let kind = format!("{:?}", screen.input);
                let kind = kind
                    .split([' ', '{'])
                    .next()
                    .unwrap_or_default()
                    .to_string();
                match &screen.input {
                    Input::Continue | Input::PrivacyNotice { .. } => self.choose("suivant"),
                    Input::YesNo => {
                        // « Non » where « oui » would end the flow early (a danger: call 112).
                        let no = screen.step_id == "danger";
                        self.choose(if no { "non" } else { "oui" });
                    }
                    Input::Choice | Input::Date { .. } | Input::Time { .. } => {
                        // The first item of every group: the first option, the first day.
                        while self.scan().current().is_some_and(|i| i.group) {
                            self.press();
                        }
                        self.press();
                    }
                    Input::Choices { .. } => {
                        self.press();
                        self.choose(kiosk_flow::load::CONFIRM_CHOICES);
                    }
                    Input::Number { min, .. } => self.write(&min.max(&1).to_string()),
                    Input::Phone => self.write("0612345678"),
                    Input::Email => self.write("a@b.fr"),
                    Input::Text { .. } => self.write("abc"),
                    Input::ReceiptCode | Input::Nothing => panic!("unexpected {screen:?}"),
                }
                kind
            }
            other => panic!("unexpected page {other:?}"),
        }
    }
}

#[test]
fn every_step_kind_of_every_shipped_flow_is_answered_with_the_button() {
    let flows = shipped_flows();
    let mut kinds = BTreeSet::new();
    for flow in &flows {
        let mut kiosk = Button::new(config(true));
        kiosk.carry_out_begin(&flow.id);
        while kiosk.finished.is_empty() {
            kinds.insert(kiosk.answer_anything());
        }
        let (id, outcome) = &kiosk.finished[0];
        assert_eq!(id, &flow.id);
        assert!(
            !matches!(outcome, Outcome::Cancelled),
            "{id} cancelled: {:?}",
            kiosk.view()
        );
        // The end screen, in the mode too.
        assert!(matches!(kiosk.view().page, PageView::Done { .. }));
        assert!(kiosk.scan().items.iter().any(|i| i.id == "imprimer"));
        kinds.insert(kiosk.answer_anything());
        assert!(kiosk.page_is_attract());
    }
    // And the home menu and the attract screen.
    let mut kiosk = Button::new(config(true));
    kinds.insert(kiosk.answer_anything());
    kinds.insert(kiosk.answer_anything());
    let expected = [
        "Choice",
        "Choices",
        "Continue",
        "Date",
        "Email",
        "Number",
        "Phone",
        "PrivacyNotice",
        "Text",
        "YesNo",
        "attract",
        "done",
        "home",
    ];
    for kind in expected {
        assert!(kinds.contains(kind), "{kind} never reached: {kinds:?}");
    }
}

#[test]
fn command_buttons_are_in_a_group_and_help_is_reachable() {
    let mut kiosk = Button::new(config(true));
    kiosk.press();
    kiosk.choose("report");
    kiosk.choose("eclairage-public");
    let step = kiosk.screen().step_id.clone();
    kiosk.choose("aide");
    assert!(!kiosk.said.is_empty());
    assert_eq!(kiosk.screen().step_id, step, "help keeps the step");
    // After a command, the scan starts again from the top of the screen.
    assert_eq!(kiosk.scan().title, "Choisissez");
    assert_eq!(kiosk.scan().highlighted, 0);
    kiosk.choose("suivant");
    assert_eq!(kiosk.screen().step_id, "commune");
    kiosk.choose("retour");
    assert_eq!(kiosk.screen().step_id, step);
}

/// A call for help made in one-button mode (« Aide » held): the scan keeps its step as the
/// timer, the call is asked after every `help_poll_every` of scanning, and the kiosk says
/// someone is coming once an ambassador took it.
#[test]
fn a_call_for_help_is_asked_after_while_the_scan_goes_on() {
    let mut kiosk = Button::new(config(true));
    kiosk.press();
    kiosk.choose("report");
    kiosk.choose("eclairage-public");
    kiosk.send(KioskEvent::Button {
        button: PanelButton::Help,
        press: Press::Long,
    });
    assert!(kiosk.asked_help.is_empty());
    let step = kiosk.machine.settings().scan_step();
    let every = KioskConfig::default().help_poll_every;
    let ticks = every.as_millis().div_ceil(step.as_millis()) as usize;
    for _ in 0..ticks {
        kiosk.tick();
    }
    assert_eq!(kiosk.asked_help, ["appel-1"], "asked once per {every:?}");
    assert_eq!(kiosk.timer, Some(step), "the scan keeps the timer");
    kiosk.send(KioskEvent::HelpCall(HelpCallAnswer::Taken(
        HelpMode::Coming,
    )));
    assert!(
        kiosk.said.iter().any(|text| text.contains(HELP_COMING)),
        "{:?}",
        kiosk.said
    );
    // Taken: never asked after again.
    for _ in 0..ticks {
        kiosk.tick();
    }
    assert_eq!(kiosk.asked_help.len(), 1);
}
