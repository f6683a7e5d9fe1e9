//! Receipt codes: the kiosk's two-character prefix (given by the back end at enrolment,
//! unique per kiosk) and four random characters of [`RECEIPT_ALPHABET`], shown as
//! `AB3-7KQ`. The prefix makes codes unique across kiosks; the `UNIQUE` column makes
//! them unique within the kiosk (a collision is retried with a new code).

use crate::error::{Result, StoreError};
use kiosk_sync::wire::{normalize_receipt, RECEIPT_ALPHABET};
use rand::Rng;

/// Whether `prefix` is two characters of the receipt alphabet (upper case).
pub fn is_valid_prefix(prefix: &str) -> bool {
    prefix.len() == 2 && prefix.bytes().all(|b| RECEIPT_ALPHABET.contains(&b))
}

/// A fresh code: `prefix` + 1 random character, a dash, 3 random characters.
pub fn new_code(prefix: &str, rng: &mut impl Rng) -> Result<String> {
    if !is_valid_prefix(prefix) {
        return Err(StoreError::BadIdentity(
            "le préfixe des reçus doit faire 2 caractères de l'alphabet des reçus",
        ));
    }
    let mut pick = || RECEIPT_ALPHABET[rng.random_range(0..RECEIPT_ALPHABET.len())] as char;
    let (a, b, c, d) = (pick(), pick(), pick(), pick());
    Ok(format!("{prefix}{a}-{b}{c}{d}"))
}

/// Checks a code offered for a new submission: canonical shape and the kiosk's prefix.
pub(crate) fn check_code(code: &str, prefix: &str) -> Result<()> {
    if normalize_receipt(code).as_deref() != Some(code) || !code.starts_with(prefix) {
        return Err(StoreError::BadReceipt(code.to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_shape_and_prefix() {
        let mut rng = rand::rng();
        for _ in 0..1_000 {
            let code = new_code("K7", &mut rng).unwrap();
            assert_eq!(code.len(), 7);
            assert!(code.starts_with("K7"));
            assert_eq!(&code[3..4], "-");
            assert_eq!(normalize_receipt(&code).as_deref(), Some(code.as_str()));
            assert!(check_code(&code, "K7").is_ok());
            assert!(check_code(&code, "K8").is_err());
        }
    }

    #[test]
    fn bad_prefixes_are_refused() {
        let mut rng = rand::rng();
        for bad in ["", "K", "K7M", "k7", "O2", "I2", "é2"] {
            assert!(new_code(bad, &mut rng).is_err(), "{bad}");
        }
    }
}
