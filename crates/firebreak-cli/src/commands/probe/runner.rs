//! Where the probe commands meet tokio. The runtime is made here and only here, when
//! probes are about to run: the rest of the CLI stays synchronous, and the store (a
//! blocking SQLite handle) is only ever used on the thread that waits for results.

use anyhow::{Context as _, Result};
use firebreak_probe::{CancellationToken, ProbeResult, ProbeSpec, RunOptions};
use std::sync::Arc;
use tokio::runtime::Runtime;
use tokio::sync::{Semaphore, mpsc};

/// Two workers: probes spend their time waiting on the network, not computing.
pub fn runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the probe runtime")
}

/// Cancels `cancel` on the first Ctrl-C, so probes in flight end as `cancelled` and what
/// already finished is printed and recorded. Catching SIGINT means the default "die"
/// is gone, so a second Ctrl-C exits at once (130, as a shell reports SIGINT) in case
/// something does not stop. Must be called within the runtime.
pub fn cancel_on_ctrl_c(cancel: CancellationToken) {
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        eprintln!("firebreak: stopping (Ctrl-C again to quit at once)");
        cancel.cancel();
        if tokio::signal::ctrl_c().await.is_ok() {
            std::process::exit(130);
        }
    });
}

/// Options shared by every probe the CLI runs; `refuse_sensitive` is set per probe.
pub fn options(cancel: &CancellationToken, refuse_sensitive: bool) -> RunOptions {
    RunOptions {
        cancel: cancel.clone(),
        refuse_sensitive,
        ..RunOptions::default()
    }
}

/// One probe to run, and whether it must refuse an address that resolves to loopback,
/// link-local or cloud metadata.
#[derive(Debug, Clone)]
pub struct Job {
    pub spec: ProbeSpec,
    pub refuse_sensitive: bool,
}

/// Runs `jobs` with at most `concurrency` at once and calls `on_result` on this thread
/// with each result as it finishes, with its index in `jobs`. Ctrl-C cancels what is
/// left; every job still gets exactly one result.
///
/// Not `firebreak_probe::run_many`: that applies one `RunOptions` to every spec, and a
/// runbook run mixes probes the user allowed to reach sensitive hosts with probes that
/// must refuse them, under one concurrency limit.
pub fn run_jobs(
    jobs: Vec<Job>,
    concurrency: usize,
    mut on_result: impl FnMut(usize, ProbeResult) -> Result<()>,
) -> Result<()> {
    if jobs.is_empty() {
        return Ok(());
    }
    let rt = runtime()?;
    rt.block_on(async move {
        let cancel = CancellationToken::new();
        cancel_on_ctrl_c(cancel.clone());
        let permits = Arc::new(Semaphore::new(concurrency.max(1)));
        let (tx, mut rx) = mpsc::unbounded_channel();
        for (i, job) in jobs.into_iter().enumerate() {
            let opts = options(&cancel, job.refuse_sensitive);
            let permits = permits.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                // The semaphore is fair, so probes start in the order given. A cancel
                // while waiting skips the wait; `run` then reports the probe as
                // cancelled without starting it.
                let _permit = tokio::select! {
                    biased;
                    () = opts.cancel.cancelled() => None,
                    permit = permits.acquire_owned() => permit.ok(),
                };
                let result = firebreak_probe::run(&job.spec, &opts).await;
                let _ = tx.send((i, result));
            });
        }
        drop(tx);
        while let Some((i, result)) = rx.recv().await {
            on_result(i, result)?;
        }
        Ok(())
    })
}
