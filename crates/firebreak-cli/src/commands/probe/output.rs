//! How a probe result is shown: one line a tired person can read at 3 a.m., or JSON.

use crate::output::one_line;
use firebreak_core::ids::EventId;
use firebreak_core::probe::{FailureClass, PlannedProbe, ProbeResult, Timings};
use firebreak_core::views::IncidentState;
use serde::Serialize;

/// Reasons are one sentence; this only guards the line against a pathological one.
const REASON_WIDTH: usize = 300;

pub fn mark(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}

/// `dns 0.0 · connect 0.1 · tls 0.4 · first byte 0.9 · total 1.2 ms`; phases that did
/// not happen are left out; empty when none did.
pub fn timings(t: &Timings) -> String {
    let parts: Vec<String> = [
        ("dns", t.dns_ms),
        ("connect", t.connect_ms),
        ("tls", t.tls_ms),
        ("first byte", t.first_byte_ms),
        ("total", t.total_ms),
    ]
    .into_iter()
    .filter_map(|(name, ms)| ms.map(|ms| format!("{name} {ms:.1}")))
    .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("{} ms", parts.join(" · "))
    }
}

/// `✓ step 3  API health  https://api.example.com/health  status 200 in 1.2 ms  (dns …)`;
/// a failure shows its class before the reason: `✗ … refused: connection refused …`.
pub fn result_line(result: &ProbeResult, step: Option<&str>) -> String {
    let mut line = format!("{} ", mark(result.ok));
    if let Some(step) = step {
        line.push_str(&format!("step {step}  "));
    }
    if let Some(name) = &result.name {
        line.push_str(&format!("{}  ", one_line(name, 80)));
    }
    line.push_str(&result.target);
    line.push_str("  ");
    if let Some(class) = result.class() {
        line.push_str(&format!("{class}: "));
    }
    line.push_str(&one_line(&result.reason, REASON_WIDTH));
    let t = timings(&result.timings);
    if !t.is_empty() {
        line.push_str(&format!("  ({t})"));
    }
    line
}

/// `- skipped  step 3  Database primary  {{ db_primary }}  {{ db_primary }} has no value: …`
pub fn skipped_line(probe: &PlannedProbe, step: &str, sentence: &str) -> String {
    format!(
        "- skipped  step {step}  {}  {}",
        one_line(&probe.label(), 80),
        sentence
    )
}

/// The step as people type it: `3`, or `runbook-id:3` when several runbooks run (as
/// `incident show` prints it).
pub fn step_ref(incident: &IncidentState, runbook_id: &str, path: &str) -> String {
    if incident.runs.len() > 1 {
        format!("{runbook_id}:{path}")
    } else {
        path.to_string()
    }
}

/// One probe's result as `probe check|run --json` prints it: the engine's result with
/// its failure class, which probe it is (`key`, `runbook`, `step`) and the event that
/// recorded it.
#[derive(Debug, Serialize)]
pub struct ResultJson {
    #[serde(flatten)]
    pub result: ProbeResult,
    /// Why it did not pass (`refused`, `timeout`, `http_status`, …); `null` for a pass.
    pub class: Option<FailureClass>,
    pub key: String,
    pub runbook: Option<String>,
    /// The step's path in its runbook (`"3"`), `null` for an ad-hoc probe.
    pub step: Option<String>,
    /// The recorded event's id; `null` when not recorded.
    pub event: Option<String>,
    /// Not run, because placeholders had no value (they are in `missing`).
    pub skipped: bool,
    pub missing: Vec<String>,
}

impl ResultJson {
    pub fn new(
        result: ProbeResult,
        key: String,
        runbook: Option<String>,
        step: Option<String>,
        event: Option<EventId>,
    ) -> ResultJson {
        ResultJson {
            class: result.class(),
            result,
            key,
            runbook,
            step,
            event: event.map(|e| e.to_string()),
            skipped: false,
            missing: Vec::new(),
        }
    }
}

/// How many passed, failed and were skipped, for the closing line.
#[derive(Debug, Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    pub fn add(&mut self, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }

    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.skipped == 0
    }

    /// `2 passed, 1 failed, 1 skipped`; zero counts left out (but never all of them).
    pub fn text(&self) -> String {
        let parts: Vec<String> = [
            (self.passed, "passed"),
            (self.failed, "failed"),
            (self.skipped, "skipped"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| format!("{n} {word}"))
        .collect();
        if parts.is_empty() {
            "nothing ran".to_string()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use firebreak_core::probe::Outcome;
    use firebreak_core::runbook::probe_spec::ProbeKind;

    #[test]
    fn phases_that_did_not_happen_are_left_out() {
        let t = Timings {
            dns_ms: Some(0.01),
            connect_ms: Some(0.12),
            tls_ms: None,
            first_byte_ms: Some(0.94),
            total_ms: Some(1.23),
        };
        assert_eq!(
            timings(&t),
            "dns 0.0 · connect 0.1 · first byte 0.9 · total 1.2 ms"
        );
        assert_eq!(timings(&Timings::default()), "");
    }

    #[test]
    fn a_failure_line_has_the_class_and_the_reason() {
        let mut r = ProbeResult::new(
            ProbeKind::Tcp,
            "127.0.0.1:1",
            Some("DB".into()),
            Utc::now(),
            Outcome::error(FailureClass::Refused, "connection refused by 127.0.0.1:1"),
        );
        r.timings.total_ms = Some(0.3);
        assert_eq!(
            result_line(&r, Some("3")),
            "✗ step 3  DB  127.0.0.1:1  refused: connection refused by 127.0.0.1:1  (total 0.3 ms)"
        );
    }

    #[test]
    fn tallies_read_plainly() {
        let mut t = Tally::default();
        assert_eq!(t.text(), "nothing ran");
        t.add(true);
        t.add(false);
        t.skipped = 1;
        assert_eq!(t.text(), "1 passed, 1 failed, 1 skipped");
        assert!(!t.all_passed());
    }
}
