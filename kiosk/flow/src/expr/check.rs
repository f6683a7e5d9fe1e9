//! Names and types, against the questions that come before the condition's step. A value of
//! the wrong shape for its question (`'17h'` for a time, `'oui'` in quotes) gets a message
//! that says how to write it.

use super::lex::{date_advice, loose_time};
use super::{parse_date, parse_time, CmpOp, Expr, ExprError, Literal, LiteralValue, Name};
use super::{Operand, Subject};
use crate::load::suggest::suggest;
use crate::model::{ChoiceOption, QuestionKind};
use std::borrow::Cow;

/// What a name in a condition refers to, as the loader sees it from the current step.
pub enum Resolved<'a> {
    /// No such step; `suggestion` is a close step id, if any.
    Unknown {
        suggestion: Option<String>,
    },
    /// The step exists but has errors of its own: nothing more to say about it here.
    Unchecked,
    /// A step that comes at or after the condition's step.
    Later,
    NotQuestion,
    Question(&'a QuestionKind),
}

type Resolver<'r, 'a> = &'r dyn Fn(&str) -> Resolved<'a>;

impl Expr {
    /// Checks names and types; returns every problem found.
    pub fn check<'a>(&self, resolve: Resolver<'_, 'a>) -> Vec<ExprError> {
        let mut errors = Vec::new();
        self.check_into(resolve, &mut errors);
        errors
    }

    fn check_into<'a>(&self, resolve: Resolver<'_, 'a>, errors: &mut Vec<ExprError>) {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.check_into(resolve, errors);
                b.check_into(resolve, errors);
            }
            Expr::Not(a) => a.check_into(resolve, errors),
            Expr::Truthy(name) => {
                let message = match question(name, resolve, errors) {
                    None | Some(QuestionKind::YesNo) => return,
                    Some(QuestionKind::Choices { .. }) => several_choices(&name.text, "'id'"),
                    Some(kind) => format!(
                        "« {} » est une question de type {} : comparez-la à une valeur (par exemple {} == ...)",
                        name.text,
                        kind.keyword(),
                        name.text
                    ),
                };
                errors.push(ExprError {
                    offset: name.offset,
                    message,
                });
            }
            Expr::Compare { left, op, right } => {
                let (shown, kind) = match left {
                    Subject::Answer(name) => (
                        name.text.clone(),
                        question(name, resolve, errors).map(Cow::Borrowed),
                    ),
                    Subject::Count(name) => (
                        format!("count({})", name.text),
                        counted(name, resolve, errors).map(Cow::Owned),
                    ),
                };
                let kind = kind.as_deref();
                let outcome = match right {
                    Operand::Literal(literal) => match kind {
                        Some(kind) => check_literal(&shown, kind, *op, literal),
                        None => Ok(()),
                    },
                    Operand::Answer(other) => {
                        check_other_answer(&shown, kind, *op, other, resolve, errors)
                    }
                };
                errors.extend(outcome.err());
            }
            Expr::In { name, literals } => match question(name, resolve, errors) {
                Some(QuestionKind::Choices { .. }) => {
                    let first = literals.first().map(|l| match &l.value {
                        LiteralValue::Str(id) => format!("'{id}'"),
                        _ => "'id'".to_string(),
                    });
                    errors.push(ExprError {
                        offset: name.offset,
                        message: several_choices(&name.text, &first.unwrap_or_default()),
                    });
                }
                Some(kind) => {
                    for literal in literals {
                        errors.extend(check_literal(&name.text, kind, CmpOp::Eq, literal).err());
                    }
                }
                None => {}
            },
            Expr::Chosen { option, name } => {
                let outcome = match question(name, resolve, errors) {
                    Some(kind @ QuestionKind::Choices { options, .. }) => {
                        check_option(&name.text, kind, options, option)
                    }
                    Some(QuestionKind::Choice { .. }) => Err(ExprError {
                        offset: name.offset,
                        message: format!(
                            "« {0} » est une question à un seul choix : écrivez {0} == {1}",
                            name.text,
                            written(option)
                        ),
                    }),
                    Some(kind) => Err(ExprError {
                        offset: name.offset,
                        message: format!(
                            "{} in {} : « in » après une valeur ne va qu'avec une question de type choices, « {} » est de type {}",
                            written(option),
                            name.text,
                            name.text,
                            kind.keyword()
                        ),
                    }),
                    None => Ok(()),
                };
                errors.extend(outcome.err());
            }
        }
    }
}

/// "« jours » est une question à plusieurs choix : écrivez 'lundi' in jours, ...".
fn several_choices(name: &str, option: &str) -> String {
    format!(
        "« {name} » est une question à plusieurs choix : écrivez {option} in {name} (une option choisie), ou count({name}) >= 2 (combien)"
    )
}

/// A literal as it is written in a condition.
fn written(literal: &Literal) -> String {
    match &literal.value {
        LiteralValue::Str(s) => format!("'{s}'"),
        LiteralValue::Int(n) => n.to_string(),
        LiteralValue::Bool(b) => yes_no_word(*b).to_string(),
        LiteralValue::Today { .. } => "today".to_string(),
    }
}

/// `count(jours)`: the number of options chosen, from `min` to `max` of the question.
fn counted(
    name: &Name,
    resolve: Resolver<'_, '_>,
    errors: &mut Vec<ExprError>,
) -> Option<QuestionKind> {
    match question(name, resolve, errors)? {
        QuestionKind::Choices { min, max, .. } => Some(QuestionKind::Number {
            min: i64::try_from(*min).unwrap_or(i64::MAX),
            max: i64::try_from(*max).unwrap_or(i64::MAX),
        }),
        kind => {
            errors.push(ExprError {
                offset: name.offset,
                message: format!(
                    "count({0}) compte les options choisies d'une question de type choices : « {0} » est de type {1}",
                    name.text,
                    kind.keyword()
                ),
            });
            None
        }
    }
}

/// The question `name` refers to; reports a name that is not an earlier question.
fn question<'a>(
    name: &Name,
    resolve: Resolver<'_, 'a>,
    errors: &mut Vec<ExprError>,
) -> Option<&'a QuestionKind> {
    let message = match resolve(&name.text) {
        Resolved::Question(kind) => return Some(kind),
        Resolved::Unchecked => return None,
        Resolved::Unknown { suggestion } => match suggestion {
            Some(s) => format!(
                "étape inconnue « {} » : vouliez-vous dire « {s} » ?",
                name.text
            ),
            None => format!("étape inconnue « {} »", name.text),
        },
        Resolved::Later => format!(
            "l'étape « {} » vient après : une condition ne peut utiliser que les réponses déjà données",
            name.text
        ),
        Resolved::NotQuestion => {
            format!(
                "l'étape « {} » n'est pas une question : elle n'a pas de réponse",
                name.text
            )
        }
    };
    errors.push(ExprError {
        offset: name.offset,
        message,
    });
    None
}

/// `fin >= debut`: two answers of the same type. A bare word after a choice or a text is
/// most often a value without its quotes: say so rather than "unknown step".
fn check_other_answer<'a>(
    name: &str,
    kind: Option<&QuestionKind>,
    op: CmpOp,
    other: &Name,
    resolve: Resolver<'_, 'a>,
    errors: &mut Vec<ExprError>,
) -> Result<(), ExprError> {
    let quoted_value = |what: &str| ExprError {
        offset: other.offset,
        message: format!(
            "une valeur est attendue ici : pour {what}, écrivez '{}' entre guillemets",
            other.text
        ),
    };
    if let Resolved::Unknown { suggestion: None } = resolve(&other.text) {
        match kind {
            Some(QuestionKind::Choice { .. }) => return Err(quoted_value("un choix")),
            Some(QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email) => {
                return Err(quoted_value("un texte"))
            }
            _ => {}
        }
    }
    let (Some(kind), Some(other_kind)) = (kind, question(other, resolve, errors)) else {
        return Ok(());
    };
    if kind.keyword() != other_kind.keyword() {
        return Err(ExprError {
            offset: other.offset,
            message: format!(
                "comparaison impossible : « {} » est une question de type {}, « {} » de type {}",
                name,
                kind.keyword(),
                other.text,
                other_kind.keyword()
            ),
        });
    }
    if op.is_ordering() && !is_ordered(kind) {
        return Err(ordering_refused(name, kind, other.offset));
    }
    Ok(())
}

/// Kinds whose answers have an order (`<`, `>=`...).
fn is_ordered(kind: &QuestionKind) -> bool {
    matches!(
        kind,
        QuestionKind::Number { .. } | QuestionKind::Date { .. } | QuestionKind::Time { .. }
    )
}

fn ordering_refused(name: &str, kind: &QuestionKind, offset: usize) -> ExprError {
    let what = match kind {
        QuestionKind::YesNo => "un oui/non",
        QuestionKind::Choice { .. } => "un choix",
        QuestionKind::Choices { .. } => "une liste de choix",
        _ => "un texte",
    };
    ExprError {
        offset,
        message: format!(
            "comparaison impossible : « {name} » est {what}, seuls == et != ont un sens"
        ),
    }
}

fn type_error(name: &str, kind: &QuestionKind, literal: &Literal, wanted: &str) -> ExprError {
    ExprError {
        offset: literal.offset,
        message: format!(
            "« {name} » est une question de type {} : comparez-la à {wanted}",
            kind.keyword()
        ),
    }
}

fn check_literal(
    name: &str,
    kind: &QuestionKind,
    op: CmpOp,
    literal: &Literal,
) -> Result<(), ExprError> {
    let advice = |message: String| ExprError {
        offset: literal.offset,
        message,
    };
    let several = matches!(kind, QuestionKind::Choices { .. });
    if op.is_ordering() && !is_ordered(kind) && !several {
        return Err(ordering_refused(name, kind, literal.offset));
    }
    match (kind, &literal.value) {
        (QuestionKind::YesNo, LiteralValue::Bool(_)) => {}
        (QuestionKind::YesNo, LiteralValue::Str(s))
            if matches!(s.to_lowercase().as_str(), "oui" | "non") =>
        {
            return Err(advice(format!(
                "écrivez {} sans apostrophes",
                s.to_lowercase()
            )))
        }
        (QuestionKind::YesNo, _) => return Err(type_error(name, kind, literal, "oui ou non")),
        (QuestionKind::Choice { options }, _) => return check_option(name, kind, options, literal),
        (QuestionKind::Choices { .. }, LiteralValue::Int(n)) => {
            return Err(advice(format!(
                "« {name} » est une question à plusieurs choix : pour compter les options choisies, écrivez count({name}) {} {n}",
                op.symbol()
            )))
        }
        (QuestionKind::Choices { .. }, LiteralValue::Str(id)) => {
            return Err(advice(several_choices(name, &format!("'{id}'"))))
        }
        (QuestionKind::Choices { .. }, _) => return Err(advice(several_choices(name, "'id'"))),
        (QuestionKind::Number { min, max }, LiteralValue::Int(n)) => {
            let (min, max, n) = (*min, *max, *n);
            let always_false = match op {
                CmpOp::Eq => n < min || n > max,
                CmpOp::Lt => n <= min,
                CmpOp::Le => n < min,
                CmpOp::Gt => n >= max,
                CmpOp::Ge => n > max,
                CmpOp::Ne => false,
            };
            if always_false {
                return Err(advice(format!(
                    "comparaison impossible : « {name} » va de {min} à {max}, cette condition n'est jamais vraie"
                )));
            }
        }
        (QuestionKind::Number { .. }, LiteralValue::Str(s)) if s.trim().parse::<i64>().is_ok() => {
            return Err(advice(format!(
                "écrivez le nombre sans apostrophes : {}",
                s.trim()
            )))
        }
        (QuestionKind::Number { .. }, _) => {
            return Err(type_error(name, kind, literal, "un nombre entier"))
        }
        (QuestionKind::Date { .. }, LiteralValue::Today { .. }) => {}
        (QuestionKind::Date { .. }, LiteralValue::Str(s)) if parse_date(s).is_some() => {}
        (QuestionKind::Date { .. }, LiteralValue::Str(s)) if s.trim().starts_with("today") => {
            return Err(advice(format!("écrivez {} sans apostrophes", s.trim())))
        }
        (QuestionKind::Date { .. }, LiteralValue::Str(s)) => {
            return Err(advice(date_advice(s.trim(), true)))
        }
        (QuestionKind::Date { .. }, _) => {
            return Err(type_error(
                name,
                kind,
                literal,
                "une date comme '2027-01-31' ou today-18y",
            ))
        }
        (QuestionKind::Time { .. }, LiteralValue::Str(s)) if parse_time(s).is_some() => {}
        (QuestionKind::Time { .. }, LiteralValue::Str(s)) if loose_time(s).is_some() => {
            let written = loose_time(s).unwrap_or_default();
            return Err(advice(format!("écrivez l'heure ainsi : '{written}'")));
        }
        (QuestionKind::Time { .. }, LiteralValue::Int(h)) if (0..24).contains(h) => {
            return Err(advice(format!(
                "écrivez l'heure entre apostrophes, ainsi : '{h:02}:00'"
            )))
        }
        (QuestionKind::Time { .. }, _) => {
            return Err(type_error(name, kind, literal, "une heure comme '14:30'"))
        }
        (
            QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email,
            LiteralValue::Str(_),
        ) => {}
        (QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email, _) => {
            return Err(type_error(name, kind, literal, "un texte entre guillemets"))
        }
    }
    Ok(())
}

/// An option id of `options` (a `choice` compared with it, or `'lundi' in jours`).
fn check_option(
    name: &str,
    kind: &QuestionKind,
    options: &[ChoiceOption],
    literal: &Literal,
) -> Result<(), ExprError> {
    let advice = |message: String| ExprError {
        offset: literal.offset,
        message,
    };
    let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
    let id = match &literal.value {
        LiteralValue::Str(id) => id,
        LiteralValue::Int(n) if ids.contains(&n.to_string().as_str()) => {
            return Err(advice(format!(
                "écrivez l'option entre apostrophes : '{n}'"
            )))
        }
        LiteralValue::Bool(b) if ids.contains(&yes_no_word(*b)) => {
            return Err(advice(format!(
                "écrivez l'option entre apostrophes : '{}'",
                yes_no_word(*b)
            )))
        }
        _ => {
            return Err(type_error(
                name,
                kind,
                literal,
                "l'id d'une option entre guillemets",
            ))
        }
    };
    if ids.contains(&id.as_str()) {
        return Ok(());
    }
    // Codes (`62291`) that differ by a digit are other communes: no "vouliez-vous dire".
    let close = suggest(id, &ids).filter(|_| id.chars().any(char::is_alphabetic));
    let hint = match close {
        Some(close) => format!(" : vouliez-vous dire '{close}' ?"),
        None => format!(
            " (options : {})",
            ids.iter().take(8).copied().collect::<Vec<_>>().join(", ")
        ),
    };
    Err(advice(format!(
        "comparaison impossible : « {name} » n'a pas d'option « {id} »{hint}"
    )))
}

fn yes_no_word(b: bool) -> &'static str {
    if b {
        "oui"
    } else {
        "non"
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;
    use crate::model::{ChoiceOption, DateBound};
    use chrono::NaiveTime;

    fn kinds() -> Vec<(&'static str, QuestionKind)> {
        let date = QuestionKind::Date {
            earliest: DateBound::Open,
            latest: DateBound::Open,
        };
        let time = QuestionKind::Time {
            earliest: NaiveTime::MIN,
            latest: NaiveTime::MIN,
        };
        vec![
            (
                "c",
                QuestionKind::Choice {
                    options: vec![
                        ChoiceOption::new("eteint", "Éteint", &[]),
                        ChoiceOption::new("62817", "Tincques", &[]),
                    ],
                },
            ),
            ("r", QuestionKind::YesNo),
            ("n", QuestionKind::Number { min: 0, max: 10 }),
            ("m", QuestionKind::Number { min: 0, max: 99 }),
            ("debut", date.clone()),
            ("fin", date),
            ("heure", time.clone()),
            ("heure_fin", time),
            (
                "t",
                QuestionKind::Text {
                    max_length: 20,
                    format: crate::model::TextFormat::default(),
                },
            ),
            (
                "jours",
                QuestionKind::Choices {
                    options: ["lundi", "mardi", "jeudi"]
                        .iter()
                        .map(|id| ChoiceOption::new(id, id, &[]))
                        .collect(),
                    min: 1,
                    max: 3,
                },
            ),
        ]
    }

    /// The messages `source` gets, with their offsets.
    fn check(source: &str) -> Vec<(usize, String)> {
        let kinds = kinds();
        let resolve = |n: &str| match kinds.iter().find(|(name, _)| *name == n) {
            Some((_, kind)) => Resolved::Question(kind),
            None if n == "later" => Resolved::Later,
            None => Resolved::Unknown { suggestion: None },
        };
        parse(source)
            .expect("valid syntax")
            .check(&resolve)
            .into_iter()
            .map(|e| (e.offset, e.message))
            .collect()
    }

    fn one(source: &str) -> String {
        let mut found = check(source);
        assert_eq!(found.len(), 1, "{source}: {found:?}");
        found.remove(0).1
    }

    #[test]
    fn checks_types_and_options() {
        assert!(check("c == 'eteint' and r").is_empty());
        assert_eq!(
            one("c == 'casse'"),
            "comparaison impossible : « c » n'a pas d'option « casse » (options : eteint, 62817)"
        );
        assert_eq!(
            one("c == 'Eteint'"),
            "comparaison impossible : « c » n'a pas d'option « Eteint » : vouliez-vous dire 'eteint' ?"
        );
        assert_eq!(
            one("c == 62817"),
            "écrivez l'option entre apostrophes : '62817'"
        );
        assert_eq!(check("r > 2").len(), 1);
        assert_eq!(check("c").len(), 1);
        assert_eq!(check("later or nope").len(), 2);
    }

    #[test]
    fn values_in_the_wrong_shape_say_how_to_write_them() {
        assert_eq!(
            check("heure >= '17h'"),
            [(9, "écrivez l'heure ainsi : '17:00'".to_string())]
        );
        assert_eq!(one("heure < '17 h 30'"), "écrivez l'heure ainsi : '17:30'");
        assert_eq!(
            one("heure < 17"),
            "écrivez l'heure entre apostrophes, ainsi : '17:00'"
        );
        assert_eq!(one("r == 'Oui'"), "écrivez oui sans apostrophes");
        assert_eq!(one("n == '3'"), "écrivez le nombre sans apostrophes : 3");
        assert_eq!(
            one("debut < '1/12/2026'"),
            "écrivez la date ainsi : '2026-12-01' (année-mois-jour)"
        );
        assert_eq!(one("debut < 'today'"), "écrivez today sans apostrophes");
        assert_eq!(
            one("n < today"),
            "« n » est une question de type number : comparez-la à un nombre entier"
        );
        assert!(check("debut <= today-18y and heure < '9:30'").is_empty());
    }

    #[test]
    fn several_choices_take_membership_and_count() {
        assert!(check("'lundi' in jours and count(jours) >= 2 and count(jours) < n").is_empty());
        assert_eq!(
            check("'lundy' in jours"),
            [(
                0,
                "comparaison impossible : « jours » n'a pas d'option « lundy » : vouliez-vous dire 'lundi' ?"
                    .to_string()
            )]
        );
        assert_eq!(
            one("count(jours) > 3"),
            "comparaison impossible : « count(jours) » va de 1 à 3, cette condition n'est jamais vraie"
        );
        assert_eq!(
            check("count(c) >= 2"),
            [(
                6,
                "count(c) compte les options choisies d'une question de type choices : « c » est de type choice"
                    .to_string()
            )]
        );
        assert_eq!(
            one("'eteint' in c"),
            "« c » est une question à un seul choix : écrivez c == 'eteint'"
        );
        assert_eq!(
            one("jours == 'lundi'"),
            "« jours » est une question à plusieurs choix : écrivez 'lundi' in jours (une option choisie), ou count(jours) >= 2 (combien)"
        );
        assert_eq!(
            one("jours >= 2"),
            "« jours » est une question à plusieurs choix : pour compter les options choisies, écrivez count(jours) >= 2"
        );
        assert_eq!(check("jours in ['lundi', 'mardi']").len(), 1);
        assert_eq!(check("jours").len(), 1);
        assert_eq!(one("'2' in n").split(" : ").next(), Some("'2' in n"));
    }

    #[test]
    fn two_answers_must_have_the_same_type_and_an_order() {
        assert!(check("fin >= debut and heure_fin > heure and m > n").is_empty());
        assert_eq!(
            check("fin >= heure"),
            [(
                7,
                "comparaison impossible : « fin » est une question de type date, « heure » de type time"
                    .to_string()
            )]
        );
        assert_eq!(
            one("c > c"),
            "comparaison impossible : « c » est un choix, seuls == et != ont un sens"
        );
        assert_eq!(
            one("c == eteint"),
            "une valeur est attendue ici : pour un choix, écrivez 'eteint' entre guillemets"
        );
        assert_eq!(
            one("fin >= later"),
            "l'étape « later » vient après : une condition ne peut utiliser que les réponses déjà données"
        );
    }
}
