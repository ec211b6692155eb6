//! What the store's benchmarks share: a long incident, medians, milliseconds.

use chrono::{Duration as ChronoDuration, Utc};
use firebreak_core::event::{EventBody, FindingKind, NewEvent, Outcome, Severity, StepTarget};
use firebreak_core::runbook::parse;
use firebreak_store::Store;
use std::time::Duration;

const RUNBOOK: &str = "---\nid: bench-outage\n---\n# Outage\n\n## Triage\n\n- [ ] Page the owner\n- [ ] Check the dashboards\n- [ ] Look at recent deploys\n\n## Mitigate\n\n- [ ] Roll back\n- [ ] Fail over\n- [ ] Tell customers\n";

/// A run's sizes and scratch directory, after the header is printed. Without `--bench`
/// (as `cargo test --benches` runs it) the sizes are a small smoke version.
pub struct BenchSetup {
    pub dir: tempfile::TempDir,
    pub events: usize,
    pub runs: usize,
}

impl BenchSetup {
    pub fn start(what: &str) -> BenchSetup {
        let full = std::env::args().any(|a| a == "--bench");
        let (events, runs) = if full { (10_000, 7) } else { (300, 2) };
        let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
        std::fs::create_dir_all(&base).expect("create CARGO_TARGET_TMPDIR");
        let dir = tempfile::tempdir_in(&base).expect("bench dir");
        println!();
        println!(
            "Firebreak {what} benchmarks{}",
            if full {
                ""
            } else {
                " (smoke run: pass --bench for the real sizes)"
            }
        );
        println!(
            "  machine: {} CPUs (shared with other jobs: medians of {runs} runs)",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        BenchSetup { dir, events, runs }
    }
}

pub fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut samples: Vec<Duration> = (0..runs).map(|_| f()).collect();
    samples.sort();
    samples[samples.len() / 2]
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 1.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

/// Alice's long incident, written in batches (one durable commit each).
pub fn fill_incident(alice: &mut Store, events: usize) -> firebreak_core::ids::IncidentId {
    let runbook = parse(RUNBOOK, "bench-outage").expect("runbook");
    alice.put_runbook(&runbook, "bench").expect("runbook");
    let state = alice
        .start_incident(
            "alice",
            "Checkout returns 502",
            Some(Severity::Sev1),
            &["bench-outage".to_string()],
        )
        .expect("start");
    let run = state.runs[0].run;
    let kinds = FindingKind::ALL;
    let mut written = state.event_count;
    let mut batch = Vec::new();
    let mut last_hypothesis = None;
    let mut i = 0usize;
    while written < events {
        i += 1;
        let kind = kinds[i % kinds.len()];
        let mut new = NewEvent::new(
            state.id,
            EventBody::Finding {
                finding: kind,
                text: format!(
                    "finding {i}: p99 latency on checkout-api is {} ms, error rate {}%",
                    200 + i % 900,
                    i % 40
                ),
            },
        );
        new.occurred_at = Some(Utc::now() - ChronoDuration::seconds((events - i) as i64));
        batch.push(new);
        if i.is_multiple_of(500) && i / 500 <= 6 {
            batch.push(NewEvent::new(
                state.id,
                EventBody::StepChecked {
                    target: StepTarget {
                        run,
                        step: format!("{}", i / 500).parse().expect("step"),
                    },
                    step_text: String::new(),
                    note: None,
                },
            ));
        }
        if batch.len() >= 500 || written + batch.len() >= events {
            written += batch.len();
            let appended = alice
                .append_all("alice", std::mem::take(&mut batch))
                .expect("append batch");
            if let Some(h) = appended
                .iter()
                .find(|e| e.kind() == firebreak_core::event::EventKind::Hypothesis)
            {
                last_hypothesis = Some(h.id);
            }
            if let Some(target) = last_hypothesis.take() {
                let mut conclusion = NewEvent::new(
                    state.id,
                    EventBody::Concluded {
                        outcome: Outcome::RuledOut,
                        note: Some("the numbers say otherwise".into()),
                    },
                );
                conclusion.amends = Some(target);
                alice.append("alice", conclusion).expect("conclude");
                written += 1;
            }
        }
    }
    state.id
}
