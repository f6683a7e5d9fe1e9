//! Dates, absolute ("le trois décembre", "12/03/1950", "2027-03-12") or relative to today
//! ("demain", "mardi prochain", "dans trois jours", "le quinze").
//!
//! A date said without its year ("le 3 décembre", "12/03"), its month ("le quinze") or its
//! direction ("mardi") happens again and again: it is placed where the question's
//! [`DateWindow`] allows. With no bound, it is the next one (today included), as before a
//! booking; with bounds, the one within them (a birth date or "when did it happen", with
//! `latest: today`, takes the past one); when both the next and the previous one are within
//! them, the nearer to today, and when they are equally near, it is not understood.

use super::normalize::{fold, remove_fillers, split_words, starts_with_at};
use super::number::{find_spans, Span};
use super::DateWindow;
use crate::model::display::MONTHS;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// Weekday names, folded, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

/// How far ahead we look for "the next 29 February" or "the next 31st".
const MAX_MONTHS_AHEAD: u32 = 12 * 8;

/// Understands a date answer for a question that accepts `window`. Several different dates
/// in one utterance, an impossible date, or a weekday that does not match the date said: not
/// understood.
pub fn understand_within(
    utterance: &str,
    today: NaiveDate,
    window: DateWindow,
) -> Option<NaiveDate> {
    let folded = fold(utterance);
    let mut found = Found::default();
    let mut rest = String::with_capacity(folded.len());
    for token in folded.split_whitespace() {
        match typed_date(token, today) {
            Typed::Date(date) => found.dates.push(date),
            Typed::Invalid => return None,
            Typed::NotADate => {
                rest.push_str(token);
                rest.push(' ');
            }
        }
    }
    let words = remove_fillers(split_words(&rest));
    spoken_dates(&words, today, &mut found)?;
    let mut dates = found.dates.iter().map(|c| c.resolve(today, window));
    let first = dates.next()??;
    if dates.any(|d| d != Some(first)) {
        return None;
    }
    if let Some(weekday) = found.weekday_check {
        if first.weekday() != weekday {
            return None;
        }
    }
    Some(first)
}

/// A date found in the utterance, before the question's window places it.
#[derive(Debug, Clone, Copy)]
enum Candidate {
    /// A date said in full, or relative to today ("demain", "mardi prochain").
    Exact(NaiveDate),
    /// A date that comes back ("le 3 décembre", "le 15", "mardi"): its next occurrence (today
    /// included) and its previous one.
    Recurring {
        next: Option<NaiveDate>,
        previous: Option<NaiveDate>,
    },
}

impl Candidate {
    fn recurring(next: Option<NaiveDate>, previous: Option<NaiveDate>) -> Option<Candidate> {
        (next.is_some() || previous.is_some()).then_some(Candidate::Recurring { next, previous })
    }

    /// The date meant, given the question's window (see the module documentation).
    fn resolve(self, today: NaiveDate, window: DateWindow) -> Option<NaiveDate> {
        let (next, previous) = match self {
            Candidate::Exact(date) => return Some(date),
            Candidate::Recurring { next, previous } => (next, previous),
        };
        if window.is_open() {
            return next.or(previous);
        }
        let within = |d: &Option<NaiveDate>| d.filter(|d| window.contains(*d));
        match (within(&next), within(&previous)) {
            (Some(n), Some(p)) => {
                let ahead = (n - today).num_days();
                let behind = (today - p).num_days();
                match ahead.cmp(&behind) {
                    std::cmp::Ordering::Less => Some(n),
                    std::cmp::Ordering::Greater => Some(p),
                    // Never guess between two years.
                    std::cmp::Ordering::Equal => None,
                }
            }
            (Some(n), None) => Some(n),
            (None, Some(p)) => Some(p),
            // Neither fits: the next one, which the question's bounds then explain.
            (None, None) => next.or(previous),
        }
    }
}

#[derive(Default)]
struct Found {
    dates: Vec<Candidate>,
    /// A weekday said along with an absolute date, to check it.
    weekday_check: Option<Weekday>,
}

enum Typed {
    Date(Candidate),
    Invalid,
    NotADate,
}

/// "12/03/1950", "12-03-1950", "12.03.1950", "12/03/50", "12/03", "2027-03-12".
fn typed_date(token: &str, today: NaiveDate) -> Typed {
    let token = token.trim_end_matches([',', '.', ';', '!', '?']);
    let separators = ['/', '-', '.'];
    if !token.contains(separators)
        || !token
            .chars()
            .all(|c| c.is_ascii_digit() || separators.contains(&c))
    {
        return Typed::NotADate;
    }
    let parts: Vec<&str> = token.split(separators).collect();
    if parts.iter().any(|p| p.is_empty() || p.len() > 4) {
        return Typed::NotADate;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let date = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => num(y)
            .zip(num(m))
            .zip(num(d))
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d))
            .map(Candidate::Exact),
        [d, m, y] if d.len() <= 2 && m.len() <= 2 && (y.len() == 4 || y.len() == 2) => {
            let year = num(y).map(|y| {
                let y = i64::from(y);
                if y >= 100 {
                    y
                } else {
                    // Two-digit years: this century unless that is more than ten years ahead.
                    let this_year = i64::from(today.year());
                    let this_century = this_year.div_euclid(100) * 100;
                    if this_century + y <= this_year + 10 {
                        this_century + y
                    } else {
                        this_century - 100 + y
                    }
                }
            });
            num(d)
                .zip(num(m))
                .zip(year)
                .and_then(|((d, m), y)| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d))
                .map(Candidate::Exact)
        }
        [d, m] if d.len() <= 2 && m.len() <= 2 && token.contains('/') => {
            num(d).zip(num(m)).and_then(|(d, m)| day_month(today, d, m))
        }
        _ => return Typed::NotADate,
    };
    match date {
        Some(date) => Typed::Date(date),
        None => Typed::Invalid,
    }
}

/// Finds the spoken dates in `words`; `None` when one of them is impossible.
fn spoken_dates(words: &[String], today: NaiveDate, found: &mut Found) -> Option<()> {
    let exact = |found: &mut Found, date: Option<NaiveDate>| -> Option<()> {
        found.dates.push(Candidate::Exact(date?));
        Some(())
    };
    let spans = find_spans(words);
    let span_at = |start: usize| spans.iter().find(|s| s.start == start);
    let span_ending = |end: usize| spans.iter().find(|s| s.end == end);
    let has_month = words.iter().any(|w| month_of(w).is_some());
    let mut weekday: Option<(Weekday, Option<bool>)> = None;

    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if starts_with_at(words, i, &["aujourd", "hui"]) {
            exact(found, Some(today))?;
            i += 2;
            continue;
        }
        if starts_with_at(words, i, &["apres", "demain"]) {
            exact(found, today.checked_add_days(Days::new(2)))?;
            i += 2;
            continue;
        }
        if starts_with_at(words, i, &["avant", "hier"]) {
            exact(found, today.checked_sub_days(Days::new(2)))?;
            i += 2;
            continue;
        }
        match w {
            "demain" => exact(found, today.checked_add_days(Days::new(1)))?,
            "hier" => exact(found, today.checked_sub_days(Days::new(1)))?,
            "dans" => {
                if let Some(date) = relative(words, span_at(i + 1), today, true) {
                    exact(found, date)?;
                }
            }
            "il" if starts_with_at(words, i, &["il", "y", "a"]) => {
                if let Some(date) = relative(words, span_at(i + 3), today, false) {
                    exact(found, date)?;
                }
            }
            _ => {}
        }
        if let Some(day) = WEEKDAYS.iter().position(|d| *d == w) {
            let direction = match words.get(i + 1).map(String::as_str) {
                Some("prochain" | "prochaine" | "suivant") => Some(true),
                Some("dernier" | "derniere" | "passe") => Some(false),
                _ => None,
            };
            weekday = Some((weekday_from_index(day), direction));
        }
        if let Some(month) = month_of(w) {
            let day_span = span_ending(i)?;
            let day = day_of(day_span)?;
            let year_span = span_at(i + 1).filter(|s| {
                !matches!(
                    words.get(s.end).map(String::as_str),
                    Some("heure" | "heures" | "h")
                )
            });
            let date = match year_span {
                Some(span) => {
                    let year = span.value().filter(|y| (1000..=2999).contains(y))?;
                    if span.ordinal {
                        return None;
                    }
                    Candidate::Exact(NaiveDate::from_ymd_opt(
                        i32::try_from(year).ok()?,
                        month,
                        day,
                    )?)
                }
                None => day_month(today, day, month)?,
            };
            found.dates.push(date);
        }
        i += 1;
    }

    if !has_month {
        // "le quinze", "le 1er", or a bare day number as the whole answer.
        for span in &spans {
            let after_le = span.start > 0 && words[span.start - 1] == "le";
            let whole = span.start == 0 && span.end == words.len();
            let unit_follows = words.get(span.end).is_some_and(|w| is_unit(w));
            let before_dans = span.start > 0 && words[span.start - 1] == "dans";
            if (after_le || whole) && !unit_follows && !before_dans {
                let day = day_of(span)?;
                found.dates.push(day_of_month(today, day)?);
            }
        }
    }

    if let Some((day, direction)) = weekday {
        if found.dates.is_empty() || direction.is_some() {
            // "mardi", "mardi prochain", "samedi dernier": a date of its own.
            let date = match direction {
                Some(true) => Candidate::Exact(next_weekday(today, day)?),
                Some(false) => Candidate::Exact(previous_weekday(today, day)?),
                None => {
                    Candidate::recurring(next_weekday(today, day), previous_weekday(today, day))?
                }
            };
            found.dates.push(date);
        } else {
            // "jeudi trois décembre": the weekday must match the date.
            found.weekday_check = Some(day);
        }
    }
    Some(())
}

fn weekday_from_index(i: usize) -> Weekday {
    match i {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// The month number of a folded word.
fn month_of(word: &str) -> Option<u32> {
    let i = MONTHS.iter().position(|m| fold(m) == word)?;
    u32::try_from(i + 1).ok()
}

/// A day number 1..=31 ("premier" is the only ordinal day in French).
fn day_of(span: &Span) -> Option<u32> {
    let value = span.value()?;
    if span.ordinal && value != 1 {
        return None;
    }
    u32::try_from(value).ok().filter(|d| (1..=31).contains(d))
}

fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "jour"
            | "jours"
            | "semaine"
            | "semaines"
            | "mois"
            | "an"
            | "ans"
            | "annee"
            | "annees"
            | "heure"
            | "heures"
            | "h"
            | "minute"
            | "minutes"
    )
}

/// "dans trois jours" (forward) or "il y a deux semaines" (backward); `None` when the
/// words are not a relative date, `Some(None)` when the date overflows.
fn relative(
    words: &[String],
    span: Option<&Span>,
    today: NaiveDate,
    forward: bool,
) -> Option<Option<NaiveDate>> {
    let span = span?;
    let amount = u64::try_from(span.value()?).ok()?;
    let unit = words.get(span.end)?.as_str();
    let days = |n: u64| {
        if forward {
            today.checked_add_days(Days::new(n))
        } else {
            today.checked_sub_days(Days::new(n))
        }
    };
    let months = |n: u64| {
        let n = u32::try_from(n).ok()?;
        if forward {
            today.checked_add_months(Months::new(n))
        } else {
            today.checked_sub_months(Months::new(n))
        }
    };
    Some(match unit {
        "jour" | "jours" => days(amount),
        "semaine" | "semaines" => amount.checked_mul(7).and_then(days),
        "mois" => months(amount),
        "an" | "ans" | "annee" | "annees" => amount.checked_mul(12).and_then(months),
        _ => return None,
    })
}

/// `day`/`month` without a year: the next one on or after today and the previous one (looking
/// years away for 29 February); `None` when no year has it ("le trente et un février").
fn day_month(today: NaiveDate, day: u32, month: u32) -> Option<Candidate> {
    NaiveDate::from_ymd_opt(2000, month, day)?;
    let in_year =
        |offset: i32| NaiveDate::from_ymd_opt(today.year().checked_add(offset)?, month, day);
    let next = (0..=8).filter_map(in_year).find(|d| *d >= today);
    let previous = (0..=8)
        .filter_map(|back| in_year(-back))
        .find(|d| *d < today);
    Candidate::recurring(next, previous)
}

/// Day `day` without a month: of this month if not past, else of the next month that has
/// it; and the previous one, in this month or an earlier one.
fn day_of_month(today: NaiveDate, day: u32) -> Option<Candidate> {
    let first = today.with_day(1)?;
    let next = (0..MAX_MONTHS_AHEAD)
        .filter_map(|ahead| first.checked_add_months(Months::new(ahead))?.with_day(day))
        .find(|d| *d >= today);
    let previous = (0..MAX_MONTHS_AHEAD)
        .filter_map(|back| first.checked_sub_months(Months::new(back))?.with_day(day))
        .find(|d| *d < today);
    Candidate::recurring(next, previous)
}

/// The next such weekday strictly after today.
fn next_weekday(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let ahead = (weekday.num_days_from_monday() + 7 - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

/// The last such weekday strictly before today.
fn previous_weekday(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let back = (today.weekday().num_days_from_monday() + 7 - weekday.num_days_from_monday()) % 7;
    let back = if back == 0 { 7 } else { back };
    today.checked_sub_days(Days::new(u64::from(back)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).expect("valid") // a Saturday
    }

    fn d(s: &str) -> Option<String> {
        understand_within(s, today(), DateWindow::ANY).map(|d| d.format("%Y-%m-%d").to_string())
    }

    fn within(s: &str, earliest: Option<&str>, latest: Option<&str>) -> Option<String> {
        let parse = |d: Option<&str>| d.and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let window = DateWindow {
            earliest: parse(earliest),
            latest: parse(latest),
        };
        understand_within(s, today(), window).map(|d| d.format("%Y-%m-%d").to_string())
    }

    #[test]
    fn a_date_without_its_year_goes_where_the_bounds_allow() {
        let past = Some("2026-11-28"); // latest: today
        assert_eq!(
            within("le 3 décembre", None, past).as_deref(),
            Some("2025-12-03")
        );
        assert_eq!(within("12/03", None, past).as_deref(), Some("2026-03-12"));
        assert_eq!(
            within("le quinze", None, past).as_deref(),
            Some("2026-11-15")
        );
        assert_eq!(within("mardi", None, past).as_deref(), Some("2026-11-24"));
        assert_eq!(
            within("le 28 novembre", None, past).as_deref(),
            Some("2026-11-28")
        );
        assert_eq!(
            within("jeudi 3 décembre", None, past),
            None,
            "a Wednesday in 2025"
        );
        // Said with its year, or relative: as said, whatever the bounds.
        assert_eq!(
            within("le 3 décembre 2026", None, past).as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(
            within("mardi prochain", None, past).as_deref(),
            Some("2026-12-01")
        );
        // A booking in the next three months: the next one.
        let ahead = (Some("2026-11-28"), Some("2027-02-26"));
        assert_eq!(
            within("le 3 décembre", ahead.0, ahead.1).as_deref(),
            Some("2026-12-03")
        );
        // Both years within the bounds: the nearer to today.
        let year_around = (Some("2025-11-28"), Some("2027-11-28"));
        assert_eq!(
            within("le 3 décembre", year_around.0, year_around.1).as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(
            within("le 20 novembre", year_around.0, year_around.1).as_deref(),
            Some("2026-11-20")
        );
        // Neither within: the next one, which the question's bounds then refuse with a reason.
        assert_eq!(
            within("le 3 décembre", Some("2027-06-01"), Some("2027-07-01")).as_deref(),
            Some("2026-12-03")
        );
    }

    #[test]
    fn two_dates_equally_near_are_not_a_guess() {
        // Today is 28 November: the 13th is 15 days back and 15 days ahead.
        let around = (Some("2026-10-01"), Some("2027-01-31"));
        assert_eq!(within("le treize", around.0, around.1), None);
        assert_eq!(
            within("le douze", around.0, around.1).as_deref(),
            Some("2026-12-12")
        );
        assert_eq!(
            within("le quatorze", around.0, around.1).as_deref(),
            Some("2026-11-14")
        );
        // Without bounds, the next one, as always.
        assert_eq!(d("le treize").as_deref(), Some("2026-12-13"));
    }

    #[test]
    fn relative_dates() {
        assert_eq!(d("aujourd'hui").as_deref(), Some("2026-11-28"));
        assert_eq!(d("demain").as_deref(), Some("2026-11-29"));
        assert_eq!(d("après-demain").as_deref(), Some("2026-11-30"));
        assert_eq!(d("hier").as_deref(), Some("2026-11-27"));
        assert_eq!(d("avant hier").as_deref(), Some("2026-11-26"));
        assert_eq!(d("lundi").as_deref(), Some("2026-11-30"));
        assert_eq!(d("samedi").as_deref(), Some("2026-12-05"));
        assert_eq!(d("mardi prochain").as_deref(), Some("2026-12-01"));
        assert_eq!(d("samedi dernier").as_deref(), Some("2026-11-21"));
        assert_eq!(d("dans une semaine").as_deref(), Some("2026-12-05"));
        assert_eq!(d("dans trois jours").as_deref(), Some("2026-12-01"));
        assert_eq!(d("dans un mois").as_deref(), Some("2026-12-28"));
        assert_eq!(d("il y a deux jours").as_deref(), Some("2026-11-26"));
    }

    #[test]
    fn absolute_dates() {
        assert_eq!(d("le trois décembre").as_deref(), Some("2026-12-03"));
        assert_eq!(d("le premier mars").as_deref(), Some("2027-03-01"));
        assert_eq!(d("le 1er mars").as_deref(), Some("2027-03-01"));
        assert_eq!(d("le 28 novembre").as_deref(), Some("2026-11-28"));
        assert_eq!(
            d("le douze mars mille neuf cent cinquante").as_deref(),
            Some("1950-03-12")
        );
        assert_eq!(d("12/03/1950").as_deref(), Some("1950-03-12"));
        assert_eq!(d("12 mars 2027").as_deref(), Some("2027-03-12"));
        assert_eq!(d("2027-03-12").as_deref(), Some("2027-03-12"));
        assert_eq!(d("le quinze").as_deref(), Some("2026-12-15"));
        assert_eq!(d("le trente").as_deref(), Some("2026-11-30"));
        assert_eq!(d("le vingt neuf février").as_deref(), Some("2028-02-29"));
        assert_eq!(d("jeudi trois décembre").as_deref(), Some("2026-12-03"));
    }

    #[test]
    fn impossible_or_conflicting_dates() {
        for s in [
            "le trente et un février",
            "le trente deux mars",
            "31/04/2027",
            "mardi trois décembre",
            "demain ou après demain",
            "en mars",
            "bientôt",
            "",
        ] {
            assert_eq!(d(s), None, "{s}");
        }
    }
}
