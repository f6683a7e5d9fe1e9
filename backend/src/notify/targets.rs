//! Where webhooks may go ([`WebhookPolicy`]): https only, to public addresses only, unless the
//! host is on the configuration's explicit allow-list (`[webhooks] allow`, for a receiver on
//! the intercommunality's own network or on this machine). Checked when an administrator
//! saves a webhook (a clear message) and at every delivery: an address written as a number
//! is checked before sending, and every name is resolved through [`PolicyResolver`], which
//! refuses loopback, link-local and private answers, so a name cannot later point inside.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The explicit allow-list: hosts (`outil.interne`, `10.0.0.5`) or host and port
/// (`127.0.0.1:9000`) whose webhooks may use plain http and internal addresses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookPolicy {
    allowed: Vec<(String, Option<u16>)>,
}

impl WebhookPolicy {
    /// The policy with these allow-list entries; an entry that cannot be read is an error.
    pub fn new(entries: &[String]) -> Result<WebhookPolicy, String> {
        let mut allowed = Vec::new();
        for entry in entries {
            let trimmed = entry.trim();
            let parsed = Url::parse(&format!("http://{trimmed}/"))
                .ok()
                .filter(|url| url.path() == "/" && url.username().is_empty())
                .and_then(|url| Some((host_of(&url)?, url.port())));
            match parsed {
                Some(host) if !trimmed.is_empty() => allowed.push(host),
                _ => {
                    return Err(format!(
                        "[webhooks] allow : « {trimmed} » n'est pas un nom d'hôte, éventuellement \
                         suivi de :port (par exemple « outil.interne:8080 »)"
                    ))
                }
            }
        }
        Ok(WebhookPolicy { allowed })
    }

    fn allows(&self, host: &str, port: Option<u16>) -> bool {
        self.allowed
            .iter()
            .any(|(name, only)| name == host && only.is_none_or(|only| Some(only) == port))
    }

    fn allows_host(&self, host: &str) -> bool {
        self.allowed.iter().any(|(name, _)| name == host)
    }

    /// Checks a webhook address; the message says what is wrong, in French.
    pub fn check(&self, url: &str) -> Result<(), String> {
        let parsed = Url::parse(url.trim()).map_err(|_| {
            format!("L'adresse du webhook « {url} » n'est pas une adresse https valable.")
        })?;
        let Some(host) = host_of(&parsed) else {
            return Err(format!(
                "L'adresse du webhook « {url} » n'a pas de nom d'hôte."
            ));
        };
        if self.allows(&host, parsed.port_or_known_default()) {
            return match parsed.scheme() {
                "http" | "https" => Ok(()),
                _ => Err(format!(
                    "L'adresse du webhook « {url} » n'est pas une adresse http ou https."
                )),
            };
        }
        if parsed.scheme() != "https" {
            return Err(format!(
                "L'adresse du webhook « {url} » doit commencer par https:// (les réponses des \
                 usagers y passent). Une adresse en http n'est acceptée que si son hôte est dans \
                 [webhooks] allow de la configuration."
            ));
        }
        if let Ok(ip) = host.parse::<IpAddr>() {
            if is_internal(ip) {
                return Err(format!(
                    "L'adresse du webhook « {url} » est une adresse interne (boucle locale, \
                     lien local ou réseau privé) : refusée, sauf si son hôte est dans \
                     [webhooks] allow de la configuration."
                ));
            }
        }
        if host == "localhost" || host.ends_with(".localhost") {
            return Err(format!(
                "L'adresse du webhook « {url} » désigne cette machine : refusée, sauf si son \
                 hôte est dans [webhooks] allow de la configuration."
            ));
        }
        Ok(())
    }

    /// The resolver of the notifier's HTTP client under this policy.
    pub fn resolver(&self) -> Arc<PolicyResolver> {
        Arc::new(PolicyResolver {
            policy: self.clone(),
        })
    }
}

/// The host of `url` as compared with the allow-list: lower case, without IPv6's brackets.
fn host_of(url: &Url) -> Option<String> {
    let host = url.host_str()?;
    Some(
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase(),
    )
}

/// Whether `ip` is loopback, link-local, private (RFC 1918, shared address space, unique
/// local), unspecified, broadcast or multicast: anything but a public address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_internal_v4(v4),
            None => is_internal_v6(v6),
        },
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
}

/// Resolves names for the notifier's HTTP client, keeping only public addresses unless the
/// name is on the allow-list.
#[derive(Debug)]
pub struct PolicyResolver {
    policy: WebhookPolicy,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.policy.allows_host(&host);
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| allowed || !is_internal(address.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} : aucune adresse publique").into());
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_to_public_addresses_only_unless_allowed() {
        let strict = WebhookPolicy::default();
        assert_eq!(strict.check("https://outil.example.org/hook"), Ok(()));
        assert_eq!(strict.check("https://93.184.215.14/hook"), Ok(()));
        for refused in [
            "http://outil.example.org/hook",
            "https://127.0.0.1/hook",
            "https://[::1]:8443/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://10.1.2.3/hook",
            "https://192.168.1.1/hook",
            "https://172.16.0.1/hook",
            "https://100.64.0.1/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://0.0.0.0/hook",
            "https://localhost/hook",
            "ftp://outil.example.org/hook",
            "pas une adresse",
        ] {
            assert!(strict.check(refused).is_err(), "{refused}");
        }
        let allowing =
            WebhookPolicy::new(&["127.0.0.1:9000".into(), "Outil.Interne".into()]).unwrap();
        assert_eq!(allowing.check("http://127.0.0.1:9000/hook"), Ok(()));
        assert!(allowing.check("http://127.0.0.1:9001/hook").is_err());
        assert_eq!(allowing.check("http://outil.interne/hook"), Ok(()));
        assert_eq!(allowing.check("https://outil.interne:8443/hook"), Ok(()));
        assert!(allowing.check("ftp://outil.interne/hook").is_err());
        assert!(WebhookPolicy::new(&["http://x/y".into()]).is_err());
        assert!(WebhookPolicy::new(&[" ".into()]).is_err());
    }

    #[tokio::test]
    async fn names_that_resolve_inside_are_refused_unless_allowed() {
        let strict = WebhookPolicy::default().resolver();
        let name: Name = "localhost".parse().unwrap();
        assert!(strict.resolve(name).await.is_err());
        let allowing = WebhookPolicy::new(&["localhost".into()])
            .unwrap()
            .resolver();
        let name: Name = "localhost".parse().unwrap();
        let found: Vec<SocketAddr> = allowing.resolve(name).await.unwrap().collect();
        assert!(found.iter().all(|a| a.ip().is_loopback()) && !found.is_empty());
    }
}
