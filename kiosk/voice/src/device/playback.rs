//! The speaker.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use tracing::{debug, warn};

use super::open::{on_stream_error, open_logged, BuildStream, DeviceSample, Failure};
use super::{lock, AudioConfig, DeviceError, Direction, HalfDuplex};
use crate::audio::Audio;
use crate::speaker::{AudioSink, StopFlag};
use crate::VoiceError;

/// What the output callback and [`Playback::play`] share.
#[derive(Debug, Default)]
struct PlaybackShared {
    /// Mono samples at the device's rate, waiting for the device.
    queue: Mutex<VecDeque<f32>>,
    /// When the first non-silent sample since the last reset went to the device.
    first_sound: Mutex<Option<Instant>>,
}

/// Audible: above -60 dBFS.
const SOUND_LEVEL: f32 = 0.001;

/// The speaker: an [`AudioSink`] on an output device, stoppable at once.
pub struct Playback {
    stream: cpal::Stream,
    shared: Arc<PlaybackShared>,
    failure: Arc<Failure>,
    rate: u32,
    name: String,
    half_duplex: HalfDuplex,
}

impl std::fmt::Debug for Playback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playback")
            .field("name", &self.name)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Playback {
    /// Opens `config.output` (the default device when `None`) at its default rate and format.
    /// The stream runs (silence) until the `Playback` is dropped.
    pub fn open(config: &AudioConfig, half_duplex: HalfDuplex) -> Result<Self, VoiceError> {
        open_logged(config.output.as_deref(), Direction::Output, |device| {
            let config = device.config();
            let shared = Arc::new(PlaybackShared::default());
            let failure = Arc::new(Failure::default());
            let stream = device.start(Output {
                channels: usize::from(config.channels.max(1)),
                shared: Arc::clone(&shared),
                failure: Arc::clone(&failure),
            })?;
            Ok(Self {
                stream,
                shared,
                failure,
                rate: config.sample_rate,
                name: device.name,
                half_duplex,
            })
        })
    }

    /// The device's name.
    pub fn device_name(&self) -> &str {
        &self.name
    }

    /// The device's sample rate (speech is resampled to it).
    pub fn sample_rate(&self) -> u32 {
        self.rate
    }

    /// The half-duplex flag this speaker raises while it plays.
    pub fn half_duplex(&self) -> &HalfDuplex {
        &self.half_duplex
    }

    /// When the first audible sample since [`Playback::reset_first_sound`] went to the device:
    /// the "first audio" of a prompt, for latency measurements.
    pub fn first_sound_at(&self) -> Option<Instant> {
        *lock(&self.shared.first_sound)
    }

    pub fn reset_first_sound(&self) {
        *lock(&self.shared.first_sound) = None;
    }

    /// Silences the speaker now (what is queued is dropped).
    pub fn silence(&self) {
        lock(&self.shared.queue).clear();
    }

    fn failure(&self) -> Option<DeviceError> {
        self.failure.error(Direction::Output, &self.name)
    }
}

impl AudioSink for Playback {
    /// Queues the sentence and waits until the device has taken it, or `stop` is raised (the
    /// queue is then dropped: the speaker falls silent at the next callback).
    fn play(&mut self, audio: &Audio, stop: &StopFlag) -> Result<(), VoiceError> {
        let _speaking = self.half_duplex.speaking();
        if let Some(e) = self.failure() {
            return Err(e.into());
        }
        let audio = audio.resampled(self.rate)?;
        let duration = Duration::from_secs_f64(audio.duration_secs());
        lock(&self.shared.queue).extend(audio.samples.iter().copied());
        // Generous: a loaded machine may start the stream late, but a dead device must not
        // hang the kiosk.
        let deadline = Instant::now() + duration * 2 + Duration::from_secs(5);
        loop {
            if stop.is_stopped() {
                self.silence();
                debug!("speech stopped");
                return Ok(());
            }
            if lock(&self.shared.queue).is_empty() {
                return Ok(());
            }
            if let Some(e) = self.failure() {
                self.silence();
                return Err(e.into());
            }
            if Instant::now() > deadline {
                self.silence();
                let e = DeviceError::Failed {
                    direction: Direction::Output,
                    name: self.name.clone(),
                    why: "the device takes no audio".into(),
                };
                warn!(error = %e, "speaker stalled");
                return Err(e.into());
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Playback {
    fn drop(&mut self) {
        let _ = self.stream.pause();
    }
}

/// What the output callback owns: it takes queued samples, silence when there are none.
struct Output {
    channels: usize,
    shared: Arc<PlaybackShared>,
    failure: Arc<Failure>,
}

impl BuildStream for Output {
    fn build<T: DeviceSample>(
        self,
        device: &cpal::Device,
        config: cpal::StreamConfig,
    ) -> Result<cpal::Stream, cpal::Error> {
        let Output {
            channels,
            shared,
            failure,
        } = self;
        device.build_output_stream(
            config,
            move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
                let mut queue = lock(&shared.queue);
                let mut audible = false;
                for frame in data.chunks_mut(channels) {
                    let s = queue.pop_front().unwrap_or(0.0);
                    audible |= s.abs() > SOUND_LEVEL;
                    let s = T::from_sample(s);
                    frame.fill(s);
                }
                drop(queue);
                if audible {
                    lock(&shared.first_sound).get_or_insert_with(Instant::now);
                }
            },
            on_stream_error(Direction::Output, failure),
            None,
        )
    }
}
