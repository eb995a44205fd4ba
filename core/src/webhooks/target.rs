//! Where webhooks may go. A receiver must be a public address: loopback,
//! private, link-local (cloud metadata lives at 169.254.169.254), unique-local,
//! carrier-grade NAT, multicast and unspecified addresses are refused, so an
//! endpoint cannot make the server call into its own network. The check runs
//! on the URL when it is saved and on every address DNS gives at send time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// Why a URL cannot be a webhook target.
pub type Refusal = String;

/// The longest URL kept.
pub const URL_MAX: usize = 2000;

/// Whether `ip` is an address a webhook must never reach.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // Carrier-grade NAT, also where some clouds keep metadata (100.100.100.200).
        || (a == 100 && (64..128).contains(&b))
}

fn forbidden_v6(ip: Ipv6Addr) -> bool {
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
}

/// The URL parsed and checked: `http` or `https`, a host, no credentials in
/// it, and (unless `allow_private`) not a forbidden address literal. Host
/// names are checked again after DNS at each send.
pub fn parse(raw: &str, allow_private: bool) -> Result<Url, Refusal> {
    let raw = raw.trim();
    if raw.len() > URL_MAX {
        return Err(format!("at most {URL_MAX} characters"));
    }
    let url = Url::parse(raw).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http or https URL".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; the signature authenticates".to_owned());
    }
    let literal = match url.host() {
        None => return Err("must name a host".to_owned()),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(name)) => {
            let local = name.eq_ignore_ascii_case("localhost") || name.ends_with(".localhost");
            (local && !allow_private).then_some(IpAddr::V4(Ipv4Addr::LOCALHOST))
        }
    };
    if let Some(ip) = literal
        && !allow_private
        && is_forbidden(ip)
    {
        return Err(format!("{ip} is not a public address"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_forbidden_and_public_ones_allowed() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = internal.parse().unwrap();
            assert!(is_forbidden(ip), "{internal}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(!is_forbidden(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_must_be_http_to_a_public_host() {
        assert!(parse("https://hooks.example.com/in", false).is_ok());
        assert!(parse("ftp://example.com", false).is_err());
        assert!(parse("http://user:pw@example.com", false).is_err());
        assert!(parse("http://169.254.169.254/latest", false).is_err());
        assert!(parse("http://[::1]:8080/", false).is_err());
        assert!(parse("http://localhost:9000/", false).is_err());
        assert!(parse("http://127.0.0.1:9000/", true).is_ok());
    }
}
