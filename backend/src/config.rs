//! The server's settings: the optional TOML file (`DIR/backend.toml`, or `--config FILE`)
//! and the flags of `backend serve`, resolved into [`Settings`], which [`AppState`] carries.
//!
//! ```toml
//! [web]
//! # The address agents open (links in emails). Default: http://<listen address>.
//! public_url = "https://demandes.example.org"
//! # The Secure flag of the session cookie: "auto" (default), "on" or "off".
//! # auto = on, except when the server listens on a loopback address and public_url (if
//! # any) is not https: plain http on 127.0.0.1 is for trying it out and for tests.
//! cookie_secure = "auto"
//! # Reverse proxies whose X-Forwarded-For header is believed (addresses or networks). The
//! # login limits count attempts per client address: behind a proxy, list it here, else every
//! # agent seems to come from the proxy. Default: none (the TCP peer is the client).
//! trusted_proxies = ["127.0.0.1", "::1"]
//! # A request's headers must arrive within this many seconds; it is also how long a kept-alive
//! # connection may wait, idle, for its next request. Default 15.
//! header_timeout_secs = 15
//! # A whole request (its body included) must be read and answered within this; else 408 and
//! # the connection is closed. Default 60.
//! request_timeout_secs = 60
//! # Connections served at once; further ones wait to be accepted. Default 512.
//! max_connections = 512
//!
//! # Email announcements of new requests, to each service's address. Off without this table.
//! [smtp]
//! host = "smtp.example.org"
//! port = 587                   # default: 587 for starttls, 465 for tls, 25 for none
//! security = "starttls"        # "starttls" (default), "tls" or "none"
//! username = "bornes"          # optional, with password
//! password = "..."
//! from = "Bornes de la CCCA <bornes@example.org>"
//!
//! [notifications]
//! retry_first_secs = 30        # first retry after a failure; doubles each time
//! retry_max_secs = 3600        # longest wait between retries
//! timeout_secs = 10            # one webhook or SMTP attempt
//!
//! # Webhooks must use https and reach a public address, unless their host is listed here
//! # (a receiver on the intercommunality's own network or on this machine): then plain http
//! # and loopback, link-local or private addresses are accepted. "host" or "host:port".
//! [webhooks]
//! allow = ["outil.interne:8080", "10.0.0.5"]
//! ```
//!
//! [`AppState`]: crate::state::AppState

use crate::notify::targets::WebhookPolicy;
use anyhow::{bail, Context};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    pub web: WebSection,
    pub smtp: Option<SmtpConfig>,
    #[serde(default)]
    pub notifications: NotificationsSection,
    #[serde(default)]
    pub webhooks: WebhooksSection,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhooksSection {
    /// Hosts (or host:port) whose webhooks may use http and internal addresses.
    #[serde(default)]
    pub allow: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebSection {
    pub public_url: Option<String>,
    #[serde(default)]
    pub cookie_secure: CookieSecure,
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    pub header_timeout_secs: Option<f64>,
    pub request_timeout_secs: Option<f64>,
    pub max_connections: Option<usize>,
}

/// The limits that keep slow or idle clients from holding the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// A request's headers must arrive within this; also how long a kept-alive connection
    /// may stay idle.
    pub header_timeout: Duration,
    /// A whole request, body included, is read and answered within this (else 408).
    pub request_timeout: Duration,
    /// Connections served at once; further ones wait in the listen queue.
    pub max_connections: usize,
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits {
            header_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

/// Parses a trusted proxy: an address (`192.0.2.1`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_proxy(text: &str) -> anyhow::Result<ipnet::IpNet> {
    let text = text.trim();
    if let Ok(net) = text.parse::<ipnet::IpNet>() {
        return Ok(net.trunc());
    }
    text.parse::<std::net::IpAddr>()
        .map(ipnet::IpNet::from)
        .map_err(|_| {
            anyhow::anyhow!(
                "« {text} » n'est ni une adresse IP ni un réseau (exemples : 10.0.0.1, 10.0.0.0/8)"
            )
        })
}

/// The Secure flag of the session cookie.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieSecure {
    /// On, unless plain http on loopback (see the module's documentation).
    #[default]
    Auto,
    On,
    Off,
}

impl std::str::FromStr for CookieSecure {
    type Err = String;

    fn from_str(text: &str) -> Result<CookieSecure, String> {
        match text.trim() {
            "auto" => Ok(CookieSecure::Auto),
            "on" => Ok(CookieSecure::On),
            "off" => Ok(CookieSecure::Off),
            other => Err(format!("« {other} » : auto, on ou off")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub from: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    #[default]
    Starttls,
    Tls,
    /// Plain SMTP: only for a relay on the same machine (or tests).
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsSection {
    #[serde(default = "default_retry_first")]
    pub retry_first_secs: f64,
    #[serde(default = "default_retry_max")]
    pub retry_max_secs: f64,
    #[serde(default = "default_timeout")]
    pub timeout_secs: f64,
}

fn default_retry_first() -> f64 {
    30.0
}
fn default_retry_max() -> f64 {
    3600.0
}
fn default_timeout() -> f64 {
    10.0
}

impl Default for NotificationsSection {
    fn default() -> NotificationsSection {
        NotificationsSection {
            retry_first_secs: default_retry_first(),
            retry_max_secs: default_retry_max(),
            timeout_secs: default_timeout(),
        }
    }
}

/// How notifications are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub first: Duration,
    pub max: Duration,
    /// One attempt (webhook request or SMTP exchange).
    pub timeout: Duration,
}

impl Retry {
    /// The wait after the `attempts`-th failed attempt: `first`, doubled each time, at most
    /// `max`.
    pub fn delay_after(&self, attempts: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(31));
        self.first.saturating_mul(factor).min(self.max)
    }
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            first: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
        }
    }
}

/// How long a logged-in session may stay unused.
pub const SESSION_IDLE: Duration = Duration::from_secs(2 * 3600);

/// What the running server uses.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The start of the links to pages (`https://demandes.example.org`, no trailing slash).
    pub public_url: String,
    /// Whether the session cookie has the Secure flag (and the `__Host-` prefix).
    pub cookie_secure: bool,
    /// Email announcements; `None`: off.
    pub smtp: Option<SmtpConfig>,
    pub retry: Retry,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub limits: ConnectionLimits,
    /// A logged-in session unused for this long is over (2 hours; shorter in tests).
    pub session_idle: Duration,
    /// Where webhooks may go (`[webhooks] allow`).
    pub webhooks: WebhookPolicy,
}

impl Default for Settings {
    /// Safe defaults: Secure cookies, no email, retries from 30 seconds to an hour.
    fn default() -> Settings {
        Settings {
            public_url: "http://127.0.0.1:8080".into(),
            cookie_secure: true,
            smtp: None,
            retry: Retry::default(),
            trusted_proxies: Vec::new(),
            limits: ConnectionLimits::default(),
            session_idle: SESSION_IDLE,
            webhooks: WebhookPolicy::default(),
        }
    }
}

/// Checks a public address: an absolute http or https address.
pub fn check_public_url(url: &str) -> anyhow::Result<()> {
    let parsed =
        reqwest::Url::parse(url).with_context(|| format!("« {url} » n'est pas une adresse"))?;
    if !matches!(parsed.scheme(), "http" | "https") || !parsed.has_host() {
        bail!("« {url} » doit commencer par http:// ou https://");
    }
    Ok(())
}

impl ConfigFile {
    /// Reads the file at `path`.
    pub fn load(path: &Path) -> anyhow::Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("impossible de lire la configuration {}", path.display()))?;
        ConfigFile::parse(&text)
            .with_context(|| format!("configuration invalide dans {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<ConfigFile> {
        let file: ConfigFile = toml::from_str(text)?;
        if let Some(smtp) = &file.smtp {
            if smtp.host.trim().is_empty() {
                bail!("[smtp] host est vide");
            }
            if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                bail!("[smtp] from « {} » n'est pas une adresse valide", smtp.from);
            }
            if smtp.username.is_some() != smtp.password.is_some() {
                bail!("[smtp] username et password vont ensemble");
            }
        }
        if let Some(url) = &file.web.public_url {
            check_public_url(url).context("[web] public_url")?;
        }
        for proxy in &file.web.trusted_proxies {
            parse_proxy(proxy).context("[web] trusted_proxies")?;
        }
        for (name, value) in [
            ("header_timeout_secs", file.web.header_timeout_secs),
            ("request_timeout_secs", file.web.request_timeout_secs),
        ] {
            if value.is_some_and(|v| !(v.is_finite() && v > 0.0 && v < 1e6)) {
                bail!("[web] {name} doit être un nombre de secondes positif");
            }
        }
        if file.web.max_connections == Some(0) {
            bail!("[web] max_connections doit être au moins 1");
        }
        WebhookPolicy::new(&file.webhooks.allow).map_err(anyhow::Error::msg)?;
        let n = &file.notifications;
        for (name, value) in [
            ("retry_first_secs", n.retry_first_secs),
            ("retry_max_secs", n.retry_max_secs),
            ("timeout_secs", n.timeout_secs),
        ] {
            if !(value.is_finite() && value > 0.0 && value < 1e7) {
                bail!("[notifications] {name} doit être un nombre de secondes positif");
            }
        }
        Ok(file)
    }

    /// The settings for a server listening on `listen`.
    pub fn settings(&self, listen: SocketAddr) -> Settings {
        let public_url = self
            .web
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        let cookie_secure = match self.web.cookie_secure {
            CookieSecure::On => true,
            CookieSecure::Off => false,
            CookieSecure::Auto => !listen.ip().is_loopback() || public_url.starts_with("https://"),
        };
        let n = &self.notifications;
        let defaults = ConnectionLimits::default();
        let web = &self.web;
        Settings {
            // Checked by `parse`.
            trusted_proxies: web
                .trusted_proxies
                .iter()
                .filter_map(|proxy| parse_proxy(proxy).ok())
                .collect(),
            session_idle: SESSION_IDLE,
            limits: ConnectionLimits {
                header_timeout: web
                    .header_timeout_secs
                    .map_or(defaults.header_timeout, Duration::from_secs_f64),
                request_timeout: web
                    .request_timeout_secs
                    .map_or(defaults.request_timeout, Duration::from_secs_f64),
                max_connections: web.max_connections.unwrap_or(defaults.max_connections),
            },
            public_url,
            cookie_secure,
            smtp: self.smtp.clone(),
            retry: Retry {
                first: Duration::from_secs_f64(n.retry_first_secs),
                max: Duration::from_secs_f64(n.retry_max_secs.max(n.retry_first_secs)),
                timeout: Duration::from_secs_f64(n.timeout_secs),
            },
            // Checked by `parse`; a file built otherwise with a bad entry allows nothing.
            webhooks: WebhookPolicy::new(&self.webhooks.allow).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_cookies_unless_plain_http_on_loopback() {
        let loopback: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let public: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let plain = ConfigFile::default();
        assert!(!plain.settings(loopback).cookie_secure);
        assert!(plain.settings(public).cookie_secure);
        assert_eq!(plain.settings(loopback).public_url, "http://127.0.0.1:8080");
        let behind_proxy =
            ConfigFile::parse("[web]\npublic_url = \"https://demandes.example.org/\"\n").unwrap();
        let settings = behind_proxy.settings(loopback);
        assert!(settings.cookie_secure);
        assert_eq!(settings.public_url, "https://demandes.example.org");
        let forced = ConfigFile::parse("[web]\ncookie_secure = \"off\"\n").unwrap();
        assert!(!forced.settings(public).cookie_secure);
    }

    #[test]
    fn the_file_is_checked() {
        let full = ConfigFile::parse(
            "[smtp]\nhost = \"smtp.example.org\"\nfrom = \"Bornes <bornes@example.org>\"\n\
             security = \"tls\"\n[notifications]\nretry_first_secs = 0.5\n",
        )
        .unwrap();
        let smtp = full.smtp.clone().unwrap();
        assert_eq!(smtp.security, SmtpSecurity::Tls);
        let retry = full.settings("127.0.0.1:1".parse().unwrap()).retry;
        assert_eq!(retry.first, Duration::from_millis(500));
        for bad in [
            "[smtp]\nhost = \"h\"\nfrom = \"pas une adresse\"\n",
            "[smtp]\nhost = \"h\"\nfrom = \"a@b.c\"\nusername = \"u\"\n",
            "[web]\npublic_url = \"ftp://x\"\n",
            "[web]\ncookie_secure = \"peut-être\"\n",
            "[web]\ntrusted_proxies = [\"proxy.local\"]\n",
            "[web]\nheader_timeout_secs = 0\n",
            "[web]\nmax_connections = 0\n",
            "[notifications]\nretry_first_secs = -1\n",
            "[inconnu]\n",
        ] {
            assert!(ConfigFile::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn proxies_and_limits_are_read() {
        let file = ConfigFile::parse(
            "[web]\ntrusted_proxies = [\"127.0.0.1\", \"10.1.2.3/8\", \"::1\"]\n\
             header_timeout_secs = 2.5\nrequest_timeout_secs = 30\nmax_connections = 64\n",
        )
        .unwrap();
        let settings = file.settings("127.0.0.1:1".parse().unwrap());
        let proxies: Vec<String> = settings
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        assert_eq!(settings.limits.header_timeout, Duration::from_millis(2500));
        assert_eq!(settings.limits.request_timeout, Duration::from_secs(30));
        assert_eq!(settings.limits.max_connections, 64);
        let plain = ConfigFile::default().settings("127.0.0.1:1".parse().unwrap());
        assert!(plain.trusted_proxies.is_empty());
        assert_eq!(plain.limits, ConnectionLimits::default());
    }

    #[test]
    fn retries_double_up_to_the_ceiling() {
        let retry = Retry {
            first: Duration::from_secs(30),
            max: Duration::from_secs(3600),
            timeout: Duration::from_secs(10),
        };
        assert_eq!(retry.delay_after(1), Duration::from_secs(30));
        assert_eq!(retry.delay_after(2), Duration::from_secs(60));
        assert_eq!(retry.delay_after(8), Duration::from_secs(3600));
        assert_eq!(retry.delay_after(u32::MAX), Duration::from_secs(3600));
    }
}
