//! Calendar knowledge: the French public holidays and which days a `date` question accepts
//! (its `weekdays` and `exclude` keys). No I/O: every date comes in as a value.
//!
//! The public holidays are those of metropolitan France outside Alsace-Moselle (the
//! intercommunality is in the Pas-de-Calais): eight fixed days and three that follow
//! Easter, computed with the `computus` crate.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Serialize, Serializer};

/// French weekday names, Monday first, as flows write them (`weekdays: [mardi]`).
pub const WEEKDAY_NAMES: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// The keyword of `exclude` for the French public holidays.
pub const PUBLIC_HOLIDAYS_KEYWORD: &str = "jours-feries";

/// How far from a date [`DaysAllowed::nearest`] and [`DaysAllowed::first_from`] look (about
/// three years): far beyond any closure a commune announces.
const SEARCH_DAYS: u64 = 1100;

/// One public holiday of a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicHoliday {
    pub date: NaiveDate,
    /// Its French name ("Lundi de Pâques").
    pub name: &'static str,
}

/// Easter Sunday of `year` in the Gregorian calendar (years 1583 to 9999).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let easter = computus::gregorian(year).ok()?;
    NaiveDate::from_ymd_opt(easter.year, easter.month, easter.day)
}

/// The fixed public holidays: month, day, name.
const FIXED_HOLIDAYS: [(u32, u32, &str); 8] = [
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du Travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice 1918"),
    (12, 25, "Noël"),
];

/// The public holidays that follow Easter Sunday: days after it, name.
const AFTER_EASTER: [(u64, &str); 3] = [
    (1, "Lundi de Pâques"),
    (39, "Ascension"),
    (50, "Lundi de Pentecôte"),
];

/// The eleven public holidays of metropolitan France in `year`, in date order (only the
/// eight fixed ones for a year where Easter cannot be computed).
pub fn french_public_holidays(year: i32) -> Vec<PublicHoliday> {
    let mut holidays: Vec<PublicHoliday> = FIXED_HOLIDAYS
        .iter()
        .filter_map(|&(month, day, name)| {
            Some(PublicHoliday {
                date: NaiveDate::from_ymd_opt(year, month, day)?,
                name,
            })
        })
        .collect();
    if let Some(easter) = easter_sunday(year) {
        holidays.extend(AFTER_EASTER.iter().filter_map(|&(days, name)| {
            Some(PublicHoliday {
                date: easter.checked_add_days(Days::new(days))?,
                name,
            })
        }));
    }
    holidays.sort_by_key(|h| h.date);
    holidays
}

/// Whether `date` is a French public holiday (without building the year's list: calendars
/// ask it day by day).
pub fn is_public_holiday(date: NaiveDate) -> bool {
    let fixed = FIXED_HOLIDAYS
        .iter()
        .any(|&(month, day, _)| date.month() == month && date.day() == day);
    fixed
        || (date.month() >= 3
            && date.month() <= 6
            && easter_sunday(date.year()).is_some_and(|easter| {
                AFTER_EASTER
                    .iter()
                    .any(|&(days, _)| easter.checked_add_days(Days::new(days)) == Some(date))
            }))
}

/// The French name of a weekday ("mardi").
pub fn weekday_name(day: Weekday) -> &'static str {
    WEEKDAY_NAMES[day.num_days_from_monday() as usize]
}

/// The weekday a French name stands for (lower case, as in flows).
pub fn weekday_from_name(name: &str) -> Option<Weekday> {
    let index = WEEKDAY_NAMES.iter().position(|n| *n == name)?;
    Weekday::try_from(u8::try_from(index).ok()?).ok()
}

/// Days closed on purpose, from `first` to `last` included (one day when they are equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Closure {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// Why a day is not taken, in the order they are tested: the weekday first (the most general
/// rule, so that the citizen hears which days are possible), then a public holiday, then a
/// closure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Weekday,
    PublicHoliday,
    Closed,
}

/// Which days a `date` question accepts within its bounds: some weekdays only
/// (`weekdays: [mardi]`), no public holidays and no closures (`exclude: [jours-feries,
/// 2026-12-24, 2026-12-24..2027-01-02]`). The default accepts every day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaysAllowed {
    /// The weekdays accepted, Monday first; never empty.
    #[serde(serialize_with = "french_weekdays")]
    pub weekdays: Vec<Weekday>,
    /// Whether the French public holidays are refused.
    pub no_public_holidays: bool,
    /// Closed days and periods.
    pub closed: Vec<Closure>,
}

fn french_weekdays<S: Serializer>(days: &[Weekday], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(days.iter().map(|d| weekday_name(*d)))
}

impl Default for DaysAllowed {
    fn default() -> Self {
        DaysAllowed {
            weekdays: (0..7u8).filter_map(|i| Weekday::try_from(i).ok()).collect(),
            no_public_holidays: false,
            closed: Vec::new(),
        }
    }
}

impl DaysAllowed {
    /// Whether every day is accepted (no `weekdays` limit and no `exclude`).
    pub fn is_every_day(&self) -> bool {
        self.weekdays.len() == 7 && !self.no_public_holidays && self.closed.is_empty()
    }

    /// Why `date` is not accepted; `None` when it is.
    pub fn refusal(&self, date: NaiveDate) -> Option<Refusal> {
        if !self.weekdays.contains(&date.weekday()) {
            Some(Refusal::Weekday)
        } else if self.no_public_holidays && is_public_holiday(date) {
            Some(Refusal::PublicHoliday)
        } else if self
            .closed
            .iter()
            .any(|c| c.first <= date && date <= c.last)
        {
            Some(Refusal::Closed)
        } else {
            None
        }
    }

    /// Whether `date` is accepted (bounds aside).
    pub fn allows(&self, date: NaiveDate) -> bool {
        self.refusal(date).is_none()
    }

    /// Whether `date` is within the bounds and accepted.
    pub fn allows_within(
        &self,
        date: NaiveDate,
        earliest: Option<NaiveDate>,
        latest: Option<NaiveDate>,
    ) -> bool {
        earliest.is_none_or(|e| date >= e) && latest.is_none_or(|l| date <= l) && self.allows(date)
    }

    /// The first accepted day on or after `from`, up to `latest`.
    pub fn first_from(&self, from: NaiveDate, latest: Option<NaiveDate>) -> Option<NaiveDate> {
        (0..=SEARCH_DAYS)
            .map_while(|ahead| from.checked_add_days(Days::new(ahead)))
            .take_while(|d| latest.is_none_or(|l| *d <= l))
            .find(|d| self.allows(*d))
    }

    /// The accepted day within the bounds nearest to `date` (the later one of two at the same
    /// distance), other than `date` itself.
    pub fn nearest(
        &self,
        date: NaiveDate,
        earliest: Option<NaiveDate>,
        latest: Option<NaiveDate>,
    ) -> Option<NaiveDate> {
        (1..=SEARCH_DAYS).find_map(|distance| {
            let later = date.checked_add_days(Days::new(distance));
            let earlier = date.checked_sub_days(Days::new(distance));
            [later, earlier]
                .into_iter()
                .flatten()
                .find(|d| self.allows_within(*d, earliest, latest))
        })
    }

    /// The accepted weekdays in plain French for a sentence: "les mardis", "les mardis et
    /// les jeudis", "les lundis, les mardis et les jeudis".
    pub fn weekdays_plural(&self) -> String {
        let names: Vec<String> = self
            .weekdays
            .iter()
            .map(|d| format!("les {}s", weekday_name(*d)))
            .collect();
        join_french(&names)
    }

    /// The rule in plain French, for the terminal simulator and previews: "le mardi, sauf
    /// les jours fériés et du 24 décembre 2026 au 2 janvier 2027". Empty when every day is
    /// accepted.
    pub fn describe(&self) -> String {
        use crate::model::display;
        if self.is_every_day() {
            return String::new();
        }
        let days = if self.weekdays.len() == 7 {
            "tous les jours".to_string()
        } else {
            let names: Vec<String> = self
                .weekdays
                .iter()
                .map(|d| weekday_name(*d).to_string())
                .collect();
            format!("le {}", join_french(&names))
        };
        let mut except = Vec::new();
        if self.no_public_holidays {
            except.push("les jours fériés".to_string());
        }
        for c in &self.closed {
            except.push(if c.first == c.last {
                format!("le {}", display::date(c.first))
            } else {
                format!("du {} au {}", display::date(c.first), display::date(c.last))
            });
        }
        if except.is_empty() {
            days
        } else {
            format!("{days}, sauf {}", join_french(&except))
        }
    }
}

/// "a", "a et b", "a, b et c".
pub(crate) fn join_french(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} et {last}", init.join(", ")),
    }
}

/// A time slot of a `time` question: `id` is `HH:MM`, `label` "9 h 30".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeSlot {
    pub id: String,
    pub label: String,
}

/// Time slots from `earliest` to `latest` every 30 minutes (every hour when that would
/// make more than 24 buttons), the first rounded up to the step: the touchscreen's buttons and
/// the one-button scan alike.
pub fn time_slots(earliest: &str, latest: &str) -> Vec<TimeSlot> {
    let parse = |t: &str| chrono::NaiveTime::parse_from_str(t, "%H:%M").ok();
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
    let mut slot = start + chrono::Duration::minutes(offset);
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
        out.push(TimeSlot {
            id: slot.format("%H:%M").to_string(),
            label,
        });
        match slot.overflowing_add_signed(chrono::Duration::minutes(step)) {
            (next, 0) => slot = next,
            _ => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
    }

    fn tuesdays_without_holidays() -> DaysAllowed {
        DaysAllowed {
            weekdays: vec![Weekday::Tue],
            no_public_holidays: true,
            closed: Vec::new(),
        }
    }

    #[test]
    fn easter_and_the_days_that_follow_it() {
        assert_eq!(easter_sunday(2026), Some(d("2026-04-05")));
        assert_eq!(easter_sunday(2027), Some(d("2027-03-28")));
        let holidays = |year| {
            french_public_holidays(year)
                .iter()
                .map(|h| (h.date.format("%Y-%m-%d").to_string(), h.name))
                .collect::<Vec<_>>()
        };
        let of_2026 = holidays(2026);
        assert_eq!(of_2026.len(), 11);
        for (date, name) in [
            ("2026-04-06", "Lundi de Pâques"),
            ("2026-05-14", "Ascension"),
            ("2026-05-25", "Lundi de Pentecôte"),
        ] {
            assert!(of_2026.contains(&(date.to_string(), name)), "{date} {name}");
        }
        let of_2027 = holidays(2027);
        for date in ["2027-03-29", "2027-05-06", "2027-05-17"] {
            assert!(of_2027.iter().any(|(d, _)| d == date), "{date}");
        }
        // In date order, from New Year's Day to Christmas.
        assert_eq!(of_2027.first().map(|h| h.0.as_str()), Some("2027-01-01"));
        assert_eq!(of_2027.last().map(|h| h.0.as_str()), Some("2027-12-25"));
    }

    #[test]
    fn fixed_holidays_and_ordinary_days() {
        for date in [
            "2026-01-01",
            "2026-05-01",
            "2026-05-08",
            "2026-07-14",
            "2026-08-15",
            "2026-11-01",
            "2026-11-11",
            "2026-12-25",
        ] {
            assert!(is_public_holiday(d(date)), "{date}");
        }
        // Easter Sunday and Whit Sunday are Sundays, not extra days off; Alsace-Moselle's
        // Good Friday and 26 December are not holidays here.
        for date in [
            "2026-04-05",
            "2026-05-24",
            "2026-04-03",
            "2026-12-26",
            "2026-12-24",
        ] {
            assert!(!is_public_holiday(d(date)), "{date}");
        }
        // Years Easter cannot be computed for keep their fixed days.
        assert_eq!(french_public_holidays(10_000).len(), 8);
    }

    #[test]
    fn the_day_by_day_test_agrees_with_the_lists() {
        let mut day = d("2020-01-01");
        while day < d("2041-01-01") {
            let listed = french_public_holidays(day.year())
                .iter()
                .any(|h| h.date == day);
            assert_eq!(is_public_holiday(day), listed, "{day}");
            day = day.succ_opt().expect("a next day");
        }
    }

    #[test]
    fn weekdays_holidays_and_closures_refuse_days_in_that_order() {
        let mut rule = tuesdays_without_holidays();
        rule.closed.push(Closure {
            first: d("2026-12-24"),
            last: d("2027-01-02"),
        });
        assert_eq!(rule.refusal(d("2026-12-01")), None);
        assert_eq!(rule.refusal(d("2026-12-02")), Some(Refusal::Weekday));
        assert_eq!(rule.refusal(d("2026-12-25")), Some(Refusal::Weekday));
        assert_eq!(rule.refusal(d("2026-07-14")), Some(Refusal::PublicHoliday));
        assert_eq!(rule.refusal(d("2026-12-29")), Some(Refusal::Closed));
        assert!(DaysAllowed::default().allows(d("2026-12-25")));
        assert!(DaysAllowed::default().is_every_day());
        assert!(!rule.is_every_day());
    }

    #[test]
    fn nearest_and_first_accepted_days() {
        let rule = tuesdays_without_holidays();
        // Wednesday 2 December: Tuesday 1st is nearer than Tuesday 8th.
        assert_eq!(
            rule.nearest(d("2026-12-02"), None, None),
            Some(d("2026-12-01"))
        );
        // ... unless the bounds start after it.
        assert_eq!(
            rule.nearest(d("2026-12-02"), Some(d("2026-12-02")), None),
            Some(d("2026-12-08"))
        );
        // Saturday 5 December: Tuesday 8th and Tuesday 1st are as near; the later one.
        assert_eq!(
            rule.nearest(d("2026-12-05"), None, None),
            Some(d("2026-12-08"))
        );
        // 14 July 2026 is a Tuesday and a holiday: 7 and 21 July are as near.
        assert_eq!(
            rule.nearest(d("2026-07-14"), None, None),
            Some(d("2026-07-21"))
        );
        assert_eq!(
            rule.nearest(
                d("2026-12-02"),
                Some(d("2026-12-02")),
                Some(d("2026-12-07"))
            ),
            None
        );
        assert_eq!(
            rule.first_from(d("2026-07-08"), None),
            Some(d("2026-07-21"))
        );
        assert_eq!(
            rule.first_from(d("2026-07-15"), Some(d("2026-07-20"))),
            None
        );
        assert_eq!(rule.first_from(NaiveDate::MAX, None), None);
        // At the ends of the calendar: no overflow.
        assert_eq!(
            rule.nearest(NaiveDate::MAX, Some(NaiveDate::MAX), None),
            None
        );
        assert!(rule.nearest(NaiveDate::MIN, None, None).is_some());
    }

    #[test]
    fn the_rule_in_words() {
        let mut rule = tuesdays_without_holidays();
        assert_eq!(rule.weekdays_plural(), "les mardis");
        assert_eq!(rule.describe(), "le mardi, sauf les jours fériés");
        rule.weekdays = vec![Weekday::Mon, Weekday::Tue, Weekday::Thu];
        rule.closed.push(Closure {
            first: d("2026-12-24"),
            last: d("2027-01-02"),
        });
        assert_eq!(
            rule.weekdays_plural(),
            "les lundis, les mardis et les jeudis"
        );
        assert_eq!(
            rule.describe(),
            "le lundi, mardi et jeudi, sauf les jours fériés et du jeudi 24 décembre 2026 au samedi 2 janvier 2027"
        );
        assert_eq!(DaysAllowed::default().describe(), "");
        assert_eq!(weekday_from_name("mardi"), Some(Weekday::Tue));
        assert_eq!(weekday_from_name("dimanche"), Some(Weekday::Sun));
        assert_eq!(weekday_from_name("Mardi"), None);
    }
}
