//! Mono audio buffers, WAV files and resampling.
//!
//! Everything inside the crate is mono `f32` in [-1, 1]; the recognizer takes 16 kHz `i16`.

use std::path::Path;

use rubato::{FftFixedIn, Resampler};
use tracing::instrument;

use crate::VoiceError;

/// The sample rate the recognizer and the voice activity detector take.
pub const RECOGNIZER_RATE: u32 = 16_000;

/// A mono buffer of samples in [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub samples: Vec<f32>,
    pub sample_rate: u32,
}

impl Audio {
    pub fn new(samples: Vec<f32>, sample_rate: u32) -> Self {
        Self {
            samples,
            sample_rate,
        }
    }

    pub fn from_i16(samples: &[i16], sample_rate: u32) -> Self {
        let samples = samples.iter().map(|&s| f32::from(s) / 32768.0).collect();
        Self::new(samples, sample_rate)
    }

    pub fn to_i16(&self) -> Vec<i16> {
        self.samples
            .iter()
            // The cast saturates; the clamp keeps +1.0 from wrapping to the other end.
            .map(|&s| (s.clamp(-1.0, 1.0) * 32767.0) as i16)
            .collect()
    }

    pub fn duration_secs(&self) -> f64 {
        if self.sample_rate == 0 {
            return 0.0;
        }
        self.samples.len() as f64 / f64::from(self.sample_rate)
    }

    /// Root mean square level, 0 for silence.
    pub fn rms(&self) -> f32 {
        if self.samples.is_empty() {
            return 0.0;
        }
        let sum: f64 = self
            .samples
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum();
        (sum / self.samples.len() as f64).sqrt() as f32
    }

    /// Multiplies every sample by `gain` (volume), clipping at full scale.
    pub fn scaled(&self, gain: f32) -> Self {
        let samples = self
            .samples
            .iter()
            .map(|&s| (s * gain).clamp(-1.0, 1.0))
            .collect();
        Self::new(samples, self.sample_rate)
    }

    /// Appends `secs` of silence.
    pub fn append_silence(&mut self, secs: f32) {
        let n = (secs * self.sample_rate as f32) as usize;
        self.samples.extend(std::iter::repeat_n(0.0, n));
    }

    /// Reads a WAV file of any rate, format and channel count; channels are averaged.
    #[instrument(skip_all, fields(path = %path.display()))]
    pub fn read_wav(path: &Path) -> Result<Self, VoiceError> {
        let reader = hound::WavReader::open(path)
            .map_err(|e| VoiceError::Audio(format!("{}: {e}", path.display())))?;
        Self::from_wav_reader(reader)
    }

    /// Reads WAV bytes (what `espeak-ng --stdout` prints).
    pub fn from_wav_bytes(bytes: &[u8]) -> Result<Self, VoiceError> {
        let bytes = with_true_data_length(bytes);
        let reader = hound::WavReader::new(std::io::Cursor::new(bytes))
            .map_err(|e| VoiceError::Audio(format!("WAV: {e}")))?;
        Self::from_wav_reader(reader)
    }

    fn from_wav_reader<R: std::io::Read>(reader: hound::WavReader<R>) -> Result<Self, VoiceError> {
        let spec = reader.spec();
        let channels = usize::from(spec.channels.max(1));
        let interleaved: Vec<f32> = match spec.sample_format {
            hound::SampleFormat::Float => reader
                .into_samples::<f32>()
                .collect::<Result<_, _>>()
                .map_err(|e| VoiceError::Audio(format!("WAV: {e}")))?,
            hound::SampleFormat::Int => {
                let scale = (1_i64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
                reader
                    .into_samples::<i32>()
                    .map(|s| s.map(|s| s as f32 / scale))
                    .collect::<Result<_, _>>()
                    .map_err(|e| VoiceError::Audio(format!("WAV: {e}")))?
            }
        };
        let samples = interleaved
            .chunks(channels)
            .map(|frame| frame.iter().sum::<f32>() / frame.len() as f32)
            .collect();
        Ok(Self::new(samples, spec.sample_rate))
    }

    /// Writes a 16-bit mono WAV file.
    #[instrument(skip_all, fields(path = %path.display()))]
    pub fn write_wav(&self, path: &Path) -> Result<(), VoiceError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: self.sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let audio_err = |e: hound::Error| VoiceError::Audio(format!("{}: {e}", path.display()));
        let mut writer = hound::WavWriter::create(path, spec).map_err(audio_err)?;
        for s in self.to_i16() {
            writer.write_sample(s).map_err(audio_err)?;
        }
        writer.finalize().map_err(audio_err)
    }

    /// The same audio at another sample rate (FFT resampler).
    pub fn resampled(&self, rate: u32) -> Result<Self, VoiceError> {
        if rate == self.sample_rate || self.samples.is_empty() {
            return Ok(Self::new(self.samples.clone(), rate));
        }
        let err = |e: &dyn std::fmt::Display| VoiceError::Audio(format!("resampling: {e}"));
        let mut resampler =
            FftFixedIn::<f32>::new(self.sample_rate as usize, rate as usize, 1024, 2, 1)
                .map_err(|e| err(&e))?;
        let delay = resampler.output_delay();
        let expected =
            (self.samples.len() as u64 * u64::from(rate) / u64::from(self.sample_rate)) as usize;
        let mut out = Vec::with_capacity(expected + delay + 2048);
        let mut pos = 0;
        while pos + resampler.input_frames_next() <= self.samples.len() {
            let n = resampler.input_frames_next();
            let chunk = resampler
                .process(&[&self.samples[pos..pos + n]], None)
                .map_err(|e| err(&e))?;
            out.extend_from_slice(&chunk[0]);
            pos += n;
        }
        let tail = resampler
            .process_partial(Some(&[&self.samples[pos..]]), None)
            .map_err(|e| err(&e))?;
        out.extend_from_slice(&tail[0]);
        while out.len() < expected + delay {
            let flush = resampler
                .process_partial::<&[f32]>(None, None)
                .map_err(|e| err(&e))?;
            if flush[0].is_empty() {
                break;
            }
            out.extend_from_slice(&flush[0]);
        }
        let end = (delay + expected).min(out.len());
        Ok(Self::new(out[delay.min(end)..end].to_vec(), rate))
    }
}

/// A streamed WAV (espeak-ng writes to a pipe) declares a huge data length it never delivers;
/// the copy returned says how much data there really is.
fn with_true_data_length(bytes: &[u8]) -> Vec<u8> {
    let mut bytes = bytes.to_vec();
    let Some(at) = bytes.windows(4).position(|w| w == b"data") else {
        return bytes;
    };
    let actual = bytes.len().saturating_sub(at + 8);
    let Some(field) = bytes.get(at + 4..at + 8) else {
        return bytes;
    };
    let declared = u32::from_le_bytes([field[0], field[1], field[2], field[3]]) as usize;
    if declared > actual {
        let actual = (actual - actual % 2) as u32;
        bytes[at + 4..at + 8].copy_from_slice(&actual.to_le_bytes());
        let riff = (at as u32 + 8 + actual).saturating_sub(8);
        bytes[4..8].copy_from_slice(&riff.to_le_bytes());
        bytes.truncate(at + 8 + actual as usize);
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resampling_keeps_duration_and_level() {
        let tone: Vec<f32> = (0..22050)
            .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 22050.0).sin() * 0.5)
            .collect();
        let audio = Audio::new(tone, 22050);
        let resampled = audio.resampled(16_000).expect("resample");
        assert_eq!(resampled.samples.len(), 16_000);
        assert!((resampled.rms() - audio.rms()).abs() < 0.02);
    }

    #[test]
    fn i16_round_trip_clamps() {
        let audio = Audio::new(vec![1.5, -1.5, 0.0], 16_000);
        assert_eq!(audio.to_i16(), vec![32767, -32767, 0]);
    }
}
