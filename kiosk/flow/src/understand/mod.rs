//! French answer understanding: from what the recognizer heard (lower case, numbers in
//! words, no punctuation) or what was typed, to a canonical [`Value`] and/or a global
//! [`Command`].
//!
//! # Layout
//! - `normalize`: one normal form for all matching (case, accents, apostrophes, fillers).
//! - `command`: the ten global commands, recognised before any answer.
//! - one module per answer kind: `yes_no`, `number`, `phone`, `date`, `time`, `email`, `choice`,
//!   `name` (a dictated name, capitalised).
//! - `receipt`: receipt codes said letter by letter ("ka, sept, emme...") or typed.
//! - `grammar`: the phrases the recognizer should expect for a kind (Vosk grammar mode).
//!
//! Understanding never guesses: an utterance that fits two answers equally is not understood.

use crate::model::{ChoiceOption, Value};
use chrono::NaiveDate;
use serde::Serialize;

pub(crate) mod choice;
mod choices;
mod command;
mod date;
mod email;
mod grammar;
mod name;
pub(crate) mod normalize;
mod number;
mod phone;
pub mod receipt;
mod time;
mod yes_no;

pub use choice::ChoiceIndex;
pub use choices::SeveralChoices;
pub use name::capitalize_name;

/// A command the citizen can give at any step, by voice or with a button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    Repeat,
    Help,
    Back,
    Restart,
    Cancel,
    Slower,
    Louder,
    Human,
    /// "Où suis-je ?": the flow, the step number and what can be said, nothing lost.
    WhereAmI,
    /// "Je ne sais pas", "passer": leave an optional question without an answer. The session
    /// decides: a question that is not optional says so and asks again.
    Skip,
}

impl Command {
    pub const ALL: [Command; 10] = [
        Command::Repeat,
        Command::Help,
        Command::Back,
        Command::Restart,
        Command::Cancel,
        Command::Slower,
        Command::Louder,
        Command::Human,
        Command::WhereAmI,
        Command::Skip,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Command::Repeat => "repeat",
            Command::Help => "help",
            Command::Back => "back",
            Command::Restart => "restart",
            Command::Cancel => "cancel",
            Command::Slower => "slower",
            Command::Louder => "louder",
            Command::Human => "human",
            Command::WhereAmI => "where_am_i",
            Command::Skip => "skip",
        }
    }

    /// The id of the command's button on screen and of `touch:ID` in the simulator. These ids
    /// are reserved: no option of a flow may use one (the loader refuses it).
    pub fn button_id(self) -> &'static str {
        match self {
            Command::Repeat => "repeter",
            Command::Help => "aide",
            Command::Back => "retour",
            Command::Restart => "recommencer",
            Command::Cancel => "annuler",
            Command::Slower => "plus-lent",
            Command::Louder => "plus-fort",
            Command::Human => "appeler",
            Command::WhereAmI => "ou-suis-je",
            Command::Skip => "passer",
        }
    }

    /// The command whose button has this id.
    pub fn from_button_id(id: &str) -> Option<Command> {
        Command::ALL.into_iter().find(|c| c.button_id() == id)
    }
}

/// What kind of answer the current question expects.
#[derive(Debug, Clone, Copy)]
pub enum Expected<'a> {
    YesNo,
    Number,
    Phone,
    Email,
    /// A date; a day said without its year goes in the year the window allows.
    Date(DateWindow),
    Time,
    Text,
    /// A person's name: free dictation, capitalised ("Jean-Pierre de la Tour").
    Name,
    Choice(&'a [ChoiceOption]),
    /// Several options of the list (`type: choices`).
    Choices(&'a [ChoiceOption]),
}

/// The dates a question accepts, resolved for today: where a date said without its year
/// ("le 3 décembre", "le 15", "mardi") is placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DateWindow {
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
}

impl DateWindow {
    /// No bound: a date without its year is the next one (today included).
    pub const ANY: DateWindow = DateWindow {
        earliest: None,
        latest: None,
    };

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.earliest.is_none_or(|e| date >= e) && self.latest.is_none_or(|l| date <= l)
    }

    pub fn is_open(&self) -> bool {
        self.earliest.is_none() && self.latest.is_none()
    }
}

/// The result of understanding one utterance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Understanding {
    pub value: Option<Value>,
    pub command: Option<Command>,
}

impl Understanding {
    fn answer(value: Option<Value>) -> Self {
        Understanding {
            value,
            command: None,
        }
    }

    fn of_command(command: Command) -> Self {
        Understanding {
            value: None,
            command: Some(command),
        }
    }

    /// Neither an answer nor a command.
    pub fn is_empty(&self) -> bool {
        self.value.is_none() && self.command.is_none()
    }
}

/// Understand one utterance for the expected kind. `today` anchors relative dates.
///
/// Global commands come first, when the utterance is essentially a command phrase; the one
/// exception is a choice whose option is named exactly like the utterance (its id, label or
/// a synonym), which keeps the option.
pub fn understand(expected: Expected<'_>, utterance: &str, today: NaiveDate) -> Understanding {
    let words = normalize::clean_words(utterance);
    if let Some(command) = command::recognize(&words) {
        let named_option = match expected {
            Expected::Choice(options) | Expected::Choices(options) => {
                choice::named_exactly(options, utterance)
            }
            _ => None,
        };
        match (named_option, expected) {
            (Some(id), Expected::Choices(_)) => {
                return Understanding::answer(Some(Value::Choices(vec![id])))
            }
            (Some(id), _) => return Understanding::answer(Some(Value::Choice(id))),
            (None, _) => return Understanding::of_command(command),
        }
    }
    let value = match expected {
        Expected::YesNo => yes_no::understand(&words).map(Value::YesNo),
        Expected::Number => number::understand(utterance).map(Value::Number),
        Expected::Phone => phone::understand(utterance).map(Value::Phone),
        Expected::Email => email::understand(utterance).map(Value::Email),
        Expected::Date(window) => {
            date::understand_within(utterance, today, window).map(Value::Date)
        }
        Expected::Time => time::understand(utterance).map(Value::Time),
        Expected::Text => {
            let text = utterance.split_whitespace().collect::<Vec<_>>().join(" ");
            (!text.is_empty()).then_some(Value::Text(text))
        }
        Expected::Name => name::understand(utterance).map(Value::Text),
        Expected::Choice(options) => choice::understand(options, utterance).map(Value::Choice),
        // A complete list of options; see [`understand_several`] for additions and removals.
        Expected::Choices(options) => match choices::understand(options, utterance) {
            Some(SeveralChoices::Add(ids) | SeveralChoices::Exactly(ids)) => {
                Some(Value::Choices(ids))
            }
            _ => None,
        },
    };
    Understanding::answer(value)
}

/// Understands one utterance on a `choices` question: a command, or what it does to the
/// options chosen so far. An option named exactly like a command phrase stays an option.
pub fn understand_several(
    options: &[ChoiceOption],
    utterance: &str,
) -> (Option<Command>, Option<SeveralChoices>) {
    let words = normalize::clean_words(utterance);
    if let Some(command) = command::recognize(&words) {
        return match choice::named_exactly(options, utterance) {
            Some(id) => (None, Some(SeveralChoices::Add(vec![id]))),
            None => (Some(command), None),
        };
    }
    (None, choices::understand(options, utterance))
}

/// The phrases a speech recognizer in grammar mode should expect for this kind of answer,
/// including the global command phrases; None for free dictation (Text, Name, Email).
pub fn grammar_phrases(expected: Expected<'_>) -> Option<Vec<String>> {
    grammar::grammar_phrases(expected)
}

/// The phrases of the global commands (all of them), for grammars and help texts.
pub fn command_phrases() -> Vec<(&'static str, Command)> {
    command::command_phrases()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid")
    }

    #[test]
    fn commands_come_first_and_carry_no_value() {
        let u = understand(Expected::YesNo, "répétez s'il vous plaît", today());
        assert_eq!(u.command, Some(Command::Repeat));
        assert_eq!(u.value, None);
        let u = understand(Expected::Text, "le retour d'eau est bouché", today());
        assert_eq!(u.command, None);
        assert_eq!(
            u.value,
            Some(Value::Text("le retour d'eau est bouché".to_string()))
        );
        let u = understand(Expected::YesNo, "non merci", today());
        assert_eq!(u.value, Some(Value::YesNo(false)));
        assert_eq!(u.command, None);
    }

    #[test]
    fn an_option_named_like_a_command_wins() {
        let options = vec![
            ChoiceOption::new("retour", "Retour", &[]),
            ChoiceOption::new("aller", "Aller", &[]),
        ];
        let u = understand(Expected::Choice(&options), "retour", today());
        assert_eq!(u.value, Some(Value::Choice("retour".to_string())));
        let u = understand(Expected::Choice(&options), "aide", today());
        assert_eq!(u.command, Some(Command::Help));
    }

    #[test]
    fn every_command_phrase_is_understood_for_every_kind() {
        for (phrase, command) in command_phrases() {
            for expected in [
                Expected::YesNo,
                Expected::Number,
                Expected::Phone,
                Expected::Email,
                Expected::Date(DateWindow::ANY),
                Expected::Time,
                Expected::Text,
                Expected::Name,
            ] {
                let u = understand(expected, phrase, today());
                assert_eq!(u.command, Some(command), "{phrase} {expected:?}");
                assert!(u.value.is_none());
            }
        }
    }
}
