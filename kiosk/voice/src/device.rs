//! Sound cards: capture from a microphone and playback to a speaker through cpal (ALSA on Linux),
//! downmixed to mono and resampled with rubato, half-duplex.
//!
//! - [`Playback`] is an [`AudioSink`]: [`crate::Speaker::speak`] plays through it, and the
//!   [`StopFlag`] silences it at the next device callback (a touch, the button).
//! - [`Capture`] delivers 16 kHz mono `i16` chunks over a channel to the turn-taking loop
//!   ([`crate::listen`]).
//! - [`HalfDuplex`] is shared by both: while the kiosk speaks, and for a short tail after (the
//!   device's buffer and the room's echo), what the microphone hears is dropped at the source.
//!
//! Devices are chosen by name in [`AudioConfig`] (an ALSA PCM name as [`list_devices`] shows it,
//! such as `pulse` or `default`, or a device's description); `None` is the system default. With no device the constructors return [`DeviceError`] and log a warning:
//! the kiosk then runs text-only, never panics.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use rubato::{FftFixedIn, Resampler};
use serde::{Deserialize, Serialize};
use tracing::{debug, info, info_span, instrument, warn};

use crate::audio::{Audio, RECOGNIZER_RATE};
use crate::speaker::{AudioSink, StopFlag};
use crate::VoiceError;

/// Which sound devices the kiosk uses (its configuration); `None` is the system default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioConfig {
    /// The microphone.
    pub input: Option<String>,
    /// The speaker.
    pub output: Option<String>,
}

/// Capture or playback, in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Direction::Input => "input (microphone)",
            Direction::Output => "output (speaker)",
        })
    }
}

/// Why a sound device cannot be used; the kiosk then runs text-only.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("no default audio {0} device")]
    NoDefault(Direction),
    #[error("no audio {direction} device named {name:?}")]
    NotFound { direction: Direction, name: String },
    #[error("audio {direction} device {name:?} cannot be opened: {why}")]
    Open {
        direction: Direction,
        name: String,
        why: String,
    },
    #[error("audio {direction} device {name:?} stopped: {why}")]
    Failed {
        direction: Direction,
        name: String,
        why: String,
    },
}

/// The names of the sound devices, for the supervisor's screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceList {
    /// Microphones: the names [`AudioConfig::input`] takes.
    pub inputs: Vec<String>,
    /// Speakers: the names [`AudioConfig::output`] takes.
    pub outputs: Vec<String>,
}

/// Lists the capture and playback devices (ALSA PCM names). Never fails: no host or no device
/// gives empty lists and a warning.
#[instrument]
pub fn list_devices() -> DeviceList {
    let host = cpal::default_host();
    let devices = match host.devices() {
        Ok(devices) => devices,
        Err(e) => {
            warn!(error = %e, "cannot list the audio devices");
            return DeviceList::default();
        }
    };
    let mut list = DeviceList::default();
    for device in devices {
        let name = device_name(&device);
        if device.supports_input() {
            list.inputs.push(name.clone());
        }
        if device.supports_output() {
            list.outputs.push(name);
        }
    }
    debug!(
        inputs = list.inputs.len(),
        outputs = list.outputs.len(),
        "audio devices"
    );
    list
}

/// A device's configurable name: its ALSA PCM id, else its description.
fn device_name(device: &cpal::Device) -> String {
    device
        .id()
        .map(|id| id.id().to_owned())
        .or_else(|_| device.description().map(|d| d.name().to_owned()))
        .unwrap_or_else(|_| "?".to_owned())
}

fn find_device(name: Option<&str>, direction: Direction) -> Result<cpal::Device, DeviceError> {
    let host = cpal::default_host();
    let Some(name) = name else {
        let device = match direction {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return device.ok_or(DeviceError::NoDefault(direction));
    };
    let not_found = || DeviceError::NotFound {
        direction,
        name: name.to_owned(),
    };
    let devices = host.devices().map_err(|_| not_found())?;
    let mut by_description = None;
    for device in devices {
        let usable = match direction {
            Direction::Input => device.supports_input(),
            Direction::Output => device.supports_output(),
        };
        if !usable {
            continue;
        }
        if device.id().is_ok_and(|id| id.id() == name) {
            return Ok(device);
        }
        if by_description.is_none()
            && device
                .description()
                .is_ok_and(|d| d.name().eq_ignore_ascii_case(name))
        {
            by_description = Some(device);
        }
    }
    by_description.ok_or_else(not_found)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Whether the kiosk is speaking: capture drops what it hears meanwhile and for a short tail
/// after. Cheap to clone; shared by [`Playback`], [`Capture`] and the app.
#[derive(Debug, Clone)]
pub struct HalfDuplex(Arc<HalfDuplexInner>);

#[derive(Debug)]
struct HalfDuplexInner {
    origin: Instant,
    speakers: AtomicUsize,
    /// Nanoseconds after `origin` until which the microphone stays muted.
    muted_until: AtomicU64,
    tail: Duration,
}

/// Keeps the microphone muted while it lives; see [`HalfDuplex::speaking`].
#[derive(Debug)]
pub struct Speaking(HalfDuplex);

impl Drop for Speaking {
    fn drop(&mut self) {
        let inner = &self.0 .0;
        let until = inner.origin.elapsed() + inner.tail;
        inner
            .muted_until
            .fetch_max(until.as_nanos() as u64, Ordering::SeqCst);
        inner.speakers.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for HalfDuplex {
    /// A 300 ms tail: the output buffer's last samples and the room's echo.
    fn default() -> Self {
        Self::new(Duration::from_millis(300))
    }
}

impl HalfDuplex {
    pub fn new(tail: Duration) -> Self {
        Self(Arc::new(HalfDuplexInner {
            origin: Instant::now(),
            speakers: AtomicUsize::new(0),
            muted_until: AtomicU64::new(0),
            tail,
        }))
    }

    /// The kiosk speaks until the guard is dropped, then the tail runs. Guards nest: [`Playback`]
    /// takes one per sentence, the app may hold one for a whole prompt.
    pub fn speaking(&self) -> Speaking {
        self.0.speakers.fetch_add(1, Ordering::SeqCst);
        Speaking(self.clone())
    }

    /// Whether the microphone is muted now.
    pub fn is_muted(&self) -> bool {
        let inner = &self.0;
        inner.speakers.load(Ordering::SeqCst) > 0
            || (inner.origin.elapsed().as_nanos() as u64) < inner.muted_until.load(Ordering::SeqCst)
    }
}

/// What the output callback and [`Playback::play`] share.
#[derive(Debug, Default)]
struct PlaybackShared {
    /// Mono samples at the device's rate, waiting for the device.
    queue: Mutex<VecDeque<f32>>,
    /// When the first non-silent sample since the last reset went to the device.
    first_sound: Mutex<Option<Instant>>,
    failed: Mutex<Option<String>>,
}

/// Audible: above -60 dBFS.
const SOUND_LEVEL: f32 = 0.001;

/// The speaker: an [`AudioSink`] on an output device, stoppable at once.
pub struct Playback {
    stream: cpal::Stream,
    shared: Arc<PlaybackShared>,
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
        let requested = config.output.as_deref();
        let span = info_span!("playback", device = requested.unwrap_or("default"));
        let _entered = span.enter();
        Self::open_inner(requested, half_duplex).map_err(|e| {
            warn!(error = %e, "no speaker: prompts will be shown, not spoken");
            VoiceError::Device(e)
        })
    }

    fn open_inner(requested: Option<&str>, half_duplex: HalfDuplex) -> Result<Self, DeviceError> {
        let direction = Direction::Output;
        let device = find_device(requested, direction)?;
        let name = device_name(&device);
        let open_err = |why: String| DeviceError::Open {
            direction,
            name: name.clone(),
            why,
        };
        let supported = device
            .default_output_config()
            .map_err(|e| open_err(e.to_string()))?;
        let config = supported.config();
        let shared = Arc::new(PlaybackShared::default());
        let channels = usize::from(config.channels.max(1));
        let stream = match supported.sample_format() {
            SampleFormat::F32 => build_output::<f32>(&device, config, channels, &shared),
            SampleFormat::I16 => build_output::<i16>(&device, config, channels, &shared),
            SampleFormat::I32 => build_output::<i32>(&device, config, channels, &shared),
            SampleFormat::U16 => build_output::<u16>(&device, config, channels, &shared),
            SampleFormat::U8 => build_output::<u8>(&device, config, channels, &shared),
            SampleFormat::F64 => build_output::<f64>(&device, config, channels, &shared),
            other => return Err(open_err(format!("unsupported sample format {other}"))),
        }
        .map_err(|e| open_err(e.to_string()))?;
        stream.play().map_err(|e| open_err(e.to_string()))?;
        info!(
            %name,
            rate = config.sample_rate,
            channels,
            format = %supported.sample_format(),
            "speaker open"
        );
        Ok(Self {
            stream,
            shared,
            rate: config.sample_rate,
            name,
            half_duplex,
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
        lock(&self.shared.failed)
            .as_ref()
            .map(|why| DeviceError::Failed {
                direction: Direction::Output,
                name: self.name.clone(),
                why: why.clone(),
            })
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

fn build_output<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    channels: usize,
    shared: &Arc<PlaybackShared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32>,
{
    let data_shared = Arc::clone(shared);
    let error_shared = Arc::clone(shared);
    device.build_output_stream(
        config,
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            let mut queue = lock(&data_shared.queue);
            let mut audible = false;
            for frame in data.chunks_mut(channels) {
                let s = queue.pop_front().unwrap_or(0.0);
                audible |= s.abs() > SOUND_LEVEL;
                let s = T::from_sample(s);
                frame.fill(s);
            }
            drop(queue);
            if audible {
                lock(&data_shared.first_sound).get_or_insert_with(Instant::now);
            }
        },
        {
            // A failing device reports on every callback: log the first error, then a count.
            let mut errors: u64 = 0;
            move |e| {
                errors += 1;
                if errors == 1 || errors.is_power_of_two() {
                    warn!(error = %e, errors, "speaker stream error");
                }
                if matches!(
                    e.kind(),
                    cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
                ) {
                    *lock(&error_shared.failed) = Some(e.to_string());
                }
            }
        },
        None,
    )
}

/// Capture chunks waiting for the listener: about 10 s of audio.
const CAPTURE_QUEUE: usize = 1000;

#[derive(Debug, Default)]
struct CaptureShared {
    failed: Mutex<Option<String>>,
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
        let requested = config.input.as_deref();
        let span = info_span!("capture", device = requested.unwrap_or("default"));
        let _entered = span.enter();
        Self::open_inner(requested, half_duplex).map_err(|e| {
            warn!(error = %e, "no microphone: answers by touch only");
            VoiceError::Device(e)
        })
    }

    fn open_inner(requested: Option<&str>, half_duplex: HalfDuplex) -> Result<Self, DeviceError> {
        let direction = Direction::Input;
        let device = find_device(requested, direction)?;
        let name = device_name(&device);
        let open_err = |why: String| DeviceError::Open {
            direction,
            name: name.clone(),
            why,
        };
        let supported = device
            .default_input_config()
            .map_err(|e| open_err(e.to_string()))?;
        let config = supported.config();
        let shared = Arc::new(CaptureShared::default());
        let (tx, rx) = mpsc::sync_channel(CAPTURE_QUEUE);
        let input = InputState {
            channels: usize::from(config.channels.max(1)),
            to_16k: Downsampler::new(config.sample_rate).map_err(open_err)?,
            half_duplex,
            was_muted: false,
            tx,
            shared: Arc::clone(&shared),
            mono: Vec::new(),
        };
        let stream = match supported.sample_format() {
            SampleFormat::F32 => build_input::<f32>(&device, config, input, &shared),
            SampleFormat::I16 => build_input::<i16>(&device, config, input, &shared),
            SampleFormat::I32 => build_input::<i32>(&device, config, input, &shared),
            SampleFormat::U16 => build_input::<u16>(&device, config, input, &shared),
            SampleFormat::U8 => build_input::<u8>(&device, config, input, &shared),
            SampleFormat::F64 => build_input::<f64>(&device, config, input, &shared),
            other => return Err(open_err(format!("unsupported sample format {other}"))),
        }
        .map_err(|e| open_err(e.to_string()))?;
        stream.play().map_err(|e| open_err(e.to_string()))?;
        info!(
            %name,
            rate = config.sample_rate,
            channels = config.channels,
            format = %supported.sample_format(),
            "microphone open"
        );
        Ok(Self {
            stream,
            frames: rx,
            shared,
            rate: config.sample_rate,
            name,
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
        lock(&self.shared.failed)
            .as_ref()
            .map(|why| DeviceError::Failed {
                direction: Direction::Input,
                name: self.name.clone(),
                why: why.clone(),
            })
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
    fn push<T>(&mut self, data: &[T])
    where
        T: Sample,
        f32: FromSample<T>,
    {
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
        self.mono.extend(data.chunks(self.channels).map(|frame| {
            frame.iter().map(|&s| f32::from_sample(s)).sum::<f32>() / frame.len() as f32
        }));
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

fn build_input<T>(
    device: &cpal::Device,
    config: cpal::StreamConfig,
    mut input: InputState,
    shared: &Arc<CaptureShared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample,
    f32: FromSample<T>,
{
    let error_shared = Arc::clone(shared);
    device.build_input_stream(
        config,
        move |data: &[T], _: &cpal::InputCallbackInfo| input.push(data),
        {
            // A failing device reports on every callback: log the first error, then a count.
            let mut errors: u64 = 0;
            move |e| {
                errors += 1;
                if errors == 1 || errors.is_power_of_two() {
                    warn!(error = %e, errors, "microphone stream error");
                }
                if matches!(
                    e.kind(),
                    cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
                ) {
                    *lock(&error_shared.failed) = Some(e.to_string());
                }
            }
        },
        None,
    )
}

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

    #[test]
    fn the_microphone_stays_muted_while_speaking_and_for_the_tail() {
        let duplex = HalfDuplex::new(Duration::from_millis(150));
        assert!(!duplex.is_muted());
        let outer = duplex.speaking();
        let inner = duplex.speaking();
        assert!(duplex.is_muted());
        drop(inner);
        assert!(duplex.is_muted(), "the outer guard still holds");
        drop(outer);
        assert!(duplex.is_muted(), "the tail follows the speech");
        std::thread::sleep(Duration::from_millis(200));
        assert!(!duplex.is_muted());
    }

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
