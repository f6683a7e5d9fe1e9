//! The first-letter groups of long lists (the 96 communes): the touchscreen's letter filter and
//! the one-button scan (letter groups first, then names) share them, so what is highlighted is
//! what is on screen.

/// The letter an option is filed under: its first letter, without accent, upper case.
pub fn initial(label: &str) -> String {
    let c = label.chars().next().unwrap_or(' ');
    let base = match c {
        'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'A',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'î' | 'ï' | 'Î' | 'Ï' => 'I',
        'ô' | 'ö' | 'Ô' | 'Ö' => 'O',
        'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'U',
        'ç' | 'Ç' => 'C',
        other => other,
    };
    base.to_uppercase().collect()
}

pub const ALL_LETTERS: &str = "Tout";

/// On the smallest screens (800x480), the long list's filter holds "Tout" and this many groups
/// of initials, so that every button is in sight without scrolling.
pub const COMPACT_LETTER_GROUPS: usize = 5;

/// A button of the long list's filter: one initial ("D") or a run of them ("A–C").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterGroup {
    pub label: String,
    pub initials: Vec<String>,
}

impl LetterGroup {
    pub fn contains(&self, initial: &str) -> bool {
        self.initials.iter().any(|i| i == initial)
    }
}

/// The initials of `labels` in at most `max_groups` runs of about the same number of labels,
/// in order. With room enough, one group per initial.
pub fn letter_groups(
    labels: impl IntoIterator<Item = String>,
    max_groups: usize,
) -> Vec<LetterGroup> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut initials: Vec<String> = labels.into_iter().map(|l| initial(&l)).collect();
    initials.sort();
    for i in initials {
        match counts.last_mut() {
            Some((last, n)) if *last == i => *n += 1,
            _ => counts.push((i, 1)),
        }
    }
    if counts.len() <= max_groups.max(1) {
        return counts
            .into_iter()
            .map(|(i, _)| LetterGroup {
                label: i.clone(),
                initials: vec![i],
            })
            .collect();
    }
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let groups = max_groups.max(1);
    let mut out: Vec<LetterGroup> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut taken = 0;
    for (index, (i, n)) in counts.iter().enumerate() {
        current.push(i.clone());
        taken += n;
        let left_initials = counts.len() - index - 1;
        let left_groups = groups - out.len() - 1;
        // Close the group at its share of the labels, keeping an initial for each group left.
        let share = total * (out.len() + 1) / groups;
        if left_groups > 0 && (taken >= share || left_initials == left_groups) {
            out.push(group_of(std::mem::take(&mut current)));
        }
    }
    if !current.is_empty() {
        out.push(group_of(current));
    }
    out
}

fn group_of(initials: Vec<String>) -> LetterGroup {
    let label = match (initials.first(), initials.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.clone(),
        _ => String::new(),
    };
    LetterGroup { label, initials }
}

/// Long lists get the letter filter above this many options.
pub const LONG_LIST: usize = 8;

/// Whether a list of options is shown with the first-letter filter: long, and with names that
/// do not all start alike (postcodes all start with 6: tiles suit them better).
pub fn needs_letter_filter<'a>(labels: impl IntoIterator<Item = &'a str>) -> bool {
    let mut count = 0;
    let mut first: Option<String> = None;
    let mut several_initials = false;
    for label in labels {
        count += 1;
        let i = initial(label);
        match &first {
            None => first = Some(i),
            Some(f) if *f != i => several_initials = true,
            Some(_) => {}
        }
    }
    count > LONG_LIST && several_initials
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_groups_cover_every_initial_once_within_the_bound() {
        let labels: Vec<String> = [
            "Agnez",
            "Aubigny",
            "Avesnes",
            "Berles",
            "Duisans",
            "Frévin",
            "Givenchy",
            "Habarcq",
            "Izel",
            "Lignereuil",
            "Maizières",
            "Noyellette",
            "Pas",
            "Rebreuve",
            "Savy",
            "Tincques",
            "Villers",
            "Wanquetin",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let groups = letter_groups(labels.clone(), COMPACT_LETTER_GROUPS);
        assert_eq!(groups.len(), COMPACT_LETTER_GROUPS);
        let all: Vec<String> = groups.iter().flat_map(|g| g.initials.clone()).collect();
        let mut expected: Vec<String> = labels.iter().map(|l| initial(l)).collect();
        expected.dedup();
        assert_eq!(all, expected);
        assert!(groups.iter().all(|g| !g.label.is_empty()));
        assert!(groups
            .iter()
            .any(|g| g.initials.len() > 1 && g.label.contains('–')));
        let wide = letter_groups(labels, usize::MAX);
        assert!(wide.iter().all(|g| g.initials.len() == 1));
    }

    #[test]
    fn letters_ignore_accents() {
        let groups = letter_groups(
            [
                "Écoivres".to_string(),
                "Duisans".into(),
                "Estrée-Wamin".into(),
            ],
            usize::MAX,
        );
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["D", "E"]);
    }
}
