//! Sync under faults, Jepsen "set-full" style: many short randomized trials, each with
//! fresh laptops (stores) syncing through a TCP fault proxy in front of a real hub
//! process. The proxy resets requests and responses mid-way, truncates answers, answers
//! 5xx before or after the hub did the work, and delays; some trials SIGKILL the hub
//! mid-sync and restart it on the same data directory and port, others SIGKILL a
//! `firebreak sync` client process mid-sync. Then the faults stop, every store syncs
//! until two clean passes in a row, and the run must have lost nothing, doubled
//! nothing and leaked nothing private (see `firebreak_system_tests::set_full`).
//!
//! Reproducing: the run's seed is always printed. `FIREBREAK_FAULT_SEED=S` replays a
//! run, `FIREBREAK_FAULT_TRIAL=N` only its trial N, `FIREBREAK_FAULT_TRIALS=N` sets the
//! number of trials (default `DEFAULT_TRIALS`, sized for ≲ 90 s in a debug build on two
//! cores). The long run:
//!
//! ```text
//! FIREBREAK_FAULT_TRIALS=10000 cargo test -p firebreak-system-tests --release --test sync_faults -- --nocapture
//! ```
//!
//! A trial takes ~0.5 s in a debug build and ~0.23 s in a release build on two cores
//! (1,000 release trials: 229 s of trials), so the long run takes about 40 minutes.
//!
//! Fault timing depends on the scheduler as well as the seed, so a replay draws the
//! same faults and workload but may not cut at exactly the same byte of the same
//! request.

use firebreak_core::event::{EventBody, FindingKind, NewEvent};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_faultproxy::{FaultProxy, FaultStats, Faults, RandomFaults};
use firebreak_store::{NewFinding, Store};
use firebreak_sync::{ClientOptions, SyncError, sync_once};
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::Laptop;
use firebreak_system_tests::set_full::{self, StoreView};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Trials in a default run: ~0.5 s each in a debug build on two cores, so ~75 s.
const DEFAULT_TRIALS: usize = 150;
/// In every `KILL_EVERY` trials, one kills the hub mid-sync and one kills a client
/// process mid-sync.
const KILL_EVERY: usize = 10;
/// In every `MULTI_BATCH_EVERY` trials, one has a backlog of over 1,000 events, pushed in
/// several batches and pulled in several pages. The others are small and quick.
const MULTI_BATCH_EVERY: usize = 20;
/// Users the laptops' tokens belong to (a trial's stores use different ones).
const USERS: [&str; 3] = ["alice", "bob", "carol"];

/// Short, so that a cut connection costs a trial little.
const FAULTY: ClientOptions = ClientOptions {
    connect_timeout: Duration::from_secs(2),
    request_timeout: Duration::from_secs(4),
};
/// After the faults: patient, so that a slow debug hub is not mistaken for a fault.
const HEALED: ClientOptions = ClientOptions {
    connect_timeout: Duration::from_secs(5),
    request_timeout: Duration::from_secs(30),
};
/// How long the healing syncs of one trial may take in all.
const HEAL_DEADLINE: Duration = Duration::from_secs(90);

fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    let text = std::env::var(name).ok()?;
    Some(
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={text:?} is not a number")),
    )
}

/// SplitMix64: a trial's seed from the run's seed and the trial's number.
fn trial_seed(run_seed: u64, trial: usize) -> u64 {
    let mut z = run_seed.wrapping_add((trial as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the run did, to show the faults were real.
#[derive(Debug, Default)]
struct Tally {
    trials: usize,
    appended: u64,
    private: u64,
    largest_backlog: u64,
    rounds: u64,
    failed_rounds: BTreeMap<&'static str, u64>,
    hub_kills: u64,
    /// Hub kills that cut a round (the round failed).
    hub_kills_mid_round: u64,
    client_kills: u64,
    /// Client kills that landed while the client still ran.
    client_kills_mid_run: u64,
    /// Rounds run in this process while a client process synced the same store.
    concurrent_rounds: u64,
    healing_failures: u64,
    time_syncing: Duration,
    time_appending: Duration,
    time_checking: Duration,
    time_setting_up: Duration,
}

/// The hub, the proxy in front of it, and the users' tokens, shared by all trials.
struct Bench {
    hub: HubProcess,
    proxy: FaultProxy,
    tokens: Vec<String>,
}

impl Bench {
    fn start() -> Bench {
        // The rate limit protects a hub from a runaway client; here it would only turn
        // a few trials' bursts into 429s.
        let hub =
            HubProcess::start_fresh(&["--rate-burst", "1000000", "--rate-per-second", "1000000"]);
        let tokens = USERS.iter().map(|u| hub.add_user(u)).collect();
        let proxy = FaultProxy::start(hub.addr(), Faults::None).expect("start the fault proxy");
        Bench { hub, proxy, tokens }
    }

    /// Reads the hub directly, never through the proxy.
    fn reader(&self) -> HubReader {
        HubReader::new(&self.hub.url(), &self.tokens[0])
    }

    fn restart_hub(&mut self) {
        self.hub.restart();
        // Usually the same port; if not, the proxy follows (the laptops keep their URL,
        // which is the proxy's).
        self.proxy.set_upstream(self.hub.addr());
    }
}

/// One laptop of a trial: a store driven in-process, and what it saw acknowledged.
struct TrialStore {
    label: String,
    user: String,
    home: PathBuf,
    store: Store,
    incident: IncidentId,
    /// Own findings that can still be amended or retracted.
    live: Vec<EventId>,
    acknowledged: HashSet<EventId>,
    /// `acknowledged` covers this device's events up to this sequence number.
    acknowledged_upto: u64,
}

impl TrialStore {
    fn device(&self) -> DeviceId {
        self.store.device()
    }

    /// Notes what the store now believes the hub holds: every own shared event up to
    /// its recorded high-water mark. Once noted, it must be on the hub at the end.
    fn note_acknowledged(&mut self) -> Result<(), String> {
        let hub = self
            .store
            .hub_connection()
            .map_err(|e| format!("{}: {e}", self.label))?
            .ok_or_else(|| format!("{}: no longer connected", self.label))?;
        let upto = hub.acknowledged_seq;
        if upto <= self.acknowledged_upto {
            return Ok(());
        }
        let events = self
            .store
            .own_events_after(
                self.acknowledged_upto,
                (upto - self.acknowledged_upto) as usize,
            )
            .map_err(|e| format!("{}: {e}", self.label))?;
        self.acknowledged
            .extend(events.iter().filter(|e| !e.private).map(|e| e.id));
        self.acknowledged_upto = upto;
        Ok(())
    }

    /// Appends `n` events: mostly notes, some private, some amendments and
    /// retractions of its own findings, some in the other laptops' incidents once
    /// they have been pulled.
    fn append(&mut self, rng: &mut StdRng, n: usize, tally: &mut Tally) -> Result<(), String> {
        let err = |e: firebreak_store::StoreError| format!("append: {e}");
        if n > 200 {
            // A burst (a long offline stretch): plain notes in large transactions.
            let mut left = n;
            while left > 0 {
                let chunk = left.min(500);
                let batch: Vec<NewEvent> = (0..chunk)
                    .map(|i| {
                        let mut event = NewEvent::new(
                            self.incident,
                            EventBody::Finding {
                                finding: FindingKind::Observation,
                                text: format!(
                                    "{}: burst {i}, p99 latency {} ms",
                                    self.label,
                                    rng.random_range(100..900)
                                ),
                            },
                        );
                        event.private = rng.random_bool(0.05);
                        tally.private += u64::from(event.private);
                        event
                    })
                    .collect();
                self.store.append_all(&self.user, batch).map_err(err)?;
                left -= chunk;
            }
            tally.appended += n as u64;
            return Ok(());
        }
        let incidents = self.store.incident_ids().map_err(err)?;
        for i in 0..n {
            let pick = rng.random_range(0..100);
            if pick < 8 && !self.live.is_empty() {
                let target = self.live[rng.random_range(0..self.live.len())];
                self.store
                    .amend(
                        &self.user,
                        &target.to_string(),
                        &format!("{}: amended {i}", self.label),
                    )
                    .map_err(err)?;
            } else if pick < 12 && !self.live.is_empty() {
                let at = rng.random_range(0..self.live.len());
                let target = self.live.swap_remove(at);
                self.store
                    .retract(&self.user, &target.to_string(), Some("not it".into()))
                    .map_err(err)?;
            } else {
                let private = pick >= 90;
                let incident = if pick < 30 {
                    incidents[rng.random_range(0..incidents.len())]
                } else {
                    self.incident
                };
                let event = self
                    .store
                    .add_finding(
                        &self.user,
                        incident,
                        NewFinding {
                            kind: FindingKind::Note,
                            text: format!(
                                "{}: note {i}{}",
                                self.label,
                                if private { " (private)" } else { "" }
                            ),
                            occurred_at: None,
                            private,
                        },
                    )
                    .map_err(err)?;
                tally.private += u64::from(private);
                self.live.push(event.id);
            }
            tally.appended += 1;
        }
        Ok(())
    }
}

/// A failed trial, for the report; its stores are kept on disk.
struct TrialFailure {
    trial: usize,
    seed: u64,
    problems: String,
    stats: FaultStats,
    kept: PathBuf,
}

fn sync_step(
    laptop: &mut TrialStore,
    options: ClientOptions,
    tally: &mut Tally,
) -> Result<Result<(), SyncError>, String> {
    tally.rounds += 1;
    let t = Instant::now();
    let result = sync_once(&mut laptop.store, options).map(|_| ());
    tally.time_syncing += t.elapsed();
    if let Err(e) = &result {
        *tally.failed_rounds.entry(e.kind().as_str()).or_default() += 1;
        if !e.kind().is_transient() {
            return Err(format!(
                "{}: a round failed with a {} error, which no network fault should cause: {e}",
                laptop.label,
                e.kind().as_str()
            ));
        }
    }
    laptop.note_acknowledged()?;
    Ok(result)
}

fn run_trial(
    bench: &mut Bench,
    trial: usize,
    seed: u64,
    tally: &mut Tally,
    dir: &std::path::Path,
) -> Result<(), String> {
    let t_setup = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let reader = bench.reader();
    let start_cursor = reader.health()?.cursor;

    let n = rng.random_range(2..=3);
    let mut users: Vec<usize> = (0..USERS.len()).collect();
    users.shuffle(&mut rng);
    let mut laptops = Vec::new();
    for (i, &user) in users.iter().take(n).enumerate() {
        let home = dir.join(format!("store-{i}"));
        let mut store = Store::open(&home).map_err(|e| e.to_string())?;
        store
            .connect_hub(&bench.proxy.url(), &bench.tokens[user])
            .map_err(|e| e.to_string())?;
        // A new laptop would pull the whole hub, earlier trials included; they are not
        // this trial's business, and pulling them would make every trial slower than
        // the one before. So each store starts at the hub's cursor at the trial's start.
        let url = store
            .hub_connection()
            .map_err(|e| e.to_string())?
            .ok_or("not connected")?
            .url;
        store
            .reset_pull_cursor(&url, start_cursor)
            .map_err(|e| e.to_string())?;
        let label = format!("trial {trial} store {i} ({})", USERS[user]);
        let started = store
            .start_incident(USERS[user], &format!("{label}'s incident"), None, &[])
            .map_err(|e| e.to_string())?;
        laptops.push(TrialStore {
            label,
            user: USERS[user].to_string(),
            home,
            store,
            incident: started.id,
            live: Vec::new(),
            acknowledged: HashSet::new(),
            acknowledged_upto: 0,
        });
    }

    tally.time_setting_up += t_setup.elapsed();
    bench.proxy.set_faults(Faults::Random(RandomFaults {
        seed,
        fault_probability: rng.random_range(0.3..0.5),
        max_delay: Duration::from_millis(50),
    }));
    let rounds = rng.random_range(2..=4);
    let mut at_some_step = |chosen: bool| {
        let step = (rng.random_range(0..rounds), rng.random_range(0..n));
        chosen.then_some(step)
    };
    let kill_hub = at_some_step(trial % KILL_EVERY == 3);
    let kill_client = at_some_step(trial % KILL_EVERY == 8);
    let multi_batch = at_some_step(trial % MULTI_BATCH_EVERY == 16);

    for round in 0..rounds {
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        for s in order {
            let laptop = &mut laptops[s];
            let step = Some((round, s));
            // Mostly a few events; before a kill, a backlog long enough for the kill to
            // land mid-sync; now and then a long offline stretch that takes several
            // batches to push.
            let count = if multi_batch == step {
                rng.random_range(1_001..=1_400)
            } else if kill_hub == step || kill_client == step {
                rng.random_range(150..=400)
            } else {
                rng.random_range(1..=12)
            };
            let t = Instant::now();
            laptop.append(&mut rng, count, tally)?;
            tally.time_appending += t.elapsed();
            let backlog = laptop
                .store
                .pending_push_count()
                .map_err(|e| e.to_string())?;
            tally.largest_backlog = tally.largest_backlog.max(backlog);

            if kill_hub == Some((round, s)) {
                let killer = bench.hub.killer();
                let after = Duration::from_millis(rng.random_range(0..=150));
                let kill = std::thread::spawn(move || {
                    std::thread::sleep(after);
                    killer.kill()
                });
                let result = sync_step(laptop, FAULTY, tally);
                let killed = kill.join().expect("the killer thread");
                // Restarted before anything else, so that a failing trial does not
                // leave the next one without a hub.
                bench.restart_hub();
                tally.hub_kills += u64::from(killed);
                tally.hub_kills_mid_round += u64::from(killed && !matches!(result, Ok(Ok(()))));
                let _ = result?;
            } else if kill_client == Some((round, s)) {
                let cli = Laptop::at(&laptop.home, &laptop.user);
                let kill_at = Instant::now() + Duration::from_millis(rng.random_range(2..=150));
                let concurrent = rng.random_bool(0.5);
                let mut child = cli.spawn(&["sync"]);
                if concurrent {
                    // The desktop app and the CLI may sync one store at once: this
                    // process's round runs while the child's does.
                    tally.concurrent_rounds += 1;
                    let _ = sync_step(laptop, FAULTY, tally)?;
                }
                std::thread::sleep(kill_at.saturating_duration_since(Instant::now()));
                let running = child.try_wait().is_none();
                child.kill();
                tally.client_kills += 1;
                tally.client_kills_mid_run += u64::from(running);
                laptop.note_acknowledged()?;
            } else {
                // Failing is expected here (the error is counted); what was
                // acknowledged is noted either way.
                let _ = sync_step(laptop, FAULTY, tally)?;
            }
        }
    }

    // The faults end; everyone syncs until two clean passes in a row.
    bench.proxy.set_faults(Faults::None);
    let deadline = Instant::now() + HEAL_DEADLINE;
    let mut clean_passes = 0;
    while clean_passes < 2 {
        if Instant::now() > deadline {
            return Err(format!(
                "no two clean passes within {HEAL_DEADLINE:?} after the faults ended"
            ));
        }
        let mut clean = true;
        for laptop in &mut laptops {
            if let Err(e) = sync_step(laptop, HEALED, tally)? {
                tally.healing_failures += 1;
                eprintln!("{}: healing round failed: {e}", laptop.label);
                clean = false;
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        clean_passes = if clean { clean_passes + 1 } else { 0 };
    }

    // The checks: straight from the hub (not through the proxy) and from each store.
    let t_check = Instant::now();
    // A new reader: the hub may have restarted on another port.
    let reader = bench.reader();
    let on_hub = reader.events_after(start_cursor)?;
    let devices: HashSet<DeviceId> = laptops.iter().map(TrialStore::device).collect();
    let mut problems = Vec::new();
    for e in &on_hub {
        if !devices.contains(&e.event.device) {
            problems.push(format!(
                "the hub has event {} of a device from outside the trial",
                e.event.id
            ));
        }
    }
    let mut views = Vec::new();
    for laptop in &laptops {
        let last = laptop.store.own_last_seq().map_err(|e| e.to_string())?;
        let status = reader.device(laptop.device())?;
        if status.acknowledged_seq != last {
            problems.push(format!(
                "{}: the hub acknowledges up to {} of its {last} events",
                laptop.label, status.acknowledged_seq
            ));
        }
        if status.user.as_deref() != Some(laptop.user.as_str()) {
            problems.push(format!(
                "{}: the hub binds it to {:?}",
                laptop.label, status.user
            ));
        }
        let pending = laptop
            .store
            .pending_push_count()
            .map_err(|e| e.to_string())?;
        if pending != 0 {
            problems.push(format!("{}: {pending} events still pending", laptop.label));
        }
        views.push(StoreView {
            label: laptop.label.clone(),
            device: laptop.device(),
            user: laptop.user.clone(),
            events: set_full::store_events(&laptop.store).map_err(|e| e.to_string())?,
            acknowledged: laptop.acknowledged.clone(),
        });
    }
    problems.extend(set_full::check(&views, &on_hub));
    tally.time_checking += t_check.elapsed();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(set_full::summarize(&problems, 20))
    }
}

#[test]
fn faults_lose_nothing_and_double_nothing() {
    let run_seed: u64 = env_number("FIREBREAK_FAULT_SEED").unwrap_or_else(rand::random);
    let trials: usize = env_number("FIREBREAK_FAULT_TRIALS").unwrap_or(DEFAULT_TRIALS);
    let only: Option<usize> = env_number("FIREBREAK_FAULT_TRIAL");
    let replay = format!("FIREBREAK_FAULT_SEED={run_seed}");
    println!(
        "sync faults: {replay}, {trials} trials{}",
        only.map(|t| format!(", only trial {t}"))
            .unwrap_or_default()
    );
    eprintln!("sync faults: {replay}");

    let started = Instant::now();
    let mut bench = Bench::start();
    let mut tally = Tally::default();
    let mut failures: Vec<TrialFailure> = Vec::new();
    let trial_numbers: Vec<usize> = match only {
        Some(t) => vec![t],
        None => (0..trials).collect(),
    };
    for trial in trial_numbers {
        let seed = trial_seed(run_seed, trial);
        let dir = tempfile::tempdir().expect("a trial directory");
        tally.trials += 1;
        let t = Instant::now();
        let outcome = run_trial(&mut bench, trial, seed, &mut tally, dir.path());
        println!(
            "trial {trial} (seed {seed}): {:.0?}{}",
            t.elapsed(),
            if outcome.is_ok() { "" } else { ", FAILED" }
        );
        if let Err(problems) = outcome {
            let stats = bench.proxy.stats();
            // Keep the stores for a look, and stop after a few failing trials.
            let kept = dir.keep();
            failures.push(TrialFailure {
                trial,
                seed,
                problems,
                stats,
                kept,
            });
            if failures.len() >= 3 {
                break;
            }
        }
    }
    bench.proxy.set_faults(Faults::None);
    let stats = bench.proxy.stats();
    let elapsed = started.elapsed();
    println!(
        "{} trials in {elapsed:.1?}: {tally:#?}\nproxy: {stats:#?}",
        tally.trials
    );

    if !failures.is_empty() {
        let report: Vec<String> = failures
            .iter()
            .map(|f| {
                format!(
                    "trial {} (trial seed {}): replay with {replay} FIREBREAK_FAULT_TRIAL={}\nstores kept in {}\nproxy so far: {:?}\n{}",
                    f.trial,
                    f.seed,
                    f.trial,
                    f.kept.display(),
                    f.stats,
                    f.problems
                )
            })
            .collect();
        panic!(
            "{} failing trial(s) ({replay}):\n\n{}\n\nhub log (tail):\n{}",
            failures.len(),
            report.join("\n\n"),
            bench.hub.log_tail()
        );
    }

    // Across trials too: every event on the hub once, by id and by (device, seq).
    let everything = bench.reader().all_events().expect("pull the whole hub");
    let ids: HashSet<EventId> = everything.iter().map(|e| e.event.id).collect();
    let slots: HashSet<(DeviceId, u64)> = everything
        .iter()
        .map(|e| (e.event.device, e.event.seq))
        .collect();
    assert_eq!(ids.len(), everything.len(), "an id twice on the hub");
    assert_eq!(
        slots.len(),
        everything.len(),
        "a (device, seq) twice on the hub"
    );
    assert!(
        everything.iter().all(|e| !e.event.private),
        "a private event on the hub"
    );

    // The faults were real: the run cannot pass by never being disturbed. (A replay
    // of one trial, or a run of a handful, may legitimately see none.)
    if only.is_none() && trials >= MULTI_BATCH_EVERY {
        let injected =
            stats.request_resets + stats.response_resets + stats.truncations + stats.server_errors;
        assert!(injected > 0, "no fault was injected: {stats:?}");
        let failed: u64 = tally.failed_rounds.values().sum();
        assert!(failed > 0, "no round failed: {tally:?}");
        assert!(tally.hub_kills > 0, "no hub was killed: {tally:?}");
        assert!(tally.client_kills > 0, "no client was killed: {tally:?}");
        assert!(
            tally.largest_backlog > 1_000,
            "no multi-batch push: {tally:?}"
        );
    }
}
