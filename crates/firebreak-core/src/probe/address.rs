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
        if text.is_empty() || text.trim() != text || text.contains(char::is_whitespace) {
            return Err(bad(""));
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let Some((host, after)) = rest.split_once(']') else {
                return Err(bad(" (unclosed [ in an IPv6 address)"));
            };
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad(" (only an IPv6 address goes in brackets)"));
            }
            if after.is_empty() {
                (host, None)
            } else if let Some(port) = after.strip_prefix(':') {
                (host, Some(port))
            } else {
                return Err(bad(""));
            }
        } else {
            match text.rsplit_once(':') {
                None => (text, None),
                Some((host, port)) => {
                    if host.contains(':') {
                        if port_required || text.parse::<std::net::Ipv6Addr>().is_err() {
                            return Err(bad(
                                " (write an IPv6 address in brackets: [2001:db8::1]:443)",
                            ));
                        }
                        (text, None)
                    } else {
                        (host, Some(port))
                    }
                }
            }
        };
        if host.is_empty() {
            return Err(bad(" (the host is empty)"));
        }
        if host.contains(['/', '?', '#', '@', '[', ']']) {
            return Err(bad(""));
        }
        let port = match port {
            None if port_required => return Err(bad(" (no port)")),
            None => None,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.chars().all(|c| c.is_ascii_digit()) => Some(n),
                _ => {
                    return Err(bad(&format!(
                        " (port {p:?} is not a number from 1 to 65535)"
                    )));
                }
            },
        };
        Ok(HostPort {
            host: host.to_string(),
            port,
        })
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
