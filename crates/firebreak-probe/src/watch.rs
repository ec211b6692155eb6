//! The watch driver: re-runs a probe every N seconds and feeds each result through the
//! pure `firebreak_core::probe::Watch`, which decides what is a change of state.
//!
//! Every run is handed out (the desktop charts latency from all of them) with the
//! change it made, if any; the log keeps only the events whose `change` is `Some`.

use crate::options::RunOptions;
use crate::{ProbeResult, ProbeSpec, run};
use firebreak_core::probe::{FailureClass, Health, StateChange, Watch};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::{CancellationToken, DropGuard};

/// The shortest interval a watch accepts; anything shorter is a load test, not a watch.
const MIN_EVERY: Duration = Duration::from_millis(10);

/// How a watch runs.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Time from the start of one run to the start of the next. A run that takes longer
    /// delays the next rather than overlapping it.
    pub every: Duration,
    /// Results in a row a new state needs before it counts (see `Watch`).
    pub confirmations: u32,
    /// Stop after this many runs; `None`: until stopped.
    pub max_runs: Option<u64>,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            every: Duration::from_secs(10),
            confirmations: 1,
            max_runs: None,
        }
    }
}

/// One run of a watched probe.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    /// 1 for the first run.
    pub run: u64,
    pub result: ProbeResult,
    /// The change of state this run made, if it made one: what the log records.
    pub change: Option<StateChange>,
    /// The state after this run.
    pub health: Option<Health>,
}

/// A running watch. Dropping it, or [`WatchHandle::stop`], stops the watch; a run in
/// flight ends as `cancelled`.
#[derive(Debug)]
pub struct WatchHandle {
    rx: mpsc::UnboundedReceiver<WatchEvent>,
    cancel: CancellationToken,
    _cancel_on_drop: DropGuard,
}

impl WatchHandle {
    /// The next run's event; `None` once the watch has stopped.
    pub async fn next(&mut self) -> Option<WatchEvent> {
        self.rx.recv().await
    }

    /// Stops the watch.
    pub fn stop(&self) {
        self.cancel.cancel();
    }
}

/// Starts watching `spec`. Must be called within a tokio runtime. The watch also stops
/// when `opts.cancel` is cancelled or after `max_runs` runs.
pub fn watch(spec: ProbeSpec, opts: &RunOptions, wopts: WatchOptions) -> WatchHandle {
    let cancel = opts.cancel.child_token();
    let mut opts = opts.clone();
    opts.cancel = cancel.clone();
    let (tx, rx) = mpsc::unbounded_channel();
    let every = wopts.every.max(MIN_EVERY);
    tokio::spawn(async move {
        let mut machine = Watch::with_confirmations(wopts.confirmations);
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut run_no: u64 = 0;
        loop {
            tokio::select! {
                biased;
                () = opts.cancel.cancelled() => return,
                _ = ticks.tick() => {}
            }
            run_no += 1;
            let result = run(&spec, &opts).await;
            let cancelled = result.class() == Some(FailureClass::Cancelled);
            let change = machine.observe(&result);
            let event = WatchEvent {
                run: run_no,
                result,
                change,
                health: machine.health(),
            };
            if tx.send(event).is_err() || cancelled {
                return;
            }
            if wopts.max_runs.is_some_and(|max| run_no >= max) {
                return;
            }
        }
    });
    WatchHandle {
        rx,
        cancel: cancel.clone(),
        _cancel_on_drop: cancel.drop_guard(),
    }
}
