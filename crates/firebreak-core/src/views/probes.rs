//! Probe history: every result of each probe over the incident, for the latency chart,
//! the "last state of each probe" in a handoff and the post-mortem's supporting data.

use super::order::sort_log;
use crate::event::{Event, EventBody, StepTarget};
use crate::ids::EventId;
use crate::probe::{FailureClass, ProbeRecord, ProbeResult};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One probe (one key) and its results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeHistory {
    pub key: String,
    /// The probe's name, else its target, as of its latest run.
    pub label: String,
    pub step: Option<StepTarget>,
    /// Every run, oldest first.
    pub runs: Vec<ProbePoint>,
    /// The latest run's full result.
    pub last: ProbeResult,
}

impl ProbeHistory {
    pub fn passes(&self) -> usize {
        self.runs.iter().filter(|r| r.ok).count()
    }
}

/// One run of a probe, as a point on a chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbePoint {
    pub event: EventId,
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub total_ms: Option<f64>,
    pub class: Option<FailureClass>,
    pub reason: String,
    pub author: String,
    /// The run was logged by a watch as a change of state.
    pub watch_change: bool,
}

/// Folds an incident's probe events into one history per probe, in the order each probe
/// first ran.
pub fn fold_probes(events: &[Event]) -> Vec<ProbeHistory> {
    let mut histories: Vec<ProbeHistory> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut probes: Vec<(&Event, &ProbeRecord)> = sort_log(events)
        .into_iter()
        .filter_map(|e| match &e.body {
            EventBody::Probe { probe } => Some((e, probe.as_ref())),
            _ => None,
        })
        .collect();
    // By when the probe ran, not when its event was appended: a batch of results is
    // written in completion order.
    probes.sort_by_key(|(e, p)| (p.result.started_at, e.recorded_at));
    for (event, record) in probes {
        let point = ProbePoint {
            event: event.id,
            at: record.result.started_at,
            ok: record.result.ok,
            total_ms: record.result.timings.total_ms,
            class: record.result.class(),
            reason: record.result.reason.clone(),
            author: event.author.clone(),
            watch_change: record.watch_change.is_some(),
        };
        let label = record
            .result
            .name
            .clone()
            .or_else(|| record.spec.name.clone())
            .unwrap_or_else(|| record.result.target.clone());
        match index.get(&record.key) {
            Some(&i) => {
                let history = &mut histories[i];
                history.runs.push(point);
                history.last = record.result.clone();
                history.label = label;
            }
            None => {
                index.insert(record.key.clone(), histories.len());
                histories.push(ProbeHistory {
                    key: record.key.clone(),
                    label,
                    step: record.step.clone(),
                    runs: vec![point],
                    last: record.result.clone(),
                });
            }
        }
    }
    histories
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Outcome, ProbeRecord};
    use crate::runbook::ProbeSpec;
    use crate::runbook::probe_spec::{ProbeKind, ProbeTarget, TcpProbe};
    use crate::test_support::LogBuilder;
    use chrono::Duration;

    fn tcp(address: &str) -> ProbeSpec {
        ProbeSpec {
            name: None,
            timeout: None,
            target: ProbeTarget::Tcp(TcpProbe {
                address: address.into(),
                max_latency: None,
            }),
        }
    }

    fn record(key: &str, at: DateTime<Utc>, ok: bool, ms: f64) -> EventBody {
        let outcome = if ok {
            Outcome::Passed
        } else {
            Outcome::error(FailureClass::Refused, "connection refused")
        };
        let mut result = ProbeResult::new(ProbeKind::Tcp, "127.0.0.1:1", None, at, outcome);
        result.timings.total_ms = Some(ms);
        EventBody::Probe {
            probe: Box::new(ProbeRecord::new(
                key.into(),
                None,
                &tcp("127.0.0.1:1"),
                result,
            )),
        }
    }

    #[test]
    fn results_group_by_key_in_the_order_they_ran() {
        let mut log = LogBuilder::new("alice");
        let t0 = log.clock;
        log.push(record("a", t0 + Duration::seconds(2), false, 3.0));
        log.push(record("b", t0 + Duration::seconds(1), true, 1.0));
        // Appended last, but ran first.
        log.push(record("a", t0, true, 2.0));
        log.push(EventBody::Finding {
            finding: crate::event::FindingKind::Note,
            text: "not a probe".into(),
        });
        let histories = fold_probes(&log.events);
        let keys: Vec<&str> = histories.iter().map(|h| h.key.as_str()).collect();
        assert_eq!(keys, ["a", "b"]);
        let a = &histories[0];
        assert_eq!(
            a.runs.iter().map(|r| r.total_ms).collect::<Vec<_>>(),
            [Some(2.0), Some(3.0)]
        );
        assert!(!a.last.ok, "the latest run is the failing one");
        assert_eq!(a.runs[1].class, Some(FailureClass::Refused));
        assert_eq!(a.passes(), 1);
        assert_eq!(a.label, "127.0.0.1:1");
    }
}
