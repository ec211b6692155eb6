//! Firebreak's probe engine: HTTP, DNS, TCP and TLS checks run from the responder's own
//! machine, each timed phase by phase and turned into a [`ProbeResult`] that is kept as
//! evidence.
//!
//! Every failure becomes a result, never a panic or an `Err`: a refused connection, a
//! timeout, an expired certificate, NXDOMAIN and a cancelled run are all things a
//! responder needs to see and log. The result types, the checks that judge a response,
//! the watch state machine and target parsing are pure and live in
//! `firebreak_core::probe`; this crate is the part that touches the network.
//!
//! Why not reqwest: it hides when DNS, connect, TLS and the first byte happened. The
//! HTTP probe drives the phases itself (system resolver → `TcpStream` →
//! tokio-rustls → hyper's HTTP/1.1 connection) so each can be timed like curl's `-w`
//! timers (see `firebreak_core::probe::Timings` for how they compare).
//!
//! Layout:
//! - `options`: [`RunOptions`] — cancellation, concurrency, trust roots, safety.
//! - `ctx`: the per-run deadline and cancellation applied to every await, so a timeout
//!   says which phase it hit.
//! - `net`: name lookup, TCP connect with refused / unreachable / timeout told apart,
//!   and an I/O wrapper that notes when the first response byte arrived.
//! - `tls`: trust roots (the system's, read at run time, plus the probe's `ca` file), a
//!   certificate verifier that records why verification failed instead of only failing,
//!   and the certificate facts (x509-parser).
//! - `http`, `dns`, `tcp`, `tls_probe`: one module per probe kind.
//! - `many`: [`run_many`] / [`run_all`] — bounded concurrency and cancellation.
//! - `watch`: [`watch`] — re-runs a probe every N seconds through the pure
//!   `firebreak_core::probe::Watch` state machine.
//!
//! TLS uses rustls with the `ring` provider, passed explicitly to every config (no
//! process-wide default is installed, so this crate cannot clash with another user of
//! rustls in the same process).

mod ctx;
mod dns;
mod http;
mod many;
mod net;
mod options;
mod tcp;
mod tls;
mod tls_probe;
mod watch;

pub use firebreak_core::probe::{
    DnsDetail, FailureClass, HttpDetail, Outcome, ProbeResult, Timings, TlsDetail,
};
pub use firebreak_core::runbook::ProbeSpec;
pub use many::{ResultStream, run_all, run_many};
pub use options::{DEFAULT_CONCURRENCY, RunOptions};
pub use tokio_util::sync::CancellationToken;
pub use watch::{WatchEvent, WatchHandle, WatchOptions, watch};

use chrono::{DateTime, Utc};
use ctx::Ctx;
use firebreak_core::runbook::probe_spec::ProbeTarget;
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

/// Runs one probe and returns its result. Never panics and never fails: whatever goes
/// wrong is the result's outcome. Placeholders must be filled before (an unfilled one is
/// a `bad_target` error). Needs a tokio runtime with I/O and time enabled.
pub async fn run(spec: &ProbeSpec, opts: &RunOptions) -> ProbeResult {
    let started_at = Utc::now();
    match AssertUnwindSafe(run_inner(spec, opts, started_at))
        .catch_unwind()
        .await
    {
        Ok(result) => result,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            ProbeResult::new(
                spec.kind(),
                target_text(spec),
                spec.name.clone(),
                started_at,
                Outcome::error(
                    FailureClass::Internal,
                    format!("the probe engine failed (a bug): {what}"),
                ),
            )
        }
    }
}

fn target_text(spec: &ProbeSpec) -> String {
    spec.target_text()
}

/// A result for a probe that never started because the run was cancelled first.
pub(crate) fn cancelled_before_start(spec: &ProbeSpec) -> ProbeResult {
    ProbeResult::new(
        spec.kind(),
        target_text(spec),
        spec.name.clone(),
        Utc::now(),
        Outcome::error(FailureClass::Cancelled, "cancelled before it started"),
    )
}

async fn run_inner(spec: &ProbeSpec, opts: &RunOptions, started_at: DateTime<Utc>) -> ProbeResult {
    let mut result = ProbeResult::new(
        spec.kind(),
        target_text(spec),
        spec.name.clone(),
        started_at,
        Outcome::Passed,
    );
    let placeholders = spec.placeholders();
    if !placeholders.is_empty() {
        let names: Vec<String> = placeholders
            .iter()
            .map(|n| format!("{{{{ {n} }}}}"))
            .collect();
        result.set_outcome(
            Outcome::error(
                FailureClass::BadTarget,
                format!(
                    "{} {} no value: fill it from the incident's variables or a profile",
                    names.join(", "),
                    if names.len() == 1 { "has" } else { "have" }
                ),
            ),
            "",
        );
        return result;
    }
    if opts.cancel.is_cancelled() {
        result.set_outcome(
            Outcome::error(FailureClass::Cancelled, "cancelled before it started"),
            "",
        );
        return result;
    }
    let start = Instant::now();
    let ctx = Ctx::new(start, spec.timeout_or_default(), opts);
    let outcome = match &spec.target {
        ProbeTarget::Http(p) => http::probe(p, &ctx, &mut result).await,
        ProbeTarget::Dns(p) => dns::probe(p, &ctx, &mut result).await,
        ProbeTarget::Tcp(p) => tcp::probe(p, &ctx, &mut result).await,
        ProbeTarget::Tls(p) => tls_probe::probe(p, &ctx, &mut result).await,
    };
    if result.timings.total_ms.is_none() {
        result.timings.total_ms = Some(ctx.elapsed_ms());
    }
    match outcome {
        Ok(pass_reason) => result.set_outcome(Outcome::Passed, pass_reason),
        Err(outcome) => result.set_outcome(outcome, ""),
    }
    result
}
