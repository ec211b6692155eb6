//! Targets people type on the command line or in the ad-hoc probe box, read into the
//! same [`ProbeSpec`] a runbook's `probe` fence gives:
//!
//! | typed | probe |
//! | --- | --- |
//! | `http://…`, `https://…` | `http` with the defaults (GET, any 2xx, redirects followed) |
//! | `tcp://host:port` | `tcp` |
//! | `tls://host:port[?server_name=NAME&min_days_left=N]` | `tls` |
//! | `dns://[server[:port]]/name[?type=AAAA]` | `dns` |
//!
//! For DNS, `dns:///name` and `dns:name` ask the system resolver; `dns://name` (no
//! path) does too, because that is what someone typing it means, although RFC 4501
//! would read `name` as the server.

use super::address::HostPort;
use crate::runbook::probe_spec::{
    DEFAULT_MIN_DAYS_LEFT, DnsProbe, HttpProbe, ProbeSpec, ProbeTarget, RecordType, TcpProbe,
    TlsProbe,
};

const FORMS: &str =
    "http(s)://…, tcp://host:port, tls://host:port or dns://[server:port]/name?type=A";

/// A target that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad target {target:?}: {message}")]
pub struct TargetError {
    pub target: String,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Reads a typed target into a probe with default expectations. The spec has no name
/// and no timeout (the caller sets `--timeout`, `--ca` on it).
pub fn parse_target(text: &str) -> Result<ProbeSpec, TargetError> {
    let text = text.trim();
    let fail = |message: String| TargetError {
        target: text.to_string(),
        message,
    };
    let Some((scheme, rest)) = text.split_once(':') else {
        return Err(fail(format!("no scheme: expected {FORMS}")));
    };
    let scheme = scheme.to_ascii_lowercase();
    let target = match scheme.as_str() {
        "http" | "https" => ProbeTarget::Http(Box::new(http(text).map_err(fail)?)),
        "tcp" => {
            let (address, query) = authority_only(rest, "tcp").map_err(fail)?;
            if let Some(q) = query {
                return Err(fail(format!(
                    "unexpected ?{q}: tcp targets take no options"
                )));
            }
            ProbeTarget::Tcp(TcpProbe {
                address,
                max_latency: None,
            })
        }
        "tls" => {
            let (address, query) = authority_only(rest, "tls").map_err(fail)?;
            let mut probe = TlsProbe {
                address,
                server_name: None,
                min_days_left: DEFAULT_MIN_DAYS_LEFT,
                ca: None,
            };
            for (key, value) in query_pairs(query.as_deref()).map_err(fail)? {
                match key.as_str() {
                    "server_name" | "sni" => {
                        if value.is_empty() || value.contains(char::is_whitespace) {
                            return Err(fail(format!(
                                "bad server_name {value:?}: expected a host name"
                            )));
                        }
                        probe.server_name = Some(value);
                    }
                    "min_days_left" => {
                        probe.min_days_left = value.parse().map_err(|_| {
                            fail(format!(
                                "bad min_days_left {value:?}: expected a whole number of days"
                            ))
                        })?;
                    }
                    other => {
                        return Err(fail(format!(
                            "unknown option {other:?}: expected server_name or min_days_left"
                        )));
                    }
                }
            }
            ProbeTarget::Tls(probe)
        }
        "dns" => ProbeTarget::Dns(dns(rest).map_err(fail)?),
        other => {
            return Err(fail(format!("unknown scheme {other:?}: expected {FORMS}")));
        }
    };
    Ok(ProbeSpec {
        name: None,
        timeout: None,
        target,
    })
}

fn http(text: &str) -> Result<HttpProbe, String> {
    let url = url::Url::parse(text)
        .map_err(|e| format!("{e}: expected a URL such as https://api.example.com/health"))?;
    if url.host().is_none() {
        return Err("the URL has no host".to_string());
    }
    Ok(HttpProbe::get(text))
}

/// `//host:port[/][?query]` → the address and the query.
fn authority_only(rest: &str, scheme: &str) -> Result<(String, Option<String>), String> {
    let Some(rest) = rest.strip_prefix("//") else {
        return Err(format!("expected {scheme}://host:port"));
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q.to_string())),
        None => (rest, None),
    };
    let address = rest.strip_suffix('/').unwrap_or(rest);
    if address.contains('/') {
        return Err(format!(
            "unexpected path in a {scheme} target: expected {scheme}://host:port"
        ));
    }
    HostPort::parse(address, true)?;
    Ok((address.to_string(), query))
}

fn query_pairs(query: Option<&str>) -> Result<Vec<(String, String)>, String> {
    let Some(query) = query else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("bad option {pair:?}: expected key=value"));
        };
        out.push((k.to_ascii_lowercase(), v.to_string()));
    }
    Ok(out)
}

fn dns(rest: &str) -> Result<DnsProbe, String> {
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (server, name) = if let Some(after) = rest.strip_prefix("//") {
        match after.split_once('/') {
            Some((server, name)) => ((!server.is_empty()).then_some(server), name),
            // dns://name: the name, asked of the system resolver.
            None => (None, after),
        }
    } else {
        (None, rest)
    };
    if let Some(server) = server {
        HostPort::parse(server, false)?;
    }
    check_dns_name(name)?;
    let mut record = RecordType::A;
    for (key, value) in query_pairs(query)? {
        match key.as_str() {
            "type" | "record" => {
                record = RecordType::parse(&value).ok_or_else(|| {
                    format!(
                        "unknown record type {value:?}: expected one of {}",
                        RecordType::ALL.map(RecordType::as_str).join(", ")
                    )
                })?;
            }
            other => return Err(format!("unknown option {other:?}: expected type")),
        }
    }
    Ok(DnsProbe {
        query: name.to_string(),
        record,
        server: server.map(str::to_string),
        expect: Vec::new(),
    })
}

fn check_dns_name(name: &str) -> Result<(), String> {
    let expected = "expected dns://[server:port]/name?type=A, such as dns:///example.com?type=AAAA";
    if name.is_empty() {
        return Err(format!("no name to resolve: {expected}"));
    }
    if name.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(format!("bad name {name:?}: {expected}"));
    }
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.len() > 253 {
        return Err(format!("name {name:?} is longer than 253 characters"));
    }
    if trimmed
        .split('.')
        .any(|label| label.is_empty() || label.len() > 63)
    {
        return Err(format!(
            "bad name {name:?}: each label must have 1 to 63 characters"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> ProbeSpec {
        parse_target(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn error(text: &str) -> String {
        match parse_target(text) {
            Ok(s) => panic!("{text:?} parsed: {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn http_targets() {
        let s = spec("https://api.example.com/health?x=1");
        let ProbeTarget::Http(h) = &s.target else {
            panic!("http expected");
        };
        assert_eq!(h.url, "https://api.example.com/health?x=1");
        assert_eq!(h.method, "GET");
        assert!(h.follow_redirects);
        assert_eq!(h.expect_status, None);
        assert_eq!(s.timeout, None);
        assert!(matches!(
            spec(" HTTP://[::1]:8080/ ").target,
            ProbeTarget::Http(_)
        ));
    }

    #[test]
    fn tcp_and_tls_targets() {
        let ProbeTarget::Tcp(t) = spec("tcp://db.example.com:5432").target else {
            panic!("tcp expected");
        };
        assert_eq!(t.address, "db.example.com:5432");
        let ProbeTarget::Tcp(t) = spec("tcp://[2001:db8::1]:22/").target else {
            panic!("tcp expected");
        };
        assert_eq!(t.address, "[2001:db8::1]:22");
        let ProbeTarget::Tls(t) =
            spec("tls://192.0.2.1:443?server_name=api.example.com&min_days_left=30").target
        else {
            panic!("tls expected");
        };
        assert_eq!(t.address, "192.0.2.1:443");
        assert_eq!(t.server_name.as_deref(), Some("api.example.com"));
        assert_eq!(t.min_days_left, 30);
        let ProbeTarget::Tls(t) = spec("tls://api.example.com:443").target else {
            panic!("tls expected");
        };
        assert_eq!(t.server_name, None);
        assert_eq!(t.min_days_left, DEFAULT_MIN_DAYS_LEFT);
    }

    #[test]
    fn dns_targets() {
        let cases = [
            (
                "dns://192.0.2.53:5353/example.com?type=AAAA",
                Some("192.0.2.53:5353"),
                "example.com",
                RecordType::Aaaa,
            ),
            (
                "dns://[2001:db8::53]/example.com",
                Some("[2001:db8::53]"),
                "example.com",
                RecordType::A,
            ),
            (
                "dns:///example.com?type=mx",
                None,
                "example.com",
                RecordType::Mx,
            ),
            (
                "dns:example.com?type=TXT",
                None,
                "example.com",
                RecordType::Txt,
            ),
            ("dns://example.com", None, "example.com", RecordType::A),
            (
                "dns://example.com.?record=ns",
                None,
                "example.com.",
                RecordType::Ns,
            ),
        ];
        for (text, server, name, record) in cases {
            let ProbeTarget::Dns(d) = spec(text).target else {
                panic!("dns expected for {text}");
            };
            assert_eq!(d.server.as_deref(), server, "{text}");
            assert_eq!(d.query, name, "{text}");
            assert_eq!(d.record, record, "{text}");
            assert!(d.expect.is_empty());
        }
    }

    #[test]
    fn clear_errors() {
        assert_eq!(
            error("ftp://x"),
            format!("bad target \"ftp://x\": unknown scheme \"ftp\": expected {FORMS}")
        );
        assert!(error("example.com").contains("no scheme"));
        assert!(
            error("https://").contains("empty host"),
            "{}",
            error("https://")
        );
        assert!(error("tcp://db").contains("no port"));
        assert!(error("tcp://db:99999").contains("port \"99999\""));
        assert!(error("tcp:db:5432").contains("expected tcp://host:port"));
        assert!(error("tcp://db:5432/path").contains("unexpected path"));
        assert!(error("tcp://db:5432?x=1").contains("take no options"));
        assert!(error("tls://h:443?bogus=1").contains("unknown option \"bogus\""));
        assert!(error("tls://h:443?min_days_left=soon").contains("bad min_days_left"));
        assert!(error("dns:///x?type=AAAAA").contains("unknown record type \"AAAAA\""));
        assert!(error("dns:///").contains("no name to resolve"));
        assert!(error("dns://1.2.3.4:0/x").contains("port \"0\""));
        assert!(error("dns:///a..b").contains("1 to 63"));
        assert!(error("dns:///x?class=IN").contains("unknown option \"class\""));
    }
}
