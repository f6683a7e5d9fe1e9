//! A fake reverse proxy on 127.0.0.1, as nginx would be in front of the back end: it
//! forwards every request to the server and appends the client's address to
//! `X-Forwarded-For` (`$proxy_add_x_forwarded_for`). Each proxy plays one client address,
//! so a test can have several "clients" although every socket comes from 127.0.0.1.

use http_body_util::combinators::BoxBody;
use http_body_util::BodyExt;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::net::SocketAddr;
use tokio::net::TcpListener;

type ProxyBody = BoxBody<Bytes, hyper::Error>;

pub struct FakeProxy {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeProxy {
    /// A proxy in front of `backend`, saying its clients come from `client`.
    pub async fn start(backend: SocketAddr, client: &'static str) -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let http: Client<_, Incoming> =
            Client::builder(TokioExecutor::new()).build_http::<Incoming>();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let http = http.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        forward(http.clone(), backend, client, request)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        FakeProxy { addr, task }
    }
}

async fn forward(
    http: Client<hyper_util::client::legacy::connect::HttpConnector, Incoming>,
    backend: SocketAddr,
    client: &'static str,
    mut request: Request<Incoming>,
) -> Result<Response<ProxyBody>, hyper_util::client::legacy::Error> {
    let forwarded = match request
        .headers()
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
    {
        Some(earlier) => format!("{earlier}, {client}"),
        None => client.to_string(),
    };
    let headers = request.headers_mut();
    headers.insert("x-forwarded-for", forwarded.parse().expect("header"));
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str())
        .to_string();
    *request.uri_mut() = format!("http://{backend}{path}").parse().expect("uri");
    let response = http.request(request).await?;
    Ok(response.map(|body| body.boxed()))
}
