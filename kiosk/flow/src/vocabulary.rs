//! The words a speech recognition model does not know.
//!
//! A small Vosk model recognizes only the words of its vocabulary: a grammar phrase with another
//! word can never be heard (many commune names: Tincques, Agnez-lès-Duisans). When a flow is
//! installed, and in `kiosk flow check --model DIR`, every phrase of every option (label,
//! synonyms, `say_as`) is checked against the model's vocabulary, passed in as a
//! [`Vocabulary`] (no I/O here: kiosk-voice looks the words up in the model):
//!
//! - a phrase with unknown words is reported, per step and option, in French;
//! - an option still reachable through another phrase (a `say_as` spelling made of known words)
//!   is fine: the recognizer leaves the unknown phrase out of its grammar;
//! - a question with an option that no phrase reaches is listened to in free dictation, the answer
//!   matched to the options by closeness (the choice understanding's close-spelling matching):
//!   [`apply`] marks it in [`Flow::free_recognition`].

use crate::model::{Flow, Question, Step, StepBody};
use crate::understand::normalize::recognizer_form;
use serde::Serialize;
use std::collections::BTreeSet;

/// What a recognition model knows: whether a word (lower case, as the grammar writes it) is in
/// its vocabulary.
pub trait Vocabulary {
    fn knows(&self, word: &str) -> bool;
}

impl<F: Fn(&str) -> bool> Vocabulary for F {
    fn knows(&self, word: &str) -> bool {
        self(word)
    }
}

/// A phrase of an option with words outside the model's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownPhrase {
    pub step: String,
    pub option: String,
    /// As written in the flow or dataset.
    pub phrase: String,
    /// The unknown words, in the grammar's form.
    pub missing: Vec<String>,
    /// Another phrase of the option made of known words, if there is one.
    pub reachable_by: Option<String>,
}

/// The unknown phrases of one flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VocabularyReport {
    pub phrases: Vec<UnknownPhrase>,
}

impl VocabularyReport {
    /// Whether every phrase is made of known words.
    pub fn is_clean(&self) -> bool {
        self.phrases.is_empty()
    }

    /// The steps with an option that no phrase reaches: listened to in free dictation.
    pub fn free_steps(&self) -> Vec<String> {
        let mut steps: Vec<String> = Vec::new();
        for p in self.phrases.iter().filter(|p| p.reachable_by.is_none()) {
            if !steps.contains(&p.step) {
                steps.push(p.step.clone());
            }
        }
        steps
    }

    /// One French line per unknown phrase: `étape « commune », option « 62817 » : ...`.
    pub fn messages(&self) -> Vec<String> {
        self.phrases
            .iter()
            .map(|p| {
                let words = p
                    .missing
                    .iter()
                    .map(|w| format!("« {w} »"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let plural = if p.missing.len() > 1 { "s" } else { "" };
                let outcome = match &p.reachable_by {
                    Some(other) => format!("l'option reste reconnue par « {other} »"),
                    None => "aucune écriture de l'option n'est connue : la question sera écoutée en dictée libre ; ajoutez à l'option un « say_as » fait de mots connus".to_owned(),
                };
                format!(
                    "étape « {} », option « {} » : « {} » : mot{plural} inconnu{plural} du modèle de reconnaissance : {words} ; {outcome}",
                    p.step, p.option, p.phrase
                )
            })
            .collect()
    }
}

fn question(step: &Step) -> Option<&Question> {
    match &step.body {
        StepBody::Question(q) => Some(q),
        _ => None,
    }
}

/// The words of a phrase as the recognizer's grammar holds them.
fn phrase_words(phrase: &str) -> Vec<String> {
    recognizer_form(phrase)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// Every word of every option's phrases, to look up in the model at once.
pub fn option_words(flow: &Flow) -> BTreeSet<String> {
    flow.steps
        .iter()
        .filter_map(question)
        .flat_map(|q| q.kind.options())
        .flat_map(|o| o.phrases())
        .flat_map(|p| phrase_words(p))
        .collect()
}

/// The phrases of the flow's options that the model cannot hear whole.
pub fn check(flow: &Flow, vocabulary: &dyn Vocabulary) -> VocabularyReport {
    let mut phrases = Vec::new();
    for step in &flow.steps {
        let Some(question) = question(step) else {
            continue;
        };
        for option in question.kind.options() {
            let mut unknown = Vec::new();
            let mut reachable_by = None;
            for phrase in option.phrases() {
                let missing: Vec<String> = phrase_words(phrase)
                    .into_iter()
                    .filter(|w| !vocabulary.knows(w))
                    .collect();
                if missing.is_empty() {
                    reachable_by.get_or_insert_with(|| phrase.clone());
                } else {
                    unknown.push((phrase.clone(), missing));
                }
            }
            phrases.extend(unknown.into_iter().map(|(phrase, missing)| UnknownPhrase {
                step: step.id.clone(),
                option: option.id.clone(),
                phrase,
                missing,
                reachable_by: reachable_by.clone(),
            }));
        }
    }
    VocabularyReport { phrases }
}

/// Marks the questions to listen to in free dictation (see [`VocabularyReport::free_steps`]).
pub fn apply(flow: &mut Flow, report: &VocabularyReport) {
    flow.free_recognition = report.free_steps();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> Flow {
        let source = r#"
id: test
version: 1
title: Test
kind: report
service: voirie
description: Un test.
steps:
  - id: commune
    ask: Dans quelle commune ?
    help: Dites le nom de votre commune.
    reprompt: Je n'ai pas compris. Dans quelle commune ?
    label: Commune
    type: choice
    options:
      - id: duisans
        label: Duisans
      - id: tincques
        label: Tincques
        say_as: [tinque]
      - id: izel
        label: Izel-lès-Hameau
  - id: fin
    end: Merci.
"#;
        let loaded = crate::load_flow(source, &crate::Datasets::new());
        loaded
            .value
            .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
    }

    #[test]
    fn unknown_words_are_reported_per_step_and_option_and_free_steps_follow() {
        let mut flow = flow();
        assert!(option_words(&flow).contains("tincques"));
        assert!(option_words(&flow).contains("lès"));
        let known = ["duisans", "tinque", "lès", "hameau"];
        let report = check(&flow, &|w: &str| known.contains(&w));
        assert_eq!(report.phrases.len(), 2, "{report:?}");
        assert_eq!(report.phrases[0].option, "tincques");
        assert_eq!(report.phrases[0].missing, vec!["tincques"]);
        assert_eq!(report.phrases[0].reachable_by.as_deref(), Some("tinque"));
        assert_eq!(report.phrases[1].option, "izel");
        assert_eq!(report.phrases[1].missing, vec!["izel"]);
        assert_eq!(report.phrases[1].reachable_by, None);
        let messages = report.messages();
        assert!(
            messages[0].starts_with("étape « commune », option « tincques » : « Tincques » : mot inconnu du modèle de reconnaissance : « tincques » ; l'option reste reconnue par « tinque »"),
            "{messages:?}"
        );
        assert!(messages[1].contains("dictée libre"), "{messages:?}");
        assert_eq!(report.free_steps(), vec!["commune"]);

        apply(&mut flow, &report);
        assert_eq!(flow.free_recognition, vec!["commune"]);

        // The question is now listened to in free dictation, and a close spelling of a name
        // whose word the model lacks finds its option.
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        let mut session = crate::runtime::Session::new(std::sync::Arc::new(flow.clone()), today);
        session.handle(crate::runtime::Event::Start);
        assert_eq!(session.grammar(), None);
        let options = question(&flow.steps[0]).expect("question").kind.options();
        assert_eq!(
            crate::understand::choice::understand(options, "izel les hameaux").as_deref(),
            Some("izel")
        );

        // A model that knows everything: nothing to say, nothing free.
        let all = check(&flow, &|_: &str| true);
        assert!(all.is_clean());
        apply(&mut flow, &all);
        assert!(flow.free_recognition.is_empty());
        let mut session = crate::runtime::Session::new(std::sync::Arc::new(flow), today);
        session.handle(crate::runtime::Event::Start);
        let grammar = session.grammar().expect("grammar");
        assert!(grammar.iter().any(|p| p == "tinque"), "{grammar:?}");
        assert!(grammar.iter().any(|p| p == "tincques"), "{grammar:?}");
    }

    #[test]
    fn a_say_as_spelling_is_understood_as_its_option() {
        let flow = flow();
        let options = question(&flow.steps[0]).expect("question").kind.options();
        assert_eq!(options[1].say_as, vec!["tinque"]);
        assert_eq!(
            crate::understand::choice::understand(options, "tinque").as_deref(),
            Some("tincques")
        );
    }
}
