//! The retention sweep of `backend serve`: at start, then every [`EVERY`], the requests past
//! their service's retention period are erased ([`crate::db::retention`]). The log says how
//! many, never which.

use crate::db::retention::{self, Older, Reason};
use crate::db::Db;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the sweep runs.
pub const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Erases what is past its retention now; returns how many requests.
pub async fn sweep_once(db: &Db) -> anyhow::Result<usize> {
    db.call("retention_sweep", |conn| {
        retention::purge(
            conn,
            Older::ThanRetention,
            Reason::Retention,
            chrono::Utc::now(),
        )
    })
    .await
}

/// Sweeps at start and every [`EVERY`] until `cancel`.
pub async fn run(db: Db, cancel: CancellationToken) {
    loop {
        match sweep_once(&db).await {
            Ok(0) => tracing::debug!("conservation : rien à effacer"),
            Ok(erased) => tracing::info!(erased, "conservation : demandes effacées"),
            Err(error) => tracing::error!(error = format!("{error:#}"), "conservation"),
        }
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}
