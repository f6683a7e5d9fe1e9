//! The whole kiosk as one pure machine: attract screen, home menu, one [`Session`] at a time,
//! the status lookup, the idle prompt and wipe, help, the ambassadors' PIN and screen, and back
//! to the attract screen for the next person.
//!
//! Like [`Session`], it takes [`KioskEvent`]s and returns [`KioskEffect`]s, and does no I/O and
//! reads no clock: the host arms one timer when asked ([`KioskEffect::SetTimer`]) and sends
//! [`KioskEvent::TimerFired`]; it gives today's date with [`KioskMachine::set_today`]. The Slint
//! window, the terminal simulator and the tests are hosts that carry these effects out; none of
//! them decides anything.
//!
//! # Layout
//! - this file: the machine core, its events and effects, other pages, idle, voice, settings;
//! - `help`: a call for help while the citizen waits (queued, asked after, taken);
//! - `home`: the home menu (kinds, flows, choosing one);
//! - `supervisor`: the ambassadors' PIN pad and screen;
//! - `view`: what the screen shows, page by page;
//! - `lookup`: "Où en est ma demande ?";
//! - `panel`: the front panel's buttons and presence sensor, and what they mean;
//! - `one_button`: one-button mode (the scan, « Parler » to choose), `scan` what it scans;
//! - `phrases`: the kiosk's own sentences.

mod help;
mod home;
mod lookup;
mod one_button;
mod panel;
pub mod phrases;
mod printout;
mod scan;
mod supervisor;
mod view;

pub use help::{taken_text, HelpCallAnswer, HelpMode};
pub use lookup::{answer_text, Lookup, LookupAnswer, RequestState};
pub use one_button::OFFER_WAIT;
pub use panel::{panel_script_line, PanelButton, Press};
pub use printout::{paragraphs, Printout, DOCUMENTS_HEADING, RECEIPT_LABEL};
pub use scan::{ScanItem, ScanView, COMMANDS_GROUP, OFFER_ITEM, STILL_HERE_ITEM, UP};
pub use view::{HomeView, PageView, Tile, View};

use crate::menu::{home_menu, Menu, MenuChoice, STATUS_ENTRY, STATUS_TITLE};
use crate::model::{Flow, FlowKind, StepBody};
use crate::runtime::{self, Effect, Event, Outcome, Screen, Session, SpeechChange, Submission};
use crate::understand::{self, Command, Expected};
use crate::Value;
use chrono::NaiveDate;
use lookup::LookupStep;
use phrases::*;
use std::sync::Arc;
use std::time::Duration;

/// How the kiosk is set up.
#[derive(Debug, Clone)]
pub struct KioskConfig {
    /// The installed flows.
    pub flows: Vec<Arc<Flow>>,
    /// Enrolled with the back end: submissions, calls for help and lookups can go somewhere.
    /// When not, flows that send something are not offered.
    pub can_send: bool,
    /// Time without any input before "Vous êtes toujours là ?".
    pub idle_timeout: Duration,
    /// How long that question waits before the session is wiped.
    pub idle_countdown: Duration,
    /// The idle time once the presence sensor saw the person leave (shorter than
    /// `idle_timeout`; a touch or a button brings the usual time back).
    pub absent_timeout: Duration,
    /// How long the end screen (receipt) stays before the next person.
    pub done_timeout: Duration,
    /// How long the PIN pad or the ambassadors' screen stays without a touch.
    pub supervisor_timeout: Duration,
    /// A printer is there: the privacy notice offers "Imprimer".
    pub printer: bool,
    /// While a call for help waits, how often the kiosk asks the back end whether an
    /// ambassador took it.
    pub help_poll_every: Duration,
    /// While a call for help waits, how long the citizen may stay without a touch or a
    /// word before "Vous êtes toujours là ?" (they were told they may wait).
    pub help_patience: Duration,
    /// The ambassadors' PIN (digits); empty: no supervisor mode.
    pub supervisor_pin: String,
    /// The citizen's settings at the start of every visit.
    pub settings: Settings,
}

impl Default for KioskConfig {
    fn default() -> Self {
        KioskConfig {
            flows: Vec::new(),
            can_send: true,
            idle_timeout: Duration::from_secs(60),
            idle_countdown: Duration::from_secs(20),
            absent_timeout: Duration::from_secs(15),
            done_timeout: Duration::from_secs(90),
            supervisor_timeout: Duration::from_secs(120),
            help_poll_every: Duration::from_secs(10),
            help_patience: Duration::from_secs(300),
            printer: false,
            supervisor_pin: String::new(),
            settings: Settings::default(),
        }
    }
}

/// The citizen's display and speech settings, reset for every visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// 0 normal, 1 large, 2 very large.
    pub text_size: u8,
    pub high_contrast: bool,
    /// 0 very slow … 2 normal … 4 very fast.
    pub speech_rate: u8,
    /// Percent.
    pub volume: u8,
    /// One-button mode: the choices are highlighted and said one at a time, « Parler » chooses.
    pub one_button: bool,
    /// The speed of one-button mode's scan: 0 slowest … 2 normal (2 s an item) … 4 fastest
    /// (see [`Settings::SCAN_STEPS_MS`]).
    pub scan_speed: u8,
}

impl Settings {
    pub const LARGEST_TEXT: u8 = 2;
    pub const NORMAL_RATE: u8 = 2;
    pub const FASTEST_RATE: u8 = 4;
    const VOLUME_STEP: u8 = 15;
    /// How long each item stays highlighted, by scan speed (after its label is said).
    pub const SCAN_STEPS_MS: [u64; 5] = [4000, 3000, 2000, 1500, 1000];
    pub const NORMAL_SCAN: u8 = 2;

    /// How long an item stays highlighted in one-button mode.
    pub fn scan_step(&self) -> Duration {
        let index = usize::from(self.scan_speed).min(Settings::SCAN_STEPS_MS.len() - 1);
        Duration::from_millis(Settings::SCAN_STEPS_MS[index])
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            text_size: 0,
            high_contrast: false,
            speech_rate: Settings::NORMAL_RATE,
            volume: 80,
            one_button: false,
            scan_speed: Settings::NORMAL_SCAN,
        }
    }
}

/// A change the citizen asks for in the settings panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingChange {
    TextBigger,
    TextSmaller,
    Contrast(bool),
    Slower,
    Faster,
    Louder,
    Quieter,
    /// One-button mode on or off.
    OneButton(bool),
    /// One-button mode's scan, slower or faster.
    ScanSlower,
    ScanFaster,
}

/// What the ambassadors' screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupervisorAction {
    TestMicrophone,
    TestSpeaker,
    /// « Réessayer » the submissions the back end refused.
    RetryRefused,
    /// End the supervisor mode: back to the attract screen.
    Close,
}

/// Something that happened at the kiosk.
#[derive(Debug, Clone)]
pub enum KioskEvent {
    /// A touch on the screen outside any button (the attract screen, the idle prompt).
    Tap,
    /// A touch on a tile, an option, oui/non/suivant, or a value typed on the keypad, calendar
    /// or keyboard. Never a command: see [`KioskEvent::Command`].
    Touched(String),
    /// A command button (Répéter, Aide, Retour, Appeler…).
    Command(Command),
    /// What the recognizer heard (or a line typed in the simulator).
    Heard(String),
    /// Listening timed out with nothing said.
    Silence,
    /// The citizen is busy with something the machine need not know (typing, speaking, the
    /// settings panel): the idle time starts again.
    Activity,
    /// The kiosk finished saying what it was saying: the idle time counts from now.
    DoneSpeaking,
    /// The timer asked by the last [`KioskEffect::SetTimer`] ran out.
    TimerFired,
    /// The host stored the submission (sealed, on disk) under this receipt code.
    Stored {
        receipt: String,
    },
    StoreFailed,
    /// The host's answer to [`KioskEffect::LookupStatus`].
    Looked(LookupAnswer),
    Setting(SettingChange),
    /// "Imprimer" on the end screen.
    Print,
    /// The corner held down: the ambassadors' PIN pad.
    SupervisorCorner,
    /// A key of the PIN pad: a digit, `effacer`, `valider` or `annuler`.
    PinKey(String),
    Supervisor(SupervisorAction),
    /// What the voice can do (reported by the host when it knows).
    Voice {
        hearing: bool,
        speaking: bool,
    },
    /// A front-panel button was pressed (see [`PanelButton`]).
    Button {
        button: PanelButton,
        press: Press,
    },
    /// The presence sensor: someone is in front of the kiosk (`true`) or has left (`false`).
    Presence(bool),
    /// New flows (a publication): used from the next person on.
    FlowsChanged(Vec<Arc<Flow>>),
    /// Enrolment changed: used from the next person on.
    Enrolled(bool),
    /// The host queued the call for help asked by [`KioskEffect::CallForHelp`] under this id.
    HelpCallQueued {
        id: String,
    },
    /// The host's answer to [`KioskEffect::AskHelpCall`].
    HelpCall(HelpCallAnswer),
}

/// Something the host must do.
#[derive(Debug, Clone, PartialEq)]
pub enum KioskEffect {
    Show(View),
    Say {
        text: String,
    },
    /// Listen with this grammar (`None`: dictation).
    Listen {
        phrases: Option<Vec<String>>,
    },
    /// Stop speaking and listening at once (the person left, an ambassador came).
    Hush,
    /// (Re)arm the one timer; `None` stops it.
    SetTimer(Option<Duration>),
    /// Store this submission, then answer [`KioskEvent::Stored`] or [`KioskEvent::StoreFailed`].
    Submit(Submission),
    /// Queue a call for help (no personal data: where the citizen is), then answer
    /// [`KioskEvent::HelpCallQueued`] with its id.
    CallForHelp {
        flow_id: String,
        step_id: String,
    },
    /// Ask the back end whether an ambassador took call `id`, then answer
    /// [`KioskEvent::HelpCall`] (offline and not received are answers too).
    AskHelpCall {
        id: String,
    },
    /// Ask where a request is, then answer [`KioskEvent::Looked`].
    LookupStatus {
        receipt: String,
    },
    ApplySettings(Settings),
    /// Print this slip (a receipt, the privacy notice, a status answer).
    Print(Printout),
    TestMicrophone,
    TestSpeaker,
    /// Put the submissions the back end refused back in the queue (the supervisor asked).
    RetryRefused,
    /// A flow ended (for the host's log and the simulator's result; nothing to do).
    FlowFinished {
        flow_id: String,
        outcome: Outcome,
    },
}

/// The flow id and step id a call for help from the home screen carries.
pub const HOME_HELP_FLOW: &str = "accueil";
const DONE_ID: &str = "terminer";

#[derive(Debug, Clone)]
enum Page {
    Attract,
    Home {
        kind: Option<FlowKind>,
        misses: u32,
    },
    Flow(Box<Session>),
    Lookup(Lookup),
    Done {
        spoken: String,
        /// What « Imprimer » prints.
        printout: Box<Printout>,
    },
    Pin {
        entered: String,
        wrong: bool,
    },
    Supervisor,
}

/// The kiosk.
pub struct KioskMachine {
    config: KioskConfig,
    /// The menu of the flows offered (those that can work on this kiosk).
    menu: Menu,
    /// Flows or enrolment received during a visit, applied before the next one.
    pending_flows: Option<Vec<Arc<Flow>>>,
    pending_can_send: Option<bool>,
    today: NaiveDate,
    hearing: bool,
    settings: Settings,
    page: Page,
    /// "Vous êtes toujours là ?" is shown over the page.
    idle_prompt: bool,
    /// What the last Show showed, to show it again with the idle prompt on or off.
    last_view: Option<View>,
    /// The grammar of the last Listen (`Some(None)`: dictation), for « Parler ».
    last_listen: Option<Option<Vec<String>>>,
    /// The presence sensor saw the person leave: the shorter idle time applies.
    absent: bool,
    /// The call for help of this visit, if the citizen asked for a person.
    help: Option<help::HelpWatch>,
    /// The last availability snapshot synced, given to each new visit.
    availability: Option<Arc<crate::booking::Availability>>,
    /// The commune of the submission being stored, for the printed receipt.
    submitted_commune: Option<String>,
    /// One-button mode's scan of the screen (when the mode is on).
    scan: Option<scan::Scan>,
    /// One-button mode is offered (a long press of « Parler »): one more press turns it on.
    offering: bool,
}

impl KioskMachine {
    pub fn new(config: KioskConfig, today: NaiveDate) -> KioskMachine {
        let menu = offered_menu(&config.flows, config.can_send);
        KioskMachine {
            settings: config.settings,
            config,
            menu,
            pending_flows: None,
            pending_can_send: None,
            today,
            hearing: true,
            page: Page::Attract,
            idle_prompt: false,
            submitted_commune: None,
            last_view: None,
            last_listen: None,
            absent: false,
            help: None,
            availability: None,
            scan: None,
            offering: false,
        }
    }

    /// The day the next visit sees as today.
    pub fn set_today(&mut self, today: NaiveDate) {
        self.today = today;
    }

    /// The availability snapshot the next visit sees (a visit under way keeps its own).
    pub fn set_availability(&mut self, availability: Option<Arc<crate::booking::Availability>>) {
        self.availability = availability;
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// The flows offered on the home menu.
    pub fn menu(&self) -> &Menu {
        &self.menu
    }

    /// Whether the kiosk is waiting for the next person (the attract screen).
    pub fn is_idle(&self) -> bool {
        matches!(self.page, Page::Attract)
    }

    /// The flow being played, if any.
    pub fn session(&self) -> Option<&Session> {
        match &self.page {
            Page::Flow(session) => Some(session),
            _ => None,
        }
    }

    /// Starts a flow straight away, as if chosen on the home menu (`kiosk simulate FILE`).
    pub fn begin(&mut self, flow_id: &str) -> Vec<KioskEffect> {
        let mut out = Vec::new();
        self.start_flow(flow_id, &mut out);
        self.arm(&mut out);
        self.add_scan(&mut out);
        out
    }

    /// The first effects: the attract screen.
    pub fn start(&mut self) -> Vec<KioskEffect> {
        let mut out = Vec::new();
        self.go_attract(&mut out);
        self.add_scan(&mut out);
        out
    }

    /// Handles one event; returns what the host must do, in order.
    pub fn handle(&mut self, event: KioskEvent) -> Vec<KioskEffect> {
        let mut out = self.handle_event(event);
        self.add_scan(&mut out);
        out
    }

    fn handle_event(&mut self, event: KioskEvent) -> Vec<KioskEffect> {
        let mut out = Vec::new();
        if panel::is_someone_there(&event) {
            self.absent = false;
        }
        // « Aide » on the front panel is the Aide command button; held, « Appeler quelqu'un ».
        let event = panel::help_button_as_command(event);
        if self.offering && self.offer_event(&event, &mut out) {
            return out;
        }
        match event {
            KioskEvent::Button {
                button: PanelButton::Talk,
                press,
            } => {
                // One-button mode's (a long press, or any press while the mode is on or
                // offered); otherwise « Parler » means: speak now.
                if self.owns_talk_press(press) {
                    self.talk_pressed(press, &mut out);
                } else {
                    self.talk_button(press, &mut out);
                }
                return out;
            }
            KioskEvent::Presence(here) => {
                self.presence(here, &mut out);
                return out;
            }
            KioskEvent::Voice { hearing, .. } => {
                if self.hearing != hearing {
                    self.hearing = hearing;
                    if let Some(mut view) = self.last_view.clone() {
                        view.hearing = hearing;
                        // "Vous êtes toujours là ?" stays over the page.
                        view.idle_prompt = self.idle_prompt.then(|| self.countdown_seconds());
                        self.show(view, &mut out);
                    }
                }
                return out;
            }
            KioskEvent::FlowsChanged(flows) => {
                self.pending_flows = Some(flows);
                self.apply_pending_if_idle(&mut out);
                return out;
            }
            KioskEvent::Enrolled(can_send) => {
                self.pending_can_send = Some(can_send);
                self.apply_pending_if_idle(&mut out);
                return out;
            }
            KioskEvent::SupervisorCorner => {
                self.open_pin(&mut out);
                return out;
            }
            KioskEvent::HelpCallQueued { .. } | KioskEvent::HelpCall(_) => {
                self.help_event(event, &mut out);
                return out;
            }
            KioskEvent::Tap
            | KioskEvent::Touched(_)
            | KioskEvent::Command(_)
            | KioskEvent::Heard(_)
            | KioskEvent::Activity
            | KioskEvent::Print => self.help_presence(),
            KioskEvent::Setting(change) => {
                self.change_setting(change, &mut out);
                if self.idle_prompt {
                    // Someone touched the settings: they are there.
                    self.resume(&mut out);
                } else {
                    self.arm(&mut out);
                }
                return out;
            }
            _ => {}
        }
        if self.idle_prompt {
            self.idle_event(event, &mut out);
            return out;
        }
        match event {
            KioskEvent::TimerFired if self.scan_timer().is_some() => self.scan_tick(&mut out),
            KioskEvent::TimerFired => self.timer_fired(&mut out),
            KioskEvent::Activity | KioskEvent::DoneSpeaking => self.arm(&mut out),
            event => {
                self.page_event(event, &mut out);
                if !self.idle_prompt {
                    self.arm(&mut out);
                }
            }
        }
        out
    }

    // ----- pages ------------------------------------------------------------------------

    fn page_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        match &mut self.page {
            Page::Attract => self.attract_event(event, out),
            Page::Home { .. } => self.home_event(event, out),
            Page::Flow(_) => self.flow_event(event, out),
            Page::Lookup(_) => self.lookup_event(event, out),
            Page::Done { .. } => self.done_event(event, out),
            Page::Pin { .. } => self.pin_event(event, out),
            Page::Supervisor => self.supervisor_event(event, out),
        }
    }

    fn attract_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        match event {
            KioskEvent::Tap | KioskEvent::Touched(_) => self.go_home(None, true, out),
            KioskEvent::Command(Command::Human) => self.attract_help(out),
            KioskEvent::Command(_) => self.go_home(None, true, out),
            KioskEvent::Heard(text)
                if understand::understand(Expected::Text, &text, self.today).command
                    == Some(Command::Human) =>
            {
                // A call for help, as with the button: not the flow titled "… quelqu'un".
                self.attract_help(out)
            }
            KioskEvent::Heard(text) => {
                // Someone asks straight away for what they came for; else a greeting wakes the
                // kiosk; anything else (a conversation nearby) is not for the kiosk.
                match self.menu.understand_choice(&text) {
                    Some(choice) => self.choose(choice, out),
                    None if is_greeting(&text) => self.go_home(None, true, out),
                    None => self.listen(Some(self.attract_grammar()), out),
                }
            }
            KioskEvent::Silence => self.listen(Some(self.attract_grammar()), out),
            _ => {}
        }
    }

    fn attract_help(&mut self, out: &mut Vec<KioskEffect>) {
        self.call_for_help(HOME_HELP_FLOW, "accueil", out);
        self.listen(Some(self.attract_grammar()), out);
    }

    fn start_flow(&mut self, flow_id: &str, out: &mut Vec<KioskEffect>) {
        let Some(flow) = self.config.flows.iter().find(|f| f.id == flow_id).cloned() else {
            return self.present_home(None, None, out);
        };
        out.push(KioskEffect::Hush);
        let help_reply = if self.config.can_send {
            HELP_NOTED
        } else {
            HELP_UNAVAILABLE
        };
        self.submitted_commune = None;
        let session = Session::new(flow, self.today)
            .with_help_reply(help_reply)
            .with_printer(self.config.printer)
            .with_availability(self.availability.clone());
        self.page = Page::Flow(Box::new(session));
        self.feed(Event::Start, out);
    }

    fn flow_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let event = match event {
            KioskEvent::Touched(id) => Event::Touched(id),
            KioskEvent::Heard(text) => Event::Heard(text),
            KioskEvent::Command(command) => Event::Command(command),
            KioskEvent::Silence => Event::Silence,
            KioskEvent::Stored { receipt } => Event::Stored { receipt },
            KioskEvent::StoreFailed => Event::StoreFailed,
            _ => return,
        };
        self.feed(event, out);
    }

    /// Gives an event to the session and carries its effects up as the kiosk's.
    fn feed(&mut self, event: Event, out: &mut Vec<KioskEffect>) {
        let Page::Flow(session) = &mut self.page else {
            return;
        };
        let effects = session.handle(event);
        self.carry_session_effects(effects, out);
    }

    /// Carries the session's effects up as the kiosk's.
    fn carry_session_effects(&mut self, effects: Vec<Effect>, out: &mut Vec<KioskEffect>) {
        let Page::Flow(session) = &self.page else {
            return;
        };
        let flow_id = session.flow().id.clone();
        let title = session.flow().title.clone();
        let documents = session.printed_texts();
        let mut last_screen: Option<Screen> = None;
        let mut last_said = String::new();
        for effect in effects {
            match effect {
                Effect::Show(screen) => {
                    last_screen = Some(screen.clone());
                    let view = self.view(PageView::Step(screen));
                    self.show(view, out);
                }
                Effect::Say { text } => {
                    last_said = text.clone();
                    out.push(KioskEffect::Say { text });
                }
                Effect::Listen { phrases } => self.listen(phrases, out),
                Effect::Submit(submission) => {
                    self.submitted_commune = submission.commune().map(str::to_string);
                    out.push(KioskEffect::Submit(submission))
                }
                Effect::Print { text } => out.push(KioskEffect::Print(Printout::text(
                    crate::privacy::NOTICE_TITLE,
                    self.today,
                    // The notice's first line is its title, printed as the title.
                    text.split_once('\n')
                        .map_or(text.as_str(), |(_, rest)| rest),
                ))),
                Effect::CallForHelp { flow_id, step_id } => {
                    self.queue_help_call(&flow_id, &step_id, out);
                }
                Effect::AdjustSpeech { change } => {
                    let change = match change {
                        SpeechChange::Slower => SettingChange::Slower,
                        SpeechChange::Louder => SettingChange::Louder,
                    };
                    self.apply_setting(change, out);
                }
                Effect::Finished { outcome } => {
                    out.push(KioskEffect::FlowFinished {
                        flow_id: flow_id.clone(),
                        outcome: outcome.clone(),
                    });
                    let text = last_screen
                        .as_ref()
                        .map(|s| s.text.clone())
                        .unwrap_or_default();
                    let printout = Printout {
                        title: title.clone(),
                        receipt: None,
                        date: self.today,
                        commune: self.submitted_commune.take(),
                        body: paragraphs(&text),
                        documents: documents.clone(),
                    };
                    match outcome {
                        Outcome::Submitted { receipt } => {
                            let printout = Printout {
                                receipt: Some(receipt),
                                ..printout
                            };
                            self.go_done(text, last_said.clone(), printout, out);
                        }
                        Outcome::Ended { .. } => {
                            self.go_done(text, last_said.clone(), printout, out);
                        }
                        Outcome::Cancelled => self.go_attract(out),
                    }
                    return;
                }
            }
        }
    }

    fn start_lookup(&mut self, out: &mut Vec<KioskEffect>) {
        out.push(KioskEffect::Hush);
        if !self.config.can_send {
            let text = LOOKUP_NOT_ENROLLED.to_string();
            out.push(KioskEffect::Say { text: text.clone() });
            let printout = Printout::text(STATUS_TITLE, self.today, &text);
            return self.go_done(text.clone(), text, printout, out);
        }
        let lookup = Lookup::start();
        let step = lookup.present(None, None);
        self.page = Page::Lookup(lookup);
        self.lookup_step(step, out);
    }

    fn lookup_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let Page::Lookup(lookup) = &mut self.page else {
            return;
        };
        let waiting = matches!(lookup, Lookup::Waiting { .. });
        let step = match event {
            KioskEvent::Looked(answer) => {
                let Lookup::Waiting { code } = lookup.clone() else {
                    return;
                };
                let text = answer_text(&code, &answer, false);
                let spoken = answer_text(&code, &answer, true);
                out.push(KioskEffect::Say {
                    text: spoken.clone(),
                });
                let printout = Printout::text(STATUS_TITLE, self.today, &text);
                return self.go_done(text, spoken, printout, out);
            }
            KioskEvent::Command(Command::Cancel) => {
                out.push(KioskEffect::Say {
                    text: GOODBYE.to_string(),
                });
                return self.go_attract(out);
            }
            _ if waiting => return,
            KioskEvent::Touched(text) => lookup.answer(&text, true),
            KioskEvent::Heard(text) => lookup.answer(&text, false),
            KioskEvent::Command(command) => LookupStep::Command(command),
            KioskEvent::Silence => lookup.present(Some(runtime::NOT_HEARD), None),
            _ => return,
        };
        self.lookup_step(step, out);
    }

    fn lookup_step(&mut self, step: LookupStep, out: &mut Vec<KioskEffect>) {
        match step {
            LookupStep::Present {
                screen,
                spoken,
                phrases,
            } => {
                let view = self.view(PageView::Step(screen));
                self.show(view, out);
                out.push(KioskEffect::Say { text: spoken });
                self.listen(phrases, out);
            }
            LookupStep::Ask { screen, code } => {
                let view = self.view(PageView::Step(screen));
                self.show(view, out);
                out.push(KioskEffect::Say {
                    text: LOOKUP_WAITING.to_string(),
                });
                out.push(KioskEffect::LookupStatus { receipt: code });
            }
            LookupStep::Command(command) => {
                let reply = self.help_reply();
                let Page::Lookup(lookup) = &mut self.page else {
                    return;
                };
                let next = match command {
                    Command::Repeat => lookup.present(None, None),
                    // "Je ne sais pas" (the code): there is nothing to skip, help says where it is.
                    Command::Help | Command::Skip => lookup.help(),
                    Command::WhereAmI => lookup.where_am_i(),
                    Command::Back => match lookup.back() {
                        Some(step) => step,
                        None => return self.go_home(None, false, out),
                    },
                    Command::Restart => {
                        *lookup = Lookup::start();
                        lookup.present(None, None)
                    }
                    Command::Cancel => {
                        out.push(KioskEffect::Say {
                            text: GOODBYE.to_string(),
                        });
                        return self.go_attract(out);
                    }
                    Command::Slower | Command::Louder => {
                        let next = lookup.present(None, None);
                        self.speech_command(command, out);
                        next
                    }
                    Command::Human => {
                        let step = lookup.present(None, Some(reply.to_string()));
                        self.queue_help_call(STATUS_ENTRY, "code", out);
                        step
                    }
                };
                self.lookup_step(next, out);
            }
        }
    }

    fn done_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let Page::Done {
            spoken, printout, ..
        } = self.page.clone()
        else {
            return;
        };
        match event {
            KioskEvent::Touched(id) if id == DONE_ID => self.go_attract(out),
            KioskEvent::Tap => self.go_attract(out),
            KioskEvent::Print => out.push(KioskEffect::Print(*printout)),
            KioskEvent::Command(
                Command::Repeat | Command::Help | Command::WhereAmI | Command::Skip,
            ) => {
                out.push(KioskEffect::Say {
                    text: format!("{spoken} {DONE_HINT}"),
                });
                self.listen(Some(done_grammar()), out);
            }
            KioskEvent::Command(Command::Human) => {
                self.call_for_help(HOME_HELP_FLOW, "fin", out);
                self.listen(Some(done_grammar()), out);
            }
            KioskEvent::Command(Command::Slower | Command::Louder) => {
                if let KioskEvent::Command(command) = event {
                    self.speech_command(command, out);
                }
                self.listen(Some(done_grammar()), out);
            }
            KioskEvent::Command(_) => self.go_attract(out),
            KioskEvent::Heard(said) => {
                let u = understand::understand(Expected::YesNo, &said, self.today);
                match u.command {
                    Some(command) => self.done_event(KioskEvent::Command(command), out),
                    None if is_farewell(&said) => {
                        out.push(KioskEffect::Say {
                            text: GOODBYE.to_string(),
                        });
                        self.go_attract(out)
                    }
                    None => self.listen(Some(done_grammar()), out),
                }
            }
            KioskEvent::Silence => self.listen(Some(done_grammar()), out),
            _ => {}
        }
    }

    // ----- idle ---------------------------------------------------------------------------

    fn timer_fired(&mut self, out: &mut Vec<KioskEffect>) {
        if self.help_timer(out) {
            return;
        }
        match self.page {
            // A call made from the attract screen, and nobody there any more.
            Page::Attract => {
                self.help = None;
                out.push(KioskEffect::SetTimer(None));
            }
            Page::Home { .. } | Page::Flow(_) | Page::Lookup(_) => {
                self.idle_prompt = true;
                out.push(KioskEffect::Hush);
                if let Some(mut view) = self.last_view.clone() {
                    view.idle_prompt = Some(self.countdown_seconds());
                    self.show(view, out);
                }
                out.push(KioskEffect::Say {
                    text: STILL_THERE.to_string(),
                });
                if self.settings.one_button {
                    out.push(KioskEffect::Say {
                        text: ONE_BUTTON_STILL_THERE.to_string(),
                    });
                }
                self.listen(Some(still_there_grammar()), out);
                out.push(KioskEffect::SetTimer(Some(self.config.idle_countdown)));
            }
            // The end screen, the PIN pad and the ambassadors' screen end on the attract screen,
            // with nothing of anybody left.
            Page::Done { .. } | Page::Pin { .. } | Page::Supervisor => self.go_attract(out),
        }
    }

    fn idle_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        match event {
            KioskEvent::TimerFired => {
                out.push(KioskEffect::Say {
                    text: WIPED.to_string(),
                });
                self.go_attract(out);
            }
            KioskEvent::Tap | KioskEvent::Touched(_) => self.resume(out),
            // A command button under the prompt: back, then the command ("Appeler quelqu'un").
            KioskEvent::Command(command) => {
                self.resume(out);
                if !matches!(command, Command::Repeat) {
                    self.page_event(KioskEvent::Command(command), out);
                }
            }
            KioskEvent::Heard(said) => match still_there(&said, self.today) {
                Some(true) => self.resume(out),
                Some(false) => {
                    out.push(KioskEffect::Say {
                        text: GOODBYE_WIPED.to_string(),
                    });
                    self.go_attract(out);
                }
                None => self.listen(Some(still_there_grammar()), out),
            },
            KioskEvent::Silence => self.listen(Some(still_there_grammar()), out),
            // The store or the back end answered meanwhile: the page takes it, the prompt stays.
            KioskEvent::Stored { .. } | KioskEvent::StoreFailed | KioskEvent::Looked(_) => {
                self.page_event(event, out);
                if matches!(self.page, Page::Done { .. }) {
                    // The receipt or the answer is on screen: no prompt over it, and it stays
                    // its own time ("Terminer" is not eaten by the prompt).
                    self.idle_prompt = false;
                    self.arm(out);
                }
            }
            _ => {}
        }
    }

    fn countdown_seconds(&self) -> u32 {
        self.config.idle_countdown.as_secs().max(1) as u32
    }

    /// Back from the idle prompt: the current moment again.
    fn resume(&mut self, out: &mut Vec<KioskEffect>) {
        self.idle_prompt = false;
        out.push(KioskEffect::Hush);
        match &self.page {
            Page::Flow(_) => self.feed(Event::Command(Command::Repeat), out),
            Page::Lookup(lookup) => {
                let step = lookup.present(None, None);
                self.lookup_step(step, out);
            }
            _ => self.present_home(None, None, out),
        }
        self.arm(out);
    }

    /// Arms the timer of the current page.
    fn arm(&self, out: &mut Vec<KioskEffect>) {
        // The person left (presence sensor): no longer than the absent time.
        let citizen = |timeout: Duration| match self.absent {
            true => timeout.min(self.config.absent_timeout),
            false => timeout,
        };
        if self.offering {
            return out.push(KioskEffect::SetTimer(Some(OFFER_WAIT)));
        }
        if let Some(step) = self.scan_timer() {
            return out.push(KioskEffect::SetTimer(Some(step)));
        }
        let after = match self.page {
            Page::Attract => None,
            Page::Home { .. } | Page::Flow(_) | Page::Lookup(_) => {
                Some(citizen(self.config.idle_timeout))
            }
            Page::Done { .. } => Some(citizen(self.config.done_timeout)),
            Page::Pin { .. } | Page::Supervisor => Some(self.config.supervisor_timeout),
        };
        // While a call for help waits, the timer also asks after it.
        let after = match self.help_waiting_id() {
            Some(_) => Some(self.config.help_poll_every),
            None => after,
        };
        out.push(KioskEffect::SetTimer(after));
    }

    // ----- moving between pages -------------------------------------------------------------

    /// Forgets everything about the person and waits for the next one.
    fn go_attract(&mut self, out: &mut Vec<KioskEffect>) {
        self.page = Page::Attract;
        self.idle_prompt = false;
        self.scan = None;
        self.offering = false;
        self.absent = false;
        self.help = None;
        self.apply_pending(out);
        if self.settings != self.config.settings {
            self.settings = self.config.settings;
            out.push(KioskEffect::ApplySettings(self.settings));
        }
        let view = self.view(PageView::Attract {
            invitation: ATTRACT_INVITATION.to_string(),
        });
        self.show(view, out);
        self.listen(Some(self.attract_grammar()), out);
        out.push(KioskEffect::SetTimer(None));
    }

    fn go_done(
        &mut self,
        text: String,
        spoken: String,
        printout: Printout,
        out: &mut Vec<KioskEffect>,
    ) {
        let receipt = printout.receipt.clone();
        self.page = Page::Done {
            spoken,
            printout: Box::new(printout),
        };
        let view = self.view(PageView::Done { text, receipt });
        self.show(view, out);
        self.listen(Some(done_grammar()), out);
    }

    // ----- flows and enrolment between visits ------------------------------------------------

    fn apply_pending_if_idle(&mut self, out: &mut Vec<KioskEffect>) {
        if matches!(self.page, Page::Attract) {
            self.apply_pending(out);
            let view = self.view(PageView::Attract {
                invitation: ATTRACT_INVITATION.to_string(),
            });
            self.show(view, out);
        }
    }

    fn apply_pending(&mut self, _out: &mut Vec<KioskEffect>) {
        let mut changed = false;
        if let Some(flows) = self.pending_flows.take() {
            self.config.flows = flows;
            changed = true;
        }
        if let Some(can_send) = self.pending_can_send.take() {
            self.config.can_send = can_send;
            changed = true;
        }
        if changed {
            self.menu = offered_menu(&self.config.flows, self.config.can_send);
        }
    }

    // ----- voice, settings, help ------------------------------------------------------------

    fn listen(&mut self, phrases: Option<Vec<String>>, out: &mut Vec<KioskEffect>) {
        self.last_listen = Some(phrases.clone());
        if self.hearing {
            out.push(KioskEffect::Listen { phrases });
        }
    }

    fn speech_command(&mut self, command: Command, out: &mut Vec<KioskEffect>) {
        let (change, said) = match command {
            Command::Slower => (SettingChange::Slower, SLOWER),
            _ => (SettingChange::Louder, LOUDER),
        };
        self.apply_setting(change, out);
        out.push(KioskEffect::Say {
            text: said.to_string(),
        });
    }

    fn change_setting(&mut self, change: SettingChange, out: &mut Vec<KioskEffect>) {
        match change {
            _ if matches!(self.page, Page::Pin { .. } | Page::Supervisor) => {}
            SettingChange::OneButton(on) => self.set_one_button(on, out),
            change => self.apply_setting(change, out),
        }
    }

    fn apply_setting(&mut self, change: SettingChange, out: &mut Vec<KioskEffect>) {
        let s = &mut self.settings;
        match change {
            SettingChange::TextBigger => {
                s.text_size = (s.text_size + 1).min(Settings::LARGEST_TEXT)
            }
            SettingChange::TextSmaller => s.text_size = s.text_size.saturating_sub(1),
            SettingChange::Contrast(on) => s.high_contrast = on,
            SettingChange::Slower => s.speech_rate = s.speech_rate.saturating_sub(1),
            SettingChange::Faster => {
                s.speech_rate = (s.speech_rate + 1).min(Settings::FASTEST_RATE)
            }
            SettingChange::Louder => {
                s.volume = s.volume.saturating_add(Settings::VOLUME_STEP).min(100)
            }
            SettingChange::Quieter => s.volume = s.volume.saturating_sub(Settings::VOLUME_STEP),
            SettingChange::OneButton(on) => s.one_button = on,
            SettingChange::ScanSlower => s.scan_speed = s.scan_speed.saturating_sub(1),
            SettingChange::ScanFaster => {
                s.scan_speed = (s.scan_speed + 1).min(Settings::SCAN_STEPS_MS.len() as u8 - 1)
            }
        }
        out.push(KioskEffect::ApplySettings(self.settings));
    }

    // ----- views and grammars ---------------------------------------------------------------

    fn view(&self, page: PageView) -> View {
        View {
            page,
            idle_prompt: None,
            hearing: self.hearing,
            scan: None,
        }
    }

    fn show(&mut self, view: View, out: &mut Vec<KioskEffect>) {
        self.last_view = Some(View {
            idle_prompt: None,
            ..view.clone()
        });
        out.push(KioskEffect::Show(view));
    }

    fn attract_grammar(&self) -> Vec<String> {
        let mut phrases: Vec<String> = GREETINGS.iter().map(|g| g.to_string()).collect();
        phrases.extend(self.home_grammar());
        phrases
    }

    fn home_grammar(&self) -> Vec<String> {
        let mut phrases =
            understand::grammar_phrases(Expected::Choice(&self.menu.options())).unwrap_or_default();
        phrases.extend(self.menu.phrases());
        phrases.extend(self.menu.choice_phrases());
        dedup(phrases)
    }
}

/// The menu of the flows this kiosk can really offer: without enrolment, only flows that send
/// nothing (they end with an `end` step, no `submit`).
fn offered_menu(flows: &[Arc<Flow>], can_send: bool) -> Menu {
    home_menu(
        flows
            .iter()
            .filter(|f| can_send || !sends_something(f))
            .map(|f| f.as_ref()),
    )
}

/// Whether a flow has a `submit` step.
pub fn sends_something(flow: &Flow) -> bool {
    flow.steps
        .iter()
        .any(|s| matches!(s.body, StepBody::Submit { .. }))
}

fn kind_pictogram(kind: FlowKind) -> &'static str {
    match kind {
        FlowKind::Report => "signaler",
        FlowKind::Booking => "reserver",
        FlowKind::Procedure => "demarche",
    }
}

fn status_tile() -> Tile {
    Tile {
        id: STATUS_ENTRY.to_string(),
        label: STATUS_TITLE.to_string(),
        pictogram: Some("suivi".to_string()),
    }
}

const GREETINGS: [&str; 6] = [
    "bonjour",
    "bonsoir",
    "salut",
    "commencer",
    "je veux commencer",
    "s'il vous plaît",
];
const FAREWELLS: [&str; 6] = [
    "terminer",
    "au revoir",
    "merci",
    "merci au revoir",
    "c'est fini",
    "j'ai fini",
];

fn is_greeting(said: &str) -> bool {
    matches_phrase(said, &GREETINGS)
}

fn is_farewell(said: &str) -> bool {
    matches_phrase(said, &FAREWELLS)
}

/// Whether the whole utterance is one of `phrases` (as a choice: never a word inside another
/// sentence, never a guess).
pub(crate) fn matches_phrase(said: &str, phrases: &[&str]) -> bool {
    use crate::understand::normalize::{fold, split_words};
    let said = split_words(&fold(said)).join(" ");
    !said.is_empty()
        && phrases
            .iter()
            .any(|p| split_words(&fold(p)).join(" ") == said)
}

/// "Vous êtes toujours là ?": yes, no, or not understood, with the same understanding as every
/// yes/no question ("pas d'accord" is no) plus "je suis là".
fn still_there(said: &str, today: NaiveDate) -> Option<bool> {
    let u = understand::understand(Expected::YesNo, said, today);
    match u.value {
        Some(Value::YesNo(b)) => Some(b),
        _ if matches_phrase(said, &STILL_HERE) => Some(true),
        _ if u.command.is_some() => Some(true),
        _ => None,
    }
}

const STILL_HERE: [&str; 5] = [
    "je suis là",
    "toujours là",
    "présent",
    "présente",
    "je suis toujours là",
];

fn still_there_grammar() -> Vec<String> {
    let mut phrases = understand::grammar_phrases(Expected::YesNo).unwrap_or_default();
    phrases.extend(STILL_HERE.iter().map(|s| s.to_string()));
    dedup(phrases)
}

fn done_grammar() -> Vec<String> {
    let mut phrases: Vec<String> = FAREWELLS.iter().map(|s| s.to_string()).collect();
    phrases.extend(
        understand::command_phrases()
            .into_iter()
            .map(|(p, _)| p.to_string()),
    );
    dedup(phrases)
}

fn dedup(phrases: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    phrases
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

fn join_or(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{}, ou {last}", rest.join(", ")),
    }
}

/// Every sentence the kiosk may say that holds no answer: the fixed texts of `flows` and the
/// kiosk's own phrases. The voice layer may cache these, and only these, on disk.
pub fn fixed_prompts<'a>(flows: impl IntoIterator<Item = &'a Flow>) -> Vec<String> {
    let mut texts: Vec<String> = SPOKEN.iter().map(|s| s.to_string()).collect();
    let flows: Vec<&Flow> = flows.into_iter().collect();
    for flow in &flows {
        texts.extend(runtime::fixed_prompts(flow));
    }
    // The home menu's spoken forms depend only on the installed flows.
    for can_send in [true, false] {
        let owned: Vec<Arc<Flow>> = flows.iter().map(|f| Arc::new((*f).clone())).collect();
        let machine = KioskMachine::new(
            KioskConfig {
                flows: owned,
                can_send,
                ..KioskConfig::default()
            },
            NaiveDate::default(),
        );
        texts.push(format!("{HOME_GREETING} {}", machine.home_spoken(None)));
        texts.push(machine.home_spoken(None));
        for section in &machine.menu.sections {
            texts.push(machine.home_spoken(Some(section.kind)));
        }
    }
    dedup(texts)
}
