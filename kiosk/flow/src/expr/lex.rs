//! Characters to tokens. An ordinary mistake (`Oui`, `17:00` without quotes, `=` for `==`,
//! `et` for `and`, a date written `1/12/2026`) stops here with a message that says how to
//! write it, at the mistake's first character.

use super::{err, CmpOp, ExprError};
use crate::load::parse_date_bound;
use crate::model::DateBound;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Name(String),
    Int(i64),
    Str(String),
    Today { days: i64, months: i32 },
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

/// How a token is named in "attendu : ... ; trouvé : ...".
pub(super) fn describe(tok: Option<&(Tok, usize)>) -> String {
    let Some((t, _)) = tok else {
        return "la fin de la condition".to_string();
    };
    let word = |w: &str| format!("« {w} »");
    match t {
        Tok::Name(n) => word(n),
        Tok::Int(i) => word(&i.to_string()),
        Tok::Str(s) => word(&format!("'{s}'")),
        Tok::Today { .. } => "une date".to_string(),
        Tok::Op(_) => "un opérateur de comparaison".to_string(),
        Tok::And => word("and"),
        Tok::Or => word("or"),
        Tok::Not => word("not"),
        Tok::In => word("in"),
        Tok::Oui => word("oui"),
        Tok::Non => word("non"),
        Tok::LParen => word("("),
        Tok::RParen => word(")"),
        Tok::LBracket => word("["),
        Tok::RBracket => word("]"),
        Tok::Comma => word(","),
    }
}

/// Operators written another way, and how to write them.
const OPERATOR_MISTAKES: [(&str, &str); 10] = [
    ("=>", "écrivez « >= » (le signe = en second)"),
    ("=<", "écrivez « <= » (le signe = en second)"),
    ("<>", "écrivez « != » pour « différent de »"),
    ("&&", "écrivez « and » au lieu de « && »"),
    ("||", "écrivez « or » au lieu de « || »"),
    ("≥", "écrivez « >= » au lieu de « ≥ »"),
    ("≤", "écrivez « <= » au lieu de « ≤ »"),
    ("≠", "écrivez « != » au lieu de « ≠ »"),
    ("!", "écrivez « not » au lieu de « ! »"),
    ("=", "« = » seul : pour comparer, écrivez « == »"),
];

/// Quotation marks from a word processor.
const CURLY_QUOTES: [char; 6] = ['‘', '’', '“', '”', '«', '»'];

pub(super) fn lex(source: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
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
        let rest: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op = match rest.as_str() {
            "==" => Some((CmpOp::Eq, 2)),
            "!=" => Some((CmpOp::Ne, 2)),
            "<=" => Some((CmpOp::Le, 2)),
            ">=" => Some((CmpOp::Ge, 2)),
            "<>" => None,
            _ if c == '<' => Some((CmpOp::Lt, 1)),
            _ if c == '>' => Some((CmpOp::Gt, 1)),
            _ => None,
        };
        if let Some((op, len)) = op {
            toks.push((Tok::Op(op), start));
            i += len;
            continue;
        }
        if let Some((_, message)) = OPERATOR_MISTAKES
            .iter()
            .find(|(written, _)| rest.starts_with(written))
        {
            return err(start, *message);
        }
        match c {
            '(' => toks.push((Tok::LParen, start)),
            ')' => toks.push((Tok::RParen, start)),
            '[' => toks.push((Tok::LBracket, start)),
            ']' => toks.push((Tok::RBracket, start)),
            ',' => toks.push((Tok::Comma, start)),
            '\'' | '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&q| q == c) else {
                    return err(start, format!("texte sans guillemet de fin : ajoutez {c}"));
                };
                toks.push((Tok::Str(chars[i + 1..i + 1 + len].iter().collect()), start));
                i += len + 2;
                continue;
            }
            _ if CURLY_QUOTES.contains(&c) => {
                return err(
                    start,
                    format!("guillemet « {c} » de traitement de texte : écrivez une apostrophe droite, comme 'eteint'"),
                )
            }
            _ if c.is_ascii_digit()
                || (c == '-' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) =>
            {
                let (tok, end) = number(&chars, start)?;
                toks.push((tok, start));
                i = end;
                continue;
            }
            _ if c.is_alphabetic() || c == '_' => {
                let (tok, end) = word(&chars, start)?;
                toks.push((tok, start));
                i = end;
                continue;
            }
            _ => return err(start, format!("caractère inattendu « {c} »")),
        }
        i += 1;
    }
    Ok(toks)
}

fn run(chars: &[char], from: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut j = from;
    while j < chars.len() && keep(chars[j]) {
        j += 1;
    }
    j
}

fn text(chars: &[char], from: usize, to: usize) -> String {
    chars[from..to].iter().collect()
}

/// A whole number, or a time, date or duration written without quotes.
fn number(chars: &[char], start: usize) -> Result<(Tok, usize), ExprError> {
    let end = run(chars, start + 1, |c| c.is_ascii_digit());
    let digits = text(chars, start, end);
    let next = chars.get(end).copied();
    let digit_after = |k: usize| chars.get(end + k).is_some_and(char::is_ascii_digit);
    match next {
        Some(sep @ (':' | 'h' | 'H'))
            if (sep == ':' && digit_after(1))
                || (sep != ':' && !chars.get(end + 1).is_some_and(|c| c.is_alphabetic())) =>
        {
            let to = run(chars, end + 1, |c| c.is_ascii_digit());
            let written = text(chars, start, to);
            let time = loose_time(&written).unwrap_or(written);
            let how = if sep == ':' {
                "mettez l'heure entre apostrophes :"
            } else {
                "écrivez l'heure entre apostrophes, ainsi :"
            };
            return err(start, format!("{how} '{time}'"));
        }
        Some('-' | '/' | '.') if digit_after(1) => {
            let to = run(chars, end, |c| c.is_ascii_digit() || "-/.".contains(c));
            let written = text(chars, start, to);
            return err(start, date_advice(&written, false));
        }
        Some(',') if digit_after(1) => {
            return err(start, "écrivez un nombre entier, sans virgule");
        }
        Some('y' | 'm' | 'w' | 'd' | 'j' | 'a')
            if !chars.get(end + 1).is_some_and(|c| c.is_alphanumeric()) =>
        {
            return err(
                start,
                "une durée se compte depuis aujourd'hui : écrivez par exemple today-18y ou today+90d",
            );
        }
        _ => {}
    }
    match digits.parse::<i64>() {
        Ok(n) => Ok((Tok::Int(n), end)),
        Err(_) => err(start, format!("nombre trop grand : {digits}")),
    }
}

/// A time written the way people write it (`17h`, `17 h 30`, `17.30`, `9:5`), as `HH:MM`;
/// `None` when it is not a time at all.
pub(super) fn loose_time(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let split = compact.find(['h', 'H', ':', '.'])?;
    let (hours, minutes) = (&compact[..split], &compact[split + 1..]);
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    if hours.is_empty() || hours.len() > 2 || minutes.len() > 2 {
        return None;
    }
    if !all_digits(hours) || !all_digits(minutes) {
        return None;
    }
    let h: u32 = hours.parse().ok()?;
    let m: u32 = if minutes.is_empty() {
        0
    } else {
        minutes.parse().ok()?
    };
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// How to write a date written `1/12/2026` or `2026-12-01`: in quotes, year first.
pub(super) fn date_advice(written: &str, quoted: bool) -> String {
    let iso = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(written, f).ok())
        .map(|d| d.format("%Y-%m-%d").to_string());
    match (iso, quoted) {
        (Some(iso), false) if iso == written => {
            format!("mettez la date entre apostrophes : '{iso}'")
        }
        (Some(iso), _) => format!("écrivez la date ainsi : '{iso}' (année-mois-jour)"),
        (None, _) => "écrivez la date ainsi : '2027-01-31' (année-mois-jour)".to_string(),
    }
}

/// A name, a keyword, or `today` with its shift.
fn word(chars: &[char], start: usize) -> Result<(Tok, usize), ExprError> {
    let end = run(chars, start, |c| {
        c.is_alphanumeric() || c == '_' || c == '-'
    });
    let word = text(chars, start, end);
    if word == "today" || word.starts_with("today-") {
        return today(chars, start, end);
    }
    let lower = word.to_lowercase();
    let keyword = match lower.as_str() {
        "and" => Some(Tok::And),
        "or" => Some(Tok::Or),
        "not" => Some(Tok::Not),
        "in" => Some(Tok::In),
        "oui" => Some(Tok::Oui),
        "non" => Some(Tok::Non),
        _ => None,
    };
    let advice = match lower.as_str() {
        "et" => Some(format!("écrivez « and » au lieu de « {word} »")),
        "ou" => Some(format!("écrivez « or » au lieu de « {word} »")),
        "true" | "false" | "vrai" | "faux" | "yes" | "no" => {
            Some(format!("écrivez oui ou non au lieu de « {word} »"))
        }
        _ if word != lower && keyword.is_some() => Some(format!("écrivez {lower} en minuscules")),
        _ if word != lower && lower.starts_with("today") => {
            Some("écrivez today en minuscules".to_string())
        }
        _ => None,
    };
    if let Some(advice) = advice {
        return err(start, advice);
    }
    if let Some(tok) = keyword {
        return Ok((tok, end));
    }
    if !word.chars().all(crate::template::is_name_char) {
        let plain: String = lower.chars().map(fold_accent).collect();
        return err(
            start,
            format!(
                "« {word} » : un nom d'étape s'écrit en minuscules, sans accent, comme « {plain} »"
            ),
        );
    }
    Ok((Tok::Name(word), end))
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' => 'i',
        'ô' | 'ö' => 'o',
        'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'œ' => 'o',
        _ => c,
    }
}

/// `today`, `today-18y`, `today + 90d`: the same syntax as a question's date bounds.
fn today(chars: &[char], start: usize, word_end: usize) -> Result<(Tok, usize), ExprError> {
    let mut end = word_end;
    if end == start + "today".len() {
        // `today+90d`, `today + 90d`, `today - 18y`: the shift is not part of the word.
        let sign = run(chars, end, char::is_whitespace);
        if matches!(chars.get(sign), Some('+' | '-')) {
            let amount = run(chars, sign + 1, char::is_whitespace);
            end = run(chars, amount, char::is_alphanumeric);
        }
    }
    let written = text(chars, start, end);
    match parse_date_bound(&written) {
        Some(DateBound::Relative { days, months }) => Ok((Tok::Today { days, months }, end)),
        _ => err(
            start,
            format!("date relative mal écrite « {written} » : écrivez today, today-18y, today+6m, today+2w ou today+90d"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(source: &str) -> (usize, String) {
        let e = lex(source).expect_err("a mistake");
        (e.offset, e.message)
    }

    #[test]
    fn relative_dates_are_one_token() {
        for (source, days, months) in [
            ("today", 0, 0),
            ("today-18y", 0, -216),
            ("today+90d", 90, 0),
            ("today + 2w", 14, 0),
            ("today - 6m", 0, -6),
        ] {
            assert_eq!(
                lex(source).expect("valid"),
                vec![(Tok::Today { days, months }, 0)],
                "{source}"
            );
        }
        assert_eq!(
            message("d < today+18"),
            (
                4,
                "date relative mal écrite « today+18 » : écrivez today, today-18y, today+6m, today+2w ou today+90d".into()
            )
        );
    }

    #[test]
    fn ordinary_mistakes_say_how_to_write_them() {
        assert_eq!(
            message("rappel == Oui"),
            (10, "écrivez oui en minuscules".into())
        );
        assert_eq!(
            message("heure >= 17:00"),
            (9, "mettez l'heure entre apostrophes : '17:00'".into())
        );
        assert_eq!(
            message("heure >= 9:5"),
            (9, "mettez l'heure entre apostrophes : '09:05'".into())
        );
        assert_eq!(
            message("heure >= 17h"),
            (
                9,
                "écrivez l'heure entre apostrophes, ainsi : '17:00'".into()
            )
        );
        assert_eq!(
            message("d < 1/12/2026"),
            (
                4,
                "écrivez la date ainsi : '2026-12-01' (année-mois-jour)".into()
            )
        );
        assert_eq!(
            message("d < 2026-12-01"),
            (4, "mettez la date entre apostrophes : '2026-12-01'".into())
        );
        assert_eq!(
            message("a or b ET c"),
            (7, "écrivez « and » au lieu de « ET »".into())
        );
        assert_eq!(message("a ou b").1, "écrivez « or » au lieu de « ou »");
        assert_eq!(message("a && b").1, "écrivez « and » au lieu de « && »");
        assert_eq!(message("a => 2").1, "écrivez « >= » (le signe = en second)");
        assert_eq!(message("!a").1, "écrivez « not » au lieu de « ! »");
        assert_eq!(message("a = 2").0, 2);
        assert_eq!(message("a AND b").1, "écrivez and en minuscules");
        assert_eq!(
            message("Rappel").1,
            "« Rappel » : un nom d'étape s'écrit en minuscules, sans accent, comme « rappel »"
        );
        assert_eq!(
            message("numéro == 2").1,
            "« numéro » : un nom d'étape s'écrit en minuscules, sans accent, comme « numero »"
        );
        assert_eq!(
            message("n >= 18y").1,
            "une durée se compte depuis aujourd'hui : écrivez par exemple today-18y ou today+90d"
        );
        assert_eq!(
            message("n == 1,5").1,
            "écrivez un nombre entier, sans virgule"
        );
        assert_eq!(
            message("p == ’eteint’").1,
            "guillemet « ’ » de traitement de texte : écrivez une apostrophe droite, comme 'eteint'"
        );
    }

    #[test]
    fn names_with_dashes_and_negative_numbers_still_lex() {
        assert_eq!(
            lex("date-souhaitee >= -3").expect("valid"),
            vec![
                (Tok::Name("date-souhaitee".into()), 0),
                (Tok::Op(CmpOp::Ge), 15),
                (Tok::Int(-3), 18)
            ]
        );
    }
}
