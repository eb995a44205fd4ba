//! The client's address behind reverse proxies. The TCP peer is the client
//! unless it is one of the configured trusted proxies
//! (`RAPPORT_TRUSTED_PROXIES`); only then is the forwarding header read, and
//! in it the rightmost address that is not itself a trusted proxy: entries
//! left of that were written by whoever sent the request to the first proxy,
//! so a client could put anything there.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use axum::http::HeaderMap;
use ipnet::IpNet;

/// Which header the trusted proxies write the client's address into. Only
/// that one is read: a proxy that sets `X-Forwarded-For` usually passes a
/// client's own `Forwarded` header through untouched, so reading both would
/// let the client choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, most load balancers).
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

/// The proxies whose forwarding header is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: Option<ForwardedHeader>,
}

impl TrustedProxies {
    /// Parses a comma-separated list of addresses and CIDR networks; empty
    /// trusts nobody (headers are ignored).
    pub fn parse(list: &str, header: ForwardedHeader) -> Result<Self, String> {
        let networks = list
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                IpNet::from_str(entry)
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| format!("not an IP address or CIDR network: {entry:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            networks,
            header: Some(header),
        })
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.networks.iter().any(|n| n.contains(&address))
    }

    /// The client's address for a request that arrived from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain: Vec<Option<IpAddr>> = match self.header {
            Some(ForwardedHeader::XForwardedFor) => header_values(headers, "x-forwarded-for")
                .flat_map(|value| value.split(',').map(parse_node).collect::<Vec<_>>())
                .collect(),
            Some(ForwardedHeader::Forwarded) => header_values(headers, "forwarded")
                .flat_map(|value| value.split(',').map(forwarded_for).collect::<Vec<_>>())
                .collect(),
            None => return peer,
        };
        let mut client = peer;
        for node in chain.into_iter().rev() {
            match node {
                Some(address) if self.trusts(address) => client = address,
                Some(address) => return address,
                // An obfuscated or garbled hop: nothing left of it can be
                // believed, so the last trusted hop stands for the client.
                None => return client,
            }
        }
        client
    }
}

/// The client address of a request from `peer` (none when unknown).
pub fn client_address(
    trusted: &TrustedProxies,
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    peer.map(|peer| trusted.client(peer.ip(), headers))
}

fn header_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|value| value.to_str().ok())
}

/// The `for=` address of one `Forwarded` element (`for=1.2.3.4;proto=https`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| parse_node(value))?
    })
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `[::1]`,
/// `[::1]:80` or `::1`, possibly quoted.
fn parse_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Ok(address) = IpAddr::from_str(value) {
        return Some(canonical(address));
    }
    if let Ok(socket) = SocketAddr::from_str(value) {
        return Some(canonical(socket.ip()));
    }
    let inside = value.strip_prefix('[')?.split(']').next()?;
    IpAddr::from_str(inside).ok().map(canonical)
}

/// IPv4-mapped IPv6 (`::ffff:1.2.3.4`, as a dual-stack socket reports an
/// IPv4 peer) as plain IPv4, so one client has one key.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_sends() {
        let none = TrustedProxies::parse("", ForwardedHeader::XForwardedFor).unwrap();
        let spoof = headers("x-forwarded-for", &["203.0.113.9"]);
        assert_eq!(none.client(ip("127.0.0.1"), &spoof), ip("127.0.0.1"));
        let some = TrustedProxies::parse("10.0.0.1", ForwardedHeader::XForwardedFor).unwrap();
        assert_eq!(some.client(ip("10.0.0.2"), &spoof), ip("10.0.0.2"));
    }

    #[test]
    fn the_rightmost_untrusted_forwarded_address_is_the_client() {
        let trusted =
            TrustedProxies::parse("10.0.0.0/8, 192.0.2.1", ForwardedHeader::XForwardedFor).unwrap();
        // The client wrote 6.6.6.6 itself; the proxies appended the rest.
        let chain = headers("x-forwarded-for", &["6.6.6.6, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(trusted.client(ip("192.0.2.1"), &chain), ip("203.0.113.9"));
        // Only proxies in the chain: the leftmost of them.
        let inner = headers("x-forwarded-for", &["10.0.0.7, 10.0.0.8"]);
        assert_eq!(trusted.client(ip("10.0.0.9"), &inner), ip("10.0.0.7"));
        // No header: the proxy itself.
        assert_eq!(
            trusted.client(ip("10.0.0.9"), &HeaderMap::new()),
            ip("10.0.0.9")
        );
        // Garbage right of the client: the nearest trusted hop.
        let garbled = headers("x-forwarded-for", &["203.0.113.9, nonsense"]);
        assert_eq!(trusted.client(ip("10.0.0.9"), &garbled), ip("10.0.0.9"));
        // Another header than the configured one is not read.
        let other = headers("forwarded", &["for=203.0.113.9"]);
        assert_eq!(trusted.client(ip("10.0.0.9"), &other), ip("10.0.0.9"));
    }

    #[test]
    fn forwarded_elements_are_read_as_rfc_7239_writes_them() {
        let trusted = TrustedProxies::parse("::1, 10.0.0.0/8", ForwardedHeader::Forwarded).unwrap();
        let value = headers(
            "forwarded",
            &[
                r#"for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, For="10.0.0.2:80";by=10.0.0.3"#,
            ],
        );
        assert_eq!(trusted.client(ip("::1"), &value), ip("2001:db8:cafe::17"));
        let hidden = headers("forwarded", &["for=_hidden, for=10.0.0.2"]);
        assert_eq!(trusted.client(ip("::1"), &hidden), ip("10.0.0.2"));
        // A v4 peer seen through a dual-stack socket is still that v4 address.
        assert_eq!(
            trusted.client(ip("::ffff:10.0.0.5"), &HeaderMap::new()),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn bad_entries_are_refused() {
        assert!(TrustedProxies::parse("10.0.0.0/33", ForwardedHeader::Forwarded).is_err());
        assert!(TrustedProxies::parse("proxy.local", ForwardedHeader::Forwarded).is_err());
        assert!(TrustedProxies::parse(" , ", ForwardedHeader::Forwarded).is_ok());
    }
}
