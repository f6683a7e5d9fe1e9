//! Receipt codes said aloud or typed: "ka sept emme quatre pé cu", "i grec, ka, cu, bé, gé,
//! vé", "K7M-4PQ". French letter names, digits as words or figures, with or without the dash.
//! Anything outside the receipt alphabet, or not exactly six characters, is not understood.

use super::normalize::{fold, split_words};
use crate::receipt::{is_receipt_char, normalize_receipt, RECEIPT_LENGTH};

/// Letter and digit names (folded forms), one character each.
const NAMES: &[(&str, char)] = &[
    ("a", 'A'),
    ("ah", 'A'),
    ("be", 'B'),
    ("ce", 'C'),
    ("c", 'C'),
    ("de", 'D'),
    ("d", 'D'),
    ("e", 'E'),
    ("eu", 'E'),
    ("ef", 'F'),
    ("effe", 'F'),
    ("f", 'F'),
    ("ge", 'G'),
    ("g", 'G'),
    ("ache", 'H'),
    ("hache", 'H'),
    ("h", 'H'),
    ("ji", 'J'),
    ("gi", 'J'),
    ("j", 'J'),
    ("ka", 'K'),
    ("k", 'K'),
    ("el", 'L'),
    ("elle", 'L'),
    ("l", 'L'),
    ("em", 'M'),
    ("emme", 'M'),
    ("m", 'M'),
    ("en", 'N'),
    ("enne", 'N'),
    ("n", 'N'),
    ("pe", 'P'),
    ("p", 'P'),
    ("cu", 'Q'),
    ("ku", 'Q'),
    ("q", 'Q'),
    ("er", 'R'),
    ("erre", 'R'),
    ("r", 'R'),
    ("es", 'S'),
    ("esse", 'S'),
    ("s", 'S'),
    ("te", 'T'),
    ("t", 'T'),
    ("u", 'U'),
    ("ve", 'V'),
    ("v", 'V'),
    ("w", 'W'),
    ("ix", 'X'),
    ("ixe", 'X'),
    ("iks", 'X'),
    ("x", 'X'),
    ("y", 'Y'),
    ("zed", 'Z'),
    ("zede", 'Z'),
    ("z", 'Z'),
    ("deux", '2'),
    ("trois", '3'),
    ("quatre", '4'),
    ("cinq", '5'),
    ("six", '6'),
    ("sept", '7'),
    ("huit", '8'),
    ("neuf", '9'),
];

/// Two-word names.
const PAIRS: &[(&str, &str, char)] = &[("i", "grec", 'Y'), ("double", "ve", 'W')];

/// Words around a code that carry nothing: "mon code c'est", "tiret", "le chiffre".
const FILLERS: &[&str] = &[
    "mon",
    "code",
    "c",
    "est",
    "ce",
    "le",
    "la",
    "les",
    "un",
    "une",
    "lettre",
    "chiffre",
    "tiret",
    "trait",
    "union",
    "moins",
    "espace",
    "puis",
    "et",
    "majuscule",
    "de",
    "suivi",
    "euh",
    "alors",
    "voila",
];

/// The canonical code (`K7M-4PQ`) in `utterance`, if it holds exactly one.
pub fn understand(utterance: &str) -> Option<String> {
    let words = split_words(&fold(utterance));
    // Each character heard, and whether its word is also a filler ("c'est", "code de suivi").
    let mut heard: Vec<(char, bool)> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        if let Some(next) = words.get(i + 1) {
            if let Some((_, _, c)) = PAIRS.iter().find(|(a, b, _)| *a == word && b == next) {
                heard.push((*c, false));
                i += 2;
                continue;
            }
        }
        if let Some((_, c)) = NAMES.iter().find(|(name, _)| *name == word) {
            heard.push((*c, FILLERS.contains(&word)));
        } else if FILLERS.contains(&word) {
        } else if word.len() > 1
            && word
                .chars()
                .all(|c| is_receipt_char(c.to_ascii_uppercase()))
        {
            // A typed chunk: "k7m", "4pq".
            heard.extend(word.chars().map(|c| (c.to_ascii_uppercase(), false)));
        } else {
            return None;
        }
        i += 1;
    }
    // Words that are letters or fillers ("c'est ka sept…", "cé erre huit…") count as letters
    // unless the code only has its six characters without the first of them.
    while heard.len() > RECEIPT_LENGTH && heard.first().is_some_and(|(_, filler)| *filler) {
        heard.remove(0);
    }
    if heard.len() != RECEIPT_LENGTH {
        return None;
    }
    normalize_receipt(&heard.into_iter().map(|(c, _)| c).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::understand;

    #[test]
    fn letter_names_digits_and_typed_codes() {
        assert_eq!(
            understand("i grec, ka, cu, bé, gé, vé").as_deref(),
            Some("YKQ-BGV")
        );
        assert_eq!(
            understand("ka sept emme quatre pé cu").as_deref(),
            Some("K7M-4PQ")
        );
        assert_eq!(understand("K7M-4PQ").as_deref(), Some("K7M-4PQ"));
        assert_eq!(understand("k7m4pq").as_deref(), Some("K7M-4PQ"));
        assert_eq!(
            understand("mon code c'est ka sept emme tiret quatre pé cu").as_deref(),
            Some("K7M-4PQ")
        );
        assert_eq!(
            understand("double vé deux trois zède huit neuf").as_deref(),
            Some("W23-Z89")
        );
        // A code that starts with a letter that is also a filler word.
        assert_eq!(
            understand("cé erre huit cinq six erre").as_deref(),
            Some("CR8-56R")
        );
        assert_eq!(
            understand("c'est dé erre huit cinq six erre").as_deref(),
            Some("DR8-56R")
        );
    }

    #[test]
    fn wrong_lengths_and_letters_outside_the_alphabet_are_not_understood() {
        assert_eq!(understand("ka sept emme quatre pé"), None);
        assert_eq!(understand("K7M-4PQ2"), None);
        assert_eq!(understand("K7M-4PO"), None);
        assert_eq!(understand("zéro un deux trois quatre cinq"), None);
        assert_eq!(understand("je ne sais pas"), None);
        assert_eq!(understand(""), None);
    }
}
