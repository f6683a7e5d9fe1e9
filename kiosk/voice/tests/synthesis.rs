//! Synthesis with the real English Piper voice (tests of the Piper pipeline only), the prompt
//! cache, the choice of the voice (never a voice of another language for French), espeak-ng's
//! voice and text-only operation.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use kiosk_voice::models::DEVELOPMENT_VOICE;
use kiosk_voice::{
    piper_voice_language, Audio, EspeakVoice, MemorySink, PiperVoice, PromptCache, Speaker, Spoken,
    StopFlag, Voice, VoiceChoice, VoiceError,
};

#[test]
fn the_english_piper_voice_speaks_sentence_by_sentence_with_plausible_length() {
    let (onnx, ort) = common::english_voice();
    let voice = PiperVoice::load(&onnx, &ort, None).expect("voice loads");
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

/// The optimized graph saved at the first load serves the next ones; a damaged one is deleted and
/// the voice loads from its own file, saving a good copy again.
#[test]
fn a_voice_saves_its_optimized_graph_once_and_survives_a_damaged_copy() {
    let (onnx, ort) = common::english_voice();
    let dir = tempfile::tempdir().expect("temp dir");
    let optimized = dir.path().join("voice-optimized");
    let saved = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir)
            .map(|entries| entries.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    let speak = |voice: PiperVoice| {
        let mut speaker = Speaker::new(Some(Box::new(voice)), None);
        let audio = speaker
            .render("Which village do you live in?")
            .expect("render")
            .expect("audio");
        assert!(audio.rms() > 0.02, "not silent");
        audio.duration_secs()
    };

    let first = speak(PiperVoice::load(&onnx, &ort, Some(&optimized)).expect("first load"));
    let files = saved(&optimized);
    assert_eq!(files.len(), 1, "{files:?}");
    let copy = files[0].clone();
    assert!(copy.extension().is_some_and(|e| e == "onnx"));
    let size = std::fs::metadata(&copy).expect("copy").len();
    assert!(size > 1_000_000, "{size} bytes");

    let second = speak(PiperVoice::load(&onnx, &ort, Some(&optimized)).expect("from the copy"));
    // The same sentence, as long within the voice's own randomness (noise_w).
    assert!(
        (second / first - 1.0).abs() < 0.25,
        "{first} s then {second} s"
    );
    assert_eq!(saved(&optimized), vec![copy.clone()]);

    std::fs::write(&copy, b"not an onnx graph").expect("damage");
    speak(PiperVoice::load(&onnx, &ort, Some(&optimized)).expect("loads anyway"));
    assert_eq!(saved(&optimized), vec![copy.clone()]);
    assert!(std::fs::metadata(&copy).expect("saved again").len() > 1_000_000);
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
    let prompt = "Bonjour. Dans quelle commune ?";
    let cache =
        PromptCache::open_allowing(dir.path(), &[prompt, "Merci. Au revoir."]).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(Counting(calls.clone()))), Some(cache));

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
    assert!(EspeakVoice::available("fr"), "run scripts/setup-audio");
    assert!(!EspeakVoice::available("xx-nowhere"));
    let mut speaker = Speaker::new(Some(Box::new(EspeakVoice::new("fr"))), None);
    let audio = speaker
        .render("Bonjour. Dans quelle commune habitez-vous ?")
        .expect("render")
        .expect("audio");
    assert!(audio.duration_secs() > 1.0 && audio.rms() > 0.02);
    // The linked library honours the rate.
    speaker.settings.words_per_minute = 100;
    let slow = speaker
        .render("Bonjour. Dans quelle commune habitez-vous ?")
        .expect("render")
        .expect("audio");
    assert!(slow.duration_secs() > audio.duration_secs() * 1.2);

    let mut mute = Speaker::new(None, None);
    let spoken = mute
        .speak("Bonjour.", &mut MemorySink::default(), &StopFlag::default())
        .expect("no crash");
    assert_eq!(spoken, Spoken::TextOnly);
    assert_eq!(mute.render("Bonjour.").expect("no crash"), None);

    // No model folder at all: espeak-ng's French voice is chosen.
    let empty = tempfile::tempdir().expect("tempdir");
    let speaker = Speaker::from_models(
        &kiosk_voice::ModelPaths::new(empty.path()),
        &VoiceChoice::default(),
        None,
    );
    assert_eq!(speaker.voice_id(), Some("espeak-ng-fr"));
    assert_eq!(speaker.voice_label().as_deref(), Some("espeak-ng fr"));
}

#[test]
fn french_is_never_read_by_a_piper_voice_of_another_language() {
    // These models have the English development voice and no French one: espeak-ng speaks.
    let models = common::models();
    assert!(models.piper_voice(DEVELOPMENT_VOICE).is_some());
    let speaker = Speaker::from_models(&models, &VoiceChoice::default(), None);
    assert_eq!(speaker.voice_label().as_deref(), Some("espeak-ng fr"));

    // Named by the configuration, the English voice is still refused for French.
    let english = VoiceChoice {
        piper_voice: Some(DEVELOPMENT_VOICE.to_owned()),
        language: "fr".to_owned(),
    };
    let mut speaker = Speaker::from_models(&models, &english, None);
    assert_eq!(speaker.voice_label().as_deref(), Some("espeak-ng fr"));
    let audio = speaker.render("Bonjour.").expect("render").expect("audio");
    assert!(audio.rms() > 0.02);
    let onnx = models.piper_voice(DEVELOPMENT_VOICE).expect("voice");
    assert_eq!(piper_voice_language(&onnx).expect("language"), "en-us");

    // A Piper voice whose configuration says French is taken: here the English network with a
    // French configuration, in a models folder of its own.
    let dir = tempfile::tempdir().expect("tempdir");
    let voice_dir = dir.path().join("fr_FR-test-medium");
    std::fs::create_dir(&voice_dir).expect("mkdir");
    std::os::unix::fs::symlink(&onnx, voice_dir.join("fr_FR-test-medium.onnx")).expect("link");
    let mut config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(onnx.with_extension("onnx.json")).expect("json"),
    )
    .expect("json");
    config["espeak"]["voice"] = "fr".into();
    config["language"]["code"] = "fr_FR".into();
    std::fs::write(
        voice_dir.join("fr_FR-test-medium.onnx.json"),
        config.to_string(),
    )
    .expect("write");
    let ort = models.onnxruntime().expect("ONNX Runtime");
    std::os::unix::fs::symlink(
        ort.parent().expect("folder"),
        dir.path()
            .join(ort.parent().expect("folder").file_name().expect("name")),
    )
    .expect("link");
    let french = VoiceChoice {
        piper_voice: Some("fr_FR-test-medium".to_owned()),
        language: "fr".to_owned(),
    };
    let speaker = Speaker::from_models(&kiosk_voice::ModelPaths::new(dir.path()), &french, None);
    assert_eq!(
        speaker.voice_label().as_deref(),
        Some("piper fr_FR-test-medium")
    );
    // The same voice is refused for Korean.
    let korean = VoiceChoice {
        language: "ko".to_owned(),
        ..french
    };
    let speaker = Speaker::from_models(&kiosk_voice::ModelPaths::new(dir.path()), &korean, None);
    assert_eq!(speaker.voice_label().as_deref(), Some("espeak-ng ko"));
}

/// The texts the appliance warms and allows in the cache: the fixed prompts of `flows`, sorted
/// and without duplicates (as `kiosk run` builds them).
fn warm_up_list(flows: &[kiosk_flow::Flow]) -> Vec<String> {
    let mut texts: Vec<String> = flows
        .iter()
        .flat_map(kiosk_flow::runtime::fixed_prompts)
        .collect();
    texts.sort();
    texts.dedup();
    texts
}

fn repo_flow(name: &str, datasets: &kiosk_flow::Datasets) -> kiosk_flow::Flow {
    let flows = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut notices = kiosk_flow::ServiceNotices::new();
    for entry in std::fs::read_dir(flows.join("services")).expect("flows/services") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let notice = kiosk_flow::load_service_notice(&source)
            .value
            .expect("notice");
        notices.insert(notice.service.clone(), notice);
    }
    let source = std::fs::read_to_string(flows.join(name)).expect("flow file");
    let loaded = kiosk_flow::load_flow_with(&source, datasets, &notices);
    loaded
        .value
        .unwrap_or_else(|| panic!("{name}: {:?}", loaded.diagnostics))
}

/// Every file under `dir`, with its content.
fn cache_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let content = std::fs::read(&path).expect("read");
                out.push((path, content));
            }
        }
    }
    out.sort();
    out
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_read_back_with_a_phone_number_never_reaches_the_disk() {
    let (onnx, ort) = common::english_voice();
    let voice = PiperVoice::load(&onnx, &ort, None).expect("voice loads");
    let flow = repo_flow("rappel.yaml", &kiosk_flow::Datasets::new());
    let allowed = warm_up_list(std::slice::from_ref(&flow));
    assert!(
        allowed.iter().any(|t| t == "C'est bien ça ?"),
        "{allowed:?}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = PromptCache::open_allowing(dir.path(), &allowed).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(voice)), Some(cache));
    // The fixed sentence of the read-back is cached ahead, as the appliance does.
    let made = speaker
        .warm_cache(&["C'est bien ça ?".to_owned()], &mut |_, _| {})
        .expect("warm");
    assert_eq!(made, 1);
    let before = cache_files(dir.path());
    assert_eq!(before.len(), 1);

    let read_back = "Vous avez dit : 06 12 34 56 78. C'est bien ça ?";
    for _ in 0..2 {
        let mut sink = MemorySink::default();
        let spoken = speaker
            .speak(read_back, &mut sink, &StopFlag::default())
            .expect("speak");
        assert!(sink.audio.expect("audio").duration_secs() > 1.0);
        let after = cache_files(dir.path());
        assert_eq!(
            after.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            before.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            "no file added for the read-back"
        );
        for (path, content) in &after {
            let name = path.to_string_lossy();
            for digits in ["0612345678", "06 12 34 56 78", "12 34 56 78"] {
                assert!(!name.contains(digits), "{name}");
                assert!(!contains_bytes(content, digits.as_bytes()), "{name}");
            }
        }
        // The number is synthesized each time (a read misses too), the fixed sentence is not.
        assert_eq!(
            spoken,
            Spoken::Played {
                sentences: 2,
                synthesized: 1
            }
        );
    }

    // A prompt made of two fixed sentences is served from the cache.
    let composed = "Je n'ai pas compris. C'est pour quoi ?";
    assert!(allowed.iter().any(|t| t == "Je n'ai pas compris."));
    assert!(allowed.iter().any(|t| t == "C'est pour quoi ?"));
    speaker
        .warm_cache(
            &["Je n'ai pas compris.".into(), "C'est pour quoi ?".into()],
            &mut |_, _| {},
        )
        .expect("warm");
    let spoken = speaker
        .speak(composed, &mut MemorySink::default(), &StopFlag::default())
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
fn a_sentence_outside_the_fixed_prompts_is_neither_written_nor_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let calls = Arc::new(AtomicUsize::new(0));
    let cache = PromptCache::open_allowing(dir.path(), &["C'est bien ça ?"]).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(Counting(calls.clone()))), Some(cache));
    speaker
        .render("Vous habitez 3 rue des Lilas. C'est bien ça ?")
        .expect("render");
    speaker
        .render("Vous habitez 3 rue des Lilas. C'est bien ça ?")
        .expect("render");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "the address twice, the question once"
    );
    assert_eq!(cache_files(dir.path()).len(), 1);
    // Warming skips what is not allowed.
    let made = speaker
        .warm_cache(&["Madame Durand.".to_owned()], &mut |_, _| {})
        .expect("warm");
    assert_eq!(made, 0);
    assert_eq!(cache_files(dir.path()).len(), 1);
}

#[test]
fn the_bound_and_the_purge_hold_through_the_speaker() {
    let dir = tempfile::tempdir().expect("tempdir");
    let calls = Arc::new(AtomicUsize::new(0));
    let texts = vec!["Un. Deux.".to_owned(), "Trois. Quatre.".to_owned()];
    let cache = PromptCache::open_allowing(dir.path(), &texts).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(Counting(calls.clone()))), Some(cache));
    speaker.warm_cache(&texts, &mut |_, _| {}).expect("warm");
    let cache = speaker.cache().expect("cache");
    assert_eq!(cache.len(), 4);
    let full = cache.size_bytes();

    // Reopened smaller (a new configuration): the least recently used files go.
    let small = PromptCache::open_allowing(dir.path(), &texts)
        .expect("cache")
        .with_max_bytes(full / 2);
    assert!(
        small.size_bytes() <= full / 2,
        "{} > {}",
        small.size_bytes(),
        full / 2
    );
    assert!(small.len() < 4);

    // The flows changed: the sentences no longer said are deleted, the others stay.
    speaker.set_cache_allowed(&["Quatre. Cinq."]);
    for (path, _) in cache_files(dir.path()) {
        assert!(
            path.starts_with(dir.path().join("v2")),
            "{}",
            path.display()
        );
    }
    let cache = speaker.cache().expect("cache");
    assert!(cache.len() <= 1);
    assert!(!cache.contains("counting", 150, "Un."));
}

/// Not a check, a figure: the size of the cache warmed with every installed flow's fixed prompts
/// in the development voice. `cargo nextest run -p kiosk-voice --run-ignored only warm_cache_size`
#[test]
#[ignore = "a measurement (a few minutes of synthesis)"]
fn warm_cache_size_of_the_installed_flows() {
    let flows_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../flows");
    let mut datasets = kiosk_flow::Datasets::new();
    for entry in std::fs::read_dir(flows_dir.join("data")).expect("data") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        let dataset = kiosk_flow::load_dataset(&source).value.expect("dataset");
        datasets.insert(dataset.id.clone(), dataset);
    }
    let mut names: Vec<String> = std::fs::read_dir(&flows_dir)
        .expect("flows")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    names.sort();
    let flows: Vec<_> = names.iter().map(|n| repo_flow(n, &datasets)).collect();
    let texts = warm_up_list(&flows);
    let (onnx, ort) = common::english_voice();
    let voice = PiperVoice::load(&onnx, &ort, None).expect("voice loads");
    let dir = tempfile::tempdir().expect("tempdir");
    let cache = PromptCache::open_allowing(dir.path(), &texts).expect("cache");
    let mut speaker = Speaker::new(Some(Box::new(voice)), Some(cache));
    let started = std::time::Instant::now();
    let made = speaker.warm_cache(&texts, &mut |_, _| {}).expect("warm");
    let cache = speaker.cache().expect("cache");
    let bytes = cache.size_bytes();
    eprintln!(
        "{} flows, {} texts, {made} sentences, {} files, {bytes} bytes ({:.1} MiB), {:?}",
        flows.len(),
        texts.len(),
        cache.len(),
        bytes as f64 / 1024.0 / 1024.0,
        started.elapsed()
    );
    assert!(bytes < kiosk_voice::cache::DEFAULT_MAX_BYTES);
}
