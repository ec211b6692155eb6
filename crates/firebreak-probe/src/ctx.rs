//! The deadline and cancellation of one run, applied to each await on its own.
//!
//! Wrapping the whole probe in one `timeout` would lose what was learnt so far (the
//! connect time, the certificate) and could not say where it stopped. Guarding each
//! step against the same deadline keeps both: "no answer within 500 ms while waiting
//! for the response from 127.0.0.1:8080".

use crate::options::RunOptions;
use firebreak_core::probe::{FailureClass, Outcome, format_limit};
use std::future::Future;
use std::time::{Duration, Instant};

pub(crate) struct Ctx<'a> {
    pub start: Instant,
    deadline: Instant,
    timeout: Duration,
    pub opts: &'a RunOptions,
}

impl<'a> Ctx<'a> {
    pub fn new(start: Instant, timeout: Duration, opts: &'a RunOptions) -> Ctx<'a> {
        // A timeout too large for the clock means no deadline worth the name.
        let far = start + Duration::from_secs(10 * 365 * 86_400);
        Ctx {
            start,
            deadline: start.checked_add(timeout).unwrap_or(far).min(far),
            timeout,
            opts,
        }
    }

    /// Milliseconds since the run started.
    pub fn elapsed_ms(&self) -> f64 {
        ms_since(self.start)
    }

    /// Time left before the deadline.
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// Awaits `fut` unless the deadline passes or the run is cancelled first. `doing`
    /// describes the step ("connecting to 192.0.2.1:443") for the message.
    pub async fn guard<T>(
        &self,
        doing: impl FnOnce() -> String,
        fut: impl Future<Output = T>,
    ) -> Result<T, Outcome> {
        tokio::select! {
            biased;
            () = self.opts.cancel.cancelled() => Err(Outcome::error(
                FailureClass::Cancelled,
                format!("cancelled while {}", doing()),
            )),
            r = tokio::time::timeout_at(self.deadline.into(), fut) => r.map_err(|_| {
                Outcome::error(
                    FailureClass::Timeout,
                    format!(
                        "no answer within {} while {}",
                        format_limit(self.timeout),
                        doing()
                    ),
                )
            }),
        }
    }
}

/// Milliseconds since `since`, with microseconds kept.
pub(crate) fn ms_since(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

/// Milliseconds between two instants.
pub(crate) fn ms_between(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1000.0
}
