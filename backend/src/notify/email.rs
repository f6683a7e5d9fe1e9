//! Email announcements: to a service's address, one short message per new request, with its
//! receipt code, flow, commune, kiosk and a link to its page, never the answers (mail
//! crosses servers the intercommunality does not control); to an ambassador, one per new
//! call for help at their kiosks (where, the flow and step, a link to their page).

use crate::config::{SmtpConfig, SmtpSecurity};
use crate::db::help_calls::HelpCallRow;
use crate::db::inbox::Detail;
use crate::pages::view::french_time;
use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// The SMTP connection settings, ready to send.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(config: &SmtpConfig, timeout: Duration) -> anyhow::Result<Mailer> {
        let host = config.host.trim();
        let builder = match config.security {
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                .port(config.port.unwrap_or(25)),
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .with_context(|| format!("serveur SMTP « {host} »"))?
                .port(config.port.unwrap_or(587)),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .with_context(|| format!("serveur SMTP « {host} »"))?
                .port(config.port.unwrap_or(465)),
        };
        let builder = match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                builder.credentials(Credentials::new(user.clone(), password.clone()))
            }
            _ => builder,
        };
        let from = config
            .from
            .parse()
            .with_context(|| format!("expéditeur « {} »", config.from))?;
        Ok(Mailer {
            transport: builder.timeout(Some(timeout)).build(),
            from,
        })
    }

    /// Sends the announcement of `detail` to `to`; `Err` says why, without personal data.
    pub async fn send(
        &self,
        to: &str,
        service_name: &str,
        detail: &Detail,
        flow_title: &str,
        public_url: &str,
    ) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| "adresse du service invalide".to_string())?;
        let s = &detail.submission;
        let body = format!(
            "Bonjour,\n\n\
             Une nouvelle demande est arrivée pour le service {service_name}.\n\n\
             Code de reçu : {receipt}\n\
             Démarche : {flow}\n\
             Commune : {commune}\n\
             Borne : {kiosk}\n\
             Reçue le : {received}\n\n\
             Pour la lire et la traiter :\n{public_url}/demandes/{id}\n\n\
             Les réponses ne sont pas dans ce message : elles restent sur le serveur.\n",
            receipt = s.receipt,
            flow = flow_title,
            commune = detail.commune.as_deref().unwrap_or("non précisée"),
            kiosk = detail.kiosk_name.as_deref().unwrap_or("inconnue"),
            received = french_time(&s.received_at),
            id = s.id,
        );
        self.send_text(
            to,
            format!("Nouvelle demande {} — {flow_title}", s.receipt),
            body,
        )
        .await
    }

    /// Announces the new call for help `call` to ambassador `to`; `Err` says why, without
    /// personal data.
    pub async fn send_help_call(
        &self,
        to: &str,
        call: &HelpCallRow,
        flow_title: &str,
        public_url: &str,
    ) -> Result<(), String> {
        let to: Mailbox = to
            .parse()
            .map_err(|_| "adresse de l'ambassadeur invalide".to_string())?;
        let body = format!(
            "Bonjour,\n\n\
             Quelqu'un demande de l'aide à la borne {kiosk} ({place}).\n\n\
             Démarche : {flow}\n\
             Étape : {step}\n\
             Appel du : {created}\n\n\
             Pour dire que vous vous en occupez (la borne le dira à la personne) :\n\
             {public_url}/ambassadeur\n",
            kiosk = call.kiosk_name,
            place = call.kiosk_place,
            flow = flow_title,
            step = call.step_id,
            created = french_time(&call.created_at),
        );
        self.send_text(
            to,
            format!("Appel à l'aide — borne {}", call.kiosk_name),
            body,
        )
        .await
    }

    async fn send_text(&self, to: Mailbox, subject: String, body: String) -> Result<(), String> {
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|_| "message impossible à composer".to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|error| {
                if error.is_timeout() {
                    "délai dépassé (SMTP)".to_string()
                } else if error.is_permanent() {
                    "refusé par le serveur SMTP".to_string()
                } else {
                    "échec de l'envoi SMTP".to_string()
                }
            })
    }
}
