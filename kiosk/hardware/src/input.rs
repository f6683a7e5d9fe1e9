//! Levels on the pins to the machine's events, as pure state machines fed with the time
//! elapsed since the board started (so that tests need no hardware and no clock).
//!
//! A button's contact bounces for a few milliseconds: a level counts once it has been stable
//! for [`DEBOUNCE`]. A press held for the long-press time is [`Press::Long`], reported as soon
//! as the time is reached (the person feels the kiosk answer while still pressing); released
//! before, it is [`Press::Short`]. The presence sensor's output flickers at the edge of its
//! range: someone is there once it has been high for [`PRESENCE_ARRIVAL`], and gone once it
//! has been low for [`PRESENCE_DEPARTURE`].

use kiosk_flow::machine::{KioskEvent, PanelButton, Press};
use std::time::Duration;

/// How long a button's level must hold to count.
pub const DEBOUNCE: Duration = Duration::from_millis(30);
/// How long the presence sensor must see someone before the kiosk wakes.
pub const PRESENCE_ARRIVAL: Duration = Duration::from_millis(500);
/// How long the presence sensor must see nobody before the person counts as gone.
pub const PRESENCE_DEPARTURE: Duration = Duration::from_secs(3);

/// A level that counts once it has held for a while.
#[derive(Debug, Clone)]
struct Debounced {
    stable: bool,
    candidate: bool,
    since: Duration,
}

impl Debounced {
    fn new() -> Self {
        Debounced {
            stable: false,
            candidate: false,
            since: Duration::ZERO,
        }
    }

    /// The new stable level when it changes.
    fn sample(&mut self, level: bool, now: Duration, hold: Duration) -> Option<bool> {
        if level != self.candidate {
            self.candidate = level;
            self.since = now;
        }
        if self.candidate != self.stable && now.saturating_sub(self.since) >= hold {
            self.stable = self.candidate;
            return Some(self.stable);
        }
        None
    }
}

/// One button: debounce, then short or long press.
#[derive(Debug, Clone)]
pub struct ButtonTracker {
    level: Debounced,
    long_press: Duration,
    /// When the (debounced) press began, while it is held.
    pressed_at: Option<Duration>,
    /// The long press was reported for the press being held.
    long_sent: bool,
}

impl ButtonTracker {
    pub fn new(long_press: Duration) -> Self {
        ButtonTracker {
            level: Debounced::new(),
            long_press,
            pressed_at: None,
            long_sent: false,
        }
    }

    /// `pressed`: the contact is closed now. Returns a press when one is complete.
    pub fn sample(&mut self, pressed: bool, now: Duration) -> Option<Press> {
        match self.level.sample(pressed, now, DEBOUNCE) {
            Some(true) => {
                self.pressed_at = Some(now);
                self.long_sent = false;
                None
            }
            Some(false) => {
                let short = self.pressed_at.take().is_some() && !self.long_sent;
                short.then_some(Press::Short)
            }
            None => match self.pressed_at {
                Some(at) if !self.long_sent && now.saturating_sub(at) >= self.long_press => {
                    self.long_sent = true;
                    Some(Press::Long)
                }
                _ => None,
            },
        }
    }
}

/// The presence sensor: someone arrived (`true`) or left (`false`).
#[derive(Debug, Clone)]
pub struct PresenceTracker {
    level: Debounced,
}

impl PresenceTracker {
    pub fn new() -> Self {
        PresenceTracker {
            level: Debounced::new(),
        }
    }

    pub fn sample(&mut self, seen: bool, now: Duration) -> Option<bool> {
        let hold = if seen {
            PRESENCE_ARRIVAL
        } else {
            PRESENCE_DEPARTURE
        };
        self.level.sample(seen, now, hold)
    }
}

impl Default for PresenceTracker {
    fn default() -> Self {
        Self::new()
    }
}

/// The levels read from the panel at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PanelLevels {
    pub talk_pressed: bool,
    pub help_pressed: bool,
    pub someone_seen: bool,
}

/// The whole panel: every input's tracker.
#[derive(Debug, Clone)]
pub struct PanelReader {
    talk: ButtonTracker,
    help: ButtonTracker,
    presence: PresenceTracker,
}

impl PanelReader {
    pub fn new(long_press: Duration) -> Self {
        PanelReader {
            talk: ButtonTracker::new(long_press),
            help: ButtonTracker::new(long_press),
            presence: PresenceTracker::new(),
        }
    }

    /// The machine's events for the levels read at `now`.
    pub fn sample(&mut self, levels: PanelLevels, now: Duration) -> Vec<KioskEvent> {
        let mut events = Vec::new();
        for (button, tracker, pressed) in [
            (PanelButton::Talk, &mut self.talk, levels.talk_pressed),
            (PanelButton::Help, &mut self.help, levels.help_pressed),
        ] {
            if let Some(press) = tracker.sample(pressed, now) {
                events.push(KioskEvent::Button { button, press });
            }
        }
        if let Some(here) = self.presence.sample(levels.someone_seen, now) {
            events.push(KioskEvent::Presence(here));
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Samples a level every 5 ms from `from` to `to`; the presses reported.
    fn hold(button: &mut ButtonTracker, pressed: bool, from: u64, to: u64) -> Vec<Press> {
        (from..to)
            .step_by(5)
            .filter_map(|t| button.sample(pressed, ms(t)))
            .collect()
    }

    #[test]
    fn a_short_press_is_reported_on_release_once() {
        let mut button = ButtonTracker::new(ms(1500));
        assert!(hold(&mut button, true, 0, 200).is_empty());
        assert_eq!(hold(&mut button, false, 200, 400), [Press::Short]);
    }

    #[test]
    fn bounces_shorter_than_the_debounce_are_not_presses() {
        let mut button = ButtonTracker::new(ms(1500));
        let mut presses = Vec::new();
        // Contact chatter: 10 ms closed, 10 ms open, for 200 ms, then open.
        for t in (0..200).step_by(5) {
            presses.extend(button.sample((t / 10) % 2 == 0, ms(t)));
        }
        presses.extend(hold(&mut button, false, 200, 400));
        assert!(presses.is_empty(), "{presses:?}");
        // A bouncy press that settles is one press.
        let mut button = ButtonTracker::new(ms(1500));
        let mut presses = Vec::new();
        for t in (0..20).step_by(5) {
            presses.extend(button.sample(t % 10 == 0, ms(t)));
        }
        presses.extend(hold(&mut button, true, 20, 300));
        for t in (300..320).step_by(5) {
            presses.extend(button.sample(t % 10 != 0, ms(t)));
        }
        presses.extend(hold(&mut button, false, 320, 500));
        assert_eq!(presses, [Press::Short]);
    }

    #[test]
    fn a_long_press_is_reported_while_held_and_not_again_on_release() {
        let mut button = ButtonTracker::new(ms(1500));
        let presses = hold(&mut button, true, 0, 1500);
        assert!(presses.is_empty(), "not before the time: {presses:?}");
        assert_eq!(hold(&mut button, true, 1500, 3000), [Press::Long]);
        assert!(hold(&mut button, false, 3000, 3200).is_empty());
        // The next press starts afresh.
        hold(&mut button, true, 3200, 3300);
        assert_eq!(hold(&mut button, false, 3300, 3400), [Press::Short]);
    }

    #[test]
    fn presence_waits_for_a_steady_arrival_and_a_steady_departure() {
        let mut sensor = PresenceTracker::new();
        let mut seen = |level: bool, from: u64, to: u64| -> Vec<bool> {
            (from..to)
                .step_by(10)
                .filter_map(|t| sensor.sample(level, ms(t)))
                .collect()
        };
        assert!(seen(true, 0, 300).is_empty(), "a passer-by's flicker");
        assert!(seen(false, 300, 400).is_empty());
        assert_eq!(seen(true, 400, 1000), [true]);
        assert!(seen(false, 1000, 3000).is_empty(), "a moment unseen");
        assert!(seen(true, 3000, 3100).is_empty());
        assert_eq!(seen(false, 3100, 7000), [false]);
    }

    #[test]
    fn the_panel_reports_each_input_as_the_machine_event() {
        let mut panel = PanelReader::new(ms(1000));
        let mut events = Vec::new();
        let mut run = |levels: PanelLevels, from: u64, to: u64| {
            for t in (from..to).step_by(10) {
                events.extend(panel.sample(levels, ms(t)));
            }
        };
        let help = PanelLevels {
            help_pressed: true,
            ..PanelLevels::default()
        };
        run(help, 0, 1200);
        run(PanelLevels::default(), 1200, 1300);
        let talk = PanelLevels {
            talk_pressed: true,
            someone_seen: true,
            ..PanelLevels::default()
        };
        run(talk, 1300, 1400);
        run(
            PanelLevels {
                someone_seen: true,
                ..PanelLevels::default()
            },
            1400,
            2000,
        );
        let described: Vec<String> = events.iter().map(|e| format!("{e:?}")).collect();
        assert_eq!(
            described,
            [
                "Button { button: Help, press: Long }",
                "Button { button: Talk, press: Short }",
                "Presence(true)",
            ]
        );
    }
}
