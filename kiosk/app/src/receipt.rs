//! Receipt codes the citizen keeps: short, easy to read aloud and copy.
//!
//! The alphabet has no 0/O and no 1/I, so a code cannot be misread.

use rand::Rng;

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// A random code like `K7M-4PQ` (30 bits).
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
