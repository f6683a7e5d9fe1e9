//! Receipt codes, as citizens see, say and type them: `K7M-4PQ`, six characters of an
//! alphabet without 0/O and 1/I so that a code cannot be misread. The kiosk, its store,
//! the wire protocol and the back end all use this one definition.

/// The receipt-code alphabet: no 0/O, no 1/I.
pub const RECEIPT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Characters in a code, without the dash.
pub const RECEIPT_LENGTH: usize = 6;

/// The canonical form (`AB3-7KQ`) of something that looks like a receipt code; case, spaces
/// and the dash are forgiven.
pub fn normalize_receipt(code: &str) -> Option<String> {
    let chars: Vec<char> = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if chars.len() != RECEIPT_LENGTH || !chars.iter().all(|c| is_receipt_char(*c)) {
        return None;
    }
    let s: String = chars.into_iter().collect();
    Some(format!("{}-{}", &s[..3], &s[3..]))
}

/// Whether `c` (upper case) belongs to the alphabet.
pub fn is_receipt_char(c: char) -> bool {
    c.is_ascii() && RECEIPT_ALPHABET.contains(&(c as u8))
}

/// "K7M-4PQ" said as "K, 7, M, 4, P, Q" so it can be written down.
pub fn spell_receipt(receipt: &str) -> String {
    receipt
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_normalized() {
        assert_eq!(normalize_receipt("ab3 7kq").as_deref(), Some("AB3-7KQ"));
        assert_eq!(normalize_receipt("AB3-7KO"), None);
        assert_eq!(normalize_receipt("AB3-7K"), None);
        assert_eq!(spell_receipt("K7M-4PQ"), "K, 7, M, 4, P, Q");
    }
}
