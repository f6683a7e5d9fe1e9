//! French phone numbers, said in pairs ("zéro six douze trente quatre..."), digit by digit,
//! mixed, or typed ("06 12 34 56 78", "+33 6 12 34 56 78"); always ten digits starting with 0.

use super::normalize::{fold, remove_fillers, split_words};
use super::number::{is_number_word, parse_number_words};

/// Words that may appear between groups without meaning anything.
const CONNECTORS: &[&str] = &["et", "tiret", "point", "espace", "virgule"];

/// The longest spoken group ("quatre vingt dix neuf" is 4 words).
const MAX_GROUP_WORDS: usize = 4;

/// Understands a phone number; returns its ten national digits.
pub fn understand(utterance: &str) -> Option<String> {
    let folded = fold(utterance);
    let typed = folded.chars().any(|c| c.is_ascii_digit())
        && folded
            .chars()
            .all(|c| c.is_ascii_digit() || " .-/()+".contains(c));
    if typed {
        let intl = folded.trim_start().starts_with('+');
        let digits: String = folded.chars().filter(char::is_ascii_digit).collect();
        return national(&digits, intl);
    }
    let words = remove_fillers(split_words(&folded.replace('+', " plus ")));
    spoken(&words)
}

fn is_digits(word: &str) -> bool {
    !word.is_empty() && word.chars().all(|c| c.is_ascii_digit())
}

fn is_numeric(word: &str) -> bool {
    is_digits(word) || is_number_word(word)
}

/// Reads spoken (or mixed) words: lead-in and trailing words are skipped, groups of 0 to 99
/// are read greedily, longest first. When that does not give a phone number, the groups
/// are read again as pairs only ("quatre vingt | quatre vingt dix" rather than
/// "quatre vingt quatre | vingt | dix"), and kept if exactly one reading fits.
fn spoken(words: &[String]) -> Option<String> {
    let first = words.iter().position(|w| is_numeric(w))?;
    let last = words.iter().rposition(|w| is_numeric(w))?;
    let intl = first > 0 && words[first - 1] == "plus";
    let mut tokens: Vec<&str> = Vec::with_capacity(last + 1 - first);
    for word in &words[first..=last] {
        if is_numeric(word) || word == "et" {
            tokens.push(word);
        } else if !CONNECTORS.contains(&word.as_str()) {
            return None;
        }
    }
    if let Some(number) = greedy(&tokens).and_then(|d| national(&d, intl)) {
        return Some(number);
    }
    let mut found: Vec<String> = Vec::new();
    let mut budget = SEARCH_BUDGET;
    pairs(
        &tokens,
        0,
        &mut String::new(),
        intl,
        &mut found,
        &mut budget,
    );
    match found.as_slice() {
        [only] => Some(only.clone()),
        _ => None,
    }
}

/// How many steps the pair search may take before giving up.
const SEARCH_BUDGET: usize = 4000;

/// The groups a spoken group can be read as at `at`, longest first: `(end, digits)`.
fn groups_at(tokens: &[&str], at: usize) -> Vec<(usize, String)> {
    let Some(word) = tokens.get(at) else {
        return Vec::new();
    };
    if is_digits(word) {
        return vec![(at + 1, word.to_string())];
    }
    let max_end = (at + MAX_GROUP_WORDS).min(tokens.len());
    (at + 1..=max_end)
        .rev()
        .filter_map(|end| {
            let span = &tokens[at..end];
            if span.iter().any(|w| is_digits(w)) {
                return None;
            }
            match parse_number_words(span) {
                Some((d, false)) if d.len() <= 2 => Some((end, d)),
                _ => None,
            }
        })
        .collect()
}

/// Longest group first, left to right.
fn greedy(tokens: &[&str]) -> Option<String> {
    let mut digits = String::with_capacity(12);
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i] == "et" {
            i += 1;
            continue;
        }
        let (end, group) = groups_at(tokens, i).into_iter().next()?;
        digits.push_str(&group);
        i = end;
        if digits.len() > 13 {
            return None;
        }
    }
    Some(digits)
}

/// Every reading where each spoken group gives two digits (the first may give one, as
/// in "zéro | six | douze"); valid phone numbers go to `found` (two are enough to know
/// it is ambiguous).
fn pairs(
    tokens: &[&str],
    at: usize,
    digits: &mut String,
    intl: bool,
    found: &mut Vec<String>,
    budget: &mut usize,
) {
    if found.len() >= 2 || *budget == 0 || digits.len() > 13 {
        return;
    }
    *budget -= 1;
    if at == tokens.len() {
        if let Some(number) = national(digits, intl) {
            if !found.contains(&number) {
                found.push(number);
            }
        }
        return;
    }
    for (end, group) in groups_at(tokens, at) {
        let leading = digits.len() < 2;
        if group.len() != 2 && !leading {
            continue;
        }
        let len = digits.len();
        digits.push_str(&group);
        pairs(tokens, end, digits, intl, found, budget);
        digits.truncate(len);
    }
}

/// The national ten-digit form of what was said or typed, or `None`.
fn national(digits: &str, intl: bool) -> Option<String> {
    let after_country = if let Some(rest) = digits.strip_prefix("0033") {
        Some(rest)
    } else if intl || digits.len() == 11 || digits.len() == 12 {
        digits.strip_prefix("33")
    } else {
        None
    };
    let number = match after_country {
        Some(rest) if rest.len() == 9 => format!("0{rest}"),
        Some(rest) if rest.len() == 10 && rest.starts_with('0') => rest.to_string(),
        Some(_) => return None,
        None if intl => return None,
        None => digits.to_string(),
    };
    let bytes = number.as_bytes();
    (bytes.len() == 10 && bytes[0] == b'0' && (b'1'..=b'9').contains(&bytes[1])).then_some(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoken_and_typed_forms() {
        for said in [
            "zéro six douze trente quatre cinquante six soixante dix huit",
            "zéro six un deux trois quatre cinq six sept huit",
            "zéro six douze trente-quatre 56 soixante-dix-huit",
            "06 12 34 56 78",
            "06.12.34.56.78",
            "06-12-34-56-78",
            "0612345678",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033612345678",
            "plus trente trois six douze trente quatre cinquante six soixante dix huit",
            "mon numéro c'est le zéro six douze trente quatre cinquante six soixante dix huit",
            "zéro six douze trente quatre cinquante six soixante dix huit voilà",
        ] {
            assert_eq!(understand(said).as_deref(), Some("0612345678"), "{said}");
        }
    }

    #[test]
    fn pairs_with_tens() {
        assert_eq!(
            understand("zéro trois vingt et un quatre vingt quatre vingt dix soixante et onze")
                .as_deref(),
            Some("0321809071")
        );
        assert_eq!(
            understand("zéro un quatre vingt dix neuf zéro zéro dix sept onze").as_deref(),
            Some("0199001711")
        );
    }

    #[test]
    fn incomplete_or_invalid() {
        for said in [
            "zéro six douze trente quatre cinquante six",
            "06 12 34 56 78 90",
            "zéro six cent douze trente quatre",
            "00 12 34 56 78",
            "+32 6 12 34 56 78",
            "six douze trente quatre cinquante six soixante dix huit",
            "zéro six douze trente quatre maison cinquante six soixante dix huit",
            "",
            "oui",
        ] {
            assert_eq!(understand(said), None, "{said}");
        }
    }
}
