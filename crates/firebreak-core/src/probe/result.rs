//! What one probe run found, as plain serde data.
//!
//! A result is evidence: it is written into the findings log and read back months later
//! in a post-mortem, so it says what was asked (`kind`, `target`, `name`), when
//! (`started_at`), where it went (`resolved_addr`), how long each phase took
//! (`timings`), whether it passed (`ok`, `outcome`) and why, in one sentence a tired
//! person can read (`reason`). The kind-specific detail (`http`, `tls`, `dns`) is there
//! for whoever digs deeper.

use crate::runbook::probe_spec::{ProbeKind, RecordType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The most response body a result keeps: enough to see an error page or a health
/// document, small enough that thousands of results stay cheap to store and sync.
pub const BODY_EXCERPT_LIMIT: usize = 64 * 1024;

/// The result of one probe run. Built by the engine (`firebreak-probe`); everything
/// else only reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeResult {
    /// True exactly when `outcome` is [`Outcome::Passed`]; kept as a field so that a
    /// JSON reader needs no knowledge of the outcome's shape.
    pub ok: bool,
    #[serde(with = "kind_serde")]
    pub kind: ProbeKind,
    /// What was probed, as a person wrote it: the URL (`http`), `host:port` (`tcp`,
    /// `tls`) or the name queried (`dns`).
    pub target: String,
    /// The probe's label, if it has one.
    #[serde(default)]
    pub name: Option<String>,
    /// Wall-clock time at which the run started.
    pub started_at: DateTime<Utc>,
    /// The socket address actually connected to (`"192.0.2.10:443"`, `"[::1]:8080"`);
    /// for a DNS probe, the server that answered. `None` when nothing was reached.
    #[serde(default)]
    pub resolved_addr: Option<String>,
    pub timings: Timings,
    pub outcome: Outcome,
    /// One sentence for people: "expected status 200, got 503"; for a pass, what was
    /// seen ("status 200 in 12.4 ms").
    pub reason: String,
    #[serde(default)]
    pub http: Option<HttpDetail>,
    #[serde(default)]
    pub tls: Option<TlsDetail>,
    #[serde(default)]
    pub dns: Option<DnsDetail>,
}

impl ProbeResult {
    /// A result with no phase timed yet and the given outcome; `ok` and `reason` follow
    /// from the outcome (a pass gets `pass_reason`).
    pub fn new(
        kind: ProbeKind,
        target: impl Into<String>,
        name: Option<String>,
        started_at: DateTime<Utc>,
        outcome: Outcome,
    ) -> ProbeResult {
        let mut result = ProbeResult {
            ok: false,
            kind,
            target: target.into(),
            name,
            started_at,
            resolved_addr: None,
            timings: Timings::default(),
            outcome: Outcome::Passed,
            reason: String::new(),
            http: None,
            tls: None,
            dns: None,
        };
        result.set_outcome(outcome, "passed");
        result
    }

    /// Sets the outcome and keeps `ok` and `reason` in step with it. `pass_reason` is
    /// used only when the outcome is a pass.
    pub fn set_outcome(&mut self, outcome: Outcome, pass_reason: impl Into<String>) {
        self.ok = outcome.is_passed();
        self.reason = match &outcome {
            Outcome::Passed => pass_reason.into(),
            Outcome::Failed { reason, .. } => reason.clone(),
            Outcome::Error { message, .. } => message.clone(),
        };
        self.outcome = outcome;
    }

    /// Why it did not pass; `None` for a pass.
    pub fn class(&self) -> Option<FailureClass> {
        self.outcome.class()
    }

    /// The label people see: the name if there is one, else the target.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.target)
    }
}

/// Phase timings in milliseconds (fractions kept: loopback phases take microseconds).
///
/// These are **durations of each phase, not cumulative times**: `connect_ms` is how
/// long the TCP connect took, not the time from the start until it was done. People
/// read "TLS took 40 ms" faster than a difference of two timestamps, and a stacked bar
/// of phases is the latency chart. curl's `-w` timers are cumulative from the start;
/// the conversion is
///
/// | here | curl |
/// | --- | --- |
/// | `dns_ms` | `time_namelookup` |
/// | `connect_ms` | `time_connect - time_namelookup` |
/// | `tls_ms` | `time_appconnect - time_connect` (https only) |
/// | `first_byte_ms` | `time_starttransfer - max(time_connect, time_appconnect)` |
/// | `total_ms` | `time_total` |
///
/// `first_byte_ms` runs from the moment the connection is ready (TCP connected, TLS
/// done) to the first byte of the response: sending the request plus the server's
/// think time. `total_ms` runs from the start of the run to the last byte read, so it
/// includes every redirect hop; the other phases are those of the last hop. A phase
/// that did not happen (no TLS on plain HTTP, no connect after a failed lookup) is
/// `None`. For a host given as an IP address there is no lookup and `dns_ms` is the
/// few microseconds spent deciding so. A DNS probe puts its query time in `dns_ms`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub dns_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    pub first_byte_ms: Option<f64>,
    pub total_ms: Option<f64>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Every expectation held.
    Passed,
    /// The target answered, but not as expected (a 503, a missing header, an expired
    /// certificate, a wrong DNS answer, too slow).
    Failed { class: FailureClass, reason: String },
    /// No answer to judge: refused, unreachable, timed out, the name does not resolve,
    /// the handshake failed, the run was cancelled, or the probe itself is unusable.
    Error {
        class: FailureClass,
        message: String,
    },
}

impl Outcome {
    pub fn is_passed(&self) -> bool {
        matches!(self, Outcome::Passed)
    }

    pub fn class(&self) -> Option<FailureClass> {
        match self {
            Outcome::Passed => None,
            Outcome::Failed { class, .. } | Outcome::Error { class, .. } => Some(*class),
        }
    }

    pub fn failed(class: FailureClass, reason: impl Into<String>) -> Outcome {
        Outcome::Failed {
            class,
            reason: reason.into(),
        }
    }

    pub fn error(class: FailureClass, message: impl Into<String>) -> Outcome {
        Outcome::Error {
            class,
            message: message.into(),
        }
    }
}

/// Why a probe did not pass: a stable, machine-readable word (snake_case in JSON) that
/// the desktop maps to an icon and people can filter on. The same class can come as a
/// [`Outcome::Failed`] or an [`Outcome::Error`]: NXDOMAIN is the answer a DNS probe
/// judges (failed), but for an HTTP probe it means there was nothing to ask (error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    // The target answered, not as expected.
    /// The HTTP status is not an accepted one.
    HttpStatus,
    /// The body lacks the expected substring or does not match the expected regex.
    BodyMismatch,
    /// A header that must be present is not.
    HeaderMissing,
    /// It answered, but took longer than `max_latency`.
    TooSlow,
    /// The DNS answers lack an expected value.
    DnsAnswerMismatch,
    /// The name does not exist (NXDOMAIN).
    DnsNxdomain,
    /// The name exists but has no record of the type asked for.
    DnsNoAnswer,
    /// The certificate's not-after date has passed.
    CertExpired,
    /// The certificate's not-before date is still to come.
    CertNotYetValid,
    /// The certificate expires sooner than `min_days_left`.
    CertExpiring,
    /// The certificate is not valid for the name asked for.
    CertNameMismatch,
    /// The chain does not lead to a trusted root.
    CertUntrusted,
    /// Any other certificate fault (bad encoding, bad signature, revoked, …).
    CertInvalid,
    // No answer to judge.
    /// The resolver failed (SERVFAIL, REFUSED, no server, …).
    DnsFailure,
    /// The connection was refused (nothing listens there).
    Refused,
    /// No route to the host or network.
    Unreachable,
    /// No answer within the probe's timeout.
    Timeout,
    /// The peer reset or closed the connection before answering.
    Reset,
    /// The TLS handshake failed for a reason other than the certificate.
    TlsHandshake,
    /// The answer is not valid HTTP (or DNS).
    Protocol,
    /// More than the allowed number of redirects.
    TooManyRedirects,
    /// The probe cannot run as written: bad URL, address, regex or placeholder left.
    BadTarget,
    /// The extra CA file cannot be read or holds no certificate.
    CaFile,
    /// The address is one the run was told not to touch (loopback, link-local, cloud
    /// metadata).
    Blocked,
    /// The run was cancelled before it ended.
    Cancelled,
    /// Another I/O error.
    Io,
    /// A bug in the engine: it is reported, not hidden.
    Internal,
}

impl FailureClass {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureClass::HttpStatus => "http_status",
            FailureClass::BodyMismatch => "body_mismatch",
            FailureClass::HeaderMissing => "header_missing",
            FailureClass::TooSlow => "too_slow",
            FailureClass::DnsAnswerMismatch => "dns_answer_mismatch",
            FailureClass::DnsNxdomain => "dns_nxdomain",
            FailureClass::DnsNoAnswer => "dns_no_answer",
            FailureClass::CertExpired => "cert_expired",
            FailureClass::CertNotYetValid => "cert_not_yet_valid",
            FailureClass::CertExpiring => "cert_expiring",
            FailureClass::CertNameMismatch => "cert_name_mismatch",
            FailureClass::CertUntrusted => "cert_untrusted",
            FailureClass::CertInvalid => "cert_invalid",
            FailureClass::DnsFailure => "dns_failure",
            FailureClass::Refused => "refused",
            FailureClass::Unreachable => "unreachable",
            FailureClass::Timeout => "timeout",
            FailureClass::Reset => "reset",
            FailureClass::TlsHandshake => "tls_handshake",
            FailureClass::Protocol => "protocol",
            FailureClass::TooManyRedirects => "too_many_redirects",
            FailureClass::BadTarget => "bad_target",
            FailureClass::CaFile => "ca_file",
            FailureClass::Blocked => "blocked",
            FailureClass::Cancelled => "cancelled",
            FailureClass::Io => "io",
            FailureClass::Internal => "internal",
        }
    }

    /// A certificate fault (the `cert_*` classes).
    pub fn is_certificate(self) -> bool {
        matches!(
            self,
            FailureClass::CertExpired
                | FailureClass::CertNotYetValid
                | FailureClass::CertExpiring
                | FailureClass::CertNameMismatch
                | FailureClass::CertUntrusted
                | FailureClass::CertInvalid
        )
    }
}

impl fmt::Display for FailureClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an HTTP probe saw of the last response.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpDetail {
    pub status: u16,
    /// `"HTTP/1.1"`.
    pub version: String,
    /// The response headers, names in lower case, repeated headers joined with `", "`.
    /// At most [`HttpDetail::MAX_HEADERS`] are kept; `set-cookie` values are replaced by
    /// `"(redacted)"` because results are shared with the team.
    pub headers: BTreeMap<String, String>,
    /// The first [`BODY_EXCERPT_LIMIT`] bytes of the body, as UTF-8 (invalid bytes
    /// replaced).
    pub body_excerpt: String,
    /// The body was longer than the excerpt.
    pub body_truncated: bool,
    /// Body bytes received. The engine reads on past the excerpt (discarding) so that
    /// `total_ms` covers the whole download like curl's, up to a cap; beyond the cap it
    /// stops, and this is what was read by then.
    pub body_bytes: u64,
    /// The `content-length` the server announced, if any.
    pub content_length: Option<u64>,
    /// The URLs redirected to, in order; empty when there was no redirect.
    pub redirects: Vec<String>,
    /// The URL of the last request.
    pub final_url: String,
}

impl HttpDetail {
    /// How many response headers a result keeps.
    pub const MAX_HEADERS: usize = 32;
}

/// What a TLS handshake showed: the negotiated parameters and the server's certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsDetail {
    /// `"TLSv1.3"`; `None` when the handshake did not finish.
    pub protocol: Option<String>,
    /// `"TLS13_AES_256_GCM_SHA384"`; `None` when the handshake did not finish.
    pub cipher: Option<String>,
    /// The ALPN protocol agreed, if any (`"http/1.1"`).
    pub alpn: Option<String>,
    /// The name the certificate was checked against (SNI).
    pub server_name: String,
    /// The leaf certificate's subject and issuer, as distinguished names.
    pub subject: String,
    pub issuer: String,
    /// Subject alternative names: DNS names as written, IP addresses as text.
    pub sans: Vec<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub not_after: Option<DateTime<Utc>>,
    /// Whole days from the run to `not_after`; negative once expired.
    pub days_left: Option<i64>,
    /// Certificates the server sent, leaf included.
    pub chain_len: usize,
    /// The leaf is valid for `server_name`.
    pub name_matches: bool,
    /// The chain verified against the trust roots at the time of the run.
    pub trusted: bool,
    /// Why verification failed, in words; `None` when it succeeded.
    pub verify_error: Option<String>,
}

/// What a DNS probe asked and got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsDetail {
    pub record: RecordType,
    /// `"127.0.0.1:53"`, or `"system (127.0.0.53:53)"` for the system resolver.
    pub server: String,
    /// The answers of the record type asked for, in presentation form: `192.0.2.1`,
    /// `2001:db8::1`, `target.example.` (CNAME, NS), `10 mail.example.` (MX), the text
    /// (TXT), `mname rname serial refresh retry expire minimum` (SOA).
    pub answers: Vec<String>,
    /// CNAMEs followed on the way to the answers (for a non-CNAME query).
    pub aliases: Vec<String>,
    /// The name does not exist.
    pub nxdomain: bool,
    /// The response code (`"NoError"`, `"NXDomain"`, `"ServFail"`); `None` when no
    /// response came.
    pub rcode: Option<String>,
}

/// Serde for [`ProbeKind`] as its lowercase word (the spec types are not serde types
/// themselves, and the TOML format must not change).
mod kind_serde {
    use crate::runbook::probe_spec::ProbeKind;
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &ProbeKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ProbeKind, D::Error> {
        let text = String::deserialize(d)?;
        ProbeKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| D::Error::custom(format!("unknown probe kind {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn outcome_drives_ok_and_reason() {
        let mut r = ProbeResult::new(
            ProbeKind::Http,
            "https://x.example/health",
            None,
            at(),
            Outcome::failed(FailureClass::HttpStatus, "expected status 200, got 503"),
        );
        assert!(!r.ok);
        assert_eq!(r.reason, "expected status 200, got 503");
        assert_eq!(r.class(), Some(FailureClass::HttpStatus));
        assert_eq!(r.label(), "https://x.example/health");
        r.set_outcome(Outcome::Passed, "status 200 in 3.1 ms");
        assert!(r.ok);
        assert_eq!(r.reason, "status 200 in 3.1 ms");
        assert_eq!(r.class(), None);
    }

    #[test]
    fn json_shape_is_stable() {
        let mut r = ProbeResult::new(
            ProbeKind::Tcp,
            "db.example:5432",
            Some("db".into()),
            at(),
            Outcome::error(
                FailureClass::Refused,
                "connection refused by 192.0.2.1:5432",
            ),
        );
        r.timings.dns_ms = Some(1.5);
        let json = serde_json::to_value(&r).expect("serialize");
        assert_eq!(json["kind"], "tcp");
        assert_eq!(json["ok"], false);
        assert_eq!(json["outcome"]["status"], "error");
        assert_eq!(json["outcome"]["class"], "refused");
        assert_eq!(json["timings"]["dns_ms"], 1.5);
        assert!(json["timings"]["total_ms"].is_null());
        let back: ProbeResult = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, r);
        let passed = serde_json::to_value(Outcome::Passed).expect("serialize");
        assert_eq!(passed, serde_json::json!({"status": "passed"}));
    }

    #[test]
    fn class_words_match_serde() {
        for class in [
            FailureClass::HttpStatus,
            FailureClass::DnsNxdomain,
            FailureClass::CertNameMismatch,
            FailureClass::TooManyRedirects,
            FailureClass::Cancelled,
            FailureClass::Internal,
        ] {
            let json = serde_json::to_value(class).expect("serialize");
            assert_eq!(json, class.as_str());
        }
        assert!(FailureClass::CertExpiring.is_certificate());
        assert!(!FailureClass::Timeout.is_certificate());
    }

    #[test]
    fn unknown_kind_is_refused() {
        let json = r#"{"ok":true,"kind":"ftp","target":"x","started_at":"2025-03-01T12:00:00Z","timings":{},"outcome":{"status":"passed"},"reason":"r"}"#;
        let err = serde_json::from_str::<ProbeResult>(json).expect_err("ftp is no kind");
        assert!(err.to_string().contains("unknown probe kind"), "{err}");
    }
}
