//! Whether a condition can ever hold, for "étape inaccessible". Sound, not complete: a
//! condition is "never true" only when every combination of the answers that matter was
//! tried. Whatever cannot be known when the flow is loaded (a date against today, two
//! numbers against each other, free text) makes the answer "maybe", never "never".

use super::{Expr, LiteralValue, Operand};
use crate::model::{ChoiceOption, QuestionKind, Value};
use chrono::NaiveDate;

/// What a condition does with one question: the literals it compares it with, and whether
/// it compares it with another answer.
#[derive(Debug, Default)]
pub struct DomainHints<'e> {
    pub literals: Vec<&'e LiteralValue>,
    pub against_answer: bool,
}

/// The finite set of values worth trying for a question when looking for a way to make a
/// condition true; `None` when the kind has too many values to enumerate meaningfully.
pub fn sample_values(kind: &QuestionKind, hints: &DomainHints<'_>) -> Option<Vec<Value>> {
    match kind {
        // Every value: exact, whatever the condition compares them with.
        QuestionKind::YesNo => Some(vec![Value::YesNo(true), Value::YesNo(false)]),
        QuestionKind::Choice { options } => Some(
            options
                .iter()
                .map(|o| Value::Choice(o.id.clone()))
                .collect(),
        ),
        QuestionKind::Choices { options, min, max } if options.len() <= MAX_ENUMERATED_OPTIONS => {
            Some(selections(options, *min, *max))
        }
        // The bounds and each literal's neighbours stand for every stretch of numbers the
        // literals cut; against another answer that is no longer enough.
        QuestionKind::Number { min, max } if !hints.against_answer => {
            let mut values = vec![*min, *max];
            for l in &hints.literals {
                if let LiteralValue::Int(n) = l {
                    values.extend([n.saturating_sub(1), *n, n.saturating_add(1)]);
                }
            }
            values.retain(|v| v >= min && v <= max);
            values.sort_unstable();
            values.dedup();
            Some(values.into_iter().map(Value::Number).collect())
        }
        _ => None,
    }
}

/// A `choices` question with more options than this is not enumerated (2^10 selections).
const MAX_ENUMERATED_OPTIONS: usize = 10;

/// Every selection of `min` to `max` options, each in the options' order.
fn selections(options: &[ChoiceOption], min: usize, max: usize) -> Vec<Value> {
    (0u32..1 << options.len())
        .filter(|mask| (min..=max).contains(&(mask.count_ones() as usize)))
        .map(|mask| {
            let chosen = options
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, o)| o.id.clone());
            Value::Choices(chosen.collect())
        })
        .collect()
}

impl Expr {
    /// Whether some combination of answers makes the condition true. `domains` gives, for
    /// each name, the values to try (including "no answer" as `None`). Returns `None` when
    /// the search space is too large.
    pub fn satisfiable(&self, domains: &[(String, Vec<Option<Value>>)]) -> Option<bool> {
        let total: usize = domains
            .iter()
            .try_fold(1usize, |acc, (_, d)| acc.checked_mul(d.len().max(1)))?;
        if total > 100_000 {
            return None;
        }
        // No domain holds dates (they are not enumerated), so today's date changes nothing.
        let any_day = NaiveDate::default();
        let mut index = vec![0usize; domains.len()];
        loop {
            let lookup = |name: &str| -> Option<Value> {
                let i = domains.iter().position(|(n, _)| n == name)?;
                domains[i].1.get(index[i]).cloned().flatten()
            };
            if self.eval(&lookup, any_day) {
                return Some(true);
            }
            // Next combination, like an odometer.
            let mut k = 0;
            loop {
                if k == domains.len() {
                    return Some(false);
                }
                index[k] += 1;
                if index[k] < domains[k].1.len() {
                    break;
                }
                index[k] = 0;
                k += 1;
            }
        }
    }

    /// What the condition does with `name`, for [`sample_values`].
    pub fn domain_hints(&self, name: &str) -> DomainHints<'_> {
        let mut hints = DomainHints::default();
        self.collect_hints(name, &mut hints);
        hints
    }

    fn collect_hints<'e>(&'e self, name: &str, hints: &mut DomainHints<'e>) {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.collect_hints(name, hints);
                b.collect_hints(name, hints);
            }
            Expr::Not(a) => a.collect_hints(name, hints),
            Expr::Truthy(_) => {}
            Expr::Compare { left, right, .. } => {
                let subject = left.name();
                match right {
                    Operand::Literal(l) if subject.text == name => hints.literals.push(&l.value),
                    Operand::Literal(_) => {}
                    Operand::Answer(other) => {
                        hints.against_answer |= subject.text == name || other.text == name;
                    }
                }
            }
            Expr::In { name: n, literals } if n.text == name => {
                hints.literals.extend(literals.iter().map(|l| &l.value));
            }
            Expr::In { .. } | Expr::Chosen { .. } => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn yes_no_domain(name: &str) -> (String, Vec<Option<Value>>) {
        (
            name.to_string(),
            vec![Some(Value::YesNo(true)), Some(Value::YesNo(false)), None],
        )
    }

    #[test]
    fn finds_contradictions() {
        let never = parse("r and not r").expect("valid");
        let domains = vec![yes_no_domain("r")];
        assert_eq!(never.satisfiable(&domains), Some(false));
        assert_eq!(parse("r").expect("valid").satisfiable(&domains), Some(true));
        let both = vec![yes_no_domain("a"), yes_no_domain("b")];
        assert_eq!(
            parse("a == b and a and not b")
                .expect("valid")
                .satisfiable(&both),
            Some(false)
        );
        assert_eq!(
            parse("a != b").expect("valid").satisfiable(&both),
            Some(true)
        );
    }

    /// `a > b and b > c and a < 4 and c > 0` holds for c = 1, b = 2, a = 3: numbers compared
    /// with each other are not sampled, so that it is never called unreachable.
    #[test]
    fn numbers_against_each_other_are_maybe() {
        let e = parse("a > b and b > c and a < 4 and c > 0").expect("valid");
        let number = QuestionKind::Number { min: 0, max: 999 };
        for name in ["a", "b", "c"] {
            assert!(sample_values(&number, &e.domain_hints(name)).is_none());
        }
        let alone = parse("a < 4 and a > 2").expect("valid");
        let values = sample_values(&number, &alone.domain_hints("a")).expect("sampled");
        assert!(values.contains(&Value::Number(3)));
    }

    #[test]
    fn several_choices_are_enumerated_within_their_bounds() {
        let options: Vec<ChoiceOption> = ["lundi", "mardi", "jeudi"]
            .iter()
            .map(|id| ChoiceOption::new(id, id, &[]))
            .collect();
        let jours = QuestionKind::Choices {
            options,
            min: 1,
            max: 2,
        };
        let values = sample_values(&jours, &DomainHints::default()).expect("enumerated");
        assert_eq!(values.len(), 6, "{values:?}");
        assert!(values.contains(&Value::Choices(vec!["lundi".into(), "jeudi".into()])));
        let domains = vec![(
            "jours".to_string(),
            values.into_iter().map(Some).collect::<Vec<_>>(),
        )];
        let holds = |source: &str| parse(source).expect("valid").satisfiable(&domains);
        assert_eq!(holds("count(jours) > 2"), Some(false));
        assert_eq!(holds("'lundi' in jours and 'mardi' in jours"), Some(true));
        assert_eq!(
            holds("'lundi' in jours and 'mardi' in jours and 'jeudi' in jours"),
            Some(false)
        );
    }

    #[test]
    fn dates_are_never_enumerated() {
        let e = parse("naissance <= today-18y").expect("valid");
        let date = QuestionKind::Date {
            earliest: crate::model::DateBound::Open,
            latest: crate::model::DateBound::Open,
        };
        assert!(sample_values(&date, &e.domain_hints("naissance")).is_none());
    }
}
