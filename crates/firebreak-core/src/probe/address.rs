//! `host:port` as probes write it: `db.example.com:5432`, `192.0.2.1:443`,
//! `[2001:db8::1]:443`, and (where the port may be left out) `2001:db8::53`.

use std::fmt;
use std::net::IpAddr;

/// A host and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPort {
    /// A name or an IP address, without brackets.
    pub host: String,
    pub port: Option<u16>,
}

/// What is wrong with a written address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressFlaw {
    Malformed,
    /// A URL where an address belongs (`http://db:80`).
    Url,
    UnclosedBracket,
    NotIpv6InBrackets,
    Ipv6NeedsBrackets,
    EmptyHost,
    NoPort,
    BadPort(String),
}

impl AddressFlaw {
    /// The detail that follows "expected …" in an error, with its leading space.
    pub fn detail(&self) -> String {
        match self {
            AddressFlaw::Malformed => String::new(),
            AddressFlaw::Url => " (an address, not a URL: leave out the scheme and path)".into(),
            AddressFlaw::UnclosedBracket => " (unclosed [ in an IPv6 address)".into(),
            AddressFlaw::NotIpv6InBrackets => " (only an IPv6 address goes in brackets)".into(),
            AddressFlaw::Ipv6NeedsBrackets => {
                " (write an IPv6 address in brackets: [2001:db8::1]:443)".into()
            }
            AddressFlaw::EmptyHost => " (the host is empty)".into(),
            AddressFlaw::NoPort => " (no port)".into(),
            AddressFlaw::BadPort(p) => format!(" (port {p:?} is not a number from 1 to 65535)"),
        }
    }
}

/// Checks a written address in which `unknown` (if given) stands for text not known
/// yet — a runbook placeholder without a default. What is known must be right; what
/// depends on unknown text is given the benefit of the doubt. Returns the address
/// when nothing in it is unknown.
pub fn check_address(
    text: &str,
    port_required: bool,
    unknown: Option<char>,
) -> Result<Option<HostPort>, AddressFlaw> {
    let is_unknown = |part: &str| unknown.is_some_and(|u| part.contains(u));
    let is_v6 = |part: &str| is_unknown(part) || part.parse::<std::net::Ipv6Addr>().is_ok();
    if text.is_empty() || text.trim() != text || text.contains(char::is_whitespace) {
        return Err(AddressFlaw::Malformed);
    }
    if text.contains("://") {
        return Err(AddressFlaw::Url);
    }
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let Some((host, after)) = rest.split_once(']') else {
            return Err(AddressFlaw::UnclosedBracket);
        };
        if !is_v6(host) {
            return Err(AddressFlaw::NotIpv6InBrackets);
        }
        if after.is_empty() {
            (host, None)
        } else if let Some(port) = after.strip_prefix(':') {
            (host, Some(port))
        } else {
            return Err(AddressFlaw::Malformed);
        }
    } else {
        match text.rsplit_once(':') {
            None => (text, None),
            Some((host, _)) if host.contains(':') => {
                // Only a bare IPv6 address has colons before the last one.
                if port_required || !is_v6(text) {
                    return Err(AddressFlaw::Ipv6NeedsBrackets);
                }
                (text, None)
            }
            Some((host, port)) => (host, Some(port)),
        }
    };
    if host.is_empty() {
        return Err(AddressFlaw::EmptyHost);
    }
    if host.contains(['/', '?', '#', '@', '[', ']']) {
        return Err(AddressFlaw::Malformed);
    }
    let port = match port {
        // An unknown part of the text may hold the port.
        None if port_required && !is_unknown(text) => return Err(AddressFlaw::NoPort),
        None => None,
        Some(p) if is_unknown(p) => None,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => Some(n),
            _ => return Err(AddressFlaw::BadPort(p.to_string())),
        },
    };
    if is_unknown(text) {
        return Ok(None);
    }
    Ok(Some(HostPort {
        host: host.to_string(),
        port,
    }))
}

impl HostPort {
    /// Parses `host:port`; with `port_required` false, `host` alone too. An IPv6
    /// address with a port must be in brackets (`[::1]:53`); without a port the
    /// brackets are optional.
    pub fn parse(text: &str, port_required: bool) -> Result<HostPort, String> {
        let example = if port_required {
            "host:port, such as db.example.com:5432 or [2001:db8::1]:443"
        } else {
            "host or host:port, such as 192.0.2.53 or 192.0.2.53:53"
        };
        let bad = |why: &str| format!("bad address {text:?}: expected {example}{why}");
        match check_address(text, port_required, None) {
            Ok(Some(hp)) => Ok(hp),
            // Nothing is unknown without a placeholder character, so this is unreachable
            // in practice; answer it as malformed rather than panic.
            Ok(None) => Err(bad("")),
            Err(flaw) => Err(bad(&flaw.detail())),
        }
    }

    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// The port, or `default`.
    pub fn port_or(&self, default: u16) -> u16 {
        self.port.unwrap_or(default)
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v6 = self.host.contains(':');
        match (v6, self.port) {
            (true, Some(p)) => write!(f, "[{}]:{p}", self.host),
            (false, Some(p)) => write!(f, "{}:{p}", self.host),
            (_, None) => f.write_str(&self.host),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str, port_required: bool) -> HostPort {
        HostPort::parse(text, port_required).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    #[test]
    fn unknown_parts_get_the_benefit_of_the_doubt_and_known_parts_do_not() {
        const U: char = '\u{e000}';
        let check = |text: &str, required: bool| check_address(text, required, Some(U));
        // A placeholder may be the host, the port, or both.
        assert_eq!(check("\u{e000}:5432", true), Ok(None));
        assert_eq!(check("db:\u{e000}", true), Ok(None));
        assert_eq!(
            check("\u{e000}", true),
            Ok(None),
            "it may hold the port too"
        );
        assert_eq!(check("[\u{e000}]:53", true), Ok(None));
        // What is known must still be right.
        assert_eq!(
            check("\u{e000}:99999", true),
            Err(AddressFlaw::BadPort("99999".into()))
        );
        assert_eq!(check("db", true), Err(AddressFlaw::NoPort));
        assert_eq!(check("[db]:53", true), Err(AddressFlaw::NotIpv6InBrackets));
        assert_eq!(check("http://\u{e000}:80", true), Err(AddressFlaw::Url));
        assert_eq!(
            check("db:80/health", true),
            Err(AddressFlaw::BadPort("80/health".into()))
        );
        // With nothing unknown, the address comes back parsed.
        assert_eq!(
            check("db:5432", true),
            Ok(Some(HostPort {
                host: "db".into(),
                port: Some(5432)
            }))
        );
    }

    #[test]
    fn parses_the_written_forms() {
        let hp = ok("db.example.com:5432", true);
        assert_eq!((hp.host.as_str(), hp.port), ("db.example.com", Some(5432)));
        assert_eq!(hp.ip(), None);
        let hp = ok("[2001:db8::1]:443", true);
        assert_eq!((hp.host.as_str(), hp.port), ("2001:db8::1", Some(443)));
        assert_eq!(hp.to_string(), "[2001:db8::1]:443");
        assert!(hp.ip().is_some());
        let hp = ok("2001:db8::53", false);
        assert_eq!((hp.host.as_str(), hp.port), ("2001:db8::53", None));
        assert_eq!(hp.port_or(53), 53);
        let hp = ok("[::1]", false);
        assert_eq!(hp.host, "::1");
        let hp = ok("192.0.2.53", false);
        assert_eq!(hp.to_string(), "192.0.2.53");
    }

    #[test]
    fn refuses_with_a_reason() {
        for (text, required, why) in [
            ("db", true, "no port"),
            ("db:0", true, "port \"0\""),
            ("db:65536", true, "port \"65536\""),
            ("db:+80", true, "port \"+80\""),
            ("2001:db8::1:443", true, "brackets"),
            ("[2001:db8::1", true, "unclosed"),
            ("[db]:80", true, "only an IPv6"),
            (":80", true, "host is empty"),
            ("a b:80", true, ""),
            ("", false, ""),
            ("x:y:z", false, "brackets"),
            ("db/x:80", true, ""),
        ] {
            let e = HostPort::parse(text, required).expect_err(text);
            assert!(e.starts_with("bad address"), "{e}");
            assert!(e.contains(why), "{text:?}: {e}");
        }
    }
}
