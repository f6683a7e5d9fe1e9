//! The condition language of `when`: `rappel == oui and probleme in ['eteint', 'abime']`.
//!
//! Three stages: [`parse`] (syntax, with char offsets for messages), [`Expr::check`]
//! (names and types against the questions before the step), [`Expr::eval`] (on answers).
//! A comparison with a question that has no answer (it was skipped) is false.

use crate::model::{QuestionKind, Value};
use chrono::{NaiveDate, NaiveTime};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    /// A bare `yes_no` question: true when answered "oui".
    Truthy(Name),
    Compare {
        name: Name,
        op: CmpOp,
        literal: Literal,
    },
    In {
        name: Name,
        literals: Vec<Literal>,
    },
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

    fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Int(i64),
    Str(String),
    Op(CmpOp),
    And,
    Or,
    Not,
    In,
    Oui,
    Non,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
}

fn describe(tok: Option<&(Tok, usize)>) -> String {
    match tok {
        None => "la fin de la condition".to_string(),
        Some((t, _)) => match t {
            Tok::Name(n) => format!("« {n} »"),
            Tok::Int(i) => format!("« {i} »"),
            Tok::Str(s) => format!("« '{s}' »"),
            Tok::Op(_) => "un opérateur de comparaison".to_string(),
            Tok::And => "« and »".to_string(),
            Tok::Or => "« or »".to_string(),
            Tok::Not => "« not »".to_string(),
            Tok::In => "« in »".to_string(),
            Tok::Oui => "« oui »".to_string(),
            Tok::Non => "« non »".to_string(),
            Tok::LParen => "« ( »".to_string(),
            Tok::RParen => "« ) »".to_string(),
            Tok::LBracket => "« [ »".to_string(),
            Tok::RBracket => "« ] »".to_string(),
            Tok::Comma => "« , »".to_string(),
        },
    }
}

fn lex(source: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = source.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = match two.as_str() {
            "==" => Some((CmpOp::Eq, 2)),
            "!=" => Some((CmpOp::Ne, 2)),
            "<=" => Some((CmpOp::Le, 2)),
            ">=" => Some((CmpOp::Ge, 2)),
            _ if c == '<' => Some((CmpOp::Lt, 1)),
            _ if c == '>' => Some((CmpOp::Gt, 1)),
            _ => None,
        };
        if let Some((op, len)) = op {
            toks.push((Tok::Op(op), start));
            i += len;
            continue;
        }
        match c {
            '(' => toks.push((Tok::LParen, start)),
            ')' => toks.push((Tok::RParen, start)),
            '[' => toks.push((Tok::LBracket, start)),
            ']' => toks.push((Tok::RBracket, start)),
            ',' => toks.push((Tok::Comma, start)),
            '=' => return err(start, "« = » seul : pour comparer, écrivez « == »"),
            '\'' | '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&q| q == c) else {
                    return err(start, format!("texte sans guillemet de fin : ajoutez {c}"));
                };
                toks.push((Tok::Str(chars[i + 1..i + 1 + len].iter().collect()), start));
                i += len + 2;
                continue;
            }
            _ if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let mut j = i + 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                let text: String = chars[i..j].iter().collect();
                let Ok(n) = text.parse::<i64>() else {
                    return err(start, format!("nombre trop grand : {text}"));
                };
                toks.push((Tok::Int(n), start));
                i = j;
                continue;
            }
            _ if c.is_ascii_lowercase() || c == '_' => {
                let mut j = i + 1;
                while j < chars.len() && crate::template::is_name_char(chars[j]) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                let tok = match word.as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "oui" => Tok::Oui,
                    "non" => Tok::Non,
                    "et" => return err(start, "écrivez « and » au lieu de « et »"),
                    "ou" => return err(start, "écrivez « or » au lieu de « ou »"),
                    "true" | "false" | "vrai" | "faux" => {
                        return err(start, format!("écrivez oui ou non au lieu de « {word} »"))
                    }
                    _ => Tok::Name(word),
                };
                toks.push((tok, start));
                i = j;
                continue;
            }
            _ => return err(start, format!("caractère inattendu « {c} »")),
        }
        i += 1;
    }
    Ok(toks)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn unexpected<T>(&self, wanted: &str) -> Result<T, ExprError> {
        err(
            self.offset(),
            format!(
                "attendu : {wanted} ; trouvé : {}",
                describe(self.toks.get(self.pos))
            ),
        )
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        match self.peek() {
            Some(Tok::Not) => {
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Tok::RParen) {
                    return self.unexpected("« ) »");
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::Name(_)) => self.comparison(),
            _ => self.unexpected("un nom d'étape"),
        }
    }

    fn literal(&mut self) -> Result<Literal, ExprError> {
        let offset = self.offset();
        let value = match self.peek() {
            Some(Tok::Int(n)) => LiteralValue::Int(*n),
            Some(Tok::Str(s)) => LiteralValue::Str(s.clone()),
            Some(Tok::Oui) => LiteralValue::Bool(true),
            Some(Tok::Non) => LiteralValue::Bool(false),
            Some(Tok::Name(n)) => {
                return err(
                    offset,
                    format!(
                    "une valeur est attendue ici : pour un choix, écrivez '{n}' entre guillemets"
                ),
                )
            }
            _ => return self.unexpected("une valeur (oui, non, un nombre ou 'un texte')"),
        };
        self.pos += 1;
        Ok(Literal { value, offset })
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        let Some((Tok::Name(text), offset)) = self.next() else {
            return self.unexpected("un nom d'étape");
        };
        let name = Name { text, offset };
        match self.peek() {
            Some(Tok::Op(op)) => {
                let op = *op;
                self.pos += 1;
                let literal = self.literal()?;
                Ok(Expr::Compare { name, op, literal })
            }
            Some(Tok::In) => {
                self.pos += 1;
                if self.peek() != Some(&Tok::LBracket) {
                    return self.unexpected("« [ »");
                }
                self.pos += 1;
                let mut literals = vec![self.literal()?];
                while self.peek() == Some(&Tok::Comma) {
                    self.pos += 1;
                    literals.push(self.literal()?);
                }
                if self.peek() != Some(&Tok::RBracket) {
                    return self.unexpected("« , » ou « ] »");
                }
                self.pos += 1;
                Ok(Expr::In { name, literals })
            }
            _ => Ok(Expr::Truthy(name)),
        }
    }
}

/// Parses a condition; the error offset is in chars from the start of `source`.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    let toks = lex(source)?;
    let end = source.chars().count();
    if toks.is_empty() {
        return err(0, "condition vide");
    }
    let mut parser = Parser { toks, pos: 0, end };
    let expr = parser.or()?;
    if parser.pos < parser.toks.len() {
        return parser.unexpected("« and », « or » ou la fin de la condition");
    }
    Ok(expr)
}

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

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M").ok()
}

impl Expr {
    /// Every name the expression uses.
    pub fn names(&self) -> Vec<&Name> {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                let mut v = a.names();
                v.extend(b.names());
                v
            }
            Expr::Not(a) => a.names(),
            Expr::Truthy(n) | Expr::Compare { name: n, .. } | Expr::In { name: n, .. } => vec![n],
        }
    }

    /// Checks names and types; returns every problem found.
    pub fn check<'a>(&self, resolve: &dyn Fn(&str) -> Resolved<'a>) -> Vec<ExprError> {
        let mut errors = Vec::new();
        self.check_into(resolve, &mut errors);
        errors
    }

    fn check_into<'a>(&self, resolve: &dyn Fn(&str) -> Resolved<'a>, errors: &mut Vec<ExprError>) {
        let question = |name: &Name, errors: &mut Vec<ExprError>| -> Option<&'a QuestionKind> {
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
                    format!("l'étape « {} » n'est pas une question : elle n'a pas de réponse", name.text)
                }
            };
            errors.push(ExprError {
                offset: name.offset,
                message,
            });
            None
        };
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.check_into(resolve, errors);
                b.check_into(resolve, errors);
            }
            Expr::Not(a) => a.check_into(resolve, errors),
            Expr::Truthy(name) => {
                if let Some(kind) = question(name, errors) {
                    if !matches!(kind, QuestionKind::YesNo) {
                        errors.push(ExprError {
                            offset: name.offset,
                            message: format!(
                                "« {} » est une question de type {} : comparez-la à une valeur (par exemple {} == ...)",
                                name.text,
                                kind.keyword(),
                                name.text
                            ),
                        });
                    }
                }
            }
            Expr::Compare { name, op, literal } => {
                if let Some(kind) = question(name, errors) {
                    if let Err(e) = check_literal(&name.text, kind, *op, literal) {
                        errors.push(e);
                    }
                }
            }
            Expr::In { name, literals } => {
                if let Some(kind) = question(name, errors) {
                    for literal in literals {
                        if let Err(e) = check_literal(&name.text, kind, CmpOp::Eq, literal) {
                            errors.push(e);
                        }
                    }
                }
            }
        }
    }

    /// Evaluates on the answers so far; `None` from `answer` means not answered.
    pub fn eval(&self, answer: &dyn Fn(&str) -> Option<Value>) -> bool {
        match self {
            Expr::Or(a, b) => a.eval(answer) || b.eval(answer),
            Expr::And(a, b) => a.eval(answer) && b.eval(answer),
            Expr::Not(a) => !a.eval(answer),
            Expr::Truthy(name) => answer(&name.text) == Some(Value::YesNo(true)),
            Expr::Compare { name, op, literal } => answer(&name.text)
                .and_then(|v| compare(&v, &literal.value))
                .is_some_and(|ord| op.holds(ord)),
            Expr::In { name, literals } => answer(&name.text).is_some_and(|v| {
                literals
                    .iter()
                    .any(|l| compare(&v, &l.value) == Some(std::cmp::Ordering::Equal))
            }),
        }
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
    let ordering_refused = |what: &str| ExprError {
        offset: literal.offset,
        message: format!(
            "comparaison impossible : « {name} » est {what}, seuls == et != ont un sens"
        ),
    };
    match (kind, &literal.value) {
        (QuestionKind::YesNo, LiteralValue::Bool(_)) => {
            if op.is_ordering() {
                return Err(ordering_refused("un oui/non"));
            }
        }
        (QuestionKind::YesNo, _) => return Err(type_error(name, kind, literal, "oui ou non")),
        (QuestionKind::Choice { options }, LiteralValue::Str(id)) => {
            if op.is_ordering() {
                return Err(ordering_refused("un choix"));
            }
            if !options.iter().any(|o| &o.id == id) {
                let known: Vec<&str> = options.iter().take(8).map(|o| o.id.as_str()).collect();
                return Err(ExprError {
                    offset: literal.offset,
                    message: format!(
                        "comparaison impossible : « {name} » n'a pas d'option « {id} » (options : {})",
                        known.join(", ")
                    ),
                });
            }
        }
        (QuestionKind::Choice { .. }, _) => {
            return Err(type_error(
                name,
                kind,
                literal,
                "l'id d'une option entre guillemets",
            ))
        }
        (QuestionKind::Choices { .. }, _) => {
            return Err(ExprError {
                offset: literal.offset,
                message: format!(
                    "« {name} » est une question à plusieurs choix : écrivez 'id' in {name}, ou count({name}) >= 2"
                ),
            })
        }
        (QuestionKind::Number { min, max }, LiteralValue::Int(n)) => {
            let (min, max) = (*min, *max);
            let always_false = match op {
                CmpOp::Eq => *n < min || *n > max,
                CmpOp::Lt => *n <= min,
                CmpOp::Le => *n < min,
                CmpOp::Gt => *n >= max,
                CmpOp::Ge => *n > max,
                CmpOp::Ne => false,
            };
            if always_false {
                return Err(ExprError {
                    offset: literal.offset,
                    message: format!(
                        "comparaison impossible : « {name} » va de {min} à {max}, cette condition n'est jamais vraie"
                    ),
                });
            }
        }
        (QuestionKind::Number { .. }, _) => {
            return Err(type_error(name, kind, literal, "un nombre entier"))
        }
        (QuestionKind::Date { .. }, LiteralValue::Str(s)) if parse_date(s).is_some() => {}
        (QuestionKind::Date { .. }, _) => {
            return Err(type_error(
                name,
                kind,
                literal,
                "une date comme '2027-01-31'",
            ))
        }
        (QuestionKind::Time { .. }, LiteralValue::Str(s)) if parse_time(s).is_some() => {}
        (QuestionKind::Time { .. }, _) => {
            return Err(type_error(name, kind, literal, "une heure comme '14:30'"))
        }
        (
            QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email,
            LiteralValue::Str(_),
        ) => {
            if op.is_ordering() {
                return Err(ordering_refused("un texte"));
            }
        }
        (QuestionKind::Text { .. } | QuestionKind::Phone | QuestionKind::Email, _) => {
            return Err(type_error(name, kind, literal, "un texte entre guillemets"))
        }
    }
    Ok(())
}

/// Orders an answer against a literal of the matching type; `None` when they do not compare.
fn compare(value: &Value, literal: &LiteralValue) -> Option<std::cmp::Ordering> {
    match (value, literal) {
        (Value::YesNo(a), LiteralValue::Bool(b)) => Some(a.cmp(b)),
        (Value::Number(a), LiteralValue::Int(b)) => Some(a.cmp(b)),
        (Value::Date(a), LiteralValue::Str(s)) => parse_date(s).map(|b| a.cmp(&b)),
        (Value::Time(a), LiteralValue::Str(s)) => parse_time(s).map(|b| a.cmp(&b)),
        (
            Value::Choice(a) | Value::Text(a) | Value::Phone(a) | Value::Email(a),
            LiteralValue::Str(b),
        ) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    }
}

/// The finite set of values worth trying for a question when looking for a way to make a
/// condition true; `None` when the kind has too many values to enumerate meaningfully.
pub fn sample_values(kind: &QuestionKind, literals: &[&LiteralValue]) -> Option<Vec<Value>> {
    match kind {
        QuestionKind::YesNo => Some(vec![Value::YesNo(true), Value::YesNo(false)]),
        QuestionKind::Choice { options } => Some(
            options
                .iter()
                .map(|o| Value::Choice(o.id.clone()))
                .collect(),
        ),
        QuestionKind::Number { min, max } => {
            let mut values = vec![*min, *max];
            for l in literals {
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

impl Expr {
    /// Whether some combination of answers makes the condition true. `domains` gives, for
    /// each name, the values to try (including "no answer" as `None`). Returns `None` when
    /// the search space is too large or a name has no finite domain.
    pub fn satisfiable(&self, domains: &[(String, Vec<Option<Value>>)]) -> Option<bool> {
        let total: usize = domains
            .iter()
            .try_fold(1usize, |acc, (_, d)| acc.checked_mul(d.len().max(1)))?;
        if total > 100_000 {
            return None;
        }
        let mut index = vec![0usize; domains.len()];
        loop {
            let lookup = |name: &str| -> Option<Value> {
                let i = domains.iter().position(|(n, _)| n == name)?;
                domains[i].1.get(index[i]).cloned().flatten()
            };
            if self.eval(&lookup) {
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

    /// The literals compared with `name`, for [`sample_values`].
    pub fn literals_for(&self, name: &str) -> Vec<&LiteralValue> {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                let mut v = a.literals_for(name);
                v.extend(b.literals_for(name));
                v
            }
            Expr::Not(a) => a.literals_for(name),
            Expr::Truthy(_) => vec![],
            Expr::Compare {
                name: n, literal, ..
            } if n.text == name => vec![&literal.value],
            Expr::In { name: n, literals } if n.text == name => {
                literals.iter().map(|l| &l.value).collect()
            }
            Expr::Compare { .. } | Expr::In { .. } => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChoiceOption;

    #[test]
    fn parses_precedence_and_offsets() {
        let e = parse("not a or b == 2 and c in ['x', 'y']").expect("valid");
        assert!(matches!(e, Expr::Or(_, _)));
        let names: Vec<_> = e
            .names()
            .iter()
            .map(|n| (n.text.clone(), n.offset))
            .collect();
        assert_eq!(
            names,
            vec![("a".into(), 4), ("b".into(), 9), ("c".into(), 20)]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_fault() {
        assert_eq!(parse("a = 2").unwrap_err().offset, 2);
        assert_eq!(parse("a == ").unwrap_err().offset, 5);
        assert_eq!(parse("a == 'x").unwrap_err().offset, 5);
        assert_eq!(parse("(a").unwrap_err().offset, 2);
        assert_eq!(parse("a et b").unwrap_err().offset, 2);
    }

    #[test]
    fn checks_types_and_options() {
        let choice = QuestionKind::Choice {
            options: vec![ChoiceOption::new("x", "X", &[])],
        };
        let yes_no = QuestionKind::YesNo;
        let resolve = |n: &str| match n {
            "c" => Resolved::Question(&choice),
            "r" => Resolved::Question(&yes_no),
            "later" => Resolved::Later,
            _ => Resolved::Unknown { suggestion: None },
        };
        assert!(parse("c == 'x' and r")
            .expect("valid")
            .check(&resolve)
            .is_empty());
        assert_eq!(parse("c == 'z'").expect("valid").check(&resolve).len(), 1);
        assert_eq!(parse("r > 2").expect("valid").check(&resolve).len(), 1);
        assert_eq!(parse("c").expect("valid").check(&resolve).len(), 1);
        assert_eq!(
            parse("later or nope").expect("valid").check(&resolve).len(),
            2
        );
    }

    #[test]
    fn evaluates_and_finds_contradictions() {
        let e = parse("r == oui and n >= 3").expect("valid");
        let answers = |n: &str| match n {
            "r" => Some(Value::YesNo(true)),
            "n" => Some(Value::Number(4)),
            _ => None,
        };
        assert!(e.eval(&answers));
        assert!(!e.eval(&|_: &str| None));
        let never = parse("r and not r").expect("valid");
        let domains = vec![(
            "r".to_string(),
            vec![Some(Value::YesNo(true)), Some(Value::YesNo(false)), None],
        )];
        assert_eq!(never.satisfiable(&domains), Some(false));
        assert_eq!(parse("r").expect("valid").satisfiable(&domains), Some(true));
    }
}
