//! The HTTP client of the kiosk API: one method per endpoint, and a classification of
//! every answer into what the outbox must do next.
//!
//! The client never decides to drop anything: a refused item stays queued (and shows on
//! the supervisor screen), a failed try is retried later. Only a 2xx marks delivery.

use crate::catalog::{etag, SignedCatalog};
use crate::wire::{
    self, Ack, EnrollRequest, EnrollResponse, ErrorBody, Heartbeat, HelpCall, HelpCallState,
    StatusResponse, SubmissionUpload,
};
use std::time::Duration;

/// What a catalog request brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogFetch {
    /// 304: the back end has nothing the kiosk has not already seen.
    Unchanged,
    /// A catalog, with the size of the body received (bytes).
    Offered { signed: SignedCatalog, bytes: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("le back end est injoignable : {0}")]
    Unreachable(String),
    #[error("la borne n'est pas reconnue par le back end (jeton refusé)")]
    Unauthorized,
    #[error("la borne a été révoquée par un administrateur")]
    Revoked,
    #[error("code d'inscription inconnu ou déjà utilisé")]
    BadEnrolmentCode,
    #[error("réponse inattendue du back end : {status} {error}")]
    Unexpected { status: u16, error: String },
}

/// What to do with one outbox item after a try.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Stored by the back end (now or before): mark delivered.
    Delivered(Ack),
    /// Not stored this time (network, 5xx, timeout, a cut answer): try again later.
    Retry(String),
    /// The back end refuses this item for good (409, 422, 400, 413); keep it, report it,
    /// try again much later in case an administrator fixes the cause.
    Refused { status: u16, error: String },
    /// The kiosk itself is refused (401, 403): stop this pass, keep everything.
    KioskRefused(String),
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    token: Option<String>,
}

impl Client {
    pub fn new(base_url: &str, token: Option<String>) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| ClientError::Unreachable(e.to_string()))?;
        Ok(Client {
            http,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// Whether this back end is reached over plain http on another machine than this one
    /// (anything on the way could read and change what is sent, the keys included).
    pub fn is_plain_http_outside_loopback(&self) -> bool {
        plain_http_outside_loopback(&self.base_url)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    fn authed(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    #[tracing::instrument(skip_all)]
    pub async fn enroll(&self, code: &str) -> Result<EnrollResponse, ClientError> {
        let response = self
            .http
            .post(self.url(&wire::enroll_path()))
            .json(&EnrollRequest {
                code: code.trim().to_string(),
            })
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(e.to_string()))?;
        match response.status().as_u16() {
            200 => response
                .json()
                .await
                .map_err(|e| ClientError::Unreachable(e.to_string())),
            401 => Err(ClientError::BadEnrolmentCode),
            status => Err(unexpected(status, response).await),
        }
    }

    #[tracing::instrument(skip_all, fields(id = %upload.id))]
    pub async fn put_submission(&self, upload: &SubmissionUpload) -> Delivery {
        self.put(&wire::submission_path(&upload.id), upload).await
    }

    #[tracing::instrument(skip_all, fields(id = %call.id))]
    pub async fn put_help_call(&self, call: &HelpCall) -> Delivery {
        self.put(&wire::help_call_path(&call.id), call).await
    }

    async fn put<T: serde::Serialize>(&self, path: &str, body: &T) -> Delivery {
        let sent = self
            .authed(self.http.put(self.url(path)))
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return Delivery::Retry(short_error(&e)),
        };
        let status = response.status().as_u16();
        match status {
            200 | 201 => match response.json::<Ack>().await {
                Ok(ack) => Delivery::Delivered(ack),
                // Stored or not, a retry will tell: the same bytes get 200 if stored.
                Err(e) => Delivery::Retry(format!("réponse incomplète : {}", short_error(&e))),
            },
            401 => Delivery::KioskRefused(ClientError::Unauthorized.to_string()),
            403 => Delivery::KioskRefused(ClientError::Revoked.to_string()),
            400 | 409 | 413 | 415 | 422 => Delivery::Refused {
                status,
                error: error_code(response).await,
            },
            _ => Delivery::Retry(format!("HTTP {status}")),
        }
    }

    #[tracing::instrument(skip_all)]
    pub async fn heartbeat(&self, heartbeat: &Heartbeat) -> Result<(), ClientError> {
        let response = self
            .authed(self.http.post(self.url(&wire::heartbeat_path())))
            .json(heartbeat)
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(short_error(&e)))?;
        match response.status().as_u16() {
            200..=299 => Ok(()),
            401 => Err(ClientError::Unauthorized),
            403 => Err(ClientError::Revoked),
            status => Err(unexpected(status, response).await),
        }
    }

    /// The status of a request by its receipt code; `None` when the back end has no such code.
    #[tracing::instrument(skip_all)]
    pub async fn status(&self, receipt: &str) -> Result<Option<StatusResponse>, ClientError> {
        self.get_found(&wire::status_path(receipt)).await
    }

    /// Where this kiosk's call for help `id` is; `None` when the back end has not received it.
    #[tracing::instrument(skip_all)]
    pub async fn help_call_state(&self, id: &str) -> Result<Option<HelpCallState>, ClientError> {
        self.get_found(&wire::help_call_path(id)).await
    }

    /// GET `path`: its JSON body, or `None` on 404.
    async fn get_found<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Option<T>, ClientError> {
        let response = self
            .authed(self.http.get(self.url(path)))
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(short_error(&e)))?;
        match response.status().as_u16() {
            200 => response
                .json()
                .await
                .map(Some)
                .map_err(|e| ClientError::Unreachable(short_error(&e))),
            404 => Ok(None),
            401 => Err(ClientError::Unauthorized),
            403 => Err(ClientError::Revoked),
            status => Err(unexpected(status, response).await),
        }
    }
}

impl Client {
    /// The availability snapshot of the bookable resources.
    #[tracing::instrument(skip_all)]
    pub async fn availability(&self) -> Result<wire::Availability, ClientError> {
        let response = self
            .authed(self.http.get(self.url(&wire::availability_path())))
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(short_error(&e)))?;
        match response.status().as_u16() {
            200 => response.json().await.map_err(|_| ClientError::Unexpected {
                status: 200,
                error: "disponibilités illisibles".to_string(),
            }),
            401 => Err(ClientError::Unauthorized),
            403 => Err(ClientError::Revoked),
            status => Err(unexpected(status, response).await),
        }
    }

    /// The kiosk's catalog of published flows, unless its version is one of `seen` (the
    /// installed one and the last refused one, sent as `If-None-Match`).
    #[tracing::instrument(skip_all)]
    pub async fn catalog(&self, seen: &[u64]) -> Result<CatalogFetch, ClientError> {
        let mut request = self.authed(self.http.get(self.url(&wire::catalog_path())));
        if !seen.is_empty() {
            let tags: Vec<String> = seen.iter().map(|v| etag(*v)).collect();
            request = request.header(reqwest::header::IF_NONE_MATCH, tags.join(", "));
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Unreachable(short_error(&e)))?;
        match response.status().as_u16() {
            200 => {
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| ClientError::Unreachable(short_error(&e)))?;
                let signed =
                    serde_json::from_slice(&body).map_err(|_| ClientError::Unexpected {
                        status: 200,
                        error: "catalogue illisible".to_string(),
                    })?;
                Ok(CatalogFetch::Offered {
                    signed,
                    bytes: body.len(),
                })
            }
            304 => Ok(CatalogFetch::Unchanged),
            401 => Err(ClientError::Unauthorized),
            403 => Err(ClientError::Revoked),
            status => Err(unexpected(status, response).await),
        }
    }
}

async fn error_code(response: reqwest::Response) -> String {
    match response.json::<ErrorBody>().await {
        Ok(body) => body.error,
        Err(_) => "sans détail".to_string(),
    }
}

async fn unexpected(status: u16, response: reqwest::Response) -> ClientError {
    ClientError::Unexpected {
        status,
        error: error_code(response).await,
    }
}

/// A one-line error without URLs or bodies (they could carry nothing personal, but logs
/// stay short and stable).
fn short_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "délai dépassé".to_string()
    } else if e.is_connect() {
        "connexion impossible".to_string()
    } else if e.is_decode() || e.is_body() {
        "réponse abîmée".to_string()
    } else {
        "erreur réseau".to_string()
    }
}

/// Whether `url` is plain http to a host other than this machine (`localhost`, 127.0.0.0/8,
/// `::1`). An address that does not parse counts as not loopback.
pub fn plain_http_outside_loopback(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    if parsed.scheme() != "http" {
        return false;
    }
    let Some(host) = parsed.host_str() else {
        return true;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => !ip.is_loopback(),
        Err(_) => !host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::plain_http_outside_loopback;

    #[test]
    fn plain_http_is_flagged_outside_this_machine_only() {
        for flagged in [
            "http://demandes.example.org",
            "http://192.168.1.10:8080/",
            "http://[2001:db8::1]/",
        ] {
            assert!(plain_http_outside_loopback(flagged), "{flagged}");
        }
        for fine in [
            "https://demandes.example.org",
            "http://127.0.0.1:8080",
            "http://127.8.9.1",
            "http://localhost:8080/",
            "http://[::1]:8080",
        ] {
            assert!(!plain_http_outside_loopback(fine), "{fine}");
        }
    }
}
