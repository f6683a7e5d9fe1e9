//! A flow filled in at once, as a form, rather than in a conversation: what another channel
//! (an Open311 client's `POST requests`) sends in one go. The same questions, conditions,
//! bounds, accepted days and options filters as at the kiosk, and the same [`Submission`],
//! so a request from elsewhere is indistinguishable from a kiosk's once filed.
//!
//! Values come typed for machines, not said by people: an option's id, `2026-12-03`, `14:30`,
//! `true`; phone numbers, e-mail addresses and names go through the same understanding as
//! typed answers at the kiosk.

use crate::model::{display, Flow, Question, QuestionKind, StepBody, TextFormat, Value};
use crate::runtime::{refusal_sentence, NO_ANSWER};
use crate::submission::{Submission, SubmittedAnswer};
use crate::understand::{self, Expected};
use chrono::{NaiveDate, NaiveTime};
use std::collections::{BTreeMap, HashMap};

/// Why a form was refused. Every problem is found, not the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormProblem {
    /// A value for something that is not a question of the flow.
    Unknown { code: String },
    /// A question that must be answered was not.
    Missing { step_id: String, label: String },
    /// A value that the question does not accept; `reason` says why, in French.
    Invalid {
        step_id: String,
        label: String,
        reason: String,
    },
    /// The answers lead to an `end` step: the flow stops there and sends nothing (an
    /// emergency to call the 112 for, say). `text` is what the kiosk would say.
    Ended { step_id: String, text: String },
    /// The flow has no `submit` step on this path.
    NothingSent,
}

impl FormProblem {
    /// The question (or step) concerned, if any.
    pub fn step_id(&self) -> Option<&str> {
        match self {
            FormProblem::Unknown { code } => Some(code),
            FormProblem::Missing { step_id, .. }
            | FormProblem::Invalid { step_id, .. }
            | FormProblem::Ended { step_id, .. } => Some(step_id),
            FormProblem::NothingSent => None,
        }
    }

    /// What is wrong, in plain French.
    pub fn message(&self) -> String {
        match self {
            FormProblem::Unknown { code } => {
                format!("« {code} » n'est pas une question de ce parcours.")
            }
            FormProblem::Missing { step_id, label } => {
                format!("« {label} » ({step_id}) est obligatoire.")
            }
            FormProblem::Invalid {
                step_id,
                label,
                reason,
            } => format!("« {label} » ({step_id}) : {reason}"),
            FormProblem::Ended { text, .. } => {
                format!("Ce signalement ne peut pas être envoyé ainsi. {text}")
            }
            FormProblem::NothingSent => "Ce parcours n'envoie rien.".to_string(),
        }
    }
}

/// Fills `flow` with `given` (question id → the values given for it; one, or several for
/// `type: choices`), as on `today`. Returns the submission the kiosk would have sent with
/// these answers, or every problem.
pub fn fill(
    flow: &Flow,
    given: &BTreeMap<String, Vec<String>>,
    today: NaiveDate,
) -> Result<Submission, Vec<FormProblem>> {
    let mut problems: Vec<FormProblem> = given
        .keys()
        .filter(|code| flow.question(code).is_none())
        .map(|code| FormProblem::Unknown { code: code.clone() })
        .collect();
    let mut answers: HashMap<&str, Value> = HashMap::new();
    let mut asked: Vec<(&str, &Question)> = Vec::new();
    for step in &flow.steps {
        let applies = step
            .when
            .as_ref()
            .is_none_or(|w| w.eval(&|name: &str| answers.get(name).cloned(), today));
        if !applies {
            continue;
        }
        match &step.body {
            StepBody::Info { .. } | StepBody::Summary { .. } => {}
            StepBody::Question(question) => {
                asked.push((&step.id, question));
                match given.get(&step.id).filter(|raw| !raw.is_empty()) {
                    Some(raw) => match parse(question, raw, &answers, today) {
                        Ok(value) => {
                            answers.insert(&step.id, value);
                        }
                        Err(reason) => problems.push(FormProblem::Invalid {
                            step_id: step.id.clone(),
                            label: question.label.clone(),
                            reason,
                        }),
                    },
                    None if question.optional => {}
                    None => problems.push(FormProblem::Missing {
                        step_id: step.id.clone(),
                        label: question.label.clone(),
                    }),
                }
            }
            StepBody::End { text } => {
                if problems.is_empty() {
                    let text =
                        text.show
                            .render(|name| match (answers.get(name), flow.question(name)) {
                                (Some(value), Some(question)) => {
                                    display::value(value, &question.kind)
                                }
                                _ => NO_ANSWER.to_string(),
                            });
                    return Err(vec![FormProblem::Ended {
                        step_id: step.id.clone(),
                        text,
                    }]);
                }
                return Err(problems);
            }
            StepBody::Submit { send, urgent, .. } => {
                if !problems.is_empty() {
                    return Err(problems);
                }
                let urgent = urgent.holds(&|name: &str| answers.get(name).cloned(), today);
                let answers = asked
                    .iter()
                    .filter(|(id, _)| send.is_empty() || send.iter().any(|s| s == id))
                    .map(|(id, question)| {
                        SubmittedAnswer::of(id, question, answers.get(id), NO_ANSWER)
                    })
                    .collect();
                return Ok(Submission {
                    flow_id: flow.id.clone(),
                    flow_version: flow.version,
                    service: flow.service.clone(),
                    answers,
                    urgent,
                });
            }
        }
    }
    problems.push(FormProblem::NothingSent);
    Err(problems)
}

/// Reads the values given for `question`, with the answers before it (for its options
/// filter), or says why it cannot.
fn parse(
    question: &Question,
    raw: &[String],
    earlier: &HashMap<&str, Value>,
    today: NaiveDate,
) -> Result<Value, String> {
    let one = || -> Result<&str, String> {
        match raw {
            [one] => Ok(one.trim()),
            _ => Err("une seule valeur est attendue.".to_string()),
        }
    };
    let understood = |expected: Expected<'_>, what: &str| -> Result<Value, String> {
        understand::understand(expected, one()?, today)
            .value
            .ok_or_else(|| format!("ce n'est pas {what}."))
    };
    match &question.kind {
        QuestionKind::YesNo => match one()?.to_lowercase().as_str() {
            "true" | "oui" | "1" => Ok(Value::YesNo(true)),
            "false" | "non" | "0" => Ok(Value::YesNo(false)),
            _ => Err("la valeur doit être « true » ou « false ».".to_string()),
        },
        QuestionKind::Choice { options } => {
            let id = one()?;
            let allowed = match &question.options_filter {
                Some(filter) => filter.apply(options, earlier.get(filter.step.as_str())),
                None => options.iter().collect(),
            };
            if allowed.iter().any(|o| o.id == id) {
                Ok(Value::Choice(id.to_string()))
            } else if options.iter().any(|o| o.id == id) {
                Err(format!("« {id} » ne va pas avec les réponses précédentes."))
            } else {
                Err(format!("« {id} » n'est pas une des valeurs proposées."))
            }
        }
        QuestionKind::Choices { options, min, max } => {
            let mut chosen = Vec::new();
            for id in raw.iter().map(|id| id.trim()) {
                if !options.iter().any(|o| o.id == id) {
                    return Err(format!("« {id} » n'est pas une des valeurs proposées."));
                }
                if !chosen.contains(&id) {
                    chosen.push(id);
                }
            }
            if chosen.len() < *min || chosen.len() > *max {
                return Err(format!("choisir de {min} à {max} valeurs."));
            }
            // In the order of the question's options, as the kiosk sends them.
            Ok(Value::Choices(
                options
                    .iter()
                    .filter(|o| chosen.contains(&o.id.as_str()))
                    .map(|o| o.id.clone())
                    .collect(),
            ))
        }
        QuestionKind::Number { min, max } => {
            let n: i64 = one()?
                .parse()
                .map_err(|_| "ce n'est pas un nombre entier.".to_string())?;
            if n < *min || n > *max {
                return Err(format!("le nombre doit être entre {min} et {max}."));
            }
            Ok(Value::Number(n))
        }
        QuestionKind::Text { max_length, format } => {
            let text = one()?;
            if text.is_empty() {
                return Err("le texte est vide.".to_string());
            }
            if text.chars().count() > *max_length {
                return Err(format!("le texte dépasse {max_length} caractères."));
            }
            match format {
                TextFormat::Name => understood(Expected::Name, "un nom"),
                TextFormat::Free | TextFormat::Place => Ok(Value::Text(text.to_string())),
            }
        }
        QuestionKind::Phone => understood(Expected::Phone, "un numéro de téléphone français"),
        QuestionKind::Email => understood(Expected::Email, "une adresse e-mail"),
        QuestionKind::Date {
            earliest,
            latest,
            allowed,
        } => {
            let text = one()?;
            // A datetime is accepted for its date.
            let date = text
                .get(..10)
                .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
                .ok_or_else(|| "la date doit s'écrire AAAA-MM-JJ.".to_string())?;
            let (earliest, latest) = (earliest.resolve(today), latest.resolve(today));
            if earliest.is_some_and(|e| date < e) || latest.is_some_and(|l| date > l) {
                return Err("cette date est en dehors des dates possibles.".to_string());
            }
            if let Some(refusal) = allowed.refusal(date) {
                return Err(refusal_sentence(refusal, date, allowed));
            }
            Ok(Value::Date(date))
        }
        QuestionKind::Time { earliest, latest } => {
            let time = NaiveTime::parse_from_str(one()?, "%H:%M")
                .map_err(|_| "l'heure doit s'écrire HH:MM.".to_string())?;
            if time < *earliest || time > *latest {
                return Err(format!(
                    "l'heure doit être entre {} et {}.",
                    earliest.format("%H:%M"),
                    latest.format("%H:%M")
                ));
            }
            Ok(Value::Time(time))
        }
    }
}
