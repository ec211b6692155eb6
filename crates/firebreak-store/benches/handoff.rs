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

mod support;

use chrono::Utc;
use firebreak_core::handoff::{decode_bundle, encode_bundle};
use firebreak_store::Store;
use support::{BenchSetup, fill_incident, median, ms};

use std::time::{Duration, Instant};

fn main() {
    let BenchSetup { dir, events, runs } = BenchSetup::start("handoff");

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
