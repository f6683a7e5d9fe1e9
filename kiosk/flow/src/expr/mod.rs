//! The condition language of `when` (and of `urgent` on `submit`):
//! `rappel == oui and probleme in ['eteint', 'abime']`, `naissance <= today-18y`,
//! `fin >= debut`.
//!
//! Four stages, one file each: [`lex`](lex) (characters to tokens, with the French message that
//! says how to write an ordinary mistake), [`parse`] (syntax, with char offsets for
//! messages), [`Expr::check`] in `check` (names and types against the questions before the
//! step), and [`Expr::eval`] here (on answers and today's date). `reach` decides whether a
//! condition can ever hold, for unreachable steps.
//!
//! A comparison with a question that has no answer (it was skipped) is false.

mod check;
mod lex;
mod parse;
mod reach;

pub use check::Resolved;
pub use parse::parse;
pub use reach::{sample_values, DomainHints};

use crate::model::{DateBound, Value};
use chrono::{NaiveDate, NaiveTime};
use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A bare `yes_no` question: true when answered "oui".
    Truthy(Name),
    /// `enfants >= 2`, `naissance <= today-18y`, `fin >= debut`.
    Compare {
        left: Subject,
        op: CmpOp,
        right: Operand,
    },
    /// `probleme in ['eteint', 'abime']`: the answer is one of the literals.
    In {
        name: Name,
        literals: Vec<Literal>,
    },
    /// `'lundi' in jours`: the option is among those chosen in a `choices` question.
    Chosen {
        option: Literal,
        name: Name,
    },
}

/// What a comparison is about: always an answer, so that its type is known.
#[derive(Debug, Clone, PartialEq)]
pub enum Subject {
    Answer(Name),
    /// `count(jours)`: how many options were chosen in a `choices` question.
    Count(Name),
}

/// What an answer is compared with: a literal, or another answer of the same type.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Literal(Literal),
    Answer(Name),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    pub text: String,
    pub offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }

    /// As written: `>=`.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The same comparison with its sides swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            same => same,
        }
    }

    fn holds(self, ordering: Ordering) -> bool {
        match self {
            CmpOp::Eq => ordering == Ordering::Equal,
            CmpOp::Ne => ordering != Ordering::Equal,
            CmpOp::Lt => ordering == Ordering::Less,
            CmpOp::Le => ordering != Ordering::Greater,
            CmpOp::Gt => ordering == Ordering::Greater,
            CmpOp::Ge => ordering != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: LiteralValue,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    Bool(bool),
    Int(i64),
    Str(String),
    /// `today`, `today-18y`, `today+90d`: a date relative to the session's today, written
    /// like a question's bounds.
    Today {
        days: i64,
        months: i32,
    },
}

/// A problem in an expression: char offset in the source and a French message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ExprError> {
    Err(ExprError {
        offset,
        message: message.into(),
    })
}

/// `2027-01-31`, the one way to write a date in a condition.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `14:30`, the one way to write a time in a condition.
pub(crate) fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

impl Subject {
    pub fn name(&self) -> &Name {
        match self {
            Subject::Answer(n) | Subject::Count(n) => n,
        }
    }
}

impl Expr {
    /// Every question name the expression uses, in order of appearance.
    pub fn names(&self) -> Vec<&Name> {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                let mut v = a.names();
                v.extend(b.names());
                v
            }
            Expr::Not(a) => a.names(),
            Expr::Truthy(n) | Expr::In { name: n, .. } | Expr::Chosen { name: n, .. } => vec![n],
            Expr::Compare { left, right, .. } => {
                let mut v = vec![left.name()];
                if let Operand::Answer(n) = right {
                    v.push(n);
                }
                v
            }
        }
    }

    /// Evaluates on the answers so far (`None` from `answer`: not answered) and the
    /// session's today, which `today-18y` and the like are counted from.
    pub fn eval(&self, answer: &dyn Fn(&str) -> Option<Value>, today: NaiveDate) -> bool {
        match self {
            Expr::Or(a, b) => a.eval(answer, today) || b.eval(answer, today),
            Expr::And(a, b) => a.eval(answer, today) && b.eval(answer, today),
            Expr::Not(a) => !a.eval(answer, today),
            Expr::Truthy(name) => answer(&name.text) == Some(Value::YesNo(true)),
            Expr::Compare { left, op, right } => {
                let Some(left) = subject_value(left, answer) else {
                    return false;
                };
                let right = match right {
                    Operand::Literal(l) => literal_as(&left, &l.value, today),
                    Operand::Answer(n) => answer(&n.text),
                };
                right
                    .and_then(|right| order(&left, &right))
                    .is_some_and(|ord| op.holds(ord))
            }
            Expr::In { name, literals } => answer(&name.text).is_some_and(|v| {
                literals.iter().any(|l| {
                    literal_as(&v, &l.value, today).and_then(|l| order(&v, &l))
                        == Some(Ordering::Equal)
                })
            }),
            Expr::Chosen { option, name } => match (&option.value, answer(&name.text)) {
                (LiteralValue::Str(id), Some(Value::Choices(ids))) => ids.contains(id),
                _ => false,
            },
        }
    }
}

fn subject_value(subject: &Subject, answer: &dyn Fn(&str) -> Option<Value>) -> Option<Value> {
    match subject {
        Subject::Answer(n) => answer(&n.text),
        Subject::Count(n) => match answer(&n.text)? {
            Value::Choices(ids) => i64::try_from(ids.len()).ok().map(Value::Number),
            _ => None,
        },
    }
}

/// A literal read as a value of the same kind as `like`; `None` when it does not fit.
fn literal_as(like: &Value, literal: &LiteralValue, today: NaiveDate) -> Option<Value> {
    match (like, literal) {
        (Value::YesNo(_), LiteralValue::Bool(b)) => Some(Value::YesNo(*b)),
        (Value::Number(_), LiteralValue::Int(n)) => Some(Value::Number(*n)),
        (Value::Date(_), LiteralValue::Str(s)) => parse_date(s).map(Value::Date),
        (Value::Date(_), LiteralValue::Today { days, months }) => DateBound::Relative {
            days: *days,
            months: *months,
        }
        .resolve(today)
        .map(Value::Date),
        (Value::Time(_), LiteralValue::Str(s)) => parse_time(s).map(Value::Time),
        (Value::Choice(_), LiteralValue::Str(s)) => Some(Value::Choice(s.clone())),
        (Value::Text(_), LiteralValue::Str(s)) => Some(Value::Text(s.clone())),
        (Value::Phone(_), LiteralValue::Str(s)) => Some(Value::Phone(s.clone())),
        (Value::Email(_), LiteralValue::Str(s)) => Some(Value::Email(s.clone())),
        _ => None,
    }
}

/// Orders two values of the same kind; `None` for values of different kinds.
fn order(a: &Value, b: &Value) -> Option<Ordering> {
    (std::mem::discriminant(a) == std::mem::discriminant(b)).then(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_date(s).expect("a date")
    }

    #[test]
    fn evaluates_and_skipped_questions_make_comparisons_false() {
        let e = parse("r == oui and n >= 3").expect("valid");
        let answers = |n: &str| match n {
            "r" => Some(Value::YesNo(true)),
            "n" => Some(Value::Number(4)),
            _ => None,
        };
        let today = day("2026-12-01");
        assert!(e.eval(&answers, today));
        assert!(!e.eval(&|_: &str| None, today));
        assert!(!parse("n != 3").expect("valid").eval(&|_| None, today));
    }

    #[test]
    fn dates_relative_to_today_move_with_today() {
        let adult = parse("naissance <= today-18y").expect("valid");
        let born = |n: &str| (n == "naissance").then(|| Value::Date(day("2008-12-02")));
        // 18 on 2026-12-02, not the day before.
        assert!(!adult.eval(&born, day("2026-12-01")));
        assert!(adult.eval(&born, day("2026-12-02")));
        let soon = parse("rdv < today+2w and rdv >= today").expect("valid");
        let rdv = |_: &str| Some(Value::Date(day("2026-12-10")));
        assert!(soon.eval(&rdv, day("2026-12-01")));
        assert!(!soon.eval(&rdv, day("2026-11-20")));
        assert!(!soon.eval(&rdv, day("2026-12-11")));
    }

    #[test]
    fn two_answers_compare_when_both_are_given() {
        let e = parse("fin >= debut").expect("valid");
        let today = day("2026-12-01");
        let answers = |fin: &'static str| {
            move |n: &str| match n {
                "debut" => Some(Value::Date(day("2026-12-05"))),
                "fin" => Some(Value::Date(day(fin))),
                _ => None,
            }
        };
        assert!(e.eval(&answers("2026-12-05"), today));
        assert!(!e.eval(&answers("2026-12-04"), today));
        let only_fin = |n: &str| (n == "fin").then(|| Value::Date(day("2026-12-09")));
        assert!(!e.eval(&only_fin, today));
        let heures = parse("heure_fin > heure_debut").expect("valid");
        let times = |n: &str| match n {
            "heure_debut" => parse_time("09:00").map(Value::Time),
            "heure_fin" => parse_time("17:30").map(Value::Time),
            _ => None,
        };
        assert!(heures.eval(&times, today));
    }

    #[test]
    fn several_choices_are_tested_by_membership_and_count() {
        let today = day("2026-12-01");
        let jours =
            |n: &str| (n == "jours").then(|| Value::Choices(vec!["lundi".into(), "jeudi".into()]));
        let holds = |source: &str, answer: &dyn Fn(&str) -> Option<Value>| {
            parse(source).expect("valid").eval(answer, today)
        };
        assert!(holds("'lundi' in jours", &jours));
        assert!(!holds("'mardi' in jours", &jours));
        assert!(holds("not 'mardi' in jours and count(jours) == 2", &jours));
        assert!(!holds("count(jours) >= 3", &jours));
        let none = |n: &str| (n == "jours").then(|| Value::Choices(Vec::new()));
        assert!(holds("count(jours) == 0", &none));
        // Skipped: no answer, every comparison false.
        assert!(!holds("count(jours) == 0", &|_| None));
        assert!(!holds("'lundi' in jours", &|_| None));
    }
}
