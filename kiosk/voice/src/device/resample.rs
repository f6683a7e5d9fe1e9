//! Streaming resampling of the microphone to the recognizer's 16 kHz.

use rubato::{FftFixedIn, Resampler};
use tracing::warn;

use crate::audio::RECOGNIZER_RATE;

/// Streaming resampling of mono audio to 16 kHz, in fixed input chunks (rubato's FFT
/// resampler); a pass-through at 16 kHz.
pub struct Downsampler {
    resampler: Option<FftFixedIn<f32>>,
    pending: Vec<f32>,
}

impl Downsampler {
    /// From `rate` to 16 kHz.
    pub fn new(rate: u32) -> Result<Self, String> {
        let resampler = if rate == RECOGNIZER_RATE {
            None
        } else {
            // 10 ms chunks at the device's rate: little latency.
            let chunk = (rate as usize / 100).max(16);
            Some(
                FftFixedIn::<f32>::new(rate as usize, RECOGNIZER_RATE as usize, chunk, 1, 1)
                    .map_err(|e| format!("resampler from {rate} Hz: {e}"))?,
            )
        };
        Ok(Self {
            resampler,
            pending: Vec::new(),
        })
    }

    /// Takes device samples, returns the 16 kHz samples ready so far.
    pub fn push(&mut self, samples: &[f32]) -> Vec<f32> {
        let Some(resampler) = self.resampler.as_mut() else {
            return samples.to_vec();
        };
        self.pending.extend_from_slice(samples);
        let mut out = Vec::new();
        let mut pos = 0;
        while self.pending.len() - pos >= resampler.input_frames_next() {
            let n = resampler.input_frames_next();
            match resampler.process(&[&self.pending[pos..pos + n]], None) {
                Ok(chunk) => {
                    if let Some(channel) = chunk.first() {
                        out.extend_from_slice(channel);
                    }
                }
                Err(e) => {
                    warn!(error = %e, "resampling failed; chunk dropped");
                }
            }
            pos += n;
        }
        self.pending.drain(..pos);
        out
    }

    /// Forgets buffered audio.
    pub fn reset(&mut self) {
        self.pending.clear();
        if let Some(resampler) = self.resampler.as_mut() {
            resampler.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::Audio;

    #[test]
    fn streaming_downsampling_keeps_duration_and_level() {
        let rate = 48_000;
        let tone: Vec<f32> = (0..rate)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 0.5)
            .collect();
        let mut down = Downsampler::new(rate as u32).expect("resampler");
        let mut out = Vec::new();
        // Odd-sized pieces, as a device delivers them.
        for piece in tone.chunks(733) {
            out.extend(down.push(piece));
        }
        // All but the last partial 10 ms chunk come out.
        assert!((15_800..=16_000).contains(&out.len()), "{}", out.len());
        let level = Audio::new(out[2000..14_000].to_vec(), 16_000).rms();
        assert!((level - 0.5 / 2f32.sqrt()).abs() < 0.02, "{level}");
        let mut same = Downsampler::new(16_000).expect("pass-through");
        assert_eq!(same.push(&[0.25, -0.5]), vec![0.25, -0.5]);
    }
}
