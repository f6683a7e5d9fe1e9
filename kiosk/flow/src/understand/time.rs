//! Times of day: "quatorze heures trente", "14h30", "14:30", "midi et quart",
//! "dix heures moins le quart", "huit heures du soir".

use super::normalize::{fold, remove_fillers, split_words, starts_with_at};
use super::number::{find_spans, Span};
use chrono::NaiveTime;

/// Understands a time answer; several different times or an impossible one: `None`.
pub fn understand(utterance: &str) -> Option<NaiveTime> {
    let words = remove_fillers(split_words(&colons_to_h(&fold(utterance))));
    let spans = find_spans(&words);
    let mut times: Vec<NaiveTime> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let (hour, next) = if let Some((h, m)) = typed_time(w) {
            // "14h30", "9h": minutes may follow only when not typed ("14h et quart").
            match m {
                Some(m) => {
                    times.push(NaiveTime::from_hms_opt(h, m, 0)?);
                    i += 1;
                    continue;
                }
                None => (h, i + 1),
            }
        } else if matches!(w, "heure" | "heures" | "h") {
            let span = spans.iter().find(|s| s.end == i)?;
            if span.start > 0 && words[span.start - 1] == "dans" {
                return None;
            }
            (hour_of(span)?, i + 1)
        } else if w == "midi" && !(i > 0 && words[i - 1] == "apres") {
            (12, i + 1)
        } else if w == "minuit" {
            (0, i + 1)
        } else {
            i += 1;
            continue;
        };
        let (minutes, after) = minutes_after(&words, &spans, next)?;
        let (period, after) = period_after(&words, after);
        let hour = apply_period(hour, period, w == "midi")?;
        let total = i64::from(hour) * 60 + minutes;
        let total = total.rem_euclid(24 * 60);
        let h = u32::try_from(total / 60).ok()?;
        let m = u32::try_from(total % 60).ok()?;
        times.push(NaiveTime::from_hms_opt(h, m, 0)?);
        i = after;
    }
    if times.is_empty() {
        times.extend(bare_hour_minutes(&words, &spans));
    }
    let first = *times.first()?;
    times.iter().all(|t| *t == first).then_some(first)
}

/// "quatorze trente", "14 30": exactly two numbers, an hour then minutes, and nothing else
/// but little words ("à", "vers").
fn bare_hour_minutes(words: &[String], spans: &[Span]) -> Option<NaiveTime> {
    let [hour, minutes] = spans else {
        return None;
    };
    let only_little_words = words
        .iter()
        .enumerate()
        .filter(|(i, _)| !(hour.start..minutes.end).contains(i))
        .all(|(_, w)| matches!(w.as_str(), "a" | "vers" | "pour" | "le" | "plutot"));
    if hour.end != minutes.start || !only_little_words || minutes.ordinal {
        return None;
    }
    let h = hour_of(hour)?;
    let m = u32::try_from(minutes.value()?).ok()?;
    if !(1..=59).contains(&m) {
        return None;
    }
    NaiveTime::from_hms_opt(h, m, 0)
}

/// "14:30" becomes "14h30" so it stays one word.
fn colons_to_h(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(char::is_ascii_digit);
            if c == ':' && between_digits {
                'h'
            } else {
                c
            }
        })
        .collect()
}

/// "14h30" -> (14, Some(30)); "9h" -> (9, None).
fn typed_time(word: &str) -> Option<(u32, Option<u32>)> {
    let (h, m) = word.split_once('h')?;
    if h.is_empty() || h.len() > 2 || !h.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let hour: u32 = h.parse().ok()?;
    let m = m.strip_suffix("min").unwrap_or(m);
    let minutes = match m {
        "" => None,
        m if m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()) => Some(m.parse().ok()?),
        _ => return None,
    };
    (hour <= 23 && minutes.is_none_or(|m| m <= 59)).then_some((hour, minutes))
}

fn hour_of(span: &Span) -> Option<u32> {
    if span.ordinal {
        return None;
    }
    u32::try_from(span.value()?).ok().filter(|h| *h <= 23)
}

/// The minutes after the hour, as an offset (negative for "moins le quart"), and the index
/// after them.
fn minutes_after(words: &[String], spans: &[Span], at: usize) -> Option<(i64, usize)> {
    for (phrase, minutes) in [
        (&["et", "quart"][..], 15),
        (&["et", "demie"][..], 30),
        (&["et", "demi"][..], 30),
        (&["moins", "le", "quart"][..], -15),
        (&["moins", "quart"][..], -15),
    ] {
        if starts_with_at(words, at, phrase) {
            return Some((minutes, at + phrase.len()));
        }
    }
    let (sign, at) = if words.get(at).is_some_and(|w| w == "moins") {
        (-1, at + 1)
    } else {
        (1, at)
    };
    match spans.iter().find(|s| s.start == at) {
        Some(span) if !span.ordinal => {
            let m = span.value().filter(|m| (0..=59).contains(m))?;
            let mut after = span.end;
            if words
                .get(after)
                .is_some_and(|w| matches!(w.as_str(), "minute" | "minutes" | "min"))
            {
                after += 1;
            }
            Some((sign * m, after))
        }
        Some(_) => None,
        None if sign < 0 => None,
        None => Some((0, at)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Period {
    Morning,
    Afternoon,
    Evening,
    Night,
}

/// "du matin", "de l'après-midi", "du soir", "de la nuit" after the time.
fn period_after(words: &[String], at: usize) -> (Option<Period>, usize) {
    for (phrase, period) in [
        (&["du", "matin"][..], Period::Morning),
        (&["le", "matin"][..], Period::Morning),
        (&["de", "l", "apres", "midi"][..], Period::Afternoon),
        (&["l", "apres", "midi"][..], Period::Afternoon),
        (&["apres", "midi"][..], Period::Afternoon),
        (&["de", "l", "aprem"][..], Period::Afternoon),
        (&["du", "soir"][..], Period::Evening),
        (&["le", "soir"][..], Period::Evening),
        (&["de", "la", "nuit"][..], Period::Night),
    ] {
        if starts_with_at(words, at, phrase) {
            return (Some(period), at + phrase.len());
        }
    }
    (None, at)
}

/// The 24-hour hour once the period is known; `None` when they contradict.
fn apply_period(hour: u32, period: Option<Period>, is_noon: bool) -> Option<u32> {
    match period {
        None => Some(hour),
        Some(_) if is_noon => None,
        Some(Period::Morning) => (hour <= 11).then_some(hour),
        Some(Period::Afternoon) => match hour {
            1..=11 => Some(hour + 12),
            12..=19 => Some(hour),
            _ => None,
        },
        Some(Period::Evening) => match hour {
            1..=11 => Some(hour + 12),
            13..=23 => Some(hour),
            _ => None,
        },
        Some(Period::Night) => match hour {
            0..=5 | 21..=23 => Some(hour),
            9..=11 => Some(hour + 12),
            12 => Some(0),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<String> {
        understand(s).map(|t| t.format("%H:%M").to_string())
    }

    #[test]
    fn spoken_and_typed_times() {
        for (said, expected) in [
            ("quatorze heures trente", "14:30"),
            ("14h30", "14:30"),
            ("14:30", "14:30"),
            ("14 h 30", "14:30"),
            ("9h", "09:00"),
            ("midi", "12:00"),
            ("minuit", "00:00"),
            ("midi et quart", "12:15"),
            ("midi et demi", "12:30"),
            ("midi moins le quart", "11:45"),
            ("minuit moins le quart", "23:45"),
            ("dix heures moins le quart", "09:45"),
            ("dix heures moins dix", "09:50"),
            ("deux heures et demie de l'après-midi", "14:30"),
            ("huit heures du soir", "20:00"),
            ("neuf heures du matin", "09:00"),
            ("neuf heures", "09:00"),
            ("quinze heures quarante cinq", "15:45"),
            ("à dix heures vingt minutes", "10:20"),
            ("une heure du matin", "01:00"),
            ("vers 9h du matin", "09:00"),
            ("quatorze trente", "14:30"),
            ("à 14 30", "14:30"),
        ] {
            assert_eq!(t(said).as_deref(), Some(expected), "{said}");
        }
    }

    #[test]
    fn impossible_times() {
        for said in [
            "vingt cinq heures",
            "quatorze heures soixante",
            "25h00",
            "quinze heures du matin",
            "midi du soir",
            "dans deux heures",
            "dix heures ou onze heures",
            "trente",
            "quatorze",
            "quatorze trente et un deux",
            "",
        ] {
            assert_eq!(t(said), None, "{said}");
        }
    }
}
