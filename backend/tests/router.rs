//! The router without a socket (`backend::router::app` through tower's `oneshot`), for what
//! reqwest cannot easily send: a body streamed with no declared length.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use backend::data_dir::DataDir;
use backend::state::AppState;
use kiosk_sync::wire::{self, ErrorBody, MAX_BODY_BYTES};
use tower::ServiceExt;

#[tokio::test]
async fn an_undeclared_oversize_body_gets_a_json_413() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = DataDir::new(dir.path());
    data_dir.init().unwrap();
    let app = backend::router::app(AppState::open(&data_dir).unwrap());
    // No Content-Length header: only the body limit can stop it. Enrolment needs no token.
    let request = Request::post(wire::enroll_path())
        .header("content-type", "application/json")
        .body(Body::from(vec![b' '; MAX_BODY_BYTES + 1]))
        .unwrap();
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let bytes = axum::body::to_bytes(response.into_body(), 10_000)
        .await
        .unwrap();
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body.error, "payload_too_large");
}
