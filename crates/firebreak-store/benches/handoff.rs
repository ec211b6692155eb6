//! Handoff benchmarks: `cargo bench -p firebreak-store --bench handoff`.
//!
//! One incident of 10,000 events (findings of every kind, a runbook run with its steps
//! checked, conclusions, customer updates), then, medians over several runs:
//!
//! - reading the incident's events: the floor under any draft;
//! - drafting the handoff note (read, fold, render);
//! - exporting the bundle (gather and encode), and its size;
//! - importing it into a fresh store (decode, check, one transaction) — beside the
//!   reference, storing the same events as a page pulled from the hub (`store_pulled`),
//!   the path the same events take when the network works;
//! - importing it again into the store that already has it (everything skipped).
//!
//! Without `--bench` (as `cargo test --benches` runs it) a small smoke version runs.

use chrono::{Duration as ChronoDuration, Utc};
use firebreak_core::event::{EventBody, FindingKind, NewEvent, Outcome, Severity, StepTarget};
use firebreak_core::handoff::{decode_bundle, encode_bundle};
use firebreak_core::runbook::parse;
use firebreak_store::Store;

use std::time::{Duration, Instant};

const RUNBOOK: &str = "---\nid: bench-outage\n---\n# Outage\n\n## Triage\n\n- [ ] Page the owner\n- [ ] Check the dashboards\n- [ ] Look at recent deploys\n\n## Mitigate\n\n- [ ] Roll back\n- [ ] Fail over\n- [ ] Tell customers\n";

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (events, runs) = if full { (10_000, 7) } else { (300, 2) };
    let base = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).expect("create CARGO_TARGET_TMPDIR");
    let dir = tempfile::tempdir_in(&base).expect("bench dir");

    println!();
    println!(
        "Firebreak handoff benchmarks{}",
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

    let mut alice = Store::open(&dir.path().join("alice")).expect("alice's store");
    let incident = fill_incident(&mut alice, events);
    let state = alice.incident(incident).expect("state");
    println!("  incident: {} events\n", state.event_count);

    let read = median(runs, || {
        let t = Instant::now();
        let events = alice.incident_events(incident).expect("read");
        assert_eq!(events.len(), state.event_count);
        t.elapsed()
    });
    let mut note = String::new();
    let draft = median(runs, || {
        let t = Instant::now();
        note = alice
            .draft_handoff(&state, "alice", Some("bob"), &[], Utc::now())
            .expect("draft");
        t.elapsed()
    });
    let sent = alice
        .send_handoff("alice", incident, "bob", &note)
        .expect("send");
    let mut text = String::new();
    let export = median(runs, || {
        let t = Instant::now();
        let payload = alice.handoff_bundle(&sent, Utc::now()).expect("bundle");
        text = encode_bundle(&payload).expect("encode");
        t.elapsed()
    });

    let mut n = 0;
    let import = median(runs, || {
        n += 1;
        let mut bob = Store::open(&dir.path().join(format!("bob-{n}"))).expect("bob");
        let t = Instant::now();
        let payload = decode_bundle(&text).expect("decode");
        let imported = bob.import_bundle(&payload).expect("import");
        let elapsed = t.elapsed();
        assert_eq!(imported.inserted, state.event_count + 1);
        elapsed
    });
    let payload = decode_bundle(&text).expect("decode");
    let pulled = median(runs, || {
        n += 1;
        let mut carol = Store::open(&dir.path().join(format!("carol-{n}"))).expect("carol");
        carol
            .connect_hub("http://127.0.0.1:9", "bench-token")
            .expect("connect (no traffic)");
        let t = Instant::now();
        let page = carol
            .store_pulled("http://127.0.0.1:9", &payload.events, 1, None)
            .expect("store pulled");
        let elapsed = t.elapsed();
        assert_eq!(page.inserted, state.event_count + 1);
        elapsed
    });
    let mut bob = Store::open(&dir.path().join("bob-again")).expect("bob");
    bob.import_bundle(&payload).expect("first import");
    let again = median(runs, || {
        let t = Instant::now();
        let payload = decode_bundle(&text).expect("decode");
        let imported = bob.import_bundle(&payload).expect("import again");
        let elapsed = t.elapsed();
        assert_eq!(imported.inserted, 0, "nothing doubled");
        elapsed
    });

    println!("  {:<52} {:>10}", "operation", "median");
    let row = |label: &str, d: Duration| println!("  {label:<52} {:>10}", ms(d));
    row("read the incident's events (floor)", read);
    row("draft the handoff note", draft);
    row("export the bundle (gather + encode)", export);
    row("import into a fresh store (decode + check + store)", import);
    row("reference: the same events as a pulled hub page", pulled);
    row("import again (everything already present)", again);
    println!();
    println!(
        "  bundle: {:.1} MiB for {} events; note: {} lines",
        text.len() as f64 / (1024.0 * 1024.0),
        payload.events.len(),
        note.lines().count()
    );
    println!(
        "  draft / read: {:.2}x   import / pulled page: {:.2}x",
        draft.as_secs_f64() / read.as_secs_f64(),
        import.as_secs_f64() / pulled.as_secs_f64()
    );
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut samples: Vec<Duration> = (0..runs).map(|_| f()).collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Alice's long incident, written in batches (one durable commit each).
fn fill_incident(alice: &mut Store, events: usize) -> firebreak_core::ids::IncidentId {
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
