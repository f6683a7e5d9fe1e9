//! A whole turn without devices: the kiosk speaks (what the microphone hears meanwhile is
//! dropped), then the citizen's answer goes through the voice activity detector and the turn
//! state machine, which find its start and end, and the recognizer gets only the speech.

mod common;

use std::time::Duration;

use kiosk_voice::turn::frame_time;
use kiosk_voice::{
    Audio, Mode, Recognizer, RecognizerConfig, Turn, TurnConfig, TurnEnd, TurnStep, Vad,
};

#[test]
fn the_vad_finds_the_answer_and_the_recognizer_hears_it() {
    let config = RecognizerConfig {
        min_confidence: 0.8,
        ..RecognizerConfig::new(common::korean_model())
    };
    let recognizer = Recognizer::spawn(config).expect("model loads");
    let mut vad = Vad::default();
    let mut turn = Turn::new(TurnConfig::default());
    let mut now = Duration::ZERO;

    // The kiosk speaks: its own voice leaks into the microphone and is ignored.
    turn.kiosk_speaks();
    let echo = common::espeak("ko", "감사합니다").to_i16();
    for (frame, p) in vad.frames(&echo) {
        now += frame_time();
        assert_eq!(turn.frame(&frame, p, now), TurnStep::Ignored);
    }

    // The prompt is over: the citizen answers after a second, then is silent.
    turn.listen(now);
    vad.reset();
    let mut mic = Audio::new(vec![0.0; 16_000], 16_000);
    mic.samples
        .extend(common::espeak("ko", "안녕하세요").samples);
    mic.append_silence(2.0);
    recognizer
        .begin(Mode::Grammar(vec![
            "안녕하세요".into(),
            "감사합니다".into(),
        ]))
        .expect("begin");
    let (mut started, mut ended) = (None, None);
    for (frame, p) in vad.frames(&mic.to_i16()) {
        now += frame_time();
        match turn.frame(&frame, p, now) {
            TurnStep::Speech(samples) => {
                started.get_or_insert(now);
                recognizer.feed(samples).expect("feed");
            }
            TurnStep::Ended(end) => {
                ended = Some((end, now));
                break;
            }
            TurnStep::Waiting | TurnStep::Ignored => {}
        }
    }
    recognizer.end().expect("end");
    let (end, at) = ended.expect("the turn ends");
    assert_eq!(end, TurnEnd::EndOfSpeech);
    let started = started.expect("speech found");
    let speech = at - started;
    eprintln!("speech from {started:?} to {at:?} ({speech:?})");
    assert!(speech > Duration::from_millis(700) && speech < Duration::from_secs(3));
    let heard = loop {
        if let kiosk_voice::Event::Final(u) = recognizer.events().recv().expect("event") {
            break u;
        }
    };
    assert_eq!(heard.accepted_text(), Some("안녕하세요"), "{heard:?}");
}
