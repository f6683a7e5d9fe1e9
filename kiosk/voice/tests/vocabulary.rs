//! The flows' phrases against the real Korean Vosk model's vocabulary (the registries ship no
//! French model): a word it lacks ("tincques") is reported with its step and option, and the
//! option is still reached by voice: through its `say_as` spelling in grammar mode, or through
//! free dictation and close matching when no spelling is known.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDate;
use kiosk_flow::model::Value;
use kiosk_flow::runtime::{Event, Session};
use kiosk_flow::understand::{understand, Expected};
use kiosk_flow::vocabulary;
use kiosk_voice::{Mode, Recognizer, RecognizerConfig};

const FLOW: &str = r#"
id: salutations
version: 1
title: Salutations
kind: report
service: voirie
description: Un parcours de test en coréen.
steps:
  - id: salut
    ask: Que dites-vous ?
    help: Dites une salutation.
    reprompt: Je n'ai pas compris.
    label: Salut
    type: choice
    options:
      - id: bonjour
        label: 안녕하세요
      - id: tincques
        label: Tincques
        say_as: [감사합니다]
  - id: excuse
    ask: Et ensuite ?
    help: Dites une excuse.
    reprompt: Je n'ai pas compris.
    label: Excuse
    type: choice
    options:
      - id: pardon
        label: 죄송합니당
      - id: bonjour
        label: 안녕하세요
  - id: fin
    end: Merci.
"#;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

#[test]
fn words_the_korean_model_lacks_are_reported_and_their_options_stay_reachable() {
    let loaded = kiosk_flow::load_flow(FLOW, &kiosk_flow::Datasets::new());
    let mut flow = loaded
        .value
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics));
    let config = RecognizerConfig {
        min_confidence: 0.5,
        ..RecognizerConfig::new(common::korean_model())
    };
    let recognizer = Recognizer::spawn(config).expect("model loads");

    // The words looked up in the model itself.
    let words: Vec<String> = vocabulary::option_words(&flow).into_iter().collect();
    let known = recognizer.known_words(words.clone()).expect("lookup");
    let known: HashSet<String> = words
        .into_iter()
        .zip(known)
        .filter_map(|(w, k)| k.then_some(w))
        .collect();
    assert!(
        known.contains("감사합니다") && known.contains("안녕하세요"),
        "{known:?}"
    );
    assert!(
        !known.contains("tincques") && !known.contains("죄송합니당"),
        "{known:?}"
    );

    let report = vocabulary::check(&flow, &|w: &str| known.contains(w));
    let messages = report.messages();
    eprintln!("{messages:#?}");
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert_eq!(
        messages[0],
        "étape « salut », option « tincques » : « Tincques » : mot inconnu du modèle de reconnaissance : « tincques » ; l'option reste reconnue par « 감사합니다 »"
    );
    assert!(
        messages[1].starts_with("étape « excuse », option « pardon » : « 죄송합니당 » : mot inconnu du modèle de reconnaissance : « 죄송합니당 » ; aucune écriture de l'option n'est connue : la question sera écoutée en dictée libre"),
        "{messages:?}"
    );
    vocabulary::apply(&mut flow, &report);
    assert_eq!(flow.free_recognition, vec!["excuse"]);

    // The say_as path: the first question keeps its grammar, which holds the spelling; the
    // recognizer hears it and the answer is the option.
    let mut session = Session::new(Arc::new(flow.clone()), today());
    session.handle(Event::Start);
    let grammar = session.grammar().expect("a grammar for the first question");
    assert!(grammar.iter().any(|p| p == "감사합니다"), "{grammar:?}");
    let audio = common::padded(&common::espeak("ko", "감사합니다"));
    let heard = recognizer
        .recognize(Mode::Grammar(grammar), &audio)
        .expect("recognize");
    eprintln!("say_as: {heard:?}");
    let text = heard.accepted_text().expect("heard").to_owned();
    let options = flow
        .question("salut")
        .expect("question")
        .kind
        .options()
        .to_vec();
    assert_eq!(
        understand(Expected::Choice(&options), &text, today()).value,
        Some(Value::Choice("tincques".into()))
    );
    session.handle(Event::Heard(text));

    // The fuzzy path: the second question is listened to in free dictation, and the word of
    // the model's vocabulary closest to the unknown label ("죄송합니다") finds its option. (The
    // Korean model's free dictation of espeak-ng's Korean is too poor to produce that word from
    // audio here: "집에서 오빠 들이 다"; a French model on real voices is another matter.)
    assert_eq!(session.grammar(), None, "free dictation for « excuse »");
    let options = flow
        .question("excuse")
        .expect("question")
        .kind
        .options()
        .to_vec();
    assert_eq!(
        understand(Expected::Choice(&options), "죄송합니다", today()).value,
        Some(Value::Choice("pardon".into()))
    );
}

#[test]
fn a_grammar_phrase_with_an_unknown_word_is_left_out_not_cut() {
    // "tincques 감사합니다" would become "감사합니다" if Vosk dropped the unknown word alone; the
    // phrase is left out instead, so only the known phrases can be heard.
    let recognizer = Recognizer::spawn(RecognizerConfig {
        min_confidence: 0.5,
        ..RecognizerConfig::new(common::korean_model())
    })
    .expect("model loads");
    let grammar = Mode::Grammar(vec!["tincques 감사합니다".into(), "안녕하세요".into()]);
    let audio = common::padded(&common::espeak("ko", "안녕하세요"));
    let heard = recognizer
        .recognize(grammar.clone(), &audio)
        .expect("recognize");
    assert_eq!(heard.accepted_text(), Some("안녕하세요"), "{heard:?}");
    let audio = common::padded(&common::espeak("ko", "감사합니다"));
    let heard = recognizer.recognize(grammar, &audio).expect("recognize");
    eprintln!("{heard:?}");
    assert_ne!(heard.text, "감사합니다", "{heard:?}");
    assert_ne!(heard.text, "tincques 감사합니다", "{heard:?}");
}
