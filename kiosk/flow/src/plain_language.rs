//! Plain-language (FALC) advice on citizen-facing texts: warnings, never errors.
//!
//! Two rules that administrators can apply without a manual: sentences of at most
//! 15 words, and one question at a time.

use crate::diagnostic::{Diagnostics, Position};
use crate::template::Template;

pub const MAX_WORDS_PER_SENTENCE: usize = 15;

/// Splits on sentence ends; a `{reference}` counts as one word.
fn sentences(text: &str) -> Vec<&str> {
    text.split(['.', '!', '?', '…', ':', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

fn word_count(sentence: &str) -> usize {
    sentence
        .split(|c: char| c.is_whitespace() || c == '\'' || c == '’')
        .filter(|w| w.chars().any(char::is_alphanumeric) || w.starts_with('{'))
        .count()
}

/// Warns about long sentences and about several questions in one text.
pub fn check(template: &Template, position: Position, diags: &mut Diagnostics) {
    let text = template.source_text();
    for sentence in sentences(&text) {
        let words = word_count(sentence);
        if words > MAX_WORDS_PER_SENTENCE {
            let start: String = sentence
                .split_whitespace()
                .take(4)
                .collect::<Vec<_>>()
                .join(" ");
            diags.warning(
                position,
                format!(
                    "phrase trop longue ({words} mots, {MAX_WORDS_PER_SENTENCE} au plus) : « {start} … ». Coupez-la en deux phrases"
                ),
            );
        }
    }
    let questions = text.matches('?').count();
    if questions > 1 {
        diags.warning(
            position,
            format!(
                "{questions} questions dans la même étape : posez une seule question à la fois"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_words_and_questions() {
        let mut d = Diagnostics::default();
        let ok = Template::parse("Dans quelle commune ? Dites son nom.").expect("valid");
        check(&ok, Position::new(1, 1), &mut d);
        assert!(d.into_sorted().is_empty());

        let mut d = Diagnostics::default();
        let long = Template::parse(
            "Pour que nous puissions traiter votre demande rapidement il faut nous donner le nom exact de votre commune.",
        )
        .expect("valid");
        check(&long, Position::new(1, 1), &mut d);
        let two = Template::parse("Quel jour ? Et à quelle heure ?").expect("valid");
        check(&two, Position::new(2, 1), &mut d);
        assert_eq!(d.into_sorted().len(), 2);
    }
}
