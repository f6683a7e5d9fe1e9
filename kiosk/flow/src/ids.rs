//! The ids of flows and services, as flows declare them and as the kiosk and the back end
//! exchange them: `[a-z0-9_-]{1,64}`, nothing else (no capital, accent, space or control
//! character). The flow loader also asks them to start with a letter.

/// The longest id of a flow, a step, a dataset or a service.
pub const MAX_ID_CHARS: usize = 64;

/// Whether `id` matches `[a-z0-9_-]{1,64}`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_lowercase_words() {
        for good in [
            "voirie",
            "petite-enfance",
            "etat_civil",
            "a",
            "2026",
            &"a".repeat(64),
        ] {
            assert!(is_valid_id(good), "{good}");
        }
        for bad in [
            "",
            "Voirie",
            "école",
            "voirie\n",
            "voi\u{7}rie",
            "voirie ",
            "../voirie",
            &"a".repeat(65),
        ] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }
}
