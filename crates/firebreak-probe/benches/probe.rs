//! Benchmarks of the probe engine (`cargo bench -p firebreak-probe`).
//!
//! 1. Phase timings against curl: N engine probes interleaved with N runs of
//!    `curl -w` against the same loopback URL, over HTTP and HTTPS. curl's timers are
//!    cumulative from the start; the engine's are per-phase durations, so curl's are
//!    converted to phases (see `firebreak_core::probe::Timings`) and the medians of
//!    each phase compared. Target: every phase within 1 ms of curl's.
//! 2. 1,000 probes at once of a loopback endpoint that answers after 300 ms. Target:
//!    all done within 1.5 × 300 ms. The server runs in a child process (this binary,
//!    started again with `--serve-slow`), so getrusage(RUSAGE_SELF) around the run
//!    counts the engine's CPU only.
//!
//! Everything listens on 127.0.0.1; nothing leaves the machine. `FIREBREAK_BENCH_N`
//! overrides N (default 200).

#![allow(clippy::print_stdout, clippy::unwrap_used)]

#[path = "../tests/engine/support.rs"]
mod support;

use firebreak_probe::{ProbeSpec, RunOptions, run, run_all};
use nix::sys::resource::{UsageWho, getrusage};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SLOW_MS: u64 = 300;
const MANY: usize = 1000;
const WARM_UP: usize = 10;

fn main() {
    if std::env::args().any(|a| a == "--serve-slow") {
        serve_slow();
        return;
    }
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` passes nothing we
    // need to honour, but must not run for minutes.
    let n: usize = std::env::var("FIREBREAK_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let only = std::env::var("FIREBREAK_BENCH_ONLY").unwrap_or_default();
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    println!("firebreak-probe benchmarks (loopback only)\n");
    if only.is_empty() || only == "phases" {
        phases_against_curl(n, &mut verdicts);
    }
    if only.is_empty() || only == "many" {
        many_slow_probes(&mut verdicts);
    }
    println!("\nsummary");
    for (what, pass) in &verdicts {
        println!("  {:<58} {}", what, verdict(*pass));
    }
}

// ---------------------------------------------------------------- 1. phases vs curl

#[derive(Default)]
struct Phases {
    dns: Vec<f64>,
    connect: Vec<f64>,
    tls: Vec<f64>,
    first_byte: Vec<f64>,
    total: Vec<f64>,
}

impl Phases {
    fn push(&mut self, p: [f64; 5]) {
        self.dns.push(p[0]);
        self.connect.push(p[1]);
        self.tls.push(p[2]);
        self.first_byte.push(p[3]);
        self.total.push(p[4]);
    }

    fn after(&self, k: usize) -> Phases {
        let tail = |v: &Vec<f64>| v.get(k..).unwrap_or_default().to_vec();
        Phases {
            dns: tail(&self.dns),
            connect: tail(&self.connect),
            tls: tail(&self.tls),
            first_byte: tail(&self.first_byte),
            total: tail(&self.total),
        }
    }

    fn medians(&self) -> [f64; 5] {
        [
            median(&self.dns),
            median(&self.connect),
            median(&self.tls),
            median(&self.first_byte),
            median(&self.total),
        ]
    }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let mid = s.len() / 2;
    if s.len().is_multiple_of(2) {
        (s[mid - 1] + s[mid]) / 2.0
    } else {
        s[mid]
    }
}

/// One curl process making two transfers to `url`, each on a new connection with a
/// full handshake (`Connection: close`, `--no-sessionid`): the first pays for the
/// process's cold start (OpenSSL 3 fetches its algorithms on first use, inside the
/// handshake), the second runs warm, as a long-lived engine does. Cumulative timers
/// are turned into per-phase durations (ms).
fn curl(url: &str, cacert: Option<&str>) -> Option<([f64; 5], [f64; 5])> {
    let mut cmd = Command::new("/usr/bin/curl");
    cmd.args([
        "-s",
        "--no-sessionid",
        "-H",
        "Connection: close",
        "-o",
        "/dev/null",
        "-o",
        "/dev/null",
        "-w",
        "%{time_namelookup} %{time_connect} %{time_appconnect} %{time_starttransfer} %{time_total}\\n",
    ]);
    if let Some(ca) = cacert {
        cmd.args(["--cacert", ca]);
    }
    let out = cmd.args([url, url]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut transfers = text.lines().filter_map(|line| {
        let t: Vec<f64> = line
            .split_whitespace()
            .filter_map(|x| x.parse::<f64>().ok())
            .map(|s| s * 1000.0)
            .collect();
        let [namelookup, connect, appconnect, starttransfer, total] = t[..] else {
            return None;
        };
        let ready = connect.max(appconnect);
        Some([
            namelookup,
            connect - namelookup,
            if appconnect > 0.0 {
                appconnect - connect
            } else {
                0.0
            },
            starttransfer - ready,
            total,
        ])
    });
    Some((transfers.next()?, transfers.next()?))
}

fn engine(rt: &tokio::runtime::Runtime, spec: &ProbeSpec, opts: &RunOptions) -> Option<[f64; 5]> {
    let r = rt.block_on(run(spec, opts));
    if !r.ok {
        println!("  engine probe failed: {}", r.reason);
        return None;
    }
    let t = r.timings;
    Some([
        t.dns_ms?,
        t.connect_ms?,
        t.tls_ms.unwrap_or(0.0),
        t.first_byte_ms?,
        t.total_ms?,
    ])
}

/// What the HTTPS server saw of one connection: from the ClientHello arriving to the
/// handshake being done (ms).
#[derive(Clone, Copy)]
struct ServerSide {
    handshake_ms: f64,
}

/// An HTTPS endpoint that notes those two spans for every connection.
struct TimedTlsServer {
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<ServerSide>>>,
    _task: support::Task,
}

impl TimedTlsServer {
    async fn start(leaf: support::Leaf) -> TimedTlsServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(support::server_tls(leaf));
        let log = Arc::new(Mutex::new(Vec::new()));
        let task_log = log.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let acceptor = acceptor.clone();
                let log = task_log.clone();
                tokio::spawn(async move {
                    if tcp.readable().await.is_err() {
                        return;
                    }
                    let hello = Instant::now();
                    let Ok(tls) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let done = Instant::now();
                    if let Ok(mut l) = log.lock() {
                        l.push(ServerSide {
                            handshake_ms: (done - hello).as_secs_f64() * 1000.0,
                        });
                    }
                    let service = hyper::service::service_fn(|_req| async {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(
                            http_body_util::Full::new(hyper::body::Bytes::from_static(b"ok")),
                        ))
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        TimedTlsServer {
            addr,
            log,
            _task: support::Task(task),
        }
    }

    /// The records of the connections made since the last call, oldest first.
    fn drain(&self) -> Vec<ServerSide> {
        self.log
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

fn verdict(pass: bool) -> &'static str {
    if pass { "PASS" } else { "FAIL" }
}

fn print_row(name: &str, a: f64, cold: f64, warm: f64, judged: bool) {
    let (d1, d2) = (a - cold, a - warm);
    let marks = |d: f64| {
        if judged { verdict(d.abs() <= 1.0) } else { "" }
    };
    println!(
        "  {name:<30} {a:>8.3} {cold:>9.3} {d1:>+8.3} {:>4}  {warm:>9.3} {d2:>+8.3} {:>4}",
        marks(d1),
        marks(d2)
    );
}

fn phases_against_curl(n: usize, verdicts: &mut Vec<(String, bool)>) {
    // The servers have their own runtime and thread, as a real server would.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let ca = support::Ca::new("Firebreak Bench CA");
    let plain = server_rt.block_on(support::HttpServer::plain());
    let tls = server_rt.block_on(TimedTlsServer::start(ca.leaf(&["127.0.0.1"], -1, 30)));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = RunOptions::default();
    let https_url = format!("https://{}/ok", tls.addr);
    let cases = [
        ("HTTP", plain.url("/ok"), None),
        ("HTTPS", https_url, Some(ca.path())),
    ];
    println!("1. phase medians (ms), {n} engine probes interleaved with {n} curl processes");
    println!(
        "   Per-phase durations; curl's cumulative timers converted (connect = time_connect -"
    );
    println!(
        "   time_namelookup, tls = time_appconnect - time_connect, first_byte = time_starttransfer"
    );
    println!(
        "   - max(time_connect, time_appconnect)). Each curl process makes two transfers on new"
    );
    println!("   connections with full handshakes: \"cold\" is its first, \"warm\" its second.");
    for (label, url, cacert) in cases {
        let https = cacert.is_some();
        let toml = match &cacert {
            Some(path) => format!("kind = \"http\"\nurl = \"{url}\"\nca = \"{path}\""),
            None => format!("kind = \"http\"\nurl = \"{url}\""),
        };
        let spec = ProbeSpec::from_toml(&toml, &Default::default()).unwrap();
        let (mut ours, mut cold, mut warm) =
            (Phases::default(), Phases::default(), Phases::default());
        let (mut side_ours, mut side_cold, mut side_warm) = (Vec::new(), Vec::new(), Vec::new());
        let mut one = |engine_turn: bool| {
            if engine_turn {
                ours.push(engine(&rt, &spec, &opts).unwrap_or([f64::NAN; 5]));
                if https {
                    side_ours.extend(tls.drain().into_iter().map(|s| s.handshake_ms));
                }
            } else {
                let (c, w) =
                    curl(&url, cacert.as_deref()).unwrap_or(([f64::NAN; 5], [f64::NAN; 5]));
                cold.push(c);
                warm.push(w);
                if https && let [c, w] = tls.drain()[..] {
                    side_cold.push(c.handshake_ms);
                    side_warm.push(w.handshake_ms);
                }
            }
        };
        // The first WARM_UP of each are not counted: they page in code, load the trust
        // roots once and settle the CPU clocks.
        for i in 0..(WARM_UP + n) {
            // Alternate who goes first, so neither always runs on a warmer cache.
            one(i % 2 == 0);
            one(i % 2 == 1);
        }
        let (a, c, w) = (
            ours.after(WARM_UP).medians(),
            cold.after(WARM_UP).medians(),
            warm.after(WARM_UP).medians(),
        );
        println!("\n  {label} {url}");
        println!(
            "  {:<30} {:>8} {:>9} {:>8} {:>4}  {:>9} {:>8} {:>4}",
            "phase", "engine", "curl cold", "diff", "", "curl warm", "diff", ""
        );
        let names = ["dns", "connect", "tls", "first_byte", "total"];
        for (i, name) in names.iter().enumerate() {
            if !https && *name == "tls" {
                continue;
            }
            print_row(name, a[i], c[i], w[i], true);
            verdicts.push((
                format!("{label} {name}: within 1 ms of curl (cold)"),
                (a[i] - c[i]).abs() <= 1.0,
            ));
            verdicts.push((
                format!("{label} {name}: within 1 ms of curl (warm)"),
                (a[i] - w[i]).abs() <= 1.0,
            ));
        }
        if https {
            let tail = |v: &Vec<f64>| median(v.get(WARM_UP..).unwrap_or_default());
            print_row(
                "handshake seen by the server",
                tail(&side_ours),
                tail(&side_cold),
                tail(&side_warm),
                false,
            );
            println!(
                "  (server: ClientHello arrived → handshake done, a clock neither client controls)"
            );
            // Like with like: each client's TLS phase against the same handshake as the
            // server saw it. This is what says the engine's timer is right.
            for (who, client, server) in [
                ("engine", a[2], tail(&side_ours)),
                ("curl (cold)", c[2], tail(&side_cold)),
                ("curl (warm)", w[2], tail(&side_warm)),
            ] {
                let pass = (client - server).abs() <= 1.0;
                println!(
                    "  {who:<12} tls phase {client:.3} vs server-observed handshake {server:.3}: diff {:+.3} {}",
                    client - server,
                    verdict(pass)
                );
                verdicts.push((
                    format!("{label} {who} tls phase within 1 ms of the server's view"),
                    pass,
                ));
            }
        }
    }
    drop(plain);
    drop(tls);
    server_rt.shutdown_timeout(Duration::from_secs(1));
}

// ---------------------------------------------------------------- 2. 1,000 at once

fn many_slow_probes(verdicts: &mut Vec<(String, bool)>) {
    let _ = rlimit::increase_nofile_limit(8192);
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .arg("--serve-slow")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line.trim().strip_prefix("PORT ").unwrap().parse().unwrap();
    let url = format!("http://127.0.0.1:{port}/");
    let spec = ProbeSpec::from_toml(
        &format!("kind = \"http\"\nurl = \"{url}\"\ntimeout = \"5s\""),
        &Default::default(),
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let opts = RunOptions {
        concurrency: MANY,
        ..RunOptions::default()
    };
    println!(
        "\n2. {MANY} probes of {url} (answers after {SLOW_MS} ms), concurrency {MANY}; server in a child process"
    );
    println!(
        "  {:<6} {:>10} {:>10} {:>20} {:>12} {:>12}",
        "round", "ok", "wall ms", "CPU µs/probe (u+s)", "p50 total", "max total"
    );
    let mut walls = Vec::new();
    let mut cpus = Vec::new();
    for round in 1..=3 {
        let specs = vec![spec.clone(); MANY];
        let before = cpu_seconds();
        let started = Instant::now();
        let results = rt.block_on(run_all(specs, &opts));
        let wall = started.elapsed().as_secs_f64() * 1000.0;
        let after = cpu_seconds();
        let (user, sys) = (after.0 - before.0, after.1 - before.1);
        let cpu = user + sys;
        let ok = results.iter().filter(|r| r.ok).count();
        if let Some(bad) = results.iter().find(|r| !r.ok) {
            println!("  a probe failed: {}", bad.reason);
        }
        let totals: Vec<f64> = results.iter().filter_map(|r| r.timings.total_ms).collect();
        let max = totals.iter().copied().fold(0.0, f64::max);
        let per_probe_us = cpu / MANY as f64 * 1e6;
        println!(
            "  {:<6} {:>10} {:>10.1} {:>20} {:>12.1} {:>12.1}",
            round,
            format!("{ok}/{MANY}"),
            wall,
            format!(
                "{per_probe_us:.1} ({:.0}+{:.0})",
                user / MANY as f64 * 1e6,
                sys / MANY as f64 * 1e6
            ),
            median(&totals),
            max
        );
        walls.push(if ok == MANY { wall } else { f64::INFINITY });
        cpus.push(per_probe_us);
        std::thread::sleep(Duration::from_millis(200));
    }
    let wall = median(&walls);
    let limit = SLOW_MS as f64 * 1.5;
    let pass = wall <= limit;
    println!(
        "  median wall {wall:.1} ms vs {SLOW_MS} ms = {:.2}x (target <= 1.5x, {limit:.0} ms): {}",
        wall / SLOW_MS as f64,
        verdict(pass)
    );
    println!(
        "  engine CPU per probe (user+sys, RUSAGE_SELF, server excluded): median {:.1} µs",
        median(&cpus)
    );
    verdicts.push((
        format!("{MANY} slow probes within 1.5x of {SLOW_MS} ms"),
        pass,
    ));
    let _ = child.kill();
    let _ = child.wait();
}

/// (user, system) CPU seconds of this process so far.
fn cpu_seconds() -> (f64, f64) {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(u) => {
            let tv = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
            (tv(u.user_time()), tv(u.system_time()))
        }
        Err(_) => (f64::NAN, f64::NAN),
    }
}

/// The child: an HTTP/1.1 endpoint that answers every request after SLOW_MS, until
/// its parent closes stdin.
fn serve_slow() {
    let _ = rlimit::increase_nofile_limit(8192);
    std::thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let listener = socket.listen(4096).unwrap();
        let port = listener.local_addr().unwrap().port();
        {
            let mut out = std::io::stdout();
            writeln!(out, "PORT {port}").unwrap();
            out.flush().unwrap();
        }
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut buf = vec![0u8; 4096];
                let mut seen = Vec::new();
                loop {
                    match tcp.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => {
                            seen.extend_from_slice(&buf[..n]);
                            if seen.windows(4).any(|w| w == b"\r\n\r\n") {
                                break;
                            }
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(SLOW_MS)).await;
                let _ = tcp
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .await;
                let _ = tcp.shutdown().await;
            });
        }
    });
}
