//! In-process timing of a Piper voice, for `scripts/bench-voice-peer`: loads the voice as the
//! kiosk does, then speaks one text twice (the first run after loading, then warm), and prints
//! one JSON line with seconds: `load`, `first_audio_cold`, `total_cold`, `first_audio_warm`,
//! `total_warm`, and the audio's duration.
//!
//! `piper_timing MODEL.onnx WORDS_PER_MINUTE TEXT [OPTIMIZED_DIR]` (ONNX Runtime from
//! `voice-models/`; with `OPTIMIZED_DIR`, the voice's optimized graph is saved there or read from
//! there, as `kiosk run` does in its data folder).

use std::time::Instant;

use kiosk_voice::{Audio, AudioSink, ModelPaths, PiperVoice, Speaker, StopFlag, VoiceError};

/// Notes when the first sentence arrives and adds up the audio's length.
#[derive(Default)]
struct Timed {
    first: Option<Instant>,
    seconds: f64,
}

impl AudioSink for Timed {
    fn play(&mut self, audio: &Audio, _: &StopFlag) -> Result<(), VoiceError> {
        self.first.get_or_insert_with(Instant::now);
        self.seconds += audio.duration_secs();
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "piper_timing MODEL.onnx WORDS_PER_MINUTE TEXT [OPTIMIZED_DIR]";
    let onnx = std::path::PathBuf::from(args.next().ok_or(usage)?);
    let words_per_minute: u32 = args.next().ok_or(usage)?.parse()?;
    let text = args.next().ok_or(usage)?;
    let optimized_dir = args.next().map(std::path::PathBuf::from);
    let ort = ModelPaths::from_env()
        .onnxruntime()
        .ok_or("ONNX Runtime is missing: run scripts/fetch-models")?;

    let started = Instant::now();
    let voice = PiperVoice::load(&onnx, &ort, optimized_dir.as_deref())?;
    let load = started.elapsed().as_secs_f64();
    let mut speaker = Speaker::new(Some(Box::new(voice)), None);
    speaker.settings.words_per_minute = words_per_minute;
    let mut run = || -> Result<(f64, f64, f64), VoiceError> {
        let mut sink = Timed::default();
        let started = Instant::now();
        speaker.speak(&text, &mut sink, &StopFlag::default())?;
        let total = started.elapsed().as_secs_f64();
        let first = sink.first.map_or(total, |at| (at - started).as_secs_f64());
        Ok((first, total, sink.seconds))
    };
    let (first_audio_cold, total_cold, _) = run()?;
    let (first_audio_warm, total_warm, audio) = run()?;
    println!(
        "{{\"load\": {load:.4}, \"first_audio_cold\": {first_audio_cold:.4}, \"total_cold\": {total_cold:.4}, \"first_audio_warm\": {first_audio_warm:.4}, \"total_warm\": {total_warm:.4}, \"audio\": {audio:.3}}}"
    );
    Ok(())
}
