//! The notifier: announces each new request to its service, by email ([`email`]) and by a
//! signed webhook ([`webhook`]), from the outbox (`db::outbox`) that the submission's own
//! transaction filled. It runs beside the server (started by `serve::serve`), never in the
//! kiosk's request: a kiosk hears 201 as soon as its submission is stored, whatever the
//! receivers do. What fails is tried again later, after 30 seconds, then twice as long each
//! time up to an hour (`[notifications]` in the configuration), until it succeeds, so
//! nothing is lost while a receiver is down.

pub mod email;
pub mod webhook;

use crate::db::inbox::{self, Scope};
use crate::db::outbox::{self, Channel, Pending};
use crate::db::{self, services};
use crate::export;
use crate::state::AppState;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How many announcements one pass handles at most.
const BATCH: usize = 50;
/// The longest sleep between passes, even with nothing due (a safety net).
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Sends what is due, with an HTTP client and (if configured) an SMTP mailer.
pub struct Notifier {
    state: AppState,
    http: reqwest::Client,
    mailer: Option<email::Mailer>,
}

/// What happened to one announcement.
enum Outcome {
    Sent,
    Skipped(String),
    Failed(String),
}

impl Notifier {
    pub fn new(state: AppState) -> anyhow::Result<Notifier> {
        let timeout = state.settings.retry.timeout;
        let http = reqwest::Client::builder()
            .user_agent(concat!("borne-backend/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout)
            .timeout(timeout)
            // A webhook that redirects is refused, not followed elsewhere with the payload.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("client HTTP des webhooks")?;
        let mailer = state
            .settings
            .smtp
            .as_ref()
            .map(|config| email::Mailer::new(config, timeout))
            .transpose()?;
        Ok(Notifier {
            state,
            http,
            mailer,
        })
    }

    /// Handles every announcement due now (in batches); returns how many were handled.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let mut handled = 0;
        loop {
            let now = db::now();
            let due = self
                .state
                .db
                .call("outbox_due", move |conn| outbox::due(conn, &now, BATCH))
                .await?;
            if due.is_empty() {
                return Ok(handled);
            }
            for item in due {
                self.handle(item).await?;
                handled += 1;
            }
        }
    }

    async fn handle(&self, item: Pending) -> anyhow::Result<()> {
        let outcome = self.deliver(&item).await?;
        let id = item.id;
        let channel = item.channel.as_db();
        let now = Utc::now();
        match outcome {
            Outcome::Sent => {
                tracing::info!(outbox = id, channel, "notification envoyée");
                self.state
                    .db
                    .call("outbox_sent", move |conn| {
                        outbox::mark_sent(conn, id, &db::timestamp(now))
                    })
                    .await?;
            }
            Outcome::Skipped(reason) => {
                tracing::info!(outbox = id, channel, reason, "notification abandonnée");
                self.state
                    .db
                    .call("outbox_skipped", move |conn| {
                        outbox::mark_skipped(conn, id, &reason, &db::timestamp(now))
                    })
                    .await?;
            }
            Outcome::Failed(error) => {
                let delay = self.state.settings.retry.delay_after(item.attempts + 1);
                let next = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
                tracing::warn!(
                    outbox = id,
                    channel,
                    error,
                    attempts = item.attempts + 1,
                    "notification à réessayer"
                );
                self.state
                    .db
                    .call("outbox_failed", move |conn| {
                        outbox::mark_failed(conn, id, &error, &db::timestamp(next))
                    })
                    .await?;
            }
        }
        Ok(())
    }

    async fn deliver(&self, item: &Pending) -> anyhow::Result<Outcome> {
        let (submission_id, service_id) = (item.submission_id.clone(), item.service_id.clone());
        let shipped = self.state.shipped_flows.clone();
        let (detail, service, titles) = self
            .state
            .db
            .call("outbox_item", move |conn| {
                Ok((
                    inbox::detail(conn, &Scope::All, &submission_id)?,
                    services::get(conn, &service_id)?,
                    crate::flow_titles::Titles::load(conn, &shipped)?,
                ))
            })
            .await?;
        let (Some(detail), Some(service)) = (detail, service) else {
            return Ok(Outcome::Skipped(
                "le service ou la demande n'existe plus".into(),
            ));
        };
        let flow_title = titles.of(&detail.submission.flow_id);
        let timeout = self.state.settings.retry.timeout;
        Ok(match item.channel {
            Channel::Email => {
                let Some(to) = &service.email else {
                    return Ok(Outcome::Skipped(
                        "le service n'a plus d'adresse e-mail".into(),
                    ));
                };
                let Some(mailer) = &self.mailer else {
                    return Ok(Outcome::Skipped(
                        "envoi d'e-mails désactivé (pas de [smtp] dans la configuration)".into(),
                    ));
                };
                match mailer
                    .send(
                        to,
                        &service.name,
                        &detail,
                        &flow_title,
                        &self.state.settings.public_url,
                    )
                    .await
                {
                    Ok(()) => Outcome::Sent,
                    Err(error) => Outcome::Failed(error),
                }
            }
            Channel::Webhook => {
                let (Some(url), Some(secret)) = (&service.webhook_url, &service.webhook_secret)
                else {
                    return Ok(Outcome::Skipped("le service n'a plus de webhook".into()));
                };
                let delivery_id = item.id.to_string();
                let timestamp = Utc::now().timestamp();
                let request = match export::request_json(&detail, Some(&service.name), &flow_title)
                {
                    Ok(request) => request,
                    Err(error) => return Ok(Outcome::Failed(format!("{error:#}"))),
                };
                let body = webhook::body(&delivery_id, timestamp, request);
                match webhook::send(
                    &self.http,
                    url,
                    secret,
                    &delivery_id,
                    timestamp,
                    body,
                    timeout,
                )
                .await
                {
                    Ok(()) => Outcome::Sent,
                    Err(error) => Outcome::Failed(error),
                }
            }
        })
    }

    /// How long to sleep before the next pass: until the next announcement is due, at most
    /// [`MAX_IDLE`].
    async fn idle_time(&self) -> anyhow::Result<Duration> {
        let next = self
            .state
            .db
            .call("outbox_next", |conn| outbox::next_due_at(conn))
            .await?;
        let Some(next) = next.and_then(|n| DateTime::parse_from_rfc3339(&n).ok()) else {
            return Ok(MAX_IDLE);
        };
        let wait = (next.with_timezone(&Utc) - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        Ok(wait.min(MAX_IDLE))
    }

    /// Sends what is due, then sleeps until something else is (or a new submission rings
    /// the bell), until `cancel`.
    pub async fn run(self, cancel: CancellationToken) {
        let bell = self.state.outbox_bell.clone();
        loop {
            // Listen for the bell before the pass, so a ring during it is not missed.
            let rung = bell.notified();
            tokio::pin!(rung);
            rung.as_mut().enable();
            let pass = async {
                self.run_once().await?;
                self.idle_time().await
            };
            let wait = tokio::select! {
                () = cancel.cancelled() => break,
                result = pass => match result {
                    Ok(wait) => wait,
                    Err(error) => {
                        tracing::error!(error = format!("{error:#}"), "notifications");
                        Duration::from_secs(5)
                    }
                },
            };
            tokio::select! {
                () = cancel.cancelled() => break,
                () = &mut rung => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
        tracing::debug!("notifications arrêtées");
    }
}
