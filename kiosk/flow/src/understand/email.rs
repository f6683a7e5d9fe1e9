//! Email addresses, typed ("Jean.Dupont@gmail.com") or dictated
//! ("jean point dupont arobase gmail point com").

use super::normalize::{fold, starts_with_at};
use super::number::parse_number_words;

/// Spoken symbols, longest first.
const SYMBOLS: &[(&[&str], &str)] = &[
    (&["tiret", "du", "bas"], "_"),
    (&["tiret", "du", "huit"], "_"),
    (&["tiret", "bas"], "_"),
    (&["trait", "d", "union"], "-"),
    (&["a", "commercial"], "@"),
    (&["arobase"], "@"),
    (&["arobas"], "@"),
    (&["arrobase"], "@"),
    (&["arrobas"], "@"),
    (&["at"], "@"),
    (&["underscore"], "_"),
    (&["tiret"], "-"),
    (&["point"], "."),
    (&["dot"], "."),
];

/// Lead-ins people say before the address.
const LEAD_INS: &[&[&str]] = &[
    &["mon", "adresse", "mail", "c", "est"],
    &["mon", "adresse", "mail", "est"],
    &["mon", "adresse", "email", "c", "est"],
    &["mon", "adresse", "email", "est"],
    &["mon", "adresse", "e", "mail", "c", "est"],
    &["mon", "adresse", "e", "mail", "est"],
    &["mon", "adresse", "c", "est"],
    &["mon", "adresse", "est"],
    &["mon", "mail", "c", "est"],
    &["mon", "mail", "est"],
    &["mon", "email", "c", "est"],
    &["mon", "email", "est"],
    &["mon", "e", "mail", "c", "est"],
    &["mon", "courriel", "c", "est"],
    &["mon", "courriel", "est"],
    &["c", "est"],
];

/// Understands an email address; exactly one `@` and a dotted domain, else `None`.
pub fn understand(utterance: &str) -> Option<String> {
    let address = dictated(&fold(utterance.trim()))?;
    valid(&address).then_some(address)
}

/// Words around an address that are not part of it.
const FILLERS: &[&[&str]] = &[
    &["s", "il", "vous", "plait"],
    &["merci"],
    &["svp"],
    &["euh"],
    &["heu"],
    &["voila"],
];

/// Turns a dictated (or typed) address into its written form.
fn dictated(folded: &str) -> Option<String> {
    // Apostrophes split words ("trait d'union"); hyphens inside words are kept
    // ("jean-pierre") unless the parts are number words ("vingt-trois").
    let mut words: Vec<String> = Vec::new();
    for token in folded.split(|c: char| c.is_whitespace() || c == '\'') {
        if token.is_empty() {
            continue;
        }
        let parts: Vec<&str> = token.split('-').filter(|p| !p.is_empty()).collect();
        if parts.len() > 1 && parse_number_words(&parts).is_some() {
            words.extend(parts.iter().map(|p| p.to_string()));
        } else {
            words.push(token.to_string());
        }
    }
    let mut start = 0;
    if let Some(lead) = LEAD_INS.iter().find(|l| starts_with_at(&words, 0, l)) {
        start = lead.len();
    }
    let mut out = String::new();
    let mut i = start;
    'words: while i < words.len() {
        if let Some(filler) = FILLERS.iter().find(|f| starts_with_at(&words, i, f)) {
            i += filler.len();
            continue;
        }
        for (phrase, symbol) in SYMBOLS {
            if starts_with_at(&words, i, phrase) {
                out.push_str(symbol);
                i += phrase.len();
                continue 'words;
            }
        }
        // The longest run of number words from here, written in digits.
        let mut run_end = i;
        while run_end < words.len()
            && run_end - i < 8
            && (super::number::is_number_word(&words[run_end])
                || (run_end > i && words[run_end] == "et"))
        {
            run_end += 1;
        }
        if let Some((end, digits)) = (i + 1..=run_end).rev().find_map(|end| {
            parse_number_words(&words[i..end])
                .filter(|(_, ordinal)| !ordinal)
                .map(|(d, _)| (end, d))
        }) {
            out.push_str(&digits);
            i = end;
            continue;
        }
        out.push_str(&words[i]);
        i += 1;
    }
    Some(out)
}

/// Exactly one `@`, a non-empty local part, a dotted domain with a letter TLD.
fn valid(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain_allowed = |c: char| c.is_ascii_alphanumeric() || ".-".contains(c);
    let Some((_, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && local.chars().all(allowed)
        && domain.chars().all(domain_allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !address.contains("..")
        && !domain.starts_with(['.', '-'])
        && tld.len() >= 2
        && tld.chars().all(|c| c.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictated_addresses() {
        for (said, expected) in [
            (
                "jean point dupont arobase gmail point com",
                "jean.dupont@gmail.com",
            ),
            ("jean vingt trois at orange point fr", "jean23@orange.fr"),
            ("jean vingt-trois arobase free point fr", "jean23@free.fr"),
            (
                "marie tiret claire a commercial wanadoo point fr",
                "marie-claire@wanadoo.fr",
            ),
            (
                "paul tiret bas martin arobase laposte point net",
                "paul_martin@laposte.net",
            ),
            (
                "mon adresse c'est jean-pierre arobase orange point fr",
                "jean-pierre@orange.fr",
            ),
            ("Jean.Dupont@Gmail.com", "jean.dupont@gmail.com"),
            ("jean . dupont @ gmail . com", "jean.dupont@gmail.com"),
            ("jean deux mille arobase sfr point fr", "jean2000@sfr.fr"),
            ("jean.dupont@gmail.com merci", "jean.dupont@gmail.com"),
            (
                "euh jean arobase free point fr s'il vous plaît",
                "jean@free.fr",
            ),
        ] {
            assert_eq!(understand(said).as_deref(), Some(expected), "{said}");
        }
    }

    #[test]
    fn invalid_addresses() {
        for said in [
            "jean point dupont gmail point com",
            "jean arobase gmail",
            "jean arobase paul arobase gmail point com",
            "arobase gmail point com",
            "bonjour",
            "",
        ] {
            assert_eq!(understand(said), None, "{said}");
        }
    }
}
