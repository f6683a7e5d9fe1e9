//! The checked flow: what the loader builds from YAML and what the runtime plays.
//!
//! Everything here has already passed the checks in `load`: step ids are unique,
//! conditions are typed, templates point at earlier questions, datasets are resolved.
//! The runtime can therefore trust these values without checking them again.

pub use crate::calendar::DaysAllowed;
use crate::expr::Expr;
use crate::privacy::PrivacyNotice;
use crate::template::Template;
use chrono::{Datelike, Months, NaiveDate, NaiveTime};
use serde::Serialize;

/// What a flow is for; drives the home menu grouping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    Procedure,
    Booking,
    Report,
}

impl FlowKind {
    pub const ALL: [FlowKind; 3] = [FlowKind::Report, FlowKind::Booking, FlowKind::Procedure];

    pub fn keyword(self) -> &'static str {
        match self {
            FlowKind::Procedure => "procedure",
            FlowKind::Booking => "booking",
            FlowKind::Report => "report",
        }
    }

    pub fn from_keyword(word: &str) -> Option<FlowKind> {
        FlowKind::ALL.into_iter().find(|k| k.keyword() == word)
    }

    /// Plain-language heading of the home menu section.
    pub fn menu_heading(self) -> &'static str {
        match self {
            FlowKind::Report => "Signaler un problème",
            FlowKind::Booking => "Réserver",
            FlowKind::Procedure => "Faire une démarche",
        }
    }
}

/// A loaded, checked flow.
#[derive(Debug, Clone)]
pub struct Flow {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub kind: FlowKind,
    pub service: String,
    pub description: String,
    pub pictogram: Option<String>,
    /// What the citizen is told about their data (RGPD), before the first personal question;
    /// the loader requires it when the flow has one.
    pub privacy: Option<PrivacyNotice>,
    pub steps: Vec<Step>,
}

impl Flow {
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.steps
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| match &s.body {
                StepBody::Question(q) => Some(q),
                _ => None,
            })
    }

    /// The first question that asks for personal data, if any.
    pub fn first_personal_question(&self) -> Option<&Step> {
        self.steps
            .iter()
            .find(|s| matches!(&s.body, StepBody::Question(q) if q.personal))
    }

    /// How many questions the flow has, for the progress indicator.
    pub fn question_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s.body, StepBody::Question(_)))
            .count()
    }
}

/// A text shown on screen, with an optional different spoken form.
/// Both may refer to earlier answers (`{step_id}`).
#[derive(Debug, Clone)]
pub struct Text {
    pub show: Template,
    pub say: Option<Template>,
}

impl Text {
    /// The template to speak: the spoken form if given, else the screen form.
    pub fn spoken(&self) -> &Template {
        self.say.as_ref().unwrap_or(&self.show)
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    /// Played only when this holds on the answers so far; `None` means always.
    pub when: Option<Expr>,
    pub body: StepBody,
}

// A question is larger than the other steps; a flow has few steps, so boxing it would only
// add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum StepBody {
    Info {
        text: Text,
        pictogram: Option<String>,
    },
    Question(Question),
    /// Reads the answers back, then asks whether all is right.
    Summary {
        text: Text,
        /// Question ids to read back, in order; all answered questions when empty.
        fields: Vec<String>,
    },
    /// Hands the submission to the host (store, sync), then tells the citizen `text`.
    Submit {
        text: Text,
        /// Question ids sent to the back end; all answered questions when empty.
        send: Vec<String>,
        /// Whether the agents see the submission as urgent.
        urgent: Urgency,
    },
    /// Stops the flow with a message; nothing is submitted.
    End {
        text: Text,
    },
}

/// When a submission is urgent for the agents (`urgent:` on `submit`).
#[derive(Debug, Clone, Default)]
pub enum Urgency {
    #[default]
    Never,
    Always,
    /// When the condition holds on the answers, at submit time.
    When(Expr),
}

impl Urgency {
    /// Whether a submission with these answers, sent on `today`, is urgent.
    pub fn holds(&self, answer: &dyn Fn(&str) -> Option<Value>, today: NaiveDate) -> bool {
        match self {
            Urgency::Never => false,
            Urgency::Always => true,
            Urgency::When(condition) => condition.eval(answer, today),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Question {
    pub ask: Text,
    pub help: Text,
    pub reprompt: Text,
    /// Short label used in the summary ("Commune", "Téléphone").
    pub label: String,
    pub pictogram: Option<String>,
    /// Whether the understood value is read back before moving on.
    pub confirm: bool,
    /// Whether the citizen may skip it ("je ne sais pas", "passer", the « Passer » button);
    /// a skipped question is shown and sent as « non renseigné ».
    pub optional: bool,
    /// The dataset the options come from (`options_from: communes`), if any.
    pub dataset: Option<String>,
    /// The answer is personal data: always for `text`, `phone` and `email`, and for any
    /// question that says `personal: true` (a birth date). The privacy notice comes first.
    pub personal: bool,
    /// Only the dataset's options whose field matches an earlier answer (`filter:`).
    pub options_filter: Option<Box<OptionsFilter>>,
    pub kind: QuestionKind,
}

/// Keeps the options of a dataset whose `field` equals the answer to the question `step`
/// (the schools of the chosen commune): `filter: { commune: lieu }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionsFilter {
    /// A field of the dataset's options (declared in the dataset's `fields`).
    pub field: String,
    /// An earlier `choice` question whose chosen option id is compared with the field.
    pub step: String,
}

impl OptionsFilter {
    /// The options that pass, given the answer to the filtering question (none when that
    /// question has no answer).
    pub fn apply<'o>(
        &self,
        options: &'o [ChoiceOption],
        answer: Option<&Value>,
    ) -> Vec<&'o ChoiceOption> {
        let Some(Value::Choice(wanted)) = answer else {
            return Vec::new();
        };
        options
            .iter()
            .filter(|o| o.details.get(&self.field) == Some(wanted))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub enum QuestionKind {
    YesNo,
    Choice {
        options: Vec<ChoiceOption>,
    },
    /// Several options at once (`type: choices`): between `min` and `max` of them.
    Choices {
        options: Vec<ChoiceOption>,
        min: usize,
        max: usize,
    },
    Number {
        min: i64,
        max: i64,
    },
    Text {
        max_length: usize,
        /// What the text holds: free text, or a person's name (capitalised).
        format: TextFormat,
    },
    Phone,
    Email,
    Date {
        earliest: DateBound,
        latest: DateBound,
        /// The days accepted within the bounds (`weekdays`, `exclude`); boxed to keep
        /// questions small.
        allowed: Box<DaysAllowed>,
    },
    Time {
        earliest: NaiveTime,
        latest: NaiveTime,
    },
}

impl QuestionKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            QuestionKind::YesNo => "yes_no",
            QuestionKind::Choice { .. } => "choice",
            QuestionKind::Choices { .. } => "choices",
            QuestionKind::Number { .. } => "number",
            QuestionKind::Text { .. } => "text",
            QuestionKind::Phone => "phone",
            QuestionKind::Email => "email",
            QuestionKind::Date { .. } => "date",
            QuestionKind::Time { .. } => "time",
        }
    }

    /// Kinds whose answers are always personal data: free text (a name, a place described in
    /// one's words), a phone number, an e-mail address.
    pub fn always_personal(&self) -> bool {
        matches!(
            self,
            QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email
        )
    }

    /// Kinds whose understood value is read back by default. Several choices are said back
    /// as they are added, so they need no read-back either.
    pub fn confirms_by_default(&self) -> bool {
        !matches!(
            self,
            QuestionKind::YesNo | QuestionKind::Choice { .. } | QuestionKind::Choices { .. }
        )
    }

    /// The options of a `choice` or `choices` question (empty for other kinds).
    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            QuestionKind::Choice { options } | QuestionKind::Choices { options, .. } => options,
            _ => &[],
        }
    }
}

/// What a `text` question holds (`format:` in the flow).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TextFormat {
    /// Free text, kept as said or typed.
    #[default]
    Free,
    /// A person's name, written with capitals ("Jean-Pierre de la Tour").
    Name,
    /// A place said in one's words ("devant le 12 rue de l'Église"): where a report is.
    /// The back end shows it with the commune as the report's public address (Open311).
    Place,
}

impl TextFormat {
    /// The values of `format:`, with what each one is.
    pub const KEYWORDS: [(&'static str, TextFormat); 2] =
        [("name", TextFormat::Name), ("place", TextFormat::Place)];

    pub fn from_keyword(word: &str) -> Option<TextFormat> {
        TextFormat::KEYWORDS
            .iter()
            .find(|(k, _)| *k == word)
            .map(|(_, f)| *f)
    }
}

/// One answer a `choice` question accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChoiceOption {
    pub id: String,
    pub label: String,
    /// Other ways people say it; used for understanding and the recognition grammar.
    pub synonyms: Vec<String>,
    pub pictogram: Option<String>,
    /// Data kept with the answer but never spoken (a commune's postcode).
    pub details: std::collections::BTreeMap<String, String>,
}

impl ChoiceOption {
    pub fn new(id: &str, label: &str, synonyms: &[&str]) -> Self {
        ChoiceOption {
            id: id.to_string(),
            label: label.to_string(),
            synonyms: synonyms.iter().map(|s| s.to_string()).collect(),
            pictogram: None,
            details: Default::default(),
        }
    }
}

/// A date bound, absolute or relative to the session's today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateBound {
    Fixed(NaiveDate),
    /// `today` shifted by some days and months (negative for the past).
    Relative {
        days: i64,
        months: i32,
    },
    /// No bound on this side.
    Open,
}

impl DateBound {
    pub fn resolve(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            DateBound::Open => None,
            DateBound::Fixed(d) => Some(d),
            DateBound::Relative { days, months } => {
                let shifted = if months >= 0 {
                    today.checked_add_months(Months::new(months.unsigned_abs()))
                } else {
                    today.checked_sub_months(Months::new(months.unsigned_abs()))
                }?;
                shifted.checked_add_signed(chrono::TimeDelta::try_days(days)?)
            }
        }
    }
}

/// A value the citizen gave, in its canonical form.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    YesNo(bool),
    Number(i64),
    /// Free dictation or typed text.
    Text(String),
    /// Ten digits, French national form: "0612345678".
    Phone(String),
    Email(String),
    Date(NaiveDate),
    Time(NaiveTime),
    /// The chosen option's id.
    Choice(String),
    /// The chosen options' ids, in the order of the question's options.
    Choices(Vec<String>),
}

impl Value {
    /// The JSON form used by `kiosk understand`, the simulator and submissions.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::YesNo(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::from(*n),
            Value::Text(s) | Value::Phone(s) | Value::Email(s) | Value::Choice(s) => {
                serde_json::Value::String(s.clone())
            }
            Value::Date(d) => serde_json::Value::String(d.format("%Y-%m-%d").to_string()),
            Value::Time(t) => serde_json::Value::String(t.format("%H:%M").to_string()),
            Value::Choices(ids) => serde_json::Value::Array(
                ids.iter()
                    .map(|id| serde_json::Value::String(id.clone()))
                    .collect(),
            ),
        }
    }
}

/// Formatting of values for people: on screen and aloud.
pub mod display {
    use super::*;

    use crate::calendar::WEEKDAY_NAMES as WEEKDAYS;
    /// French month names, January first: the one list that display, understanding
    /// (folded) and recognition grammars share.
    pub const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];

    /// "mardi 3 décembre 2026"
    pub fn date(d: NaiveDate) -> String {
        let weekday = WEEKDAYS[d.weekday().num_days_from_monday() as usize];
        format!("{weekday} {} {}", day_and_month(d), d.year())
    }

    /// "3 décembre", "1er mai"
    pub fn day_and_month(d: NaiveDate) -> String {
        let day = if d.day() == 1 {
            "1er".to_string()
        } else {
            d.day().to_string()
        };
        format!("{day} {}", MONTHS[d.month0() as usize])
    }

    /// "14 h 30", "midi", "9 h"
    pub fn time(t: NaiveTime) -> String {
        use chrono::Timelike;
        match (t.hour(), t.minute()) {
            (12, 0) => "midi".to_string(),
            (0, 0) => "minuit".to_string(),
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m:02}"),
        }
    }

    /// "06 12 34 56 78": pairs, as French people say and read them.
    pub fn phone(digits: &str) -> String {
        let chars: Vec<char> = digits.chars().collect();
        chars
            .chunks(2)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// An email address spoken letter-safe: "jean point dupont arobase gmail point com".
    pub fn email_spoken(email: &str) -> String {
        email
            .replace('@', " arobase ")
            .replace('.', " point ")
            .replace('-', " tiret ")
            .replace('_', " tiret bas ")
    }

    /// "lundi, mardi et jeudi": a French list.
    pub fn list<S: AsRef<str>>(items: &[S]) -> String {
        match items {
            [] => String::new(),
            [one] => one.as_ref().to_string(),
            [init @ .., last] => {
                let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
                format!("{} et {}", init.join(", "), last.as_ref())
            }
        }
    }

    /// A label as it reads after the first item of a list: "Du gros électroménager" becomes
    /// "du gros électroménager" and "Mardi" "mardi", while names ("Duisans") keep their capital.
    pub fn inside_sentence(label: &str) -> String {
        const COMMON_STARTS: [&str; 11] = [
            "un", "une", "des", "du", "de", "d'", "le", "la", "les", "l'", "aux",
        ];
        let first = label
            .split(|c: char| c.is_whitespace() || c == '\'' || c == '\u{2019}')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        let elided = label.to_lowercase();
        let common = COMMON_STARTS.contains(&first.as_str())
            || elided.starts_with("d'")
            || elided.starts_with("l'")
            || WEEKDAYS.contains(&first.as_str())
            || MONTHS.contains(&first.as_str());
        let mut chars = label.chars();
        match chars.next() {
            Some(c) if common => c.to_lowercase().chain(chars).collect(),
            _ => label.to_string(),
        }
    }

    /// The label of an option id, or the id itself when the question has no such option.
    pub fn option_label(kind: &QuestionKind, id: &str) -> String {
        kind.options()
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.label.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The screen form of a value; choices need the question to find their label.
    pub fn value(v: &Value, kind: &QuestionKind) -> String {
        match v {
            Value::YesNo(true) => "Oui".to_string(),
            Value::YesNo(false) => "Non".to_string(),
            Value::Number(n) => n.to_string(),
            Value::Text(s) | Value::Email(s) => s.clone(),
            Value::Phone(p) => phone(p),
            Value::Date(d) => date(*d),
            Value::Time(t) => time(*t),
            Value::Choice(id) => option_label(kind, id),
            Value::Choices(ids) if ids.is_empty() => "aucun".to_string(),
            Value::Choices(ids) => {
                let labels: Vec<String> = ids
                    .iter()
                    .enumerate()
                    .map(|(i, id)| {
                        let label = option_label(kind, id);
                        if i > 0 {
                            inside_sentence(&label)
                        } else {
                            label
                        }
                    })
                    .collect();
                list(&labels)
            }
        }
    }

    /// The spoken form of a value.
    pub fn value_spoken(v: &Value, kind: &QuestionKind) -> String {
        match v {
            Value::Email(s) => email_spoken(s),
            _ => value(v, kind),
        }
    }
}
