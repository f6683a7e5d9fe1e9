//! "Où en est ma demande ?": the citizen gives a receipt code by voice or on the keyboard,
//! the kiosk reads it back, asks the back end (through its host), and says the status in
//! plain words with the agent's note.

use super::phrases::*;
use crate::booking::{BookingOutcome, BookingState};
use crate::receipt::spell_receipt;
use crate::runtime::{Input, Progress, Screen, ScreenOption};
use crate::understand::{self, receipt, Command, Expected};
use crate::Value;

/// Where a request is, as the back end says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Received,
    InProgress,
    Done,
    Rejected,
}

/// The host's answer to [`super::KioskEffect::LookupStatus`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupAnswer {
    Found {
        state: RequestState,
        note: Option<String>,
        /// What was decided about its booking, for a request that booked a resource.
        booking: Option<BookingOutcome>,
    },
    /// The back end knows no such code.
    NotFound,
    /// Not delivered yet: the request waits in this kiosk's outbox.
    Queued,
    /// The back end could not be reached.
    Offline,
    /// The kiosk is not enrolled.
    NotEnrolled,
}

/// The plain-language answer, with the code spelled for speech.
pub fn answer_text(code: &str, answer: &LookupAnswer, spoken: bool) -> String {
    let shown_code = if spoken {
        spell_receipt(code)
    } else {
        code.to_string()
    };
    match answer {
        LookupAnswer::Found {
            note,
            booking: Some(booking),
            ..
        } => {
            let said = booking_text(&shown_code, booking);
            // A decline already says its reason (the agent's note when an agent declined).
            let said_already = booking.state == BookingState::Declined;
            match note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(note) if !said_already || Some(note) != booking.reason.as_deref() => {
                    format!("{said} Message du service : {note}")
                }
                _ => said,
            }
        }
        LookupAnswer::Found { state, note, .. } => {
            let status = match state {
                RequestState::Received => format!(
                    "Votre demande {shown_code} est bien arrivée. Elle n'est pas encore traitée."
                ),
                RequestState::InProgress => {
                    format!("Votre demande {shown_code} est en cours de traitement.")
                }
                RequestState::Done => format!("Votre demande {shown_code} est traitée."),
                RequestState::Rejected => format!("Votre demande {shown_code} a été refusée."),
            };
            match note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                Some(note) => format!("{status} Message du service : {note}"),
                None => status,
            }
        }
        LookupAnswer::NotFound => LOOKUP_NOT_FOUND.to_string(),
        LookupAnswer::Queued => LOOKUP_QUEUED.to_string(),
        LookupAnswer::Offline => LOOKUP_OFFLINE.to_string(),
        LookupAnswer::NotEnrolled => LOOKUP_NOT_ENROLLED.to_string(),
    }
}

/// « Votre réservation du samedi 14 mars est confirmée. », or refused with the reason and
/// the nearest free days, or still waiting for the town hall.
fn booking_text(code: &str, booking: &BookingOutcome) -> String {
    let day = |d: chrono::NaiveDate| {
        format!(
            "{} {}",
            crate::calendar::weekday_name(chrono::Datelike::weekday(&d)),
            crate::model::display::day_and_month(d)
        )
    };
    let what = format!("Votre réservation {code} du {}", day(booking.day));
    match booking.state {
        BookingState::Confirmed => format!("{what} est confirmée."),
        BookingState::Held => {
            format!("{what} est notée. Elle n'est pas encore confirmée. La mairie la confirmera.")
        }
        BookingState::Declined => {
            let mut text = format!("{what} est refusée.");
            if let Some(reason) = booking
                .reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
            {
                text.push_str(&format!(" Raison : {reason}."));
            }
            match booking.alternatives.as_slice() {
                [] => {}
                [one] => text.push_str(&format!(" Le {} est libre.", day(*one))),
                many => {
                    let days: Vec<String> =
                        many.iter().map(|d| format!("le {}", day(*d))).collect();
                    text.push_str(&format!(
                        " Jours libres les plus proches : {}.",
                        crate::model::display::list(&days)
                    ));
                }
            }
            text
        }
    }
}

/// Where the lookup is.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup {
    Asking { misses: u32 },
    ReadBack { code: String },
    Waiting { code: String },
}

/// What the lookup wants next.
pub enum LookupStep {
    /// Show and say this, then listen (`None` phrases: dictation).
    Present {
        screen: Screen,
        spoken: String,
        phrases: Option<Vec<String>>,
    },
    /// Ask the host for this code's status.
    Ask { screen: Screen, code: String },
    /// A command for the kiosk (help call, cancel, back to the menu, speech settings).
    Command(Command),
}

const STEPS: usize = 3;

fn screen(text: &str, input: Input, step: usize, notice: Option<String>) -> Screen {
    let yes_no = matches!(input, Input::YesNo);
    Screen {
        flow_title: LOOKUP_TITLE.to_string(),
        step_id: ["code", "verification", "reponse"][step.min(STEPS - 1)].to_string(),
        text: text.to_string(),
        pictogram: Some("suivi".to_string()),
        input,
        options: if yes_no {
            ScreenOption::yes_no()
        } else {
            Vec::new()
        },
        summary: Vec::new(),
        notice,
        progress: Progress {
            current: step + 1,
            total: STEPS,
        },
        can_go_back: true,
        can_skip: false,
    }
}

impl Lookup {
    pub fn start() -> Lookup {
        Lookup::Asking { misses: 0 }
    }

    /// The current moment, with `notice` first.
    pub fn present(&self, notice: Option<&str>, instead: Option<String>) -> LookupStep {
        let notice_text = notice.map(str::to_string);
        let (screen, spoken, phrases) = match self {
            Lookup::Asking { .. } => (
                screen(LOOKUP_ASK, Input::ReceiptCode, 0, notice_text),
                LOOKUP_ASK.to_string(),
                None,
            ),
            Lookup::ReadBack { code } => {
                let shown = format!("Vous avez dit : {code}. C'est bien ça ?");
                let spoken = format!("Vous avez dit : {}. C'est bien ça ?", spell_receipt(code));
                (
                    screen(&shown, Input::YesNo, 1, notice_text),
                    spoken,
                    understand::grammar_phrases(Expected::YesNo),
                )
            }
            Lookup::Waiting { code } => {
                return LookupStep::Ask {
                    screen: screen(LOOKUP_WAITING, Input::Nothing, 2, None),
                    code: code.clone(),
                }
            }
        };
        let spoken = match (notice, instead) {
            (_, Some(instead)) => instead,
            (Some(n), None) => format!("{n} {spoken}"),
            (None, None) => spoken,
        };
        LookupStep::Present {
            screen,
            spoken,
            phrases,
        }
    }

    pub fn help(&self) -> LookupStep {
        let help = match self {
            Lookup::Asking { .. } => LOOKUP_HELP.to_string(),
            _ => "Dites oui ou non.".to_string(),
        };
        self.present(None, Some(help))
    }

    /// "Où suis-je ?".
    pub fn where_am_i(&self) -> LookupStep {
        let (step, moment) = match self {
            Lookup::Asking { .. } => (1, LOOKUP_ASK.to_string()),
            Lookup::ReadBack { code } => (
                2,
                format!(
                    "Vous avez dit : {}. C'est bien ça ? Dites oui ou non.",
                    spell_receipt(code)
                ),
            ),
            Lookup::Waiting { .. } => (3, LOOKUP_WAITING.to_string()),
        };
        self.present(
            None,
            Some(format!(
                "Vous êtes dans : {LOOKUP_TITLE} Étape {step} sur {STEPS}. {moment}"
            )),
        )
    }

    /// A step back; `None` at the first step (back to the menu).
    pub fn back(&mut self) -> Option<LookupStep> {
        match self {
            Lookup::Asking { .. } => None,
            Lookup::ReadBack { .. } | Lookup::Waiting { .. } => {
                *self = Lookup::start();
                Some(self.present(None, None))
            }
        }
    }

    /// Something heard or touched (`touched`: a typed code or an oui/non button).
    pub fn answer(&mut self, said: &str, touched: bool) -> LookupStep {
        let today = chrono::NaiveDate::default();
        match self.clone() {
            Lookup::Asking { misses } => {
                let command = if touched {
                    None
                } else {
                    understand::understand(Expected::Text, said, today).command
                };
                if let Some(command) = command {
                    return LookupStep::Command(command);
                }
                match receipt::understand(said) {
                    Some(code) => {
                        *self = Lookup::ReadBack { code };
                        self.present(None, None)
                    }
                    None => {
                        *self = Lookup::Asking { misses: misses + 1 };
                        let mut notice = HOME_NOT_UNDERSTOOD.to_string();
                        let mut spoken = LOOKUP_REPROMPT.to_string();
                        if misses + 1 >= 2 {
                            notice = format!("{notice} Vous pouvez aussi taper le code.");
                            spoken =
                                format!("{spoken} Vous pouvez aussi taper le code sur l'écran.");
                        }
                        let LookupStep::Present {
                            screen, phrases, ..
                        } = self.present(Some(&notice), None)
                        else {
                            return self.present(None, None);
                        };
                        LookupStep::Present {
                            screen,
                            spoken,
                            phrases,
                        }
                    }
                }
            }
            Lookup::ReadBack { code } => {
                let yes_no = if touched {
                    match said {
                        "oui" => Some(true),
                        "non" => Some(false),
                        _ => None,
                    }
                } else {
                    let u = understand::understand(Expected::YesNo, said, today);
                    if let Some(command) = u.command {
                        return LookupStep::Command(command);
                    }
                    match u.value {
                        Some(Value::YesNo(b)) => Some(b),
                        _ => None,
                    }
                };
                match yes_no {
                    Some(true) => {
                        *self = Lookup::Waiting { code };
                        self.present(None, None)
                    }
                    Some(false) => {
                        *self = Lookup::start();
                        self.present(Some("D'accord."), None)
                    }
                    // Another code straight away: read that one back.
                    None => match receipt::understand(said) {
                        Some(other) => {
                            *self = Lookup::ReadBack { code: other };
                            self.present(None, None)
                        }
                        None => self.present(Some(HOME_NOT_UNDERSTOOD), None),
                    },
                }
            }
            Lookup::Waiting { .. } => self.present(None, None),
        }
    }
}
