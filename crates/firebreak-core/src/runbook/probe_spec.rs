//! Typed, validated `probe` fences (see `docs/runbook-format.md`, "Probe blocks").
//!
//! The body of a `probe` fence is TOML. [`ProbeSpec::from_toml`] checks it strictly:
//! unknown keys, missing required keys, wrong types, bad durations, URLs, addresses and
//! record types are all errors that point at the offending key. Placeholders
//! (`{{ name }}`) stay in the spec as written; they are filled when the probe runs.
//! Where the front matter defaults make a value placeholder-free, it is validated with
//! them filled in, so a typo in a default is caught at import too.

use super::placeholder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Timeout of a probe that sets none.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// `min_days_left` of a TLS probe that sets none.
pub const DEFAULT_MIN_DAYS_LEFT: u32 = 14;

/// A parsed `probe` fence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProbeSpec {
    /// A label for people.
    #[serde(default)]
    pub name: Option<String>,
    /// `None`: [`DEFAULT_TIMEOUT`]. Serialized as a string such as `"5s"`.
    #[serde(default, with = "opt_duration")]
    pub timeout: Option<Duration>,
    /// What to probe.
    pub target: ProbeTarget,
}

/// The kind-specific part of a probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ProbeTarget {
    /// Boxed: it is much larger than the others.
    Http(Box<HttpProbe>),
    Dns(DnsProbe),
    Tcp(TcpProbe),
    Tls(TlsProbe),
}

/// `kind = "http"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HttpProbe {
    /// http or https; may hold placeholders.
    pub url: String,
    /// Upper case; default `GET`.
    #[serde(default = "default_method")]
    pub method: String,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    /// Accepted statuses; `None`: any 2xx.
    #[serde(default)]
    pub expect_status: Option<Vec<u16>>,
    /// A substring the body must contain.
    #[serde(default)]
    pub expect_body: Option<String>,
    /// A regular expression the body must match.
    #[serde(default)]
    pub expect_body_regex: Option<String>,
    /// A header that must be present.
    #[serde(default)]
    pub expect_header: Option<String>,
    #[serde(default, with = "opt_duration")]
    pub max_latency: Option<Duration>,
    #[serde(default = "default_true")]
    pub follow_redirects: bool,
    /// Path of an extra trust root (PEM).
    #[serde(default)]
    pub ca: Option<String>,
}

impl HttpProbe {
    /// A plain GET of `url` with the defaults a `probe` fence gets: any 2xx passes,
    /// redirects are followed.
    pub fn get(url: impl Into<String>) -> HttpProbe {
        HttpProbe {
            url: url.into(),
            method: "GET".to_string(),
            headers: BTreeMap::new(),
            body: None,
            expect_status: None,
            expect_body: None,
            expect_body_regex: None,
            expect_header: None,
            max_latency: None,
            follow_redirects: true,
            ca: None,
        }
    }
}

/// `kind = "dns"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsProbe {
    /// The name to resolve.
    pub query: String,
    #[serde(default)]
    pub record: RecordType,
    /// `host` or `host:port` of the resolver; `None`: the system resolver.
    #[serde(default)]
    pub server: Option<String>,
    /// Answers that must all be present; empty: any answer.
    #[serde(default)]
    pub expect: Vec<String>,
}

/// `kind = "tcp"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TcpProbe {
    /// `host:port`.
    pub address: String,
    #[serde(default, with = "opt_duration")]
    pub max_latency: Option<Duration>,
}

/// `kind = "tls"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TlsProbe {
    /// `host:port`.
    pub address: String,
    /// `None`: the host of `address`.
    #[serde(default)]
    pub server_name: Option<String>,
    #[serde(default = "default_min_days_left")]
    pub min_days_left: u32,
    /// Path of an extra trust root (PEM).
    #[serde(default)]
    pub ca: Option<String>,
}

/// A DNS record type a probe may ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RecordType {
    #[default]
    A,
    Aaaa,
    Cname,
    Mx,
    Txt,
    Ns,
    Soa,
}

impl RecordType {
    pub const ALL: [RecordType; 7] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Cname,
        RecordType::Mx,
        RecordType::Txt,
        RecordType::Ns,
        RecordType::Soa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Cname => "CNAME",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Ns => "NS",
            RecordType::Soa => "SOA",
        }
    }

    /// Case-insensitive.
    pub fn parse(text: &str) -> Option<RecordType> {
        let text = text.trim();
        RecordType::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The probe kinds, as written in `kind = "…"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Http,
    Dns,
    Tcp,
    Tls,
}

impl ProbeKind {
    pub const ALL: [ProbeKind; 4] = [
        ProbeKind::Http,
        ProbeKind::Dns,
        ProbeKind::Tcp,
        ProbeKind::Tls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProbeKind::Http => "http",
            ProbeKind::Dns => "dns",
            ProbeKind::Tcp => "tcp",
            ProbeKind::Tls => "tls",
        }
    }

    /// Every key a probe of this kind accepts, `kind`, `name` and `timeout` first.
    pub fn allowed_keys(self) -> &'static [&'static str] {
        match self {
            ProbeKind::Http => &[
                "kind",
                "name",
                "timeout",
                "url",
                "method",
                "headers",
                "body",
                "expect_status",
                "expect_body",
                "expect_body_regex",
                "expect_header",
                "max_latency",
                "follow_redirects",
                "ca",
            ],
            ProbeKind::Dns => &[
                "kind", "name", "timeout", "query", "record", "server", "expect",
            ],
            ProbeKind::Tcp => &["kind", "name", "timeout", "address", "max_latency"],
            ProbeKind::Tls => &[
                "kind",
                "name",
                "timeout",
                "address",
                "server_name",
                "min_days_left",
                "ca",
            ],
        }
    }

    fn article(self) -> &'static str {
        match self {
            ProbeKind::Http => "an",
            _ => "a",
        }
    }
}

impl fmt::Display for ProbeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ProbeTarget {
    pub fn kind(&self) -> ProbeKind {
        match self {
            ProbeTarget::Http(_) => ProbeKind::Http,
            ProbeTarget::Dns(_) => ProbeKind::Dns,
            ProbeTarget::Tcp(_) => ProbeKind::Tcp,
            ProbeTarget::Tls(_) => ProbeKind::Tls,
        }
    }
}

/// A probe fence that is not a valid probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeSpecError {
    /// Byte span in the TOML text of the key (or value) at fault; `None` when the fault
    /// is the fence as a whole (an empty fence, a missing `kind`).
    pub span: Option<Range<usize>>,
    /// What was found and what was expected.
    pub expected: String,
}

impl fmt::Display for ProbeSpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expected)
    }
}

impl std::error::Error for ProbeSpecError {}

fn err(span: Option<Range<usize>>, expected: impl Into<String>) -> ProbeSpecError {
    ProbeSpecError {
        span,
        expected: expected.into(),
    }
}

fn default_method() -> String {
    "GET".to_string()
}

fn default_true() -> bool {
    true
}

fn default_min_days_left() -> u32 {
    DEFAULT_MIN_DAYS_LEFT
}

impl ProbeSpec {
    /// Parses and validates the TOML body of a `probe` fence. `defaults` are the front
    /// matter's placeholder defaults, used only to validate values that hold
    /// placeholders; the spec keeps the placeholders.
    pub fn from_toml(
        text: &str,
        defaults: &BTreeMap<String, String>,
    ) -> Result<ProbeSpec, ProbeSpecError> {
        let doc = DeTable::parse(text).map_err(|e| {
            err(
                e.span(),
                format!("bad probe TOML: {}", super::error::one_line(e.message())),
            )
        })?;
        let fields = Fields::new(doc.get_ref(), defaults);
        fields.spec()
    }

    pub fn kind(&self) -> ProbeKind {
        self.target.kind()
    }

    /// The timeout, or [`DEFAULT_TIMEOUT`].
    pub fn timeout_or_default(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// Sets the extra trust root (the CLI's `--ca`) of an `http` or `tls` probe and
    /// returns true; other kinds have no certificate to trust and are left as they are.
    pub fn set_ca(&mut self, path: impl Into<String>) -> bool {
        match &mut self.target {
            ProbeTarget::Http(h) => {
                h.ca = Some(path.into());
                true
            }
            ProbeTarget::Tls(t) => {
                t.ca = Some(path.into());
                true
            }
            ProbeTarget::Dns(_) | ProbeTarget::Tcp(_) => false,
        }
    }

    /// What the probe aims at, as a person wrote it: the URL (`http`), `host:port`
    /// (`tcp`, `tls`) or the name to resolve (`dns`). Results carry it as `target`.
    pub fn target_text(&self) -> String {
        match &self.target {
            ProbeTarget::Http(h) => h.url.trim().to_string(),
            ProbeTarget::Tcp(t) => t.address.trim().to_string(),
            ProbeTarget::Tls(t) => t.address.trim().to_string(),
            ProbeTarget::Dns(d) => d.query.trim().to_string(),
        }
    }

    /// The placeholder names used anywhere in the spec, distinct, in order.
    pub fn placeholders(&self) -> Vec<String> {
        let mut all = String::new();
        self.for_each_text(|s| {
            all.push_str(s);
            all.push('\n');
        });
        placeholder::names(&all)
    }

    /// A copy with every placeholder `lookup` knows filled in, and the names it did not
    /// know.
    pub fn fill(&self, lookup: impl Fn(&str) -> Option<String>) -> (ProbeSpec, Vec<String>) {
        let mut spec = self.clone();
        let mut missing: Vec<String> = Vec::new();
        spec.map_texts(&mut |s: &mut String| {
            let filled = placeholder::fill(s, &lookup);
            for name in filled.missing {
                if !missing.contains(&name) {
                    missing.push(name);
                }
            }
            *s = filled.text;
        });
        (spec, missing)
    }

    fn for_each_text(&self, mut f: impl FnMut(&str)) {
        let mut copy = self.clone();
        copy.map_texts(&mut |s: &mut String| f(s.as_str()));
    }

    fn map_texts(&mut self, f: &mut dyn FnMut(&mut String)) {
        if let Some(name) = &mut self.name {
            f(name);
        }
        match &mut self.target {
            ProbeTarget::Http(h) => {
                f(&mut h.url);
                let headers = std::mem::take(&mut h.headers);
                for (k, mut v) in headers {
                    f(&mut v);
                    h.headers.insert(k, v);
                }
                for s in [
                    &mut h.body,
                    &mut h.expect_body,
                    &mut h.expect_body_regex,
                    &mut h.expect_header,
                    &mut h.ca,
                ]
                .into_iter()
                .flatten()
                {
                    f(s);
                }
            }
            ProbeTarget::Dns(d) => {
                f(&mut d.query);
                if let Some(server) = &mut d.server {
                    f(server);
                }
                for e in &mut d.expect {
                    f(e);
                }
            }
            ProbeTarget::Tcp(t) => f(&mut t.address),
            ProbeTarget::Tls(t) => {
                f(&mut t.address);
                for s in [&mut t.server_name, &mut t.ca].into_iter().flatten() {
                    f(s);
                }
            }
        }
    }
}

/// Parses `"500ms"`, `"5s"`, `"1m"`, `"1h"`: a whole number and a unit.
pub fn parse_duration(text: &str) -> Option<Duration> {
    parse_duration_units(
        text,
        &[("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)],
    )
    .map(Duration::from_millis)
}

fn parse_duration_units(text: &str, units: &[(&str, u64)]) -> Option<u64> {
    let text = text.trim();
    let digits = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(digits);
    if number.is_empty() {
        return None;
    }
    let n: u64 = number.parse().ok()?;
    let unit = unit.trim_start();
    let (_, factor) = units.iter().find(|(u, _)| *u == unit)?;
    n.checked_mul(*factor)
}

/// Formats a duration the way [`parse_duration`] reads it (`"500ms"`, `"5s"`, …);
/// a duration with sub-millisecond precision is written in nanoseconds.
pub fn format_duration(d: Duration) -> String {
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        return format!("{}ns", d.as_nanos());
    }
    let ms = d.as_millis();
    if ms == 0 {
        "0ms".to_string()
    } else if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1_000) {
        format!("{}s", ms / 1_000)
    } else {
        format!("{ms}ms")
    }
}

/// Serde for `Option<Duration>`: written as `"5s"`; read from such a string or from a
/// whole number of milliseconds.
mod opt_duration {
    use super::{format_duration, parse_duration_units};
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&format_duration(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        d.deserialize_any(OptDuration)
    }

    struct OptDuration;

    impl<'de> Visitor<'de> for OptDuration {
        type Value = Option<Duration>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a duration such as \"5s\", a number of milliseconds, or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }

        fn visit_u64<E: de::Error>(self, ms: u64) -> Result<Self::Value, E> {
            Ok(Some(Duration::from_millis(ms)))
        }

        fn visit_i64<E: de::Error>(self, ms: i64) -> Result<Self::Value, E> {
            u64::try_from(ms)
                .map(|ms| Some(Duration::from_millis(ms)))
                .map_err(|_| E::custom("a duration cannot be negative"))
        }

        fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
            if let Some(ns) = parse_duration_units(s, &[("ns", 1)]) {
                return Ok(Some(Duration::from_nanos(ns)));
            }
            parse_duration_units(
                s,
                &[("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)],
            )
            .map(|ms| Some(Duration::from_millis(ms)))
            .ok_or_else(|| E::custom(format!("bad duration {s:?}")))
        }
    }
}

const DURATION_EXAMPLES: &str = "a duration such as \"500ms\", \"5s\", \"1m\" or \"1h\"";

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// The top-level keys of a probe fence, in source order, and the checks on them.
struct Fields<'a, 'i> {
    entries: Vec<Entry<'a, 'i>>,
    defaults: &'a BTreeMap<String, String>,
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn integer_of(value: &DeValue<'_>) -> Option<i128> {
    match value {
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// The Levenshtein distance, for "did you mean" hints.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(usize::MAX / 2) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(usize::MAX / 2) + 1;
            let ins = cur.get(j).copied().unwrap_or(usize::MAX / 2) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

fn suggestion(key: &str, allowed: &'static [&'static str]) -> Option<&'static str> {
    if key.chars().count() > 64 {
        return None;
    }
    let (best_distance, best) = allowed
        .iter()
        .map(|a| (distance(key, a), *a))
        .min_by_key(|(d, _)| *d)?;
    let limit = if key.chars().count() <= 4 { 1 } else { 2 };
    (best_distance <= limit).then_some(best)
}

impl<'a, 'i> Fields<'a, 'i> {
    fn new(table: &'a DeTable<'i>, defaults: &'a BTreeMap<String, String>) -> Self {
        let mut entries: Vec<Entry<'a, 'i>> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        Fields { entries, defaults }
    }

    fn get(&self, key: &str) -> Option<Entry<'a, 'i>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .copied()
    }

    fn fill(&self, text: &str) -> placeholder::Filled {
        placeholder::fill(text, |name| self.defaults.get(name).cloned())
    }

    fn spec(&self) -> Result<ProbeSpec, ProbeSpecError> {
        let kinds = "http, dns, tcp, tls";
        let Some((kind_key, kind_value)) = self.get("kind") else {
            let what = if self.entries.is_empty() {
                "empty probe".to_string()
            } else {
                "probe has no \"kind\"".to_string()
            };
            return Err(err(
                None,
                format!("{what}: expected kind = one of {kinds}, such as kind = \"http\""),
            ));
        };
        let kind_span = Some(kind_key.span());
        let kind = match kind_value.get_ref() {
            DeValue::String(s) => ProbeKind::ALL
                .into_iter()
                .find(|k| k.as_str() == s.as_ref())
                .ok_or_else(|| {
                    err(
                        kind_span.clone(),
                        format!(
                            "unknown probe kind {:?}: expected one of {kinds}",
                            s.as_ref()
                        ),
                    )
                })?,
            other => {
                return Err(err(
                    kind_span,
                    format!(
                        "expected a string for \"kind\" (one of {kinds}), found {}",
                        type_name(other)
                    ),
                ));
            }
        };
        let allowed = kind.allowed_keys();
        for (key, _) in &self.entries {
            let name = key.get_ref().as_ref();
            if !allowed.contains(&name) {
                let hint = suggestion(name, allowed)
                    .map(|s| format!(" (did you mean \"{s}\"?)"))
                    .unwrap_or_default();
                return Err(err(
                    Some(key.span()),
                    format!(
                        "unknown key {name:?} in {} {kind} probe{hint}: expected one of {}",
                        kind.article(),
                        allowed.join(", ")
                    ),
                ));
            }
        }
        let name = self.string("name")?.map(|(s, _)| s);
        let timeout = self.duration("timeout")?;
        let target = match kind {
            ProbeKind::Http => ProbeTarget::Http(Box::new(self.http(kind_span)?)),
            ProbeKind::Dns => ProbeTarget::Dns(self.dns(kind_span)?),
            ProbeKind::Tcp => ProbeTarget::Tcp(TcpProbe {
                address: self.address("address", kind, kind_span)?,
                max_latency: self.duration("max_latency")?,
            }),
            ProbeKind::Tls => ProbeTarget::Tls(self.tls(kind_span)?),
        };
        Ok(ProbeSpec {
            name,
            timeout,
            target,
        })
    }

    fn http(&self, kind_span: Option<Range<usize>>) -> Result<HttpProbe, ProbeSpecError> {
        let (url, url_span) = self.required_string(
            "url",
            ProbeKind::Http,
            kind_span,
            "the URL to request, such as url = \"https://example.com/health\"",
        )?;
        self.check_url(&url, url_span)?;
        let method = match self.string("method")? {
            None => default_method(),
            Some((m, span)) => {
                let upper = m.trim().to_ascii_uppercase();
                if upper.is_empty() || !upper.chars().all(is_token_char) {
                    return Err(err(
                        Some(span),
                        format!(
                            "bad method {m:?}: expected an HTTP method such as GET, HEAD or POST"
                        ),
                    ));
                }
                upper
            }
        };
        let headers = self.headers()?;
        let body = self.string("body")?.map(|(s, _)| s);
        let expect_status = self.expect_status()?;
        let expect_body = self.string("expect_body")?.map(|(s, _)| s);
        let expect_body_regex = match self.string("expect_body_regex")? {
            None => None,
            Some((re, span)) => {
                let filled = self.fill(&re);
                if filled.is_complete()
                    && let Err(e) = regex::Regex::new(&filled.text)
                {
                    return Err(err(
                        Some(span),
                        format!(
                            "bad expect_body_regex {re:?}: expected a regular expression ({})",
                            super::error::one_line(&e.to_string())
                        ),
                    ));
                }
                Some(re)
            }
        };
        let expect_header = match self.string("expect_header")? {
            None => None,
            Some((h, span)) => {
                if placeholder::names(&h).is_empty() && !is_header_name(&h) {
                    return Err(err(
                        Some(span),
                        format!(
                            "bad expect_header {h:?}: expected a header name such as \"x-request-id\""
                        ),
                    ));
                }
                Some(h)
            }
        };
        let max_latency = self.duration("max_latency")?;
        let follow_redirects = self.boolean("follow_redirects")?.unwrap_or(true);
        let ca = self.path("ca")?;
        Ok(HttpProbe {
            url,
            method,
            headers,
            body,
            expect_status,
            expect_body,
            expect_body_regex,
            expect_header,
            max_latency,
            follow_redirects,
            ca,
        })
    }

    fn dns(&self, kind_span: Option<Range<usize>>) -> Result<DnsProbe, ProbeSpecError> {
        let (query, _) = self.required_string(
            "query",
            ProbeKind::Dns,
            kind_span,
            "the name to resolve, such as query = \"api.example.com\"",
        )?;
        let record = match self.string("record")? {
            None => RecordType::A,
            Some((r, span)) => RecordType::parse(&r).ok_or_else(|| {
                err(
                    Some(span),
                    format!(
                        "unknown record type {r:?}: expected one of {}",
                        RecordType::ALL.map(RecordType::as_str).join(", ")
                    ),
                )
            })?,
        };
        let server = match self.string("server")? {
            None => None,
            Some((s, span)) => {
                self.check_host_port("server", &s, span, false)?;
                Some(s)
            }
        };
        let expect = match self.get("expect") {
            None => Vec::new(),
            Some((key, value)) => match value.get_ref() {
                DeValue::Array(items) => {
                    let mut out = Vec::new();
                    for item in items.iter() {
                        match item.get_ref() {
                            DeValue::String(s) => out.push(s.to_string()),
                            other => {
                                return Err(err(
                                    Some(item.span()),
                                    format!(
                                        "expected a string in \"expect\" (an answer such as \"192.0.2.1\"), found {}",
                                        type_name(other)
                                    ),
                                ));
                            }
                        }
                    }
                    out
                }
                other => {
                    return Err(err(
                        Some(key.span()),
                        format!(
                            "expected a list of answers for \"expect\", such as [\"192.0.2.1\"], found {}",
                            type_name(other)
                        ),
                    ));
                }
            },
        };
        Ok(DnsProbe {
            query,
            record,
            server,
            expect,
        })
    }

    fn tls(&self, kind_span: Option<Range<usize>>) -> Result<TlsProbe, ProbeSpecError> {
        let address = self.address("address", ProbeKind::Tls, kind_span)?;
        let server_name = match self.string("server_name")? {
            None => None,
            Some((s, span)) => {
                if s.trim().is_empty() {
                    return Err(err(
                        Some(span),
                        "empty server_name: expected a host name such as \"api.example.com\"",
                    ));
                }
                Some(s)
            }
        };
        let min_days_left = match self.get("min_days_left") {
            None => DEFAULT_MIN_DAYS_LEFT,
            Some((key, value)) => integer_of(value.get_ref())
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    err(
                        Some(key.span()),
                        format!(
                            "expected a whole number of days (0 or more) for \"min_days_left\", found {}",
                            describe(value.get_ref())
                        ),
                    )
                })?,
        };
        let ca = self.path("ca")?;
        Ok(TlsProbe {
            address,
            server_name,
            min_days_left,
            ca,
        })
    }

    fn string(&self, key: &str) -> Result<Option<(String, Range<usize>)>, ProbeSpecError> {
        match self.get(key) {
            None => Ok(None),
            Some((k, value)) => match value.get_ref() {
                DeValue::String(s) => Ok(Some((s.to_string(), k.span()))),
                other => Err(err(
                    Some(k.span()),
                    format!("expected a string for {key:?}, found {}", type_name(other)),
                )),
            },
        }
    }

    fn required_string(
        &self,
        key: &str,
        kind: ProbeKind,
        kind_span: Option<Range<usize>>,
        what: &str,
    ) -> Result<(String, Range<usize>), ProbeSpecError> {
        match self.string(key)? {
            Some((s, span)) => {
                if s.trim().is_empty() {
                    return Err(err(Some(span), format!("empty {key:?}: expected {what}")));
                }
                Ok((s, span))
            }
            None => Err(err(
                kind_span,
                format!(
                    "{} {kind} probe is missing {key:?}: expected {what}",
                    capitalize(kind.article())
                ),
            )),
        }
    }

    fn path(&self, key: &str) -> Result<Option<String>, ProbeSpecError> {
        match self.string(key)? {
            None => Ok(None),
            Some((s, span)) if s.trim().is_empty() => Err(err(
                Some(span),
                format!("empty {key:?}: expected the path of a PEM file"),
            )),
            Some((s, _)) => Ok(Some(s)),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, ProbeSpecError> {
        match self.get(key) {
            None => Ok(None),
            Some((k, value)) => match value.get_ref() {
                DeValue::Boolean(b) => Ok(Some(*b)),
                other => Err(err(
                    Some(k.span()),
                    format!(
                        "expected true or false for {key:?}, found {}",
                        type_name(other)
                    ),
                )),
            },
        }
    }

    fn duration(&self, key: &str) -> Result<Option<Duration>, ProbeSpecError> {
        match self.get(key) {
            None => Ok(None),
            Some((k, value)) => match value.get_ref() {
                DeValue::String(s) => match parse_duration(s) {
                    Some(d) if !d.is_zero() => Ok(Some(d)),
                    Some(_) => Err(err(
                        Some(k.span()),
                        format!(
                            "{key:?} is zero: expected a duration greater than zero, such as \"5s\""
                        ),
                    )),
                    None => Err(err(
                        Some(k.span()),
                        format!(
                            "bad duration {:?} for {key:?}: expected {DURATION_EXAMPLES}",
                            s.as_ref()
                        ),
                    )),
                },
                other => Err(err(
                    Some(k.span()),
                    format!(
                        "expected {DURATION_EXAMPLES} for {key:?}, found {}",
                        type_name(other)
                    ),
                )),
            },
        }
    }

    fn headers(&self) -> Result<BTreeMap<String, String>, ProbeSpecError> {
        let mut out = BTreeMap::new();
        let Some((key, value)) = self.get("headers") else {
            return Ok(out);
        };
        let DeValue::Table(table) = value.get_ref() else {
            return Err(err(
                Some(key.span()),
                format!(
                    "expected a table of header names and values for \"headers\", such as {{ Accept = \"application/json\" }}, found {}",
                    type_name(value.get_ref())
                ),
            ));
        };
        let mut entries: Vec<_> = table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        for (name, value) in entries {
            let header = name.get_ref().as_ref();
            if !is_header_name(header) {
                return Err(err(
                    Some(name.span()),
                    format!(
                        "bad header name {header:?}: expected a name such as \"Accept\" (letters, digits and -)"
                    ),
                ));
            }
            let text = match value.get_ref() {
                DeValue::String(s) => s.to_string(),
                DeValue::Integer(i) => i.to_string(),
                DeValue::Boolean(b) => b.to_string(),
                other => {
                    return Err(err(
                        Some(name.span()),
                        format!(
                            "expected a string for header {header:?}, found {}",
                            type_name(other)
                        ),
                    ));
                }
            };
            if text.contains(['\r', '\n', '\0']) {
                return Err(err(
                    Some(name.span()),
                    format!("bad value for header {header:?}: expected a single line of text"),
                ));
            }
            out.insert(header.to_string(), text);
        }
        Ok(out)
    }

    fn expect_status(&self) -> Result<Option<Vec<u16>>, ProbeSpecError> {
        let expected =
            "expected an HTTP status from 100 to 599, or a list of them such as [200, 204]";
        let Some((key, value)) = self.get("expect_status") else {
            return Ok(None);
        };
        let status = |v: &Spanned<DeValue<'_>>, span: Range<usize>| {
            integer_of(v.get_ref())
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| (100..=599).contains(n))
                .ok_or_else(|| {
                    err(
                        Some(span),
                        format!("bad expect_status {}: {expected}", describe(v.get_ref())),
                    )
                })
        };
        match value.get_ref() {
            DeValue::Array(items) => {
                if items.is_empty() {
                    return Err(err(
                        Some(key.span()),
                        format!("empty expect_status list: {expected}"),
                    ));
                }
                let mut out = Vec::new();
                for item in items.iter() {
                    out.push(status(item, item.span())?);
                }
                Ok(Some(out))
            }
            _ => Ok(Some(vec![status(value, key.span())?])),
        }
    }

    fn address(
        &self,
        key: &str,
        kind: ProbeKind,
        kind_span: Option<Range<usize>>,
    ) -> Result<String, ProbeSpecError> {
        let (address, span) = self.required_string(
            key,
            kind,
            kind_span,
            "host:port, such as address = \"db.example.com:5432\"",
        )?;
        self.check_host_port(key, &address, span, true)?;
        Ok(address)
    }

    fn check_url(&self, url: &str, span: Range<usize>) -> Result<(), ProbeSpecError> {
        let filled = self.fill(url);
        if !filled.is_complete() {
            // Only known when the incident's variables fill it.
            return Ok(());
        }
        let shown = if filled.text == url {
            format!("{url:?}")
        } else {
            format!(
                "{url:?} (with the front matter defaults: {:?})",
                filled.text
            )
        };
        match url::Url::parse(filled.text.trim()) {
            Ok(parsed)
                if matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some() =>
            {
                Ok(())
            }
            Ok(parsed) => Err(err(
                Some(span),
                format!(
                    "bad url {shown}: expected an http or https URL, found scheme \"{}\"",
                    parsed.scheme()
                ),
            )),
            Err(e) => Err(err(
                Some(span),
                format!("bad url {shown}: expected an http or https URL ({e})"),
            )),
        }
    }

    fn check_host_port(
        &self,
        key: &str,
        value: &str,
        span: Range<usize>,
        port_required: bool,
    ) -> Result<(), ProbeSpecError> {
        let filled = self.fill(value);
        let shown_text = filled.text.as_str();
        // Placeholders left (no default) stand for unknown text: a sentinel char.
        let marked = placeholder::fill(shown_text, |_| Some(UNKNOWN.to_string())).text;
        let text = marked.as_str();
        let shown = if shown_text == value {
            format!("{value:?}")
        } else {
            format!("{value:?} (with the front matter defaults: {shown_text:?})")
        };
        let example = if port_required {
            "host:port, such as \"db.example.com:5432\""
        } else {
            "host or host:port, such as \"192.0.2.53:53\""
        };
        let bad = |why: &str| {
            err(
                Some(span.clone()),
                format!("bad {key} {shown}: expected {example}{why}"),
            )
        };
        crate::probe::address::check_address(text, port_required, Some(UNKNOWN))
            .map(|_| ())
            .map_err(|flaw| bad(&flaw.detail()))
    }
}

/// Stands for a placeholder without a default while checking an address.
const UNKNOWN: char = '\u{e000}';

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::Integer(i) => i.to_string(),
        DeValue::String(s) => format!("{:?}", s.as_ref()),
        DeValue::Float(f) => f.to_string(),
        DeValue::Boolean(b) => b.to_string(),
        other => type_name(other).to_string(),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn is_header_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_token_char)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defaults() -> BTreeMap<String, String> {
        [
            ("api_base", "https://api.example.com"),
            ("api_host", "api.example.com"),
            ("db", "db.example.com:27017"),
            ("bad_base", "htp:/nowhere"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn parse(text: &str) -> Result<ProbeSpec, ProbeSpecError> {
        ProbeSpec::from_toml(text, &defaults())
    }

    fn error(text: &str) -> String {
        match parse(text) {
            Ok(spec) => panic!("expected an error for {text:?}, got {spec:?}"),
            Err(e) => e.expected,
        }
    }

    #[test]
    fn parses_a_full_http_probe() {
        let spec = parse(
            r#"
kind = "http"
name = "API health"
url = "{{ api_base }}/health"
method = "post"
headers = { Accept = "application/json", X-Retry = 3 }
body = "{}"
expect_status = [200, 204]
expect_body = "ok"
expect_body_regex = "\"status\":\\s*\"ok\""
expect_header = "x-request-id"
max_latency = "800ms"
follow_redirects = false
ca = "/etc/ca.pem"
timeout = "5s"
"#,
        )
        .expect("valid");
        assert_eq!(spec.name.as_deref(), Some("API health"));
        assert_eq!(spec.timeout, Some(Duration::from_secs(5)));
        let ProbeTarget::Http(h) = &spec.target else {
            panic!("http expected");
        };
        assert_eq!(h.url, "{{ api_base }}/health");
        assert_eq!(h.method, "POST");
        assert_eq!(h.headers.get("X-Retry").map(String::as_str), Some("3"));
        assert_eq!(h.expect_status, Some(vec![200, 204]));
        assert_eq!(h.max_latency, Some(Duration::from_millis(800)));
        assert!(!h.follow_redirects);
        assert_eq!(spec.placeholders(), vec!["api_base"]);
        let (filled, missing) = spec.fill(|n| defaults().get(n).cloned());
        assert!(missing.is_empty());
        let ProbeTarget::Http(h) = &filled.target else {
            panic!("http expected");
        };
        assert_eq!(h.url, "https://api.example.com/health");
    }

    #[test]
    fn applies_defaults() {
        let spec = parse("kind = \"http\"\nurl = \"https://x.example\"").expect("valid");
        assert_eq!(spec.timeout_or_default(), DEFAULT_TIMEOUT);
        let ProbeTarget::Http(h) = spec.target else {
            panic!("http expected");
        };
        assert_eq!(h.method, "GET");
        assert!(h.follow_redirects);
        assert_eq!(h.expect_status, None);
        let tls = parse("kind = \"tls\"\naddress = \"{{ api_host }}:443\"").expect("valid");
        let ProbeTarget::Tls(t) = tls.target else {
            panic!("tls expected");
        };
        assert_eq!(t.min_days_left, DEFAULT_MIN_DAYS_LEFT);
        let dns = parse("kind = \"dns\"\nquery = \"x.example\"").expect("valid");
        let ProbeTarget::Dns(d) = dns.target else {
            panic!("dns expected");
        };
        assert_eq!(d.record, RecordType::A);
    }

    #[test]
    fn refuses_bad_probes_with_clear_messages() {
        assert_eq!(
            error("kind = \"htp\""),
            "unknown probe kind \"htp\": expected one of http, dns, tcp, tls"
        );
        assert!(error("").starts_with("empty probe: expected kind ="));
        assert!(error("name = \"x\"").starts_with("probe has no \"kind\""));
        assert_eq!(
            error("kind = \"http\""),
            "An http probe is missing \"url\": expected the URL to request, such as url = \"https://example.com/health\""
        );
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\nurll = 1")
                .starts_with("unknown key \"urll\" in an http probe (did you mean \"url\"?): expected one of kind, name, timeout, url, method")
        );
        assert!(error("kind = \"http\"\nurl = \"ftp://x\"").contains("found scheme \"ftp\""));
        assert!(
            error("kind = \"http\"\nurl = \"{{ bad_base }}/x\"")
                .contains("with the front matter defaults")
        );
        assert!(error("kind = \"tcp\"\naddress = \"db:99999\"").contains("port \"99999\""));
        assert!(error("kind = \"tcp\"\naddress = \"db\"").contains("no port"));
        assert!(
            error("kind = \"dns\"\nquery = \"x\"\nrecord = \"AAAAA\"").starts_with(
                "unknown record type \"AAAAA\": expected one of A, AAAA, CNAME, MX, TXT, NS, SOA"
            )
        );
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\ntimeout = \"5 parsecs\"")
                .starts_with("bad duration \"5 parsecs\" for \"timeout\"")
        );
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\ntimeout = 5")
                .ends_with("found an integer")
        );
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\nexpect_status = 700")
                .starts_with("bad expect_status 700")
        );
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\nexpect_status = []")
                .starts_with("empty expect_status")
        );
        assert!(error("kind = 3").starts_with("expected a string for \"kind\""));
        assert!(error("kind = \"http\"\nurl = 3").starts_with("expected a string for \"url\""));
        assert!(
            error("kind = \"http\"\nurl = \"https://x\"\nexpect_body_regex = \"(\"")
                .starts_with("bad expect_body_regex")
        );
        assert!(
            error("kind = \"tls\"\naddress = \"x:1\"\nmin_days_left = -1")
                .contains("min_days_left")
        );
        assert!(error("kind = [").starts_with("bad probe TOML"));
    }

    #[test]
    fn addresses_with_placeholders() {
        parse("kind = \"tcp\"\naddress = \"{{ db }}\"").expect("default fills host:port");
        parse("kind = \"tcp\"\naddress = \"{{ unknown }}\"").expect("unknowable until run");
        parse("kind = \"tcp\"\naddress = \"{{ unknown }}:{{ port }}\"").expect("unknowable");
        parse("kind = \"tcp\"\naddress = \"[2001:db8::1]:443\"").expect("ipv6");
        parse("kind = \"dns\"\nquery = \"x\"\nserver = \"2001:db8::53\"").expect("bare v6");
        parse("kind = \"dns\"\nquery = \"x\"\nserver = \"192.0.2.53\"").expect("no port");
        assert!(parse("kind = \"tcp\"\naddress = \"{{ unknown }}:70000\"").is_err());
        assert!(parse("kind = \"tcp\"\naddress = \"2001:db8::1:443\"").is_err());
        assert!(parse("kind = \"tcp\"\naddress = \"db:0\"").is_err());
    }

    #[test]
    fn errors_point_at_the_key() {
        let text = "kind = \"http\"\nurl = \"https://x\"\nbogus = 1\n";
        let e = parse(text).expect_err("unknown key");
        let start = text.find("bogus").expect("bogus");
        assert_eq!(e.span.map(|s| s.start), Some(start));
    }

    #[test]
    fn ca_and_target_helpers() {
        let mut http = parse("kind = \"http\"\nurl = \" https://x.example/ \"").expect("valid");
        assert!(http.set_ca("/ca.pem"));
        let ProbeTarget::Http(h) = &http.target else {
            panic!("http expected");
        };
        assert_eq!(h.ca.as_deref(), Some("/ca.pem"));
        assert_eq!(http.target_text(), "https://x.example/");
        let mut tcp = parse("kind = \"tcp\"\naddress = \"db:5432\"").expect("valid");
        assert!(!tcp.set_ca("/ca.pem"));
        assert_eq!(tcp.target_text(), "db:5432");
        let dns = parse("kind = \"dns\"\nquery = \"x.example\"").expect("valid");
        assert_eq!(dns.target_text(), "x.example");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("1m"), Some(Duration::from_secs(60)));
        assert_eq!(parse_duration("1h"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_duration(" 2 s "), Some(Duration::from_secs(2)));
        for bad in [
            "",
            "5",
            "s",
            "5x",
            "-5s",
            "1.5s",
            "99999999999999999999h",
            "5 parsecs",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
        for d in [
            Duration::from_millis(1500),
            Duration::from_secs(5),
            Duration::from_secs(120),
            Duration::from_secs(7200),
            Duration::ZERO,
        ] {
            assert_eq!(parse_duration(&format_duration(d)), Some(d));
        }
        assert_eq!(format_duration(Duration::from_nanos(1_500)), "1500ns");
    }

    #[test]
    fn round_trips_through_json() {
        for text in [
            "kind = \"http\"\nurl = \"https://x\"\ntimeout = \"1500ms\"\nexpect_status = 204\nmax_latency = \"1m\"",
            "kind = \"dns\"\nquery = \"x\"\nrecord = \"aaaa\"\nexpect = [\"::1\"]\nserver = \"1.1.1.1:53\"",
            "kind = \"tcp\"\naddress = \"x:22\"\nmax_latency = \"200ms\"",
            "kind = \"tls\"\naddress = \"x:443\"\nserver_name = \"y\"\nmin_days_left = 30\nca = \"/ca.pem\"",
        ] {
            let spec = parse(text).expect("valid");
            let json = serde_json::to_string(&spec).expect("serialize");
            let back: ProbeSpec = serde_json::from_str(&json).expect("deserialize");
            assert_eq!(back, spec, "{json}");
        }
        let sub_ms = ProbeSpec {
            name: None,
            timeout: Some(Duration::from_nanos(1_234_567)),
            target: ProbeTarget::Tcp(TcpProbe {
                address: "x:1".into(),
                max_latency: None,
            }),
        };
        let json = serde_json::to_string(&sub_ms).expect("serialize");
        assert_eq!(
            serde_json::from_str::<ProbeSpec>(&json).expect("deserialize"),
            sub_ms
        );
        let from_ms: ProbeSpec = serde_json::from_str(
            r#"{"timeout": 250, "target": {"kind": "tcp", "address": "x:1"}}"#,
        )
        .expect("ms");
        assert_eq!(from_ms.timeout, Some(Duration::from_millis(250)));
    }
}
