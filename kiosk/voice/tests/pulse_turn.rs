//! A full turn through real (virtual) sound devices, with PulseAudio null sinks: the kiosk speaks
//! a prompt to its speaker (recorded from the sink's monitor: audible audio came out), the test
//! plays a Korean answer into the virtual microphone, the kiosk's capture (resampled to 16 kHz)
//! goes through the VAD and the turn-taking, the recognizer in grammar mode hears the answer, and
//! the flow runtime moves to the next step.
//!
//! Skipped, loudly, only when PulseAudio cannot run here (`SKIPPED: ...` on stderr and stdout).

mod common;

use std::sync::Arc;
use std::time::Duration;

use kiosk_flow::runtime::{Effect, Event, Session};
use kiosk_flow::{load_flow, Datasets};
use kiosk_voice::test_rig::{audible_secs, Rig};
use kiosk_voice::{
    list_devices, listen_once, Audio, Capture, EspeakVoice, HalfDuplex, Mode, Playback, Recognizer,
    RecognizerConfig, Speaker, Spoken, StopFlag, TurnConfig, TurnEnd, TurnOutcome,
};

const FLOW: &str = include_str!("data/essai-voix.yaml");

#[test]
fn a_full_turn_through_pulseaudio_speaker_and_microphone() {
    let rig = match Rig::start() {
        Ok(rig) => rig,
        Err(why) => {
            let message = format!(
                "SKIPPED: PulseAudio cannot run here ({why}); the full-turn test did not run"
            );
            eprintln!("{message}");
            println!("{message}");
            return;
        }
    };
    let devices = list_devices();
    eprintln!("devices: {devices:?}");
    assert!(devices.inputs.iter().any(|d| d == "pulse"), "{devices:?}");
    assert!(devices.outputs.iter().any(|d| d == "pulse"), "{devices:?}");

    // The flow: its first step is a choice among three Korean words.
    let loaded = load_flow(FLOW, &Datasets::new());
    assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
    let flow = Arc::new(loaded.value.expect("flow"));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    let mut session = Session::new(flow, today);
    let effects = session.handle(Event::Start);
    let prompt = effects
        .iter()
        .find_map(|e| match e {
            Effect::Say { text } => Some(text.clone()),
            _ => None,
        })
        .expect("the first step says something");
    let phrases = session.grammar().expect("a grammar for a choice");
    assert!(phrases.iter().any(|p| p == "감사합니다"), "{phrases:?}");
    assert_eq!(session.current_step_id(), Some("salut"));

    let recognizer = Recognizer::spawn(RecognizerConfig {
        min_confidence: 0.8,
        ..RecognizerConfig::new(common::korean_model())
    })
    .expect("model loads");

    let duplex = HalfDuplex::default();
    let mut playback = Playback::open(&rig.audio_config(), duplex.clone()).expect("speaker");
    let capture = Capture::open(&rig.audio_config(), duplex.clone()).expect("microphone");
    eprintln!(
        "speaker {} at {} Hz, microphone {} at {} Hz",
        playback.device_name(),
        playback.sample_rate(),
        capture.device_name(),
        capture.device_rate()
    );

    // The kiosk speaks its prompt (espeak-ng: the French prompt, spoken in French).
    let recording = rig.record_speaker().expect("parec");
    let mut speaker = Speaker::new(Some(Box::new(EspeakVoice::new("fr"))), None);
    let stop = StopFlag::default();
    capture.clear();
    let (muted_before, _) = capture.dropped();
    let spoken = speaker.speak(&prompt, &mut playback, &stop).expect("speak");
    assert!(matches!(spoken, Spoken::Played { .. }), "{spoken:?}");
    assert!(
        playback.first_sound_at().is_some(),
        "audible samples reached the device"
    );
    let (muted_after, _) = capture.dropped();
    assert!(
        muted_after > muted_before,
        "what the microphone heard while the kiosk spoke was dropped"
    );
    // Let the device's buffer play out before the recording stops.
    std::thread::sleep(Duration::from_millis(700));
    let heard_from_speaker = recording.stop();
    let audible = audible_secs(&heard_from_speaker);
    eprintln!(
        "speaker monitor: {:.1} s recorded, {audible:.2} s audible",
        heard_from_speaker.duration_secs()
    );
    assert!(
        audible > 0.5,
        "the prompt came out of the speaker ({audible} s audible)"
    );

    // The citizen answers into the microphone, after a short pause.
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("answer.wav");
    let mut answer = Audio::new(vec![0.0; 8_000], 16_000);
    answer
        .samples
        .extend(common::espeak("ko", "감사합니다").samples);
    answer.append_silence(0.5);
    answer.write_wav(&wav).expect("wav");
    capture.clear();
    let feeder = {
        let wav = wav.clone();
        let rig = &rig;
        std::thread::scope(|scope| {
            let player = scope.spawn(move || {
                std::thread::sleep(Duration::from_millis(500));
                rig.play_into_mic(&wav)
            });
            let config = TurnConfig {
                // Generous on a loaded machine: the answer starts about 1 s in.
                no_speech_timeout: Duration::from_secs(20),
                ..TurnConfig::default()
            };
            let mut partials = Vec::new();
            let listened = listen_once(
                &recognizer,
                Mode::Grammar(phrases.clone()),
                &config,
                capture.frames(),
                &StopFlag::default(),
                &mut |p| partials.push(p.to_owned()),
            )
            .expect("listen");
            let played = player.join().expect("player thread");
            (listened, partials, played)
        })
    };
    let (listened, partials, played) = feeder;
    played.expect("paplay into the microphone");
    eprintln!("partials: {partials:?}\nlistened: {listened:?}");
    let timing = listened.timing;
    assert_eq!(timing.end, Some(TurnEnd::EndOfSpeech));
    assert!(timing.speech_started.is_some() && timing.speech_ended.is_some());
    assert!(
        timing.speech_audio > Duration::from_millis(700)
            && timing.speech_audio < Duration::from_secs(4),
        "the VAD found the answer's start and end: {:?}",
        timing.speech_audio
    );
    let TurnOutcome::Heard(utterance) = listened.outcome else {
        panic!("nothing heard: {:?}", listened.outcome);
    };
    let text = utterance.accepted_text().expect("accepted").to_owned();
    assert_eq!(text, "감사합니다", "{utterance:?}");

    // The runtime takes it and moves on to the next step.
    let effects = session.handle(Event::Heard(text));
    eprintln!("effects: {effects:?}");
    assert_eq!(session.current_step_id(), Some("rappel"), "{effects:?}");
    assert!(effects.iter().any(|e| matches!(e, Effect::Listen { .. })));

    // A touch stops a long prompt at once: far less comes out of the speaker than the whole.
    let long = "Voulez-vous qu'on vous rappelle ? Dites oui ou non. Vous pouvez aussi toucher \
                l'écran. Si vous ne savez pas, demandez de l'aide. Nous sommes là pour vous aider.";
    let whole = speaker.render(long).expect("render").expect("a voice");
    let recording = rig.record_speaker().expect("parec");
    let stop = StopFlag::default();
    let spoken = std::thread::scope(|scope| {
        let stopper = stop.clone();
        let duplex = duplex.clone();
        scope.spawn(move || {
            // Once the first sentence plays (the microphone is muted), wait a little and touch.
            while !duplex.is_muted() {
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(Duration::from_millis(400));
            stopper.stop();
        });
        speaker.speak(long, &mut playback, &stop).expect("speak")
    });
    std::thread::sleep(Duration::from_millis(700));
    let audible = audible_secs(&recording.stop());
    eprintln!(
        "stopped: {audible:.2} s audible of {:.1} s",
        whole.duration_secs()
    );
    assert_eq!(spoken, Spoken::Stopped);
    assert!(audible > 0.0, "it had started");
    assert!(
        audible < whole.duration_secs() / 2.0,
        "{audible} s of {} s came out after the stop",
        whole.duration_secs()
    );
}
