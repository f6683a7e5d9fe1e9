//! Running the service: [`serve`] on any listener until a shutdown future completes (tests
//! pass `127.0.0.1:0` and a channel), with the notifier and the retention sweep beside it, and [`shutdown_signal`]
//! for SIGINT and SIGTERM.

use crate::notify::Notifier;
use crate::router::app;
use crate::state::AppState;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tracing::Instrument;

/// Serves the kiosk API and the pages on `listener` until `shutdown` completes, then lets
/// requests in flight finish and stops the notifier (what it has not sent stays in the
/// outbox for the next start).
pub async fn serve<F>(listener: TcpListener, state: AppState, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let notifier = Notifier::new(state.clone()).map_err(std::io::Error::other)?;
    let cancel = CancellationToken::new();
    let tasks = TaskTracker::new();
    tasks.spawn(
        notifier
            .run(cancel.clone())
            .instrument(tracing::info_span!("notifications")),
    );
    tasks.spawn(
        crate::sweeper::run(state.db.clone(), cancel.clone())
            .instrument(tracing::info_span!("conservation")),
    );
    tasks.close();
    let stop = cancel.clone();
    let served = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        stop.cancel();
    })
    .await;
    cancel.cancel();
    tasks.wait().await;
    served
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "impossible d'écouter SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "impossible d'écouter SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("arrêt demandé : fin des requêtes en cours");
}
