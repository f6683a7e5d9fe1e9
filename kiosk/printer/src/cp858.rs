//! Code page 858 (IBM PC850 with `€` at 0xD5), the table Epson-compatible printers select with
//! `ESC t 19`. It holds every letter of French except `œ`/`Œ` (written `oe`/`OE`); typographic
//! punctuation is written with its ASCII look-alike. Anything else becomes `?`.

/// The ESC/POS character code table number of PC858 (`ESC t 19`).
pub const ESC_T_PC858: u8 = 19;

/// The upper half of the code page the kiosk uses: (character, byte).
const UPPER: &[(char, u8)] = &[
    ('Ç', 0x80),
    ('ü', 0x81),
    ('é', 0x82),
    ('â', 0x83),
    ('ä', 0x84),
    ('à', 0x85),
    ('ç', 0x87),
    ('ê', 0x88),
    ('ë', 0x89),
    ('è', 0x8A),
    ('ï', 0x8B),
    ('î', 0x8C),
    ('Ä', 0x8E),
    ('É', 0x90),
    ('ô', 0x93),
    ('ö', 0x94),
    ('û', 0x96),
    ('ù', 0x97),
    ('ÿ', 0x98),
    ('Ö', 0x99),
    ('Ü', 0x9A),
    ('«', 0xAE),
    ('»', 0xAF),
    ('Â', 0xB6),
    ('À', 0xB7),
    ('Ê', 0xD2),
    ('Ë', 0xD3),
    ('È', 0xD4),
    ('€', 0xD5),
    ('Î', 0xD7),
    ('Ï', 0xD8),
    ('Ô', 0xE2),
    ('Û', 0xEA),
    ('Ù', 0xEB),
    ('°', 0xF8),
    ('\u{a0}', 0xFF),
];

/// Appends `text` in code page 858 to `out`. Control characters are dropped (a text must not
/// smuggle printer commands in); a line break is kept as LF.
pub fn encode_into(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '\n' => out.push(b'\n'),
            c if c.is_control() => {}
            c if c.is_ascii() => out.push(c as u8),
            'œ' => out.extend_from_slice(b"oe"),
            'Œ' => out.extend_from_slice(b"OE"),
            '’' | '‘' | '′' => out.push(b'\''),
            '“' | '”' => out.push(b'"'),
            '–' | '—' | '‐' | '‑' => out.push(b'-'),
            '…' => out.extend_from_slice(b"..."),
            '\u{202f}' | '\u{2009}' => out.push(0xFF),
            c => out.push(
                UPPER
                    .iter()
                    .find(|(u, _)| *u == c)
                    .map_or(b'?', |(_, b)| *b),
            ),
        }
    }
}

/// The character a byte of code page 858 stands for (what the printer draws); for tests and
/// tools that read a slip back.
pub fn decode_byte(byte: u8) -> Option<char> {
    if byte.is_ascii() {
        return Some(byte as char);
    }
    UPPER.iter().find(|(_, b)| *b == byte).map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str) -> Vec<u8> {
        let mut out = Vec::new();
        encode_into(text, &mut out);
        out
    }

    #[test]
    fn french_letters_have_their_cp858_bytes() {
        // Bytes from the IBM code page 858 chart.
        assert_eq!(encode("é"), [0x82]);
        assert_eq!(encode("à"), [0x85]);
        assert_eq!(encode("ç"), [0x87]);
        assert_eq!(encode("É"), [0x90]);
        assert_eq!(encode("€"), [0xD5]);
        assert_eq!(encode("« Ô »"), [0xAE, b' ', 0xE2, b' ', 0xAF]);
        for c in "àâäçéèêëîïôöùûüÿÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ«»°€".chars() {
            let bytes = encode(&c.to_string());
            assert_eq!(bytes.len(), 1, "{c}");
            assert_eq!(decode_byte(bytes[0]), Some(c), "{c}");
        }
    }

    #[test]
    fn what_the_page_lacks_is_transliterated_and_controls_dropped() {
        assert_eq!(encode("œuvre Œil"), b"oeuvre OEil");
        assert_eq!(
            encode("l’été…"),
            [b'l', b'\'', 0x82, b't', 0x82, b'.', b'.', b'.']
        );
        assert_eq!(encode("\u{1b}@x\u{1d}V"), b"@xV", "no command smuggled in");
        assert_eq!(encode("中"), b"?");
    }
}
