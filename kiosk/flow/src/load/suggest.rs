//! "Vouliez-vous dire ... ?": French words for keys, and typos.

/// French words administrators may write for a key.
const FRENCH_KEYS: [(&str, &str); 22] = [
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
    ("pictogramme", "pictogram"),
    ("etapes", "steps"),
];

/// A close name among `candidates`, for "vouliez-vous dire ... ?": a French word for the
/// key, or a typo (one edit for short names, two for long ones).
pub(crate) fn suggest<'c>(unknown: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if let Some((_, english)) = FRENCH_KEYS.iter().find(|(fr, _)| *fr == unknown) {
        if let Some(c) = candidates.iter().find(|c| *c == english) {
            return Some(c);
        }
    }
    let allowed = if unknown.chars().count() >= 6 { 2 } else { 1 };
    candidates
        .iter()
        .filter(|c| c.len() >= 3 && **c != unknown)
        .map(|c| (strsim::damerau_levenshtein(c, unknown), *c))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, c)| c)
}
