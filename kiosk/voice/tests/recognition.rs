//! Recognition with the real Korean Vosk model: grammar mode hears Korean words spoken by
//! espeak-ng among a short list, and hears nothing in silence or noise.

mod common;

use kiosk_voice::{Event, Mode, Recognizer, RecognizerConfig};

const PHRASES: &[&str] = &["안녕하세요", "감사합니다", "죄송합니다"];

fn grammar() -> Mode {
    Mode::Grammar(PHRASES.iter().map(|p| p.to_string()).collect())
}

#[test]
fn the_korean_model_recognizes_words_of_its_grammar_and_nothing_in_silence_or_noise() {
    // The Korean model has no [unk] word: anything heard maps to a phrase, so the threshold is
    // the only filter. Words it is sure of come out at 1.0.
    let config = RecognizerConfig {
        min_confidence: 0.8,
        ..RecognizerConfig::new(common::korean_model())
    };
    let recognizer = Recognizer::spawn(config).expect("model loads");
    eprintln!("model load: {:?}", recognizer.load_time());

    for phrase in PHRASES {
        let audio = common::padded(&common::espeak("ko", phrase));
        let heard = recognizer.recognize(grammar(), &audio).expect("recognize");
        eprintln!("{phrase}: {heard:?}");
        assert_eq!(heard.accepted_text(), Some(*phrase), "{heard:?}");
        assert!(heard.words.iter().all(|w| w.confidence > 0.6));
    }

    let silence = vec![0_i16; 32_000];
    let heard = recognizer
        .recognize(grammar(), &silence)
        .expect("recognize");
    eprintln!("silence: {heard:?}");
    assert_eq!(heard.accepted_text(), None, "silence: {heard:?}");

    let noise = common::noise(2.0, 0.3);
    let heard = recognizer.recognize(grammar(), &noise).expect("recognize");
    eprintln!("noise: {heard:?}");
    assert_eq!(heard.accepted_text(), None, "noise: {heard:?}");
}

#[test]
fn partial_results_stream_while_audio_comes_in_and_free_mode_hears_words() {
    let recognizer =
        Recognizer::spawn(RecognizerConfig::new(common::korean_model())).expect("model loads");
    let audio = common::padded(&common::espeak("ko", "안녕하세요. 감사합니다."));
    recognizer.begin(Mode::Free).expect("begin");
    for chunk in audio.chunks(1600) {
        recognizer.feed(chunk.to_vec()).expect("feed");
    }
    recognizer.end().expect("end");
    let mut partials = Vec::new();
    let heard = loop {
        match recognizer.events().recv().expect("event") {
            Event::Partial(text) => partials.push(text),
            Event::Final(utterance) => break utterance,
        }
    };
    eprintln!("partials: {partials:?}\nfree: {heard:?}");
    assert!(!partials.is_empty(), "partial results are streamed");
    assert!(!heard.text.is_empty(), "free mode hears something");
}
