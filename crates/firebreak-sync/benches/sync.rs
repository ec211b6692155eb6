//! Benchmarks of sync (`cargo bench -p firebreak-sync`), against the targets.
//!
//! 1. push 10k: a store with 10,000 notes (100–300 bytes of text each) written offline,
//!    connected to a fresh hub; `sync_once` timed from call to return: every push
//!    acknowledged, then the pull (which brings the device's own 10,000 events back
//!    from the hub and skips them). Target: under 2 s. 5 runs.
//! 2. pull 10k: a fresh store of another user connected to that hub; `sync_once`
//!    pulls the 10,001 events (one transaction per page of 1,000). Target: under 2 s.
//!    5 runs.
//! 3. push 10k through `FaultProxy` with `Latency { one_way: 50 ms }` (100 ms added to
//!    every round trip); the round trip through the proxy is measured first with
//!    health requests to show the delay is real. Target: under 10 s. 3 runs.
//! 4. hub throughput: 50 threads, each its own user and device, push pre-built batches
//!    of 100 events (contiguous sequence numbers) to one hub; events accepted per
//!    second from the first send to the last acknowledgement. Median of 3 runs, plus
//!    one run with batches of 1 event (a finding at a time) for the per-request cost.
//!
//! Then one instrumented round (the steps of `sync_round`, replayed with public calls
//! and a timer around each) shows where the time of 1 and 2 goes.
//!
//! Every hub is a real `firebreak-hub` process (the release build beside this binary,
//! built once if missing) with a fresh data directory, on 127.0.0.1 port 0, serving
//! with the per-token rate limit raised (`--rate-burst 100000 --rate-per-second
//! 100000`): the default (a burst of 200, 50 a second) would throttle test 4. Nothing
//! listens on or connects to anything but loopback.
//!
//! `FIREBREAK_BENCH_ONLY=push|pull|latency|throughput|breakdown` runs one part (`pull`
//! needs `push`'s hub, so it runs one push first).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use chrono::{SubsecRound, Utc};
use firebreak_core::event::{Event, EventBody, FindingKind, NewEvent, Severity};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_core::sync::{
    MAX_BATCH_ENTRIES, MAX_PULL_LIMIT, PushLimits, PushRequest, RecordedSample, accept_pull,
    best_estimate, plan_push,
};
use firebreak_faultproxy::{FaultProxy, Faults};
use firebreak_store::Store;
use firebreak_sync::{ClientOptions, HubClient, RoundReport, sync_once};
use firebreak_testkit::hub_process::HubProcess;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, Instant};

/// Notes in the offline store; with the incident's start, 10,001 events.
const NOTES: usize = 10_000;
const EVENTS: u64 = NOTES as u64 + 1;
const PUSH_RUNS: usize = 5;
const PULL_RUNS: usize = 5;
const LATENCY_RUNS: usize = 3;
const THROUGHPUT_RUNS: usize = 3;
const ONE_WAY: Duration = Duration::from_millis(50);
const CLIENTS: usize = 50;
const BATCH: usize = 100;
const EVENTS_PER_CLIENT: usize = 1_000;
const SINGLE_EVENTS_PER_CLIENT: usize = 20;
/// As `round::PUSH_WINDOW` (private there).
const PUSH_WINDOW: usize = MAX_BATCH_ENTRIES * 5;
const RATE_FLAGS: [&str; 4] = ["--rate-burst", "100000", "--rate-per-second", "100000"];
const AUTHOR: &str = "bench";

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --all-targets` runs this binary
    // without it, and must not spend a minute here.
    if !std::env::args().any(|a| a == "--bench") {
        println!("sync benchmarks: run with `cargo bench -p firebreak-sync`");
        return;
    }
    let only = std::env::var("FIREBREAK_BENCH_ONLY").unwrap_or_default();
    let wants = |part: &str| only.is_empty() || only == part;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("firebreak-sync benchmarks (loopback only)\n");
    println!("hub: {}", firebreak_testkit::binaries::hub().display());
    println!(
        "hub flags: serve --listen 127.0.0.1:0 {} (the default per-token limit, burst 200 and 50/s, is raised for the benchmarks)",
        RATE_FLAGS.join(" ")
    );
    println!("machine: {cores} cores\n");
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(2024);
    let mut rows: Vec<Row> = Vec::new();

    if wants("push") || wants("pull") {
        let runs = if wants("push") { PUSH_RUNS } else { 1 };
        let (samples, hub, token) = push_loopback(&mut rng, runs);
        if wants("push") {
            rows.push(Row::seconds(
                "push 10k, loopback (s)",
                samples,
                Check::Below(2.0),
            ));
        }
        if wants("pull") {
            let samples = pull_loopback(&hub, &token);
            rows.push(Row::seconds(
                "pull 10k, loopback (s)",
                samples,
                Check::Below(2.0),
            ));
        }
    }
    if wants("latency") {
        let (rtt, direct, samples) = push_latency(&mut rng);
        rows.push(Row::millis(
            "round trip through the proxy (ms)",
            rtt,
            Check::AtLeast(100.0),
        ));
        rows.push(Row::millis(
            "round trip, direct (ms)",
            direct,
            Check::Report,
        ));
        rows.push(Row::seconds(
            "push 10k, 100 ms RTT (s)",
            samples,
            Check::Below(10.0),
        ));
    }
    if wants("throughput") {
        let (batched, single, latencies) = hub_throughput();
        rows.push(Row::rate(
            &format!("hub, {CLIENTS} clients, batches of {BATCH} (events/s)"),
            batched,
        ));
        rows.push(Row::rate(
            &format!("hub, {CLIENTS} clients, batches of 1 (events/s)"),
            single,
        ));
        rows.push(Row::millis(
            "  one push of 1 event under that load (ms)",
            latencies,
            Check::Report,
        ));
    }
    if wants("breakdown") {
        breakdown(&mut rng);
    }

    println!(
        "\n{:<48} {:>10} {:>10} {:>10}  {:<10} verdict",
        "benchmark", "median", "min", "max", "target"
    );
    for row in &rows {
        row.print();
    }
    println!(
        "\nmachine: {cores} cores; benchmarks took {:.0} s (not counting a hub build)",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------- the table

#[derive(Clone, Copy)]
enum Check {
    Below(f64),
    AtLeast(f64),
    Report,
}

struct Row {
    name: String,
    samples: Vec<f64>,
    decimals: usize,
    check: Check,
    unit: &'static str,
}

impl Row {
    fn seconds(name: &str, samples: Vec<Duration>, check: Check) -> Row {
        Row {
            name: name.into(),
            samples: samples.iter().map(Duration::as_secs_f64).collect(),
            decimals: 3,
            check,
            unit: "s",
        }
    }

    fn millis(name: &str, samples: Vec<Duration>, check: Check) -> Row {
        Row {
            name: name.into(),
            samples: samples.iter().map(|d| d.as_secs_f64() * 1e3).collect(),
            decimals: 1,
            check,
            unit: "ms",
        }
    }

    fn rate(name: &str, samples: Vec<f64>) -> Row {
        Row {
            name: name.into(),
            samples,
            decimals: 0,
            check: Check::Report,
            unit: "",
        }
    }

    fn print(&self) {
        let med = median(&self.samples);
        let min = self.samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = self
            .samples
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let (target, verdict) = match self.check {
            Check::Below(t) => (format!("< {t} {}", self.unit), verdict(med < t)),
            Check::AtLeast(t) => (format!(">= {t} {}", self.unit), verdict(med >= t)),
            Check::Report => ("-".to_string(), "report"),
        };
        let d = self.decimals;
        println!(
            "{:<48} {med:>10.d$} {min:>10.d$} {max:>10.d$}  {target:<10} {verdict}  (n={})",
            self.name,
            self.samples.len()
        );
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let mid = s.len() / 2;
    if s.len().is_multiple_of(2) {
        (s[mid - 1] + s[mid]) / 2.0
    } else {
        s[mid]
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let i = ((s.len() as f64 - 1.0) * p).round() as usize;
    s.get(i).copied().unwrap_or(f64::NAN)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---------------------------------------------------------------- the hub process

/// A hub process on a fresh data directory with the rate limit raised, and `users`
/// added (their tokens in order); `firebreak-testkit` finds the release binary beside
/// this benchmark and builds it when it is missing or older than the sources.
/// Dropping it kills it.
struct Hub {
    url: String,
    addr: SocketAddr,
    _process: HubProcess,
}

impl Hub {
    fn start(users: &[String]) -> (Hub, Vec<String>) {
        let process = HubProcess::start_fresh(&RATE_FLAGS);
        let tokens = users.iter().map(|name| process.add_user(name)).collect();
        let hub = Hub {
            url: process.url(),
            addr: process.addr(),
            _process: process,
        };
        (hub, tokens)
    }
}

fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

// ---------------------------------------------------------------- stores and events

const WORDS: &[&str] = &[
    "checkout",
    "p99",
    "latency",
    "rose",
    "after",
    "the",
    "deploy",
    "of",
    "api-gateway",
    "v2.31.4",
    "at",
    "13:42",
    "UTC;",
    "error",
    "rate",
    "on",
    "payments",
    "is",
    "flat,",
    "but",
    "connection",
    "pool",
    "saturation",
    "in",
    "eu-west-1",
    "looks",
    "suspicious.",
    "Rolled",
    "back",
    "canary",
    "and",
    "watching",
    "dashboards;",
    "db",
    "replica",
    "lag",
    "is",
    "2.3s",
    "which",
    "matches",
    "the",
    "timeout",
    "spike",
    "seen",
    "by",
    "support.",
];

/// A note of 100 to 300 bytes, like a responder types.
fn note_text(rng: &mut StdRng) -> String {
    let len = rng.random_range(100..=300);
    let mut text = String::with_capacity(len + 16);
    while text.len() < len {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    text.truncate(len);
    text.trim_end().to_string()
}

/// A store in `home` with an incident and 10,000 notes recorded while offline.
fn offline_store(home: &Path, rng: &mut StdRng) -> Store {
    let mut store = Store::open(home).expect("open the store");
    let incident = store
        .start_incident(AUTHOR, "Checkout p99 above 2 s", Some(Severity::Sev2), &[])
        .expect("start an incident");
    let mut left = NOTES;
    while left > 0 {
        let n = left.min(1_000);
        let notes = (0..n)
            .map(|_| {
                NewEvent::new(
                    incident.id,
                    EventBody::Finding {
                        finding: FindingKind::Note,
                        text: note_text(rng),
                    },
                )
            })
            .collect();
        store.append_all(AUTHOR, notes).expect("append notes");
        left -= n;
    }
    // As the desktop app leaves it when idle: the WAL copied into the database.
    store.checkpoint().expect("checkpoint");
    store
}

// ---------------------------------------------------------------- 1. push, 2. pull

/// Runs of (fresh hub, offline store, timed `sync_once`); returns the times and the
/// last run's hub with a second user's token for the pull.
fn push_loopback(rng: &mut StdRng, runs: usize) -> (Vec<Duration>, Hub, String) {
    println!("1. push {NOTES} notes (+1 incident start) to a fresh hub on loopback, {runs} runs");
    let mut samples = Vec::new();
    let mut last = None;
    for run in 1..=runs {
        let (hub, tokens) = Hub::start(&["pusher".into(), "puller".into()]);
        let home = tempfile::tempdir().expect("store tempdir");
        let setup = Instant::now();
        let mut store = offline_store(home.path(), rng);
        let setup = setup.elapsed();
        store.connect_hub(&hub.url, &tokens[0]).expect("connect");
        let (took, report) = timed_round(&mut store);
        check_pushed(&report);
        println!(
            "   run {run}: {:>7.1} ms  (pushed {}, pulled back {} own events and skipped them; setup {:.0} ms, not timed)",
            ms(took),
            report.pushed,
            report.pull_cursor,
            ms(setup)
        );
        samples.push(took);
        last = Some((hub, tokens[1].clone()));
    }
    let (hub, token) = last.expect("at least one run");
    (samples, hub, token)
}

fn timed_round(store: &mut Store) -> (Duration, RoundReport) {
    let t = Instant::now();
    let report = sync_once(store, ClientOptions::default()).expect("sync_once");
    (t.elapsed(), report)
}

fn check_pushed(report: &RoundReport) {
    assert_eq!(report.pushed as u64, EVENTS, "{report:?}");
    assert_eq!(report.acknowledged_seq, EVENTS, "{report:?}");
    assert_eq!(report.already_on_hub, 0, "{report:?}");
}

fn pull_loopback(hub: &Hub, token: &str) -> Vec<Duration> {
    println!("\n2. pull {EVENTS} events into a fresh store of another user, {PULL_RUNS} runs");
    let mut samples = Vec::new();
    for run in 1..=PULL_RUNS {
        let home = tempfile::tempdir().expect("store tempdir");
        let mut store = Store::open(home.path()).expect("open the store");
        store.connect_hub(&hub.url, token).expect("connect");
        let (took, report) = timed_round(&mut store);
        assert_eq!(report.pulled as u64, EVENTS, "{report:?}");
        assert_eq!(store.event_count().expect("count"), EVENTS);
        println!(
            "   run {run}: {:>7.1} ms  (pulled {}, cursor {})",
            ms(took),
            report.pulled,
            report.pull_cursor
        );
        samples.push(took);
    }
    samples
}

// ---------------------------------------------------------------- 3. push with latency

/// Returns the round trips through the proxy and direct, and the push times.
fn push_latency(rng: &mut StdRng) -> (Vec<Duration>, Vec<Duration>, Vec<Duration>) {
    println!(
        "\n3. push {NOTES} notes through FaultProxy Latency {{ one_way: {} ms }}, {LATENCY_RUNS} runs",
        ONE_WAY.as_millis()
    );
    let mut rtt = Vec::new();
    let mut direct = Vec::new();
    let mut samples = Vec::new();
    for run in 1..=LATENCY_RUNS {
        let (hub, tokens) = Hub::start(&["pusher".into()]);
        let proxy = FaultProxy::start(hub.addr, Faults::Latency { one_way: ONE_WAY })
            .expect("start the proxy");
        if run == 1 {
            // GET /v1/health, 5 times on one connection (the first also connects).
            let health_times = |url: &str| -> Vec<Duration> {
                let client = HubClient::new(
                    url,
                    &tokens[0],
                    DeviceId::new_v7(),
                    ClientOptions::default(),
                )
                .expect("client");
                (0..5)
                    .map(|_| {
                        let t = Instant::now();
                        client.health().expect("health");
                        t.elapsed()
                    })
                    .collect()
            };
            rtt = health_times(&proxy.url());
            direct = health_times(&hub.url);
            println!(
                "   health through the proxy: {:?} ms; direct: {:?} ms",
                rtt.iter().map(|d| ms(*d).round()).collect::<Vec<_>>(),
                direct
                    .iter()
                    .map(|d| (ms(*d) * 100.0).round() / 100.0)
                    .collect::<Vec<_>>()
            );
        }
        let home = tempfile::tempdir().expect("store tempdir");
        let mut store = offline_store(home.path(), rng);
        store
            .connect_hub(&proxy.url(), &tokens[0])
            .expect("connect");
        let (took, report) = timed_round(&mut store);
        check_pushed(&report);
        let stats = proxy.stats();
        println!(
            "   run {run}: {:>7.1} ms  (pushed {}, pulled back {}; proxy: {stats:?})",
            ms(took),
            report.pushed,
            report.pull_cursor
        );
        samples.push(took);
    }
    (rtt, direct, samples)
}

// ---------------------------------------------------------------- 4. hub throughput

/// One device's events: an incident start, then findings, in contiguous sequence.
fn device_requests(
    author: &str,
    events: usize,
    batch: usize,
    rng: &mut StdRng,
) -> Vec<PushRequest> {
    let device = DeviceId::new_v7();
    let incident = IncidentId::new_v7();
    let recorded_at = Utc::now().trunc_subsecs(6);
    let all: Vec<Event> = (1..=events as u64)
        .map(|seq| Event {
            id: EventId::new_v7(),
            incident,
            author: author.to_string(),
            device,
            seq,
            recorded_at,
            occurred_at: None,
            amends: None,
            private: false,
            body: if seq == 1 {
                EventBody::IncidentStarted {
                    title: format!("Incident seen by {author}"),
                    severity: Some(Severity::Sev3),
                }
            } else {
                EventBody::Finding {
                    finding: FindingKind::Note,
                    text: note_text(rng),
                }
            },
        })
        .collect();
    all.chunks(batch)
        .map(|chunk| PushRequest {
            device,
            events: chunk.to_vec(),
            private_seqs: Vec::new(),
            clock: None,
        })
        .collect()
}

struct Throughput {
    events: usize,
    events_per_second: f64,
    wall: Duration,
    requests: usize,
    latencies_ms: Vec<f64>,
}

/// `CLIENTS` threads, one user and one device each, push their batches to one fresh
/// hub at once. Each client checks the hub answers before the start line, so the
/// clock runs from the first push sent to the last acknowledgement.
fn throughput_run(per_client: usize, batch: usize) -> Throughput {
    let users = names("responder", CLIENTS);
    let (hub, tokens) = Hub::start(&users);
    let mut rng = StdRng::seed_from_u64(per_client as u64 * 31 + batch as u64);
    let clients: Vec<(HubClient, Vec<PushRequest>)> = users
        .iter()
        .zip(&tokens)
        .map(|(user, token)| {
            let requests = device_requests(user, per_client, batch, &mut rng);
            let device = requests[0].device;
            let client =
                HubClient::new(&hub.url, token, device, ClientOptions::default()).expect("client");
            (client, requests)
        })
        .collect();
    let barrier = Barrier::new(CLIENTS);
    let results: Vec<(Instant, Instant, usize, Vec<f64>)> = std::thread::scope(|scope| {
        let barrier = &barrier;
        let handles: Vec<_> = clients
            .into_iter()
            .map(|(client, requests)| {
                scope.spawn(move || {
                    client.health().expect("health");
                    barrier.wait();
                    let first = Instant::now();
                    let mut stored = 0;
                    let mut latencies = Vec::with_capacity(requests.len());
                    for request in &requests {
                        let t = Instant::now();
                        let answer = client.push(request).expect("push");
                        latencies.push(ms(t.elapsed()));
                        stored += answer.body.stored;
                    }
                    (first, Instant::now(), stored, latencies)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    });
    let first = results.iter().map(|r| r.0).min().expect("clients");
    let last = results.iter().map(|r| r.1).max().expect("clients");
    let stored: usize = results.iter().map(|r| r.2).sum();
    assert_eq!(stored, CLIENTS * per_client, "every event accepted once");
    let latencies_ms: Vec<f64> = results.into_iter().flat_map(|r| r.3).collect();
    let wall = last - first;
    drop(hub);
    Throughput {
        events: stored,
        events_per_second: stored as f64 / wall.as_secs_f64(),
        wall,
        requests: latencies_ms.len(),
        latencies_ms,
    }
}

/// Returns events/s of the batched runs, of the single-event run, and that run's
/// per-push latencies.
fn hub_throughput() -> (Vec<f64>, Vec<f64>, Vec<Duration>) {
    println!(
        "\n4. hub throughput: {CLIENTS} clients (threads), each its own user and device, one fresh hub per run"
    );
    let mut batched = Vec::new();
    for run in 1..=THROUGHPUT_RUNS {
        let t = throughput_run(EVENTS_PER_CLIENT, BATCH);
        print_throughput(&format!("run {run}, batches of {BATCH}"), &t);
        batched.push(t.events_per_second);
    }
    let t = throughput_run(SINGLE_EVENTS_PER_CLIENT, 1);
    print_throughput("batches of 1", &t);
    let latencies = t
        .latencies_ms
        .iter()
        .map(|l| Duration::from_secs_f64(l / 1e3))
        .collect();
    (batched, vec![t.events_per_second], latencies)
}

fn print_throughput(label: &str, t: &Throughput) {
    println!(
        "   {label}: {} events in {} pushes, {:.0} ms wall: {:.0} events/s, {:.0} pushes/s; per push median {:.1} ms, p99 {:.1} ms",
        t.events,
        t.requests,
        ms(t.wall),
        t.events_per_second,
        t.requests as f64 / t.wall.as_secs_f64(),
        median(&t.latencies_ms),
        percentile(&t.latencies_ms, 0.99)
    );
}

// ---------------------------------------------------------------- where the time goes

#[derive(Default)]
struct Phases {
    parts: Vec<(&'static str, Duration, usize)>,
}

impl Phases {
    fn time<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        let took = t.elapsed();
        match self.parts.iter_mut().find(|p| p.0 == name) {
            Some(part) => {
                part.1 += took;
                part.2 += 1;
            }
            None => self.parts.push((name, took, 1)),
        }
        out
    }

    fn print(&self, total: Duration) {
        for (name, took, calls) in &self.parts {
            println!(
                "     {name:<44} {:>8.1} ms  {:>4.0}%  ({calls} calls)",
                ms(*took),
                100.0 * took.as_secs_f64() / total.as_secs_f64()
            );
        }
        let counted: Duration = self.parts.iter().map(|p| p.1).sum();
        println!(
            "     {:<44} {:>8.1} ms  (total {:.1} ms)",
            "(between the timers)",
            ms(total.saturating_sub(counted)),
            ms(total)
        );
    }
}

/// One round with a timer around each step: the steps of `sync_round` (health, push
/// windows, pull pages), replayed with public calls.
fn instrumented_round(store: &mut Store, client: &HubClient) -> (Phases, Duration) {
    let mut p = Phases::default();
    let device = store.device();
    let start = Instant::now();
    p.time("health (GET /v1/health)", || {
        client.health().expect("health")
    });
    let mut clock = best_estimate(&store.clock_samples().expect("samples")).map(|s| s.sample);
    let mut acknowledged = store
        .hub_connection()
        .expect("hub")
        .expect("connected")
        .acknowledged_seq;
    let note_clock =
        |p: &mut Phases, store: &Store, exchange: Option<firebreak_core::sync::Exchange>| {
            p.time("store: clock sample (insert, trim, read)", || {
                let exchange = exchange.expect("exchange");
                let sample = exchange.sample();
                store
                    .record_clock_sample(RecordedSample {
                        sample,
                        received_at: exchange.received_at,
                    })
                    .expect("record clock");
                best_estimate(&store.clock_samples().expect("samples")).map(|s| s.sample)
            })
        };
    loop {
        let local_last = p.time("store: own_last_seq", || {
            store.own_last_seq().expect("last")
        });
        if acknowledged >= local_last {
            break;
        }
        let events = p.time("store: read a window of own events", || {
            store
                .own_events_after(acknowledged, PUSH_WINDOW)
                .expect("window")
        });
        let window_last = events.last().map_or(acknowledged, |e| e.seq);
        let batches = p.time("plan_push (serializes each event to size it)", || {
            plan_push(
                device,
                window_last,
                acknowledged,
                &events,
                PushLimits::default(),
            )
            .expect("plan")
        });
        for batch in batches {
            let request = p.time("build the request (clone events)", || {
                batch.request(device, clock)
            });
            let answer = p.time("POST /v1/events (encode, send, hub, answer)", || {
                client.push(&request).expect("push")
            });
            clock = note_clock(&mut p, store, answer.exchange);
            p.time("store: own_last_seq + record_acknowledged", || {
                store.own_last_seq().expect("last");
                store
                    .record_acknowledged(client.url(), answer.body.acknowledged_seq)
                    .expect("ack");
            });
            acknowledged = acknowledged.max(answer.body.acknowledged_seq);
        }
    }
    let mut cursor = store
        .hub_connection()
        .expect("hub")
        .expect("connected")
        .pull_cursor;
    loop {
        let answer = p.time("GET /v1/events (hub, transfer, parse)", || {
            client.pull(cursor, MAX_PULL_LIMIT, clock).expect("pull")
        });
        clock = note_clock(&mut p, store, answer.exchange);
        let page = p.time("accept_pull", || {
            accept_pull(device, cursor, answer.body).expect("accept")
        });
        p.time(
            "store: store_pulled_page (one transaction per page)",
            || {
                store
                    .store_pulled_page(client.url(), &page)
                    .expect("store page")
            },
        );
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    (p, start.elapsed())
}

fn breakdown(rng: &mut StdRng) {
    println!("\n5. where the time goes: one round of each, replayed step by step with timers");
    let (hub, tokens) = Hub::start(&["pusher".into(), "puller".into()]);
    let home = tempfile::tempdir().expect("store tempdir");
    let mut store = offline_store(home.path(), rng);
    store.connect_hub(&hub.url, &tokens[0]).expect("connect");
    let client = HubClient::new(
        &hub.url,
        &tokens[0],
        store.device(),
        ClientOptions::default(),
    )
    .expect("client");
    let (phases, total) = instrumented_round(&mut store, &client);
    println!("   push {EVENTS} events (and pull them back):");
    phases.print(total);

    let home = tempfile::tempdir().expect("store tempdir");
    let mut store = Store::open(home.path()).expect("open the store");
    store.connect_hub(&hub.url, &tokens[1]).expect("connect");
    let client = HubClient::new(
        &hub.url,
        &tokens[1],
        store.device(),
        ClientOptions::default(),
    )
    .expect("client");
    let (phases, total) = instrumented_round(&mut store, &client);
    assert_eq!(store.event_count().expect("count"), EVENTS);
    println!("   pull {EVENTS} events into a fresh store:");
    phases.print(total);
}
