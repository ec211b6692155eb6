//! The background sync loop of the desktop app and `firebreak sync --watch`.
//!
//! One thread with its own store connection. It syncs:
//! - at once when started, and when nudged (a new event, "Sync now", a new hub);
//! - at once when this device's log grows while the hub is reachable (it notices
//!   appends from any process by polling the newest sequence number, which is cheap);
//! - every `idle_poll` while reachable, to bring in the other responders' events;
//! - after a failure, on an exponential backoff with jitter (or when the hub said when);
//! - and, while the hub is unreachable, as soon as a cheap health request every
//!   `reachability_poll` finds it answering again.
//!
//! A refusal that will repeat (a bad token, a conflict) is retried only every
//! `failed_retry`, and shown to the user meanwhile.

use crate::backoff::Backoff;
use crate::client::ClientOptions;
use crate::error::{FailureKind, SyncError};
use crate::round::{client_for, sync_once};
use crate::status::{SyncPhase, SyncStatus};
use chrono::Utc;
use firebreak_store::Store;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    pub client: ClientOptions,
    /// How often to pull while the hub answers and nothing else happens.
    pub idle_poll: Duration,
    /// How often to look at the local log for new events.
    pub local_poll: Duration,
    /// The first retry delay after a failure, and the longest.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// How often to retry after a refusal that will repeat until someone acts.
    pub failed_retry: Duration,
    /// While the hub is unreachable, how often to ask whether it answers again: a
    /// health request, free for a hub that is down and cheap for one that is up, so
    /// the worker wakes within this of the hub's return instead of at the end of a
    /// long backoff.
    pub reachability_poll: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            client: ClientOptions::default(),
            idle_poll: Duration::from_secs(5),
            local_poll: Duration::from_millis(300),
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            failed_retry: Duration::from_secs(120),
            reachability_poll: Duration::from_secs(2),
        }
    }
}

/// Called with every new status, on the worker's thread.
pub type StatusObserver = Box<dyn Fn(&SyncStatus) + Send>;

#[derive(Debug)]
struct Control {
    status: SyncStatus,
    stop: bool,
    nudged: bool,
}

struct Shared {
    control: Mutex<Control>,
    wake: Condvar,
    /// Bumped at every status change, so a poller can tell without comparing.
    changes: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("changes", &self.changes.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Control> {
        // A panic on the worker thread must not take the front end down with it.
        self.control
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running sync loop. Dropping it stops the loop and waits for the current request
/// to end (bounded by the client's timeouts).
#[derive(Debug)]
pub struct SyncWorker {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl SyncWorker {
    /// Starts the loop for the store file at `store_path`.
    pub fn start(
        store_path: PathBuf,
        options: WorkerOptions,
        observer: Option<StatusObserver>,
    ) -> SyncWorker {
        let initial = SyncStatus {
            phase: SyncPhase::Syncing,
            ..SyncStatus::not_connected(0)
        };
        let shared = Arc::new(Shared {
            control: Mutex::new(Control {
                status: initial,
                stop: false,
                nudged: true,
            }),
            wake: Condvar::new(),
            changes: AtomicU64::new(0),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("firebreak-sync".into())
                .spawn(move || run(store_path, options, &shared, observer))
                .ok()
        };
        SyncWorker { shared, thread }
    }

    /// Sync as soon as possible: a new event, "Sync now", a changed hub.
    pub fn nudge(&self) {
        self.shared.lock().nudged = true;
        self.shared.wake.notify_all();
    }

    /// The latest status.
    pub fn status(&self) -> SyncStatus {
        self.shared.lock().status.clone()
    }

    /// A number that changes whenever the status does.
    pub fn changes(&self) -> u64 {
        self.shared.changes.load(Ordering::Acquire)
    }

    /// Stops the loop and waits for it.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for SyncWorker {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn publish(shared: &Shared, status: SyncStatus, observer: &Option<StatusObserver>) {
    {
        let mut control = shared.lock();
        if control.status == status {
            return;
        }
        control.status = status.clone();
    }
    shared.changes.fetch_add(1, Ordering::AcqRel);
    if let Some(observe) = observer {
        observe(&status);
    }
}

/// The last status, failed because the store could not be opened or read.
fn store_failed(shared: &Shared, error: &firebreak_store::StoreError) -> SyncStatus {
    let mut status = shared.lock().status.clone();
    status.phase = SyncPhase::Failed;
    status.error = Some(crate::status::StatusError {
        kind: FailureKind::Store.as_str().into(),
        message: error.to_string(),
    });
    status
}

/// Whether the store's hub answers a health request now, with short timeouts so that a
/// hub that is down costs the loop little.
fn hub_answers(store: &Store) -> bool {
    let quick = ClientOptions {
        connect_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
    };
    client_for(store, quick).is_ok_and(|client| client.health().is_ok())
}

/// What woke the loop.
enum Wake {
    Stop,
    Nudged,
    Tick,
}

fn wait(shared: &Shared, until: Instant) -> Wake {
    let mut control = shared.lock();
    loop {
        if control.stop {
            return Wake::Stop;
        }
        if control.nudged {
            control.nudged = false;
            return Wake::Nudged;
        }
        let now = Instant::now();
        if now >= until {
            return Wake::Tick;
        }
        control = shared
            .wake
            .wait_timeout(control, until - now)
            .map(|(guard, _)| guard)
            .unwrap_or_else(|e| e.into_inner().0);
    }
}

fn run(
    store_path: PathBuf,
    options: WorkerOptions,
    shared: &Shared,
    observer: Option<StatusObserver>,
) {
    let mut store = loop {
        match Store::open_file(&store_path) {
            Ok(store) => break store,
            Err(e) => {
                publish(shared, store_failed(shared, &e), &observer);
                if let Wake::Stop = wait(shared, Instant::now() + options.failed_retry) {
                    return;
                }
            }
        }
    };
    let mut backoff = Backoff::new(options.backoff_base, options.backoff_max);
    let mut rng = StdRng::from_os_rng();
    // Due at once: the first round runs as soon as the loop starts.
    let mut next_round = Instant::now();
    let mut seen_last_seq = None;
    let mut online = false;
    let mut unreachable = false;
    let mut next_probe = Instant::now();
    // The exact time of the last success: idle rounds do not write it to the store.
    let mut last_success = None;
    loop {
        let tick = next_round.min(Instant::now() + options.local_poll);
        let nudged = match wait(shared, tick) {
            Wake::Stop => return,
            Wake::Nudged => true,
            Wake::Tick => false,
        };
        let local_last = store.own_last_seq().ok();
        let grew = local_last.is_some() && seen_last_seq.is_some() && local_last != seen_last_seq;
        seen_last_seq = local_last;
        let mut due = nudged || Instant::now() >= next_round || (grew && online);
        if !due && unreachable && Instant::now() >= next_probe {
            next_probe = Instant::now() + options.reachability_poll;
            if hub_answers(&store) {
                backoff.reset();
                due = true;
            }
        }
        if !due {
            if grew {
                // Offline: show the new pending count; the backoff decides when to try.
                if let Ok(mut status) = SyncStatus::from_store(&store) {
                    status.phase = shared.lock().status.phase;
                    status.next_attempt_at = shared.lock().status.next_attempt_at;
                    publish(shared, status, &observer);
                }
            }
            continue;
        }
        if let Ok(mut status) = SyncStatus::from_store(&store)
            && status.phase != SyncPhase::NotConnected
        {
            status.phase = SyncPhase::Syncing;
            publish(shared, status, &observer);
        }
        let result = sync_once(&mut store, options.client);
        unreachable = matches!(&result, Err(e) if e.kind() == FailureKind::Unreachable);
        next_probe = Instant::now() + options.reachability_poll;
        let wait_for = match &result {
            Ok(_) => {
                backoff.reset();
                online = true;
                last_success = Some(Utc::now());
                options.idle_poll
            }
            Err(SyncError::NotConnected) => {
                online = false;
                options.idle_poll
            }
            Err(e) if e.kind().is_transient() => {
                online = false;
                let delay = backoff.next_delay(&mut rng);
                e.retry_after().map_or(delay, |asked| asked.max(delay))
            }
            Err(e) => {
                online = false;
                tracing::warn!(error = %e, "sync refused");
                options.failed_retry
            }
        };
        next_round = Instant::now() + wait_for;
        let mut status = match SyncStatus::from_store(&store) {
            Ok(status) => status,
            Err(e) => store_failed(shared, &e),
        };
        if status.last_success_at < last_success && status.phase != SyncPhase::NotConnected {
            status.last_success_at = last_success;
        }
        if result.is_err() && status.phase != SyncPhase::NotConnected {
            status.next_attempt_at = chrono::Duration::from_std(wait_for)
                .ok()
                .map(|d| Utc::now() + d);
        }
        publish(shared, status, &observer);
        // The desktop app checkpoints when idle; this connection only wrote
        // bookkeeping and pulled events, so a passive checkpoint is enough.
        let _ = store.checkpoint();
    }
}
