//! Yes/no answers: "oui", "bien sûr", "c'est ça" / "non", "pas du tout", "c'est pas ça";
//! a contradictory utterance ("oui non") is not understood.

use super::normalize::{split_words, starts_with_at};
use std::sync::OnceLock;

/// Phrases meaning yes, as people say them.
pub const YES: &[&str] = &[
    "oui",
    "ouais",
    "ouai",
    "ouaip",
    "oui oui",
    "bien sûr",
    "bien sûr que oui",
    "mais oui",
    "d'accord",
    "c'est ça",
    "oui c'est ça",
    "c'est bien ça",
    "c'est exact",
    "c'est correct",
    "c'est bon",
    "exactement",
    "exact",
    "tout à fait",
    "voilà",
    "affirmatif",
    "absolument",
    "évidemment",
    "bien entendu",
    "certainement",
    "volontiers",
    "avec plaisir",
    "pas de problème",
    "ça marche",
    "je confirme",
    "correct",
    "parfait",
    "ok",
    "okay",
    "yes",
    "true",
    "vrai",
    "si",
];

/// Phrases meaning no, as people say them.
pub const NO: &[&str] = &[
    "non",
    "non non",
    "non merci",
    "nan",
    "pas du tout",
    "ce n'est pas ça",
    "c'est pas ça",
    "ce n'est pas bon",
    "c'est pas bon",
    "ce n'est pas correct",
    "c'est pas correct",
    "c'est faux",
    "pas vraiment",
    "pas d'accord",
    "jamais",
    "surtout pas",
    "absolument pas",
    "certainement pas",
    "bien sûr que non",
    "mais non",
    "pas question",
    "hors de question",
    "négatif",
    "faux",
    "no",
    "false",
];

/// Values a touch button or a keyboard sends, not words a French recognizer knows.
pub const TOUCH_ONLY: &[&str] = &["yes", "no", "true", "false"];

/// Words that turn a yes into something else ("oui mais pas maintenant").
const NEGATION_WORDS: &[&str] = &["pas", "ne", "n", "rien", "aucun", "aucune", "plus"];

/// The folded phrases, word lists with their polarity, longest first.
fn phrases() -> &'static [(Vec<String>, bool)] {
    static PHRASES: OnceLock<Vec<(Vec<String>, bool)>> = OnceLock::new();
    PHRASES.get_or_init(|| {
        let mut all: Vec<(Vec<String>, bool)> = YES
            .iter()
            .map(|p| (p, true))
            .chain(NO.iter().map(|p| (p, false)))
            .map(|(p, yes)| (split_words(&super::normalize::fold(p)), yes))
            .collect();
        // Longest first; the sort is stable so the order above breaks ties.
        all.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
        all
    })
}

/// Understands a yes/no answer from normalised words.
pub fn understand(words: &[String]) -> Option<bool> {
    let mut polarity: Option<bool> = None;
    let mut negation_outside = false;
    let mut i = 0;
    while i < words.len() {
        match phrases()
            .iter()
            .find(|(phrase, _)| starts_with_at(words, i, phrase))
        {
            Some((phrase, yes)) => {
                if polarity.is_some_and(|p| p != *yes) {
                    return None;
                }
                polarity = Some(*yes);
                i += phrase.len();
            }
            None => {
                negation_outside |= NEGATION_WORDS.contains(&words[i].as_str());
                i += 1;
            }
        }
    }
    match polarity {
        Some(true) if negation_outside => None,
        p => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::normalize::clean_words;

    fn yn(s: &str) -> Option<bool> {
        understand(&clean_words(s))
    }

    #[test]
    fn yes_and_no_phrases() {
        for s in YES {
            assert_eq!(yn(s), Some(true), "{s}");
        }
        for s in NO {
            assert_eq!(yn(s), Some(false), "{s}");
        }
        assert_eq!(yn("Oui, c'est bien ça."), Some(true));
        assert_eq!(yn("euh non merci"), Some(false));
        assert_eq!(yn("TRUE"), Some(true));
        assert_eq!(yn("oui je veux être rappelé"), Some(true));
    }

    #[test]
    fn contradictions_and_unknowns() {
        assert_eq!(yn("oui non"), None);
        assert_eq!(yn("non oui"), None);
        assert_eq!(yn("je ne sais pas"), None);
        assert_eq!(yn("oui mais pas maintenant"), None);
        assert_eq!(yn("peut-être"), None);
        assert_eq!(yn(""), None);
    }
}
