//! A TCP-level fault-injection proxy for Firebreak's sync system tests and
//! benchmarks.
//!
//! The client connects to the proxy's loopback port; the proxy connects to
//! the upstream hub and, per connection, passes traffic through, adds
//! latency, or injects a fault: a reset mid-request or mid-response, a
//! truncated response, an injected 5xx (after or instead of forwarding), or
//! a delay. It runs on its own runtime thread so that blocking test code can
//! drive it. It only listens on, and connects to, loopback addresses.
//!
//! # Layout
//! - `lib.rs` — [`FaultProxy`]: start, configure, stop; the accept loop.
//! - `faults.rs` — [`Faults`], [`Fate`] and [`draw_fate`], the seeded per-connection draw (pure).
//! - `connection.rs` — one connection from accept to close, carrying out its fate.
//! - `pipe.rs` — copying one direction: delay queue, first-byte delay, cut-off.
//! - `http_reply.rs` — the injected error replies and where a response ends (pure).
//! - `stats.rs` — the counters and their [`FaultStats`] snapshot.
//! - `main.rs` — the `firebreak-faultproxy` binary for manual runs.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use firebreak_faultproxy::{FaultProxy, Faults, RandomFaults};
//!
//! # fn main() -> std::io::Result<()> {
//! let hub: std::net::SocketAddr = "127.0.0.1:8080".parse().expect("address");
//! let proxy = FaultProxy::start(hub, Faults::Random(RandomFaults {
//!     seed: 7,
//!     fault_probability: 0.3,
//!     max_delay: Duration::from_millis(200),
//! }))?;
//! // Point the client at proxy.url() instead of the hub, run the trial, then:
//! println!("{:?}", proxy.stats());
//! # Ok(())
//! # }
//! ```

mod connection;
mod faults;
mod http_reply;
mod pipe;
mod stats;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use faults::{
    Fate, Faults, LARGE_OFFSETS, MEDIUM_OFFSETS, RandomFaults, SMALL_OFFSETS, draw_fate,
};
pub use stats::FaultStats;

use faults::Assignment;
use stats::{ActiveGuard, Counters};

/// A running proxy. Dropping it stops listening, closes every connection and
/// joins its thread.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    /// Dropping the sender tells the accept loop to stop.
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the caller may change while the proxy runs.
#[derive(Debug)]
struct Config {
    upstream: SocketAddr,
    faults: Faults,
    /// The index of the next connection under the current `faults`.
    next_index: u64,
}

#[derive(Debug)]
struct Shared {
    config: Mutex<Config>,
    counters: Arc<Counters>,
}

impl Shared {
    /// A panic elsewhere while holding the lock leaves a config that is still
    /// whole (each field is replaced in one assignment), so poison is ignored.
    fn config(&self) -> MutexGuard<'_, Config> {
        self.config
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Where the next connection goes and what happens to it.
    fn next_connection(&self) -> (SocketAddr, Assignment) {
        let mut config = self.config();
        let index = config.next_index;
        config.next_index += 1;
        (config.upstream, config.faults.assign(index))
    }
}

impl FaultProxy {
    /// Starts a proxy on `127.0.0.1:0` in front of `upstream`; returns once it
    /// is listening.
    ///
    /// # Errors
    /// `InvalidInput` if `upstream` is not a loopback address; otherwise the
    /// error from binding or from starting the runtime thread.
    pub fn start(upstream: SocketAddr, faults: Faults) -> io::Result<FaultProxy> {
        FaultProxy::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), upstream, faults)
    }

    /// Like [`FaultProxy::start`], listening on `listen` (a loopback address;
    /// port 0 picks a free one).
    ///
    /// # Errors
    /// `InvalidInput` if either address is not loopback; otherwise the error
    /// from binding or from starting the runtime thread.
    pub fn start_on(
        listen: SocketAddr,
        upstream: SocketAddr,
        faults: Faults,
    ) -> io::Result<FaultProxy> {
        require_loopback(listen, "listen")?;
        require_loopback(upstream, "upstream")?;

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        // Bound here, on the caller's thread, so the port accepts connections
        // (into the kernel's backlog) before `start` returns.
        let std_listener = std::net::TcpListener::bind(listen)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let listener = {
            let _context = runtime.enter();
            TcpListener::from_std(std_listener)?
        };

        let shared = Arc::new(Shared {
            config: Mutex::new(Config {
                upstream,
                faults,
                next_index: 0,
            }),
            counters: Arc::new(Counters::default()),
        });
        let (stop, stopped) = oneshot::channel();
        let loop_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("faultproxy-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(accept_loop(listener, loop_shared, stopped));
                // Dropping the runtime here drops every connection task, and
                // with them their sockets: that is how Drop closes connections.
                drop(runtime);
            })?;
        Ok(FaultProxy {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, for clients that take a base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Replaces the faults for connections accepted from now on; open
    /// connections keep theirs. Connection indices for [`Faults::Random`]
    /// start again at 0, so a trial that sets its faults first is reproducible.
    pub fn set_faults(&self, faults: Faults) {
        let mut config = self.shared.config();
        config.faults = faults;
        config.next_index = 0;
    }

    /// Sends new connections to `upstream` (the hub restarted on a new port).
    ///
    /// A non-loopback address is stored but never connected to: connections
    /// then fail and count as `upstream_failures`.
    pub fn set_upstream(&self, upstream: SocketAddr) {
        if !upstream.ip().is_loopback() {
            tracing::warn!(%upstream, "fault proxy: upstream is not loopback; connections will be refused");
        }
        self.shared.config().upstream = upstream;
    }

    /// The counters so far.
    pub fn stats(&self) -> FaultStats {
        self.shared.counters.snapshot()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // A panic on the proxy thread has already been reported by the
            // panic hook; a drop has nothing better to do with it.
            let _ = thread.join();
        }
    }
}

fn require_loopback(addr: SocketAddr, what: &str) -> io::Result<()> {
    if addr.ip().is_loopback() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("fault proxy: {what} address {addr} is not loopback"),
        ))
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    loop {
        let accepted = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => accepted,
        };
        let client = match accepted {
            Ok((client, _peer)) => client,
            Err(e) => {
                // Typically EMFILE: back off briefly instead of spinning.
                tracing::warn!(error = %e, "fault proxy: accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let (upstream, assignment) = shared.next_connection();
        // Active first, so a caller who sees the connection counted also sees it open.
        let active = ActiveGuard::new(Arc::clone(&shared.counters));
        shared.counters.accepted(&assignment.fate);
        tracing::debug!(?assignment, "fault proxy: connection accepted");
        tokio::spawn(connection::serve(client, upstream, assignment, active));
    }
}
