//! A call for help while the citizen waits: the call is queued (the host answers with its
//! id), then asked after at the machine's timer (`KioskEffect::AskHelpCall`) until an
//! ambassador takes it, it is closed, or the citizen leaves. The kiosk says only what the
//! back end said: "noted" while nobody has taken the call (and whenever the kiosk is
//! offline or the call not delivered yet), and that someone is coming or will call back
//! once an ambassador took it.

use super::*;

/// How an ambassador answered a call ("Je m'en occupe").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpMode {
    /// They come over to the kiosk.
    Coming,
    /// They will call the citizen back.
    CallBack,
}

/// What the host learnt about the call for help it queued ([`KioskEffect::AskHelpCall`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpCallAnswer {
    /// Received by the back end; nobody has taken it yet.
    Open,
    /// The back end has not received it yet (still in the kiosk's outbox).
    NotReceived,
    /// The back end cannot be reached.
    Offline,
    /// An ambassador took it.
    Taken(HelpMode),
    /// An ambassador closed it ("Terminé").
    Closed,
}

/// The call for help of the current visit.
#[derive(Debug, Clone, Default)]
pub(super) struct HelpWatch {
    /// The call's id once the host queued it.
    id: Option<String>,
    taken: Option<HelpMode>,
    closed: bool,
    /// How long the citizen has been waiting without a touch or a word.
    quiet: Duration,
    /// In one-button mode (whose scan step is the machine's one timer): scan time since the
    /// call was last asked after.
    since_asked: Duration,
}

impl HelpWatch {
    /// The id to ask after, while nobody has taken or closed the call.
    fn waiting_id(&self) -> Option<&str> {
        (self.taken.is_none() && !self.closed)
            .then_some(self.id.as_deref())
            .flatten()
    }
}

/// What the kiosk says once an ambassador took the call.
pub fn taken_text(mode: HelpMode) -> &'static str {
    match mode {
        HelpMode::Coming => HELP_COMING,
        HelpMode::CallBack => HELP_CALLING_BACK,
    }
}

impl KioskMachine {
    /// The citizen asked for a person: the call is queued once per visit (asking again says
    /// where it is), and the kiosk says what is true now.
    pub(super) fn call_for_help(
        &mut self,
        flow_id: &str,
        step_id: &str,
        out: &mut Vec<KioskEffect>,
    ) {
        self.queue_help_call(flow_id, step_id, out);
        out.push(KioskEffect::Say {
            text: self.help_reply().to_string(),
        });
    }

    /// Queues a call for help unless this visit has one already.
    pub(super) fn queue_help_call(
        &mut self,
        flow_id: &str,
        step_id: &str,
        out: &mut Vec<KioskEffect>,
    ) {
        if self.config.can_send && self.help.is_none() {
            self.help = Some(HelpWatch::default());
            out.push(KioskEffect::CallForHelp {
                flow_id: flow_id.to_string(),
                step_id: step_id.to_string(),
            });
        }
    }

    /// What the kiosk says when asked for a person: unavailable (not enrolled), taken (the
    /// back end said so), else noted.
    pub(super) fn help_reply(&self) -> &'static str {
        match self.help.as_ref().and_then(|watch| watch.taken) {
            _ if !self.config.can_send => HELP_UNAVAILABLE,
            Some(mode) => taken_text(mode),
            None => HELP_NOTED,
        }
    }

    /// The id to ask after while the citizen waits; none on the ambassadors' pages.
    pub(super) fn help_waiting_id(&self) -> Option<String> {
        if matches!(self.page, Page::Pin { .. } | Page::Supervisor) {
            return None;
        }
        self.help
            .as_ref()
            .and_then(|watch| watch.waiting_id())
            .map(str::to_string)
    }

    /// The citizen did something: they are there, waiting or not.
    pub(super) fn help_presence(&mut self) {
        if let Some(watch) = &mut self.help {
            watch.quiet = Duration::ZERO;
        }
    }

    /// The timer ran out while a call waits: ask after it again, unless the citizen has
    /// been quiet for longer than [`KioskConfig::help_patience`]. Returns whether it did.
    pub(super) fn help_timer(&mut self, out: &mut Vec<KioskEffect>) -> bool {
        let Some(id) = self.help_waiting_id() else {
            return false;
        };
        let every = self.config.help_poll_every;
        let patience = self.config.help_patience;
        let Some(watch) = &mut self.help else {
            return false;
        };
        if watch.quiet >= patience {
            return false;
        }
        watch.quiet += every;
        out.push(KioskEffect::AskHelpCall { id });
        out.push(KioskEffect::SetTimer(Some(every)));
        true
    }

    /// A tick of one-button mode's scan while a call waits: the scan keeps the timer, and the
    /// call is asked after once every [`KioskConfig::help_poll_every`] of scanning.
    pub(super) fn help_scan_tick(&mut self, step: Duration, out: &mut Vec<KioskEffect>) {
        let Some(id) = self.help_waiting_id() else {
            return;
        };
        let every = self.config.help_poll_every;
        let Some(watch) = &mut self.help else {
            return;
        };
        watch.quiet += step;
        watch.since_asked += step;
        if watch.since_asked >= every {
            watch.since_asked = Duration::ZERO;
            out.push(KioskEffect::AskHelpCall { id });
        }
    }

    /// The host's news about the call: its id once queued, or the back end's answer.
    pub(super) fn help_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let Some(watch) = &mut self.help else {
            return;
        };
        match event {
            KioskEvent::HelpCallQueued { id } if watch.id.is_none() => {
                watch.id = Some(id);
                if !self.idle_prompt {
                    self.arm(out);
                }
            }
            KioskEvent::HelpCall(answer) => match answer {
                // Offline or not delivered yet: still "noted"; the timer asks again.
                HelpCallAnswer::Open | HelpCallAnswer::NotReceived | HelpCallAnswer::Offline => {}
                HelpCallAnswer::Closed => {
                    watch.closed = true;
                    if !self.idle_prompt {
                        self.arm(out);
                    }
                }
                HelpCallAnswer::Taken(mode) => {
                    if watch.taken.is_some() {
                        return;
                    }
                    watch.taken = Some(mode);
                    self.tell_taken(mode, out);
                }
            },
            _ => {}
        }
    }

    /// Says (and shows, where the page has room) that an ambassador took the call.
    fn tell_taken(&mut self, mode: HelpMode, out: &mut Vec<KioskEffect>) {
        let text = taken_text(mode);
        if self.idle_prompt {
            // "Vous êtes toujours là ?" stays; the news is said under it.
            out.push(KioskEffect::Say {
                text: text.to_string(),
            });
            return;
        }
        out.push(KioskEffect::Hush);
        match &mut self.page {
            Page::Flow(session) => {
                session.set_help_reply(text);
                let effects = session.tell(text);
                self.carry_session_effects(effects, out);
            }
            Page::Home { kind, .. } => {
                let kind = *kind;
                let spoken = format!("{text} {}", self.home_spoken(kind));
                self.present_home(Some(text.to_string()), Some(spoken), out)
            }
            Page::Lookup(Lookup::Waiting { .. }) => out.push(KioskEffect::Say {
                text: text.to_string(),
            }),
            Page::Lookup(lookup) => {
                let step = lookup.present(Some(text), None);
                self.lookup_step(step, out);
            }
            Page::Done { spoken, printout } => {
                // The end screen's text, with the news above it.
                let shown = match self.last_view.as_ref().map(|view| &view.page) {
                    Some(PageView::Done { text: shown, .. }) => format!("{text}\n{shown}"),
                    _ => text.to_string(),
                };
                let (spoken, printout) = (spoken.clone(), printout.as_ref().clone());
                out.push(KioskEffect::Say {
                    text: text.to_string(),
                });
                self.go_done(shown, spoken, printout, out);
            }
            Page::Attract => {
                out.push(KioskEffect::Say {
                    text: text.to_string(),
                });
                self.listen(Some(self.attract_grammar()), out);
            }
            Page::Pin { .. } | Page::Supervisor => {}
        }
        self.arm(out);
    }
}
