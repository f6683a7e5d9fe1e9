//! Bookings: what a kiosk asks of a resource (a hall, a lot of equipment, crèche places),
//! what the back end decided, and the availability snapshot the kiosk syncs. Shared by the
//! kiosk (runtime, lookup) and the back end (ingest, snapshot), so both read the same types.
//!
//! No I/O: the snapshot comes in as a value, with the day it starts on.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a resource is, for the sentences said about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// A room: one booking a day.
    Salle,
    /// A lot of equipment with a quantity (40 chairs, 2 marquees).
    Materiel,
    /// Places (a crèche): a quantity of places each month; a place asked from a day takes
    /// one of that month's (the back end counts it, the snapshot gives it for every day).
    Places,
}

impl ResourceKind {
    pub const KEYWORDS: [(&'static str, ResourceKind); 3] = [
        ("salle", ResourceKind::Salle),
        ("materiel", ResourceKind::Materiel),
        ("places", ResourceKind::Places),
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            ResourceKind::Salle => "salle",
            ResourceKind::Materiel => "materiel",
            ResourceKind::Places => "places",
        }
    }

    pub fn from_keyword(word: &str) -> Option<ResourceKind> {
        Self::KEYWORDS
            .iter()
            .find(|(k, _)| *k == word)
            .map(|(_, kind)| *kind)
    }

    /// « la salle est déjà prise », « il n'en reste pas assez », « il n'y a plus de place ».
    pub fn taken(self) -> &'static str {
        match self {
            ResourceKind::Salle => "la salle est déjà prise",
            ResourceKind::Materiel => "il n'en reste pas assez",
            ResourceKind::Places => "il n'y a plus assez de places",
        }
    }
}

/// What a submission asks of a resource: the day (the answer to the date question bound to
/// it) and the quantity (1 for a room).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRequest {
    /// The resource's id (`salle-62276`), resolved from the flow's `resource:`.
    pub resource: String,
    pub day: NaiveDate,
    #[serde(default = "one")]
    pub quantity: u32,
}

fn one() -> u32 {
    1
}

/// Where a booking is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingState {
    /// Noted, waiting for the town hall.
    Held,
    Confirmed,
    Declined,
}

impl BookingState {
    /// The database and wire spelling.
    pub fn keyword(self) -> &'static str {
        match self {
            BookingState::Held => "held",
            BookingState::Confirmed => "confirmed",
            BookingState::Declined => "declined",
        }
    }

    pub fn from_keyword(word: &str) -> Option<BookingState> {
        [
            BookingState::Held,
            BookingState::Confirmed,
            BookingState::Declined,
        ]
        .into_iter()
        .find(|s| s.keyword() == word)
    }

    /// « en attente », « confirmée », « refusée ».
    pub fn french(self) -> &'static str {
        match self {
            BookingState::Held => "en attente de confirmation",
            BookingState::Confirmed => "confirmée",
            BookingState::Declined => "refusée",
        }
    }
}

/// What the back end decided about a booking, for the status lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingOutcome {
    /// The resource's name (« Salle des fêtes de Duisans »).
    pub resource_name: String,
    pub day: NaiveDate,
    pub quantity: u32,
    pub state: BookingState,
    /// Why it was declined, in French (« la salle est déjà prise »), or the agent's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The nearest free days when it was declined, nearest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<NaiveDate>,
}

/// What is left of a resource on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayLeft {
    /// Not bookable that day (closed weekday, public holiday, blocked, too soon).
    Closed,
    /// This many left (0: taken).
    Left(u32),
}

/// The snapshot's marker of a closed day in [`ResourceDays::runs`].
pub const CLOSED: i64 = -1;

/// The availability of one resource, day by day from [`Availability::first_day`], as runs
/// of equal days: `[count, left]` (`left` is [`CLOSED`] for a day that cannot be booked).
/// Days past the runs are beyond the resource's horizon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceDays {
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
    /// Its total quantity (1 for a room).
    pub capacity: u32,
    /// The most one booking may take.
    pub per_booking: u32,
    pub runs: Vec<(u32, i64)>,
}

impl ResourceDays {
    /// Builds the runs from one entry per day, from the snapshot's first day.
    pub fn from_days(
        id: &str,
        name: &str,
        kind: ResourceKind,
        capacity: u32,
        per_booking: u32,
        days: impl IntoIterator<Item = DayLeft>,
    ) -> ResourceDays {
        let mut runs: Vec<(u32, i64)> = Vec::new();
        for day in days {
            let value = match day {
                DayLeft::Closed => CLOSED,
                DayLeft::Left(n) => i64::from(n),
            };
            match runs.last_mut() {
                Some((count, last)) if *last == value => *count += 1,
                _ => runs.push((1, value)),
            }
        }
        ResourceDays {
            id: id.to_string(),
            name: name.to_string(),
            kind,
            capacity,
            per_booking,
            runs,
        }
    }

    /// What is left on the `offset`-th day of the snapshot; `None` past the horizon.
    pub fn left_at(&self, offset: u64) -> Option<DayLeft> {
        let mut start = 0u64;
        for (count, value) in &self.runs {
            let end = start + u64::from(*count);
            if offset < end {
                return Some(if *value < 0 {
                    DayLeft::Closed
                } else {
                    DayLeft::Left(u32::try_from(*value).unwrap_or(u32::MAX))
                });
            }
            start = end;
        }
        None
    }

    /// The number of days the snapshot covers for it.
    pub fn horizon(&self) -> u64 {
        self.runs.iter().map(|(count, _)| u64::from(*count)).sum()
    }
}

/// The availability of the resources a kiosk's flows use, as the back end built it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// When the back end built it, RFC 3339 UTC (its age is said to agents, not citizens).
    pub generated_at: String,
    /// The day of the first entry of every resource's runs.
    pub first_day: NaiveDate,
    pub resources: Vec<ResourceDays>,
}

/// Whether a day can take `quantity` of a resource, as far as the snapshot knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayFree {
    Free,
    /// Closed that day: the back end will decline it.
    Closed,
    /// Not enough left (`left` of it).
    Taken {
        left: u32,
    },
    /// The snapshot does not cover it (unknown resource, before the snapshot, past its
    /// horizon): the kiosk takes the request and the back end decides.
    Unknown,
}

impl Availability {
    pub fn resource(&self, id: &str) -> Option<&ResourceDays> {
        self.resources.iter().find(|r| r.id == id)
    }

    /// Whether `day` can take `quantity` of resource `id`.
    pub fn day_free(&self, id: &str, day: NaiveDate, quantity: u32) -> DayFree {
        let Some(resource) = self.resource(id) else {
            return DayFree::Unknown;
        };
        let Ok(offset) = u64::try_from((day - self.first_day).num_days()) else {
            return DayFree::Unknown;
        };
        match resource.left_at(offset) {
            None => DayFree::Unknown,
            Some(DayLeft::Closed) => DayFree::Closed,
            Some(DayLeft::Left(left)) if left >= quantity => DayFree::Free,
            Some(DayLeft::Left(left)) => DayFree::Taken { left },
        }
    }

    /// The days of the snapshot that cannot take `quantity` of resource `id` (closed or
    /// taken), for the calendar to grey them.
    pub fn unavailable_days(&self, id: &str, quantity: u32) -> Vec<NaiveDate> {
        let Some(resource) = self.resource(id) else {
            return Vec::new();
        };
        (0..resource.horizon())
            .filter(|offset| match resource.left_at(*offset) {
                Some(DayLeft::Left(left)) => left < quantity,
                _ => true,
            })
            .filter_map(|offset| self.first_day.checked_add_days(Days::new(offset)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn runs_are_compact_and_read_back_day_by_day() {
        let days = [
            DayLeft::Left(1),
            DayLeft::Left(1),
            DayLeft::Closed,
            DayLeft::Left(0),
            DayLeft::Left(1),
        ];
        let hall = ResourceDays::from_days("salle-1", "Salle", ResourceKind::Salle, 1, 1, days);
        assert_eq!(hall.runs, [(2, 1), (1, CLOSED), (1, 0), (1, 1)]);
        assert_eq!(hall.horizon(), 5);
        for (offset, expected) in days.iter().enumerate() {
            assert_eq!(hall.left_at(offset as u64), Some(*expected));
        }
        assert_eq!(hall.left_at(5), None);

        let snapshot = Availability {
            generated_at: "2026-03-01T08:00:00Z".into(),
            first_day: day("2026-03-01"),
            resources: vec![hall],
        };
        assert_eq!(
            snapshot.day_free("salle-1", day("2026-03-01"), 1),
            DayFree::Free
        );
        assert_eq!(
            snapshot.day_free("salle-1", day("2026-03-03"), 1),
            DayFree::Closed
        );
        assert_eq!(
            snapshot.day_free("salle-1", day("2026-03-04"), 1),
            DayFree::Taken { left: 0 }
        );
        assert_eq!(
            snapshot.day_free("salle-1", day("2026-02-28"), 1),
            DayFree::Unknown
        );
        assert_eq!(
            snapshot.day_free("salle-1", day("2026-03-06"), 1),
            DayFree::Unknown
        );
        assert_eq!(
            snapshot.day_free("salle-2", day("2026-03-01"), 1),
            DayFree::Unknown
        );
        assert_eq!(
            snapshot.unavailable_days("salle-1", 1),
            [day("2026-03-03"), day("2026-03-04")]
        );
    }

    #[test]
    fn states_round_trip() {
        for state in [
            BookingState::Held,
            BookingState::Confirmed,
            BookingState::Declined,
        ] {
            assert_eq!(BookingState::from_keyword(state.keyword()), Some(state));
            assert_eq!(
                serde_json::to_value(state).unwrap(),
                serde_json::Value::from(state.keyword())
            );
        }
    }
}
