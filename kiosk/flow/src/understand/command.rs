//! The ten global commands ("répète", "aide", "retour"...), recognised before any answer
//! when the utterance is essentially the command phrase.

use super::normalize::{ends_with, split_words, starts_with_at};
use super::Command;
use std::sync::OnceLock;

/// Every command phrase, as people say it (recognizer form is derived from it).
const PHRASES: &[(&str, Command)] = &[
    // repeat
    ("répète", Command::Repeat),
    ("répétez", Command::Repeat),
    ("répéter", Command::Repeat),
    ("vous pouvez répéter", Command::Repeat),
    ("répétez la question", Command::Repeat),
    ("répéter la question", Command::Repeat),
    ("pardon", Command::Repeat),
    ("quoi", Command::Repeat),
    ("comment", Command::Repeat),
    ("comment ça", Command::Repeat),
    ("hein", Command::Repeat),
    ("redites", Command::Repeat),
    ("redire", Command::Repeat),
    ("encore une fois", Command::Repeat),
    ("une nouvelle fois", Command::Repeat),
    ("excusez moi", Command::Repeat),
    ("je n'ai pas entendu", Command::Repeat),
    ("j'ai pas entendu", Command::Repeat),
    ("qu'est ce que vous avez dit", Command::Repeat),
    ("vous avez dit quoi", Command::Repeat),
    // help
    ("aide", Command::Help),
    ("à l'aide", Command::Help),
    ("de l'aide", Command::Help),
    ("aidez moi", Command::Help),
    ("aide moi", Command::Help),
    ("au secours", Command::Help),
    ("je ne comprends pas", Command::Help),
    ("je comprends pas", Command::Help),
    ("je ne comprends rien", Command::Help),
    ("je comprends rien", Command::Help),
    ("j'ai pas compris", Command::Help),
    ("je n'ai pas compris", Command::Help),
    ("j'ai rien compris", Command::Help),
    ("je n'ai rien compris", Command::Help),
    ("comment ça marche", Command::Help),
    ("qu'est ce que je dois faire", Command::Help),
    ("je ne sais pas quoi faire", Command::Help),
    ("je sais pas quoi faire", Command::Help),
    // back
    ("retour", Command::Back),
    ("revenir", Command::Back),
    ("revenir en arrière", Command::Back),
    ("retour en arrière", Command::Back),
    ("retourner en arrière", Command::Back),
    ("en arrière", Command::Back),
    ("on revient en arrière", Command::Back),
    ("revenons en arrière", Command::Back),
    ("précédent", Command::Back),
    ("précédente", Command::Back),
    ("question précédente", Command::Back),
    ("la question précédente", Command::Back),
    ("étape précédente", Command::Back),
    ("l'étape précédente", Command::Back),
    ("revenir à la question précédente", Command::Back),
    ("reculer", Command::Back),
    // restart
    ("recommencer", Command::Restart),
    ("recommence", Command::Restart),
    ("recommencez", Command::Restart),
    ("on recommence", Command::Restart),
    ("tout recommencer", Command::Restart),
    ("on recommence tout", Command::Restart),
    ("recommencer depuis le début", Command::Restart),
    ("recommencer au début", Command::Restart),
    ("recommencer à zéro", Command::Restart),
    ("reprendre depuis le début", Command::Restart),
    ("reprendre au début", Command::Restart),
    ("tout reprendre", Command::Restart),
    ("depuis le début", Command::Restart),
    ("du début", Command::Restart),
    // cancel
    ("annuler", Command::Cancel),
    ("annule", Command::Cancel),
    ("annulez", Command::Cancel),
    ("tout annuler", Command::Cancel),
    ("j'arrête", Command::Cancel),
    ("on arrête", Command::Cancel),
    ("arrêter", Command::Cancel),
    ("arrête", Command::Cancel),
    ("arrêtez", Command::Cancel),
    ("stop", Command::Cancel),
    ("laisser tomber", Command::Cancel),
    ("laisse tomber", Command::Cancel),
    ("laissez tomber", Command::Cancel),
    ("j'abandonne", Command::Cancel),
    ("abandonner", Command::Cancel),
    ("quitter", Command::Cancel),
    // slower
    ("plus lentement", Command::Slower),
    ("moins vite", Command::Slower),
    ("parlez moins vite", Command::Slower),
    ("parle moins vite", Command::Slower),
    ("parlez plus lentement", Command::Slower),
    ("parle plus lentement", Command::Slower),
    ("lentement", Command::Slower),
    ("doucement", Command::Slower),
    ("plus doucement", Command::Slower),
    ("moins rapidement", Command::Slower),
    ("ralentir", Command::Slower),
    ("ralentissez", Command::Slower),
    ("trop vite", Command::Slower),
    ("vous parlez trop vite", Command::Slower),
    ("c'est trop rapide", Command::Slower),
    // louder
    ("plus fort", Command::Louder),
    ("parlez plus fort", Command::Louder),
    ("parle plus fort", Command::Louder),
    ("je n'entends pas", Command::Louder),
    ("j'entends pas", Command::Louder),
    ("je n'entends rien", Command::Louder),
    ("j'entends rien", Command::Louder),
    ("je ne vous entends pas", Command::Louder),
    ("je vous entends pas", Command::Louder),
    ("on n'entend rien", Command::Louder),
    ("monter le son", Command::Louder),
    ("montez le son", Command::Louder),
    ("augmenter le volume", Command::Louder),
    ("augmentez le volume", Command::Louder),
    ("pas assez fort", Command::Louder),
    // human
    ("je veux parler à quelqu'un", Command::Human),
    ("parler à quelqu'un", Command::Human),
    ("quelqu'un", Command::Human),
    ("un conseiller", Command::Human),
    ("une conseillère", Command::Human),
    ("une personne", Command::Human),
    ("une vraie personne", Command::Human),
    ("un humain", Command::Human),
    ("un être humain", Command::Human),
    ("un agent", Command::Human),
    ("un ambassadeur", Command::Human),
    ("un médiateur", Command::Human),
    ("parler à un conseiller", Command::Human),
    ("parler à une conseillère", Command::Human),
    ("parler à une personne", Command::Human),
    ("parler à un humain", Command::Human),
    ("parler à un agent", Command::Human),
    ("parler à un ambassadeur", Command::Human),
    ("appeler quelqu'un", Command::Human),
    ("appeler un conseiller", Command::Human),
    ("appelez quelqu'un", Command::Human),
    ("de l'aide humaine", Command::Human),
    ("aide humaine", Command::Human),
    // where am I
    ("où suis-je", Command::WhereAmI),
    ("où je suis", Command::WhereAmI),
    ("où j'en suis", Command::WhereAmI),
    ("où en suis-je", Command::WhereAmI),
    ("où on en est", Command::WhereAmI),
    ("on en est où", Command::WhereAmI),
    ("j'en suis où", Command::WhereAmI),
    ("je suis où", Command::WhereAmI),
    ("je suis perdu", Command::WhereAmI),
    ("je suis perdue", Command::WhereAmI),
    ("je me suis perdu", Command::WhereAmI),
    ("je me suis perdue", Command::WhereAmI),
    ("je ne sais plus où j'en suis", Command::WhereAmI),
    ("je sais plus où j'en suis", Command::WhereAmI),
    ("c'est quoi cette question", Command::WhereAmI),
    ("c'est quoi la question", Command::WhereAmI),
    ("quelle est la question", Command::WhereAmI),
    ("quelle question", Command::WhereAmI),
    // skip (an optional question; the session answers when the question must be answered)
    ("passer", Command::Skip),
    ("passe", Command::Skip),
    ("passez", Command::Skip),
    ("je passe", Command::Skip),
    ("on passe", Command::Skip),
    ("passer la question", Command::Skip),
    ("passer cette question", Command::Skip),
    ("je passe cette question", Command::Skip),
    ("passer à la suite", Command::Skip),
    ("passer à la question suivante", Command::Skip),
    ("question suivante", Command::Skip),
    ("je ne sais pas", Command::Skip),
    ("je sais pas", Command::Skip),
    ("sais pas", Command::Skip),
    ("chais pas", Command::Skip),
    ("je ne sais plus", Command::Skip),
    ("je sais plus", Command::Skip),
    ("je n'en sais rien", Command::Skip),
    ("j'en sais rien", Command::Skip),
    ("je ne sais pas du tout", Command::Skip),
    ("aucune idée", Command::Skip),
    ("je n'ai aucune idée", Command::Skip),
    ("j'ai aucune idée", Command::Skip),
    ("je ne me souviens pas", Command::Skip),
    ("je me souviens pas", Command::Skip),
    ("je préfère ne pas répondre", Command::Skip),
    ("je préfère pas répondre", Command::Skip),
    ("je ne veux pas répondre", Command::Skip),
    ("je veux pas répondre", Command::Skip),
    ("je ne souhaite pas répondre", Command::Skip),
    ("pas de réponse", Command::Skip),
    ("sans réponse", Command::Skip),
];

/// Politeness and requests around a command ("je voudrais", "vous pouvez").
const PREFIXES: &[&[&str]] = &[
    &["est", "ce", "que", "vous", "pouvez"],
    &["est", "ce", "que", "tu", "peux"],
    &["est", "ce", "que", "je", "peux"],
    &["est", "ce", "qu", "on", "peut"],
    &["est", "ce", "que"],
    &["pouvez", "vous"],
    &["vous", "pouvez"],
    &["pourriez", "vous"],
    &["vous", "pourriez"],
    &["peux", "tu"],
    &["tu", "peux"],
    &["tu", "pourrais"],
    &["je", "voudrais"],
    &["je", "veux"],
    &["j", "aimerais"],
    &["je", "souhaite"],
    &["je", "souhaiterais"],
    &["on", "peut"],
    &["je", "peux"],
    &["il", "faut"],
    &["j", "ai", "besoin", "de"],
    &["j", "ai", "besoin", "d"],
    &["il", "me", "faut"],
    &["excusez", "moi"],
    &["excuse", "moi"],
    &["madame"],
    &["monsieur"],
    &["mais"],
];

/// Politeness after a command ("répétez encore", "annuler maintenant").
const SUFFIXES: &[&[&str]] = &[
    &["encore", "une", "fois"],
    &["une", "autre", "fois"],
    &["encore"],
    &["merci"],
    &["madame"],
    &["monsieur"],
    &["maintenant"],
    &["tout", "de", "suite"],
    &["s", "il", "vous", "plait"],
    &["s", "il", "te", "plait"],
    &["svp"],
];

/// All command phrases, in their spoken form (accents, apostrophes).
pub fn command_phrases() -> Vec<(&'static str, Command)> {
    PHRASES.to_vec()
}

/// The folded phrases, built once.
fn folded_phrases() -> &'static [(String, Command)] {
    static FOLDED: OnceLock<Vec<(String, Command)>> = OnceLock::new();
    FOLDED.get_or_init(|| {
        PHRASES
            .iter()
            .map(|(p, c)| (split_words(&super::normalize::fold(p)).join(" "), *c))
            .collect()
    })
}

fn lookup(words: &[String]) -> Option<Command> {
    if words.is_empty() {
        return None;
    }
    let joined = words.join(" ");
    folded_phrases()
        .iter()
        .find(|(p, _)| *p == joined)
        .map(|(_, c)| *c)
}

/// Recognises a command in normalised words (fillers already removed).
pub fn recognize(words: &[String]) -> Option<Command> {
    recognize_phrase(words).or_else(|| {
        // "stop stop", "répète répète": a command said twice.
        let mut single = words.to_vec();
        single.dedup();
        (single.len() < words.len())
            .then(|| recognize_phrase(&single))
            .flatten()
    })
}

/// Recognises a command phrase, politeness around it removed.
fn recognize_phrase(words: &[String]) -> Option<Command> {
    let mut start = 0;
    loop {
        let mut end = words.len();
        loop {
            if let Some(command) = lookup(&words[start..end]) {
                return Some(command);
            }
            match SUFFIXES
                .iter()
                .find(|s| end - start > s.len() && ends_with(&words[start..end], s))
            {
                Some(s) => end -= s.len(),
                None => break,
            }
        }
        match PREFIXES
            .iter()
            .find(|p| words.len() - start > p.len() && starts_with_at(words, start, p))
        {
            Some(p) => start += p.len(),
            None => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::understand::normalize::clean_words;

    fn rec(s: &str) -> Option<Command> {
        recognize(&clean_words(s))
    }

    #[test]
    fn recognises_each_command() {
        assert_eq!(rec("répète"), Some(Command::Repeat));
        assert_eq!(
            rec("Vous pouvez répéter s'il vous plaît ?"),
            Some(Command::Repeat)
        );
        assert_eq!(rec("aide"), Some(Command::Help));
        assert_eq!(rec("j'ai besoin d'aide"), Some(Command::Help));
        assert_eq!(rec("je veux revenir en arrière"), Some(Command::Back));
        assert_eq!(rec("on recommence"), Some(Command::Restart));
        assert_eq!(rec("stop"), Some(Command::Cancel));
        assert_eq!(rec("parlez moins vite"), Some(Command::Slower));
        assert_eq!(rec("je n'entends pas"), Some(Command::Louder));
        assert_eq!(rec("je voudrais parler à quelqu'un"), Some(Command::Human));
        assert_eq!(rec("encore une fois"), Some(Command::Repeat));
        assert_eq!(rec("répétez encore une fois"), Some(Command::Repeat));
        assert_eq!(rec("stop stop"), Some(Command::Cancel));
        assert_eq!(rec("Aide-moi !"), Some(Command::Help));
        assert_eq!(rec("où j'en suis ?"), Some(Command::WhereAmI));
        assert_eq!(rec("c'est quoi cette question"), Some(Command::WhereAmI));
        assert_eq!(rec("je suis perdu"), Some(Command::WhereAmI));
        assert_eq!(rec("je ne sais pas"), Some(Command::Skip));
        assert_eq!(rec("euh je sais pas"), Some(Command::Skip));
        assert_eq!(rec("aucune idée"), Some(Command::Skip));
        assert_eq!(rec("je voudrais passer"), Some(Command::Skip));
        assert_eq!(rec("Je préfère ne pas répondre."), Some(Command::Skip));
        // Help, not skip: the citizen is lost, not without an answer.
        assert_eq!(rec("je ne sais pas quoi faire"), Some(Command::Help));
    }

    #[test]
    fn ignores_command_words_inside_answers() {
        assert_eq!(rec("le retour d'eau est bouché"), None);
        assert_eq!(rec("non merci"), None);
        assert_eq!(rec("je veux"), None);
        assert_eq!(rec("merci"), None);
        assert_eq!(rec(""), None);
        assert_eq!(rec("la personne est partie"), None);
        assert_eq!(rec("je ne sais pas s'il est cassé"), None);
        assert_eq!(rec("samedi passé"), None);
    }

    #[test]
    fn every_phrase_is_recognised() {
        for (phrase, command) in command_phrases() {
            assert_eq!(rec(phrase), Some(command), "{phrase}");
        }
    }
}
