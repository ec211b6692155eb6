//! `firebreak-faultproxy`: the fault proxy as a process, for manual runs.
//!
//! Prints `listening on http://ADDR` as its first line and runs until killed.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use firebreak_faultproxy::{FaultProxy, Faults, RandomFaults};

/// A loopback TCP proxy that injects resets, truncations, 5xx replies,
/// delays or latency between a client and the Firebreak hub.
#[derive(Debug, Parser)]
#[command(name = "firebreak-faultproxy", version)]
struct Args {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Loopback address of the hub.
    #[arg(long)]
    upstream: SocketAddr,
    /// Seed for random faults (random mode when this or the next two are given).
    #[arg(long, conflicts_with = "latency_ms")]
    seed: Option<u64>,
    /// Chance, 0 to 1, that a connection gets a fault.
    #[arg(long, value_parser = parse_probability, conflicts_with = "latency_ms")]
    fault_probability: Option<f64>,
    /// Longest injected delay, in milliseconds.
    #[arg(long, conflicts_with = "latency_ms")]
    max_delay_ms: Option<u64>,
    /// Add this one-way latency to every chunk both ways (no faults).
    #[arg(long)]
    latency_ms: Option<u64>,
}

impl Args {
    fn faults(&self) -> Faults {
        if let Some(ms) = self.latency_ms {
            return Faults::Latency {
                one_way: Duration::from_millis(ms),
            };
        }
        if self.seed.is_none() && self.fault_probability.is_none() && self.max_delay_ms.is_none() {
            return Faults::None;
        }
        Faults::Random(RandomFaults {
            seed: self.seed.unwrap_or(0),
            fault_probability: self.fault_probability.unwrap_or(0.1),
            max_delay: Duration::from_millis(self.max_delay_ms.unwrap_or(1000)),
        })
    }
}

fn parse_probability(text: &str) -> Result<f64, String> {
    let p: f64 = text.parse().map_err(|e| format!("{e}"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not between 0 and 1"))
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let proxy = FaultProxy::start_on(args.listen, args.upstream, args.faults())
        .context("starting the fault proxy")?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {}", proxy.url())?;
    // Whoever started us waits for this line; do not leave it in a buffer.
    stdout.flush()?;
    // The proxy runs on its own thread; this one only has to stay alive.
    loop {
        std::thread::park();
    }
}
