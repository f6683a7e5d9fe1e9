//! The notifier: announces each new request to its service, and each new call for help to
//! the ambassadors of its kiosk, by email ([`email`]) and by a signed webhook ([`webhook`]),
//! from the outbox (`db::outbox`) that the submission's or the call's own transaction filled. It runs beside the server (started by `serve::serve`), never in the
//! kiosk's request: a kiosk hears 201 as soon as its submission is stored, whatever the
//! receivers do. What fails is tried again later, after 30 seconds, then twice as long each
//! time up to an hour (`[notifications]` in the configuration), until it succeeds, so
//! nothing is lost while a receiver is down.

pub mod email;
pub mod targets;
pub mod webhook;

use crate::db::help_calls::{self, KioskScope};
use crate::db::inbox::{self, Scope};
use crate::db::outbox::{self, Channel, Pending, Target};
use crate::db::{self, ambassadors, services, users};
use crate::export;
use crate::state::AppState;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How many announcements of a channel one pass reads at most.
const BATCH: usize = 50;
/// How many announcements of a channel are sent at once: a receiver that does not answer
/// holds one of these until the timeout, never the other channel, nor the other slots.
pub const IN_FLIGHT_PER_CHANNEL: usize = 4;
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
            // Names resolving to internal addresses are refused unless allowed.
            .dns_resolver(state.settings.webhooks.resolver())
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

    /// Handles every announcement due now on `channel` (in batches, up to
    /// [`IN_FLIGHT_PER_CHANNEL`] at once); returns how many were handled.
    pub async fn run_once(&self, channel: Channel) -> anyhow::Result<usize> {
        use futures_util::stream::{self, StreamExt};
        let mut handled = 0;
        loop {
            let now = db::now();
            let due = self
                .state
                .db
                .call("outbox_due", move |conn| {
                    outbox::due(conn, channel, &now, BATCH)
                })
                .await?;
            if due.is_empty() {
                return Ok(handled);
            }
            let count = due.len();
            let results: Vec<anyhow::Result<()>> = stream::iter(due)
                .map(|item| self.handle(item))
                .buffer_unordered(IN_FLIGHT_PER_CHANNEL)
                .collect()
                .await;
            results.into_iter().collect::<anyhow::Result<()>>()?;
            handled += count;
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
        match &item.target {
            Target::Request {
                submission_id,
                service_id,
            } => {
                self.deliver_request(item, submission_id.clone(), service_id.clone())
                    .await
            }
            Target::HelpCall {
                help_call_id,
                user_id,
            } => {
                self.deliver_help_call(item, help_call_id.clone(), *user_id)
                    .await
            }
        }
    }

    async fn deliver_help_call(
        &self,
        item: &Pending,
        help_call_id: String,
        user_id: i64,
    ) -> anyhow::Result<Outcome> {
        let shipped = self.state.shipped_flows.clone();
        let (call, user, webhook, titles) = self
            .state
            .db
            .call("outbox_help_call", move |conn| {
                Ok((
                    help_calls::get(conn, KioskScope::Ambassador(user_id), &help_call_id)?,
                    users::get(conn, user_id)?,
                    ambassadors::webhook(conn, user_id)?,
                    crate::flow_titles::Titles::load(conn, &shipped)?,
                ))
            })
            .await?;
        let (Some(call), Some(user)) = (call, user.filter(|u| u.disabled_at.is_none())) else {
            return Ok(Outcome::Skipped(
                "l'appel, le compte ou sa borne n'est plus là".into(),
            ));
        };
        let flow_title = titles.of(&call.flow_id);
        Ok(match item.channel {
            Channel::Email => {
                let Some(mailer) = &self.mailer else {
                    return Ok(Outcome::Skipped(
                        "envoi d'e-mails désactivé (pas de [smtp] dans la configuration)".into(),
                    ));
                };
                match mailer
                    .send_help_call(
                        &user.email,
                        &call,
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
                let Some((url, secret)) = webhook else {
                    return Ok(Outcome::Skipped("le compte n'a plus de webhook".into()));
                };
                let delivery_id = item.id.to_string();
                let timestamp = Utc::now().timestamp();
                let body = webhook::help_call_body(
                    &delivery_id,
                    timestamp,
                    webhook::help_call_json(&call, &flow_title),
                );
                self.post(item, &url, &secret, timestamp, body).await
            }
        })
    }

    /// Posts a webhook's body to `url`, if the webhook policy lets it go there (checked at
    /// each delivery: an address saved before the policy, or edited in the database, is
    /// refused too; the page shows the reason without internal details).
    async fn post(
        &self,
        item: &Pending,
        url: &str,
        secret: &str,
        timestamp: i64,
        body: Vec<u8>,
    ) -> Outcome {
        if let Err(refused) = self.state.settings.webhooks.check(url) {
            tracing::warn!(outbox = item.id, refused, "webhook refusé");
            return Outcome::Failed(
                "adresse refusée : https et adresse publique exigés, sauf hôte dans \
                 [webhooks] allow"
                    .into(),
            );
        }
        let timeout = self.state.settings.retry.timeout;
        let delivery_id = item.id.to_string();
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

    async fn deliver_request(
        &self,
        item: &Pending,
        submission_id: String,
        service_id: String,
    ) -> anyhow::Result<Outcome> {
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
                    Err(error) => {
                        // The cause stays in the log; the page shows only that it failed.
                        tracing::error!(outbox = item.id, error = format!("{error:#}"), "webhook");
                        return Ok(Outcome::Failed(
                            "erreur interne en préparant l'envoi".into(),
                        ));
                    }
                };
                let body = webhook::body(&delivery_id, timestamp, request);
                self.post(item, url, secret, timestamp, body).await
            }
        })
    }

    /// How long to sleep before the next pass: until the next announcement is due, at most
    /// [`MAX_IDLE`].
    async fn idle_time(&self, channel: Channel) -> anyhow::Result<Duration> {
        let next = self
            .state
            .db
            .call("outbox_next", move |conn| {
                outbox::next_due_at(conn, channel)
            })
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
    /// the bell), until `cancel`: one loop per channel, so that a receiver that does not
    /// answer never delays the other channel.
    pub async fn run(self, cancel: CancellationToken) {
        tokio::join!(
            self.run_channel(Channel::Email, &cancel),
            self.run_channel(Channel::Webhook, &cancel),
        );
        tracing::debug!("notifications arrêtées");
    }

    async fn run_channel(&self, channel: Channel, cancel: &CancellationToken) {
        let bell = self.state.outbox_bell.clone();
        loop {
            // Listen for the bell before the pass, so a ring during it is not missed.
            let rung = bell.notified();
            tokio::pin!(rung);
            rung.as_mut().enable();
            let pass = async {
                self.run_once(channel).await?;
                self.idle_time(channel).await
            };
            let wait = tokio::select! {
                () = cancel.cancelled() => break,
                result = pass => match result {
                    Ok(wait) => wait,
                    Err(error) => {
                        tracing::error!(
                            channel = channel.as_db(),
                            error = format!("{error:#}"),
                            "notifications"
                        );
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
    }
}
