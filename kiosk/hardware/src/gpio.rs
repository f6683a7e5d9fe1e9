//! The real board on the Raspberry Pi's GPIO (rppal, feature `gpio`). One thread samples the
//! inputs every [`TICK`] through [`PanelReader`] (debounce, long press, presence) and drives the
//! status LED and the « Parler » lamp from the [`LightSwitch`]. Wiring: `hardware/README.md`.

use crate::board::EventSink;
use crate::config::HardwareConfig;
use crate::input::{PanelLevels, PanelReader};
use crate::light::{Light, LightSwitch};
use rppal::gpio::{Gpio, Level};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the inputs are read and the LED updated.
const TICK: Duration = Duration::from_millis(5);

pub struct GpioBoard {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl GpioBoard {
    /// Opens the pins; an error (no GPIO on this machine, a pin busy, no permission) says why.
    pub fn start(
        config: &HardwareConfig,
        events: EventSink,
        light: LightSwitch,
    ) -> Result<GpioBoard, String> {
        let gpio = Gpio::new().map_err(|e| format!("GPIO: {e}"))?;
        let pin = |n: u8| gpio.get(n).map_err(|e| format!("GPIO {n}: {e}"));
        // Buttons close to ground: pulled up, pressed when low. The sensor drives its output:
        // pulled down, so a sensor unplugged reads "nobody".
        let talk = pin(config.talk_button_pin)?.into_input_pullup();
        let help = pin(config.help_button_pin)?.into_input_pullup();
        let presence = pin(config.presence_pin)?.into_input_pulldown();
        let mut led = pin(config.status_led_pin)?.into_output_low();
        let mut lamp = pin(config.talk_lamp_pin)?.into_output_low();
        let mut reader = PanelReader::new(config.long_press());
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("panel-gpio".into())
                .spawn(move || {
                    let started = Instant::now();
                    let mut shown = Light::Off;
                    let mut shown_since = Duration::ZERO;
                    while !stop.load(Ordering::Relaxed) {
                        let now = started.elapsed();
                        let levels = PanelLevels {
                            talk_pressed: talk.is_low(),
                            help_pressed: help.is_low(),
                            someone_seen: presence.is_high(),
                        };
                        for event in reader.sample(levels, now) {
                            events(event);
                        }
                        let wanted = light.get();
                        if wanted != shown {
                            shown = wanted;
                            shown_since = now;
                        }
                        led.write(Level::from(shown.is_on(now - shown_since)));
                        lamp.write(Level::from(shown.talk_lamp()));
                        std::thread::sleep(TICK);
                    }
                    // The pins reset when dropped: the lights go off.
                })
                .map_err(|e| format!("GPIO thread: {e}"))?
        };
        tracing::info!(pins = ?config.pins(), "front panel on GPIO");
        Ok(GpioBoard {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for GpioBoard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
