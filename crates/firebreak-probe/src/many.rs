//! Many probes at once, at most `concurrency` in flight, cancellable as a whole.
//!
//! Every probe given gets exactly one result, in completion order with its index:
//! those still waiting when the run is cancelled get a `cancelled` result without being
//! started, so a caller that logs evidence can say what was not checked.

use crate::options::RunOptions;
use crate::{ProbeResult, ProbeSpec, cancelled_before_start, run};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::sync::{Semaphore, mpsc};
use tokio_util::sync::DropGuard;

/// Results of [`run_many`] as they come: `(index in the input, result)`. Dropping it
/// cancels the probes still running.
#[derive(Debug)]
pub struct ResultStream {
    rx: mpsc::UnboundedReceiver<(usize, ProbeResult)>,
    len: usize,
    _cancel_on_drop: DropGuard,
}

impl ResultStream {
    /// The next result to finish; `None` when all have been given.
    pub async fn next(&mut self) -> Option<(usize, ProbeResult)> {
        self.rx.recv().await
    }

    /// How many results the stream gives in all.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Waits for all results and returns them in input order.
    pub async fn collect(mut self) -> Vec<ProbeResult> {
        let mut slots: Vec<Option<ProbeResult>> = (0..self.len).map(|_| None).collect();
        while let Some((i, r)) = self.next().await {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(r);
            }
        }
        slots.into_iter().flatten().collect()
    }
}

impl futures_core::Stream for ResultStream {
    type Item = (usize, ProbeResult);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// Starts `specs` with at most `opts.concurrency` running at once and returns their
/// results as they finish. Cancelling `opts.cancel` (or dropping the stream) stops the
/// running ones and gives the rest a `cancelled` result. Must be called within a tokio
/// runtime; each probe runs as its own task, so probes use every worker thread.
pub fn run_many(specs: Vec<ProbeSpec>, opts: &RunOptions) -> ResultStream {
    let len = specs.len();
    let cancel = opts.cancel.child_token();
    let mut opts = opts.clone();
    opts.cancel = cancel.clone();
    let (tx, rx) = mpsc::unbounded_channel();
    let permits = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let opts = Arc::new(opts);
    tokio::spawn(async move {
        for (i, spec) in specs.into_iter().enumerate() {
            if tx.is_closed() {
                return;
            }
            let permit = tokio::select! {
                biased;
                () = opts.cancel.cancelled() => None,
                p = permits.clone().acquire_owned() => p.ok(),
            };
            let Some(permit) = permit else {
                let _ = tx.send((i, cancelled_before_start(&spec)));
                continue;
            };
            let tx = tx.clone();
            let opts = opts.clone();
            tokio::spawn(async move {
                let result = run(&spec, &opts).await;
                drop(permit);
                let _ = tx.send((i, result));
            });
        }
    });
    ResultStream {
        rx,
        len,
        _cancel_on_drop: cancel.drop_guard(),
    }
}

/// [`run_many`], waited for: every result, in input order.
pub async fn run_all(specs: Vec<ProbeSpec>, opts: &RunOptions) -> Vec<ProbeResult> {
    run_many(specs, opts).collect().await
}
