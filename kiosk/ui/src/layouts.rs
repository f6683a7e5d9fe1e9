//! Pure layout helpers for the input screens: keypad and keyboard grids, the calendar's
//! day cells, time slots, the first-letter filter of long lists, and how typed values are
//! shown. Nothing here decides what is a valid answer: the flow runtime does.

use crate::generated::{DayCell, Key, OptionItem};
use chrono::{Datelike, Duration, NaiveDate};
use kiosk_flow::calendar::DaysAllowed;
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

/// The calendar shows whole weeks from a Monday: 3 on a small screen, 5 otherwise. Days
/// outside the bounds or refused by the question's days (`allowed`, which kiosk-flow decides)
/// cannot be touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarView {
    pub first_monday: NaiveDate,
    pub weeks: i64,
    pub earliest: Option<NaiveDate>,
    pub latest: Option<NaiveDate>,
    pub allowed: DaysAllowed,
    pub today: NaiveDate,
}

impl CalendarView {
    /// Starts on the week of the first day that can be chosen.
    pub fn new(
        earliest: Option<NaiveDate>,
        latest: Option<NaiveDate>,
        allowed: DaysAllowed,
        today: NaiveDate,
        compact: bool,
    ) -> Self {
        let start = earliest.unwrap_or(today);
        let first = allowed.first_from(start, latest).unwrap_or(start);
        CalendarView {
            first_monday: monday_of(first),
            weeks: if compact { 3 } else { 5 },
            earliest,
            latest,
            allowed,
            today,
        }
    }

    fn last_day(&self) -> NaiveDate {
        self.first_monday + Duration::days(self.weeks * 7 - 1)
    }

    /// Whether a day that can be chosen comes before this page.
    pub fn can_go_earlier(&self) -> bool {
        let page = Duration::days(self.weeks * 7);
        let from = self.earliest.unwrap_or(self.first_monday - page);
        self.earliest.is_none_or(|e| e < self.first_monday)
            && self
                .allowed
                .first_from(from, self.first_monday.pred_opt())
                .is_some()
    }

    /// Whether a day that can be chosen comes after this page.
    pub fn can_go_later(&self) -> bool {
        self.latest.is_none_or(|l| l > self.last_day())
            && self
                .last_day()
                .succ_opt()
                .and_then(|next| self.allowed.first_from(next, self.latest))
                .is_some()
    }

    /// Moves by whole pages, never to a page with no possible day.
    pub fn moved(&self, pages: i32) -> Self {
        if (pages < 0 && !self.can_go_earlier()) || (pages > 0 && !self.can_go_later()) {
            return self.clone();
        }
        let step = Duration::days(self.weeks * 7 * i64::from(pages));
        CalendarView {
            first_monday: self.first_monday + step,
            ..self.clone()
        }
    }

    pub fn cells(&self) -> Vec<DayCell> {
        (0..self.weeks * 7)
            .map(|i| {
                let date = self.first_monday + Duration::days(i);
                let enabled = self.allowed.allows_within(date, self.earliest, self.latest);
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

/// Time slots from `earliest` to `latest` (kiosk-flow's [`kiosk_flow::calendar::time_slots`],
/// shared with the one-button scan), as buttons.
pub fn time_slots(earliest: &str, latest: &str) -> Vec<OptionItem> {
    kiosk_flow::calendar::time_slots(earliest, latest)
        .into_iter()
        .map(|slot| OptionItem {
            id: slot.id.into(),
            label: slot.label.into(),
            icon: SharedString::new(),
            selected: false,
        })
        .collect()
}

pub use kiosk_flow::letters::{
    initial, letter_groups, needs_letter_filter, LetterGroup, ALL_LETTERS, COMPACT_LETTER_GROUPS,
    LONG_LIST,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
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
            DaysAllowed::default(),
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
        let open = CalendarView::new(None, None, DaysAllowed::default(), d("2026-12-01"), false);
        assert_eq!(open.moved(1).first_monday, d("2027-01-04"));
    }

    #[test]
    fn calendar_opens_on_the_first_allowed_day_and_disables_the_others() {
        // Tuesdays only, no public holidays, and the 22nd and 29th of December closed.
        let allowed = DaysAllowed {
            weekdays: vec![chrono::Weekday::Tue],
            no_public_holidays: true,
            closed: vec![kiosk_flow::calendar::Closure {
                first: d("2026-12-22"),
                last: d("2026-12-29"),
            }],
        };
        // From Tuesday 15 December, the first possible Tuesday is 5 January: the calendar
        // opens on its week.
        let view = CalendarView::new(Some(d("2026-12-16")), None, allowed, d("2026-12-15"), true);
        assert_eq!(view.first_monday, d("2027-01-04"));
        let enabled: Vec<String> = view
            .cells()
            .iter()
            .filter(|c| c.enabled)
            .map(|c| c.date.to_string())
            .collect();
        assert_eq!(enabled, ["2027-01-05", "2027-01-12", "2027-01-19"]);
        // Before it, only closed Tuesdays: no page to go back to.
        assert!(!view.can_go_earlier());
        assert_eq!(view.moved(-1), view);
        assert!(view.can_go_later());
        // Bounds that end on a Monday: the page of that Monday is the last one.
        let short = CalendarView {
            latest: Some(d("2027-01-25")),
            ..view.clone()
        };
        assert!(!short.can_go_later());
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
}
