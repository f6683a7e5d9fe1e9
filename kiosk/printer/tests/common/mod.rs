//! A small ESC/POS decoder for the tests: the bytes a printer receives, read back as the
//! commands it obeys and the lines it prints (code page 858 decoded), each line with the
//! size, weight and alignment it is printed in.
#![allow(dead_code)]

use kiosk_printer::cp858::decode_byte;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub centred: bool,
    pub bold: bool,
    /// `GS !` value in force.
    pub size: u8,
}

#[derive(Debug, Default)]
pub struct Decoded {
    pub lines: Vec<Line>,
    pub initialised: bool,
    pub code_table: Option<u8>,
    pub cut: bool,
    /// Bytes outside the commands and code page the encoder uses.
    pub unknown: Vec<u8>,
}

impl Decoded {
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    pub fn line(&self, text: &str) -> &Line {
        self.lines
            .iter()
            .find(|l| l.text == text)
            .unwrap_or_else(|| panic!("no line {text:?} in {:#?}", self.texts()))
    }
}

pub fn decode(bytes: &[u8]) -> Decoded {
    let mut d = Decoded::default();
    let (mut centred, mut bold, mut size) = (false, false, 0u8);
    let mut line = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x1B => {
                let (command, arg) = (bytes[i + 1], bytes.get(i + 2).copied());
                match command {
                    b'@' => {
                        d.initialised = true;
                        i += 2;
                        continue;
                    }
                    b't' => d.code_table = arg,
                    b'a' => centred = arg == Some(1),
                    b'E' => bold = arg == Some(1),
                    _ => d.unknown.extend(&bytes[i..i + 3]),
                }
                i += 3;
            }
            0x1D => {
                match bytes[i + 1] {
                    b'!' => size = bytes[i + 2],
                    b'V' => {
                        assert_eq!(bytes[i + 2], 66, "GS V 66 n: feed and cut");
                        d.cut = true;
                        i += 4;
                        continue;
                    }
                    _ => d.unknown.extend(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'\n' => {
                d.lines.push(Line {
                    text: std::mem::take(&mut line),
                    centred,
                    bold,
                    size,
                });
                i += 1;
            }
            b if b < 0x20 => {
                d.unknown.push(b);
                i += 1;
            }
            b => {
                match decode_byte(b) {
                    Some(c) => line.push(c),
                    None => d.unknown.push(b),
                }
                i += 1;
            }
        }
    }
    assert!(line.is_empty(), "text after the last line feed: {line:?}");
    d
}
