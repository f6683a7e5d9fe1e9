//! The last availability snapshot of the bookable resources (`kiosk_flow::booking`): kept
//! whole as the back end sent it, replaced at each sync pass that gets one, read when a
//! visit starts. It holds no personal data.

use crate::error::Result;
use crate::{fmt_time, Store};
use chrono::Utc;
use kiosk_flow::booking::Availability;
use rusqlite::{params, OptionalExtension};

impl Store {
    /// Replaces the snapshot.
    #[tracing::instrument(name = "store.save_availability", skip_all)]
    pub fn save_availability(&self, snapshot: &Availability) -> Result<()> {
        let json = serde_json::to_string(snapshot)?;
        self.conn().execute(
            "INSERT INTO availability (id, snapshot, fetched_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET snapshot = excluded.snapshot,
                                            fetched_at = excluded.fetched_at",
            params![json, fmt_time(Utc::now())],
        )?;
        Ok(())
    }

    /// The last snapshot and when it was fetched (RFC 3339 UTC); `None` before the first,
    /// or when the stored one cannot be read (a newer format: the next sync replaces it).
    pub fn availability(&self) -> Result<Option<(Availability, String)>> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT snapshot, fetched_at FROM availability WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(json, fetched_at)| {
            serde_json::from_str(&json)
                .ok()
                .map(|snapshot| (snapshot, fetched_at))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_is_replaced_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path().join("kiosk.db")).unwrap();
        assert!(store.availability().unwrap().is_none());
        let mut snapshot = Availability {
            generated_at: "2026-03-01T08:00:00Z".into(),
            first_day: "2026-03-01".parse().unwrap(),
            resources: Vec::new(),
        };
        store.save_availability(&snapshot).unwrap();
        snapshot.generated_at = "2026-03-01T09:00:00Z".into();
        store.save_availability(&snapshot).unwrap();
        let (read, _) = store.availability().unwrap().unwrap();
        assert_eq!(read, snapshot);
    }
}
