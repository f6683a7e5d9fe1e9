//! Sample receipt codes for the simulator without `--submit`, where nothing is stored:
//! real codes come from the store (`kiosk_store::receipt`, with the kiosk's prefix).

use kiosk_sync::wire::RECEIPT_ALPHABET as ALPHABET;
use rand::Rng;

/// A random code like `K7M-4PQ`, in the same alphabet as real ones.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: String = (0..6)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &chars[..3], &chars[3..])
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_avoid_ambiguous_characters() {
        for _ in 0..200 {
            let code = super::new_code();
            assert_eq!(code.len(), 7);
            assert!(!code.contains(['0', 'O', '1', 'I']));
        }
    }
}
