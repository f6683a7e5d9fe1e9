//! `listen_once` fed from a channel (no sound card): the answer is found and recognized with its
//! timings, nobody speaking gives `NoSpeech`, a touch cancels, a dead microphone is an error; and
//! a sound device that does not exist is an error value, not a panic.

mod common;

use std::sync::mpsc;
use std::time::Duration;

use kiosk_voice::{
    listen_once, Audio, AudioConfig, Capture, DeviceError, HalfDuplex, Mode, Playback, Recognizer,
    RecognizerConfig, StopFlag, TurnConfig, TurnEnd, TurnOutcome, VoiceError,
};

fn grammar() -> Mode {
    Mode::Grammar(vec![
        "안녕하세요".into(),
        "감사합니다".into(),
        "죄송합니다".into(),
    ])
}

fn recognizer() -> Recognizer {
    Recognizer::spawn(RecognizerConfig {
        min_confidence: 0.8,
        ..RecognizerConfig::new(common::korean_model())
    })
    .expect("model loads")
}

/// `samples` in 10 ms chunks on a channel, as a microphone would deliver them (all at once);
/// the sender is returned too, so that the microphone stays open.
fn microphone(samples: &[i16]) -> (mpsc::Sender<Vec<i16>>, mpsc::Receiver<Vec<i16>>) {
    let (tx, rx) = mpsc::channel();
    for chunk in samples.chunks(160) {
        tx.send(chunk.to_vec()).expect("send");
    }
    (tx, rx)
}

#[test]
fn an_answer_is_heard_with_its_timings_and_silence_gives_no_speech() {
    let recognizer = recognizer();
    let mut mic = Audio::new(vec![0.0; 16_000], 16_000);
    mic.samples
        .extend(common::espeak("ko", "죄송합니다").samples);
    mic.append_silence(2.0);
    let (_open, frames) = microphone(&mic.to_i16());
    let mut partials = Vec::new();
    let listened = listen_once(
        &recognizer,
        grammar(),
        &TurnConfig::default(),
        &frames,
        &StopFlag::default(),
        &mut |p| partials.push(p.to_owned()),
    )
    .expect("listen");
    eprintln!("{listened:?}\npartials: {partials:?}");
    let timing = listened.timing;
    assert_eq!(timing.end, Some(TurnEnd::EndOfSpeech));
    let (started, ended, recognized) = (
        timing.speech_started.expect("start"),
        timing.speech_ended.expect("end"),
        timing.recognized.expect("recognized"),
    );
    assert!(timing.started <= started && started <= ended && ended <= recognized);
    assert!(timing.speech_audio > Duration::from_millis(700));
    assert!(timing.speech_audio < Duration::from_secs(3));
    match listened.outcome {
        TurnOutcome::Heard(u) => assert_eq!(u.accepted_text(), Some("죄송합니다"), "{u:?}"),
        other => panic!("{other:?}"),
    }

    // Two seconds of nothing with a one-second timeout: reprompt.
    let (_open, frames) = microphone(&vec![0; 32_000]);
    let config = TurnConfig {
        no_speech_timeout: Duration::from_secs(1),
        ..TurnConfig::default()
    };
    let listened = listen_once(
        &recognizer,
        grammar(),
        &config,
        &frames,
        &StopFlag::default(),
        &mut |_| {},
    )
    .expect("listen");
    assert_eq!(listened.outcome, TurnOutcome::NoSpeech);
    assert_eq!(listened.timing.end, Some(TurnEnd::NoSpeech));
    assert_eq!(listened.timing.speech_started, None);

    // The recognizer is still in step for the next turn.
    let (_open, frames) = microphone(&mic.to_i16());
    let listened = listen_once(
        &recognizer,
        grammar(),
        &TurnConfig::default(),
        &frames,
        &StopFlag::default(),
        &mut |_| {},
    )
    .expect("listen");
    assert!(
        matches!(&listened.outcome, TurnOutcome::Heard(u) if u.accepted_text() == Some("죄송합니다")),
        "{listened:?}"
    );
}

#[test]
fn a_touch_cancels_the_turn_and_a_closed_microphone_is_an_error() {
    let recognizer = recognizer();
    let cancel = StopFlag::default();
    cancel.stop();
    let (_open, frames) = microphone(&vec![0; 16_000]);
    let listened = listen_once(
        &recognizer,
        grammar(),
        &TurnConfig::default(),
        &frames,
        &cancel,
        &mut |_| {},
    )
    .expect("listen");
    assert_eq!(listened.outcome, TurnOutcome::Cancelled);

    let (tx, rx) = mpsc::channel::<Vec<i16>>();
    tx.send(vec![0; 1600]).expect("send");
    drop(tx);
    let result = listen_once(
        &recognizer,
        grammar(),
        &TurnConfig::default(),
        &rx,
        &StopFlag::default(),
        &mut |_| {},
    );
    assert!(matches!(result, Err(VoiceError::Audio(_))), "{result:?}");
}

#[test]
fn a_sound_device_that_does_not_exist_is_an_error_not_a_panic() {
    let config = AudioConfig {
        input: Some("aucun-micro-de-ce-nom".into()),
        output: Some("aucun-haut-parleur-de-ce-nom".into()),
    };
    let playback = Playback::open(&config, HalfDuplex::default());
    assert!(
        matches!(
            playback,
            Err(VoiceError::Device(DeviceError::NotFound { ref name, .. })) if name == "aucun-haut-parleur-de-ce-nom"
        ),
        "{playback:?}"
    );
    let capture = Capture::open(&config, HalfDuplex::default());
    assert!(
        matches!(
            capture,
            Err(VoiceError::Device(DeviceError::NotFound { ref name, .. })) if name == "aucun-micro-de-ce-nom"
        ),
        "{capture:?}"
    );
    // The message says what is wrong, for the log and the supervisor's screen.
    let message = capture.expect_err("no device").to_string();
    assert!(message.contains("aucun-micro-de-ce-nom"), "{message}");
}
