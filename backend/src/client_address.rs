//! [`ClientAddress`]: the address of whoever is asking, for the login limits. The TCP peer,
//! unless it is one of the configured trusted reverse proxies (`[web] trusted_proxies`):
//! then the `X-Forwarded-For` header, read from the right (the entries the proxies added
//! themselves), skipping trusted proxies, gives the first address that is not one. Entries
//! further left were written by the client and are never believed.

use crate::error::Error;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The client's address (`None`: unknown, as in tests without a socket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

/// The client's address, given the TCP peer, the request's headers and the trusted proxies.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&ip.to_canonical()));
    let mut client = peer.to_canonical();
    if !is_trusted(&client) {
        return client;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for hop in hops.into_iter().rev() {
        // A hop that is not an address ends the walk: the last one believed is the client.
        let Some(ip) = parse_hop(hop.trim()) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .map(|ip| ip.to_canonical())
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddress, Error> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| {
                    client_address(info.0.ip(), &parts.headers, &state.settings.trusted_proxies)
                }),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_header_is_read_only_from_trusted_proxies_and_from_the_right() {
        let trusted: Vec<IpNet> = ["127.0.0.1/32", "10.0.0.0/8"]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let proxy = ip("127.0.0.1");
        // No trusted proxy: the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.9"), &headers(&["203.0.113.5"]), &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client_address(proxy, &headers(&["203.0.113.5"]), &[]),
            proxy
        );
        // One proxy: the address it added.
        assert_eq!(
            client_address(proxy, &headers(&["203.0.113.5"]), &trusted),
            ip("203.0.113.5")
        );
        // A client writing its own header cannot choose: the proxy's entry is the last.
        assert_eq!(
            client_address(proxy, &headers(&["1.2.3.4, 203.0.113.5"]), &trusted),
            ip("203.0.113.5")
        );
        // Two proxies, over two headers, with a port.
        assert_eq!(
            client_address(
                proxy,
                &headers(&["1.2.3.4, [2001:db8::7]:4711", "10.1.1.1"]),
                &trusted
            ),
            ip("2001:db8::7")
        );
        // Garbage: the last believed hop.
        assert_eq!(
            client_address(proxy, &headers(&["203.0.113.5, nonsense"]), &trusted),
            proxy
        );
        // No header: the proxy itself.
        assert_eq!(client_address(proxy, &headers(&[]), &trusted), proxy);
    }
}
