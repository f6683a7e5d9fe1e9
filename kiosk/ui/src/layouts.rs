//! Pure layout helpers for the input screens: keypad and keyboard grids, the calendar's
//! day cells, time slots, the first-letter filter of long lists, and how typed values are
//! shown. Nothing here decides what is a valid answer: the flow runtime does.

use crate::generated::{DayCell, Key, OptionItem};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use slint::SharedString;

/// Keys and the grid they sit on; `display` columns of row 0 show the typed value.
pub struct KeyLayout {
    pub keys: Vec<Key>,
    pub columns: f32,
    pub rows: i32,
    pub display: f32,
}

/// Key values sent back by the grid for the non-character keys.
pub const ERASE: &str = "effacer";
pub const VALIDATE: &str = "valider";
pub const SPACE: &str = "espace";
pub const DIGITS: &str = "chiffres";
pub const LETTERS: &str = "lettres";

fn key(label: &str, value: &str, col: f32, row: i32, span: f32, rspan: i32, kind: i32) -> Key {
    Key {
        label: label.into(),
        key: value.into(),
        col,
        row,
        span,
        rspan,
        kind,
    }
}

fn char_key(c: &str, col: f32, row: i32) -> Key {
    key(c, c, col, row, 1.0, 1, 0)
}

/// The numeric keypad. Compact (800x480): 7 columns, 3 rows of at least 90 px; otherwise
/// the familiar 3x3 phone layout with 0 below.
pub fn numeric(compact: bool) -> KeyLayout {
    let mut keys = Vec::new();
    if compact {
        keys.push(key("Effacer", ERASE, 5.0, 0, 2.0, 1, 1));
        for (i, d) in ["1", "2", "3", "4", "5"].iter().enumerate() {
            keys.push(char_key(d, i as f32, 1));
        }
        for (i, d) in ["6", "7", "8", "9", "0"].iter().enumerate() {
            keys.push(char_key(d, i as f32, 2));
        }
        keys.push(key("Valider", VALIDATE, 5.0, 1, 2.0, 2, 2));
        KeyLayout {
            keys,
            columns: 7.0,
            rows: 3,
            display: 5.0,
        }
    } else {
        keys.push(key("Effacer", ERASE, 3.0, 0, 1.0, 1, 1));
        for (i, d) in ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
            .iter()
            .enumerate()
        {
            keys.push(char_key(d, (i % 3) as f32, 1 + (i / 3) as i32));
        }
        keys.push(char_key("0", 1.0, 4));
        keys.push(key("Valider", VALIDATE, 3.0, 1, 1.0, 4, 2));
        KeyLayout {
            keys,
            columns: 4.0,
            rows: 5,
            display: 3.0,
        }
    }
}

/// The PIN pad of the supervisor mode: 3x4, no display (the PIN is shown as dots).
pub fn pin_pad() -> KeyLayout {
    let mut keys = Vec::new();
    for (i, d) in ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
        .iter()
        .enumerate()
    {
        keys.push(char_key(d, (i % 3) as f32, (i / 3) as i32));
    }
    keys.push(key("Effacer", ERASE, 0.0, 3, 1.0, 1, 1));
    keys.push(char_key("0", 1.0, 3));
    keys.push(key("Valider", VALIDATE, 2.0, 3, 1.0, 1, 2));
    KeyLayout {
        keys,
        columns: 3.0,
        rows: 4,
        display: 0.0,
    }
}

/// The AZERTY keyboard, 11 columns and 4 rows; row 0 holds the typed value. `email`
/// swaps accents and the space bar for `@ . _ -` and domain endings; `digits` puts the
/// digits on the top row of letters.
pub fn keyboard(email: bool, digits: bool) -> KeyLayout {
    let mut keys = Vec::new();
    let toggle = if digits {
        key("abc", LETTERS, 6.0, 0, 1.0, 1, 1)
    } else {
        key("123", DIGITS, 6.0, 0, 1.0, 1, 1)
    };
    keys.push(toggle);
    if email {
        keys.push(key(".fr", ".fr", 7.0, 0, 1.0, 1, 1));
        keys.push(key(".com", ".com", 8.0, 0, 1.0, 1, 1));
    } else {
        keys.push(key("Espace", SPACE, 7.0, 0, 2.0, 1, 1));
    }
    keys.push(key("Valider", VALIDATE, 9.0, 0, 2.0, 1, 2));
    let top: &[&str] = if digits {
        &["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"]
    } else {
        &["a", "z", "e", "r", "t", "y", "u", "i", "o", "p"]
    };
    let (end1, end2) = if email { ("@", ".") } else { ("'", "-") };
    for (i, c) in top.iter().chain([&end1]).enumerate() {
        keys.push(char_key(c, i as f32, 1));
    }
    for (i, c) in ["q", "s", "d", "f", "g", "h", "j", "k", "l", "m", end2]
        .iter()
        .enumerate()
    {
        keys.push(char_key(c, i as f32, 2));
    }
    let row3: &[&str] = if email {
        &["w", "x", "c", "v", "b", "n", "_", "-", "."]
    } else {
        &["w", "x", "c", "v", "b", "n", "é", "è", "à", "ç"]
    };
    for (i, c) in row3.iter().enumerate() {
        keys.push(char_key(c, i as f32, 3));
    }
    let erase_col = row3.len() as f32;
    keys.push(key("⌫", ERASE, erase_col, 3, 11.0 - erase_col, 1, 1));
    KeyLayout {
        keys,
        columns: 11.0,
        rows: 4,
        display: 6.0,
    }
}

/// Digits two by two: "06 12 34 56 78".
pub fn phone_display(digits: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    chars
        .chunks(2)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many digits a number between `min` and `max` can have.
pub fn number_digits(min: i64, max: i64) -> usize {
    min.unsigned_abs().max(max.unsigned_abs()).to_string().len()
}

const MONTHS_SHORT: [&str; 12] = [
    "janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
    "déc.",
];
pub const WEEKDAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

/// The calendar shows whole weeks from a Monday: 3 on a small screen, 5 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CalendarView {
    pub first_monday: NaiveDate,
    pub weeks: i64,
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
    pub today: NaiveDate,
}

impl CalendarView {
    /// Starts on the week of the first possible day.
    pub fn new(
        earliest: Option<NaiveDate>,
        latest: Option<NaiveDate>,
        today: NaiveDate,
        compact: bool,
    ) -> Self {
        let start = earliest.unwrap_or(today);
        CalendarView {
            first_monday: monday_of(start),
            weeks: if compact { 3 } else { 5 },
            earliest,
            latest,
            today,
        }
    }

    fn last_day(&self) -> NaiveDate {
        self.first_monday + Duration::days(self.weeks * 7 - 1)
    }

    pub fn can_go_earlier(&self) -> bool {
        self.earliest.is_none_or(|e| e < self.first_monday)
    }

    pub fn can_go_later(&self) -> bool {
        self.latest.is_none_or(|l| l > self.last_day())
    }

    /// Moves by whole pages, never to a page with no possible day.
    pub fn moved(self, pages: i32) -> Self {
        let step = Duration::days(self.weeks * 7 * i64::from(pages));
        let moved = CalendarView {
            first_monday: self.first_monday + step,
            ..self
        };
        if (pages < 0 && !self.can_go_earlier()) || (pages > 0 && !self.can_go_later()) {
            self
        } else {
            moved
        }
    }

    pub fn cells(&self) -> Vec<DayCell> {
        (0..self.weeks * 7)
            .map(|i| {
                let date = self.first_monday + Duration::days(i);
                let enabled = self.earliest.is_none_or(|e| date >= e)
                    && self.latest.is_none_or(|l| date <= l);
                let show_month = i == 0 || date.day() == 1;
                DayCell {
                    label: date.day().to_string().into(),
                    month: if show_month {
                        MONTHS_SHORT[date.month0() as usize].into()
                    } else {
                        SharedString::new()
                    },
                    date: date.format("%Y-%m-%d").to_string().into(),
                    enabled,
                    today: date == self.today,
                    col: (i % 7) as i32,
                    row: (i / 7) as i32,
                }
            })
            .collect()
    }
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// Time slots from `earliest` to `latest` every 30 minutes (every hour when that would
/// make more than 24 buttons). Ids are `HH:MM`, labels "9 h 30".
pub fn time_slots(earliest: &str, latest: &str) -> Vec<OptionItem> {
    let parse = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").ok();
    let (Some(start), Some(end)) = (parse(earliest), parse(latest)) else {
        return Vec::new();
    };
    let span = (end - start).num_minutes();
    if span < 0 {
        return Vec::new();
    }
    let step = if span / 30 + 1 > 24 { 60 } else { 30 };
    // Round the first slot up to the step.
    let minutes = i64::from(start.format("%M").to_string().parse::<u32>().unwrap_or(0));
    let offset = (step - minutes % step) % step;
    let mut slot = start + Duration::minutes(offset);
    let mut out = Vec::new();
    while slot <= end {
        let (h, m) = (
            slot.format("%-H").to_string(),
            slot.format("%M").to_string(),
        );
        let label = if m == "00" {
            format!("{h} h")
        } else {
            format!("{h} h {m}")
        };
        out.push(OptionItem {
            id: slot.format("%H:%M").to_string().into(),
            label: label.into(),
            icon: SharedString::new(),
            selected: false,
        });
        match slot.overflowing_add_signed(Duration::minutes(step)) {
            (next, 0) => slot = next,
            _ => break,
        }
    }
    out
}

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

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

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
    fn keypads_fill_their_grid_without_overlap() {
        for layout in [
            numeric(true),
            numeric(false),
            pin_pad(),
            keyboard(false, false),
            keyboard(true, true),
        ] {
            let mut used = std::collections::HashSet::new();
            for k in &layout.keys {
                for r in k.row..k.row + k.rspan {
                    for c in 0..k.span as i32 {
                        let cell = (r, k.col as i32 + c);
                        assert!(used.insert(cell), "two keys on {cell:?} ({})", k.label);
                        assert!(cell.1 < layout.columns as i32 && r < layout.rows);
                    }
                }
            }
            for c in 0..layout.display as i32 {
                assert!(used.insert((0, c)), "a key under the display");
            }
        }
    }

    #[test]
    fn phone_numbers_are_shown_two_by_two() {
        assert_eq!(phone_display("0612345678"), "06 12 34 56 78");
        assert_eq!(phone_display("061"), "06 1");
        assert_eq!(number_digits(1, 200), 3);
    }

    #[test]
    fn calendar_respects_bounds_and_pages() {
        let view = CalendarView::new(
            Some(d("2026-12-03")),
            Some(d("2026-12-20")),
            d("2026-12-01"),
            true,
        );
        assert_eq!(view.first_monday, d("2026-11-30"));
        let cells = view.cells();
        assert_eq!(cells.len(), 21);
        assert!(!cells[0].enabled && !cells[2].enabled && cells[3].enabled);
        assert!(cells[1].today);
        assert_eq!(cells[0].month, "nov.");
        assert_eq!(cells[1].month, "déc.");
        assert!(!view.can_go_earlier());
        assert!(!view.can_go_later(), "the 20th is on the first page");
        assert_eq!(view.moved(1), view);
        let open = CalendarView::new(None, None, d("2026-12-01"), false);
        assert_eq!(open.moved(1).first_monday, d("2027-01-04"));
    }

    #[test]
    fn slots_every_half_hour_rounded_up() {
        let slots = time_slots("09:10", "11:00");
        let ids: Vec<_> = slots.iter().map(|s| s.id.to_string()).collect();
        assert_eq!(ids, ["09:30", "10:00", "10:30", "11:00"]);
        assert_eq!(slots[0].label, "9 h 30");
        assert_eq!(slots[1].label, "10 h");
        assert_eq!(time_slots("00:00", "23:30").len(), 24);
        assert!(time_slots("12:00", "09:00").is_empty());
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
