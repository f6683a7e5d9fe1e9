//! Helpers shared by the integration tests: the real models and test audio made with espeak-ng.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

use kiosk_voice::audio::RECOGNIZER_RATE;
use kiosk_voice::models::{DEVELOPMENT_RECOGNITION, DEVELOPMENT_VOICE};
use kiosk_voice::{Audio, ModelPaths};

pub fn models() -> ModelPaths {
    ModelPaths::from_env()
}

pub fn korean_model() -> PathBuf {
    models()
        .model(DEVELOPMENT_RECOGNITION)
        .expect("the Korean Vosk model is missing: run scripts/fetch-models")
}

pub fn english_voice() -> (PathBuf, PathBuf) {
    let paths = models();
    let onnx = paths
        .piper_voice(DEVELOPMENT_VOICE)
        .expect("the English Piper voice is missing: run scripts/fetch-models");
    let ort = paths
        .onnxruntime()
        .expect("ONNX Runtime is missing: run scripts/fetch-models");
    (onnx, ort)
}

/// `text` spoken by espeak-ng in `language`, as 16 kHz audio.
pub fn espeak(language: &str, text: &str) -> Audio {
    let output = Command::new("espeak-ng")
        .args(["-v", language, "-s", "140", "--stdout", "--", text])
        .output()
        .expect("espeak-ng is missing: run scripts/setup-audio");
    assert!(output.status.success(), "espeak-ng failed");
    let audio = Audio::from_wav_bytes(&output.stdout).expect("espeak-ng WAV");
    audio.resampled(RECOGNIZER_RATE).expect("resample")
}

/// Half a second of silence around the audio, as a microphone would record it.
pub fn padded(audio: &Audio) -> Vec<i16> {
    let mut out = Audio::new(Vec::new(), audio.sample_rate);
    out.append_silence(0.5);
    out.samples.extend_from_slice(&audio.samples);
    out.append_silence(0.5);
    out.to_i16()
}

/// Seeded white noise, `secs` long at 16 kHz.
pub fn noise(secs: f32, amplitude: f32) -> Vec<i16> {
    let mut state: u32 = 0x2545_f491;
    let n = (secs * RECOGNIZER_RATE as f32) as usize;
    let samples = (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * amplitude
        })
        .collect();
    Audio::new(samples, RECOGNIZER_RATE).to_i16()
}

/// The resident memory of this process, in MiB (Linux).
pub fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}
