//! A date question bound to a resource (`resource:`): the days the last availability
//! snapshot says it cannot take are refused like closed days (the calendar greys them),
//! a taken day is said as such (« Le samedi 14 mars, la salle est déjà prise. ») with the
//! nearest free day offered, and the answer goes to the back end as a booking request.
//! Without a snapshot, or for a resource it does not know, every day the question accepts
//! is offered: the back end decides.

use super::*;
use crate::booking::{BookingRequest, DayFree};
use crate::calendar::Closure;
use chrono::Days;

impl Session {
    /// The resource and quantity `q` books with the answers given so far.
    fn bound_resource(&self, q: &Question) -> Option<(String, u32)> {
        let binding = q.resource.as_ref()?;
        let answer = |step: &str| self.answers.get(step).cloned();
        Some((binding.resolve(&answer)?, binding.quantity(&answer)))
    }

    /// `q`'s date kind with the days its resource cannot take closed; `None` when `q` is
    /// not bound to a resource the snapshot knows.
    pub(super) fn date_kind_with_availability(&self, q: &Question) -> Option<QuestionKind> {
        let QuestionKind::Date {
            earliest,
            latest,
            allowed,
        } = &q.kind
        else {
            return None;
        };
        let availability = self.availability.as_ref()?;
        let (resource, quantity) = self.bound_resource(q)?;
        availability.resource(&resource)?;
        let mut allowed = allowed.as_ref().clone();
        for day in availability.unavailable_days(&resource, quantity) {
            match allowed.closed.last_mut() {
                Some(last) if last.last.checked_add_days(Days::new(1)) == Some(day) => {
                    last.last = day;
                }
                _ => allowed.closed.push(Closure {
                    first: day,
                    last: day,
                }),
            }
        }
        Some(QuestionKind::Date {
            earliest: *earliest,
            latest: *latest,
            allowed: Box::new(allowed),
        })
    }

    /// « Le samedi 14 mars, la salle est déjà prise. » when the snapshot says `date` is
    /// taken for `q`'s resource.
    pub(super) fn taken_sentence(&self, q: &Question, date: NaiveDate) -> Option<String> {
        let availability = self.availability.as_ref()?;
        let (resource, quantity) = self.bound_resource(q)?;
        let kind = availability.resource(&resource)?.kind;
        match availability.day_free(&resource, date, quantity) {
            DayFree::Taken { .. } => Some(format!(
                "Le {} {}, {}.",
                crate::calendar::weekday_name(chrono::Datelike::weekday(&date)),
                display::day_and_month(date),
                kind.taken()
            )),
            _ => None,
        }
    }

    /// The booking sent with the submission: the first answered date question bound to a
    /// resource, among the answers that count.
    pub(super) fn booking_request(&self) -> Option<BookingRequest> {
        self.active_responses()
            .into_iter()
            .find_map(|(_, q, value)| match value {
                Some(Value::Date(day)) if q.resource.is_some() => {
                    let (resource, quantity) = self.bound_resource(q)?;
                    Some(BookingRequest {
                        resource,
                        day: *day,
                        quantity,
                    })
                }
                _ => None,
            })
    }
}
