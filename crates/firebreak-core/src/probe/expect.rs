//! Judging what a probe saw against what it expected, and saying so in words.
//!
//! Pure, so every reason a person will read is unit-tested here rather than through a
//! network.

use super::result::{FailureClass, Outcome};
use crate::runbook::probe_spec::{DnsProbe, HttpProbe, RecordType};
use std::net::IpAddr;
use std::time::Duration;

/// True when `status` is accepted: one of `expect`, or any 2xx without it.
pub fn status_accepted(expect: Option<&[u16]>, status: u16) -> bool {
    match expect {
        Some(list) => list.contains(&status),
        None => (200..300).contains(&status),
    }
}

/// `"200"`, `"200 or 204"`, `"200, 201 or 204"`, `"a 2xx"`.
pub fn describe_statuses(expect: Option<&[u16]>) -> String {
    match expect {
        None | Some([]) => "a 2xx".to_string(),
        Some([one]) => one.to_string(),
        Some(list) => {
            let (last, head) = list.split_last().unwrap_or((&0, &[]));
            let head: Vec<String> = head.iter().map(u16::to_string).collect();
            format!("{} or {last}", head.join(", "))
        }
    }
}

/// Milliseconds for people: `0.42 ms`, `3.21 ms`, `12.4 ms`, `123 ms`, `1.23 s`.
pub fn format_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        return format!("{ms} ms");
    }
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 100.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A configured limit for people: `50 ms`, `800 ms`, `2 s`, `1.50 s`.
pub fn format_limit(d: Duration) -> String {
    let ms = d.as_millis();
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        format_ms(duration_ms(d))
    } else if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.2} s", duration_ms(d) / 1000.0)
    }
}

fn duration_ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// What an HTTP probe saw of its last response, for [`judge_http`].
#[derive(Debug, Clone, Copy)]
pub struct HttpSeen<'a> {
    pub status: u16,
    /// The `location` header, for saying where a refused redirect pointed.
    pub location: Option<&'a str>,
    /// The body excerpt (the first 64 KiB).
    pub body: &'a str,
    /// The body was longer than the excerpt.
    pub body_truncated: bool,
    /// Whole run, start to last byte.
    pub total_ms: f64,
}

/// Checks status, header, body, regex and latency, in that order, and returns the
/// first that fails: the status first because a wrong status makes the body checks
/// noise. `has_header` is asked about `expect_header` (names are case-insensitive).
/// `Err` holds a [`Outcome::Failed`], or an [`Outcome::Error`] when the regex does not
/// compile (a placeholder filled with a bad pattern).
pub fn judge_http(
    probe: &HttpProbe,
    seen: &HttpSeen<'_>,
    has_header: &dyn Fn(&str) -> bool,
) -> Result<(), Outcome> {
    let expect = probe.expect_status.as_deref();
    if !status_accepted(expect, seen.status) {
        let mut reason = match expect {
            Some(list) if !list.is_empty() => format!(
                "expected status {}, got {}",
                describe_statuses(expect),
                seen.status
            ),
            _ => format!("expected a 2xx status, got {}", seen.status),
        };
        if let Some(location) = seen.location
            && (300..400).contains(&seen.status)
        {
            let why = if probe.follow_redirects {
                ""
            } else {
                ", not followed"
            };
            reason.push_str(&format!(" (redirect to {location}{why})"));
        }
        return Err(Outcome::failed(FailureClass::HttpStatus, reason));
    }
    if let Some(header) = &probe.expect_header
        && !has_header(header)
    {
        return Err(Outcome::failed(
            FailureClass::HeaderMissing,
            format!("header {:?} is missing", header.to_ascii_lowercase()),
        ));
    }
    let scope = if seen.body_truncated {
        " in the first 64 KiB"
    } else {
        ""
    };
    if let Some(needle) = &probe.expect_body
        && !seen.body.contains(needle.as_str())
    {
        return Err(Outcome::failed(
            FailureClass::BodyMismatch,
            format!(
                "body does not contain {needle:?}{scope} ({})",
                body_glimpse(seen.body)
            ),
        ));
    }
    if let Some(pattern) = &probe.expect_body_regex {
        let re = regex::Regex::new(pattern).map_err(|e| {
            Outcome::error(
                FailureClass::BadTarget,
                format!(
                    "bad expect_body_regex {pattern:?}: {}",
                    e.to_string().lines().last().unwrap_or("invalid")
                ),
            )
        })?;
        if !re.is_match(seen.body) {
            return Err(Outcome::failed(
                FailureClass::BodyMismatch,
                format!(
                    "body does not match /{pattern}/{scope} ({})",
                    body_glimpse(seen.body)
                ),
            ));
        }
    }
    judge_latency(probe.max_latency, seen.total_ms)
}

/// `Err(TooSlow)` when `took_ms` is over `max`.
pub fn judge_latency(max: Option<Duration>, took_ms: f64) -> Result<(), Outcome> {
    match max {
        Some(max) if took_ms > duration_ms(max) => Err(Outcome::failed(
            FailureClass::TooSlow,
            format!(
                "took {}, more than the {} allowed",
                format_ms(took_ms),
                format_limit(max)
            ),
        )),
        _ => Ok(()),
    }
}

/// The start of a body on one line, for a reason: `it starts with "<html>…"`.
fn body_glimpse(body: &str) -> String {
    let trimmed = body.trim_start();
    if trimmed.is_empty() {
        return "the body is empty".to_string();
    }
    let one_line: String = trimmed
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(60)
        .collect();
    let more = if trimmed.chars().count() > 60 {
        "…"
    } else {
        ""
    };
    format!("it starts with {:?}", format!("{one_line}{more}"))
}

/// An answer in the form used for comparing: IP addresses in canonical form, names
/// lower-cased without the trailing dot, whitespace collapsed. `2001:DB8::0:1`,
/// `Mail.Example.` and `10  mail.example` compare equal to what the server sent.
pub fn normalize_answer(record: RecordType, text: &str) -> String {
    let text = text.trim();
    match record {
        RecordType::A | RecordType::Aaaa => match text.parse::<IpAddr>() {
            Ok(ip) => ip.to_string(),
            Err(_) => text.to_ascii_lowercase(),
        },
        RecordType::Txt => text.trim_matches('"').to_string(),
        RecordType::Cname | RecordType::Ns | RecordType::Mx | RecordType::Soa => text
            .split_whitespace()
            .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// Checks DNS answers: every expected answer must be among them; with none expected,
/// any answer passes. An empty answer set is `dns_no_answer` (the caller reports
/// NXDOMAIN itself, before this).
pub fn judge_dns(probe: &DnsProbe, answers: &[String]) -> Result<(), Outcome> {
    if answers.is_empty() {
        return Err(Outcome::failed(
            FailureClass::DnsNoAnswer,
            format!(
                "no {} record for {} (the name exists)",
                probe.record, probe.query
            ),
        ));
    }
    let got: Vec<String> = answers
        .iter()
        .map(|a| normalize_answer(probe.record, a))
        .collect();
    let missing: Vec<&String> = probe
        .expect
        .iter()
        .filter(|e| !got.contains(&normalize_answer(probe.record, e)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let missing: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
    Err(Outcome::failed(
        FailureClass::DnsAnswerMismatch,
        format!(
            "expected {} among the {} answers for {}, got {}",
            missing.join(", "),
            probe.record,
            probe.query,
            answers.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http() -> HttpProbe {
        HttpProbe::get("https://x.example/")
    }

    fn seen(status: u16, body: &str) -> HttpSeen<'_> {
        HttpSeen {
            status,
            location: None,
            body,
            body_truncated: false,
            total_ms: 12.0,
        }
    }

    fn reason(r: Result<(), Outcome>) -> (FailureClass, String) {
        match r {
            Err(Outcome::Failed { class, reason }) => (class, reason),
            Err(Outcome::Error { class, message }) => (class, message),
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn statuses() {
        assert!(status_accepted(None, 204));
        assert!(!status_accepted(None, 301));
        assert!(status_accepted(Some(&[301, 302]), 302));
        assert_eq!(describe_statuses(None), "a 2xx");
        assert_eq!(describe_statuses(Some(&[200])), "200");
        assert_eq!(describe_statuses(Some(&[200, 204])), "200 or 204");
        assert_eq!(describe_statuses(Some(&[200, 201, 204])), "200, 201 or 204");
    }

    #[test]
    fn http_reasons() {
        let mut p = http();
        p.expect_status = Some(vec![200]);
        assert_eq!(
            reason(judge_http(&p, &seen(503, ""), &|_| true)),
            (
                FailureClass::HttpStatus,
                "expected status 200, got 503".into()
            )
        );
        let mut p = http();
        p.follow_redirects = false;
        let s = HttpSeen {
            location: Some("https://y.example/"),
            ..seen(301, "")
        };
        assert_eq!(
            reason(judge_http(&p, &s, &|_| true)).1,
            "expected a 2xx status, got 301 (redirect to https://y.example/, not followed)"
        );
        let mut p = http();
        p.expect_header = Some("X-Request-Id".into());
        assert_eq!(
            reason(judge_http(&p, &seen(200, ""), &|_| false)),
            (
                FailureClass::HeaderMissing,
                "header \"x-request-id\" is missing".into()
            )
        );
        assert!(judge_http(&p, &seen(200, ""), &|h| h == "X-Request-Id").is_ok());
        let mut p = http();
        p.expect_body = Some("ok".into());
        assert_eq!(
            reason(judge_http(&p, &seen(200, "  <html>\n<b>down</b>"), &|_| {
                true
            })),
            (
                FailureClass::BodyMismatch,
                "body does not contain \"ok\" (it starts with \"<html> <b>down</b>\")".into()
            )
        );
        assert_eq!(
            reason(judge_http(&p, &seen(200, ""), &|_| true)).1,
            "body does not contain \"ok\" (the body is empty)"
        );
        let mut p = http();
        p.expect_body_regex = Some("\"status\":\\s*\"ok\"".into());
        assert!(judge_http(&p, &seen(200, "{\"status\": \"ok\"}"), &|_| true).is_ok());
        let s = HttpSeen {
            body_truncated: true,
            ..seen(200, "{\"status\": \"down\"}")
        };
        assert!(
            reason(judge_http(&p, &s, &|_| true))
                .1
                .starts_with("body does not match /\"status\":\\s*\"ok\"/ in the first 64 KiB")
        );
        p.expect_body_regex = Some("(".into());
        let (class, message) = reason(judge_http(&p, &seen(200, ""), &|_| true));
        assert_eq!(class, FailureClass::BadTarget);
        assert!(
            message.starts_with("bad expect_body_regex \"(\""),
            "{message}"
        );
        let mut p = http();
        p.max_latency = Some(Duration::from_millis(800));
        let s = HttpSeen {
            total_ms: 912.3,
            ..seen(200, "")
        };
        assert_eq!(
            reason(judge_http(&p, &s, &|_| true)),
            (
                FailureClass::TooSlow,
                "took 912 ms, more than the 800 ms allowed".into()
            )
        );
    }

    #[test]
    fn milliseconds_for_people() {
        assert_eq!(format_ms(0.4213), "0.42 ms");
        assert_eq!(format_ms(12.44), "12.4 ms");
        assert_eq!(format_ms(123.4), "123 ms");
        assert_eq!(format_ms(1234.0), "1.23 s");
        assert_eq!(format_limit(Duration::from_millis(50)), "50 ms");
        assert_eq!(format_limit(Duration::from_secs(2)), "2 s");
        assert_eq!(format_limit(Duration::from_millis(1500)), "1.50 s");
    }

    #[test]
    fn dns_answers() {
        let mut p = DnsProbe {
            query: "api.example".into(),
            record: RecordType::Aaaa,
            server: None,
            expect: vec!["2001:DB8::0:1".into()],
        };
        assert!(judge_dns(&p, &["2001:db8::1".into()]).is_ok());
        assert_eq!(
            reason(judge_dns(&p, &["2001:db8::2".into()])),
            (
                FailureClass::DnsAnswerMismatch,
                "expected 2001:DB8::0:1 among the AAAA answers for api.example, got 2001:db8::2"
                    .into()
            )
        );
        assert_eq!(
            reason(judge_dns(&p, &[])),
            (
                FailureClass::DnsNoAnswer,
                "no AAAA record for api.example (the name exists)".into()
            )
        );
        p.record = RecordType::Mx;
        p.expect = vec!["10  Mail.Example.".into()];
        assert!(judge_dns(&p, &["10 mail.example.".into()]).is_ok());
        p.record = RecordType::Txt;
        p.expect = vec!["\"v=spf1 -all\"".into()];
        assert!(judge_dns(&p, &["v=spf1 -all".into()]).is_ok());
        p.expect.clear();
        assert!(judge_dns(&p, &["anything".into()]).is_ok());
    }
}
