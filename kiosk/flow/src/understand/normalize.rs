//! One normal form for all matching: lower case, accents folded, apostrophes and hyphens
//! split, fillers and politeness removed; plus the recognizer form used in grammars.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lower case, accents folded, ligatures expanded, typographic apostrophes, dashes and
/// spaces unified. Every other character is kept (digits, `@`, `.`, `:`, `/`, `+`...).
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        for c in c.to_lowercase() {
            match c {
                'œ' => out.push_str("oe"),
                'æ' => out.push_str("ae"),
                'ß' => out.push_str("ss"),
                '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' => out.push('\''),
                '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => {
                    out.push('-')
                }
                c if c.is_whitespace() => out.push(' '),
                c => decompose_canonical(c, |d| {
                    if !is_combining_mark(d) {
                        out.push(d)
                    }
                }),
            }
        }
    }
    out
}

/// Splits a folded string into words: runs of letters and digits. Everything else
/// (spaces, apostrophes, hyphens, punctuation) separates words.
pub fn split_words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Single words that carry no meaning in an answer.
const FILLER_WORDS: &[&str] = &[
    "euh", "heu", "euuh", "heuu", "hum", "hmm", "bah", "ben", "alors", "bonjour", "svp", "stp",
];

/// Multi-word fillers (folded, split form).
const FILLER_PHRASES: &[&[&str]] = &[
    &["s", "il", "vous", "plait"],
    &["s", "il", "te", "plait"],
    &["merci", "beaucoup"],
    &["merci", "bien"],
];

/// The words of an utterance in normal form, fillers removed. "merci" is dropped unless
/// it follows "non" ("non merci" is an answer).
pub fn clean_words(utterance: &str) -> Vec<String> {
    remove_fillers(split_words(&fold(utterance)))
}

/// Removes fillers from already normalised words.
pub fn remove_fillers(words: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    'outer: while i < words.len() {
        for phrase in FILLER_PHRASES {
            if starts_with_at(&words, i, phrase) {
                // "non merci beaucoup" keeps its "merci".
                if phrase[0] == "merci" && out.last().is_some_and(|w| w == "non") {
                    out.push(words[i].clone());
                }
                i += phrase.len();
                continue 'outer;
            }
        }
        let w = words[i].as_str();
        let keep = if w == "merci" {
            out.last().is_some_and(|p| p == "non")
        } else {
            !FILLER_WORDS.contains(&w)
        };
        if keep {
            out.push(words[i].clone());
        }
        i += 1;
    }
    out
}

/// Whether `words[at..]` begins with `phrase`.
pub fn starts_with_at<S: AsRef<str>, P: AsRef<str>>(words: &[S], at: usize, phrase: &[P]) -> bool {
    words.len() >= at + phrase.len()
        && phrase
            .iter()
            .zip(&words[at..])
            .all(|(p, w)| p.as_ref() == w.as_ref())
}

/// Whether `words` ends with `phrase`.
pub fn ends_with<S: AsRef<str>, P: AsRef<str>>(words: &[S], phrase: &[P]) -> bool {
    words.len() >= phrase.len() && starts_with_at(words, words.len() - phrase.len(), phrase)
}

/// The form a speech recognizer in grammar mode expects: lower case with accents,
/// apostrophes kept inside words, hyphens and other punctuation turned into spaces,
/// digit runs written in French words.
pub fn recognizer_form(s: &str) -> String {
    let mut spaced = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            spaced.push(' ');
            spaced.push_str(&digits_in_words(&run));
            spaced.push(' ');
            continue;
        }
        match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\'' => {
                let prev_alpha = i > 0 && chars[i - 1].is_alphabetic();
                let next_alpha = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
                spaced.push(if prev_alpha && next_alpha { '\'' } else { ' ' });
            }
            c if c.is_alphabetic() => spaced.extend(c.to_lowercase()),
            _ => spaced.push(' '),
        }
        i += 1;
    }
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A digit run in words: whole numbers up to 9999 as a number, longer runs digit by digit.
fn digits_in_words(run: &str) -> String {
    match run.parse::<u32>() {
        Ok(n) if run.len() <= 4 && !(run.len() > 1 && run.starts_with('0')) => {
            super::number::french_words(n)
        }
        _ => run
            .chars()
            .filter_map(|c| c.to_digit(10))
            .map(super::number::french_words)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_ligatures() {
        assert_eq!(fold("Ça Éteint ŒUF"), "ca eteint oeuf");
        assert_eq!(fold("l’aide"), "l'aide");
        assert_eq!(fold("ASCII Only"), "ascii only");
    }

    #[test]
    fn splits_apostrophes_and_hyphens() {
        assert_eq!(
            split_words(&fold("Avesnes-le-Comte, j'ai dit !")),
            ["avesnes", "le", "comte", "j", "ai", "dit"]
        );
    }

    #[test]
    fn removes_fillers_but_keeps_non_merci() {
        assert_eq!(clean_words("euh oui merci"), ["oui"]);
        assert_eq!(clean_words("non merci"), ["non", "merci"]);
        assert_eq!(clean_words("non merci beaucoup"), ["non", "merci"]);
        assert_eq!(clean_words("Répétez, s'il vous plaît"), ["repetez"]);
        assert_eq!(clean_words("ben alors heu"), Vec::<String>::new());
    }

    #[test]
    fn recognizer_form_keeps_accents_and_apostrophes() {
        assert_eq!(recognizer_form("Avesnes-le-Comte"), "avesnes le comte");
        assert_eq!(
            recognizer_form("Il ne s'allume plus."),
            "il ne s'allume plus"
        );
        assert_eq!(recognizer_form("Salle n°2"), "salle n deux");
        assert_eq!(
            recognizer_form("Allumé l’après-midi"),
            "allumé l'après midi"
        );
    }
}
