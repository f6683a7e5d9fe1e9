//! "Vouliez-vous dire ... ?": French words for keys, and typos.

/// French words administrators may write for a key.
const FRENCH_KEYS: [(&str, &str); 36] = [
    ("aide", "help"),
    ("question", "ask"),
    ("demande", "ask"),
    ("texte", "info"),
    ("information", "info"),
    ("titre", "title"),
    ("identifiant", "id"),
    ("condition", "when"),
    ("si", "when"),
    ("quand", "when"),
    ("relance", "reprompt"),
    ("libelle", "label"),
    ("libellé", "label"),
    ("fin", "end"),
    ("resume", "summary"),
    ("résumé", "summary"),
    ("envoi", "submit"),
    ("envoyer", "submit"),
    ("choix", "options"),
    ("synonymes", "synonyms"),
    ("prononciation", "say_as"),
    ("say-as", "say_as"),
    ("pictogramme", "pictogram"),
    ("etapes", "steps"),
    ("étapes", "steps"),
    ("confirmer", "confirm"),
    ("categorie", "kind"),
    ("catégorie", "kind"),
    ("champs", "fields"),
    ("minimum", "min"),
    ("maximum", "max"),
    ("longueur", "max_length"),
    ("afficher", "show"),
    ("dire", "say"),
    ("donnees", "options_from"),
    ("données", "options_from"),
];

/// How many edits a word of this length may have and still be a typo.
fn typos_allowed(word: &str) -> usize {
    if word.chars().count() >= 6 {
        2
    } else {
        1
    }
}

/// A close name among `candidates`, for "vouliez-vous dire ... ?": the key in other
/// capitals (`Type`), a typo of it (`tpye`: one edit for short names, two for long ones),
/// a French word for it (`question` for `ask`) or a typo of that word (`questoin`).
pub(crate) fn suggest<'c>(unknown: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let lower = unknown.trim().to_lowercase();
    let candidate = |name: &str| candidates.iter().copied().find(|c| *c == name);
    if let Some((_, english)) = FRENCH_KEYS.iter().find(|(fr, _)| *fr == lower) {
        if let Some(c) = candidate(english) {
            return Some(c);
        }
    }
    let allowed = typos_allowed(&lower);
    let typos = candidates
        .iter()
        .filter(|c| c.len() >= 2 && **c != unknown)
        .map(|c| (strsim::damerau_levenshtein(c, &lower), *c));
    let french_typos = FRENCH_KEYS
        .iter()
        .filter(|(fr, _)| fr.chars().count() >= 4)
        .filter_map(|(fr, english)| {
            Some((strsim::damerau_levenshtein(fr, &lower), candidate(english)?))
        });
    typos
        .chain(french_typos)
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::suggest;

    #[test]
    fn finds_typos_capitals_and_french_words() {
        let keys = ["id", "ask", "type", "label", "help", "reprompt", "options"];
        assert_eq!(suggest("tpye", &keys), Some("type"));
        assert_eq!(suggest("Type", &keys), Some("type"));
        assert_eq!(suggest("di", &keys), Some("id"));
        assert_eq!(suggest("question", &keys), Some("ask"));
        assert_eq!(suggest("questoin", &keys), Some("ask"));
        assert_eq!(suggest("opitons", &keys), Some("options"));
        assert_eq!(suggest("couleur", &keys), None);
        assert_eq!(suggest("type", &keys), None);
    }
}
