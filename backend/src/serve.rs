//! Running the service: [`serve`] on any listener until a shutdown future completes (tests
//! pass `127.0.0.1:0` and a channel), with the notifier and the session sweeper and the
//! retention sweep beside it,
//! and [`shutdown_signal`] for SIGINT and SIGTERM.
//!
//! Connections are accepted by our own loop over hyper (not `axum::serve`, which has no
//! header timeout): at most [`ConnectionLimits::max_connections`] at once (the others wait
//! in the listen queue), each request's headers within `header_timeout` (which also closes
//! a kept-alive connection left idle that long), each whole request within
//! `request_timeout` (in [`crate::router::app`]). So a few hundred slow or silent sockets
//! are closed within seconds and cannot keep kiosks and agents out.

use crate::config::ConnectionLimits;
use crate::notify::Notifier;
use crate::router::app;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;
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
        crate::session_sweep::run(state.clone(), cancel.clone())
            .instrument(tracing::info_span!("session_sweep")),
    );
    tasks.spawn(
        crate::retention_sweep::run(state.db.clone(), cancel.clone())
            .instrument(tracing::info_span!("conservation")),
    );
    tasks.close();
    let limits = state.settings.limits;
    let stop = cancel.clone();
    let served = accept_until(listener, app(state), limits, async move {
        shutdown.await;
        stop.cancel();
    })
    .await;
    cancel.cancel();
    tasks.wait().await;
    served
}

/// Accepts connections and serves `router` on each, within `limits`, until `shutdown`
/// completes; then stops accepting and waits for the requests in flight.
async fn accept_until<F>(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    tokio::pin!(shutdown);
    loop {
        // A free slot first: beyond the cap, connections wait in the listen queue.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    wait_after_accept_error(&error).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request.map(Body::new))
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connexion fermée sur une erreur");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// After a failed `accept`: nothing for a connection the client gave up, a pause for
/// anything else (out of file descriptors: some will be closed).
async fn wait_after_accept_error(error: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!(%error, "impossible d'accepter une connexion");
    tokio::time::sleep(Duration::from_secs(1)).await;
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
