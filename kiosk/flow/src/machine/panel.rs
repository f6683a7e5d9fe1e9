//! The kiosk's physical controls, as the machine sees them: the big illuminated « Parler »
//! button, the « Aide » button (a USB switch seen as a key counts as « Parler »), and the
//! presence sensor. The host's board (`kiosk-hardware`, real GPIO or simulated) debounces them
//! and tells short from long presses; what a press means is decided here, by the machine.

/// A button on the kiosk's front panel (`hardware/README.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PanelButton {
    /// « Parler »: speak now; in one-button mode, select.
    Talk,
    /// « Aide »: help on this step; held down, a call for help.
    Help,
}

/// How long a button was held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Press {
    Short,
    /// Held beyond the board's long-press time.
    Long,
}

use super::*;

/// « Aide » means what the Aide command button means; held down, what « Appeler quelqu'un »
/// means (a call for help). Every other event is left as it is.
pub(super) fn help_button_as_command(event: KioskEvent) -> KioskEvent {
    match event {
        KioskEvent::Button {
            button: PanelButton::Help,
            press,
        } => KioskEvent::Command(match press {
            Press::Short => Command::Help,
            Press::Long => Command::Human,
        }),
        other => other,
    }
}

/// Whether an event proves that someone stands at the kiosk: a touch or a press. Speech does
/// not (a conversation nearby could be heard), nor the presence sensor itself.
pub(super) fn is_someone_there(event: &KioskEvent) -> bool {
    matches!(
        event,
        KioskEvent::Tap
            | KioskEvent::Touched(_)
            | KioskEvent::Command(_)
            | KioskEvent::Button { .. }
            | KioskEvent::Setting(_)
            | KioskEvent::Print
            | KioskEvent::PinKey(_)
    )
}

impl KioskMachine {
    /// « Parler »: speak now. On the attract screen it wakes the kiosk (the greeting); under
    /// the idle prompt it means « I am here »; elsewhere the kiosk stops talking and listens at
    /// once, for what it was going to listen for. Held down, it is one-button mode's (not
    /// handled here).
    pub(super) fn talk_button(&mut self, press: Press, out: &mut Vec<KioskEffect>) {
        if press == Press::Long {
            return;
        }
        if self.idle_prompt {
            return self.resume(out);
        }
        match self.page {
            Page::Attract => self.go_home(None, true, out),
            // The ambassadors' pages have nothing to say to.
            Page::Pin { .. } | Page::Supervisor => return,
            Page::Home { .. } | Page::Flow(_) | Page::Lookup(_) | Page::Done { .. } => {
                if let (true, Some(phrases)) = (self.hearing, self.last_listen.clone()) {
                    out.push(KioskEffect::Hush);
                    self.listen(phrases, out);
                }
            }
        }
        self.arm(out);
    }

    /// The presence sensor. Someone arriving wakes the attract screen (the greeting) and, in a
    /// visit, brings the usual idle time back; the person leaving shortens the idle time to
    /// [`KioskConfig::absent_timeout`]: the idle prompt comes sooner, then the wipe as usual.
    pub(super) fn presence(&mut self, here: bool, out: &mut Vec<KioskEffect>) {
        if matches!(self.page, Page::Attract) {
            if here {
                self.go_home(None, true, out);
                self.arm(out);
            }
            return;
        }
        let absent = !here;
        if self.absent == absent {
            return;
        }
        self.absent = absent;
        if !self.idle_prompt {
            self.arm(out);
        }
    }
}

/// The front panel written as a line of an answer script (`kiosk simulate`, the tests):
/// `bouton:parler`, `bouton:parler-long`, `bouton:aide`, `bouton:aide-long` (a press, held
/// for the `-long` ones), `presence:oui`, `presence:non` (the presence sensor).
pub fn panel_script_line(line: &str) -> Option<KioskEvent> {
    let button = |button, press| Some(KioskEvent::Button { button, press });
    match line.trim() {
        "bouton:parler" => button(PanelButton::Talk, Press::Short),
        "bouton:parler-long" => button(PanelButton::Talk, Press::Long),
        "bouton:aide" => button(PanelButton::Help, Press::Short),
        "bouton:aide-long" => button(PanelButton::Help, Press::Long),
        "presence:oui" => Some(KioskEvent::Presence(true)),
        "presence:non" => Some(KioskEvent::Presence(false)),
        _ => None,
    }
}
