//! A person's name, dictated or typed, written as French names are: "marie dupont" becomes
//! "Marie Dupont", "jean-pierre de la tour" becomes "Jean-Pierre de la Tour".
//!
//! Every word and every part of a hyphenated or elided word starts with a capital, except the
//! particles inside a name: "de", "du", "des", "d'", and "la", "le", "l'" right after "de" or
//! "d'" ("de la Tour"). Alone, "Le" and "La" are names ("Marie Le Goff"). A word typed in mixed
//! case ("McDonald") is kept as typed; a word in capitals ("DUPONT") is written "Dupont".

/// Particles always in lower case inside a name.
const PARTICLES: &[&str] = &["de", "du", "des", "d"];

/// Articles in lower case after a particle ("de la", "d'l'" is not French but harmless).
const ARTICLES_AFTER_PARTICLE: &[&str] = &["la", "le", "l"];

/// The name in its written form; `None` when nothing was said.
pub fn understand(utterance: &str) -> Option<String> {
    let name = capitalize_name(utterance);
    (!name.is_empty()).then_some(name)
}

/// Capitalises a name as it is written (see the module documentation).
pub fn capitalize_name(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // The lower-case form of the previous part, to place "la" after "de".
    let mut previous: Option<String> = None;
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_mixed_case(word) {
            out.push_str(word);
            previous = Some(word.to_lowercase());
            continue;
        }
        let lower = word.to_lowercase();
        let mut part = String::new();
        for c in lower.chars() {
            if c == '-' || is_apostrophe(c) {
                push_part(&mut out, &part, &mut previous);
                part.clear();
                out.push(c);
            } else {
                part.push(c);
            }
        }
        push_part(&mut out, &part, &mut previous);
    }
    out
}

/// Writes one part of a name: capitalised, or in lower case when it is a particle inside it.
fn push_part(out: &mut String, part: &str, previous: &mut Option<String>) {
    if part.is_empty() {
        return;
    }
    let inside = previous.is_some();
    let after_particle = previous.as_deref().is_some_and(|p| PARTICLES.contains(&p));
    let lower_case = inside
        && (PARTICLES.contains(&part)
            || (after_particle && ARTICLES_AFTER_PARTICLE.contains(&part)));
    if lower_case {
        out.push_str(part);
    } else {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    *previous = Some(part.to_string());
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

/// A word with capitals after its first letter and some lower-case letters: typed on purpose.
fn is_mixed_case(word: &str) -> bool {
    let has_lower = word.chars().any(char::is_lowercase);
    let inner_upper = word.chars().skip(1).any(char::is_uppercase);
    has_lower && inner_upper
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capitalised_with_particles_in_lower_case() {
        for (said, written) in [
            ("marie dupont", "Marie Dupont"),
            ("jean-pierre de la tour", "Jean-Pierre de la Tour"),
            ("JEAN DUPONT", "Jean Dupont"),
            ("  élodie   martin ", "Élodie Martin"),
            ("charles d'artagnan", "Charles d'Artagnan"),
            ("d'artagnan", "D'Artagnan"),
            ("marie le goff", "Marie Le Goff"),
            ("louis du pont des arts", "Louis du Pont des Arts"),
            ("de gaulle", "De Gaulle"),
            ("Ronald McDonald", "Ronald McDonald"),
            ("o'neil", "O'Neil"),
        ] {
            assert_eq!(capitalize_name(said), written, "{said}");
        }
        assert_eq!(understand("   "), None);
    }
}
