//! The `[hardware]` section of `kiosk.toml`: which board, and the GPIO pins (BCM numbers) of
//! `hardware/README.md`'s wiring, which are the defaults.

use serde::Deserialize;
use std::time::Duration;

/// Which board drives the front panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BoardChoice {
    /// GPIO when this machine has it, else the simulated board (a development machine).
    #[default]
    Auto,
    /// GPIO only; without it, no front panel (said in the log).
    Gpio,
    /// The simulated board (a Unix socket in the data folder), even on a Raspberry Pi.
    Simulated,
    /// No front panel: touch and voice only.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HardwareConfig {
    pub board: BoardChoice,
    /// « Parler »: the button's contact, to ground (internal and external pull-up).
    pub talk_button_pin: u8,
    /// « Parler »: the lamp in the button, through a MOSFET.
    pub talk_lamp_pin: u8,
    /// « Aide »: the button's contact, to ground.
    pub help_button_pin: u8,
    /// The status LED, through its resistor.
    pub status_led_pin: u8,
    /// The presence sensor's output (high: someone is there).
    pub presence_pin: u8,
    /// How long a button must be held to be a long press, in milliseconds.
    pub long_press_ms: u64,
}

impl Default for HardwareConfig {
    fn default() -> Self {
        HardwareConfig {
            board: BoardChoice::Auto,
            talk_button_pin: 17,
            talk_lamp_pin: 27,
            help_button_pin: 22,
            status_led_pin: 23,
            presence_pin: 24,
            long_press_ms: 1500,
        }
    }
}

/// The BCM numbers of the header's general-purpose pins (0 and 1 are the HAT EEPROM's).
const GPIO_PINS: std::ops::RangeInclusive<u8> = 2..=27;

impl HardwareConfig {
    pub fn long_press(&self) -> Duration {
        Duration::from_millis(self.long_press_ms)
    }

    /// The pins by their key in `kiosk.toml`.
    pub fn pins(&self) -> [(&'static str, u8); 5] {
        [
            ("talk_button_pin", self.talk_button_pin),
            ("talk_lamp_pin", self.talk_lamp_pin),
            ("help_button_pin", self.help_button_pin),
            ("status_led_pin", self.status_led_pin),
            ("presence_pin", self.presence_pin),
        ]
    }

    /// Refuses pins that are not GPIO, a pin used twice and a long press out of reach, with a
    /// French message that names the key.
    pub fn check(&self) -> Result<(), String> {
        let pins = self.pins();
        for (i, (key, pin)) in pins.iter().enumerate() {
            if !GPIO_PINS.contains(pin) {
                return Err(format!(
                    "hardware.{key} : {pin} n'est pas une broche GPIO (numéros BCM de 2 à 27)"
                ));
            }
            if let Some((other, _)) = pins[..i].iter().find(|(_, p)| p == pin) {
                return Err(format!(
                    "hardware.{key} : la broche {pin} est déjà celle de hardware.{other}"
                ));
            }
        }
        if !(500..=5000).contains(&self.long_press_ms) {
            return Err("hardware.long_press_ms : entre 500 et 5000 millisecondes".to_owned());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_distinct() {
        HardwareConfig::default().check().unwrap();
    }

    #[test]
    fn a_pin_used_twice_or_out_of_the_header_is_refused_by_its_key() {
        let twice = HardwareConfig {
            help_button_pin: 17,
            ..HardwareConfig::default()
        };
        let err = twice.check().unwrap_err();
        assert!(err.contains("hardware.help_button_pin"), "{err}");
        assert!(err.contains("talk_button_pin"), "{err}");
        let outside = HardwareConfig {
            status_led_pin: 40,
            ..HardwareConfig::default()
        };
        assert!(outside.check().unwrap_err().contains("status_led_pin"));
        let quick = HardwareConfig {
            long_press_ms: 100,
            ..HardwareConfig::default()
        };
        assert!(quick.check().unwrap_err().contains("long_press_ms"));
    }
}
