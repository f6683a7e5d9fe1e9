//! The phrases a speech recognizer in grammar mode should expect for a kind of answer
//! (Vosk runtime grammars), always followed by the global command phrases.

use super::command::command_phrases;
use super::normalize::recognizer_form;
use super::number::french_words;
use super::yes_no::{NO, TOUCH_ONLY, YES};
use super::Expected;
use crate::model::display::MONTHS;
use std::collections::HashSet;

use crate::calendar::WEEKDAY_NAMES as WEEKDAYS;

const ORDINALS: [(&str, &str); 10] = [
    ("premier", "première"),
    ("deuxième", "deuxième"),
    ("troisième", "troisième"),
    ("quatrième", "quatrième"),
    ("cinquième", "cinquième"),
    ("sixième", "sixième"),
    ("septième", "septième"),
    ("huitième", "huitième"),
    ("neuvième", "neuvième"),
    ("dixième", "dixième"),
];

/// An ordered list without duplicates.
#[derive(Default)]
struct Phrases {
    list: Vec<String>,
    seen: HashSet<String>,
}

impl Phrases {
    fn add(&mut self, phrase: &str) {
        let phrase = recognizer_form(phrase);
        if !phrase.is_empty() && self.seen.insert(phrase.clone()) {
            self.list.push(phrase);
        }
    }

    fn add_all<'s>(&mut self, phrases: impl IntoIterator<Item = &'s str>) {
        for p in phrases {
            self.add(p);
        }
    }

    fn add_numbers(&mut self, range: std::ops::RangeInclusive<u32>) {
        for n in range {
            self.add(&french_words(n));
        }
    }
}

/// The phrases for this kind of answer, then the command phrases; `None` for free
/// dictation (text, email).
pub fn grammar_phrases(expected: Expected<'_>) -> Option<Vec<String>> {
    let mut p = Phrases::default();
    match expected {
        Expected::Text | Expected::Name | Expected::Email => return None,
        Expected::YesNo => {
            for phrase in YES.iter().chain(NO) {
                if !TOUCH_ONLY.contains(phrase) {
                    p.add(phrase);
                }
            }
        }
        Expected::Number => {
            p.add_numbers(0..=100);
            p.add_all(["cent", "cents", "mille", "moins", "et"]);
            for h in 2..=9 {
                p.add(&french_words(h * 100));
            }
            p.add_all([
                "deux mille",
                "dix mille",
                "cent mille",
                "million",
                "millions",
            ]);
        }
        Expected::Phone => {
            p.add("plus");
            p.add_numbers(0..=99);
            p.add("trente trois");
        }
        Expected::Date(_) => {
            p.add("premier");
            p.add("le premier");
            p.add_numbers(1..=31);
            p.add_all(MONTHS);
            p.add_all(WEEKDAYS);
            p.add_all([
                "aujourd'hui",
                "demain",
                "après demain",
                "hier",
                "avant hier",
                "prochain",
                "prochaine",
                "dernier",
                "le",
                "dans",
                "il y a",
                "jour",
                "jours",
                "semaine",
                "semaines",
                "mois",
                "an",
                "ans",
                "mille",
                "mille neuf cent",
                "dix neuf cent",
                "neuf cent",
                "deux mille",
            ]);
            p.add_numbers(32..=99);
        }
        Expected::Time => {
            p.add_numbers(0..=23);
            p.add_all([
                "heure",
                "heures",
                "midi",
                "minuit",
                "et quart",
                "et demie",
                "et demi",
                "moins le quart",
                "moins",
                "minutes",
                "du matin",
                "de l'après midi",
                "du soir",
                "de la nuit",
            ]);
            p.add_numbers(24..=59);
        }
        Expected::Choices(options) => {
            for option in options {
                p.add_all(option.phrases().map(String::as_str));
            }
            p.add_all([
                "et",
                "le",
                "la",
                "les",
                "tous",
                "toutes",
                "tout",
                "sauf",
                "pas",
                "enlevez",
                "c'est tout",
                "rien d'autre",
                "valider",
                "non merci",
            ]);
        }
        Expected::Choice(options) => {
            for option in options {
                p.add_all(option.phrases().map(String::as_str));
            }
            let count = options.len().min(ORDINALS.len());
            for (masculine, feminine) in &ORDINALS[..count] {
                p.add(&format!("le {masculine}"));
                p.add(&format!("la {feminine}"));
            }
            if count >= 2 {
                p.add_all(["la seconde", "le second", "le dernier", "la dernière"]);
            }
            for n in 1..=u32::try_from(count).unwrap_or(0) {
                p.add(&format!("numéro {}", french_words(n)));
            }
        }
    }
    for (phrase, _) in command_phrases() {
        p.add(phrase);
    }
    Some(p.list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChoiceOption;
    use crate::understand::DateWindow;

    #[test]
    fn free_dictation_has_no_grammar() {
        assert!(grammar_phrases(Expected::Text).is_none());
        assert!(grammar_phrases(Expected::Email).is_none());
    }

    #[test]
    fn kinds_have_their_words_and_the_commands() {
        let yes_no = grammar_phrases(Expected::YesNo).expect("grammar");
        assert!(yes_no.contains(&"oui".to_string()));
        assert!(yes_no.contains(&"non merci".to_string()));
        assert!(!yes_no.contains(&"true".to_string()));
        assert!(yes_no.contains(&"je veux parler à quelqu'un".to_string()));
        let phone = grammar_phrases(Expected::Phone).expect("grammar");
        assert!(phone.contains(&"quatre vingt dix neuf".to_string()));
        assert!(phone.contains(&"zéro".to_string()));
        let date = grammar_phrases(Expected::Date(DateWindow::ANY)).expect("grammar");
        assert!(date.contains(&"trente et un".to_string()));
        assert!(date.contains(&"décembre".to_string()));
        assert!(date.contains(&"aujourd'hui".to_string()));
        let time = grammar_phrases(Expected::Time).expect("grammar");
        assert!(time.contains(&"moins le quart".to_string()));
        let number = grammar_phrases(Expected::Number).expect("grammar");
        assert!(number.contains(&"cent".to_string()));
        assert!(number.contains(&"mille".to_string()));
    }

    #[test]
    fn choice_grammar_is_deduplicated_and_ordered() {
        let options = vec![
            ChoiceOption::new("62060", "Avesnes-le-Comte", &["Avesnes le Comte"]),
            ChoiceOption::new("62282", "Duisans", &[]),
        ];
        let g = grammar_phrases(Expected::Choice(&options)).expect("grammar");
        assert_eq!(g[0], "avesnes le comte");
        assert_eq!(g[1], "duisans");
        assert!(g.contains(&"la deuxième".to_string()));
        assert!(g.contains(&"numéro deux".to_string()));
        let unique: HashSet<&String> = g.iter().collect();
        assert_eq!(unique.len(), g.len());
        assert_eq!(
            g,
            grammar_phrases(Expected::Choice(&options)).expect("grammar")
        );
    }
}
