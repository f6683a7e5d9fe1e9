//! The recognizer's search, speed against agreement (`cargo bench -p kiosk-voice --bench
//! recognition_search`): Korean sentences spoken by espeak-ng at two speeds and two pitches,
//! recognized in free mode with the model's own search and with narrower ones. Per search: the
//! real-time factor, the word error rate against the text spoken, and the words that differ from
//! what the model's own search heard. Figures, not assertions.

#[path = "../tests/common/mod.rs"]
mod common;

/// The kiosk's malloc (jemalloc, for libvosk and ONNX Runtime too), as in the `kiosk` binary.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use std::process::Command;
use std::time::Instant;

use kiosk_voice::audio::RECOGNIZER_RATE;
use kiosk_voice::{Audio, Mode, Recognizer, RecognizerConfig, Search};

/// Short answers and a few longer sentences, as a kiosk's free questions get them.
const SENTENCES: &[&str] = &[
    "안녕하세요",
    "감사합니다",
    "죄송합니다",
    "도와주세요",
    "저는 학생입니다",
    "오늘 날씨가 좋습니다",
    "서울에 살고 있습니다",
    "이름이 무엇입니까",
    "병원에 가고 싶어요",
    "버스 정류장이 어디에 있어요",
    "물 좀 주세요",
    "내일 다시 오겠습니다",
    "전화번호를 알려주세요",
    "시청에 가야 합니다",
    "우리 집은 학교 근처에 있어요",
    "한국어를 공부합니다",
    "지금 몇 시예요",
    "커피 한 잔 주세요",
    "주소를 말씀해 주세요",
    "예약을 하고 싶습니다",
];

/// `text` said by espeak-ng's Korean voice at `speed` words a minute and `pitch` (0-99).
fn spoken(text: &str, speed: u32, pitch: u32) -> Vec<i16> {
    let output = Command::new("espeak-ng")
        .args([
            "-v",
            "ko",
            "-s",
            &speed.to_string(),
            "-p",
            &pitch.to_string(),
        ])
        .args(["--stdout", "--", text])
        .output()
        .expect("espeak-ng is missing: run scripts/setup-audio");
    let audio = Audio::from_wav_bytes(&output.stdout).expect("espeak-ng WAV");
    common::padded(&audio.resampled(RECOGNIZER_RATE).expect("resample"))
}

fn main() {
    let model = common::korean_model();
    let own = Search::of_model(&model).expect("model.conf");
    let utterances: Vec<(&str, Vec<i16>)> = SENTENCES
        .iter()
        .flat_map(|text| {
            [(140, 50), (175, 35)]
                .into_iter()
                .map(move |(speed, pitch)| (*text, spoken(text, speed, pitch)))
        })
        .collect();
    let audio_secs: f64 = utterances
        .iter()
        .map(|(_, a)| a.len() as f64 / f64::from(RECOGNIZER_RATE))
        .sum();
    println!(
        "{} utterances, {audio_secs:.1} s of audio; model's own search: {own:?}",
        utterances.len()
    );

    let candidates = [
        own,
        Search {
            beam: 9.0,
            max_active: 2000,
            ..own
        },
        Search {
            beam: 8.0,
            max_active: 1500,
            ..own
        },
        Search {
            beam: 7.5,
            max_active: 1500,
            ..own
        },
        Search {
            beam: 7.0,
            max_active: 1500,
            ..own
        },
        Search {
            beam: 7.0,
            max_active: 1000,
            ..own
        },
    ];
    let mut reference: Vec<String> = Vec::new();
    println!("beam  max-active  lattice-beam   RTF   WER vs text  words changed vs own search");
    for search in candidates {
        let config = RecognizerConfig {
            search: Some(search),
            ..RecognizerConfig::new(&model)
        };
        let recognizer = Recognizer::spawn(config).expect("model loads");
        // One utterance first: the recognizer's own start-up is not the search.
        let _ = recognizer.recognize(Mode::Free, &utterances[0].1);
        let mut heard = Vec::new();
        let started = Instant::now();
        for (_, audio) in &utterances {
            let utterance = recognizer.recognize(Mode::Free, audio).expect("recognize");
            heard.push(utterance.text);
        }
        let rtf = started.elapsed().as_secs_f64() / audio_secs;
        let (mut errors, mut words, mut changed) = (0, 0, 0);
        for (i, ((text, _), got)) in utterances.iter().zip(&heard).enumerate() {
            let said: Vec<&str> = text.split_whitespace().collect();
            let got_words: Vec<&str> = got.split_whitespace().collect();
            errors += strsim::generic_levenshtein(&said, &got_words);
            words += said.len();
            if let Some(own_heard) = reference.get(i) {
                let own_words: Vec<&str> = own_heard.split_whitespace().collect();
                changed += strsim::generic_levenshtein(&own_words, &got_words);
            }
        }
        if reference.is_empty() {
            reference = heard;
        }
        println!(
            "{:4.1}  {:10}  {:12.1}  {rtf:.3}  {:10.1} %  {changed}",
            search.beam,
            search.max_active,
            search.lattice_beam,
            100.0 * errors as f64 / words as f64
        );
    }
}
