//! Random secrets and their hashes: device tokens, one-time enrolment codes, receipt prefixes.
//!
//! Only hashes of tokens and codes reach the database, so a copy of the database cannot be
//! used to impersonate a kiosk or to enrol one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use kiosk_sync::wire::{hex, RECEIPT_ALPHABET};
use rand::Rng;
use sha2::{Digest, Sha256};

/// How many characters of [`RECEIPT_ALPHABET`] an enrolment code has (60 bits).
pub const ENROLMENT_CODE_LEN: usize = 12;

/// The length of a device token: 32 random bytes in unpadded base64url.
pub const TOKEN_LEN: usize = 43;

/// A fresh device token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `token` has the shape of a token made by [`new_token`].
pub fn looks_like_token(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The lowercase hex sha256 of `text`: what is stored for tokens and enrolment codes.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// `len` random characters of [`RECEIPT_ALPHABET`].
pub fn random_code(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(RECEIPT_ALPHABET[rng.random_range(0..RECEIPT_ALPHABET.len())]))
        .collect()
}

/// A fresh enrolment code, in its canonical form ([`ENROLMENT_CODE_LEN`] characters, no dash).
pub fn new_enrolment_code() -> String {
    random_code(ENROLMENT_CODE_LEN)
}

/// The canonical form of a typed enrolment code (case, spaces and dashes forgiven), or
/// `None` if it cannot be one.
pub fn normalize_enrolment_code(code: &str) -> Option<String> {
    let canonical: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid = canonical.len() == ENROLMENT_CODE_LEN
        && canonical.bytes().all(|b| RECEIPT_ALPHABET.contains(&b));
    valid.then_some(canonical)
}

/// How a code is shown to the administrator: `ABCD-EFGH-JKLM`.
pub fn display_enrolment_code(canonical: &str) -> String {
    canonical
        .as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_bytes_of_base64url() {
        let token = new_token();
        assert!(looks_like_token(&token), "{token}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&token).unwrap().len(), 32);
        assert_ne!(token, new_token());
        assert!(!looks_like_token("abc"));
        assert!(!looks_like_token(&format!("{}+", &token[..42])));
    }

    #[test]
    fn enrolment_codes_round_trip_through_display() {
        let code = new_enrolment_code();
        let shown = display_enrolment_code(&code);
        assert_eq!(shown.len(), 14);
        assert_eq!(
            normalize_enrolment_code(&shown).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(
            normalize_enrolment_code(&shown.to_lowercase()).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(normalize_enrolment_code("ABCD-EFGH-JKL0"), None);
        assert_eq!(normalize_enrolment_code("ABCD-EFGH-JKL"), None);
        // The 8-character codes of earlier versions are no longer enough.
        assert_eq!(normalize_enrolment_code("ABCD-EFGH"), None);
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
