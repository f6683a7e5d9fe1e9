//! The sweeper, run by `backend serve` beside the server: every [`EVERY`], it deletes the
//! sessions that are over (expired, or idle past the idle timeout) and the login failures a
//! day old, so that neither table grows with visits that never come back.

use crate::db::{self, login_failures, sessions};
use crate::state::AppState;
use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the sweeper runs (and once at start).
pub const EVERY: Duration = Duration::from_secs(10 * 60);

/// Sweeps once: how many sessions and login-failure keys were deleted.
pub async fn sweep_once(state: &AppState) -> anyhow::Result<(usize, usize)> {
    let idle = state.settings.session_idle;
    state
        .db
        .call("sweep", move |conn| {
            let now = Utc::now();
            let idle = chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::hours(2));
            let sessions = sessions::sweep(conn, &db::timestamp(now), &db::timestamp(now - idle))?;
            let failures = login_failures::sweep(conn, now)?;
            Ok((sessions, failures))
        })
        .await
}

/// Sweeps now, then every [`EVERY`], until `cancel`.
pub async fn run(state: AppState, cancel: CancellationToken) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = ticks.tick() => {}
        }
        match sweep_once(&state).await {
            Ok((sessions, failures)) => {
                tracing::debug!(sessions, failures, "sessions et échecs anciens effacés");
            }
            Err(error) => tracing::warn!(%error, "balayage des sessions impossible"),
        }
        state.rate_limits.forget_idle();
    }
}
