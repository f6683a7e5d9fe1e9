//! 1,000 recognitions in a row with the real Korean model: the process's memory stays bounded
//! (recognizers are rebuilt on a schedule, Vosk leaks in long runs).

mod common;

use kiosk_voice::{Mode, Recognizer, RecognizerConfig};

/// Growth allowed after warm-up, in MiB.
const BOUND_MIB: f64 = 64.0;

#[test]
fn a_thousand_recognitions_keep_memory_bounded() {
    let config = RecognizerConfig {
        min_confidence: 0.8,
        recreate_after: 50,
        ..RecognizerConfig::new(common::korean_model())
    };
    let recognizer = Recognizer::spawn(config).expect("model loads");
    let word = common::espeak("ko", "안녕하세요");
    let samples = word.to_i16();
    let grammar = Mode::Grammar(vec!["안녕하세요".into(), "감사합니다".into()]);
    // Warm-up: allocator pools, the first recognizers.
    for _ in 0..50 {
        recognizer
            .recognize(grammar.clone(), &samples)
            .expect("recognize");
    }
    let start = common::rss_mib();
    let mut peak = start;
    let t = std::time::Instant::now();
    for i in 0..1000 {
        let heard = recognizer
            .recognize(grammar.clone(), &samples)
            .expect("recognize");
        assert_eq!(heard.accepted_text(), Some("안녕하세요"), "recognition {i}");
        if i % 50 == 0 {
            peak = peak.max(common::rss_mib());
        }
    }
    let end = common::rss_mib();
    eprintln!(
        "1000 recognitions in {:?}: RSS {start:.0} MiB -> {end:.0} MiB (peak {peak:.0} MiB)",
        t.elapsed()
    );
    assert!(
        end.max(peak) - start < BOUND_MIB,
        "memory grew from {start:.0} to {:.0} MiB",
        end.max(peak)
    );
}
