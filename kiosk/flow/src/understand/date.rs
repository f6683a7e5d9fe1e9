//! Dates, absolute ("le trois décembre", "12/03/1950", "2027-03-12") or relative to today
//! ("demain", "mardi prochain", "dans trois jours", "le quinze").

use super::normalize::{fold, remove_fillers, split_words, starts_with_at};
use super::number::{find_spans, Span};
use crate::model::display::MONTHS;
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// Weekday names, folded, Monday first.
pub use crate::calendar::WEEKDAY_NAMES as WEEKDAYS;

/// How far ahead we look for "the next 29 February" or "the next 31st".
const MAX_MONTHS_AHEAD: u32 = 12 * 8;

/// Understands a date answer. Several different dates in one utterance, an impossible
/// date, or a weekday that does not match the date said: not understood.
pub fn understand(utterance: &str, today: NaiveDate) -> Option<NaiveDate> {
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
    let first = *found.dates.first()?;
    if found.dates.iter().any(|d| *d != first) {
        return None;
    }
    if let Some(weekday) = found.weekday_check {
        if first.weekday() != weekday {
            return None;
        }
    }
    Some(first)
}

#[derive(Default)]
struct Found {
    dates: Vec<NaiveDate>,
    /// A weekday said along with an absolute date, to check it.
    weekday_check: Option<Weekday>,
}

enum Typed {
    Date(NaiveDate),
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
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)),
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
        }
        [d, m] if d.len() <= 2 && m.len() <= 2 && token.contains('/') => num(d)
            .zip(num(m))
            .and_then(|(d, m)| next_day_month(today, d, m)),
        _ => return Typed::NotADate,
    };
    match date {
        Some(date) => Typed::Date(date),
        None => Typed::Invalid,
    }
}

/// Finds the spoken dates in `words`; `None` when one of them is impossible.
fn spoken_dates(words: &[String], today: NaiveDate, found: &mut Found) -> Option<()> {
    let spans = find_spans(words);
    let span_at = |start: usize| spans.iter().find(|s| s.start == start);
    let span_ending = |end: usize| spans.iter().find(|s| s.end == end);
    let has_month = words.iter().any(|w| month_of(w).is_some());
    let mut weekday: Option<(Weekday, Option<bool>)> = None;

    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        if starts_with_at(words, i, &["aujourd", "hui"]) {
            found.dates.push(today);
            i += 2;
            continue;
        }
        if starts_with_at(words, i, &["apres", "demain"]) {
            found.dates.push(today.checked_add_days(Days::new(2))?);
            i += 2;
            continue;
        }
        if starts_with_at(words, i, &["avant", "hier"]) {
            found.dates.push(today.checked_sub_days(Days::new(2))?);
            i += 2;
            continue;
        }
        match w {
            "demain" => found.dates.push(today.checked_add_days(Days::new(1))?),
            "hier" => found.dates.push(today.checked_sub_days(Days::new(1))?),
            "dans" => {
                if let Some(date) = relative(words, span_at(i + 1), today, true) {
                    found.dates.push(date?);
                }
            }
            "il" if starts_with_at(words, i, &["il", "y", "a"]) => {
                if let Some(date) = relative(words, span_at(i + 3), today, false) {
                    found.dates.push(date?);
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
                    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?
                }
                None => next_day_month(today, day, month)?,
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
                found.dates.push(next_day_of_month(today, day)?);
            }
        }
    }

    if let Some((day, direction)) = weekday {
        if found.dates.is_empty() || direction.is_some() {
            // "mardi", "mardi prochain", "samedi dernier": a date of its own.
            let date = match direction {
                Some(false) => previous_weekday(today, day),
                _ => next_weekday(today, day),
            }?;
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

/// The next `day`/`month` on or after today (looking years ahead for 29 February).
fn next_day_month(today: NaiveDate, day: u32, month: u32) -> Option<NaiveDate> {
    // Impossible in any year ("le trente et un février").
    NaiveDate::from_ymd_opt(2000, month, day)?;
    (0..=8)
        .filter_map(|ahead| NaiveDate::from_ymd_opt(today.year() + ahead, month, day))
        .find(|d| *d >= today)
}

/// Day `day` of this month if not past, else of the next month that has it.
fn next_day_of_month(today: NaiveDate, day: u32) -> Option<NaiveDate> {
    let first = today.with_day(1)?;
    (0..MAX_MONTHS_AHEAD)
        .filter_map(|ahead| first.checked_add_months(Months::new(ahead))?.with_day(day))
        .find(|d| *d >= today)
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
        understand(s, today()).map(|d| d.format("%Y-%m-%d").to_string())
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
