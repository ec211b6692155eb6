//! A probe result as the log keeps it: what ran (the spec, placeholders filled, secrets
//! redacted), for which runbook step, what it found, and — for a watch — the change of
//! state it made.
//!
//! Two things shape the record. It is shared: it syncs to the team's hub and ends up in
//! the post-mortem, so credentials a probe sends (`Authorization`, cookies, API keys, a
//! password in the URL) are replaced before it is written. And it must fit the hub's
//! event limit (64 KiB), so [`ProbeRecord::fit_for_log`] trims the body excerpt and the
//! longest values first; the engine's own result (what `probe check --json` prints)
//! keeps the whole 64 KiB excerpt.

use super::result::ProbeResult;
use super::watch::StateChange;
use crate::event::StepTarget;
use crate::runbook::probe_spec::{ProbeSpec, ProbeTarget};
use serde::{Deserialize, Serialize};

/// The most a probe event's body may take in the log, as JSON. The hub refuses events
/// above 64 KiB; the rest is room for the event's envelope.
pub const LOGGED_RECORD_LIMIT: usize = 60 * 1024;
/// The most of a response body the log keeps by default (the engine keeps up to 64 KiB).
pub const LOGGED_BODY_LIMIT: usize = 32 * 1024;
/// The text that replaces a secret.
pub const REDACTED: &str = "(redacted)";

/// One probe run, as recorded in the findings log (event kind `probe`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeRecord {
    /// Which probe this is, the same across runs, so results can be shown as a history
    /// and charted: `runbook-id:3#1` for the first probe block of step 3, or
    /// `kind target` (`http https://api.example.com/health`) for an ad-hoc probe.
    pub key: String,
    /// The runbook step that declared the probe; `None` for an ad-hoc probe.
    #[serde(default)]
    pub step: Option<StepTarget>,
    /// What ran: the spec with its placeholders filled and its secrets redacted.
    pub spec: ProbeSpec,
    pub result: ProbeResult,
    /// Set when a watch logged this result: the change of state it made.
    #[serde(default)]
    pub watch_change: Option<StateChange>,
}

impl ProbeRecord {
    /// A record ready for the log: secrets redacted, sized to fit.
    pub fn new(
        key: String,
        step: Option<StepTarget>,
        spec: &ProbeSpec,
        result: ProbeResult,
    ) -> ProbeRecord {
        let mut record = ProbeRecord {
            key,
            step,
            spec: redact_spec(spec),
            result,
            watch_change: None,
        };
        record.fit_for_log(LOGGED_RECORD_LIMIT);
        record
    }

    /// One line for the timeline: `✓ API health: status 200 in 12.4 ms`.
    pub fn summary(&self) -> String {
        let mark = if self.result.ok { "✓" } else { "✗" };
        let label = flat(
            self.result
                .name
                .as_deref()
                .or(self.spec.name.as_deref())
                .unwrap_or(&self.result.target),
        );
        match &self.watch_change {
            Some(change) => format!("{mark} {label} (watch): {}", flat(&change.describe())),
            None => format!("{mark} {label}: {}", flat(&self.result.reason)),
        }
    }

    /// Trims the record until its JSON takes at most `limit` bytes: first the body
    /// excerpt (to [`LOGGED_BODY_LIMIT`], then halving), then long header values and
    /// DNS answers. What was cut is marked (`body_truncated`, a trailing `…`).
    pub fn fit_for_log(&mut self, limit: usize) {
        if let Some(http) = &mut self.result.http
            && http.body_excerpt.len() > LOGGED_BODY_LIMIT
        {
            truncate_at_char(&mut http.body_excerpt, LOGGED_BODY_LIMIT);
            http.body_truncated = true;
        }
        let mut value_cap = 4096;
        while self.json_len() > limit {
            let mut trimmed = false;
            if let Some(http) = &mut self.result.http
                && !http.body_excerpt.is_empty()
            {
                let half = http.body_excerpt.len() / 2;
                truncate_at_char(&mut http.body_excerpt, half);
                http.body_truncated = true;
                trimmed = true;
            } else {
                if let Some(http) = &mut self.result.http {
                    for v in http.headers.values_mut() {
                        trimmed |= cap_with_ellipsis(v, value_cap);
                    }
                }
                if let Some(dns) = &mut self.result.dns {
                    for a in &mut dns.answers {
                        trimmed |= cap_with_ellipsis(a, value_cap);
                    }
                    if dns.answers.len() > 64 {
                        dns.answers.truncate(64);
                        trimmed = true;
                    }
                }
                trimmed |= cap_with_ellipsis(&mut self.result.reason, value_cap.max(256));
                if let ProbeTarget::Http(h) = &mut self.spec.target
                    && let Some(body) = &mut h.body
                {
                    trimmed |= cap_with_ellipsis(body, value_cap);
                }
                value_cap /= 2;
            }
            if !trimmed && value_cap < 16 {
                // Nothing left that can be cut: the record is as small as it gets.
                break;
            }
        }
    }

    fn json_len(&self) -> usize {
        serde_json::to_vec(self).map_or(usize::MAX, |v| v.len())
    }
}

/// The key of the `index`-th probe block (0-based) of step `step` of runbook
/// `runbook_id`.
pub fn step_probe_key(runbook_id: &str, step: &str, index: usize) -> String {
    format!("{runbook_id}:{step}#{}", index + 1)
}

/// The key of an ad-hoc probe: its kind and target (filled).
pub fn adhoc_probe_key(spec: &ProbeSpec) -> String {
    format!(
        "{} {}",
        spec.kind().as_str(),
        redact_url(&spec.target_text())
    )
}

/// Header names whose values are credentials. Compared case-insensitively; any name
/// containing `token`, `secret`, `password` or `api-key` counts too.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-auth-token",
];

/// Whether a request header's value is a secret that must not leave the device.
pub fn is_secret_header(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    SECRET_HEADERS.contains(&lower.as_str())
        || ["token", "secret", "password", "api-key", "apikey"]
            .iter()
            .any(|word| lower.contains(word))
}

/// A copy of `spec` safe to share: secret header values and a URL's password replaced.
pub fn redact_spec(spec: &ProbeSpec) -> ProbeSpec {
    let mut spec = spec.clone();
    if let ProbeTarget::Http(h) = &mut spec.target {
        for (name, value) in h.headers.iter_mut() {
            if is_secret_header(name) {
                *value = REDACTED.to_string();
            }
        }
        h.url = redact_url(&h.url);
    }
    spec
}

/// A URL with the password of its user-info (`https://user:pw@host/`) replaced; other
/// text is returned as it is.
pub fn redact_url(text: &str) -> String {
    match url::Url::parse(text.trim()) {
        Ok(mut url) if url.password().is_some() => {
            if url.set_password(Some(REDACTED)).is_ok() {
                url.to_string()
            } else {
                text.to_string()
            }
        }
        _ => text.to_string(),
    }
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn truncate_at_char(text: &mut String, max: usize) {
    if text.len() <= max {
        return;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
}

/// Cuts `text` to about `cap` bytes with a trailing `…`; true when it cut.
fn cap_with_ellipsis(text: &mut String, cap: usize) -> bool {
    if text.len() <= cap {
        return false;
    }
    truncate_at_char(text, cap);
    text.push('…');
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::result::{DnsDetail, HttpDetail, Outcome};
    use crate::runbook::probe_spec::{DnsProbe, HttpProbe, ProbeKind, RecordType};
    use chrono::Utc;

    fn http_spec(url: &str) -> ProbeSpec {
        ProbeSpec {
            name: Some("API".into()),
            timeout: None,
            target: ProbeTarget::Http(Box::new(HttpProbe::get(url))),
        }
    }

    fn passed(kind: ProbeKind, target: &str) -> ProbeResult {
        ProbeResult::new(kind, target, None, Utc::now(), Outcome::Passed)
    }

    #[test]
    fn secrets_never_reach_the_log() {
        let mut spec = http_spec("https://ops:hunter2@api.test/health");
        if let ProbeTarget::Http(h) = &mut spec.target {
            h.headers
                .insert("Authorization".into(), "Bearer abc".into());
            h.headers.insert("X-Upstream-Token".into(), "t0k".into());
            h.headers.insert("Accept".into(), "application/json".into());
        }
        let record = ProbeRecord::new(
            "k".into(),
            None,
            &spec,
            passed(ProbeKind::Http, "https://api.test/health"),
        );
        let json = serde_json::to_string(&record).expect("json");
        assert!(!json.contains("hunter2"), "{json}");
        assert!(!json.contains("Bearer abc"), "{json}");
        assert!(!json.contains("t0k"), "{json}");
        assert!(json.contains("application/json"), "ordinary headers stay");
        assert!(
            json.contains("ops:(redacted)@api.test")
                || json.contains("ops:%28redacted%29@api.test"),
            "{json}"
        );
    }

    #[test]
    fn an_adhoc_key_hides_a_url_password() {
        let key = adhoc_probe_key(&http_spec("https://u:secret@api.test/"));
        assert!(key.starts_with("http https://u:"), "{key}");
        assert!(!key.contains("secret"), "{key}");
    }

    #[test]
    fn a_huge_result_is_trimmed_to_fit_the_hub_limit() {
        let mut result = passed(ProbeKind::Http, "http://127.0.0.1/");
        result.http = Some(HttpDetail {
            status: 200,
            body_excerpt: "é".repeat(40 * 1024),
            headers: (0..32)
                .map(|i| (format!("x-h{i}"), "v".repeat(8 * 1024)))
                .collect(),
            ..HttpDetail::default()
        });
        let record = ProbeRecord::new("k".into(), None, &http_spec("http://127.0.0.1/"), result);
        let len = serde_json::to_vec(&record).expect("json").len();
        assert!(len <= LOGGED_RECORD_LIMIT, "{len}");
        let http = record.result.http.as_ref().expect("http detail");
        assert!(http.body_truncated);
        assert!(http.headers.values().all(|v| v.len() < 8 * 1024));
    }

    #[test]
    fn a_small_result_is_kept_whole() {
        let mut result = passed(ProbeKind::Dns, "db.test");
        result.dns = Some(DnsDetail {
            record: RecordType::A,
            answers: vec!["127.0.0.1".into()],
            ..DnsDetail::default()
        });
        let spec = ProbeSpec {
            name: None,
            timeout: None,
            target: ProbeTarget::Dns(DnsProbe {
                query: "db.test".into(),
                record: RecordType::A,
                server: None,
                expect: vec![],
            }),
        };
        let record = ProbeRecord::new("k".into(), None, &spec, result.clone());
        assert_eq!(record.result, result);
        assert_eq!(record.spec, spec);
    }

    #[test]
    fn the_summary_says_pass_or_fail_in_one_line() {
        let mut result = passed(ProbeKind::Http, "http://127.0.0.1/");
        result.set_outcome(
            Outcome::failed(
                crate::probe::FailureClass::HttpStatus,
                "expected status 200,\n got 503",
            ),
            "",
        );
        let record = ProbeRecord::new("k".into(), None, &http_spec("http://127.0.0.1/"), result);
        assert_eq!(record.summary(), "✗ API: expected status 200, got 503");
    }
}
