//! Which addresses a probe from an imported runbook must not reach without asking.
//!
//! A runbook written by someone else can aim a probe at the responder's own machine
//! (loopback), at the local link (169.254.0.0/16, fe80::/10), or at a cloud instance's
//! metadata service, which hands out credentials to whoever asks from inside the
//! instance. The desktop and the CLI ask once before such a probe runs; these pure
//! functions tell them when to ask. They look at the host as written, including the
//! spellings an attacker would use to hide a loopback or metadata address (`0x7f.1`,
//! `2130706433`, `::ffff:169.254.169.254`), because the system resolver accepts those
//! too. A name that *resolves* to such an address is caught by the engine at connect
//! time instead (`RunOptions::refuse_sensitive` in `firebreak-probe`).

use super::address::HostPort;
use crate::runbook::probe_spec::{ProbeSpec, ProbeTarget};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address needs the user's say-so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sensitive {
    /// This machine: 127.0.0.0/8, ::1, `localhost`, and the unspecified address
    /// (0.0.0.0 and ::, which connect to this machine on Linux and macOS).
    Loopback,
    /// The local link: 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// A cloud metadata service (it answers with the instance's credentials).
    CloudMetadata,
}

impl Sensitive {
    /// Words for the question put to the user.
    pub fn describe(self) -> &'static str {
        match self {
            Sensitive::Loopback => "this machine (loopback)",
            Sensitive::LinkLocal => "the local link (link-local)",
            Sensitive::CloudMetadata => "a cloud metadata service",
        }
    }
}

impl fmt::Display for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// IPv4 addresses of metadata services: AWS, GCP, Azure, OCI, OpenStack and
/// DigitalOcean all use 169.254.169.254; AWS ECS task metadata 169.254.170.2; Alibaba
/// 100.100.100.200; Oracle's legacy 192.0.0.192; Azure's WireServer 168.63.129.16.
const METADATA_V4: [Ipv4Addr; 5] = [
    Ipv4Addr::new(169, 254, 169, 254),
    Ipv4Addr::new(169, 254, 170, 2),
    Ipv4Addr::new(100, 100, 100, 200),
    Ipv4Addr::new(192, 0, 0, 192),
    Ipv4Addr::new(168, 63, 129, 16),
];

/// IPv6 metadata services: AWS IMDS (`fd00:ec2::254`) and ECS (`fd00:ec2::23`),
/// GCP (`fd20:ce::254`).
const METADATA_V6: [Ipv6Addr; 3] = [
    Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x254),
    Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23),
    Ipv6Addr::new(0xfd20, 0x00ce, 0, 0, 0, 0, 0, 0x254),
];

/// Host names of metadata services.
const METADATA_NAMES: [&str; 5] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
];

/// Classifies an IP address; `None` for an ordinary one.
pub fn classify_ip(ip: IpAddr) -> Option<Sensitive> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<Sensitive> {
    if METADATA_V4.contains(&ip) {
        Some(Sensitive::CloudMetadata)
    } else if ip.is_loopback() || ip.is_unspecified() {
        Some(Sensitive::Loopback)
    } else if ip.is_link_local() {
        Some(Sensitive::LinkLocal)
    } else {
        None
    }
}

fn classify_v6(ip: Ipv6Addr) -> Option<Sensitive> {
    if METADATA_V6.contains(&ip) {
        return Some(Sensitive::CloudMetadata);
    }
    if ip.is_loopback() || ip.is_unspecified() {
        return Some(Sensitive::Loopback);
    }
    // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address
    // the packet ends up at.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let s = ip.segments();
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [a, b] = s[6].to_be_bytes();
        let [c, d] = s[7].to_be_bytes();
        return classify_v4(Ipv4Addr::new(a, b, c, d));
    }
    if (s[0] & 0xffc0) == 0xfe80 {
        return Some(Sensitive::LinkLocal);
    }
    None
}

/// Classifies a host as written in a URL or address (no port): an IP address in any
/// spelling the system resolver accepts (brackets, IPv4 in decimal, octal or hex, or
/// fewer than four parts), or a name (`localhost`, `*.localhost`, metadata names).
/// Names are compared without case and without a trailing dot.
pub fn classify_host(host: &str) -> Option<Sensitive> {
    let host = host.trim();
    let unbracketed = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    // A zone id (fe80::1%eth0) is only on link-local addresses, but keep the check.
    let without_zone = unbracketed.split('%').next().unwrap_or(unbracketed);
    if let Ok(v6) = without_zone.parse::<Ipv6Addr>() {
        return classify_v6(v6);
    }
    if let Some(v4) = parse_ipv4_lenient(unbracketed) {
        return classify_v4(v4);
    }
    let name = unbracketed.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost"
        || name.ends_with(".localhost")
        || name == "localhost.localdomain"
        || name == "ip6-localhost"
        || name == "ip6-loopback"
    {
        return Some(Sensitive::Loopback);
    }
    if METADATA_NAMES.contains(&name.as_str()) {
        return Some(Sensitive::CloudMetadata);
    }
    None
}

/// IPv4 the way `inet_aton` (and so `getaddrinfo`) reads it: one to four parts, each
/// decimal, octal (leading `0`) or hex (`0x`); the last part fills the remaining bytes.
/// `127.1`, `0x7f000001` and `2130706433` are all 127.0.0.1.
pub fn parse_ipv4_lenient(text: &str) -> Option<Ipv4Addr> {
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::with_capacity(parts.len());
    for part in &parts {
        numbers.push(parse_ipv4_part(part)?);
    }
    let (last, head) = numbers.split_last()?;
    let mut value: u64 = 0;
    for (i, n) in head.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        value |= n << (8 * (3 - i));
    }
    let remaining_bits = 8 * (4 - head.len());
    if remaining_bits < 64 && *last >= (1u64 << remaining_bits) {
        return None;
    }
    value |= last;
    u32::try_from(value).ok().map(Ipv4Addr::from)
}

fn parse_ipv4_part(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() {
        // "0x" alone is 0 for inet_aton.
        return (radix == 16).then_some(0);
    }
    if !digits.chars().all(|c| c.is_digit(radix)) || digits.len() > 12 {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// A host of a probe that needs asking about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensitiveHost {
    /// Which part of the probe names it: `url`, `address`, `server`.
    pub field: &'static str,
    pub host: String,
    pub what: Sensitive,
}

/// The hosts of a (filled) probe that are loopback, link-local or cloud metadata: the
/// URL's host, the address's host, the DNS server's host. Placeholders must be filled
/// first; a value that does not parse is left to the engine to refuse.
pub fn sensitive_hosts(spec: &ProbeSpec) -> Vec<SensitiveHost> {
    let mut found = Vec::new();
    let mut check = |field: &'static str, host: &str| {
        if let Some(what) = classify_host(host) {
            found.push(SensitiveHost {
                field,
                host: host.to_string(),
                what,
            });
        }
    };
    match &spec.target {
        ProbeTarget::Http(h) => {
            if let Ok(url) = url::Url::parse(h.url.trim()) {
                match url.host() {
                    Some(url::Host::Ipv4(ip)) => {
                        if let Some(what) = classify_v4(ip) {
                            found.push(SensitiveHost {
                                field: "url",
                                host: ip.to_string(),
                                what,
                            });
                        }
                    }
                    Some(url::Host::Ipv6(ip)) => {
                        if let Some(what) = classify_v6(ip) {
                            found.push(SensitiveHost {
                                field: "url",
                                host: ip.to_string(),
                                what,
                            });
                        }
                    }
                    Some(url::Host::Domain(d)) => check("url", d),
                    None => {}
                }
            }
        }
        ProbeTarget::Tcp(t) => {
            if let Ok(hp) = HostPort::parse(&t.address, true) {
                check("address", &hp.host);
            }
        }
        ProbeTarget::Tls(t) => {
            if let Ok(hp) = HostPort::parse(&t.address, true) {
                check("address", &hp.host);
            }
        }
        ProbeTarget::Dns(d) => {
            if let Some(server) = &d.server
                && let Ok(hp) = HostPort::parse(server, false)
            {
                check("server", &hp.host);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::target::parse_target;

    #[test]
    fn classifies_ips() {
        for (ip, want) in [
            ("127.0.0.1", Some(Sensitive::Loopback)),
            ("127.255.0.9", Some(Sensitive::Loopback)),
            ("0.0.0.0", Some(Sensitive::Loopback)),
            ("::1", Some(Sensitive::Loopback)),
            ("::", Some(Sensitive::Loopback)),
            ("::ffff:127.0.0.1", Some(Sensitive::Loopback)),
            ("169.254.1.1", Some(Sensitive::LinkLocal)),
            ("fe80::1", Some(Sensitive::LinkLocal)),
            ("febf::1", Some(Sensitive::LinkLocal)),
            ("169.254.169.254", Some(Sensitive::CloudMetadata)),
            ("169.254.170.2", Some(Sensitive::CloudMetadata)),
            ("fd00:ec2::254", Some(Sensitive::CloudMetadata)),
            ("fd20:ce::254", Some(Sensitive::CloudMetadata)),
            ("100.100.100.200", Some(Sensitive::CloudMetadata)),
            ("168.63.129.16", Some(Sensitive::CloudMetadata)),
            ("::ffff:169.254.169.254", Some(Sensitive::CloudMetadata)),
            ("64:ff9b::a9fe:a9fe", Some(Sensitive::CloudMetadata)),
            ("192.0.2.1", None),
            ("10.0.0.1", None),
            ("2001:db8::1", None),
            ("fec0::1", None),
            ("fd00:ec2::253", None),
        ] {
            let parsed: IpAddr = ip.parse().expect(ip);
            assert_eq!(classify_ip(parsed), want, "{ip}");
        }
    }

    #[test]
    fn classifies_hosts_in_every_spelling() {
        for (host, want) in [
            ("localhost", Some(Sensitive::Loopback)),
            ("LOCALHOST.", Some(Sensitive::Loopback)),
            ("api.localhost", Some(Sensitive::Loopback)),
            ("[::1]", Some(Sensitive::Loopback)),
            ("127.1", Some(Sensitive::Loopback)),
            ("0x7f000001", Some(Sensitive::Loopback)),
            ("2130706433", Some(Sensitive::Loopback)),
            ("0177.0.0.1", Some(Sensitive::Loopback)),
            ("0", Some(Sensitive::Loopback)),
            ("2852039166", Some(Sensitive::CloudMetadata)),
            ("0xa9.0xfe.0xa9.0xfe", Some(Sensitive::CloudMetadata)),
            ("169.254.43518", Some(Sensitive::CloudMetadata)),
            ("metadata.google.internal", Some(Sensitive::CloudMetadata)),
            ("Metadata.Google.Internal.", Some(Sensitive::CloudMetadata)),
            ("instance-data", Some(Sensitive::CloudMetadata)),
            ("[fe80::1%eth0]", Some(Sensitive::LinkLocal)),
            ("api.example.com", None),
            ("localhost.example.com", None),
            ("192.0.2.1", None),
            ("1.2.3.4.5", None),
            ("256.0.0.1", None),
            ("08.0.0.1", None),
            ("", None),
        ] {
            assert_eq!(classify_host(host), want, "{host:?}");
        }
    }

    #[test]
    fn lenient_ipv4() {
        assert_eq!(
            parse_ipv4_lenient("1.2.3.4"),
            Some(Ipv4Addr::new(1, 2, 3, 4))
        );
        assert_eq!(parse_ipv4_lenient("1.2.3"), Some(Ipv4Addr::new(1, 2, 0, 3)));
        assert_eq!(
            parse_ipv4_lenient("1.65535"),
            Some(Ipv4Addr::new(1, 0, 255, 255))
        );
        assert_eq!(
            parse_ipv4_lenient("1.65536"),
            Some(Ipv4Addr::new(1, 1, 0, 0))
        );
        assert_eq!(parse_ipv4_lenient("1.16777216"), None);
        assert_eq!(parse_ipv4_lenient("4294967296"), None);
        assert_eq!(parse_ipv4_lenient("1..2"), None);
        assert_eq!(parse_ipv4_lenient("example"), None);
    }

    #[test]
    fn finds_the_sensitive_hosts_of_a_probe() {
        let cases = [
            (
                "http://169.254.169.254/latest/meta-data/",
                Some(Sensitive::CloudMetadata),
            ),
            ("http://0xa9fea9fe/", Some(Sensitive::CloudMetadata)),
            ("https://[::1]:8443/x", Some(Sensitive::Loopback)),
            ("http://localhost:8080/", Some(Sensitive::Loopback)),
            ("tcp://127.0.0.1:5432", Some(Sensitive::Loopback)),
            ("tls://[fe80::1]:443", Some(Sensitive::LinkLocal)),
            ("dns://127.0.0.53/example.com", Some(Sensitive::Loopback)),
            ("https://api.example.com/health", None),
            ("dns:///example.com", None),
        ];
        for (target, want) in cases {
            let spec = parse_target(target).expect(target);
            let found = sensitive_hosts(&spec);
            assert_eq!(found.first().map(|h| h.what), want, "{target}: {found:?}");
        }
    }
}
