//! Probes in the background: the desktop's commands return at once and the results
//! arrive in the log.
//!
//! Commands are synchronous and hold the API's lock, so a probe that waits ten seconds
//! for a timeout must not run inside one. The runner owns a small tokio runtime
//! (started on first use) where probes and watches run, and a second connection to the
//! same store through which their results are appended. That connection's commits move
//! SQLite's `data_version`, which the shell's live-update thread already turns into
//! `store-changed` for the UI. What is running (probe keys, watches) lives in memory
//! behind a mutex; [`ProbeRunner::activity`] counts its changes so the shell can tell
//! the UI about those too.

use crate::error::ApiError;
use crate::probe_types::WatchView;
use firebreak_core::event::StepTarget;
use firebreak_core::ids::IncidentId;
use firebreak_core::probe::{Health, ProbeRecord};
use firebreak_core::runbook::ProbeSpec;
use firebreak_probe::{RunOptions, WatchHandle, WatchOptions};
use firebreak_store::Store;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// One probe to run and where its result goes.
#[derive(Debug, Clone)]
pub struct ProbeJob {
    pub key: String,
    pub step: Option<StepTarget>,
    pub spec: ProbeSpec,
    /// Refuse addresses that turn out to be loopback, link-local or metadata (runbook
    /// probes the user has not approved for such hosts).
    pub refuse_sensitive: bool,
}

/// What a watch shows while it runs.
#[derive(Debug, Clone)]
struct WatchState {
    view: WatchView,
    handle_cancel: firebreak_probe::CancellationToken,
}

#[derive(Default)]
struct Shared {
    /// Keys of probes in flight, per incident.
    running: BTreeMap<IncidentId, BTreeSet<String>>,
    watches: BTreeMap<String, WatchState>,
    /// The last failure to record a result, shown to the user rather than lost.
    last_error: Option<String>,
}

/// Runs probes and watches off the command thread.
pub struct ProbeRunner {
    store_path: PathBuf,
    runtime: OnceLock<Result<tokio::runtime::Runtime, String>>,
    shared: Arc<Mutex<Shared>>,
    writer: Arc<Mutex<Option<Store>>>,
    activity: Arc<AtomicU64>,
    next_watch: AtomicU64,
}

/// The shortest interval between two runs of a watch.
pub const MIN_WATCH_EVERY: Duration = Duration::from_secs(1);

impl ProbeRunner {
    pub fn new(store_path: PathBuf) -> ProbeRunner {
        ProbeRunner {
            store_path,
            runtime: OnceLock::new(),
            shared: Arc::new(Mutex::new(Shared::default())),
            writer: Arc::new(Mutex::new(None)),
            activity: Arc::new(AtomicU64::new(0)),
            next_watch: AtomicU64::new(0),
        }
    }

    /// A counter that moves whenever what is running changes.
    pub fn activity(&self) -> Arc<AtomicU64> {
        self.activity.clone()
    }

    fn runtime(&self) -> Result<&tokio::runtime::Runtime, ApiError> {
        self.runtime
            .get_or_init(|| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("probes")
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start the probe runtime: {e}"))
            })
            .as_ref()
            .map_err(|e| ApiError::new(crate::ErrorCode::Io, e.clone()))
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.shared)
    }

    /// The keys of the probes running for `incident`.
    pub fn running(&self, incident: IncidentId) -> Vec<String> {
        self.shared()
            .running
            .get(&incident)
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// The watches of `incident`.
    pub fn watches(&self, incident: IncidentId) -> Vec<WatchView> {
        let id = incident.to_string();
        self.shared()
            .watches
            .values()
            .filter(|w| w.view.incident == id)
            .map(|w| w.view.clone())
            .collect()
    }

    /// Every watch.
    pub fn watches_all(&self) -> Vec<WatchView> {
        self.shared()
            .watches
            .values()
            .map(|w| w.view.clone())
            .collect()
    }

    /// The last failure to record a result, if any.
    pub fn last_error(&self) -> Option<String> {
        self.shared().last_error.clone()
    }

    /// Starts `jobs` in the background; each result is appended to `incident`'s log as
    /// it arrives. A key already running is not started twice.
    pub fn start(
        &self,
        author: &str,
        incident: IncidentId,
        jobs: Vec<ProbeJob>,
    ) -> Result<Vec<String>, ApiError> {
        let runtime = self.runtime()?;
        let mut started = Vec::new();
        {
            let mut shared = self.shared();
            let running = shared.running.entry(incident).or_default();
            for job in jobs {
                if !running.insert(job.key.clone()) {
                    continue;
                }
                started.push(job);
            }
        }
        self.bump();
        let keys = started.iter().map(|j| j.key.clone()).collect();
        for job in started {
            let ctx = self.context(author, incident);
            runtime.spawn(async move {
                let opts = RunOptions {
                    refuse_sensitive: job.refuse_sensitive,
                    ..RunOptions::default()
                };
                let result = firebreak_probe::run(&job.spec, &opts).await;
                let record = ProbeRecord::new(job.key.clone(), job.step.clone(), &job.spec, result);
                let key = job.key;
                let _ = tokio::task::spawn_blocking(move || {
                    ctx.record(record);
                    ctx.finish(&key);
                })
                .await;
            });
        }
        Ok(keys)
    }

    /// Starts a watch: the probe re-runs every `every`; only changes of state are
    /// appended to the log.
    pub fn watch(
        &self,
        author: &str,
        incident: IncidentId,
        job: ProbeJob,
        label: String,
        every: Duration,
    ) -> Result<WatchView, ApiError> {
        if every < MIN_WATCH_EVERY {
            return Err(ApiError::invalid(
                "a watch runs at most once a second; it is a watch, not a load test",
            ));
        }
        let runtime = self.runtime()?;
        let id = format!("w{}", self.next_watch.fetch_add(1, Ordering::Relaxed) + 1);
        let view = WatchView {
            id: id.clone(),
            incident: incident.to_string(),
            key: job.key.clone(),
            label,
            target: job.spec.target_text(),
            every_secs: u32::try_from(every.as_secs()).unwrap_or(u32::MAX),
            state: "starting".into(),
            since: None,
            runs: 0,
            last_reason: None,
            last_total_ms: None,
        };
        let opts = RunOptions {
            refuse_sensitive: job.refuse_sensitive,
            ..RunOptions::default()
        };
        let cancel = opts.cancel.clone();
        self.shared().watches.insert(
            id.clone(),
            WatchState {
                view: view.clone(),
                handle_cancel: cancel,
            },
        );
        self.bump();
        let ctx = self.context(author, incident);
        let wopts = WatchOptions {
            every,
            confirmations: 1,
            max_runs: None,
        };
        runtime.spawn(async move {
            let mut handle: WatchHandle = firebreak_probe::watch(job.spec.clone(), &opts, wopts);
            while let Some(event) = handle.next().await {
                // The change is in the log before the watch shows its new state, so
                // whoever sees "passing" also finds the event that says so.
                if let Some(change) = event.change.clone() {
                    let mut record = ProbeRecord::new(
                        job.key.clone(),
                        job.step.clone(),
                        &job.spec,
                        event.result.clone(),
                    );
                    record.watch_change = Some(change);
                    let ctx = ctx.clone();
                    let _ = tokio::task::spawn_blocking(move || ctx.record(record)).await;
                }
                ctx.update_watch(&id, |view| {
                    view.runs = u32::try_from(event.run).unwrap_or(u32::MAX);
                    view.last_reason = Some(event.result.reason.clone());
                    view.last_total_ms = event.result.timings.total_ms;
                    if let Some(health) = event.health {
                        view.state = match health {
                            Health::Passing => "passing",
                            Health::Failing => "failing",
                        }
                        .into();
                    }
                    if let Some(change) = &event.change {
                        view.since = Some(crate::convert::time(change.at));
                    }
                });
            }
        });
        Ok(view)
    }

    /// Stops a watch. Stopping one that is gone is not an error: it is stopped.
    pub fn stop_watch(&self, id: &str) {
        if let Some(w) = self.shared().watches.remove(id) {
            w.handle_cancel.cancel();
        }
        self.bump();
    }

    /// Stops every watch (the app is closing).
    pub fn stop_all(&self) {
        let watches = std::mem::take(&mut self.shared().watches);
        for w in watches.values() {
            w.handle_cancel.cancel();
        }
    }

    fn bump(&self) {
        self.activity.fetch_add(1, Ordering::Relaxed);
    }

    fn context(&self, author: &str, incident: IncidentId) -> RecordContext {
        RecordContext {
            author: author.to_string(),
            incident,
            store_path: self.store_path.clone(),
            shared: self.shared.clone(),
            writer: self.writer.clone(),
            activity: self.activity.clone(),
        }
    }
}

impl Drop for ProbeRunner {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// What a background task needs to record a result.
#[derive(Clone)]
struct RecordContext {
    author: String,
    incident: IncidentId,
    store_path: PathBuf,
    shared: Arc<Mutex<Shared>>,
    writer: Arc<Mutex<Option<Store>>>,
    activity: Arc<AtomicU64>,
}

impl RecordContext {
    /// Appends one record through the runner's own connection (opened on first use).
    /// Blocking: call from `spawn_blocking`.
    fn record(&self, record: ProbeRecord) {
        let mut writer = lock(&self.writer);
        if writer.is_none() {
            match Store::open_file(&self.store_path) {
                Ok(store) => *writer = Some(store),
                Err(e) => {
                    return self.fail(format!("cannot open the store to record a probe: {e}"));
                }
            }
        }
        if let Some(store) = writer.as_mut()
            && let Err(e) = store.record_probes(&self.author, self.incident, vec![record])
        {
            self.fail(format!("a probe result could not be recorded: {e}"));
        }
    }

    fn fail(&self, message: String) {
        eprintln!("firebreak: {message}");
        lock(&self.shared).last_error = Some(message);
        self.activity.fetch_add(1, Ordering::Relaxed);
    }

    fn finish(&self, key: &str) {
        {
            let mut shared = lock(&self.shared);
            if let Some(keys) = shared.running.get_mut(&self.incident) {
                keys.remove(key);
            }
        }
        self.activity.fetch_add(1, Ordering::Relaxed);
    }

    fn update_watch(&self, id: &str, f: impl FnOnce(&mut WatchView)) {
        if let Some(w) = lock(&self.shared).watches.get_mut(id) {
            f(&mut w.view);
        }
        self.activity.fetch_add(1, Ordering::Relaxed);
    }
}

/// A poisoned lock still guards consistent data here (every update is a few field
/// writes), so carry on with it rather than take the app down.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
