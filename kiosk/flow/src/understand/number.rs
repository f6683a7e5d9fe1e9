//! Numbers: French number words (through text2num) and digits, alone or inside a sentence;
//! also the shared span finder used by phone, date, time, email and choice.

use text2num::digit_string::DigitString;
use text2num::lang::French;
use text2num::LangInterpreter;

/// The longest number expression we try to read as one (e.g. "mille neuf cent quatre vingt
/// dix neuf" is 7 words).
const MAX_SPAN: usize = 12;

/// A number found in a list of words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// Index of its first word.
    pub start: usize,
    /// Index after its last word.
    pub end: usize,
    /// Its digits, leading zeros kept ("zéro six" gives "06").
    pub digits: String,
    /// "premier", "deuxième", "1er", "3e"...
    pub ordinal: bool,
}

impl Span {
    /// The value, if it fits an `i64`.
    pub fn value(&self) -> Option<i64> {
        self.digits.parse().ok()
    }
}

/// The spelling text2num expects for a folded word (it knows "zéro", "deuxième").
fn text2num_spelling(word: &str) -> std::borrow::Cow<'_, str> {
    if word == "zero" {
        return "zéro".into();
    }
    if word == "premiere" || word == "premieres" {
        return "première".into();
    }
    for (folded, accented) in [("iemes", "ièmes"), ("ieme", "ième")] {
        if let Some(stem) = word.strip_suffix(folded) {
            return format!("{stem}{accented}").into();
        }
    }
    word.into()
}

/// Whether a folded word is a French number word on its own ("et" is not).
pub fn is_number_word(word: &str) -> bool {
    if matches!(
        word,
        "zero"
            | "un"
            | "une"
            | "deux"
            | "trois"
            | "quatre"
            | "cinq"
            | "six"
            | "sept"
            | "huit"
            | "neuf"
            | "dix"
            | "onze"
            | "douze"
            | "treize"
            | "quatorze"
            | "quinze"
            | "seize"
            | "vingt"
            | "vingts"
            | "trente"
            | "quarante"
            | "cinquante"
            | "soixante"
            | "septante"
            | "huitante"
            | "octante"
            | "nonante"
            | "cent"
            | "cents"
            | "mille"
            | "mil"
            | "million"
            | "millions"
            | "milliard"
            | "milliards"
            | "premier"
            | "premiere"
    ) {
        return true;
    }
    // Ordinals ("deuxieme", "vingt et unieme"): let text2num decide.
    if !(word.ends_with("ieme") || word.ends_with("iemes"))
        || !word.chars().all(|c| c.is_ascii_lowercase())
    {
        return false;
    }
    let mut b = DigitString::new();
    French::new()
        .apply(&text2num_spelling(word), &mut b)
        .is_ok()
}

/// Reads `words` (folded) as exactly one number in words, or `None`.
pub fn parse_number_words<S: AsRef<str>>(words: &[S]) -> Option<(String, bool)> {
    let first = words.first()?.as_ref();
    let last = words.last()?.as_ref();
    if first == "et" || last == "et" {
        return None;
    }
    if !words
        .iter()
        .all(|w| w.as_ref() == "et" || is_number_word(w.as_ref()))
    {
        return None;
    }
    let spelled: Vec<std::borrow::Cow<'_, str>> = words
        .iter()
        .map(|w| text2num_spelling(w.as_ref()))
        .collect();
    let ds = French::new()
        .exec_group(spelled.iter().map(|w| w.as_ref()))
        .ok()?;
    let digits = ds.to_string();
    if digits.is_empty() {
        return None;
    }
    Some((digits, ds.is_ordinal()))
}

/// A single token written with digits: "23", "06", "1er", "1ere", "2e", "3eme", "2nd".
pub fn parse_digit_token(word: &str) -> Option<(String, bool)> {
    let digit_len = word.chars().take_while(char::is_ascii_digit).count();
    if digit_len == 0 {
        return None;
    }
    let (digits, suffix) = word.split_at(digit_len);
    match suffix {
        "" => Some((digits.to_string(), false)),
        "er" | "ere" | "re" | "e" | "eme" | "emes" | "es" | "nd" | "nde" => {
            Some((digits.to_string(), true))
        }
        _ => None,
    }
}

/// Finds the numbers in `words`, left to right, each the longest valid expression starting
/// at its first word. Digit tokens are numbers of their own.
pub fn find_spans<S: AsRef<str>>(words: &[S]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if let Some((digits, ordinal)) = parse_digit_token(words[i].as_ref()) {
            spans.push(Span {
                start: i,
                end: i + 1,
                digits,
                ordinal,
            });
            i += 1;
            continue;
        }
        if !is_number_word(words[i].as_ref()) {
            i += 1;
            continue;
        }
        // The run of words that could belong to one number.
        let mut run_end = i + 1;
        while run_end < words.len()
            && run_end - i < MAX_SPAN
            && (words[run_end].as_ref() == "et" || is_number_word(words[run_end].as_ref()))
        {
            run_end += 1;
        }
        let mut found = None;
        for end in (i + 1..=run_end).rev() {
            if let Some((digits, ordinal)) = parse_number_words(&words[i..end]) {
                found = Some(Span {
                    start: i,
                    end,
                    digits,
                    ordinal,
                });
                break;
            }
        }
        match found {
            Some(span) => {
                i = span.end;
                spans.push(span);
            }
            None => i += 1,
        }
    }
    spans
}

/// Words that mean zero without being a number word.
const ZERO_WORDS: &[&str] = &["aucun", "aucune"];

/// Understands a number answer: exactly one number (possibly repeated), negative after
/// "moins" or a typed minus sign.
pub fn understand(utterance: &str) -> Option<i64> {
    let folded = prepare_typed(&super::normalize::fold(utterance));
    let words = super::normalize::remove_fillers(super::normalize::split_words(&folded));
    let spans = find_spans(&words);
    let mut values: Vec<i64> = Vec::new();
    for span in &spans {
        let mut value = span.value()?;
        if span.start > 0 && words[span.start - 1] == "moins" {
            value = value.checked_neg()?;
        }
        values.push(value);
    }
    if spans.is_empty() && words.iter().any(|w| ZERO_WORDS.contains(&w.as_str())) {
        values.push(0);
    }
    let first = *values.first()?;
    values.iter().all(|&v| v == first).then_some(first)
}

/// Typed forms: "-5" becomes "moins 5"; thousands groups "1 000" or "1.000" are joined.
fn prepare_typed(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let mut out = String::with_capacity(folded.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        if c == '-'
            && next.is_some_and(|n| n.is_ascii_digit())
            && prev.is_none_or(|p| p.is_whitespace())
        {
            out.push_str("moins ");
        } else if (c == ' ' || c == '.' || c == '\u{a0}' || c == '\u{202f}')
            && prev.is_some_and(|p| p.is_ascii_digit())
            && is_thousands_group(&chars[i + 1..])
        {
            // skip the separator
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// Whether `rest` starts with exactly three digits followed by a non-digit or the end.
fn is_thousands_group(rest: &[char]) -> bool {
    rest.len() >= 3
        && rest[..3].iter().all(char::is_ascii_digit)
        && rest.get(3).is_none_or(|c| !c.is_ascii_digit())
}

/// French words for a number, spaced as a recognizer writes them ("quatre vingt dix neuf").
pub fn french_words(n: u32) -> String {
    const UNITS: [&str; 17] = [
        "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix",
        "onze", "douze", "treize", "quatorze", "quinze", "seize",
    ];
    const TENS: [&str; 8] = [
        "vingt",
        "trente",
        "quarante",
        "cinquante",
        "soixante",
        "soixante",
        "quatre vingt",
        "quatre vingt",
    ];
    fn below_100(n: u32) -> String {
        match n {
            0..=16 => UNITS[n as usize].to_string(),
            17..=19 => format!("dix {}", UNITS[(n - 10) as usize]),
            _ => {
                let tens = n / 10;
                let unit = n % 10;
                let base = TENS[(tens - 2) as usize];
                match (tens, unit) {
                    (7, u) | (9, u) => {
                        let rest = 10 + u;
                        if tens == 7 && u == 1 {
                            format!("{base} et onze")
                        } else {
                            format!("{base} {}", below_100(rest))
                        }
                    }
                    (_, 0) => base.to_string(),
                    (8, u) => format!("{base} {}", UNITS[u as usize]),
                    (_, 1) => format!("{base} et un"),
                    (_, u) => format!("{base} {}", UNITS[u as usize]),
                }
            }
        }
    }
    fn below_1000(n: u32) -> String {
        let hundreds = n / 100;
        let rest = n % 100;
        let head = match hundreds {
            0 => String::new(),
            1 => "cent".to_string(),
            h if rest == 0 => format!("{} cents", UNITS[h as usize]),
            h => format!("{} cent", UNITS[h as usize]),
        };
        match (head.is_empty(), rest) {
            (true, r) => below_100(r),
            (false, 0) => head,
            (false, r) => format!("{head} {}", below_100(r)),
        }
    }
    if n < 1000 {
        return below_1000(n);
    }
    if n < 1_000_000 {
        let thousands = n / 1000;
        let rest = n % 1000;
        let head = if thousands == 1 {
            "mille".to_string()
        } else {
            format!("{} mille", below_1000(thousands))
        };
        return if rest == 0 {
            head
        } else {
            format!("{head} {}", below_1000(rest))
        };
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_number_words() {
        for (said, expected) in [
            ("vingt-trois", 23),
            ("vingt trois", 23),
            ("soixante et onze", 71),
            ("quatre-vingt-dix-neuf", 99),
            ("deux cent cinquante", 250),
            ("mille deux cents", 1200),
            ("23", 23),
            ("j'ai deux enfants", 2),
            ("il y en a trois", 3),
            ("un", 1),
            ("une", 1),
            ("zéro", 0),
            ("moins cinq", -5),
            ("-5", -5),
            ("1 000", 1000),
            ("aucun", 0),
            ("deux deux", 2),
        ] {
            assert_eq!(understand(said), Some(expected), "{said}");
        }
    }

    #[test]
    fn refuses_two_numbers_or_none() {
        for said in [
            "deux ou trois",
            "2,5",
            "rien du tout",
            "",
            "un chien et deux chats",
        ] {
            assert_eq!(understand(said), None, "{said}");
        }
    }

    #[test]
    fn huge_numbers_do_not_panic() {
        assert_eq!(understand("99999999999999999999999999"), None);
        let _ = understand("milliard milliard milliard mille mille cent");
        let _ = understand("neuf cent quatre vingt dix neuf milliards neuf cent mille milliards");
    }

    #[test]
    fn spans_keep_leading_zeros_and_ordinals() {
        let words = ["zero", "six", "le", "premier", "1er"];
        let spans = find_spans(&words);
        assert_eq!(spans.len(), 3);
        assert_eq!(spans[0].digits, "06");
        assert!(spans[1].ordinal && spans[2].ordinal);
    }

    #[test]
    fn number_words_agree_with_text2num() {
        for word in [
            "zero", "un", "une", "deux", "seize", "vingt", "vingts", "cent", "cents", "mille",
            "premier", "premiere", "deuxieme", "unieme", "centieme", "et", "chat", "neuvieme",
            "sixiemes", "uns", "dixs",
        ] {
            let mut b = DigitString::new();
            let by_text2num = word != "et"
                && French::new()
                    .apply(&text2num_spelling(word), &mut b)
                    .is_ok();
            // Plural forms text2num lemmatizes but nobody says are not number words here.
            if word != "uns" && word != "dixs" {
                assert_eq!(is_number_word(word), by_text2num, "{word}");
            }
        }
    }

    #[test]
    fn writes_french_words() {
        for (n, words) in [
            (0, "zéro"),
            (17, "dix sept"),
            (21, "vingt et un"),
            (71, "soixante et onze"),
            (77, "soixante dix sept"),
            (80, "quatre vingt"),
            (81, "quatre vingt un"),
            (91, "quatre vingt onze"),
            (99, "quatre vingt dix neuf"),
            (100, "cent"),
            (200, "deux cents"),
            (250, "deux cent cinquante"),
            (1950, "mille neuf cent cinquante"),
            (2026, "deux mille vingt six"),
        ] {
            assert_eq!(french_words(n), words);
        }
        for n in 0..3000 {
            let folded = super::super::normalize::clean_words(&french_words(n));
            let spans = find_spans(&folded);
            assert_eq!(spans.len(), 1, "{n}");
            assert_eq!(spans[0].value(), Some(i64::from(n)), "{n}");
        }
    }
}
