//! The microphone.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;

use cpal::traits::{DeviceTrait, StreamTrait};

use super::open::{on_stream_error, open_logged, BuildStream, DeviceSample, Failure};
use super::{AudioConfig, DeviceError, Direction, Downsampler, HalfDuplex};
use crate::audio::{Audio, RECOGNIZER_RATE};
use crate::VoiceError;

/// Capture chunks waiting for the listener: about 10 s of audio.
const CAPTURE_QUEUE: usize = 1000;

#[derive(Debug, Default)]
struct CaptureShared {
    /// Chunks dropped because nobody read them (the queue was full).
    overflowed: AtomicU64,
    /// Chunks dropped because the kiosk was speaking.
    muted: AtomicU64,
    /// The listener is gone: stop sending.
    closed: AtomicBool,
}

/// The microphone: 16 kHz mono `i16` chunks over a channel, nothing while the kiosk speaks.
pub struct Capture {
    stream: cpal::Stream,
    frames: Receiver<Vec<i16>>,
    shared: Arc<CaptureShared>,
    failure: Arc<Failure>,
    rate: u32,
    name: String,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("name", &self.name)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// Opens `config.input` (the default device when `None`) at its default rate and format and
    /// starts capturing; chunks heard while `half_duplex` is muted are dropped.
    pub fn open(config: &AudioConfig, half_duplex: HalfDuplex) -> Result<Self, VoiceError> {
        open_logged(config.input.as_deref(), Direction::Input, |device| {
            let config = device.config();
            let shared = Arc::new(CaptureShared::default());
            let failure = Arc::new(Failure::default());
            let (tx, rx) = mpsc::sync_channel(CAPTURE_QUEUE);
            let state = InputState {
                channels: usize::from(config.channels.max(1)),
                to_16k: Downsampler::new(config.sample_rate).map_err(|e| device.error(e))?,
                half_duplex,
                was_muted: false,
                tx,
                shared: Arc::clone(&shared),
                mono: Vec::new(),
            };
            let stream = device.start(Input {
                state,
                failure: Arc::clone(&failure),
            })?;
            Ok(Self {
                stream,
                frames: rx,
                shared,
                failure,
                rate: config.sample_rate,
                name: device.name,
            })
        })
    }

    /// 16 kHz mono chunks, as the device delivers them (about 10 ms to 100 ms each).
    pub fn frames(&self) -> &Receiver<Vec<i16>> {
        &self.frames
    }

    /// Drops what was captured and not yet read: call it before listening, so that the turn
    /// starts with what the citizen says now.
    pub fn clear(&self) {
        while self.frames.try_recv().is_ok() {}
    }

    pub fn device_name(&self) -> &str {
        &self.name
    }

    /// The device's own rate (resampled to 16 kHz).
    pub fn device_rate(&self) -> u32 {
        self.rate
    }

    /// Chunks dropped since opening: (while the kiosk spoke, because nobody read them).
    pub fn dropped(&self) -> (u64, u64) {
        (
            self.shared.muted.load(Ordering::Relaxed),
            self.shared.overflowed.load(Ordering::Relaxed),
        )
    }

    /// The device's failure, if it failed (unplugged).
    pub fn failure(&self) -> Option<DeviceError> {
        self.failure.error(Direction::Input, &self.name)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        let _ = self.stream.pause();
    }
}

/// What the input callback owns.
struct InputState {
    channels: usize,
    to_16k: Downsampler,
    half_duplex: HalfDuplex,
    was_muted: bool,
    tx: SyncSender<Vec<i16>>,
    shared: Arc<CaptureShared>,
    mono: Vec<f32>,
}

impl InputState {
    fn push<T: DeviceSample>(&mut self, data: &[T]) {
        if self.shared.closed.load(Ordering::Relaxed) {
            return;
        }
        if self.half_duplex.is_muted() {
            self.was_muted = true;
            self.shared.muted.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.was_muted {
            // Nothing heard before or during the speech may leak into what follows.
            self.was_muted = false;
            self.to_16k.reset();
        }
        self.mono.clear();
        self.mono.extend(
            data.chunks(self.channels)
                .map(|frame| frame.iter().map(|&s| s.to_f32()).sum::<f32>() / frame.len() as f32),
        );
        let samples = self.to_16k.push(&self.mono);
        if samples.is_empty() {
            return;
        }
        let chunk = Audio::new(samples, RECOGNIZER_RATE).to_i16();
        match self.tx.try_send(chunk) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.shared.overflowed.fetch_add(1, Ordering::Relaxed);
            }
            Err(TrySendError::Disconnected(_)) => {
                self.shared.closed.store(true, Ordering::Relaxed);
            }
        }
    }
}

/// The input stream's builder: the callback owns the [`InputState`].
struct Input {
    state: InputState,
    failure: Arc<Failure>,
}

impl BuildStream for Input {
    fn build<T: DeviceSample>(
        self,
        device: &cpal::Device,
        config: cpal::StreamConfig,
    ) -> Result<cpal::Stream, cpal::Error> {
        let Input { mut state, failure } = self;
        device.build_input_stream(
            config,
            move |data: &[T], _: &cpal::InputCallbackInfo| state.push(data),
            on_stream_error(Direction::Input, failure),
            None,
        )
    }
}
