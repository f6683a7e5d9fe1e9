//! Submissions: idempotent ingest (which also queues the service's notifications), status
//! lookup by receipt, status changes (with their history), and the full listing for
//! `backend submissions`.

use super::{bookings, kiosks, outbox, Ingested};
use crate::opened;
use anyhow::Context;
use kiosk_sync::wire::{RequestStatus, StatusResponse};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Who records the first status of every submission in `status_history`.
pub const BY_KIOSK: &str = "borne";
/// Who records a change made by an agent on the pages (with the agent's `user_id`).
pub const BY_AGENT: &str = "agent";

/// A submission ready to store: checked, opened, its receipt normalized.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub id: String,
    pub kiosk_id: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    pub receipt: String,
    pub created_at: String,
    pub content_digest: String,
    /// The opened submission, read by [`crate::opened::parse`].
    pub opened: opened::Submission,
    /// The JSON text it was read from, stored as it came.
    pub answers_json: String,
}

/// A stored submission, opened.
#[derive(Debug, Clone)]
pub struct Submission {
    pub id: String,
    pub kiosk_id: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    pub receipt: String,
    pub created_at: String,
    pub received_at: String,
    pub status: RequestStatus,
    pub status_updated_at: String,
    pub status_note: Option<String>,
    /// The flow's `urgent` condition held when the citizen sent it.
    pub urgent: bool,
    /// The opened submission's JSON text: read it with [`Submission::opened`].
    pub answers_json: String,
}

impl Submission {
    /// The opened submission, read back through [`crate::opened::stored`].
    pub fn opened(&self) -> anyhow::Result<opened::Submission> {
        opened::stored(&self.id, &self.answers_json)
    }
}

/// The database spelling of a status.
pub fn status_to_db(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Recu => "recu",
        RequestStatus::EnCours => "en_cours",
        RequestStatus::Traite => "traite",
        RequestStatus::Rejete => "rejete",
    }
}

/// The status spelled `text` in the database or on the command line.
pub fn status_from_db(text: &str) -> Option<RequestStatus> {
    match text {
        "recu" => Some(RequestStatus::Recu),
        "en_cours" => Some(RequestStatus::EnCours),
        "traite" => Some(RequestStatus::Traite),
        "rejete" => Some(RequestStatus::Rejete),
        _ => None,
    }
}

fn status_column(text: String) -> rusqlite::Result<RequestStatus> {
    status_from_db(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("statut inconnu : {text}").into(),
        )
    })
}

/// Stores `new` unless it is already there, all in one transaction: a retry with the same
/// content gets the first reception time (also for a request erased since: it is not stored
/// again), other content under the same id is a conflict, a receipt code must carry one of
/// the kiosk's receipt prefixes (`kiosks::owns_receipt_prefix`), and belongs to one
/// submission only. Durable when this returns `New`, and
/// so are the service's notifications, queued in the same transaction.
pub fn ingest(conn: &mut Connection, new: &NewSubmission, now: &str) -> anyhow::Result<Ingested> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let existing: Option<(String, String)> = tx
        .prepare_cached("SELECT content_digest, received_at FROM submissions WHERE id = ?1")?
        .query_row([&new.id], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let existing = match existing {
        Some(found) => Some(found),
        None => tx
            .prepare_cached(
                "SELECT content_digest, received_at FROM erased_submissions \
                 WHERE submission_id = ?1",
            )?
            .query_row([&new.id], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?,
    };
    if let Some((digest, received_at)) = existing {
        return Ok(if digest == new.content_digest {
            Ingested::Again { received_at }
        } else {
            Ingested::Conflict
        });
    }
    let prefix = new.receipt.get(..2).unwrap_or_default();
    if !kiosks::owns_receipt_prefix(&tx, &new.kiosk_id, prefix)? {
        return Ok(Ingested::ForeignReceipt);
    }
    let receipt_taken: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM submissions WHERE receipt = ?1)")?
        .query_row([&new.receipt], |row| row.get(0))?;
    if receipt_taken {
        return Ok(Ingested::ReceiptTaken);
    }
    tx.prepare_cached(
        "INSERT INTO submissions (id, kiosk_id, flow_id, flow_version, service, receipt, \
         created_at, received_at, content_digest, answers_json, status, status_updated_at, \
         commune, urgent) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'recu', ?8, ?11, ?12)",
    )?
    .execute(params![
        new.id,
        new.kiosk_id,
        new.flow_id,
        new.flow_version,
        new.service,
        new.receipt,
        new.created_at,
        now,
        new.content_digest,
        new.answers_json,
        opened::commune(&new.opened),
        new.opened.urgent,
    ])?;
    tx.prepare_cached(
        "INSERT INTO status_history (submission_id, at, status, note, \"by\") \
         VALUES (?1, ?2, 'recu', NULL, ?3)",
    )?
    .execute(params![new.id, now, BY_KIOSK])?;
    outbox::enqueue(&tx, &new.id, &new.service, now)?;
    if let Some(request) = &new.opened.booking {
        bookings::file(&tx, &new.id, request, asked_on(&new.created_at, now), now)?;
    }
    tx.commit()?;
    Ok(Ingested::New {
        received_at: now.to_string(),
    })
}

/// The day the citizen asked: the kiosk's `created_at`, but never after the back end's
/// `now` (a kiosk clock ahead cannot shorten the notice).
fn asked_on(created_at: &str, now: &str) -> chrono::NaiveDate {
    let day = |t: &str| {
        t.get(..10)
            .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
    };
    match (day(created_at), day(now)) {
        (Some(asked), Some(today)) => asked.min(today),
        (None, Some(today)) => today,
        (Some(asked), None) => asked,
        (None, None) => chrono::Utc::now().date_naive(),
    }
}

/// What a kiosk may tell the citizen about the submission with this (normalized) receipt.
pub fn status_by_receipt(
    conn: &Connection,
    receipt: &str,
) -> anyhow::Result<Option<StatusResponse>> {
    let found = conn
        .prepare_cached(
            "SELECT receipt, status, status_updated_at, status_note FROM submissions \
             WHERE receipt = ?1",
        )?
        .query_row([receipt], |row| {
            Ok(StatusResponse {
                receipt: row.get(0)?,
                status: status_column(row.get(1)?)?,
                updated_at: row.get(2)?,
                note: row.get(3)?,
                booking: None,
            })
        })
        .optional()?;
    let Some(mut found) = found else {
        return Ok(None);
    };
    found.booking = bookings::outcome_by_receipt(conn, receipt)?;
    Ok(Some(found))
}

/// Sets the status of the submission with this (normalized) receipt and records it in the
/// history. `false` if no submission has this receipt.
pub fn set_status(
    conn: &mut Connection,
    receipt: &str,
    status: RequestStatus,
    note: Option<&str>,
    by: &str,
    now: &str,
) -> anyhow::Result<bool> {
    let id: Option<String> = conn
        .query_row(
            "SELECT id FROM submissions WHERE receipt = ?1",
            [receipt],
            |row| row.get(0),
        )
        .optional()?;
    let Some(id) = id else {
        return Ok(false);
    };
    let change = StatusChange {
        status,
        note,
        by,
        user_id: None,
    };
    set_status_by_id(conn, &id, &change, now)
}

/// A status change, as recorded in the history.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange<'a> {
    pub status: RequestStatus,
    /// For the citizen (the kiosk reads it to whoever gives the receipt code).
    pub note: Option<&'a str>,
    /// [`BY_KIOSK`], [`BY_AGENT`] or `cli`.
    pub by: &'a str,
    /// The agent, for [`BY_AGENT`].
    pub user_id: Option<i64>,
}

/// Sets the status of submission `id` and records it in the history, in one transaction.
/// `false` if there is no such submission.
pub fn set_status_by_id(
    conn: &mut Connection,
    id: &str,
    change: &StatusChange<'_>,
    now: &str,
) -> anyhow::Result<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if !record_status(&tx, id, change, now)? {
        return Ok(false);
    }
    tx.commit()?;
    Ok(true)
}

/// Sets the status of submission `id` and records it in the history, inside the caller's
/// transaction. `false` if there is no such submission.
pub fn record_status(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    change: &StatusChange<'_>,
    now: &str,
) -> anyhow::Result<bool> {
    let status = status_to_db(change.status);
    let updated = tx.execute(
        "UPDATE submissions SET status = ?2, status_updated_at = ?3, status_note = ?4 \
         WHERE id = ?1",
        params![id, status, now, change.note],
    )?;
    if updated == 0 {
        return Ok(false);
    }
    tx.execute(
        "INSERT INTO status_history (submission_id, at, status, note, \"by\", user_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, now, status, change.note, change.by, change.user_id],
    )?;
    Ok(true)
}

/// Calls `each` on every submission, oldest reception first, without holding them all.
pub fn for_each(
    conn: &Connection,
    mut each: impl FnMut(Submission) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, kiosk_id, flow_id, flow_version, service, receipt, created_at, \
         received_at, status, status_updated_at, status_note, answers_json, urgent \
         FROM submissions ORDER BY received_at, id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let submission = Submission {
            id: row.get(0)?,
            kiosk_id: row.get(1)?,
            flow_id: row.get(2)?,
            flow_version: row.get(3)?,
            service: row.get(4)?,
            receipt: row.get(5)?,
            created_at: row.get(6)?,
            received_at: row.get(7)?,
            status: status_column(row.get(8)?)?,
            status_updated_at: row.get(9)?,
            status_note: row.get(10)?,
            answers_json: row.get(11)?,
            urgent: row.get(12)?,
        };
        each(submission).context("impossible d'écrire une soumission")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{kiosks, Db};

    fn sample(kiosk_id: &str, id: &str, receipt: &str, digest: &str) -> NewSubmission {
        let answers_json = r#"{"flow_id": "signalement", "flow_version": 1, "service": "voirie",
            "answers": [{"step_id": "lieu", "label": "Commune", "value": "62276",
                         "display": "Duisans", "dataset": "communes"}]}"#;
        NewSubmission {
            id: id.into(),
            kiosk_id: kiosk_id.into(),
            flow_id: "signalement".into(),
            flow_version: 1,
            service: "voirie".into(),
            receipt: receipt.into(),
            created_at: "2026-11-28T10:00:00Z".into(),
            content_digest: digest.into(),
            opened: opened::parse(answers_json.as_bytes()).unwrap(),
            answers_json: answers_json.into(),
        }
    }

    #[test]
    fn ingest_is_idempotent_and_receipts_unique() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let kiosk = kiosk_with_prefix_ab(&db);
        let first = sample(&kiosk.id, "s1", "AB3-7KQ", "d1");
        assert_eq!(
            db.with(|c| ingest(c, &first, "t1")).unwrap(),
            Ingested::New {
                received_at: "t1".into()
            }
        );
        assert_eq!(
            db.with(|c| ingest(c, &first, "t2")).unwrap(),
            Ingested::Again {
                received_at: "t1".into()
            }
        );
        let changed = sample(&kiosk.id, "s1", "AB3-7KQ", "d2");
        assert_eq!(
            db.with(|c| ingest(c, &changed, "t3")).unwrap(),
            Ingested::Conflict
        );
        let other = sample(&kiosk.id, "s2", "AB3-7KQ", "d3");
        assert_eq!(
            db.with(|c| ingest(c, &other, "t4")).unwrap(),
            Ingested::ReceiptTaken
        );

        let status = db
            .with(|c| status_by_receipt(c, "AB3-7KQ"))
            .unwrap()
            .unwrap();
        assert_eq!(status.status, RequestStatus::Recu);
        assert!(db
            .with(|c| set_status(
                c,
                "AB3-7KQ",
                RequestStatus::Traite,
                Some("fait"),
                "cli",
                "t5"
            ))
            .unwrap());
        let status = db
            .with(|c| status_by_receipt(c, "AB3-7KQ"))
            .unwrap()
            .unwrap();
        assert_eq!(status.status, RequestStatus::Traite);
        assert_eq!(status.note.as_deref(), Some("fait"));
        let history: i64 = db.with(|c| {
            c.query_row("SELECT count(*) FROM status_history", [], |r| r.get(0))
                .unwrap()
        });
        assert_eq!(history, 2);
        assert!(!db
            .with(|c| set_status(c, "ZZZ-ZZZ", RequestStatus::Traite, None, "cli", "t"))
            .unwrap());
    }

    /// A database with one kiosk, and its id.
    fn db_with_kiosk() -> (tempfile::TempDir, Db, String) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let kiosk = kiosk_with_prefix_ab(&db);
        (dir, db, kiosk.id)
    }

    /// A kiosk whose receipt prefix is `AB`.
    fn kiosk_with_prefix_ab(db: &Db) -> kiosks::Kiosk {
        let kiosk = db
            .with(|c| kiosks::add(c, "A", "Duisans", "t"))
            .unwrap()
            .kiosk;
        db.with(|c| {
            c.execute_batch(
                "UPDATE kiosks SET receipt_prefix = 'AB'; \
                 UPDATE kiosk_receipt_prefixes SET prefix = 'AB';",
            )
        })
        .unwrap();
        kiosk
    }

    #[test]
    fn a_receipt_without_the_kiosks_prefix_is_refused_and_nothing_stored() {
        let (_dir, db, kiosk_id) = db_with_kiosk();
        let other = db
            .with(|c| kiosks::add(c, "B", "Tincques", "t"))
            .unwrap()
            .kiosk;
        // B's receipt, uploaded by A: refused, and B can still send its own.
        let stolen = format!("{}3-7KQ", other.receipt_prefix);
        let forged = sample(&kiosk_id, "s1", &stolen, "d1");
        assert_eq!(
            db.with(|c| ingest(c, &forged, "t1")).unwrap(),
            Ingested::ForeignReceipt
        );
        let rows: i64 = db.with(|c| {
            c.query_row(
                "SELECT (SELECT count(*) FROM submissions) + (SELECT count(*) FROM status_history) \
                 + (SELECT count(*) FROM notification_outbox)",
                [],
                |r| r.get(0),
            )
            .unwrap()
        });
        assert_eq!(rows, 0);
        let own = sample(&other.id, "s2", &stolen, "d2");
        assert!(matches!(
            db.with(|c| ingest(c, &own, "t2")).unwrap(),
            Ingested::New { .. }
        ));
    }

    /// `new` with its JSON changed by `edit`, opened again.
    fn edited(mut new: NewSubmission, edit: impl Fn(&str) -> String) -> NewSubmission {
        new.answers_json = edit(&new.answers_json);
        new.opened = opened::parse(new.answers_json.as_bytes()).unwrap();
        new
    }

    #[test]
    fn the_commune_filed_is_the_communes_dataset_answer() {
        let (_dir, db, kiosk_id) = db_with_kiosk();
        // A kiosk that does not say where its options came from files no commune.
        let without = edited(sample(&kiosk_id, "s2", "AB3-7KR", "d2"), |json| {
            json.replace(r#", "dataset": "communes""#, "")
        });
        assert_eq!(without.opened.answers[0].dataset, None);
        for new in [sample(&kiosk_id, "s1", "AB3-7KQ", "d1"), without] {
            db.with(|c| ingest(c, &new, "t1")).unwrap();
        }
        let communes: Vec<Option<String>> = db.with(|c| {
            c.prepare("SELECT commune FROM submissions ORDER BY id")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        });
        assert_eq!(communes, [Some("Duisans".to_string()), None]);
        let mut read = Vec::new();
        db.with(|c| {
            for_each(c, |s| {
                read.push(s.opened()?);
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(read[0], sample(&kiosk_id, "s1", "AB3-7KQ", "d1").opened);
    }

    #[test]
    fn urgency_is_filed_from_the_opened_submission() {
        let (_dir, db, kiosk_id) = db_with_kiosk();
        let urgent = edited(sample(&kiosk_id, "s1", "AB3-7KQ", "d1"), |json| {
            json.replacen('{', r#"{"urgent": true, "#, 1)
        });
        assert!(urgent.opened.urgent);
        for new in [urgent, sample(&kiosk_id, "s2", "AB3-7KR", "d2")] {
            db.with(|c| ingest(c, &new, "t1")).unwrap();
        }
        let mut read = Vec::new();
        db.with(|c| {
            for_each(c, |s| {
                read.push((s.id, s.urgent));
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(read, [("s1".to_string(), true), ("s2".to_string(), false)]);
    }

    #[test]
    fn statuses_round_trip() {
        for status in [
            RequestStatus::Recu,
            RequestStatus::EnCours,
            RequestStatus::Traite,
            RequestStatus::Rejete,
        ] {
            assert_eq!(status_from_db(status_to_db(status)), Some(status));
            // The database spelling is the wire spelling.
            assert_eq!(
                serde_json::to_value(status).unwrap(),
                serde_json::Value::from(status_to_db(status))
            );
        }
    }
}
