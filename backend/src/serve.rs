//! Running the service: [`serve`] on any listener until a shutdown future completes (tests
//! pass `127.0.0.1:0` and a channel), and [`shutdown_signal`] for SIGINT and SIGTERM.

use crate::router::app;
use crate::state::AppState;
use std::future::Future;
use tokio::net::TcpListener;

/// Serves the kiosk API on `listener` until `shutdown` completes, then lets requests in
/// flight finish.
pub async fn serve<F>(listener: TcpListener, state: AppState, shutdown: F) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
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
