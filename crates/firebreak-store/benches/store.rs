//! Store benchmarks: `cargo bench -p firebreak-store`.
//!
//! a. Durable append latency on a store already holding 100,000 events, against a raw
//!    `write` + `fdatasync` of the same number of bytes (target: p99 within 2x).
//! b. Importing 1,000 runbook files (target: at least 500 runbooks/s).
//! c. Full-text search over 100,000 findings (target: p99 at most 50 ms).
//!
//! Everything runs in a temporary directory under `CARGO_TARGET_TMPDIR` (the target
//! directory's filesystem, never a tmpfs `/tmp`). Without `--bench` (as `cargo test
//! --benches` runs it) a small smoke version runs instead, to keep the code working.

use chrono::{DateTime, Duration as ChronoDuration, SecondsFormat, Utc};
use firebreak_core::event::{EventBody, FindingKind, NewEvent, Severity};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_store::{FileOutcome, Store};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SEED: u64 = 0xF12E_B2EA;

/// The store's `wal_autocheckpoint`, in pages: the WAL is rewritten from its start after
/// each checkpoint, so the raw baseline wraps at the same size.
const WAL_AUTOCHECKPOINT_PAGES: u64 = firebreak_store::WAL_AUTOCHECKPOINT_PAGES as u64;

#[derive(Debug, Clone, Copy)]
struct Scale {
    events: usize,
    incidents: usize,
    appends: usize,
    runbooks: usize,
    import_runs: usize,
    searches: usize,
}

const FULL: Scale = Scale {
    events: 100_000,
    incidents: 40,
    appends: 2_000,
    runbooks: 1_000,
    import_runs: 3,
    searches: 500,
};

const SMOKE: Scale = Scale {
    events: 2_000,
    incidents: 4,
    appends: 30,
    runbooks: 20,
    import_runs: 1,
    searches: 20,
};

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let scale = if full { FULL } else { SMOKE };
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&base).expect("create CARGO_TARGET_TMPDIR");
    let dir = tempfile::tempdir_in(&base).expect("bench dir");
    let started = Instant::now();

    println!();
    println!(
        "Firebreak store benchmarks{}",
        if full {
            ""
        } else {
            " (smoke run: pass --bench for the real sizes)"
        }
    );
    println!("  directory:  {}", dir.path().display());
    println!("  filesystem: {}", filesystem_of(dir.path()));
    println!(
        "  machine:    {} CPUs (shared with other jobs: expect some noise)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!();

    let mut rng = StdRng::seed_from_u64(SEED);
    let vocab = Vocabulary::new();

    // a. append latency (the store filled here is reused by c).
    let store_path = dir.path().join("firebreak.db");
    let t = Instant::now();
    let fill = fill_store(&store_path, scale, &vocab, &mut rng);
    println!(
        "  filled a store with {} events ({} incidents) in {:.1} s; file {:.1} MB",
        fill.events,
        scale.incidents,
        t.elapsed().as_secs_f64(),
        file_mb(&store_path)
    );
    println!(
        "  indexed them for search in one catch-up: {:.2} s ({:.0} events/s)",
        fill.index_time.as_secs_f64(),
        fill.events as f64 / fill.index_time.as_secs_f64().max(1e-9)
    );
    let appends = bench_appends(&store_path, &fill, scale, &vocab, &mut rng, dir.path());

    // b. import.
    let import = bench_import(dir.path(), scale, &mut rng);

    // c. search (over the store from a: the fill plus the measured appends).
    let search = bench_search(&store_path, &fill, scale, &vocab, &mut rng);

    print_report(&appends, &import, &search, scale);
    println!(
        "  total bench time {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!();
}

// ---------------------------------------------------------------------------------
// Statistics

#[derive(Debug, Clone)]
struct Stats {
    n: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    mean: Duration,
}

fn stats(samples: &[Duration]) -> Stats {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let at = |q: f64| {
        // Nearest rank: the smallest sample with at least q of the samples at or below it.
        let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[rank - 1]
    };
    let total: Duration = sorted.iter().sum();
    Stats {
        n,
        p50: at(0.50),
        p99: at(0.99),
        max: sorted[n - 1],
        mean: total / n as u32,
    }
}

fn ms(d: Duration) -> String {
    let v = d.as_secs_f64() * 1e3;
    if v < 10.0 {
        format!("{v:.3} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn file_mb(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6)
}

fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

/// The filesystem type and device of the mount holding `path`, from /proc/mounts.
fn filesystem_of(path: &Path) -> String {
    let Ok(canonical) = path.canonicalize() else {
        return "unknown".into();
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return "unknown (no /proc/mounts)".into();
    };
    mounts
        .lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let (dev, mount, fstype) = (f.next()?, f.next()?, f.next()?);
            canonical.starts_with(mount).then(|| {
                (
                    mount.len(),
                    format!("{fstype} on {dev} (mounted at {mount})"),
                )
            })
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "unknown".into(), |(_, s)| s)
}

// ---------------------------------------------------------------------------------
// Realistic finding text

struct Vocabulary {
    services: Vec<&'static str>,
    common: Vec<&'static str>,
    metrics: Vec<&'static str>,
    causes: Vec<&'static str>,
    people: Vec<&'static str>,
    regions: Vec<&'static str>,
    symptoms: Vec<&'static str>,
    actions: Vec<&'static str>,
}

impl Vocabulary {
    fn new() -> Self {
        Vocabulary {
            services: vec![
                "api",
                "checkout",
                "payments",
                "search",
                "auth",
                "login",
                "cart",
                "inventory",
                "web",
                "cdn",
                "gateway",
                "worker",
                "scheduler",
                "mongo",
                "postgres",
                "redis",
                "kafka",
                "elasticsearch",
                "nginx",
                "haproxy",
                "billing",
                "notifications",
                "recommendations",
                "images",
                "uploads",
                "sessions",
                "catalog",
                "orders",
            ],
            common: vec![
                "error",
                "errors",
                "latency",
                "timeout",
                "timeouts",
                "slow",
                "high",
                "low",
                "since",
                "after",
                "before",
                "deploy",
                "rollback",
                "primary",
                "secondary",
                "replica",
                "replication",
                "lag",
                "connections",
                "pool",
                "exhausted",
                "memory",
                "cpu",
                "disk",
                "full",
                "queue",
                "backlog",
                "retry",
                "retries",
                "storm",
                "traffic",
                "spike",
                "drop",
                "users",
                "customers",
                "report",
                "dashboard",
                "alert",
                "paged",
                "restart",
                "restarted",
                "pod",
                "pods",
                "node",
                "nodes",
                "cluster",
                "region",
                "zone",
                "failover",
                "leader",
                "election",
                "config",
                "flag",
                "feature",
                "cache",
                "miss",
                "hit",
                "ratio",
                "certificate",
                "expired",
                "dns",
                "resolution",
                "upstream",
                "downstream",
                "502",
                "503",
                "504",
                "500",
                "rate",
                "limit",
                "throttled",
                "healthy",
                "unhealthy",
                "probe",
                "check",
                "failing",
                "green",
                "red",
                "recovered",
                "still",
                "again",
                "looks",
                "like",
                "not",
                "the",
                "on",
                "in",
                "of",
                "to",
                "and",
                "is",
                "at",
                "from",
                "we",
                "seeing",
                "confirmed",
                "suspect",
                "maybe",
                "probably",
                "ruled",
                "out",
            ],
            metrics: vec![
                "p99 latency",
                "p95 latency",
                "error rate",
                "cpu usage",
                "memory usage",
                "disk usage",
                "connection count",
                "queue depth",
                "replication lag",
                "cache hit ratio",
                "request rate",
                "gc pause",
            ],
            causes: vec![
                "a bad deploy",
                "connection pool exhaustion",
                "a slow query",
                "a missing index",
                "an expired certificate",
                "a dns change",
                "a noisy neighbour",
                "a config push",
                "a feature flag",
                "a retry storm",
                "a full disk",
                "a memory leak",
                "a network partition",
                "a cdn purge",
                "an upstream outage",
                "a schema migration",
                "a cron job",
            ],
            people: vec![
                "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
                "mallory", "oscar", "peggy", "trent", "victor", "walter",
            ],
            regions: vec![
                "eu-west-1",
                "eu-central-1",
                "us-east-1",
                "us-west-2",
                "ap-southeast-1",
                "sa-east-1",
            ],
            symptoms: vec![
                "blank page on checkout",
                "login loops back to the sign-in form",
                "cart empties on refresh",
                "payments declined with code 51",
                "search returns nothing",
                "images do not load",
                "500 on the orders page",
                "timeouts on the mobile app",
            ],
            actions: vec![
                "restarted",
                "scaled up",
                "rolled back",
                "drained",
                "failed over",
                "paused",
                "throttled",
                "purged",
                "rotated",
                "disabled",
                "re-enabled",
            ],
        }
    }

    /// Zipf-like choice: early words far more often than late ones.
    fn zipf<'a>(&self, words: &'a [&'static str], rng: &mut StdRng) -> &'a str {
        let u: f64 = rng.random();
        let i = ((words.len() as f64).powf(u) - 1.0) as usize;
        words[i.min(words.len() - 1)]
    }

    fn pick<'a>(&self, words: &'a [&'static str], rng: &mut StdRng) -> &'a str {
        words.choose(rng).copied().unwrap_or("x")
    }

    /// A rare token: a commit, a pod or a host name.
    fn rare(&self, rng: &mut StdRng) -> String {
        match rng.random_range(0..3) {
            0 => format!("{:07x}", rng.random_range(0..0x0fff_ffffu32)),
            1 => format!(
                "{}-{:06x}-{}",
                self.pick(&self.services, rng),
                rng.random_range(0..0x00ff_ffffu32),
                (0..5)
                    .map(|_| char::from(rng.random_range(b'a'..=b'z')))
                    .collect::<String>()
            ),
            _ => format!(
                "ip-10-{}-{}-{}",
                rng.random_range(0..8),
                rng.random_range(0..32),
                rng.random_range(1..255)
            ),
        }
    }

    fn finding(&self, rng: &mut StdRng) -> String {
        let svc = self.zipf(&self.services, rng);
        let text = match rng.random_range(0..7) {
            0 => format!(
                "{svc} {} at {}ms since {:02}:{:02}, was {}ms before the deploy of {}",
                self.pick(&self.metrics, rng),
                rng.random_range(200..9000),
                rng.random_range(0..24),
                rng.random_range(0..60),
                rng.random_range(20..300),
                self.rare(rng)
            ),
            1 => format!(
                "{} on {} at {}% on {}",
                self.pick(&self.metrics, rng),
                self.rare(rng),
                rng.random_range(1..100),
                svc
            ),
            2 => format!(
                "Suspect {} in {svc}; {} {} to rule it out",
                self.pick(&self.causes, rng),
                self.pick(&self.people, rng),
                self.pick(&self.actions, rng)
            ),
            3 => format!(
                "{} {} {svc} on {} in {}",
                self.pick(&self.people, rng),
                self.pick(&self.actions, rng),
                self.rare(rng),
                self.pick(&self.regions, rng)
            ),
            4 => format!(
                "Customers in {} report {}",
                self.pick(&self.regions, rng),
                self.pick(&self.symptoms, rng)
            ),
            _ => {
                let n = rng.random_range(8..24);
                let mut words = vec![svc.to_string()];
                for _ in 0..n {
                    if rng.random_bool(0.05) {
                        words.push(self.rare(rng));
                    } else {
                        words.push(self.zipf(&self.common, rng).to_string());
                    }
                }
                words.join(" ")
            }
        };
        let mut text = text;
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        text
    }
}

// ---------------------------------------------------------------------------------
// Filling a store fast: one transaction on a raw connection, same rows `append` writes.

struct Fill {
    device: DeviceId,
    incidents: Vec<IncidentId>,
    events: usize,
    /// Rare tokens known to be in the log, for search queries.
    rare_words: Vec<String>,
    /// How long indexing the whole log for search took, in one catch-up.
    index_time: Duration,
}

fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn fill_store(path: &Path, scale: Scale, vocab: &Vocabulary, rng: &mut StdRng) -> Fill {
    let device = Store::open_file(path).expect("create the store").device();
    let mut conn = Connection::open(path).expect("raw connection");
    conn.pragma_update(None, "synchronous", "OFF")
        .expect("synchronous");
    let tx = conn.transaction().expect("begin");
    let incidents: Vec<IncidentId> = (0..scale.incidents).map(|_| IncidentId::new_v7()).collect();
    let mut clock: DateTime<Utc> = Utc::now() - ChronoDuration::days(400);
    let mut rare_words = Vec::new();
    {
        let mut insert = tx
            .prepare(
                "INSERT INTO events (id, incident_id, device_id, seq, author, recorded_at,
                                     occurred_at, kind, body, amends, private)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, NULL, 0)",
            )
            .expect("prepare");
        let per_incident = scale.events / scale.incidents;
        let mut seq: i64 = 0;
        for (i, incident) in incidents.iter().enumerate() {
            let count = if i + 1 == incidents.len() {
                scale.events - per_incident * (incidents.len() - 1)
            } else {
                per_incident
            };
            for k in 0..count {
                seq += 1;
                clock += ChronoDuration::milliseconds(rng.random_range(500..60_000));
                let body = if k == 0 {
                    EventBody::IncidentStarted {
                        title: format!("{} degraded", vocab.pick(&vocab.services, rng)),
                        severity: Some(Severity::Sev2),
                    }
                } else {
                    let text = vocab.finding(rng);
                    if rare_words.len() < 400 && rng.random_bool(0.02) {
                        let rare = text
                            .split(|c: char| !c.is_alphanumeric())
                            .rfind(|w| w.len() >= 5 && w.chars().any(|c| c.is_ascii_digit()))
                            .map(str::to_string);
                        rare_words.extend(rare);
                    }
                    EventBody::Finding {
                        finding: *FindingKind::ALL.choose(rng).unwrap_or(&FindingKind::Note),
                        text,
                    }
                };
                let json = serde_json::to_string(&body).expect("json");
                insert
                    .execute(params![
                        EventId::new_v7().to_string(),
                        incident.to_string(),
                        device.to_string(),
                        seq,
                        vocab.pick(&vocab.people, rng),
                        time_text(clock),
                        body.kind().as_str(),
                        json,
                    ])
                    .expect("insert event");
            }
        }
    }
    tx.commit().expect("commit");
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    drop(conn);
    // The search index is derived and caught up by the first search; build it here so
    // that its one-off cost is reported on its own and not inside a search sample.
    let store = Store::open_file(path).expect("reopen");
    let started = Instant::now();
    let indexed = store.update_search_index().expect("index");
    let index_time = started.elapsed();
    assert_eq!(indexed, scale.events, "every event indexed");
    Fill {
        device,
        incidents,
        events: scale.events,
        rare_words,
        index_time,
    }
}

// ---------------------------------------------------------------------------------
// a. Append latency

struct AppendResult {
    /// Every measured append, as the store runs.
    append: Stats,
    /// Appends that neither ran a checkpoint nor restarted the WAL.
    plain: Stats,
    /// Appends that ran SQLite's automatic checkpoint (they committed past
    /// `wal_autocheckpoint` pages).
    checkpoint: Option<Stats>,
    /// Appends that restarted the WAL after a checkpoint (header written and synced too).
    restart: Option<Stats>,
    raw_wal_like: Stats,
    raw_growing: Stats,
    /// Experiments, each interleaved with its own raw baseline: (label, append, raw).
    experiments: Vec<(String, Stats, Option<Stats>)>,
    bytes_per_append: u64,
    growth_samples: usize,
}

fn sync_write(file: &mut File, buf: &[u8]) -> Duration {
    let t = Instant::now();
    file.write_all(buf).expect("raw write");
    file.sync_data().expect("fdatasync");
    t.elapsed()
}

/// The WAL header's checkpoint sequence number (`None` while the WAL is empty): it
/// changes when a writer restarts the WAL from its start, which happens on the first
/// append after a complete checkpoint.
fn wal_generation(wal: &File) -> Option<u32> {
    use std::os::unix::fs::FileExt;
    let mut header = [0u8; 4];
    wal.read_exact_at(&mut header, 12)
        .ok()
        .map(|()| u32::from_be_bytes(header))
}

/// The raw baseline: writes of one append's WAL growth, each followed by `fdatasync`.
struct Raw {
    buf: Vec<u8>,
    wal_like: File,
    wal_like_pos: u64,
    wrap_at: u64,
    growing: File,
}

impl Raw {
    fn new(dir: &Path, bytes: u64) -> Raw {
        let open = |name: &str| {
            OpenOptions::new()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(dir.join(name))
                .expect("raw file")
        };
        Raw {
            buf: (0..bytes).map(|i| (i % 251) as u8).collect(),
            wal_like: open("raw-wal-like.bin"),
            wal_like_pos: 0,
            wrap_at: WAL_AUTOCHECKPOINT_PAGES * (4096 + 24),
            growing: open("raw-growing.bin"),
        }
    }

    /// Like the WAL: sequential writes, back to offset 0 every `wal_autocheckpoint` pages.
    fn wal_like(&mut self) -> Duration {
        let len = self.buf.len() as u64;
        if self.wal_like_pos + len > self.wrap_at {
            self.wal_like.seek(SeekFrom::Start(0)).expect("seek");
            self.wal_like_pos = 0;
        }
        self.wal_like_pos += len;
        sync_write(&mut self.wal_like, &self.buf)
    }

    /// Always appending: every `fdatasync` also commits the file's new size.
    fn growing(&mut self) -> Duration {
        sync_write(&mut self.growing, &self.buf)
    }
}

fn bench_appends(
    path: &Path,
    fill: &Fill,
    scale: Scale,
    vocab: &Vocabulary,
    rng: &mut StdRng,
    dir: &Path,
) -> AppendResult {
    let mut store = Store::open_file(path).expect("open the filled store");
    assert_eq!(store.device(), fill.device);
    assert_eq!(store.event_count().expect("count"), fill.events as u64);
    let note = |rng: &mut StdRng| {
        // About 200 bytes of text, like a typed finding.
        let mut text = vocab.finding(rng);
        while text.len() < 200 {
            text.push(' ');
            text.push_str(vocab.zipf(&vocab.common, rng));
        }
        text.truncate(200);
        text
    };
    let incident = *fill.incidents.last().expect("an incident");
    let append = |store: &mut Store, rng: &mut StdRng| {
        let new = NewEvent::new(
            incident,
            EventBody::Finding {
                finding: FindingKind::Observation,
                text: note(rng),
            },
        );
        let t = Instant::now();
        store.append("bench", new).expect("append");
        t.elapsed()
    };

    // WAL growth per append: a reader holding a snapshot stops checkpoints from
    // resetting the WAL, so its growth over many appends is what they wrote (FTS5's
    // incremental merges included).
    let wal = wal_path(path);
    let growth_samples = (scale.appends / 10).max(10);
    let reader = Connection::open(path).expect("reader");
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM meta;")
        .expect("snapshot");
    let before = std::fs::metadata(&wal).map_or(0, |m| m.len());
    for _ in 0..growth_samples {
        append(&mut store, rng);
    }
    let after = std::fs::metadata(&wal).map_or(0, |m| m.len());
    reader.execute_batch("COMMIT").expect("release");
    reader
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    let bytes_per_append = (after.saturating_sub(before) / growth_samples as u64).max(4096 + 24);
    let mut raw = Raw::new(dir, bytes_per_append);
    let wal_file = File::open(&wal).expect("open the WAL");

    // The measurement: appends interleaved with the raw baselines.
    let mut appends = Vec::with_capacity(scale.appends);
    let mut generations = Vec::with_capacity(scale.appends);
    let mut raws = Vec::with_capacity(scale.appends);
    let mut raws_growing = Vec::with_capacity(scale.appends);
    let first_generation = wal_generation(&wal_file);
    for _ in 0..scale.appends {
        appends.push(append(&mut store, rng));
        generations.push(wal_generation(&wal_file));
        raws.push(raw.wal_like());
        raws_growing.push(raw.growing());
    }
    // Append i restarted the WAL when the generation changed during it; append i ran
    // the checkpoint that made that restart possible when append i+1 restarted.
    let restarted: Vec<bool> = (0..appends.len())
        .map(|i| {
            let previous = if i == 0 {
                first_generation
            } else {
                generations[i - 1]
            };
            generations[i] != previous
        })
        .collect();
    let checkpointed: Vec<bool> = (0..appends.len())
        .map(|i| restarted.get(i + 1).copied().unwrap_or(false))
        .collect();
    let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<Duration> {
        (0..appends.len())
            .filter(|i| keep(*i))
            .map(|i| appends[i])
            .collect()
    };
    let plain = pick(&|i| !restarted[i] && !checkpointed[i]);
    let with_checkpoint = pick(&|i| checkpointed[i]);
    let with_restart = pick(&|i| restarted[i] && !checkpointed[i]);

    let mut experiments = Vec::new();

    // Experiment 1: a reader pins the WAL, so appends never checkpoint or restart it:
    // the floor for moving checkpoints off the append path.
    let reader = Connection::open(path).expect("reader");
    reader
        .execute_batch("BEGIN; SELECT count(*) FROM meta;")
        .expect("snapshot");
    let (mut a, mut r) = (Vec::new(), Vec::new());
    for _ in 0..scale.appends {
        a.push(append(&mut store, rng));
        r.push(raw.wal_like());
    }
    reader.execute_batch("COMMIT").expect("release");
    reader
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .expect("checkpoint");
    experiments.push((
        "x1. WAL pinned: no checkpoint, no restart".to_string(),
        stats(&a),
        Some(stats(&r)),
    ));

    // Experiment 2: a second connection checkpoints every 5 ms, as a naive background
    // checkpointer would.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let checkpointer = {
        let stop = stop.clone();
        let path = path.to_path_buf();
        std::thread::spawn(move || {
            let conn = Connection::open(&path).expect("checkpointer");
            conn.busy_timeout(Duration::from_secs(5)).expect("busy");
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(5));
                let _: rusqlite::Result<(i64, i64, i64)> =
                    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                    });
            }
        })
    };
    let (mut a, mut r) = (Vec::new(), Vec::new());
    for _ in 0..scale.appends {
        a.push(append(&mut store, rng));
        r.push(raw.wal_like());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    checkpointer.join().expect("checkpointer thread");
    experiments.push((
        "x2. checkpoints every 5 ms from a 2nd connection".to_string(),
        stats(&a),
        Some(stats(&r)),
    ));
    drop(store);

    // Experiment 3: the same appends on tmpfs, where a sync costs nothing: what the
    // append costs besides the disk (SQL, JSON, B-trees, FTS5).
    if let Ok(shm) = tempfile::tempdir_in("/dev/shm")
        && filesystem_of(shm.path()).starts_with("tmpfs")
    {
        let copy = shm.path().join("firebreak.db");
        std::fs::copy(path, &copy).expect("copy the store to tmpfs");
        let mut store = Store::open_file(&copy).expect("open on tmpfs");
        let a: Vec<Duration> = (0..scale.appends)
            .map(|_| append(&mut store, rng))
            .collect();
        experiments.push((
            "x3. the same appends on tmpfs (no disk)".to_string(),
            stats(&a),
            None,
        ));
    }

    AppendResult {
        append: stats(&appends),
        plain: stats(&plain),
        checkpoint: (!with_checkpoint.is_empty()).then(|| stats(&with_checkpoint)),
        restart: (!with_restart.is_empty()).then(|| stats(&with_restart)),
        raw_wal_like: stats(&raws),
        raw_growing: stats(&raws_growing),
        experiments,
        bytes_per_append,
        growth_samples,
    }
}

// ---------------------------------------------------------------------------------
// b. Import

struct ImportResult {
    runs: Vec<Duration>,
    median: Duration,
    files: usize,
    bytes: u64,
}

fn runbook_text(n: usize, rng: &mut StdRng) -> String {
    let services = [
        "api", "checkout", "payments", "search", "auth", "cdn", "worker", "mongo", "redis",
        "kafka", "gateway", "billing",
    ];
    let svc = services[n % services.len()];
    let other = services[(n / services.len() + 3) % services.len()];
    let symptom = [
        "high latency",
        "elevated 5xx",
        "queue backlog",
        "replication lag",
        "certificate expiry",
        "disk full",
        "memory leak",
        "connection storm",
    ][rng.random_range(0..8)];
    let port = rng.random_range(1000..9999);
    let threshold = rng.random_range(100..2000);
    let mut s = String::with_capacity(3000);
    s.push_str(&format!(
        "---\ntitle: {svc} {symptom} ({n})\nid: {svc}-{}-{n}\ntags: [{svc}, sev2, generated]\nservices: [{svc}, {other}]\nvariables:\n  api_base: https://{svc}.example.com\n  host: {svc}-{n}.internal:{port}\n---\n\n",
        symptom.replace(' ', "-")
    ));
    s.push_str(&format!(
        "# {svc} {symptom}\n\nUse this runbook when {svc} shows {symptom} and {other} depends on it. \
         Work top to bottom and record every finding in the log.\n\n"
    ));
    s.push_str("## Confirm\n\n");
    s.push_str(&format!(
        "- [ ] Check the {svc} dashboard for {symptom} over the last hour.\n\
         - [ ] Compare with the same hour last week; note the difference in the log.\n\
         - [ ] Run the health probe.\n\n  ```probe\n  kind = \"http\"\n  name = \"{svc} health\"\n  url = \"{{{{ api_base }}}}/health\"\n  expect_status = 200\n  max_latency = \"{threshold}ms\"\n  timeout = \"5s\"\n  ```\n\n"
    ));
    s.push_str("## Diagnose\n\n");
    s.push_str(&format!(
        "- [ ] Look at recent deploys of {svc} and {other}.\n\
         - [ ] Check the logs for errors.\n\n  ```console\n  $ kubectl -n prod logs deploy/{svc} --since=15m | grep -i error | tail -n 50\n  ```\n\n\
         - [ ] Check resource usage.\n  - [ ] CPU and memory of the {svc} pods.\n  - [ ] Connections to {other}.\n\n"
    ));
    s.push_str("## Mitigate\n\n");
    s.push_str(&format!(
        "- [ ] If a deploy is the cause, roll it back with the leader's approval.\n\
         - [ ] Otherwise scale {svc} up by half and watch {symptom} for {} minutes.\n\n",
        rng.random_range(5..30)
    ));
    s.push_str("## Verify\n\n");
    s.push_str(&format!(
        "- [ ] Confirm {symptom} is back under {threshold} for ten minutes.\n\
         - [ ] Post an update on the status page and tell support.\n"
    ));
    s
}

fn bench_import(dir: &Path, scale: Scale, rng: &mut StdRng) -> ImportResult {
    let root = dir.join("runbooks");
    let mut bytes = 0u64;
    for n in 0..scale.runbooks {
        let team = root.join(format!("team-{:02}", n % 20));
        std::fs::create_dir_all(&team).expect("mkdir");
        let text = runbook_text(n, rng);
        bytes += text.len() as u64;
        std::fs::write(team.join(format!("runbook-{n:04}.md")), text).expect("write");
    }
    let mut runs = Vec::new();
    for run in 0..scale.import_runs {
        let store_dir = dir.join(format!("import-store-{run}"));
        let mut store = Store::open(&store_dir).expect("fresh store");
        let t = Instant::now();
        let report = store
            .import_paths(std::slice::from_ref(&root))
            .expect("import");
        runs.push(t.elapsed());
        let failed: Vec<_> = report
            .files
            .iter()
            .filter_map(|f| match f {
                FileOutcome::Failed { error, .. } => Some(error.as_str()),
                FileOutcome::Imported { .. } => None,
            })
            .collect();
        assert!(failed.is_empty(), "generated runbooks failed: {failed:?}");
        assert_eq!(report.files.len(), scale.runbooks);
        assert_eq!(store.runbooks().expect("list").len(), scale.runbooks);
    }
    let mut sorted = runs.clone();
    sorted.sort_unstable();
    ImportResult {
        median: sorted[sorted.len() / 2],
        runs,
        files: scale.runbooks,
        bytes,
    }
}

// ---------------------------------------------------------------------------------
// c. Search

struct SearchResult {
    all: Stats,
    by_kind: Vec<(&'static str, Stats, f64)>,
    findings: u64,
}

fn bench_search(
    path: &Path,
    fill: &Fill,
    scale: Scale,
    vocab: &Vocabulary,
    rng: &mut StdRng,
) -> SearchResult {
    let store = Store::open_file(path).expect("open");
    let findings = store.event_count().expect("count") - fill.incidents.len() as u64;
    let kinds: [&'static str; 5] = [
        "common word",
        "rare word",
        "prefix",
        "two common words",
        "word + prefix",
    ];
    let prefix = |w: &str, rng: &mut StdRng| {
        let n = rng.random_range(3..=w.len().clamp(3, 5));
        w.chars().take(n).collect::<String>()
    };
    let long_common: Vec<&str> = vocab
        .common
        .iter()
        .chain(vocab.services.iter())
        .copied()
        .filter(|w| w.len() >= 4)
        .collect();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    let mut hits: Vec<usize> = vec![0; kinds.len()];
    let mut all = Vec::new();
    // Warm the page cache and the statement cache like a running app would be.
    store.search_findings("error", None, 50).expect("warm up");
    for i in 0..scale.searches {
        let kind = i % kinds.len();
        let q = match kind {
            0 => vocab.zipf(&long_common, rng).to_string(),
            1 => {
                if rng.random_bool(0.8) && !fill.rare_words.is_empty() {
                    fill.rare_words.choose(rng).cloned().unwrap_or_default()
                } else {
                    vocab.rare(rng)
                }
            }
            2 => prefix(vocab.pick(&long_common, rng), rng),
            3 => format!(
                "{} {}",
                vocab.pick(&vocab.services, rng),
                vocab.pick(&vocab.common, rng)
            ),
            _ => {
                let w = vocab.pick(&long_common, rng);
                format!("{} {}", vocab.pick(&vocab.services, rng), prefix(w, rng))
            }
        };
        let t = Instant::now();
        let found = store.search_findings(&q, None, 50).expect("search");
        let d = t.elapsed();
        samples[kind].push(d);
        hits[kind] += found.len();
        all.push(d);
    }
    SearchResult {
        all: stats(&all),
        by_kind: kinds
            .iter()
            .enumerate()
            .map(|(k, name)| {
                (
                    *name,
                    stats(&samples[k]),
                    hits[k] as f64 / samples[k].len() as f64,
                )
            })
            .collect(),
        findings,
    }
}

// ---------------------------------------------------------------------------------
// Report

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn ratio(a: &Stats, b: &Stats) -> f64 {
    a.p99.as_secs_f64() / b.p99.as_secs_f64()
}

fn print_report(a: &AppendResult, b: &ImportResult, c: &SearchResult, scale: Scale) {
    let line = "-".repeat(118);
    println!();
    println!("  {line}");
    println!(
        "  {:<56} {:>6} {:>11} {:>11} {:>11} {:>11} {:>8}",
        "measurement", "n", "p50", "p99", "max", "mean", "p99/raw"
    );
    println!("  {line}");
    let row = |label: &str, s: &Stats, raw: Option<&Stats>| {
        println!(
            "  {:<56} {:>6} {:>11} {:>11} {:>11} {:>11} {:>8}",
            label,
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.max),
            ms(s.mean),
            raw.map_or(String::new(), |r| format!("{:.2}x", ratio(s, r)))
        );
    };
    let raw = &a.raw_wal_like;
    row(
        &format!(
            "a. Store::append, {}k-event store (durable)",
            scale.events / 1000
        ),
        &a.append,
        Some(raw),
    );
    row(
        "   of which: no checkpoint, no WAL restart",
        &a.plain,
        Some(raw),
    );
    if let Some(s) = &a.checkpoint {
        row("   of which: ran the automatic checkpoint", s, Some(raw));
    }
    if let Some(s) = &a.restart {
        row("   of which: restarted the WAL (2nd sync)", s, Some(raw));
    }
    row(
        &format!(
            "   raw write {} B + fdatasync, WAL-like (baseline)",
            a.bytes_per_append
        ),
        raw,
        None,
    );
    row(
        &format!(
            "   raw write {} B + fdatasync, growing file",
            a.bytes_per_append
        ),
        &a.raw_growing,
        None,
    );
    for (label, s, baseline) in &a.experiments {
        row(&format!("   {label}"), s, baseline.as_ref());
        if let Some(r) = baseline {
            row("       its interleaved raw WAL-like baseline", r, None);
        }
    }
    row(
        &format!(
            "c. search_findings, {}k findings, limit 50",
            c.findings / 1000
        ),
        &c.all,
        None,
    );
    for (name, s, avg_hits) in &c.by_kind {
        row(&format!("   {name} ({avg_hits:.0} hits avg)"), s, None);
    }
    println!("  {line}");
    let rate = b.files as f64 / b.median.as_secs_f64();
    println!(
        "  b. import_paths, {} runbook files ({:.1} MB), fresh store each run: {} -> median {:.3} s",
        b.files,
        b.bytes as f64 / 1e6,
        b.runs
            .iter()
            .map(|d| format!("{:.3} s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        b.median.as_secs_f64()
    );
    println!("  {line}");
    println!();

    let r = ratio(&a.append, raw);
    println!("  targets");
    println!(
        "    a. append p99 / raw fsync p99 = {} / {} = {r:.2}x  (target <= 2.0x)   {}",
        ms(a.append.p99),
        ms(raw.p99),
        verdict(r <= 2.0)
    );
    println!(
        "    b. import {rate:.0} runbooks/s  (target >= 500/s)   {}",
        verdict(rate >= 500.0)
    );
    println!(
        "    c. search p99 {}  (target <= 50 ms)   {}",
        ms(c.all.p99),
        verdict(c.all.p99 <= Duration::from_millis(50))
    );
    println!();
    println!("  notes");
    println!(
        "    - raw baseline: {} B per write = the WAL growth per append ({:.1} frames of 4096 + 24 B), \
         measured over {} appends while a reader kept the WAL from being reset",
        a.bytes_per_append,
        a.bytes_per_append as f64 / 4120.0,
        a.growth_samples
    );
    println!(
        "    - WAL-like: sequential writes, back to offset 0 every {WAL_AUTOCHECKPOINT_PAGES} pages as \
         SQLite reuses its WAL; each baseline write is interleaved with an append"
    );
    println!(
        "    - {} appends ran the automatic checkpoint (WAL past {WAL_AUTOCHECKPOINT_PAGES} pages) and {} \
         restarted the WAL: {:.1}% of all appends (the p99 is the slowest 1%)",
        a.checkpoint.as_ref().map_or(0, |s| s.n),
        a.restart.as_ref().map_or(0, |s| s.n),
        100.0
            * (a.checkpoint.as_ref().map_or(0, |s| s.n) + a.restart.as_ref().map_or(0, |s| s.n))
                as f64
            / a.append.n as f64
    );
    println!("    - x1-x3 are experiments to find where the time goes; the store runs as in row a");
}
