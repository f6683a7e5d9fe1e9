//! A date the question does not accept (a weekday it does not take, a public holiday, a
//! closed day): the citizen hears why in plain words, and is offered the nearest date it
//! accepts, with a yes/no. The offer is a read-back of that date (`State::ReadBack` with
//! the reason), so "oui" takes it, "non" asks the question again, and another date said
//! instead is checked like any answer.

use super::*;
use crate::calendar::{DaysAllowed, Refusal};

/// Said when no date near the one refused is possible at all.
pub(super) const NO_DAY_LEFT: &str =
    "Aucune autre date n'est possible en ce moment. Vous pouvez dire : je veux parler à quelqu'un.";
/// Asks whether the offered date suits.
pub(super) const WANT_IT: &str = "Le voulez-vous ?";

/// Why a date was refused, and the nearest date the question accepts (within its bounds).
pub(super) struct RefusedDay {
    pub(super) why: String,
    pub(super) nearest: Option<NaiveDate>,
}

impl Session {
    /// The refusal of `value` by the question's days (`weekdays`, `exclude`); `None` when the
    /// day is accepted. Bounds are checked before, by `check_value`.
    pub(super) fn refused_day(&self, kind: &QuestionKind, value: &Value) -> Option<RefusedDay> {
        let (
            QuestionKind::Date {
                earliest,
                latest,
                allowed,
            },
            Value::Date(date),
        ) = (kind, value)
        else {
            return None;
        };
        let refusal = allowed.refusal(*date)?;
        Some(RefusedDay {
            why: refusal_sentence(refusal, *date, allowed),
            nearest: allowed.nearest(
                *date,
                earliest.resolve(self.today),
                latest.resolve(self.today),
            ),
        })
    }

    /// Says why the day was refused and offers the nearest one (a read-back of it), or, when
    /// there is none, says so and asks again.
    pub(super) fn offer_day(&mut self, step: usize, refused: RefusedDay, out: &mut Vec<Effect>) {
        match refused.nearest {
            Some(nearest) => {
                self.state = State::ReadBack {
                    step,
                    value: Value::Date(nearest),
                    offered_because: Some(refused.why),
                };
                self.misses = 0;
                self.present(None, None, out);
            }
            None => self.miss(&format!("{} {NO_DAY_LEFT}", refused.why), out),
        }
    }
}

/// « Ce jour n'est pas possible : seuls les mardis sont possibles. », « Le 25 décembre est un
/// jour férié. », « Le 24 décembre n'est pas possible. »: the same for every flow.
pub(crate) fn refusal_sentence(refusal: Refusal, date: NaiveDate, allowed: &DaysAllowed) -> String {
    match refusal {
        Refusal::Weekday => weekday_refusal(allowed),
        Refusal::PublicHoliday => format!("Le {} est un jour férié.", display::day_and_month(date)),
        Refusal::Closed => format!("Le {} n'est pas possible.", display::day_and_month(date)),
    }
}

/// « Ce jour n'est pas possible : seuls les mardis sont possibles. » (a fixed sentence for a
/// question, so the voice may cache it).
pub(super) fn weekday_refusal(allowed: &DaysAllowed) -> String {
    format!(
        "Ce jour n'est pas possible : seuls {} sont possibles.",
        allowed.weekdays_plural()
    )
}

/// The offer, shown and said: « {why} Le plus proche est le mardi 8 décembre 2026. Le
/// voulez-vous ? »
pub(super) fn offer_text(why: &str, offered: &str) -> String {
    format!("{why} Le plus proche est le {offered}. {WANT_IT}")
}

/// What is said after an answer to the offer that was not understood.
pub(super) fn offer_reprompt(offered: &str) -> String {
    format!("Voulez-vous le {offered} ?")
}

/// The sentences of offers that do not depend on the day said, for the voice cache.
pub(super) fn fixed_prompts(allowed: &DaysAllowed) -> Vec<String> {
    if allowed.is_every_day() {
        return Vec::new();
    }
    let mut texts = vec![WANT_IT.to_string(), NO_DAY_LEFT.to_string()];
    if allowed.weekdays.len() < 7 {
        texts.push(weekday_refusal(allowed));
    }
    texts
}
