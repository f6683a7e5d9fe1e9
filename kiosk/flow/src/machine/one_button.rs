//! One-button mode, for people who can neither touch the screen nor speak: the kiosk highlights
//! and says the choices of the screen one at a time (its timer is the scan step) and a short
//! press of « Parler » (or a USB switch seen as that key) chooses the item highlighted.
//!
//! A long press of « Parler » offers the mode (a spoken question, answered by one more press)
//! or, when it is on, turns it off; the settings panel turns it on and off too. The end of a
//! visit turns it back to the kiosk's configuration (`one_button` in `kiosk.toml`).

use super::scan::{Action, Chosen, Scan, ScanItem, ScanView, OFFER_ITEM, STILL_HERE_ITEM};
use super::*;

/// How long the offer of one-button mode waits for a press.
pub const OFFER_WAIT: Duration = Duration::from_secs(15);

impl KioskMachine {
    /// Whether this press of « Parler » is one-button mode's: a long press always, a short
    /// press while the mode is on or offered. (Other presses are the front panel's.)
    pub(super) fn owns_talk_press(&self, press: Press) -> bool {
        press == Press::Long || self.settings.one_button || self.offering
    }

    pub(super) fn talk_pressed(&mut self, press: Press, out: &mut Vec<KioskEffect>) {
        if matches!(self.page, Page::Pin { .. } | Page::Supervisor) {
            // The ambassadors' screens are not for the public.
            return;
        }
        match press {
            Press::Long if self.settings.one_button => {
                self.set_one_button(false, out);
                if self.idle_prompt {
                    self.resume(out);
                }
            }
            Press::Long => self.offer_one_button(out),
            Press::Short if self.offering => self.set_one_button(true, out),
            Press::Short if self.idle_prompt => self.resume(out),
            Press::Short => self.choose_highlighted(out),
        }
    }

    fn offer_one_button(&mut self, out: &mut Vec<KioskEffect>) {
        self.offering = true;
        out.push(KioskEffect::Hush);
        self.show_again(out);
        out.push(KioskEffect::Say {
            text: ONE_BUTTON_OFFER.to_string(),
        });
        out.push(KioskEffect::SetTimer(Some(OFFER_WAIT)));
    }

    /// An event during the offer: « oui » turns the mode on; the time running out or anything
    /// else withdraws the offer (the event then does what it always does). `true`: handled.
    pub(super) fn offer_event(&mut self, event: &KioskEvent, out: &mut Vec<KioskEffect>) -> bool {
        match event {
            KioskEvent::DoneSpeaking
            | KioskEvent::Activity
            | KioskEvent::Voice { .. }
            | KioskEvent::Button {
                button: PanelButton::Talk,
                ..
            } => false,
            KioskEvent::Heard(said)
                if understand::understand(Expected::YesNo, said, self.today).value
                    == Some(Value::YesNo(true)) =>
            {
                self.set_one_button(true, out);
                true
            }
            KioskEvent::TimerFired => {
                self.offering = false;
                out.push(KioskEffect::Say {
                    text: ONE_BUTTON_NOT_TAKEN.to_string(),
                });
                self.show_again(out);
                self.arm(out);
                true
            }
            _ => {
                self.offering = false;
                self.show_again(out);
                false
            }
        }
    }

    /// Turns one-button mode on or off (a press, the settings panel), and says so.
    pub(super) fn set_one_button(&mut self, on: bool, out: &mut Vec<KioskEffect>) {
        self.offering = false;
        if self.settings.one_button != on {
            self.settings.one_button = on;
            out.push(KioskEffect::ApplySettings(self.settings));
        }
        self.scan = None;
        out.push(KioskEffect::Hush);
        out.push(KioskEffect::Say {
            text: if on { ONE_BUTTON_ON } else { ONE_BUTTON_OFF }.to_string(),
        });
        self.show_again(out);
        if !self.idle_prompt {
            self.arm(out);
        }
    }

    /// A tick of the scan: the next item, or, once the page's own time has passed without a
    /// press, what the timer does without the mode (the idle prompt, the end of the visit).
    pub(super) fn scan_tick(&mut self, out: &mut Vec<KioskEffect>) {
        let step = self.settings.scan_step();
        let limit = self.page_timeout();
        let Some(scan) = &mut self.scan else {
            return self.timer_fired(out);
        };
        scan.elapsed += step;
        if limit.is_some_and(|limit| scan.elapsed >= limit) {
            scan.elapsed = Duration::ZERO;
            return self.timer_fired(out);
        }
        scan.advance();
        self.show_again(out);
        self.help_scan_tick(step, out);
        out.push(KioskEffect::SetTimer(Some(step)));
    }

    /// « Parler » pressed: the item highlighted is chosen.
    fn choose_highlighted(&mut self, out: &mut Vec<KioskEffect>) {
        let Some(scan) = &mut self.scan else {
            return;
        };
        scan.elapsed = Duration::ZERO;
        let event = match scan.choose() {
            Chosen::Moved => return self.show_again(out),
            Chosen::NothingTyped => {
                out.push(KioskEffect::Say {
                    text: NOTHING_WRITTEN.to_string(),
                });
                return self.show_again(out);
            }
            Chosen::Do(action) => match action {
                Action::Tap => KioskEvent::Tap,
                Action::Touch(id) => KioskEvent::Touched(id),
                Action::Command(command) => KioskEvent::Command(command),
                Action::Print => KioskEvent::Print,
                Action::Type(_) | Action::Erase | Action::SendTyped | Action::Up => return,
            },
        };
        self.page_event(event, out);
    }

    /// The time the page waits without the mode (the scan counts it in steps).
    fn page_timeout(&self) -> Option<Duration> {
        match self.page {
            Page::Attract => None,
            Page::Home { .. } | Page::Flow(_) | Page::Lookup(_) => Some(self.config.idle_timeout),
            Page::Done { .. } => Some(self.config.done_timeout),
            Page::Pin { .. } | Page::Supervisor => Some(self.config.supervisor_timeout),
        }
    }

    /// The timer while the mode scans this page: the scan step; `None`: not scanning.
    pub(super) fn scan_timer(&self) -> Option<Duration> {
        let scanning = self.settings.one_button
            && !self.idle_prompt
            && !matches!(self.page, Page::Attract)
            && self.scan.as_ref().is_some_and(|s| !s.is_empty());
        scanning.then(|| self.settings.scan_step())
    }

    /// Shows the last view again (the scan moved, the offer came or went).
    fn show_again(&mut self, out: &mut Vec<KioskEffect>) {
        if let Some(mut view) = self.last_view.clone() {
            view.idle_prompt = self.idle_prompt.then(|| self.countdown_seconds());
            self.show(view, out);
        }
    }

    /// After every event: the last view shown gets the scan (built for a new screen, kept for
    /// the same one), the item highlighted is said, and the timer is the scan step.
    pub(super) fn add_scan(&mut self, out: &mut Vec<KioskEffect>) {
        if !self.settings.one_button && !self.offering {
            // The mode is off: no view keeps a scan.
            self.scan = None;
            for effect in out.iter_mut() {
                if let KioskEffect::Show(view) = effect {
                    view.scan = None;
                }
            }
            if let Some(last) = &mut self.last_view {
                last.scan = None;
            }
            return;
        }
        let Some(position) = out.iter().rposition(|e| matches!(e, KioskEffect::Show(_))) else {
            return;
        };
        let KioskEffect::Show(view) = &mut out[position] else {
            return;
        };
        if self.offering {
            view.scan = Some(Box::new(single(
                ONE_BUTTON_OFFER_TITLE,
                OFFER_ITEM,
                "Activer le mode un bouton",
            )));
            return;
        }
        if view.idle_prompt.is_some() {
            view.scan = Some(Box::new(single(STILL_THERE, STILL_HERE_ITEM, "Je suis là")));
            return;
        }
        let Some(fresh) = Scan::of(view, self.config.printer, self.today) else {
            self.scan = None;
            return;
        };
        match &mut self.scan {
            Some(scan) if scan.same_screen(&fresh) => scan.refresh(fresh),
            _ => self.scan = Some(fresh),
        }
        let Some(scan) = &self.scan else { return };
        view.scan = Some(Box::new(scan.view()));
        if let Some(last) = &mut self.last_view {
            last.scan = view.scan.clone();
        }
        let spoken = scan.spoken();
        out.push(KioskEffect::Say { text: spoken });
        if let Some(step) = self.scan_timer() {
            out.retain(|e| !matches!(e, KioskEffect::SetTimer(_)));
            out.push(KioskEffect::SetTimer(Some(step)));
        }
    }
}

fn single(title: &str, id: &str, label: &str) -> ScanView {
    ScanView {
        title: title.to_string(),
        items: vec![ScanItem {
            id: id.to_string(),
            label: label.to_string(),
            group: false,
        }],
        highlighted: 0,
        typed: None,
        letter_group: None,
    }
}
