//! What the proxy did, counted as it happens, and the snapshot handed to callers.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::faults::Fate;

/// A snapshot of the proxy's counters.
///
/// `passed` and `delays` are counted when a connection is accepted and given
/// that fate. Resets, truncations and server errors are counted just before
/// the proxy injects them, so once a client has seen the fault, the counter
/// already shows it. A cut or 503-after-forward whose point the traffic never
/// reached counts as `not_triggered` when its connection ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultStats {
    /// Connections accepted from clients.
    pub connections: u64,
    /// Connections given [`Fate::Pass`] (including every one under `None` and `Latency`).
    pub passed: u64,
    /// Requests cut off with a reset of both sockets.
    pub request_resets: u64,
    /// Responses cut off with a reset of the client socket.
    pub response_resets: u64,
    /// Responses cut off with a clean close of the client socket.
    pub truncations: u64,
    /// Injected 5xx replies, with or without forwarding.
    pub server_errors: u64,
    /// Connections given [`Fate::Delay`].
    pub delays: u64,
    /// Connections with a cut or a 503-after-forward that ended before it fired.
    pub not_triggered: u64,
    /// Connections dropped because the upstream could not be reached.
    pub upstream_failures: u64,
    /// Connections open right now (a gauge, not a count): 0 once all have ended.
    pub active: u64,
}

/// Something worth counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    RequestReset,
    ResponseReset,
    Truncation,
    ServerError,
    NotTriggered,
    UpstreamFailure,
}

/// The live counters, shared by the accept loop and every connection task.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    connections: AtomicU64,
    passed: AtomicU64,
    request_resets: AtomicU64,
    response_resets: AtomicU64,
    truncations: AtomicU64,
    server_errors: AtomicU64,
    delays: AtomicU64,
    not_triggered: AtomicU64,
    upstream_failures: AtomicU64,
    active: AtomicU64,
}

impl Counters {
    /// Counts a newly accepted connection and the fates known at once.
    pub(crate) fn accepted(&self, fate: &Fate) {
        self.connections.fetch_add(1, Ordering::Relaxed);
        match fate {
            Fate::Pass => self.passed.fetch_add(1, Ordering::Relaxed),
            Fate::Delay { .. } => self.delays.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }

    pub(crate) fn record(&self, event: Event) {
        let counter = match event {
            Event::RequestReset => &self.request_resets,
            Event::ResponseReset => &self.response_resets,
            Event::Truncation => &self.truncations,
            Event::ServerError => &self.server_errors,
            Event::NotTriggered => &self.not_triggered,
            Event::UpstreamFailure => &self.upstream_failures,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> FaultStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        FaultStats {
            connections: get(&self.connections),
            passed: get(&self.passed),
            request_resets: get(&self.request_resets),
            response_resets: get(&self.response_resets),
            truncations: get(&self.truncations),
            server_errors: get(&self.server_errors),
            delays: get(&self.delays),
            not_triggered: get(&self.not_triggered),
            upstream_failures: get(&self.upstream_failures),
            active: get(&self.active),
        }
    }
}

/// Holds one unit of the `active` gauge; dropping it (however the connection
/// task ends, including cancellation at shutdown) gives it back.
#[derive(Debug)]
pub(crate) struct ActiveGuard(Arc<Counters>);

impl ActiveGuard {
    pub(crate) fn new(counters: Arc<Counters>) -> ActiveGuard {
        counters.active.fetch_add(1, Ordering::Relaxed);
        ActiveGuard(counters)
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.0
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn counts_fates_events_and_the_active_gauge() {
        let counters = Arc::new(Counters::default());
        counters.accepted(&Fate::Pass);
        counters.accepted(&Fate::Delay {
            by: Duration::from_millis(1),
        });
        counters.accepted(&Fate::Truncate { after: 3 });
        counters.record(Event::Truncation);
        counters.record(Event::ServerError);
        counters.record(Event::ServerError);
        let guard = ActiveGuard::new(Arc::clone(&counters));
        assert_eq!(
            counters.snapshot(),
            FaultStats {
                connections: 3,
                passed: 1,
                delays: 1,
                truncations: 1,
                server_errors: 2,
                active: 1,
                ..FaultStats::default()
            }
        );
        drop(guard);
        assert_eq!(counters.snapshot().active, 0);
    }
}
