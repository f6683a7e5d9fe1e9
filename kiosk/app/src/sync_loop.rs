//! The sync loop: pushes the outbox (sealed submissions, calls for help) to the back end,
//! installs the catalog of published flows when it changed ([`crate::catalog_sync`]),
//! sends heartbeats, and never gives up.
//!
//! `kiosk sync --once` runs one pass ([`sync_once`]); the appliance runs [`run`] in the
//! background until its shutdown token is cancelled. Delivery is marked only after a 2xx;
//! a retry sends the same bytes under the same id, so the back end stores each item once.

use crate::catalog_sync::{catalog_pass, CatalogOutcome};
use anyhow::Result;
use kiosk_store::{backoff, Store};
use kiosk_sync::client::{Client, Delivery};
use kiosk_sync::wire::Heartbeat;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Why a submission sealed under an earlier enrolment is not sent.
const SEALED_FOR_EARLIER_ENROLMENT: &str =
    "scellée pour une inscription précédente de la borne (autre clé du back end)";

/// Items in flight at once: enough to hide loopback and WAN latency, few enough for a Pi.
const IN_FLIGHT: usize = 8;
/// Items read from the outbox per batch.
const BATCH: usize = 256;

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub delivered: usize,
    pub retried: usize,
    pub refused: usize,
    /// Items still waiting for delivery after the pass (refused ones not counted).
    pub remaining: u64,
    /// Submissions refused for good, waiting for a person (the supervisor's « Réessayer ») or
    /// their daily retry.
    pub refused_total: u64,
    /// The last error, without personal data.
    pub last_error: Option<String>,
    /// What the catalog pass did (the background loop runs one after each outbox pass).
    pub catalog: CatalogOutcome,
    /// The availability snapshot fetched and stored by this pass, if any.
    pub availability: Option<Arc<kiosk_flow::booking::Availability>>,
}

pub type SharedStore = Arc<Mutex<Store>>;

pub(crate) async fn with_store<T: Send + 'static>(
    store: &SharedStore,
    f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
) -> Result<T> {
    let store = Arc::clone(store);
    tokio::task::spawn_blocking(move || {
        let mut guard = store
            .lock()
            .map_err(|_| anyhow::anyhow!("le magasin local est verrouillé par un fil en panne"))?;
        f(&mut guard)
    })
    .await?
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

fn refused_retry_at() -> chrono::DateTime<chrono::Utc> {
    now()
        + chrono::Duration::from_std(backoff::REFUSED_RETRY)
            .unwrap_or_else(|_| chrono::Duration::days(1))
}

fn retry_at(attempts: u32) -> chrono::DateTime<chrono::Utc> {
    let delay = backoff::next_delay(attempts, rand::random::<f64>());
    now() + chrono::Duration::from_std(delay).unwrap_or_else(|_| chrono::Duration::minutes(5))
}

/// One pass over everything that is due (with `all`, over everything queued). Returns when
/// nothing due is left, after a try of each item, or when the back end refuses the kiosk.
#[tracing::instrument(skip_all)]
pub async fn sync_once(store: &SharedStore, client: &Client, all: bool) -> Result<SyncReport> {
    let mut report = SyncReport::default();
    // "Envoyer maintenant": everything queued, whatever its retry schedule.
    let horizon = move || {
        if all {
            now() + chrono::Duration::days(36_500)
        } else {
            now()
        }
    };
    'passes: loop {
        let (due, key) = with_store(store, move |s| {
            let key = s.identity()?.map(|i| i.public_key.trim().to_owned());
            Ok((s.due(horizon(), BATCH)?, key))
        })
        .await?;
        let calls = with_store(store, move |s| Ok(s.due_help_calls(horizon(), BATCH)?)).await?;
        if due.is_empty() && calls.is_empty() {
            break;
        }
        // Sealed to a key of an earlier enrolment (`kiosk enroll --force`): the back end of
        // this identity cannot open it, so it is not sent; it waits, refused, for a person.
        let (due, foreign): (Vec<_>, Vec<_>) = due
            .into_iter()
            .partition(|item| item.sealed_to.is_empty() || Some(&item.sealed_to) == key.as_ref());
        for item in foreign {
            report.refused += 1;
            let reason = SEALED_FOR_EARLIER_ENROLMENT.to_owned();
            with_store(store, move |s| {
                Ok(s.mark_refused(&item.id, &reason, refused_retry_at())?)
            })
            .await?;
            report.last_error = Some(SEALED_FOR_EARLIER_ENROLMENT.to_owned());
        }
        let mut tasks = JoinSet::new();
        let mut items = due
            .into_iter()
            .map(|item| {
                (
                    item.id.clone(),
                    item.attempts,
                    Work::Submission(item.to_upload()),
                )
            })
            .chain(
                calls
                    .into_iter()
                    .map(|c| (c.id.clone(), c.attempts, Work::HelpCall(c.to_wire()))),
            );
        let mut stop = false;
        loop {
            while !stop && tasks.len() < IN_FLIGHT {
                let Some((id, attempts, work)) = items.next() else {
                    break;
                };
                let client = client.clone();
                tasks.spawn(async move {
                    let outcome = match &work {
                        Work::Submission(upload) => client.put_submission(upload).await,
                        Work::HelpCall(call) => client.put_help_call(call).await,
                    };
                    (id, attempts, matches!(work, Work::HelpCall(_)), outcome)
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let (id, attempts, is_call, outcome) = joined?;
            match outcome {
                Delivery::Delivered(ack) => {
                    with_store(store, move |s| {
                        if is_call {
                            s.mark_help_call_delivered(&id, &ack.received_at)?;
                        } else {
                            s.mark_delivered(&id, &ack.received_at)?;
                        }
                        Ok(())
                    })
                    .await?;
                    report.delivered += 1;
                }
                Delivery::Retry(error) | Delivery::Refused { error, .. } if stop => {
                    report.last_error = Some(error);
                }
                Delivery::Retry(error) => {
                    report.retried += 1;
                    record_failure(store, id, is_call, attempts, error.clone()).await?;
                    report.last_error = Some(error);
                }
                Delivery::Refused { status, error } => {
                    report.refused += 1;
                    let error = format!("refusé par le back end (HTTP {status} {error})");
                    if is_call {
                        // A call for help is only worth something now: the longest backoff.
                        record_failure(store, id, is_call, attempts.max(20), error.clone()).await?;
                    } else {
                        // Refused for good: kept, shown, tried again daily or by a person.
                        let reason = error.clone();
                        with_store(store, move |s| {
                            Ok(s.mark_refused(&id, &reason, refused_retry_at())?)
                        })
                        .await?;
                    }
                    report.last_error = Some(error);
                }
                Delivery::KioskRefused(error) => {
                    report.last_error = Some(error);
                    stop = true;
                }
            }
        }
        if stop {
            break 'passes;
        }
        // Items that failed are scheduled later, so the next batch only holds new work.
        if report.retried + report.refused > 0 {
            break;
        }
    }
    (report.remaining, report.refused_total) =
        with_store(store, |s| Ok((s.pending_count()?, s.refused_count()?))).await?;
    if let Some(error) = &report.last_error {
        let error = error.clone();
        with_store(store, move |s| Ok(s.log_event("sync_error", &error)?)).await?;
    } else if report.delivered > 0 {
        let detail = format!("{} envoyé(s)", report.delivered);
        with_store(store, move |s| Ok(s.log_event("sync_ok", &detail)?)).await?;
    }
    Ok(report)
}

/// Fetches the availability snapshot and keeps it in the store; returns it when stored. A
/// failure keeps the last one (its `generated_at` tells how old it is).
#[tracing::instrument(skip_all)]
pub async fn availability_pass(
    store: &SharedStore,
    client: &Client,
) -> Result<Option<Arc<kiosk_flow::booking::Availability>>> {
    match client.availability().await {
        Ok(snapshot) => {
            let snapshot = Arc::new(snapshot);
            let stored = Arc::clone(&snapshot);
            with_store(store, move |s| Ok(s.save_availability(&stored)?)).await?;
            Ok(Some(snapshot))
        }
        Err(error) => {
            tracing::info!(%error, "availability not fetched");
            Ok(None)
        }
    }
}

enum Work {
    Submission(kiosk_sync::wire::SubmissionUpload),
    HelpCall(kiosk_sync::wire::HelpCall),
}

async fn record_failure(
    store: &SharedStore,
    id: String,
    is_call: bool,
    attempts: u32,
    error: String,
) -> Result<()> {
    let next = retry_at(attempts);
    with_store(store, move |s| {
        if is_call {
            s.mark_help_call_failed(&id, &error, next)?;
        } else {
            s.mark_failed(&id, &error, next)?;
        }
        Ok(())
    })
    .await
}

/// The heartbeat: what an ambassador needs to know the kiosk is well.
pub async fn heartbeat(
    store: &SharedStore,
    client: &Client,
    data_dir: std::path::PathBuf,
    last_error: Option<String>,
) -> Result<()> {
    let (flows, queue_length, catalog, refusal, refused) = with_store(store, |s| {
        Ok((
            s.installed_flows()?,
            s.pending_count()?,
            s.installed_catalog()?,
            s.catalog_refusal()?,
            s.refused_count()?,
        ))
    })
    .await?;
    let beat = Heartbeat {
        software_version: env!("CARGO_PKG_VERSION").to_string(),
        flows,
        queue_length,
        last_error,
        free_disk_bytes: free_disk_bytes(&data_dir),
        catalog_version: catalog.map(|c| c.version),
        catalog_refused: refusal.map(|r| r.reason),
        refused,
    };
    client.heartbeat(&beat).await?;
    Ok(())
}

/// Free bytes on the data directory's file system, through `df` (no unsafe statvfs here).
fn free_disk_bytes(dir: &std::path::Path) -> u64 {
    std::process::Command::new("df")
        .args(["--output=avail", "-B1"])
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().nth(1).and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0)
}

/// The background loop: a pass whenever something may be due (at least every few
/// seconds), a heartbeat every minute, until `shutdown` is cancelled.
/// `on_pass` gets each pass's report and whether the back end answered (a delivery or a
/// heartbeat went through, or nothing needed it and the last heartbeat did).
pub async fn run(
    store: SharedStore,
    client: Client,
    data_dir: std::path::PathBuf,
    interval: Duration,
    shutdown: CancellationToken,
    mut on_pass: impl FnMut(&SyncReport, bool) + Send,
) {
    let mut reachable = false;
    let mut last_heartbeat: Option<tokio::time::Instant> = None;
    loop {
        let mut report = match sync_once(&store, &client, false).await {
            Ok(r) => r,
            Err(e) => SyncReport {
                last_error: Some(format!("{e:#}")),
                ..SyncReport::default()
            },
        };
        report.catalog = catalog_pass(&store, &client)
            .await
            .unwrap_or_else(|e| CatalogOutcome::Failed(format!("{e:#}")));
        report.availability = availability_pass(&store, &client)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "availability not stored");
                None
            });
        // A new catalog or a refusal is news for the administrators: tell them now.
        let catalog_news = matches!(
            report.catalog,
            CatalogOutcome::Installed { .. } | CatalogOutcome::Refused { .. }
        );
        if let Some(error) = &report.last_error {
            tracing::warn!(error = %error, remaining = report.remaining, "sync pass incomplete");
        }
        // After an error, a heartbeat sooner tells whether the back end is reachable at all.
        let beat_every = if report.last_error.is_some() {
            Duration::from_secs(10)
        } else {
            Duration::from_secs(60)
        };
        let beat_due = catalog_news || last_heartbeat.is_none_or(|t| t.elapsed() >= beat_every);
        if report.delivered > 0 {
            reachable = true;
        }
        if beat_due {
            match heartbeat(&store, &client, data_dir.clone(), report.last_error.clone()).await {
                Ok(()) => {
                    last_heartbeat = Some(tokio::time::Instant::now());
                    reachable = true;
                }
                Err(e) => {
                    tracing::info!(error = %e, "heartbeat not sent");
                    reachable = false;
                }
            }
        }
        on_pass(&report, reachable);
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
