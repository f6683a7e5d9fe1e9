//! Choosing one option of a list: by id (touch), label or synonym, close paraphrase,
//! small recognition errors, rank ("la deuxième", "numéro trois", "le dernier"), or a label or
//! synonym of several words said inside a sentence ("elle est en ce un" for "ce un").
//! Two options that fit equally well: not understood.

use super::normalize::{clean_words, fold, split_words, starts_with_at};
use super::number::{find_spans, parse_digit_token};
use crate::model::ChoiceOption;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Words that do not tell options apart.
pub(crate) const STOP_WORDS: &[&str] = &[
    "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "au", "aux", "a", "en", "et",
    "est", "c", "ce", "ca", "cela", "il", "elle", "ils", "elles", "y", "je", "j", "ai", "mon",
    "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "sur", "dans", "pour", "pas", "plus",
    "ne", "n", "s", "se", "qu", "que", "qui", "t", "m", "me", "moi", "on", "ou", "par", "avec",
    "tout", "toute", "tous", "toutes", "tres", "veux", "voudrais", "aimerais", "choisis", "prends",
    "plutot", "celui", "celle", "sont", "suis", "etait", "fait", "trop", "chez", "oui", "voila",
    "bien",
];

/// Little words inside hyphenated names that do not tell places apart ("-en-", "-lès-").
const LINKING_WORDS: &[&str] = &[
    "le", "la", "les", "l", "de", "du", "des", "d", "en", "et", "sur", "sous", "au", "aux", "a",
    "lez", "saint", "sainte",
];

/// Words that negate a phrase; a phrase and an utterance of opposite polarity fit badly.
const NEGATIONS: &[&str] = &[
    "ne", "n", "pas", "plus", "jamais", "rien", "aucun", "aucune",
];

/// Minimum normalized Levenshtein similarity for two words to count as the same word.
const MIN_SIMILARITY: f64 = 0.85;

/// The best option must beat the second by this much.
const MARGIN: f64 = 0.1;

/// How many option lists the per-thread cache keeps.
const CACHED_LISTS: usize = 4;

/// A word of the options' vocabulary or of the utterance, with what similarity needs.
#[derive(Debug, Clone)]
struct Word {
    text: String,
    chars: usize,
    stem: String,
    has_digit: bool,
}

impl Word {
    fn new(text: &str) -> Word {
        Word {
            text: text.to_string(),
            chars: text.chars().count(),
            stem: stem(text).to_string(),
            has_digit: text.chars().any(|c| c.is_ascii_digit()),
        }
    }
}

/// A label or synonym, ready for matching.
#[derive(Debug, Clone)]
struct Phrase {
    option: usize,
    /// All words, numbers in digits.
    words: Vec<String>,
    /// The words that tell options apart, as indices into the vocabulary.
    content: Vec<usize>,
    negated: bool,
}

/// Options prepared for matching. [`understand`] keeps the last few per thread, so
/// callers need not build it themselves.
#[derive(Debug, Clone)]
pub struct ChoiceIndex {
    ids: Vec<String>,
    phrases: Vec<Phrase>,
    /// Every distinct content word of the phrases.
    vocabulary: Vec<Word>,
    /// Some label contains a number: a bare number is a label, not a rank.
    numeric_labels: bool,
    /// Some label contains a rank word ("Deuxième étage"): "le deuxième" is a label.
    ordinal_labels: bool,
    /// Words of hyphenated names ("pas" in "Pas-en-Artois"): never a negation.
    name_words: Vec<String>,
}

impl ChoiceIndex {
    pub fn new(options: &[ChoiceOption]) -> Self {
        let mut phrases = Vec::new();
        let mut name_words: Vec<String> = Vec::new();
        let mut vocabulary: Vec<Word> = Vec::new();
        let mut known: HashMap<String, usize> = HashMap::new();
        for (i, option) in options.iter().enumerate() {
            for text in option.phrases() {
                let prepared = prepare_phrase(text);
                for name in prepared.names {
                    if NEGATIONS.contains(&name.as_str()) && !name_words.contains(&name) {
                        name_words.push(name);
                    }
                }
                if prepared.words.is_empty() {
                    continue;
                }
                let content = prepared
                    .content
                    .iter()
                    .map(|w| match known.get(w) {
                        Some(&v) => v,
                        None => {
                            vocabulary.push(Word::new(w));
                            known.insert(w.clone(), vocabulary.len() - 1);
                            vocabulary.len() - 1
                        }
                    })
                    .collect();
                phrases.push(Phrase {
                    option: i,
                    words: prepared.words,
                    content,
                    negated: prepared.negated,
                });
            }
        }
        let numeric_labels = phrases.iter().any(|p| {
            p.words
                .iter()
                .any(|w| w.chars().all(|c| c.is_ascii_digit()))
        });
        let ordinal_labels = phrases
            .iter()
            .any(|p| p.words.iter().any(|w| is_rank_word(w)));
        ChoiceIndex {
            ids: options.iter().map(|o| o.id.clone()).collect(),
            phrases,
            vocabulary,
            numeric_labels,
            ordinal_labels,
            name_words,
        }
    }

    /// The id of the chosen option, or `None` when nothing or several fit.
    pub fn understand(&self, utterance: &str) -> Option<String> {
        self.position(utterance, false)
            .and_then(|i| self.ids.get(i))
            .cloned()
    }

    /// Like [`ChoiceIndex::understand`], but every content word of the utterance must belong
    /// to the option: "gros électroménager matelas" is not "Gros électroménager".
    pub fn understand_whole(&self, utterance: &str) -> Option<String> {
        self.position(utterance, true)
            .and_then(|i| self.ids.get(i))
            .cloned()
    }

    /// The index of the chosen option; `whole`: only options that explain every word.
    fn position(&self, utterance: &str, whole: bool) -> Option<usize> {
        if let Some(i) = self.by_id(utterance) {
            return Some(i);
        }
        let raw = clean_words(utterance);
        if raw.is_empty() {
            return None;
        }
        let words = digits_for_numbers(&raw);
        let content: Vec<&str> = words
            .iter()
            .map(String::as_str)
            .filter(|w| !STOP_WORDS.contains(w))
            .collect();
        let negated = words
            .iter()
            .any(|w| NEGATIONS.contains(&w.as_str()) && !self.name_words.contains(w));

        // A phrase said word for word inside the sentence must agree with the other readings.
        // (Not when every word must be explained: a phrase inside a sentence explains only some.)
        let inside = if whole {
            None
        } else {
            self.said_inside(&words, negated)
        };
        let agreeing = |found: Option<usize>| match (found, inside) {
            (found, None) => found,
            (None, Some(inside)) => inside,
            (Some(found), Some(inside)) => inside.filter(|i| *i == found),
        };
        if let Some(found) = self.exact(&words, &content, negated) {
            return agreeing(found);
        }
        if let Some(rank) = self.rank(&raw) {
            return rank;
        }
        agreeing(self.closest(&words, negated, whole))
    }

    /// A label or synonym of two words or more said word for word inside a longer sentence,
    /// even when its words alone tell nothing apart ("ce un", "en haut"). Phrases said inside
    /// a longer one that was said do not count ("salle" in "salle des fêtes"); phrases of two
    /// different options said apart: not understood (`Some(None)`). `None` when no such phrase
    /// was said.
    fn said_inside(&self, words: &[String], negated: bool) -> Option<Option<usize>> {
        let mut said: Vec<(usize, usize, usize)> = Vec::new();
        for phrase in &self.phrases {
            let len = phrase.words.len();
            if len < 2 || len > words.len() || phrase.negated != negated {
                continue;
            }
            for start in 0..=words.len() - len {
                if words[start..start + len] == phrase.words[..] {
                    said.push((phrase.option, start, start + len));
                }
            }
        }
        let outer = |&(_, start, end): &(usize, usize, usize)| {
            !said
                .iter()
                .any(|&(_, s, e)| s <= start && end <= e && e - s > end - start)
        };
        let mut options = said
            .iter()
            .filter(|m| outer(m))
            .map(|(option, _, _)| *option);
        let first = options.next()?;
        Some(options.all(|o| o == first).then_some(first))
    }

    /// The option whose id, label or synonym is exactly the utterance.
    fn named_exactly(&self, utterance: &str) -> Option<String> {
        let found = self.by_id(utterance).or_else(|| {
            let words = digits_for_numbers(&clean_words(utterance));
            let mut matching = self.phrases.iter().filter(|p| p.words == words);
            let first = matching.next()?.option;
            matching.all(|p| p.option == first).then_some(first)
        });
        found.and_then(|i| self.ids.get(i)).cloned()
    }

    /// Touch sends the option id.
    fn by_id(&self, utterance: &str) -> Option<usize> {
        let trimmed = utterance.trim();
        if trimmed.is_empty() {
            return None;
        }
        if let Some(i) = self.ids.iter().position(|id| id == trimmed) {
            return Some(i);
        }
        let mut matching = self
            .ids
            .iter()
            .enumerate()
            .filter(|(_, id)| id.eq_ignore_ascii_case(trimmed));
        match (matching.next(), matching.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }

    /// The whole utterance is a label or synonym (same words, or same content words and
    /// polarity). `Some(None)` when it is the phrase of two different options.
    fn exact(&self, words: &[String], content: &[&str], negated: bool) -> Option<Option<usize>> {
        let mut found: Option<usize> = None;
        for phrase in &self.phrases {
            let same_words = phrase.words == words;
            let same_content = !content.is_empty()
                && phrase.negated == negated
                && phrase.content.len() == content.len()
                && phrase
                    .content
                    .iter()
                    .zip(content)
                    .all(|(&v, w)| self.vocabulary[v].text == *w);
            if same_words || same_content {
                match found {
                    Some(other) if other != phrase.option => return Some(None),
                    _ => found = Some(phrase.option),
                }
            }
        }
        found.map(Some)
    }

    /// "la première", "le deuxième choix", "numéro trois", "le 2", "le dernier".
    fn rank(&self, raw: &[String]) -> Option<Option<usize>> {
        let n = self.ids.len();
        let mut i = 0;
        for lead in [
            &["c", "est"][..],
            &["je", "veux"][..],
            &["je", "voudrais"][..],
            &["je", "choisis"][..],
            &["je", "prends"][..],
            &["ce", "sera"][..],
            &["plutot"][..],
        ] {
            if starts_with_at(raw, i, lead) {
                i += lead.len();
            }
        }
        let mut explicit = false;
        while let Some(w) = raw.get(i) {
            match w.as_str() {
                "le" | "la" | "l" => {}
                "numero" | "choix" | "option" | "reponse" | "proposition" | "no" => explicit = true,
                _ => break,
            }
            i += 1;
        }
        let rest = &raw[i..];
        let mut end = rest.len();
        while end > 0
            && matches!(
                rest[end - 1].as_str(),
                "choix" | "option" | "reponse" | "proposition"
            )
        {
            end -= 1;
        }
        let core: Vec<&str> = rest[..end].iter().map(String::as_str).collect();
        // Labels with rank words are matched as labels, unless "numéro"/"choix" was said.
        if self.ordinal_labels && !explicit {
            return None;
        }
        let rank = match core.as_slice() {
            [] => return None,
            ["dernier" | "derniere"] => n,
            ["avant", "dernier" | "derniere"] => n.checked_sub(1)?,
            ["second" | "seconde" | "2nd" | "2nde"] => 2,
            _ => {
                let spans = find_spans(&core);
                let [span] = spans.as_slice() else {
                    return None;
                };
                if span.start != 0 || span.end != core.len() {
                    return None;
                }
                // A bare number ("2", "le deux") is a label when labels are numbers.
                if !span.ordinal && self.numeric_labels && !explicit {
                    return None;
                }
                usize::try_from(span.value()?).ok()?
            }
        };
        Some((1..=n).contains(&rank).then(|| rank - 1))
    }

    /// The option whose phrase shares the most words with the utterance; `whole`: only
    /// phrases that cover every content word of the utterance count.
    fn closest(&self, words: &[String], negated: bool, whole: bool) -> Option<usize> {
        let utterance: Vec<(Word, bool)> = words
            .iter()
            .map(|w| (Word::new(w), !STOP_WORDS.contains(&w.as_str())))
            .collect();
        let content_count = utterance.iter().filter(|(_, c)| *c).count();
        // Similarity of vocabulary word v to utterance word j, computed once when needed.
        let mut similarities: Vec<Option<f64>> = vec![None; self.vocabulary.len() * words.len()];
        let mut similarity_of = |v: usize, j: usize| -> f64 {
            let slot = &mut similarities[v * utterance.len() + j];
            *slot.get_or_insert_with(|| {
                let (q, q_content) = &utterance[j];
                let p = &self.vocabulary[v];
                if *q_content {
                    similarity(p, q)
                } else if p.text == q.text {
                    1.0
                } else {
                    0.0
                }
            })
        };
        let mut best: Vec<f64> = vec![0.0; self.ids.len()];
        let mut used = vec![false; utterance.len()];
        for phrase in &self.phrases {
            // "il marche" is not "il ne marche plus".
            if phrase.content.is_empty() || phrase.negated != negated {
                continue;
            }
            used.iter_mut().for_each(|u| *u = false);
            let mut matched = 0.0;
            let mut matched_content = 0.0;
            for &v in &phrase.content {
                let mut pick: Option<(usize, f64)> = None;
                for (j, &taken) in used.iter().enumerate() {
                    if taken {
                        continue;
                    }
                    let s = similarity_of(v, j);
                    if s > 0.0 && pick.is_none_or(|(_, best)| s > best) {
                        pick = Some((j, s));
                    }
                }
                if let Some((j, s)) = pick {
                    used[j] = true;
                    matched += s;
                    if utterance[j].1 {
                        matched_content += s;
                    }
                }
            }
            let phrase_cover = matched / phrase.content.len() as f64;
            if phrase_cover < 0.5 {
                continue;
            }
            let utterance_cover = if content_count == 0 {
                1.0
            } else {
                matched_content / content_count as f64
            };
            if whole && utterance_cover < MIN_SIMILARITY {
                continue;
            }
            let score = if phrase_cover + utterance_cover > 0.0 {
                2.0 * phrase_cover * utterance_cover / (phrase_cover + utterance_cover)
            } else {
                0.0
            };
            let slot = &mut best[phrase.option];
            if score > *slot {
                *slot = score;
            }
        }
        let mut order: Vec<usize> = (0..best.len()).collect();
        order.sort_by(|a, b| best[*b].total_cmp(&best[*a]).then(a.cmp(b)));
        let first = *order.first()?;
        let second = order.get(1).map_or(0.0, |i| best[*i]);
        (best[first] > 0.0 && best[first] - second >= MARGIN).then_some(first)
    }
}

thread_local! {
    /// The indexes of the last option lists seen, most recent last.
    static CACHE: RefCell<Vec<(Vec<ChoiceOption>, Rc<ChoiceIndex>)>> =
        const { RefCell::new(Vec::new()) };
}

/// The index for these options, from the per-thread cache when they were seen lately.
fn index_for(options: &[ChoiceOption]) -> Rc<ChoiceIndex> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(pos) = cache.iter().position(|(o, _)| o.as_slice() == options) {
            let entry = cache.remove(pos);
            let index = Rc::clone(&entry.1);
            cache.push(entry);
            return index;
        }
        let index = Rc::new(ChoiceIndex::new(options));
        if cache.len() >= CACHED_LISTS {
            cache.remove(0);
        }
        cache.push((options.to_vec(), Rc::clone(&index)));
        index
    })
}

/// The id of the option whose id, label or synonym is exactly the utterance.
pub fn named_exactly(options: &[ChoiceOption], utterance: &str) -> Option<String> {
    index_for(options).named_exactly(utterance)
}

/// Understands a choice; returns the chosen option's id.
pub fn understand(options: &[ChoiceOption], utterance: &str) -> Option<String> {
    index_for(options).understand(utterance)
}

/// Understands a choice that accounts for every word of the utterance.
pub fn understand_whole(options: &[ChoiceOption], utterance: &str) -> Option<String> {
    index_for(options).understand_whole(utterance)
}

/// A label or synonym split for matching.
struct Prepared {
    words: Vec<String>,
    content: Vec<String>,
    negated: bool,
    /// Words of hyphenated names.
    names: Vec<String>,
}

/// Splits a label into words; words of hyphenated names count even when they look like
/// stop words ("Pas" in "Pas-en-Artois").
fn prepare_phrase(text: &str) -> Prepared {
    let folded = fold(text);
    let mut raw: Vec<String> = Vec::new();
    let mut in_name: Vec<bool> = Vec::new();
    for token in folded.split_whitespace() {
        let parts = split_words(token);
        let compound = token.contains('-') && parts.len() > 1;
        for part in parts {
            in_name.push(compound && !LINKING_WORDS.contains(&part.as_str()));
            raw.push(part);
        }
    }
    let words = digits_for_numbers(&raw);
    // `digits_for_numbers` may shorten the list; recompute flags by word when it did.
    let flags_fit = words.len() == raw.len();
    let content = words
        .iter()
        .enumerate()
        .filter(|(i, w)| {
            !STOP_WORDS.contains(&w.as_str()) || (flags_fit && in_name.get(*i) == Some(&true))
        })
        .map(|(_, w)| w.clone())
        .collect();
    let names: Vec<String> = raw
        .iter()
        .zip(&in_name)
        .filter(|(_, name)| **name)
        .map(|(w, _)| w.clone())
        .collect();
    let negated = words
        .iter()
        .any(|w| NEGATIONS.contains(&w.as_str()) && !names.contains(w));
    Prepared {
        words,
        content,
        negated,
        names,
    }
}

/// Number words in digits ("deux personnes" -> "2 personnes"), except "un"/"une" alone
/// (articles) and ordinals (ranks).
fn digits_for_numbers(words: &[String]) -> Vec<String> {
    let spans = find_spans(words);
    if spans.is_empty() {
        return words.to_vec();
    }
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    for span in spans {
        let single_article =
            span.end - span.start == 1 && matches!(words[span.start].as_str(), "un" | "une");
        if span.ordinal || single_article {
            continue;
        }
        out.extend_from_slice(&words[i..span.start]);
        let digits = span.digits.trim_start_matches('0');
        out.push(if digits.is_empty() { "0" } else { digits }.to_string());
        i = span.end;
    }
    out.extend_from_slice(&words[i..]);
    out
}

/// "premier", "deuxième", "3e", "dernier": words that say a rank.
fn is_rank_word(word: &str) -> bool {
    matches!(
        word,
        "premier" | "premiere" | "second" | "seconde" | "dernier" | "derniere"
    ) || word.ends_with("ieme")
        || parse_digit_token(word).is_some_and(|(_, ordinal)| ordinal)
}

/// Light stem: plural and feminine endings removed.
pub(crate) fn stem(word: &str) -> &str {
    let w = if word.len() > 3 {
        word.strip_suffix(['s', 'x']).unwrap_or(word)
    } else {
        word
    };
    if w.len() > 3 {
        w.strip_suffix('e').unwrap_or(w)
    } else {
        w
    }
}

/// How alike two words are: 1 when equal, a bit less for the same stem or a close spelling
/// (normalized Levenshtein of at least [`MIN_SIMILARITY`]), 0 otherwise. Numbers only match
/// exactly.
fn similarity(a: &Word, b: &Word) -> f64 {
    if a.text == b.text {
        return 1.0;
    }
    if a.has_digit || b.has_digit {
        return 0.0;
    }
    if a.stem == b.stem {
        return 0.95;
    }
    let longer = a.chars.max(b.chars);
    // How many edits keep the similarity at or above the minimum.
    let allowed = ((longer as f64) * (1.0 - MIN_SIMILARITY) + 1e-9).floor() as usize;
    if a.chars < 4 || b.chars < 4 || allowed == 0 || a.chars.abs_diff(b.chars) > allowed {
        return 0.0;
    }
    // One edit cannot change both the first and the last letter of words this long.
    if allowed == 1
        && a.text.chars().next() != b.text.chars().next()
        && a.text.chars().last() != b.text.chars().last()
    {
        return 0.0;
    }
    let s = strsim::normalized_levenshtein(&a.text, &b.text);
    if s >= MIN_SIMILARITY {
        s.min(0.95)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems() -> Vec<ChoiceOption> {
        vec![
            ChoiceOption::new(
                "eteint",
                "Il ne s'allume plus",
                &["éteint", "en panne", "ne marche plus", "ne fonctionne plus"],
            ),
            ChoiceOption::new(
                "clignote",
                "Il clignote",
                &["clignotant", "il s'allume et s'éteint"],
            ),
            ChoiceOption::new(
                "allume-jour",
                "Il reste allumé le jour",
                &["allumé en plein jour", "allumé la journée"],
            ),
            ChoiceOption::new(
                "abime",
                "Il est abîmé",
                &["cassé", "tordu", "penché", "tombé"],
            ),
        ]
    }

    fn communes() -> Vec<ChoiceOption> {
        [
            ("62060", "Avesnes-le-Comte"),
            ("62061", "Avesnes-le-Sec"),
            ("62051", "Aubigny-en-Artois"),
            ("62282", "Duisans"),
            ("62817", "Tincques"),
            ("62649", "Pas-en-Artois"),
            ("62010", "Agnez-lès-Duisans"),
        ]
        .iter()
        .map(|(id, label)| ChoiceOption::new(id, label, &[]))
        .collect()
    }

    fn pick(options: &[ChoiceOption], said: &str) -> Option<String> {
        understand(options, said)
    }

    #[test]
    fn labels_synonyms_and_paraphrases() {
        let p = problems();
        for (said, id) in [
            ("il ne s'allume plus", "eteint"),
            ("Éteint", "eteint"),
            ("il est en panne", "eteint"),
            ("le lampadaire ne marche plus", "eteint"),
            ("il clignote tout le temps", "clignote"),
            ("il reste allumé toute la journée", "allume-jour"),
            ("il est cassé", "abime"),
            ("il est abimé", "abime"),
            ("il est tordue", "abime"),
            ("clignotte", "clignote"),
            ("eteint", "eteint"),
            ("clignote", "clignote"),
        ] {
            assert_eq!(pick(&p, said).as_deref(), Some(id), "{said}");
        }
        assert_eq!(pick(&p, "il marche"), None);
        assert_eq!(pick(&p, "je ne sais pas"), None);
    }

    #[test]
    fn ranks() {
        let p = problems();
        for (said, id) in [
            ("la première", "eteint"),
            ("le premier", "eteint"),
            ("la deuxième", "clignote"),
            ("la seconde", "clignote"),
            ("le troisième", "allume-jour"),
            ("le dernier", "abime"),
            ("numéro deux", "clignote"),
            ("le 2", "clignote"),
            ("2", "clignote"),
            ("deux", "clignote"),
            ("c'est le quatrième choix", "abime"),
        ] {
            assert_eq!(pick(&p, said).as_deref(), Some(id), "{said}");
        }
        assert_eq!(pick(&p, "le cinquième"), None);
    }

    #[test]
    fn names_and_ambiguity() {
        let c = communes();
        assert_eq!(pick(&c, "avesnes le comte").as_deref(), Some("62060"));
        assert_eq!(pick(&c, "Avesnes-le-Sec").as_deref(), Some("62061"));
        assert_eq!(pick(&c, "avesnes"), None);
        assert_eq!(pick(&c, "artois"), None);
        assert_eq!(pick(&c, "pas en artois").as_deref(), Some("62649"));
        assert_eq!(pick(&c, "aubigny").as_deref(), Some("62051"));
        assert_eq!(pick(&c, "duisans").as_deref(), Some("62282"));
        assert_eq!(pick(&c, "agnez les duisans").as_deref(), Some("62010"));
        assert_eq!(pick(&c, "tinques").as_deref(), Some("62817"));
        assert_eq!(pick(&c, "62817").as_deref(), Some("62817"));
        let rooms = vec![
            ChoiceOption::new("fetes", "Salle des fêtes", &[]),
            ChoiceOption::new("reunion", "Salle de réunion", &[]),
        ];
        assert_eq!(pick(&rooms, "la salle"), None);
        assert_eq!(pick(&rooms, "la salle des fêtes").as_deref(), Some("fetes"));
    }

    #[test]
    fn ordinal_labels_take_rank_words() {
        let floors = vec![
            ChoiceOption::new("rdc", "Rez-de-chaussée", &[]),
            ChoiceOption::new("e1", "Premier étage", &[]),
            ChoiceOption::new("e2", "Deuxième étage", &[]),
        ];
        assert_eq!(pick(&floors, "le deuxième").as_deref(), Some("e2"));
        assert_eq!(pick(&floors, "au premier").as_deref(), Some("e1"));
        assert_eq!(pick(&floors, "choix numéro deux").as_deref(), Some("e1"));
    }

    #[test]
    fn numeric_labels_take_bare_numbers() {
        let people = vec![
            ChoiceOption::new("p3", "3 personnes", &[]),
            ChoiceOption::new("p1", "1 personne", &[]),
            ChoiceOption::new("p2", "2 personnes", &[]),
        ];
        assert_eq!(pick(&people, "deux personnes").as_deref(), Some("p2"));
        assert_eq!(pick(&people, "2").as_deref(), Some("p2"));
        assert_eq!(pick(&people, "numéro deux").as_deref(), Some("p1"));
    }
}
