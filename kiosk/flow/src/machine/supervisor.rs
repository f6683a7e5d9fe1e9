//! The ambassadors' part: the PIN pad and the supervisor screen.

use super::*;

impl KioskMachine {
    pub(super) fn open_pin(&mut self, out: &mut Vec<KioskEffect>) {
        // Without a PIN there is no supervisor mode: a citizen leaning on the corner keeps
        // their visit.
        if self.config.supervisor_pin.is_empty()
            || matches!(self.page, Page::Pin { .. } | Page::Supervisor)
        {
            return;
        }
        // The visit ends here: whatever happens on the PIN pad, nobody returns to it.
        self.idle_prompt = false;
        self.help = None;
        out.push(KioskEffect::Hush);
        self.page = Page::Pin {
            entered: String::new(),
            wrong: false,
        };
        self.show_pin(out);
        self.arm(out);
    }

    pub(super) fn show_pin(&mut self, out: &mut Vec<KioskEffect>) {
        let Page::Pin { entered, wrong } = &self.page else {
            return;
        };
        let view = self.view(PageView::Pin {
            digits: entered.len(),
            message: wrong.then(|| PIN_WRONG.to_string()),
        });
        self.show(view, out);
    }

    pub(super) fn pin_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        let Page::Pin { entered, wrong } = &mut self.page else {
            return;
        };
        let KioskEvent::PinKey(key) = event else {
            return;
        };
        match key.as_str() {
            "annuler" => return self.go_attract(out),
            "effacer" => {
                entered.pop();
            }
            "valider" => {
                let expected = self.config.supervisor_pin.as_bytes();
                let given = entered.as_bytes();
                // Same time whatever the first wrong digit.
                let same = !expected.is_empty()
                    && expected.len() == given.len()
                    && expected
                        .iter()
                        .zip(given)
                        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                        == 0;
                entered.clear();
                if same {
                    self.page = Page::Supervisor;
                    let view = self.view(PageView::Supervisor {
                        notes: self.supervisor_notes(),
                    });
                    return self.show(view, out);
                }
                *wrong = true;
            }
            digit
                if digit.len() == 1
                    && digit.chars().all(|c| c.is_ascii_digit())
                    && entered.len() < 12 =>
            {
                entered.push_str(digit);
                *wrong = false;
            }
            _ => {}
        }
        self.show_pin(out);
    }

    pub(super) fn supervisor_event(&mut self, event: KioskEvent, out: &mut Vec<KioskEffect>) {
        match event {
            KioskEvent::Supervisor(SupervisorAction::TestMicrophone) => {
                out.push(KioskEffect::TestMicrophone)
            }
            KioskEvent::Supervisor(SupervisorAction::TestSpeaker) => {
                out.push(KioskEffect::TestSpeaker)
            }
            KioskEvent::Supervisor(SupervisorAction::RetryRefused) => {
                out.push(KioskEffect::RetryRefused)
            }
            KioskEvent::Supervisor(SupervisorAction::Close) => self.go_attract(out),
            _ => {}
        }
    }

    pub(super) fn supervisor_notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if !self.config.can_send {
            notes.push(NOT_ENROLLED_NOTE.to_string());
        }
        if !self.hearing {
            notes.push(
                "La borne n'entend pas (pas de microphone ou pas de modèle de reconnaissance) : les personnes répondent en touchant l'écran."
                    .to_string(),
            );
        }
        notes
    }
}
