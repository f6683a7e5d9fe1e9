//! The days a `date` question accepts (`weekdays`, `exclude`), and the check that at least
//! one date is possible within its bounds.

use super::fields::Fields;
use super::reader::{is_empty_scalar, position_of, Reader};
use super::suggest::suggest;
use crate::calendar::{
    weekday_from_name, weekday_name, Closure, DaysAllowed, PUBLIC_HOLIDAYS_KEYWORD, WEEKDAY_NAMES,
};
use crate::model::DateBound;
use crate::understand::normalize::fold;
use chrono::{Days, NaiveDate};
use marked_yaml::Node;

const EXCLUDE_RULE: &str =
    "écrivez jours-feries, une date comme 2026-12-24 ou une période comme 2026-12-24..2027-01-02";

impl Reader<'_> {
    /// Reads `weekdays` and `exclude`; `None` after an error (reported).
    pub(super) fn days_allowed(&mut self, fields: &mut Fields<'_>) -> Option<DaysAllowed> {
        let mut allowed = DaysAllowed::default();
        let mut well_read = true;
        if let Some(node) = fields.get("weekdays") {
            match self.weekdays(node) {
                Some(days) => allowed.weekdays = days,
                None => well_read = false,
            }
        }
        if let Some(node) = fields.get("exclude") {
            for item in self.items(node, "exclude") {
                well_read &= self.exclusion(item, &mut allowed);
            }
        }
        well_read.then_some(allowed)
    }

    /// The items of a list; one value alone counts as a list of one (`weekdays: mardi`).
    fn items<'n>(&mut self, node: &'n Node, key: &str) -> Vec<&'n Node> {
        match node {
            Node::Sequence(seq) => seq.iter().collect(),
            Node::Scalar(_) if !is_empty_scalar(node) => vec![node],
            Node::Scalar(_) => Vec::new(),
            Node::Mapping(_) => {
                self.diags.error(
                    position_of(node),
                    format!("« {key} » doit être une liste, par exemple [a, b]"),
                );
                Vec::new()
            }
        }
    }

    fn weekdays(&mut self, node: &Node) -> Option<Vec<chrono::Weekday>> {
        let items = self.items(node, "weekdays");
        if items.is_empty() {
            if !matches!(node, Node::Mapping(_)) {
                self.diags.error(
                    position_of(node),
                    "« weekdays » est vide : donnez au moins un jour, par exemple [mardi]",
                );
            }
            return None;
        }
        let mut days = Vec::new();
        let mut well_read = true;
        for item in items {
            let Some(word) = self.string(item, "weekdays") else {
                well_read = false;
                continue;
            };
            let word = word.to_lowercase();
            match weekday_from_name(&word) {
                Some(day) => days.push(day),
                None => {
                    let hint = match suggest(&word, &WEEKDAY_NAMES) {
                        Some(name) => format!(" : vouliez-vous dire « {name} » ?"),
                        None => format!(" (jours possibles : {})", WEEKDAY_NAMES.join(", ")),
                    };
                    self.diags.error(
                        position_of(item),
                        format!("jour inconnu « {word} » dans « weekdays »{hint}"),
                    );
                    well_read = false;
                }
            }
        }
        days.sort_by_key(|d| d.num_days_from_monday());
        days.dedup();
        well_read.then_some(days)
    }

    /// Reads one item of `exclude` into `allowed`; false after an error (reported).
    fn exclusion(&mut self, item: &Node, allowed: &mut DaysAllowed) -> bool {
        let Some(text) = self.string(item, "exclude") else {
            return false;
        };
        let keyword = fold(&text).replace(' ', "-");
        if keyword == PUBLIC_HOLIDAYS_KEYWORD {
            allowed.no_public_holidays = true;
            return true;
        }
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let closure = match text.split_once("..") {
            Some((first, last)) => date(first).zip(date(last)),
            None => date(&text).map(|d| (d, d)),
        };
        match closure {
            Some((first, last)) if first <= last => {
                allowed.closed.push(Closure { first, last });
                true
            }
            Some(_) => {
                self.diags.error(
                    position_of(item),
                    format!("la période « {text} » finit avant de commencer : écrivez la première date d'abord"),
                );
                false
            }
            None => {
                let hint = if strsim::levenshtein(&keyword, PUBLIC_HOLIDAYS_KEYWORD) <= 3 {
                    format!(" : vouliez-vous dire « {PUBLIC_HOLIDAYS_KEYWORD} » ?")
                } else {
                    format!(" : {EXCLUDE_RULE}")
                };
                self.diags.error(
                    position_of(item),
                    format!("exclusion non comprise « {text} »{hint}"),
                );
                false
            }
        }
    }

    /// Reports a date question on which no date at all is possible: no accepted weekday
    /// between the bounds, or every day between them excluded. False when so.
    pub(super) fn some_day_possible(
        &mut self,
        earliest: DateBound,
        latest: DateBound,
        allowed: &DaysAllowed,
        fields: &Fields<'_>,
    ) -> bool {
        if some_day_possible(earliest, latest, allowed) != Some(false) {
            return true;
        }
        let weekdays_only = DaysAllowed {
            weekdays: allowed.weekdays.clone(),
            ..DaysAllowed::default()
        };
        if some_day_possible(earliest, latest, &weekdays_only) == Some(false) {
            let days: Vec<String> = allowed
                .weekdays
                .iter()
                .map(|d| format!("un {}", weekday_name(*d)))
                .collect();
            let days = match days.as_slice() {
                [init @ .., last] if !init.is_empty() => format!("{} ou {last}", init.join(", ")),
                _ => days.join(""),
            };
            self.diags.error(
                fields.key_position("weekdays"),
                format!("aucune date possible : aucun jour entre « earliest » et « latest » n'est {days} ; élargissez ces bornes ou ajoutez un jour à « weekdays »"),
            );
        } else {
            self.diags.error(
                fields.key_position("exclude"),
                "aucune date possible : tous les jours entre « earliest » et « latest » sont exclus ; retirez une exclusion ou élargissez ces bornes",
            );
        }
        false
    }
}

/// Whether some day within the bounds is accepted, tried with each day of a reference week
/// as today (relative bounds move with it): `Some(false)` when never, `None` when the bounds
/// themselves leave no day (reported on their own).
fn some_day_possible(
    earliest: DateBound,
    latest: DateBound,
    allowed: &DaysAllowed,
) -> Option<bool> {
    let monday = NaiveDate::from_ymd_opt(2026, 1, 5)?;
    let mut any_window = false;
    for ahead in 0..7 {
        let today = monday.checked_add_days(Days::new(ahead))?;
        let (first, last) = (earliest.resolve(today), latest.resolve(today));
        if matches!((first, last), (Some(f), Some(l)) if f > l) {
            continue;
        }
        any_window = true;
        // An open start: look back from the end, or from today.
        let start = first.or_else(|| last.unwrap_or(today).checked_sub_days(Days::new(1000)));
        if start.and_then(|s| allowed.first_from(s, last)).is_some() {
            return Some(true);
        }
    }
    any_window.then_some(false)
}

#[cfg(test)]
mod tests {
    use crate::model::{QuestionKind, StepBody};
    use crate::{load_flow, Datasets};
    use chrono::Weekday;

    fn days_of(weekdays: &str, exclude: &str) -> crate::calendar::DaysAllowed {
        let source = format!(
            "id: essai\nversion: 1\ntitle: Essai\nkind: booking\nservice: essai\n\
             description: Un essai.\nsteps:\n  - id: jour\n    ask: Quel jour ?\n    \
             label: Jour\n    type: date\n    weekdays: {weekdays}\n    exclude: {exclude}\n    \
             help: Dites un jour.\n    reprompt: Quel jour ?\n  - id: resume\n    \
             summary: Voici.\n  - id: envoi\n    submit: Merci.\n"
        );
        let loaded = load_flow(&source, &Datasets::new());
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let flow = loaded.value.expect("the flow loads");
        match &flow.steps[0].body {
            StepBody::Question(q) => match &q.kind {
                QuestionKind::Date { allowed, .. } => allowed.as_ref().clone(),
                other => panic!("not a date: {other:?}"),
            },
            _ => panic!("not a question"),
        }
    }

    #[test]
    fn one_day_alone_capitals_and_accents_are_accepted() {
        let allowed = days_of("Mardi", "Jours fériés");
        assert_eq!(allowed.weekdays, [Weekday::Tue]);
        assert!(allowed.no_public_holidays);
        let allowed = days_of(
            "[vendredi, lundi, lundi]",
            "[2026-12-24, 2026-12-28..2027-01-02]",
        );
        assert_eq!(allowed.weekdays, [Weekday::Mon, Weekday::Fri]);
        assert!(!allowed.no_public_holidays);
        assert_eq!(allowed.closed.len(), 2);
    }
}
