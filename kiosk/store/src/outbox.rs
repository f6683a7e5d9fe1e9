//! What waits for the back end: sealed submissions (table `outbox`) and help calls
//! (table `help_calls`).
//!
//! A submission is turned into JSON and sealed to the back end's public key in memory;
//! only then is one transaction opened, which writes the sealed box and a
//! `submission_queued` event and commits (`synchronous=FULL`) before the caller hears
//! "stored". The plaintext never touches the disk. Each item stays `pending` until the
//! back end acknowledges it; then it becomes `delivered` and a submission's sealed box is
//! dropped, leaving the receipt code and status. A submission the back end refuses for good
//! (409, 422...) becomes `refused` with the reason: tried again once a day or when the
//! supervisor asks ([`Store::retry_refused`]), never deleted by the kiosk.
//!
//! Receipt codes are bearer codes (they open the request's status): they never reach the
//! event log or an info-level span, only [`receipt_tag`], a short hash.

use crate::error::{Result, StoreError};
use crate::identity::read_identity;
use crate::receipt::{check_code, new_code};
use crate::{clamp_limit, fmt_time, insert_event, Store};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use kiosk_flow::runtime::Submission;
use kiosk_sync::seal::seal;
use kiosk_sync::wire::{normalize_receipt, HelpCall, SubmissionUpload};
use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use std::fmt;
use tracing::field::Empty;

/// How many receipt codes are tried before giving up (a kiosk has about a million codes;
/// a collision is rare until it has used a good part of them).
pub const MAX_RECEIPT_TRIES: usize = 64;

/// The longest `last_error` kept, in characters.
const LAST_ERROR_MAX: usize = 200;

/// A submission safely on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    /// The UUID that identifies it to the back end (the idempotency key).
    pub id: String,
    /// The code the citizen keeps (`AB3-7KQ`).
    pub receipt: String,
}

/// Where an item is on its way to the back end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// On disk, not yet acknowledged by the back end.
    Pending,
    /// Acknowledged: the back end has it.
    Delivered,
    /// Refused for good by the back end (its reason kept): waits for a person, or the daily
    /// retry.
    Refused,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Refused => "refused",
        }
    }

    /// What the kiosk shows or says about it.
    pub fn french(self) -> &'static str {
        match self {
            DeliveryState::Pending => "en attente d'envoi",
            DeliveryState::Delivered => "envoyée",
            DeliveryState::Refused => "refusée par le serveur",
        }
    }

    fn parse(text: &str) -> rusqlite::Result<Self> {
        match text {
            "pending" => Ok(DeliveryState::Pending),
            "delivered" => Ok(DeliveryState::Delivered),
            "refused" => Ok(DeliveryState::Refused),
            other => Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("unknown state {other:?}").into(),
            )),
        }
    }
}

/// A pending submission, ready to send: the same bytes on every try.
#[derive(Clone, PartialEq, Eq)]
pub struct OutboxItem {
    pub id: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    pub receipt: String,
    /// RFC 3339 UTC, when the citizen confirmed.
    pub created_at: String,
    /// The sealed box of the submission's JSON.
    pub sealed: Vec<u8>,
    /// Failed tries so far.
    pub attempts: u32,
    /// The back end key (base64) it was sealed to: only an identity with this key may send it.
    pub sealed_to: String,
}

impl OutboxItem {
    /// The request body of `PUT /api/v1/submissions/{id}`.
    pub fn to_upload(&self) -> SubmissionUpload {
        SubmissionUpload {
            id: self.id.clone(),
            flow_id: self.flow_id.clone(),
            flow_version: self.flow_version,
            service: self.service.clone(),
            receipt: self.receipt.clone(),
            created_at: self.created_at.clone(),
            sealed: STANDARD.encode(&self.sealed),
        }
    }
}

impl From<&OutboxItem> for SubmissionUpload {
    fn from(item: &OutboxItem) -> Self {
        item.to_upload()
    }
}

impl fmt::Debug for OutboxItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboxItem")
            .field("id", &self.id)
            .field("flow_id", &self.flow_id)
            .field("flow_version", &self.flow_version)
            .field("service", &self.service)
            .field("receipt", &self.receipt)
            .field("created_at", &self.created_at)
            .field(
                "sealed",
                &format_args!("<{} octets scellés>", self.sealed.len()),
            )
            .field("attempts", &self.attempts)
            .field("sealed_to", &self.sealed_to)
            .finish()
    }
}

/// A submission as the supervisor sees it: where it is, never what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: String,
    pub flow_id: String,
    pub flow_version: u32,
    pub service: String,
    pub receipt: String,
    pub created_at: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub last_error: Option<String>,
    /// When the back end first stored it (its own clock), once delivered.
    pub delivered_at: Option<String>,
    /// Why the back end refused it, while it is [`DeliveryState::Refused`].
    pub refused_reason: Option<String>,
}

/// A short, stable tag of a receipt code for logs (the first 8 hex digits of its SHA-256):
/// enough to match a log line with a code a citizen shows, useless to look the request up.
pub fn receipt_tag(receipt: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(receipt.as_bytes());
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

/// The oldest time a submission may be scheduled at, relative to `now`, before it counts as
/// a wrong clock's doing and is tried at once: further than the longest wait its state
/// allows (the backoff cap, or a day once refused) can only come from a clock that jumped.
fn plausible_until(now: DateTime<Utc>, longest_wait: std::time::Duration) -> String {
    let margin = chrono::Duration::from_std(longest_wait + std::time::Duration::from_secs(60))
        .unwrap_or_else(|_| chrono::Duration::days(1));
    fmt_time(now.checked_add_signed(margin).unwrap_or(now))
}

/// A pending help call, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpCallItem {
    pub id: String,
    pub flow_id: String,
    pub step_id: String,
    pub created_at: String,
    pub attempts: u32,
}

impl HelpCallItem {
    /// The request body of `PUT /api/v1/help-calls/{id}`.
    pub fn to_wire(&self) -> HelpCall {
        HelpCall {
            id: self.id.clone(),
            flow_id: self.flow_id.clone(),
            step_id: self.step_id.clone(),
            created_at: self.created_at.clone(),
        }
    }
}

/// The two queues share their delivery bookkeeping.
#[derive(Clone, Copy)]
enum Queue {
    Submissions,
    HelpCalls,
}

impl Queue {
    fn table(self) -> &'static str {
        match self {
            Queue::Submissions => "outbox",
            Queue::HelpCalls => "help_calls",
        }
    }

    fn event(self) -> &'static str {
        match self {
            Queue::Submissions => "submission_delivered",
            Queue::HelpCalls => "help_call_delivered",
        }
    }
}

impl Store {
    /// Seals `submission` to the back end's key and writes it durably, with a fresh receipt
    /// code. Returns only once the transaction is committed: then, and only then, may the
    /// kiosk tell the citizen that the request is stored.
    ///
    /// Fails with [`StoreError::NotEnrolled`] before enrolment.
    #[tracing::instrument(
        name = "store.queue_submission",
        skip_all,
        fields(flow_id = %submission.flow_id, flow_version = submission.flow_version, id = Empty, receipt_tag = Empty)
    )]
    pub fn queue_submission(&self, submission: &Submission) -> Result<Queued> {
        let mut rng = rand::rng();
        self.queue_inner(submission, &mut |prefix| new_code(prefix, &mut rng))
    }

    /// Like [`Store::queue_submission`], with receipt codes taken from `next_code` (each
    /// must be canonical, `AB3-7KQ`, and start with the kiosk's prefix). For tests that need
    /// collisions, and tools that need determinism.
    #[tracing::instrument(
        name = "store.queue_submission",
        skip_all,
        fields(flow_id = %submission.flow_id, flow_version = submission.flow_version, id = Empty, receipt_tag = Empty)
    )]
    pub fn queue_submission_with_codes(
        &self,
        submission: &Submission,
        mut next_code: impl FnMut() -> String,
    ) -> Result<Queued> {
        self.queue_inner(submission, &mut |prefix| {
            let code = next_code();
            check_code(&code, prefix)?;
            Ok(code)
        })
    }

    fn queue_inner(
        &self,
        submission: &Submission,
        next_code: &mut dyn FnMut(&str) -> Result<String>,
    ) -> Result<Queued> {
        let mut conn = self.conn();
        let identity = read_identity(&conn)?.ok_or(StoreError::NotEnrolled)?;

        // Seal in memory, before anything is written.
        let mut plain = serde_json::to_vec(submission)?;
        let sealed = seal(&identity.public_key, &plain);
        // Best effort: the JSON copy does not linger in freed memory (the caller still
        // holds the submission itself until the session ends).
        plain.fill(0);
        drop(plain);
        let sealed = sealed?;

        let id = uuid::Uuid::new_v4().to_string();
        let now = fmt_time(Utc::now());
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut receipt = None;
        for _ in 0..MAX_RECEIPT_TRIES {
            let code = next_code(&identity.receipt_prefix)?;
            let inserted = tx.execute(
                "INSERT INTO outbox (id, kind, flow_id, flow_version, service, receipt, created_at,
                                     sealed, state, attempts, next_attempt_at, sealed_to)
                 VALUES (?1, 'submission', ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?6, ?8)
                 ON CONFLICT (receipt) DO NOTHING",
                params![
                    id,
                    submission.flow_id,
                    submission.flow_version,
                    submission.service,
                    code,
                    now,
                    sealed,
                    identity.public_key.trim(),
                ],
            )?;
            if inserted == 1 {
                receipt = Some(code);
                break;
            }
            tracing::debug!("receipt code collision, trying another");
        }
        let receipt = receipt.ok_or(StoreError::ReceiptsExhausted(MAX_RECEIPT_TRIES))?;
        insert_event(
            &tx,
            "submission_queued",
            &format!(
                "id={id} receipt_tag={} flow={}@{}",
                receipt_tag(&receipt),
                submission.flow_id,
                submission.flow_version
            ),
        )?;
        tx.commit()?;
        let span = tracing::Span::current();
        span.record("id", id.as_str());
        span.record("receipt_tag", receipt_tag(&receipt).as_str());
        tracing::info!(sealed_bytes = sealed.len(), "submission queued");
        Ok(Queued { id, receipt })
    }

    /// Submissions whose next try is due at `now` (pending ones, and refused ones at their
    /// daily retry), oldest first, at most `limit`. A next try further ahead than its state's
    /// longest wait was set by a clock that was wrong: it is due now.
    #[tracing::instrument(name = "store.due", skip_all, fields(limit, count = Empty))]
    pub fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<OutboxItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, flow_id, flow_version, service, receipt, created_at, sealed, attempts,
                    sealed_to
             FROM outbox
             WHERE (state = 'pending' AND (next_attempt_at <= ?1 OR next_attempt_at > ?3))
                OR (state = 'refused' AND (next_attempt_at <= ?1 OR next_attempt_at > ?4))
             ORDER BY created_at, rowid
             LIMIT ?2",
        )?;
        let params = params![
            fmt_time(now),
            clamp_limit(limit),
            plausible_until(now, crate::backoff::CAP),
            plausible_until(now, crate::backoff::REFUSED_RETRY),
        ];
        let rows = stmt.query_map(params, |r| {
            Ok((
                OutboxItem {
                    id: r.get(0)?,
                    flow_id: r.get(1)?,
                    flow_version: r.get(2)?,
                    service: r.get(3)?,
                    receipt: r.get(4)?,
                    created_at: r.get(5)?,
                    sealed: Vec::new(),
                    attempts: r.get(7)?,
                    sealed_to: r.get(8)?,
                },
                r.get::<_, Option<Vec<u8>>>(6)?,
            ))
        })?;
        let mut items = Vec::new();
        for row in rows {
            let (mut item, sealed) = row?;
            item.sealed = sealed.ok_or_else(|| {
                StoreError::Corrupt(format!("demande {} en attente sans contenu", item.id))
            })?;
            items.push(item);
        }
        tracing::Span::current().record("count", items.len());
        Ok(items)
    }

    /// The back end acknowledged the submission `id` (first stored at `received_at`, its
    /// clock): it becomes `delivered` and its sealed box is dropped. Calling it again is
    /// harmless. Fails with [`StoreError::UnknownId`] for an id never queued.
    #[tracing::instrument(name = "store.mark_delivered", skip_all, fields(id))]
    pub fn mark_delivered(&self, id: &str, received_at: &str) -> Result<()> {
        self.mark_delivered_in(Queue::Submissions, id, received_at)
    }

    /// A try to deliver submission `id` failed: counts it, keeps `error` (a short reason
    /// without personal data: an HTTP status, "réseau injoignable"...), and sets the next
    /// try. No effect on a delivered item.
    #[tracing::instrument(name = "store.mark_failed", skip_all, fields(id))]
    pub fn mark_failed(&self, id: &str, error: &str, next_attempt_at: DateTime<Utc>) -> Result<()> {
        self.mark_failed_in(Queue::Submissions, id, error, next_attempt_at)
    }

    /// The back end refused submission `id` for good (`reason`: its status and error code, no
    /// personal data): it becomes `refused`, kept with its sealed box, and is tried again at
    /// `next_attempt_at` (a day later) or when the supervisor asks. No effect on a delivered
    /// item.
    #[tracing::instrument(name = "store.mark_refused", skip_all, fields(id))]
    pub fn mark_refused(
        &self,
        id: &str,
        reason: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        let reason: String = reason.chars().take(LAST_ERROR_MAX).collect();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE outbox SET state = 'refused', attempts = attempts + 1, last_error = ?2,
                    refused_reason = ?2, next_attempt_at = ?3
             WHERE id = ?1 AND state IN ('pending', 'refused')",
            params![id, reason, fmt_time(next_attempt_at)],
        )?;
        if changed == 0 {
            ensure_exists(&tx, "outbox", id)?;
        } else {
            insert_event(&tx, "submission_refused", &format!("id={id} {reason}"))?;
            tracing::warn!(reason = %reason, "submission refused by the back end");
        }
        tx.commit()?;
        Ok(())
    }

    /// The supervisor's « Réessayer »: every refused submission is pending again, due now.
    /// Returns how many.
    #[tracing::instrument(name = "store.retry_refused", skip_all, fields(count = Empty))]
    pub fn retry_refused(&self) -> Result<usize> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let count = tx.execute(
            "UPDATE outbox SET state = 'pending', refused_reason = NULL, next_attempt_at = ?1
             WHERE state = 'refused'",
            [fmt_time(Utc::now())],
        )?;
        if count > 0 {
            insert_event(&tx, "refused_retry", &format!("{count} demande(s)"))?;
        }
        tx.commit()?;
        tracing::Span::current().record("count", count);
        Ok(count)
    }

    /// Submissions the back end refused for good, waiting for a person.
    #[tracing::instrument(name = "store.refused_count", skip_all)]
    pub fn refused_count(&self) -> Result<u64> {
        let conn = self.conn();
        let count: i64 = conn.query_row(
            "SELECT count(*) FROM outbox WHERE state = 'refused'",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Submissions and help calls not yet acknowledged and not refused (the heartbeat's
    /// `queue_length`).
    #[tracing::instrument(name = "store.pending_count", skip_all)]
    pub fn pending_count(&self) -> Result<u64> {
        let conn = self.conn();
        let count: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM outbox WHERE state = 'pending')
                  + (SELECT count(*) FROM help_calls WHERE state = 'pending')",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The last `limit` submissions, newest first, without their content.
    #[tracing::instrument(name = "store.outbox_listing", skip_all, fields(limit))]
    pub fn outbox_listing(&self, limit: usize) -> Result<Vec<OutboxEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, flow_id, flow_version, service, receipt, created_at, state, attempts,
                    last_error, delivered_at, refused_reason
             FROM outbox ORDER BY created_at DESC, rowid DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([clamp_limit(limit)], entry_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The submission with this receipt code (case and dash forgiven), if this kiosk made it.
    #[tracing::instrument(name = "store.lookup_receipt", skip_all)]
    pub fn lookup_receipt(&self, receipt: &str) -> Result<Option<OutboxEntry>> {
        let Some(code) = normalize_receipt(receipt) else {
            return Ok(None);
        };
        let conn = self.conn();
        Ok(conn
            .query_row(
                "SELECT id, flow_id, flow_version, service, receipt, created_at, state, attempts,
                        last_error, delivered_at, refused_reason
                 FROM outbox WHERE receipt = ?1",
                [code],
                entry_from_row,
            )
            .optional()?)
    }

    /// Writes a call for help (where the citizen is, never who) and returns its id.
    #[tracing::instrument(name = "store.queue_help_call", skip_all, fields(flow_id, step_id, id = Empty))]
    pub fn queue_help_call(&self, flow_id: &str, step_id: &str) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let now = fmt_time(Utc::now());
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO help_calls (id, flow_id, step_id, created_at, state, attempts, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?4)",
            params![id, flow_id, step_id, now],
        )?;
        insert_event(
            &tx,
            "help_call_queued",
            &format!("id={id} flow={flow_id} step={step_id}"),
        )?;
        tx.commit()?;
        tracing::Span::current().record("id", id.as_str());
        Ok(id)
    }

    /// Pending help calls whose next try is due at `now`, oldest first, at most `limit`.
    #[tracing::instrument(name = "store.due_help_calls", skip_all, fields(limit, count = Empty))]
    pub fn due_help_calls(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<HelpCallItem>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, flow_id, step_id, created_at, attempts FROM help_calls
             WHERE state = 'pending' AND (next_attempt_at <= ?1 OR next_attempt_at > ?3)
             ORDER BY created_at, rowid
             LIMIT ?2",
        )?;
        let params = params![
            fmt_time(now),
            clamp_limit(limit),
            plausible_until(now, crate::backoff::CAP),
        ];
        let rows = stmt.query_map(params, |r| {
            Ok(HelpCallItem {
                id: r.get(0)?,
                flow_id: r.get(1)?,
                step_id: r.get(2)?,
                created_at: r.get(3)?,
                attempts: r.get(4)?,
            })
        })?;
        let items: Vec<HelpCallItem> = rows.collect::<rusqlite::Result<_>>()?;
        tracing::Span::current().record("count", items.len());
        Ok(items)
    }

    /// Whether call for help `id` reached the back end (an unknown id is assumed to have:
    /// only the back end can answer for it).
    #[tracing::instrument(name = "store.help_call_delivered", skip_all)]
    pub fn help_call_delivered(&self, id: &str) -> Result<bool> {
        let conn = self.conn();
        let state: Option<String> = conn
            .prepare_cached("SELECT state FROM help_calls WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?;
        Ok(state.is_none_or(|state| state == "delivered"))
    }

    /// Like [`Store::mark_delivered`], for a help call.
    #[tracing::instrument(name = "store.mark_help_call_delivered", skip_all, fields(id))]
    pub fn mark_help_call_delivered(&self, id: &str, received_at: &str) -> Result<()> {
        self.mark_delivered_in(Queue::HelpCalls, id, received_at)
    }

    /// Like [`Store::mark_failed`], for a help call.
    #[tracing::instrument(name = "store.mark_help_call_failed", skip_all, fields(id))]
    pub fn mark_help_call_failed(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        self.mark_failed_in(Queue::HelpCalls, id, error, next_attempt_at)
    }

    fn mark_delivered_in(&self, queue: Queue, id: &str, received_at: &str) -> Result<()> {
        // The back end's clock, normalized; a malformed time is replaced by ours.
        let received_at = DateTime::parse_from_rfc3339(received_at.trim())
            .map(|t| fmt_time(t.with_timezone(&Utc)))
            .unwrap_or_else(|_| {
                tracing::warn!("acknowledgement time unreadable, using the kiosk's clock");
                fmt_time(Utc::now())
            });
        let table = queue.table();
        let drop_sealed = match queue {
            Queue::Submissions => ", sealed = NULL",
            Queue::HelpCalls => "",
        };
        let clear_refusal = match queue {
            Queue::Submissions => ", refused_reason = NULL",
            Queue::HelpCalls => "",
        };
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            &format!(
                "UPDATE {table} SET state = 'delivered', delivered_at = ?2, last_error = NULL
                 {drop_sealed}{clear_refusal} WHERE id = ?1 AND state IN ('pending', 'refused')"
            ),
            params![id, received_at],
        )?;
        if changed == 0 {
            ensure_exists(&tx, table, id)?;
            tracing::debug!("already delivered");
        } else {
            insert_event(&tx, queue.event(), &format!("id={id}"))?;
            tracing::info!("delivered");
        }
        tx.commit()?;
        Ok(())
    }

    fn mark_failed_in(
        &self,
        queue: Queue,
        id: &str,
        error: &str,
        next_attempt_at: DateTime<Utc>,
    ) -> Result<()> {
        let error: String = error.chars().take(LAST_ERROR_MAX).collect();
        let table = queue.table();
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            &format!(
                "UPDATE {table} SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
                 WHERE id = ?1 AND state IN ('pending', 'refused')"
            ),
            params![id, error, fmt_time(next_attempt_at)],
        )?;
        if changed == 0 {
            ensure_exists(&tx, table, id)?;
        }
        tx.commit()?;
        Ok(())
    }
}

fn ensure_exists(conn: &rusqlite::Connection, table: &str, id: &str) -> Result<()> {
    let found = conn
        .query_row(
            &format!("SELECT 1 FROM {table} WHERE id = ?1"),
            [id],
            |_| Ok(()),
        )
        .optional()?;
    found.ok_or_else(|| StoreError::UnknownId(id.to_owned()))
}

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get(0)?,
        flow_id: r.get(1)?,
        flow_version: r.get(2)?,
        service: r.get(3)?,
        receipt: r.get(4)?,
        created_at: r.get(5)?,
        state: DeliveryState::parse(&r.get::<_, String>(6)?)?,
        attempts: r.get(7)?,
        last_error: r.get(8)?,
        delivered_at: r.get(9)?,
        refused_reason: r.get(10)?,
    })
}
