//! Choosing several options of a list (`type: choices`): "lundi, mardi et jeudi", "lundi mardi
//! jeudi" (a recognizer writes no commas), "tous sauf le mercredi", "pas le mardi",
//! "c'est tout". Every word must belong to an option or to the phrase around them; an
//! utterance that could be read two ways is not understood.

use super::choice::understand_whole;
use super::normalize::{clean_words, starts_with_at};
use crate::model::ChoiceOption;

/// What one utterance does to the options chosen so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeveralChoices {
    /// Add these options.
    Add(Vec<String>),
    /// Take these options out ("pas le mardi", "enlevez le matelas").
    Remove(Vec<String>),
    /// Exactly these options, a complete answer ("tous", "tous sauf le mercredi").
    Exactly(Vec<String>),
    /// Nothing more: what is chosen is the answer ("c'est tout", "rien d'autre").
    Done,
}

/// Phrases that close the list (folded, split form).
pub(crate) const DONE_PHRASES: &[&[&str]] = &[
    &["c", "est", "tout"],
    &["ce", "sera", "tout"],
    &["ca", "sera", "tout"],
    &["c", "etait", "tout"],
    &["rien", "d", "autre"],
    &["rien", "de", "plus"],
    &["plus", "rien"],
    &["ca", "suffit"],
    &["c", "est", "bon"],
    &["j", "ai", "fini"],
    &["j", "ai", "termine"],
    &["termine"],
    &["fini"],
    &["valider"],
    &["je", "valide"],
    &["non", "merci"],
    &["non"],
    &["non", "c", "est", "tout"],
];

/// Words that start "everything": "tous", "tout", "toutes", "l'ensemble".
const ALL_WORDS: &[&str] = &["tous", "tout", "toutes", "ensemble"];

/// Words allowed around "tous": "tous les jours", "toutes les options".
const AROUND_ALL: &[&str] = &[
    "les", "l", "le", "la", "de", "des", "ceux", "celles", "jours",
];

/// Words that introduce the exceptions of "tous sauf ...".
const EXCEPT: &[&[&str]] = &[
    &["sauf"],
    &["a", "part"],
    &["excepte"],
    &["hormis"],
    &["mais", "pas"],
    &["sans"],
];

/// Words that take options out: "pas le mardi", "enlevez le matelas".
const REMOVE: &[&[&str]] = &[
    &["pas"],
    &["sauf"],
    &["sans"],
    &["non", "pas"],
    &["enlevez"],
    &["enlever"],
    &["enleve"],
    &["retirez"],
    &["retirer"],
    &["retire"],
    &["supprimez"],
    &["otez"],
    &["pas", "de"],
];

/// Words that join two options.
const JOINERS: &[&str] = &["et", "puis", "aussi", "avec", "plus"];

/// The longest list of words read as one option when splitting "lundi mardi jeudi".
const MAX_SPLIT_WORDS: usize = 12;

/// Understands one utterance on a `choices` question.
pub fn understand(options: &[ChoiceOption], utterance: &str) -> Option<SeveralChoices> {
    let words = clean_words(utterance);
    if words.is_empty() {
        return None;
    }
    if DONE_PHRASES.iter().any(|p| p == &words.as_slice()) {
        return Some(SeveralChoices::Done);
    }
    // A label that is said as it is, "et" included ("Tables et chaises").
    if let Some(id) = super::choice::named_exactly(options, utterance) {
        return Some(SeveralChoices::Add(vec![id]));
    }
    if let Some(all) = everything(options, &words) {
        return all;
    }
    for lead in REMOVE {
        if starts_with_at(&words, 0, lead) && words.len() > lead.len() {
            return listed(options, &words[lead.len()..]).map(SeveralChoices::Remove);
        }
    }
    listed(options, &words).map(SeveralChoices::Add)
}

/// "tous", "tous les jours", "tous sauf le mercredi": `None` when the utterance is not about
/// everything, `Some(None)` when its exceptions are not understood.
fn everything(options: &[ChoiceOption], words: &[String]) -> Option<Option<SeveralChoices>> {
    let start = words.iter().position(|w| ALL_WORDS.contains(&w.as_str()))?;
    // Only "je veux", "ce sera" or "c'est" before "tous".
    let before_is_lead = words[..start].iter().all(|w| {
        matches!(
            w.as_str(),
            "je" | "veux" | "voudrais" | "prends" | "c" | "est" | "ce" | "sera" | "l"
        )
    });
    if !before_is_lead {
        return None;
    }
    let mut i = start + 1;
    while words
        .get(i)
        .is_some_and(|w| AROUND_ALL.contains(&w.as_str()))
    {
        i += 1;
    }
    let all: Vec<String> = options.iter().map(|o| o.id.clone()).collect();
    if i == words.len() {
        return Some(Some(SeveralChoices::Exactly(all)));
    }
    let except = EXCEPT.iter().find(|e| starts_with_at(words, i, e))?;
    let Some(removed) = listed(options, &words[i + except.len()..]) else {
        return Some(None);
    };
    let kept = all.into_iter().filter(|id| !removed.contains(id)).collect();
    Some(Some(SeveralChoices::Exactly(kept)))
}

/// Option ids named in `words`, in the order said, each once: split at "et", "puis"...,
/// then each part read as one option or, when it is not, as several in a row.
fn listed(options: &[ChoiceOption], words: &[String]) -> Option<Vec<String>> {
    let mut ids: Vec<String> = Vec::new();
    let mut found_any = false;
    for part in words.split(|w| JOINERS.contains(&w.as_str())) {
        let part: Vec<&str> = part
            .iter()
            .map(String::as_str)
            .filter(|w| {
                !matches!(
                    *w,
                    "le" | "la" | "les" | "l" | "un" | "une" | "des" | "du" | "de"
                )
            })
            .collect();
        if part.is_empty() {
            continue;
        }
        for id in in_a_row(options, &part)? {
            found_any = true;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    found_any.then_some(ids)
}

/// The options of words said in a row ("lundi mardi jeudi"): the whole as one option, or
/// else the one way to cut it into the fewest options. Two different ways: not understood.
fn in_a_row(options: &[ChoiceOption], words: &[&str]) -> Option<Vec<String>> {
    let whole = words.join(" ");
    if let Some(id) = understand_whole(options, &whole) {
        return Some(vec![id]);
    }
    if words.len() > MAX_SPLIT_WORDS {
        return None;
    }
    // best[i]: the fewest options that explain words[..i], and whether that is ambiguous.
    let mut best: Vec<Option<(Vec<String>, bool)>> = vec![None; words.len() + 1];
    best[0] = Some((Vec::new(), false));
    for end in 1..=words.len() {
        for start in 0..end {
            let Some((before, ambiguous)) = best[start].clone() else {
                continue;
            };
            let Some(id) = understand_whole(options, &words[start..end].join(" ")) else {
                continue;
            };
            let mut candidate = before;
            candidate.push(id);
            match &mut best[end] {
                None => best[end] = Some((candidate, ambiguous)),
                Some((current, current_ambiguous)) => {
                    if candidate.len() < current.len() {
                        *current = candidate;
                        *current_ambiguous = ambiguous;
                    } else if candidate.len() == current.len() && !same_set(&candidate, current) {
                        *current_ambiguous = true;
                    }
                }
            }
        }
    }
    match best[words.len()].take() {
        Some((ids, false)) => Some(ids),
        _ => None,
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days() -> Vec<ChoiceOption> {
        ["lundi", "mardi", "jeudi", "vendredi"]
            .iter()
            .map(|d| ChoiceOption::new(d, &format!("{}{}", d[..1].to_uppercase(), &d[1..]), &[]))
            .collect()
    }

    fn items() -> Vec<ChoiceOption> {
        vec![
            ChoiceOption::new("gros-electromenager", "Gros électroménager", &["frigo"]),
            ChoiceOption::new("petit-electromenager", "Petit électroménager", &[]),
            ChoiceOption::new("matelas", "Matelas ou sommier", &[]),
            ChoiceOption::new("tables-chaises", "Tables et chaises", &[]),
        ]
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn several_days_with_or_without_commas() {
        let o = days();
        for said in [
            "lundi, mardi et jeudi",
            "lundi mardi et jeudi",
            "le lundi le mardi le jeudi",
        ] {
            assert_eq!(
                understand(&o, said),
                Some(SeveralChoices::Add(ids(&["lundi", "mardi", "jeudi"]))),
                "{said}"
            );
        }
    }

    #[test]
    fn all_and_all_but() {
        let o = days();
        assert_eq!(
            understand(&o, "tous sauf le mardi"),
            Some(SeveralChoices::Exactly(ids(&[
                "lundi", "jeudi", "vendredi"
            ])))
        );
        assert_eq!(
            understand(&o, "tous les jours"),
            Some(SeveralChoices::Exactly(ids(&[
                "lundi", "mardi", "jeudi", "vendredi"
            ])))
        );
        assert_eq!(understand(&o, "tous sauf le dimanche"), None);
    }

    #[test]
    fn removing_and_closing() {
        let o = days();
        assert_eq!(
            understand(&o, "pas le mardi"),
            Some(SeveralChoices::Remove(ids(&["mardi"])))
        );
        assert_eq!(understand(&o, "c'est tout"), Some(SeveralChoices::Done));
        assert_eq!(understand(&o, "non merci"), Some(SeveralChoices::Done));
    }

    #[test]
    fn labels_of_several_words_are_not_swallowed() {
        let o = items();
        assert_eq!(
            understand(&o, "gros électroménager et matelas"),
            Some(SeveralChoices::Add(ids(&[
                "gros-electromenager",
                "matelas"
            ])))
        );
        assert_eq!(
            understand(&o, "gros électroménager matelas"),
            Some(SeveralChoices::Add(ids(&[
                "gros-electromenager",
                "matelas"
            ])))
        );
        assert_eq!(
            understand(&o, "tables et chaises"),
            Some(SeveralChoices::Add(ids(&["tables-chaises"])))
        );
        assert_eq!(
            understand(&o, "un frigo et des tables et chaises"),
            Some(SeveralChoices::Add(ids(&[
                "gros-electromenager",
                "tables-chaises"
            ])))
        );
    }

    #[test]
    fn what_is_not_an_option_is_not_understood() {
        let o = items();
        assert_eq!(understand(&o, "électroménager"), None);
        assert_eq!(understand(&o, "matelas et une voiture"), None);
        assert_eq!(understand(&o, "bonjour"), None);
    }
}
