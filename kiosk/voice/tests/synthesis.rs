//! Synthesis with the real English Piper voice, the prompt cache, the espeak-ng fallback and
//! text-only operation.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use kiosk_voice::{
    Audio, EspeakVoice, MemorySink, PiperVoice, PromptCache, Speaker, Spoken, StopFlag, Voice,
    VoiceError,
};

#[test]
fn the_english_piper_voice_speaks_sentence_by_sentence_with_plausible_length() {
    let (onnx, ort) = common::english_voice();
    let voice = PiperVoice::load(&onnx, &ort).expect("voice loads");
    let mut speaker = Speaker::new(Some(Box::new(voice)), None);
    let text = "Hello. Which village do you live in? Please say its name.";
    let mut sink = MemorySink::default();
    let spoken = speaker
        .speak(text, &mut sink, &StopFlag::default())
        .expect("speak");
    assert_eq!(
        spoken,
        Spoken::Played {
            sentences: 3,
            synthesized: 3
        }
    );
    let audio = sink.audio.expect("audio");
    let secs = audio.duration_secs();
    eprintln!("{secs:.2} s, rms {:.3}", audio.rms());
    // 11 words at 150 words a minute is 4.4 s; sentence pauses and voice differences aside.
    assert!((2.5..9.0).contains(&secs), "{secs} s");
    assert!(audio.rms() > 0.02, "not silent");

    // Slower speech is longer.
    speaker.settings.words_per_minute = 100;
    let slow = speaker.render(text).expect("render").expect("audio");
    assert!(
        slow.duration_secs() > secs * 1.2,
        "{} s",
        slow.duration_secs()
    );
}

/// A voice that counts its calls and returns a short tone.
struct Counting(Arc<AtomicUsize>);

impl Voice for Counting {
    fn id(&self) -> &str {
        "counting"
    }

    fn synthesize(&mut self, sentence: &str, _wpm: u32) -> Result<Audio, VoiceError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        let n = 1600 * sentence.len();
        Ok(Audio::new(
            (0..n).map(|i| (i as f32 * 0.05).sin() * 0.3).collect(),
            16_000,
        ))
    }
}

#[test]
fn a_cached_prompt_is_served_without_calling_the_synthesizer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let calls = Arc::new(AtomicUsize::new(0));
    let cache = PromptCache::open(dir.path()).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(Counting(calls.clone()))), Some(cache));
    let prompt = "Bonjour. Dans quelle commune ?";

    let first = speaker.render(prompt).expect("render").expect("audio");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let second = speaker.render(prompt).expect("render").expect("audio");
    assert_eq!(calls.load(Ordering::SeqCst), 2, "served from the cache");
    assert_eq!(first.samples.len(), second.samples.len());

    // Another rate is another entry.
    speaker.settings.words_per_minute = 120;
    speaker.render(prompt).expect("render");
    assert_eq!(calls.load(Ordering::SeqCst), 4);

    // Warming synthesizes only what is missing, with progress.
    let mut seen = Vec::new();
    let texts = vec![prompt.to_owned(), "Merci. Au revoir.".to_owned()];
    let made = speaker
        .warm_cache(&texts, &mut |done, total| seen.push((done, total)))
        .expect("warm");
    assert_eq!(made, 2);
    assert_eq!(seen, vec![(1, 2), (2, 2)]);
    let mut sink = MemorySink::default();
    let spoken = speaker
        .speak("Merci. Au revoir.", &mut sink, &StopFlag::default())
        .expect("speak");
    assert_eq!(
        spoken,
        Spoken::Played {
            sentences: 2,
            synthesized: 0
        }
    );
}

#[test]
fn a_stop_ends_speech_at_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut speaker = Speaker::new(Some(Box::new(Counting(calls))), None);
    let stop = StopFlag::default();
    stop.stop();
    let spoken = speaker
        .speak("Un. Deux. Trois.", &mut MemorySink::default(), &stop)
        .expect("speak");
    assert_eq!(spoken, Spoken::Stopped);
}

#[test]
fn espeak_ng_is_the_fallback_voice_and_no_voice_means_text_only() {
    assert!(EspeakVoice::available(), "run scripts/setup-audio");
    let mut speaker = Speaker::new(Some(Box::new(EspeakVoice::new("fr"))), None);
    let audio = speaker
        .render("Bonjour. Dans quelle commune habitez-vous ?")
        .expect("render")
        .expect("audio");
    assert!(audio.duration_secs() > 1.0 && audio.rms() > 0.02);

    let mut mute = Speaker::new(None, None);
    let spoken = mute
        .speak("Bonjour.", &mut MemorySink::default(), &StopFlag::default())
        .expect("no crash");
    assert_eq!(spoken, Spoken::TextOnly);
    assert_eq!(mute.render("Bonjour.").expect("no crash"), None);

    // No model folder at all: espeak-ng is chosen.
    let empty = tempfile::tempdir().expect("tempdir");
    let speaker = Speaker::from_models(&kiosk_voice::ModelPaths::new(empty.path()), "fr", None);
    assert_eq!(speaker.voice_id(), Some("espeak-ng-fr"));
}
