//! The privacy notice (RGPD, article 13) before the first personal question: the short
//! notice said and shown, the full text one touch away and printable, and an honest way out
//! for a citizen who does not want to give personal data.
//!
//! The runtime inserts it itself: a flow does not write it as a step. It comes once per
//! session, before the first personal question actually asked (a question skipped by its
//! `when` does not count).

use super::*;
use crate::machine::matches_phrase;
use crate::privacy::PrivacyNotice;

/// Which page of the notice is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NoticePage {
    /// Who receives the answers, what for, how long: "Suivant", "Lire en entier", "Imprimer".
    Short,
    /// The whole notice.
    Full,
    /// After "non": without these answers nothing can be sent; stop?
    Refused,
}

/// The screen ids of the notice's pages: never a step id of the flow (those have no accents).
pub const NOTICE_SCREEN: &str = "vos-données";
pub const NOTICE_FULL_SCREEN: &str = "vos-données-en-entier";
pub const NOTICE_REFUSED_SCREEN: &str = "vos-données-arrêter";

/// The ids of the notice's buttons (touches the session understands on these pages).
pub const READ_IN_FULL: &str = "lire-en-entier";
pub const PRINT: &str = "imprimer";
const CONTINUE: &str = "suivant";
const REFUSE: &str = "non";

const READ_WORDS: [&str; 6] = [
    "lire en entier",
    "tout lire",
    "lire",
    "lire le texte",
    "en entier",
    "tout le texte",
];
const PRINT_WORDS: [&str; 3] = ["imprimer", "imprime", "imprimez"];
const REFUSE_WORDS: [&str; 5] = [
    "je ne veux pas",
    "je veux pas",
    "je refuse",
    "non merci",
    "pas d'accord",
];

/// What the citizen asked on a page of the notice.
enum NoticeReply {
    Accept,
    ReadInFull,
    Print,
    Refuse,
    Command(Command),
    Unclear,
}

impl Session {
    /// The notice to give before the question at `index`, if it is due there.
    pub(super) fn notice_due(&self, index: usize) -> bool {
        !self.notice_given
            && self.flow.privacy.is_some()
            && matches!(&self.flow.steps[index].body, StepBody::Question(q) if q.personal)
    }

    fn notice(&self) -> Option<&PrivacyNotice> {
        self.flow.privacy.as_ref()
    }

    /// The screen and speech of a page of the notice given before the question `question`.
    pub(super) fn notice_screen_and_speech(
        &self,
        question: usize,
        page: NoticePage,
        notice: Option<String>,
    ) -> Option<(Screen, String)> {
        let privacy = self.notice()?;
        let button = |id: &str, label: &str, pictogram: &str| ScreenOption {
            id: id.to_string(),
            label: label.to_string(),
            pictogram: Some(pictogram.to_string()),
        };
        let mut buttons = Vec::new();
        if page == NoticePage::Short {
            buttons.push(button(READ_IN_FULL, "Lire en entier", "lire"));
        }
        if self.can_print {
            buttons.push(button(PRINT, "Imprimer", "imprimer"));
        }
        buttons.push(button(REFUSE, "Je ne veux pas", "non"));
        buttons.push(button(CONTINUE, "Suivant", "suivant"));
        let (id, text, spoken, input, options) = match page {
            NoticePage::Short => (
                NOTICE_SCREEN,
                privacy.short_text(),
                format!("{} {NOTICE_CONTINUE}", privacy.short_text()),
                Input::PrivacyNotice { full: false },
                buttons,
            ),
            NoticePage::Full => (
                NOTICE_FULL_SCREEN,
                privacy.full_text(),
                format!("{} {NOTICE_FULL_CONTINUE}", privacy.full_spoken()),
                Input::PrivacyNotice { full: true },
                buttons,
            ),
            NoticePage::Refused => (
                NOTICE_REFUSED_SCREEN,
                NOTICE_REFUSED.to_string(),
                NOTICE_REFUSED.to_string(),
                Input::YesNo,
                ScreenOption::yes_no(),
            ),
        };
        let mut screen = self.screen(question, text, notice);
        screen.step_id = id.to_string();
        screen.input = input;
        screen.options = options;
        Some((screen, spoken))
    }

    /// Shows and says a page of the notice given before the question `question`.
    pub(super) fn show_notice_page(
        &mut self,
        question: usize,
        page: NoticePage,
        out: &mut Vec<Effect>,
    ) {
        self.state = State::Notice { question, page };
        self.misses = 0;
        self.present(None, None, out);
    }

    /// An answer on a page of the notice.
    pub(super) fn notice_answer(
        &mut self,
        question: usize,
        page: NoticePage,
        utterance: &str,
        touched: bool,
        out: &mut Vec<Effect>,
    ) {
        let reply = self.notice_reply(page, utterance, touched);
        match (page, reply) {
            (_, NoticeReply::Command(c)) => self.command(c, out),
            (NoticePage::Refused, NoticeReply::Accept) => self.cancel(out),
            (NoticePage::Refused, NoticeReply::Refuse) => {
                self.show_notice_page(question, NoticePage::Short, out);
            }
            (NoticePage::Refused, _) => self.miss(NOT_UNDERSTOOD, out),
            (_, NoticeReply::Accept) => {
                self.notice_given = true;
                self.state = State::At(question);
                self.misses = 0;
                self.present(None, None, out);
            }
            (_, NoticeReply::ReadInFull) => {
                self.show_notice_page(question, NoticePage::Full, out);
            }
            (_, NoticeReply::Print) => self.print_notice(out),
            (_, NoticeReply::Refuse) => {
                self.show_notice_page(question, NoticePage::Refused, out);
            }
            (_, NoticeReply::Unclear) => self.miss(NOT_UNDERSTOOD, out),
        }
    }

    fn notice_reply(&self, page: NoticePage, utterance: &str, touched: bool) -> NoticeReply {
        if page != NoticePage::Refused {
            let said = |words: &[&str]| !touched && matches_phrase(utterance, words);
            let touch = utterance.trim();
            if (touched && touch == READ_IN_FULL) || said(&READ_WORDS) {
                return NoticeReply::ReadInFull;
            }
            if (touched && touch == PRINT) || said(&PRINT_WORDS) {
                return NoticeReply::Print;
            }
            if said(&REFUSE_WORDS) {
                return NoticeReply::Refuse;
            }
        }
        match self.yes_or_continue(utterance, touched) {
            Reply::Yes => NoticeReply::Accept,
            Reply::No => NoticeReply::Refuse,
            Reply::Command(c) => NoticeReply::Command(c),
            Reply::Unclear => NoticeReply::Unclear,
        }
    }

    /// Prints the full notice when the kiosk has a printer; says so either way.
    fn print_notice(&mut self, out: &mut Vec<Effect>) {
        let said = match (self.can_print, self.notice()) {
            (true, Some(privacy)) => {
                out.push(Effect::Print {
                    text: privacy.full_text(),
                });
                NOTICE_PRINTING
            }
            _ => NOTICE_NO_PRINTER,
        };
        out.push(Effect::Say {
            text: said.to_string(),
        });
        out.push(self.listen());
    }

    /// What the citizen may say on a page of the notice.
    pub(super) fn notice_phrases(&self, page: NoticePage) -> Vec<String> {
        let mut phrases = understand::grammar_phrases(Expected::YesNo).unwrap_or_default();
        if page != NoticePage::Refused {
            phrases.extend(CONTINUE_WORDS.iter().map(|w| w.to_string()));
            phrases.extend(READ_WORDS.iter().map(|w| w.to_string()));
            phrases.extend(REFUSE_WORDS.iter().map(|w| w.to_string()));
            if self.can_print {
                phrases.extend(PRINT_WORDS.iter().map(|w| w.to_string()));
            }
        }
        phrases
    }
}

/// The notice's fixed texts for `flow` (they hold no answer), for the voice cache.
pub(super) fn notice_prompts(flow: &Flow) -> Vec<String> {
    let Some(privacy) = &flow.privacy else {
        return Vec::new();
    };
    vec![
        format!("{} {NOTICE_CONTINUE}", privacy.short_text()),
        format!("{} {NOTICE_FULL_CONTINUE}", privacy.full_spoken()),
        NOTICE_REFUSED.to_string(),
        NOTICE_HELP.to_string(),
        NOTICE_PRINTING.to_string(),
        NOTICE_NO_PRINTER.to_string(),
    ]
}
