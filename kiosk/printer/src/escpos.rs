//! The ESC/POS commands a receipt needs (Epson's command set, which thermal receipt printers
//! share), and the receipt's layout: the kiosk's name, the title in bold, the date and the
//! commune, the code in big letters, what happens next, the documents to bring, then a cut.

use crate::cp858::{encode_into, ESC_T_PC858};
use kiosk_flow::machine::{paragraphs, Printout};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = b'\n';

/// `ESC @`: back to the power-on settings.
pub const INIT: [u8; 2] = [ESC, b'@'];
/// `GS V 66 0`: feed to the cutter, then a partial cut.
pub const FEED_AND_CUT: [u8; 4] = [GS, b'V', 66, 0];
/// `GS !` size of the receipt code: three times as wide and as tall.
pub const BIG: u8 = 0x22;
/// `GS !` normal size.
pub const NORMAL: u8 = 0x00;

/// `ESC t n`: the character code table.
pub fn code_table(n: u8) -> [u8; 3] {
    [ESC, b't', n]
}

/// `ESC a n`: 0 left, 1 centred.
pub fn align(centred: bool) -> [u8; 3] {
    [ESC, b'a', u8::from(centred)]
}

/// `ESC E n`: bold on or off.
pub fn bold(on: bool) -> [u8; 3] {
    [ESC, b'E', u8::from(on)]
}

/// `GS ! n`: character size (high nibble width, low nibble height, each times n+1).
pub fn size(n: u8) -> [u8; 3] {
    [GS, b'!', n]
}

/// The lines of `text` cut at word boundaries to `columns` characters (a word longer than a
/// line is cut).
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(8);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > columns {
            if len > 0 {
                lines.push(std::mem::take(&mut line));
                len = 0;
            }
            let rest = word.split_off(columns);
            lines.push(word.into_iter().collect());
            word = rest;
        }
        if len > 0 && len + 1 + word.len() > columns {
            lines.push(std::mem::take(&mut line));
            len = 0;
        }
        if len > 0 {
            line.push(' ');
            len += 1;
        }
        len += word.len();
        line.extend(word);
    }
    if len > 0 {
        lines.push(line);
    }
    lines
}

/// The ESC/POS bytes of a slip on a printer `columns` characters wide (32 on 58 mm paper,
/// 48 on 80 mm), with `header` (the kiosk's name) on top when given.
pub fn receipt(printout: &Printout, header: Option<&str>, columns: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    let text = |out: &mut Vec<u8>, s: &str| {
        for line in wrap(s, columns) {
            encode_into(&line, out);
            out.push(LF);
        }
    };
    out.extend(INIT);
    out.extend(code_table(ESC_T_PC858));
    out.extend(align(true));
    if let Some(header) = header {
        text(&mut out, header);
        out.push(LF);
    }
    out.extend(bold(true));
    text(&mut out, &printout.title);
    out.extend(bold(false));
    text(&mut out, &format!("Le {}", printout.french_date()));
    if let Some(commune) = &printout.commune {
        text(&mut out, &format!("Commune : {commune}"));
    }
    if let Some(code) = &printout.receipt {
        out.push(LF);
        text(&mut out, kiosk_flow::machine::RECEIPT_LABEL);
        out.extend(size(BIG));
        encode_into(code, &mut out);
        out.push(LF);
        out.extend(size(NORMAL));
    }
    out.extend(align(false));
    out.push(LF);
    for paragraph in &printout.body {
        text(&mut out, paragraph);
    }
    if !printout.documents.is_empty() {
        out.push(LF);
        out.extend(bold(true));
        text(&mut out, kiosk_flow::machine::DOCUMENTS_HEADING);
        out.extend(bold(false));
        for document in &printout.documents {
            for line in paragraphs(document) {
                text(&mut out, &format!("- {line}"));
            }
        }
    }
    out.extend([LF, LF, LF]);
    out.extend(FEED_AND_CUT);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_is_too_long() {
        assert_eq!(
            wrap("Un agent de la voirie va regarder votre demande.", 20),
            ["Un agent de la", "voirie va regarder", "votre demande."]
        );
        assert_eq!(
            wrap("abcdefghijklmnopqrstuvwxyz ab", 10),
            ["abcdefghij", "klmnopqrst", "uvwxyz ab"]
        );
        assert!(wrap("   ", 32).is_empty());
        for line in wrap(&"é ".repeat(100), 32) {
            assert!(line.chars().count() <= 32);
        }
    }
}
