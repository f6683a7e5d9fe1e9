//! A file's bytes to the text the reader parses: the size limit, the byte-order mark, UTF-8
//! only (never a `�` on screen or in speech), no invisible control characters, and every
//! line end (`\r\n` from Windows, a lone `\r`) made `\n` so that positions stay right.

use super::limits::Limits;
use crate::diagnostic::{Diagnostic, Position};
use std::borrow::Cow;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to fix a file saved in another encoding, as editors name the choice.
const SAVE_AS_UTF8: &str =
    "Dans votre éditeur, choisissez « Enregistrer sous » puis l'encodage « UTF-8 »";

/// The text of `bytes`, or the one diagnostic that says why it cannot be read.
pub(super) fn decode<'b>(bytes: &'b [u8], limits: &Limits) -> Result<Cow<'b, str>, Diagnostic> {
    if bytes.len() > limits.max_bytes {
        return Err(Diagnostic::error(
            Position::new(1, 1),
            format!(
                "le fichier est trop gros (plus de {}) : découpez-le en plusieurs fichiers plus courts",
                describe_size(limits.max_bytes)
            ),
        ));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(Diagnostic::error(
            Position::new(1, 1),
            format!(
                "le fichier est enregistré en UTF-16 (« Unicode »), pas en UTF-8. {SAVE_AS_UTF8}"
            ),
        ));
    }
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // The prefix is valid UTF-8 by construction; fall back to the start if not.
            let at = std::str::from_utf8(valid).map_or(Position::new(1, 1), position_after);
            let seen = bytes
                .get(e.valid_up_to())
                .and_then(|b| windows_1252(*b))
                .map(|c| {
                    format!(" : ici, « {c} » est sans doute écrit en Windows-1252 (ou ISO-8859-1)")
                })
                .unwrap_or_default();
            return Err(Diagnostic::error(
                at,
                format!("le fichier n'est pas enregistré en UTF-8{seen}. {SAVE_AS_UTF8}"),
            ));
        }
    };
    if let Some((index, c)) = text.char_indices().find(|(_, c)| is_refused(*c)) {
        let at = position_after(&text[..index]);
        let message = match c {
            '\0' => format!("le fichier contient des caractères nuls : il est peut-être enregistré en UTF-16 (« Unicode »), pas en UTF-8. {SAVE_AS_UTF8}"),
            '\u{FFFD}' => "caractère de remplacement U+FFFD (un losange avec un point d'interrogation) : une lettre a été perdue lors d'une conversion d'encodage ; retapez-la (par exemple « é »)".to_string(),
            _ => format!("caractère invisible interdit (U+{:04X}), souvent venu d'un copier-coller : effacez-le", c as u32),
        };
        return Err(Diagnostic::error(at, message));
    }
    if text.contains('\r') {
        Ok(Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n")))
    } else {
        Ok(Cow::Borrowed(text))
    }
}

/// Control characters other than tab and line ends, a byte-order mark inside the text, and
/// the replacement character of an earlier lossy conversion.
fn is_refused(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FEFF}' | '\u{FFFD}')
}

/// The position just after `prefix`, counting `\r\n`, `\r` and `\n` as one line end each.
fn position_after(prefix: &str) -> Position {
    let (mut line, mut column) = (1, 1);
    let mut chars = prefix.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                line += 1;
                column = 1;
            }
            _ => column += 1,
        }
    }
    Position::new(line, column)
}

/// What a byte that is not UTF-8 most likely meant: Windows-1252, what French Windows saves.
fn windows_1252(byte: u8) -> Option<char> {
    const HIGH_CONTROLS: [char; 32] = [
        '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0',
        '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
    ];
    let c = match byte {
        0x80..=0x9F => HIGH_CONTROLS[usize::from(byte - 0x80)],
        0xA1..=0xFF => char::from(byte),
        _ => '\0',
    };
    (c != '\0').then_some(c)
}

/// `1 Mo`, or a count of bytes when the limit is not a whole number of megabytes.
fn describe_size(bytes: usize) -> String {
    const MEGABYTE: usize = 1024 * 1024;
    if bytes >= MEGABYTE && bytes.is_multiple_of(MEGABYTE) {
        format!("{} Mo", bytes / MEGABYTE)
    } else {
        format!("{bytes} octets")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Result<String, String> {
        decode(bytes, &Limits::DOCUMENTED)
            .map(Cow::into_owned)
            .map_err(|d| d.to_string())
    }

    #[test]
    fn strips_the_byte_order_mark_and_windows_line_ends() {
        assert_eq!(
            decoded(b"\xEF\xBB\xBFid: a\r\nb: c\r\n"),
            Ok("id: a\nb: c\n".into())
        );
        assert_eq!(decoded(b"a\rb"), Ok("a\nb".into()));
    }

    #[test]
    fn places_a_windows_1252_letter_and_names_it() {
        let got = decoded(b"\xEF\xBB\xBFid: a\r\ntitle: Caf\xE9\r\n").unwrap_err();
        assert!(
            got.starts_with("2:11: le fichier n'est pas enregistré en UTF-8 : ici, « é »"),
            "{got}"
        );
        assert!(got.contains("Enregistrer sous"), "{got}");
    }

    #[test]
    fn refuses_utf16_invisible_characters_and_replacement_characters() {
        assert!(decoded(b"\xFF\xFEi\0d\0").unwrap_err().contains("UTF-16"));
        assert!(decoded(b"i\0d\0")
            .unwrap_err()
            .starts_with("1:2: le fichier contient des caractères nuls"));
        assert!(decoded("a: b\u{7}".as_bytes())
            .unwrap_err()
            .contains("U+0007"));
        assert!(decoded("a: caf\u{FFFD}".as_bytes())
            .unwrap_err()
            .starts_with("1:7: caractère de remplacement U+FFFD"));
    }

    #[test]
    fn refuses_a_file_over_the_size_limit() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::DOCUMENTED
        };
        let got = decode(b"id: abcdefghijk", &limits).unwrap_err().to_string();
        assert_eq!(got, "1:1: le fichier est trop gros (plus de 10 octets) : découpez-le en plusieurs fichiers plus courts");
        assert!(decode(b"id: abcdef", &limits).is_ok());
    }
}
