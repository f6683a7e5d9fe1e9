//! The session state machine: events in, effects out.
//!
//! [`Session::handle`] takes one [`Event`] (something heard, touched, a command button,
//! silence, the store's answer) and returns the [`Effect`]s the host must carry out
//! (show a screen, say a text, listen with a grammar, store a submission, call for help).
//! It does no I/O and reads no clock: `today` is given at the start. The app, the terminal
//! simulator and the tests all drive it the same way.
//!
//! Repair: an answer not understood gets the question's reprompt; from the second miss in a
//! row the kiosk also suggests touching the screen. Answers already given are never lost.
//! Values worth checking (numbers, phone, email, dates, times, dictation) are read back.
//!
//! Skipping: an `optional` question may be left without an answer ("je ne sais pas", "passer",
//! the « Passer » button); it is then « non renseigné » in the summary, in texts and in the
//! submission, and `when` comparisons with it are false. A question that is not optional says
//! so and asks again.

use crate::model::TextFormat;
use crate::model::{
    display, ChoiceOption, Flow, Question, QuestionKind, Step, StepBody, Text, Value,
};
use crate::receipt::spell_receipt;
use crate::understand::{self, Command, DateWindow, Expected, Understanding};
use chrono::NaiveDate;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Something that happened at the kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Begin the session: show and say the first step.
    Start,
    /// What the speech recognizer heard (or what was typed in the simulator).
    Heard(String),
    /// A touch on an answer: an option id, `oui`/`non`, `suivant`, or a value typed on the
    /// screen's keypad, calendar or keyboard (`0612345678`, `2026-12-03`, `14:30`). Never a
    /// command: command buttons send [`Event::Command`].
    Touched(String),
    /// A command from a button (Répéter, Retour, Aide, Appeler quelqu'un...).
    Command(Command),
    /// The citizen said nothing before the listening timeout.
    Silence,
    /// The host stored the submission (encrypted, on disk) under this receipt code.
    Stored { receipt: String },
    /// The host could not store the submission.
    StoreFailed,
}

/// Something the host must do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "snake_case")]
pub enum Effect {
    /// Replace the screen.
    Show(Screen),
    /// Speak this text (the screen already shows its written form).
    Say { text: String },
    /// Listen for the next answer; `phrases` is the recognition grammar, `None` for dictation.
    Listen { phrases: Option<Vec<String>> },
    /// Store this submission, then answer with [`Event::Stored`] or [`Event::StoreFailed`].
    Submit(Submission),
    /// Print this text (the privacy notice in full).
    Print { text: String },
    /// Ask an ambassador to come: no personal data, only where the citizen is.
    CallForHelp { flow_id: String, step_id: String },
    /// Change the speech settings for the rest of the session.
    AdjustSpeech { change: SpeechChange },
    /// The session is over; the host returns to the home screen.
    Finished { outcome: Outcome },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpeechChange {
    Slower,
    Louder,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    Submitted {
        receipt: String,
    },
    /// An `end` step stopped the flow (nothing sent).
    Ended {
        step_id: String,
    },
    Cancelled,
}

pub use crate::submission::{Submission, SubmittedAnswer};

mod date_offer;
mod notice;
mod present;
mod prompts;
mod screen;
mod several;

pub(crate) use date_offer::refusal_sentence;
use notice::NoticePage;
pub use notice::{NOTICE_FULL_SCREEN, NOTICE_REFUSED_SCREEN, NOTICE_SCREEN, PRINT, READ_IN_FULL};
pub use prompts::fixed_prompts;
pub(crate) use prompts::NO_ANSWER;
use prompts::*;
pub(crate) use prompts::{NOT_HEARD, NOT_UNDERSTOOD};
pub use screen::{Input, Progress, Screen, ScreenOption, SummaryLine};

/// Where the session is.
#[derive(Debug, Clone, PartialEq)]
enum State {
    NotStarted,
    /// Showing the step at this index (info, question or summary).
    At(usize),
    /// Reading back a value before recording it.
    ReadBack {
        step: usize,
        value: Value,
        /// Set when `value` is a date offered instead of a day the question refuses: why
        /// that day was refused (see `date_offer`).
        offered_because: Option<String>,
    },
    /// After "non" at the summary: which answer to change.
    Correcting {
        summary: usize,
    },
    /// The privacy notice, before the personal question at `question`.
    Notice {
        question: usize,
        page: NoticePage,
    },
    /// After "annuler": are you sure?
    ConfirmCancel {
        resume: Box<State>,
    },
    /// The submission was handed to the host; waiting for it to be stored.
    Storing {
        step: usize,
    },
    /// Storing failed; the citizen may try again.
    StoreFailed {
        step: usize,
    },
    Finished,
}

/// One citizen's go through one flow. Answers live here, in memory, until submission.
#[derive(Debug, Clone)]
pub struct Session {
    flow: Arc<Flow>,
    today: NaiveDate,
    answers: BTreeMap<String, Value>,
    /// Optional questions the citizen skipped (never also in `answers`).
    skipped: BTreeSet<String>,
    /// Steps shown before the current one, for "retour".
    trail: Vec<usize>,
    state: State,
    /// Misunderstandings in a row at the current moment.
    misses: u32,
    /// After a correction from the summary: skip questions already answered.
    returning_to_summary: bool,
    /// What the kiosk says when the citizen asks for a person (what really happens then).
    help_reply: &'static str,
    /// The privacy notice was given and accepted: it is not given again in this session.
    notice_given: bool,
    /// The kiosk has a printer: the notice offers "Imprimer".
    can_print: bool,
    /// The options chosen so far on a `choices` question, by step index.
    selection: Option<(usize, Vec<String>)>,
}

impl Session {
    pub fn new(flow: Arc<Flow>, today: NaiveDate) -> Self {
        Session {
            flow,
            today,
            answers: BTreeMap::new(),
            skipped: BTreeSet::new(),
            trail: Vec::new(),
            state: State::NotStarted,
            misses: 0,
            returning_to_summary: false,
            help_reply: HELP_CALLED,
            notice_given: false,
            can_print: false,
            selection: None,
        }
    }

    /// Whether the kiosk can print (the privacy notice then offers "Imprimer").
    pub fn with_printer(mut self, can_print: bool) -> Self {
        self.can_print = can_print;
        self
    }

    /// What to say to "je veux parler à quelqu'un", as the kiosk can really do it.
    pub fn with_help_reply(mut self, reply: &'static str) -> Self {
        self.help_reply = reply;
        self
    }

    pub fn flow(&self) -> &Flow {
        &self.flow
    }

    pub fn is_finished(&self) -> bool {
        self.state == State::Finished
    }

    /// The id of the step on screen, if any.
    pub fn current_step_id(&self) -> Option<&str> {
        self.current_index().map(|i| self.flow.steps[i].id.as_str())
    }

    fn current_index(&self) -> Option<usize> {
        match &self.state {
            State::At(i) | State::ReadBack { step: i, .. } | State::Storing { step: i } => Some(*i),
            State::Notice { question: i, .. } => Some(*i),
            State::StoreFailed { step: i } | State::Correcting { summary: i } => Some(*i),
            State::ConfirmCancel { resume } => match resume.as_ref() {
                State::At(i)
                | State::ReadBack { step: i, .. }
                | State::Correcting { summary: i }
                | State::Notice { question: i, .. } => Some(*i),
                _ => None,
            },
            State::NotStarted | State::Finished => None,
        }
    }

    /// The answers that count: those of questions on the path the answers lead to.
    pub fn active_answers(&self) -> Vec<(&Step, &Question, &Value)> {
        self.active_responses()
            .into_iter()
            .filter_map(|(s, q, v)| Some((s, q, v?)))
            .collect()
    }

    /// The questions that count, in flow order: answered (`Some`) or skipped (`None`). A
    /// skipped question has no answer for later conditions.
    pub fn active_responses(&self) -> Vec<(&Step, &Question, Option<&Value>)> {
        let mut active: BTreeMap<&str, Value> = BTreeMap::new();
        let mut out = Vec::new();
        for step in &self.flow.steps {
            let applies = step
                .when
                .as_ref()
                .is_none_or(|w| w.eval(&|name: &str| active.get(name).cloned(), self.today));
            if !applies {
                continue;
            }
            let StepBody::Question(q) = &step.body else {
                continue;
            };
            if let Some(v) = self.answers.get(&step.id) {
                active.insert(&step.id, v.clone());
                out.push((step, q, Some(v)));
            } else if self.skipped.contains(&step.id) {
                out.push((step, q, None));
            }
        }
        out
    }

    /// Runs `test` on the answers that count, as conditions see them.
    fn on_active_answers(&self, test: impl FnOnce(&dyn Fn(&str) -> Option<Value>) -> bool) -> bool {
        let active = self.active_answers();
        test(&|name: &str| {
            active
                .iter()
                .find(|(s, _, _)| s.id == name)
                .map(|(_, _, v)| (*v).clone())
        })
    }

    fn applies(&self, step: &Step) -> bool {
        match &step.when {
            None => true,
            Some(w) => self.on_active_answers(|answer| w.eval(answer, self.today)),
        }
    }

    /// Handles one event and returns what the host must do, in order.
    pub fn handle(&mut self, event: Event) -> Vec<Effect> {
        let mut out = Vec::new();
        match event {
            Event::Start => {
                if self.state == State::NotStarted {
                    self.enter_from(0, &mut out);
                }
            }
            Event::Stored { receipt } => {
                if let State::Storing { step } = self.state {
                    self.finish_submitted(step, &receipt, &mut out);
                }
            }
            Event::StoreFailed => {
                if let State::Storing { step } = self.state {
                    self.state = State::StoreFailed { step };
                    // The screen's text is the failure: said once, not also as a notice.
                    self.present(None, None, &mut out);
                }
            }
            Event::Command(command) => self.command(command, &mut out),
            Event::Silence => {
                if self.is_listening() {
                    self.miss(NOT_HEARD, &mut out);
                }
            }
            Event::Touched(id) => self.answer(&id, true, &mut out),
            Event::Heard(text) => self.answer(&text, false, &mut out),
        }
        out
    }

    fn is_listening(&self) -> bool {
        !matches!(
            self.state,
            State::NotStarted | State::Finished | State::Storing { .. }
        )
    }

    // ----- moving between steps ---------------------------------------------------------

    /// Goes to the first step at or after `from` that applies.
    fn enter_from(&mut self, from: usize, out: &mut Vec<Effect>) {
        let mut index = from;
        while let Some(step) = self.flow.steps.get(index) {
            let skip_answered = self.returning_to_summary
                && matches!(step.body, StepBody::Question(_))
                && (self.answers.contains_key(&step.id) || self.skipped.contains(&step.id));
            // A filtered list with nothing left for the earlier answer cannot be asked.
            let nothing_to_choose = match &step.body {
                StepBody::Question(q) => {
                    q.options_filter.is_some() && self.kind_now(q).options().is_empty()
                }
                _ => false,
            };
            if self.applies(step) && !skip_answered && !nothing_to_choose {
                break;
            }
            index += 1;
        }
        let flow = Arc::clone(&self.flow);
        let Some(step) = flow.steps.get(index) else {
            // The loader guarantees a final submit or end; stay safe anyway.
            self.state = State::Finished;
            out.push(Effect::Finished {
                outcome: Outcome::Cancelled,
            });
            return;
        };
        self.misses = 0;
        self.selection = None;
        match &step.body {
            StepBody::Submit { .. } => {
                self.state = State::Storing { step: index };
                out.push(Effect::Submit(self.submission(index)));
                self.present(None, None, out);
            }
            StepBody::End { text } => {
                let mut screen = self.screen(index, self.render(text, false, None), None);
                screen.can_go_back = false;
                out.push(Effect::Show(screen));
                out.push(Effect::Say {
                    text: self.render(text, true, None),
                });
                self.state = State::Finished;
                self.forget_answers();
                self.trail.clear();
                out.push(Effect::Finished {
                    outcome: Outcome::Ended {
                        step_id: step.id.clone(),
                    },
                });
            }
            StepBody::Summary { .. } => {
                self.returning_to_summary = false;
                self.state = State::At(index);
                self.present(None, None, out);
            }
            StepBody::Question(_) if self.notice_due(index) => {
                self.show_notice_page(index, NoticePage::Short, out)
            }
            StepBody::Info { .. } | StepBody::Question(_) => {
                self.state = State::At(index);
                self.present(None, None, out);
            }
        }
    }

    /// Forgets every answer and skip (the session ends or starts again).
    fn forget_answers(&mut self) {
        self.answers.clear();
        self.skipped.clear();
    }

    /// "Je ne sais pas", "passer" or the « Passer » button. An optional question is left
    /// without an answer and the flow goes on; a question that is not optional says so and
    /// asks again (not counted as a misunderstanding); anywhere else it is not understood.
    fn skip(&mut self, out: &mut Vec<Effect>) {
        let State::At(index) = self.state else {
            return self.miss(NOT_UNDERSTOOD, out);
        };
        let StepBody::Question(q) = &self.flow.steps[index].body else {
            return self.miss(NOT_UNDERSTOOD, out);
        };
        if !q.optional {
            let reprompt = self.render(&q.reprompt, true, None);
            let spoken = format!("{REQUIRED} {reprompt}");
            return self.present(Some(REQUIRED.to_string()), Some(spoken), out);
        }
        let id = self.flow.steps[index].id.clone();
        self.answers.remove(&id);
        self.skipped.insert(id);
        out.push(Effect::Say {
            text: SKIPPED.to_string(),
        });
        self.advance(index, out);
    }

    /// Moves on from the step at `index`, remembering it for "retour".
    fn advance(&mut self, index: usize, out: &mut Vec<Effect>) {
        self.trail.push(index);
        self.enter_from(index + 1, out);
    }

    fn go_back(&mut self, out: &mut Vec<Effect>) {
        self.selection = None;
        match self.state.clone() {
            State::ReadBack { step, .. } => {
                self.state = State::At(step);
                self.misses = 0;
                self.present(None, None, out);
            }
            State::Correcting { summary } => {
                self.state = State::At(summary);
                self.present(None, None, out);
            }
            State::Notice {
                question,
                page: NoticePage::Full | NoticePage::Refused,
            } => self.show_notice_page(question, NoticePage::Short, out),
            State::At(_) | State::StoreFailed { .. } | State::Notice { .. } => {
                match self.trail.pop() {
                    Some(previous) => {
                        self.state = State::At(previous);
                        self.misses = 0;
                        self.present(None, None, out);
                    }
                    None => self.present(Some(AT_START.to_string()), None, out),
                }
            }
            State::ConfirmCancel { resume } => {
                self.state = *resume;
                self.present(None, None, out);
            }
            State::NotStarted | State::Storing { .. } | State::Finished => {}
        }
    }

    fn finish_submitted(&mut self, step: usize, receipt: &str, out: &mut Vec<Effect>) {
        if let StepBody::Submit { text, .. } = &self.flow.steps[step].body {
            let shown = self.render(text, false, Some(receipt));
            let spoken = self.render(text, true, Some(&spell_receipt(receipt)));
            let mut screen = self.screen(step, shown, None);
            screen.input = Input::Nothing;
            screen.can_go_back = false;
            out.push(Effect::Show(screen));
            out.push(Effect::Say { text: spoken });
        }
        self.state = State::Finished;
        self.forget_answers();
        self.trail.clear();
        out.push(Effect::Finished {
            outcome: Outcome::Submitted {
                receipt: receipt.to_string(),
            },
        });
    }

    // ----- commands -------------------------------------------------------------------

    fn command(&mut self, command: Command, out: &mut Vec<Effect>) {
        if matches!(
            self.state,
            State::NotStarted | State::Finished | State::Storing { .. }
        ) {
            return;
        }
        match command {
            Command::Repeat => self.present(None, None, out),
            Command::Help => {
                let help = self.help_text();
                self.present(None, Some(help), out);
            }
            Command::Back => self.go_back(out),
            Command::Restart => {
                self.forget_answers();
                self.trail.clear();
                self.returning_to_summary = false;
                out.push(Effect::Say {
                    text: RESTARTING.to_string(),
                });
                self.enter_from(0, out);
            }
            Command::Cancel => {
                if !matches!(self.state, State::ConfirmCancel { .. }) {
                    let resume = Box::new(self.state.clone());
                    self.state = State::ConfirmCancel { resume };
                    self.misses = 0;
                }
                self.present(None, None, out);
            }
            Command::Slower | Command::Louder => {
                let (change, text) = if command == Command::Slower {
                    (SpeechChange::Slower, SLOWER)
                } else {
                    (SpeechChange::Louder, LOUDER)
                };
                out.push(Effect::AdjustSpeech { change });
                out.push(Effect::Say {
                    text: text.to_string(),
                });
                self.present(None, None, out);
            }
            Command::Human => {
                if let Some(step_id) = self.current_step_id() {
                    out.push(Effect::CallForHelp {
                        flow_id: self.flow.id.clone(),
                        step_id: step_id.to_string(),
                    });
                }
                self.present(None, Some(self.help_reply.to_string()), out);
            }
            Command::WhereAmI => {
                let said = self.where_am_i();
                self.present(None, Some(said), out);
            }
            Command::Skip => self.skip(out),
        }
    }

    /// "Où suis-je ?": the flow, the step among all, the current question or moment, and what
    /// can be said. Nothing changes.
    fn where_am_i(&self) -> String {
        let Some(index) = self.current_index() else {
            return String::new();
        };
        let mut said = format!(
            "Vous êtes dans : {}. Étape {} sur {}.",
            self.flow.title,
            index + 1,
            self.flow.steps.len()
        );
        let moment = self
            .current_screen_and_speech(None)
            .map(|(_, spoken)| spoken)
            .unwrap_or_default();
        if !moment.is_empty() {
            said.push(' ');
            said.push_str(&moment);
        }
        let expected = match (&self.state, &self.flow.steps[index].body) {
            (State::At(_), StepBody::Question(q)) if q.optional => {
                format!("{} {SKIP_HINT}", what_to_say(&self.kind_now(q)))
            }
            (State::At(_), StepBody::Question(q)) => what_to_say(&self.kind_now(q)),
            (State::At(_), StepBody::Info { .. }) | (State::StoreFailed { .. }, _) => {
                "Dites : suivant.".to_string()
            }
            (
                State::Notice {
                    page: NoticePage::Short | NoticePage::Full,
                    ..
                },
                _,
            ) => NOTICE_CONTINUE.to_string(),
            (State::Correcting { .. }, _) => "Dites ce que vous voulez changer.".to_string(),
            _ => "Dites oui ou non.".to_string(),
        };
        format!("{said} {expected} {COMMANDS_HELP}")
    }

    fn help_text(&self) -> String {
        let specific = match &self.state {
            State::At(i) => match &self.flow.steps[*i].body {
                StepBody::Question(q) if q.optional => {
                    format!("{} {SKIP_HINT}", self.render(&q.help, true, None))
                }
                StepBody::Question(q) => self.render(&q.help, true, None),
                StepBody::Info { .. } => CONTINUE_HELP.to_string(),
                StepBody::Summary { .. } => {
                    "Si tout est juste, dites oui. Pour changer une réponse, dites non.".to_string()
                }
                _ => String::new(),
            },
            State::ReadBack { .. } | State::ConfirmCancel { .. } => "Dites oui ou non.".to_string(),
            State::Notice {
                page: NoticePage::Refused,
                ..
            } => "Dites oui pour arrêter, ou non pour revenir au texte.".to_string(),
            State::Notice { .. } => NOTICE_HELP.to_string(),
            State::Correcting { .. } => {
                "Dites ce que vous voulez changer, ou touchez-le sur l'écran.".to_string()
            }
            State::StoreFailed { .. } => CONTINUE_HELP.to_string(),
            _ => String::new(),
        };
        format!("{specific} {COMMANDS_HELP}").trim().to_string()
    }

    // ----- answers --------------------------------------------------------------------

    fn miss(&mut self, why: &str, out: &mut Vec<Effect>) {
        self.misses += 1;
        let reprompt = match &self.state {
            State::At(i) => match &self.flow.steps[*i].body {
                StepBody::Question(q) => self.render(&q.reprompt, true, None),
                StepBody::Info { .. } => CONTINUE_HELP.to_string(),
                _ => ALL_RIGHT.to_string(),
            },
            State::ReadBack {
                offered_because: Some(_),
                value: Value::Date(date),
                ..
            } => date_offer::offer_reprompt(&display::date(*date)),
            State::ReadBack { .. } => IS_IT_RIGHT.to_string(),
            State::Correcting { .. } => WHAT_TO_CHANGE.to_string(),
            State::ConfirmCancel { .. } => REALLY_CANCEL.to_string(),
            State::Notice {
                page: NoticePage::Refused,
                ..
            } => NOTICE_REFUSED.to_string(),
            State::Notice { .. } => NOTICE_CONTINUE.to_string(),
            _ => String::new(),
        };
        // Reprompts written as "Je n'ai pas compris. ..." must not say it twice.
        let mut spoken = if reprompt.starts_with(why) {
            reprompt.clone()
        } else {
            format!("{why} {reprompt}")
        };
        let mut notice = why.to_string();
        if self.misses >= 2 {
            spoken = format!("{spoken} {TRY_TOUCH}");
            notice = format!("{notice} {TRY_TOUCH}");
        }
        let screen = self.current_screen(Some(notice));
        out.push(Effect::Show(screen));
        out.push(Effect::Say { text: spoken });
        out.push(self.listen());
    }

    fn answer(&mut self, utterance: &str, touched: bool, out: &mut Vec<Effect>) {
        match self.state.clone() {
            State::NotStarted | State::Finished | State::Storing { .. } => {}
            State::At(index) => {
                let step = &self.flow.steps[index];
                match &step.body {
                    StepBody::Info { .. } => match self.yes_or_continue(utterance, touched) {
                        Reply::Command(c) => self.command(c, out),
                        Reply::Yes => self.advance(index, out),
                        Reply::No | Reply::Unclear => self.miss(NOT_UNDERSTOOD, out),
                    },
                    StepBody::Summary { .. } => match self.yes_or_continue(utterance, touched) {
                        Reply::Command(c) => self.command(c, out),
                        Reply::Yes => self.advance(index, out),
                        Reply::No => {
                            self.state = State::Correcting { summary: index };
                            self.misses = 0;
                            self.present(None, None, out);
                        }
                        Reply::Unclear => self.miss(NOT_UNDERSTOOD, out),
                    },
                    StepBody::Question(q) => {
                        let q = q.clone();
                        self.answer_question(index, &q, utterance, touched, out);
                    }
                    StepBody::Submit { .. } | StepBody::End { .. } => {}
                }
            }
            State::ReadBack { step, value, .. } => match self.yes_or_continue(utterance, touched) {
                Reply::Command(c) => self.command(c, out),
                Reply::Yes => {
                    self.record(step, value);
                    self.advance(step, out);
                }
                Reply::No => {
                    self.state = State::At(step);
                    self.misses = 0;
                    self.present(Some("D'accord.".to_string()), None, out);
                }
                Reply::Unclear => {
                    // A new value instead of oui/non: read that one back.
                    if let StepBody::Question(q) = &self.flow.steps[step].body {
                        let q = q.clone();
                        let kind = self.kind_now(&q).into_owned();
                        let u = self.understand_for(&kind, utterance, touched);
                        if let Some(v) = u.value {
                            if self.check_value(&kind, &v).is_ok() {
                                if let Some(refused) = self.refused_day(&kind, &v) {
                                    return self.offer_day(step, refused, out);
                                }
                                self.state = State::ReadBack {
                                    step,
                                    value: v,
                                    offered_because: None,
                                };
                                self.misses = 0;
                                self.present(None, None, out);
                                return;
                            }
                        }
                    }
                    self.miss(NOT_UNDERSTOOD, out);
                }
            },
            State::Correcting { summary } => {
                let lines = self.summary_lines(summary);
                let options: Vec<ChoiceOption> = lines
                    .iter()
                    .map(|l| ChoiceOption::new(&l.step_id, &l.label, &[]))
                    .collect();
                let u = if touched {
                    touch_choice(&options, utterance)
                } else {
                    understand::understand(Expected::Choice(&options), utterance, self.today)
                };
                if let Some(c) = u.command {
                    return self.command(c, out);
                }
                match u.value {
                    Some(Value::Choice(step_id)) => match self.flow.step_index(&step_id) {
                        Some(target) => {
                            self.trail.push(summary);
                            self.returning_to_summary = true;
                            self.state = State::At(target);
                            self.misses = 0;
                            self.present(None, None, out);
                        }
                        None => self.miss(NOT_UNDERSTOOD, out),
                    },
                    _ => self.miss(NOT_UNDERSTOOD, out),
                }
            }
            State::Notice { question, page } => {
                self.notice_answer(question, page, utterance, touched, out)
            }
            State::ConfirmCancel { resume } => match self.yes_or_continue(utterance, touched) {
                Reply::Yes | Reply::Command(Command::Cancel) => self.cancel(out),
                Reply::No => {
                    self.state = *resume;
                    self.present(None, None, out);
                }
                Reply::Command(c) => self.command(c, out),
                Reply::Unclear => self.miss(NOT_UNDERSTOOD, out),
            },
            State::StoreFailed { step } => match self.yes_or_continue(utterance, touched) {
                Reply::Yes => {
                    self.state = State::Storing { step };
                    out.push(Effect::Submit(self.submission(step)));
                    self.present(None, None, out);
                }
                Reply::Command(c) => self.command(c, out),
                Reply::No | Reply::Unclear => self.miss(NOT_UNDERSTOOD, out),
            },
        }
    }

    /// Ends the session at the citizen's wish: every answer is forgotten.
    fn cancel(&mut self, out: &mut Vec<Effect>) {
        self.forget_answers();
        self.trail.clear();
        self.state = State::Finished;
        out.push(Effect::Say {
            text: CANCELLED.to_string(),
        });
        out.push(Effect::Finished {
            outcome: Outcome::Cancelled,
        });
    }

    fn answer_question(
        &mut self,
        index: usize,
        q: &Question,
        utterance: &str,
        touched: bool,
        out: &mut Vec<Effect>,
    ) {
        let kind = self.kind_now(q).into_owned();
        if let QuestionKind::Choices { options, min, max } = &kind {
            return self.answer_several(index, q, options, (*min, *max), utterance, touched, out);
        }
        let u = self.understand_for(&kind, utterance, touched);
        if let Some(c) = u.command {
            // A touch is an answer, never a command (command buttons send Event::Command).
            if touched {
                return self.miss(NOT_UNDERSTOOD, out);
            }
            return self.command(c, out);
        }
        let Some(value) = u.value else {
            return self.miss(NOT_UNDERSTOOD, out);
        };
        if let Err(why) = self.check_value(&kind, &value) {
            return self.miss(&why, out);
        }
        if let Some(refused) = self.refused_day(&kind, &value) {
            return self.offer_day(index, refused, out);
        }
        if !touched && matches!(q.kind, QuestionKind::Choice { .. }) && !q.confirm {
            // Implicit confirmation of the option heard, so a misrecognition is noticed.
            out.push(Effect::Say {
                text: format!("{}.", display::value(&value, &q.kind)),
            });
        }
        self.accept(index, q, value, out);
    }

    /// An understood, valid value: read back first when the question asks for it.
    fn accept(&mut self, index: usize, q: &Question, value: Value, out: &mut Vec<Effect>) {
        if q.confirm {
            self.state = State::ReadBack {
                step: index,
                value,
                offered_because: None,
            };
            self.misses = 0;
            self.present(None, None, out);
        } else {
            self.record(index, value);
            self.advance(index, out);
        }
    }

    /// Keeps an answer (the question is no longer skipped, if it was). Later answers taken
    /// from a list filtered by this one, and no longer in that list, are dropped: they will be
    /// asked again.
    fn record(&mut self, index: usize, value: Value) {
        let step_id = self.flow.steps[index].id.clone();
        self.skipped.remove(&step_id);
        self.answers.insert(step_id.clone(), value);
        let flow = Arc::clone(&self.flow);
        for step in &flow.steps[index + 1..] {
            let StepBody::Question(q) = &step.body else {
                continue;
            };
            if q.options_filter.as_ref().is_some_and(|f| f.step == step_id) {
                let kept = self.kind_now(q);
                let still_valid = match self.answers.get(&step.id) {
                    Some(Value::Choice(id)) => kept.options().iter().any(|o| &o.id == id),
                    Some(Value::Choices(ids)) => ids
                        .iter()
                        .all(|id| kept.options().iter().any(|o| &o.id == id)),
                    _ => true,
                };
                if !still_valid {
                    self.answers.remove(&step.id);
                }
            }
        }
    }

    /// The question's kind as it is asked now: options from a filtered dataset keep only
    /// those that match the earlier answer.
    pub(super) fn kind_now<'q>(&self, q: &'q Question) -> Cow<'q, QuestionKind> {
        let Some(filter) = &q.options_filter else {
            return Cow::Borrowed(&q.kind);
        };
        let kept: Vec<ChoiceOption> = filter
            .apply(q.kind.options(), self.answers.get(&filter.step))
            .into_iter()
            .cloned()
            .collect();
        Cow::Owned(match &q.kind {
            QuestionKind::Choices { min, max, .. } => QuestionKind::Choices {
                min: (*min).min(kept.len()),
                max: (*max).min(kept.len()),
                options: kept,
            },
            _ => QuestionKind::Choice { options: kept },
        })
    }

    fn understand_for(&self, kind: &QuestionKind, utterance: &str, touched: bool) -> Understanding {
        if touched {
            match kind {
                QuestionKind::Choice { options } => return touch_choice(options, utterance),
                // Tiles of several choices are toggled, not read back.
                QuestionKind::Choices { .. } => return Understanding::default(),
                _ => {}
            }
        }
        understand::understand(expected(kind, self.today), utterance, self.today)
    }

    /// Bounds of the question; the message says what is possible.
    fn check_value(&self, kind: &QuestionKind, value: &Value) -> Result<(), String> {
        match (kind, value) {
            (QuestionKind::Number { min, max }, Value::Number(n)) if n < min || n > max => {
                Err(format!("Le nombre doit être entre {min} et {max}."))
            }
            (QuestionKind::Text { max_length, .. }, Value::Text(t))
                if t.chars().count() > *max_length =>
            {
                Err(format!(
                    "C'est trop long : {max_length} caractères au plus."
                ))
            }
            (
                QuestionKind::Date {
                    earliest, latest, ..
                },
                Value::Date(d),
            ) => {
                let earliest = earliest.resolve(self.today);
                let latest = latest.resolve(self.today);
                match (earliest, latest) {
                    (Some(e), Some(l)) if *d < e || *d > l => Err(format!(
                        "Cette date n'est pas possible. Choisissez entre le {} et le {}.",
                        display::date(e),
                        display::date(l)
                    )),
                    (Some(e), None) if *d < e => Err(format!(
                        "Cette date n'est pas possible. Choisissez à partir du {}.",
                        display::date(e)
                    )),
                    (None, Some(l)) if *d > l => Err(format!(
                        "Cette date n'est pas possible. Choisissez jusqu'au {}.",
                        display::date(l)
                    )),
                    _ => Ok(()),
                }
            }
            (QuestionKind::Choices { min, max, .. }, Value::Choices(ids))
                if ids.len() < *min || ids.len() > *max =>
            {
                Err(several::count_rule(*min, *max))
            }
            (QuestionKind::Time { earliest, latest }, Value::Time(t))
                if t < earliest || t > latest =>
            {
                Err(format!(
                    "Cette heure n'est pas possible. Choisissez entre {} et {}.",
                    display::time(*earliest),
                    display::time(*latest)
                ))
            }
            _ => Ok(()),
        }
    }

    fn yes_or_continue(&self, utterance: &str, touched: bool) -> Reply {
        let normalized = utterance.trim().to_lowercase();
        if touched && (normalized == "suivant" || normalized == "oui") {
            return Reply::Yes;
        }
        if touched && normalized == "non" {
            return Reply::No;
        }
        if touched {
            // Only the oui/non/suivant buttons are touched here; anything else is not an
            // answer, and never a command.
            return Reply::Unclear;
        }
        if CONTINUE_WORDS.contains(&normalized.as_str()) {
            return Reply::Yes;
        }
        let u = understand::understand(Expected::YesNo, utterance, self.today);
        match (u.command, u.value) {
            (Some(c), _) => Reply::Command(c),
            (None, Some(Value::YesNo(true))) => Reply::Yes,
            (None, Some(Value::YesNo(false))) => Reply::No,
            _ => Reply::Unclear,
        }
    }

    fn submission(&self, index: usize) -> Submission {
        let (send, urgent) = match &self.flow.steps[index].body {
            StepBody::Submit { send, urgent, .. } => (
                send.clone(),
                self.on_active_answers(|answer| urgent.holds(answer, self.today)),
            ),
            _ => (Vec::new(), false),
        };
        let answers = self
            .active_responses()
            .into_iter()
            .filter(|(s, _, _)| send.is_empty() || send.contains(&s.id))
            .map(|(s, q, v)| SubmittedAnswer::of(&s.id, q, v, NO_ANSWER))
            .collect();
        Submission {
            flow_id: self.flow.id.clone(),
            flow_version: self.flow.version,
            service: self.flow.service.clone(),
            answers,
            urgent,
        }
    }
}

/// What the citizen can answer to a question, said by "où suis-je ?".
fn what_to_say(kind: &QuestionKind) -> String {
    const SAID_IN_FULL: usize = 6;
    match kind {
        QuestionKind::YesNo => "Dites oui ou non.".to_string(),
        QuestionKind::Choice { options } if options.len() <= SAID_IN_FULL => {
            let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
            format!("Dites : {}.", labels.join(", ou "))
        }
        QuestionKind::Choice { .. } => {
            "Dites un nom de la liste, ou touchez-le sur l'écran.".to_string()
        }
        QuestionKind::Choices { .. } => {
            "Dites vos choix, par exemple : le premier et le dernier. Puis dites : c'est tout."
                .to_string()
        }
        QuestionKind::Number { min, max } => format!("Dites un nombre de {min} à {max}."),
        QuestionKind::Phone => {
            "Dites votre numéro de téléphone, chiffre par chiffre ou par deux.".to_string()
        }
        QuestionKind::Email => {
            "Dites votre adresse e-mail, ou tapez-la sur le clavier.".to_string()
        }
        QuestionKind::Text { .. } => "Dites votre réponse avec vos mots.".to_string(),
        QuestionKind::Date { allowed, .. } if allowed.weekdays.len() < 7 => format!(
            "Dites une date, par exemple : le 3 mars. Seuls {} sont possibles.",
            allowed.weekdays_plural()
        ),
        QuestionKind::Date { .. } => "Dites une date, par exemple : le 3 mars.".to_string(),
        QuestionKind::Time { .. } => "Dites une heure, par exemple : 14 heures 30.".to_string(),
    }
}

enum Reply {
    Yes,
    No,
    Unclear,
    Command(Command),
}

/// What understanding expects for a question of this kind; `today` resolves date bounds.
fn expected(kind: &QuestionKind, today: NaiveDate) -> Expected<'_> {
    match kind {
        QuestionKind::YesNo => Expected::YesNo,
        QuestionKind::Choice { options } => Expected::Choice(options),
        QuestionKind::Choices { options, .. } => Expected::Choices(options),
        QuestionKind::Number { .. } => Expected::Number,
        QuestionKind::Text {
            format: TextFormat::Name,
            ..
        } => Expected::Name,
        QuestionKind::Text { .. } => Expected::Text,
        QuestionKind::Phone => Expected::Phone,
        QuestionKind::Email => Expected::Email,
        QuestionKind::Date {
            earliest, latest, ..
        } => Expected::Date(DateWindow {
            earliest: earliest.resolve(today),
            latest: latest.resolve(today),
        }),
        QuestionKind::Time { .. } => Expected::Time,
    }
}

/// A touch on a tile gives the option id exactly.
fn touch_choice(options: &[ChoiceOption], id: &str) -> Understanding {
    Understanding {
        value: options
            .iter()
            .find(|o| o.id == id.trim())
            .map(|o| Value::Choice(o.id.clone())),
        command: None,
    }
}
