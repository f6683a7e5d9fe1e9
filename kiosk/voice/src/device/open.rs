//! What [`super::Playback`] and [`super::Capture`] share: finding a device by its ALSA name (or
//! description), choosing its configuration, building and starting its stream whatever its
//! sample format, and reporting errors (the log's warning, the stream's failures).

use std::sync::{Arc, Mutex};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{FromSample, Sample, SampleFormat, SizedSample};
use tracing::{debug, info, info_span, instrument, warn};

use super::{lock, DeviceError, DeviceList, Direction};
use crate::VoiceError;

impl Direction {
    /// The device's part, in log messages.
    fn what(self) -> &'static str {
        match self {
            Direction::Input => "microphone",
            Direction::Output => "speaker",
        }
    }

    fn usable(self, device: &cpal::Device) -> bool {
        match self {
            Direction::Input => device.supports_input(),
            Direction::Output => device.supports_output(),
        }
    }
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
        if !direction.usable(&device) {
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

/// Opens the `requested` device (the default when `None`) in a `playback` or `capture` span:
/// finds it, chooses its configuration, then `open` builds the stream. A failure is logged as a
/// warning (the kiosk goes on without this device) and returned.
pub(super) fn open_logged<T>(
    requested: Option<&str>,
    direction: Direction,
    open: impl FnOnce(FoundDevice) -> Result<T, DeviceError>,
) -> Result<T, VoiceError> {
    let device = requested.unwrap_or("default");
    let span = match direction {
        Direction::Input => info_span!("capture", device),
        Direction::Output => info_span!("playback", device),
    };
    let _entered = span.enter();
    FoundDevice::find(requested, direction)
        .and_then(open)
        .map_err(|e| {
            match direction {
                Direction::Input => warn!(error = %e, "no microphone: answers by touch only"),
                Direction::Output => {
                    warn!(error = %e, "no speaker: prompts will be shown, not spoken")
                }
            }
            VoiceError::Device(e)
        })
}

/// A device found by name, with the configuration chosen for it: its default rate, format and
/// channels.
pub(super) struct FoundDevice {
    device: cpal::Device,
    pub name: String,
    supported: cpal::SupportedStreamConfig,
    direction: Direction,
}

impl FoundDevice {
    fn find(requested: Option<&str>, direction: Direction) -> Result<Self, DeviceError> {
        let device = find_device(requested, direction)?;
        let name = device_name(&device);
        let supported = match direction {
            Direction::Input => device.default_input_config(),
            Direction::Output => device.default_output_config(),
        };
        match supported {
            Ok(supported) => Ok(Self {
                device,
                name,
                supported,
                direction,
            }),
            Err(e) => Err(DeviceError::Open {
                direction,
                name,
                why: e.to_string(),
            }),
        }
    }

    /// The stream's configuration.
    pub fn config(&self) -> cpal::StreamConfig {
        self.supported.config()
    }

    /// This device cannot be opened, because of `why`.
    pub fn error(&self, why: impl ToString) -> DeviceError {
        DeviceError::Open {
            direction: self.direction,
            name: self.name.clone(),
            why: why.to_string(),
        }
    }

    /// Builds the stream in the device's sample format and starts it.
    pub fn start(&self, builder: impl BuildStream) -> Result<cpal::Stream, DeviceError> {
        let device = &self.device;
        let config = self.config();
        let format = self.supported.sample_format();
        let stream = match format {
            SampleFormat::F32 => builder.build::<f32>(device, config),
            SampleFormat::I16 => builder.build::<i16>(device, config),
            SampleFormat::I32 => builder.build::<i32>(device, config),
            SampleFormat::U16 => builder.build::<u16>(device, config),
            SampleFormat::U8 => builder.build::<u8>(device, config),
            SampleFormat::F64 => builder.build::<f64>(device, config),
            other => return Err(self.error(format!("unsupported sample format {other}"))),
        }
        .map_err(|e| self.error(e))?;
        stream.play().map_err(|e| self.error(e))?;
        info!(
            name = %self.name,
            rate = config.sample_rate,
            channels = config.channels,
            format = %format,
            "{} open",
            self.direction.what()
        );
        Ok(stream)
    }
}

/// The sample formats a device may use; samples convert from and to `f32`.
pub(super) trait DeviceSample: SizedSample + FromSample<f32> + Send + 'static {
    fn to_f32(self) -> f32;
}

macro_rules! device_samples {
    ($($t:ty),*) => {
        $(impl DeviceSample for $t {
            fn to_f32(self) -> f32 {
                f32::from_sample(self)
            }
        })*
    };
}

device_samples!(f32, i16, i32, u16, u8, f64);

/// Builds a direction's stream for one sample format.
pub(super) trait BuildStream {
    fn build<T: DeviceSample>(
        self,
        device: &cpal::Device,
        config: cpal::StreamConfig,
    ) -> Result<cpal::Stream, cpal::Error>;
}

/// Why a running stream stopped (unplugged), set by its error callback.
#[derive(Debug, Default)]
pub(super) struct Failure(Mutex<Option<String>>);

impl Failure {
    pub fn error(&self, direction: Direction, name: &str) -> Option<DeviceError> {
        lock(&self.0).as_ref().map(|why| DeviceError::Failed {
            direction,
            name: name.to_owned(),
            why: why.clone(),
        })
    }
}

/// A stream's error callback. A failing device reports on every callback: the first error is
/// logged, then a count; a lost device is recorded in `failure`.
pub(super) fn on_stream_error(
    direction: Direction,
    failure: Arc<Failure>,
) -> impl FnMut(cpal::Error) + Send + 'static {
    let mut errors: u64 = 0;
    move |e| {
        errors += 1;
        if errors == 1 || errors.is_power_of_two() {
            warn!(error = %e, errors, "{} stream error", direction.what());
        }
        if matches!(
            e.kind(),
            cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
        ) {
            *lock(&failure.0) = Some(e.to_string());
        }
    }
}
