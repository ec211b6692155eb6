//! The proxy as a whole: latency without lost throughput, random fates that
//! follow the seeded draw, reconfiguration, shutdown, and the binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    BODY_LEN, Hub, IO_TIMEOUT, body, exchange, get_request, parse_response, post_request,
    response_head_len, settled_stats,
};
use firebreak_faultproxy::{Fate, FaultProxy, FaultStats, Faults, RandomFaults, draw_fate};

#[test]
fn latency_adds_the_round_trip_without_cutting_throughput() {
    let one_way = Duration::from_millis(50);
    let hub = Hub::start(1024 * 1024);
    let proxy = FaultProxy::start(hub.addr(), Faults::Latency { one_way }).expect("start");

    let start = Instant::now();
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    let elapsed = start.elapsed();
    let (status, _, got) = parse_response(&bytes);
    assert_eq!(status, 200);
    assert_eq!(got, body(1024 * 1024));
    // Request one way, response the other.
    assert!(elapsed >= 2 * one_way, "{elapsed:?}");
    // 1 MiB is 16+ chunks: slept on one after another that alone is 800 ms.
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    assert_eq!(proxy.stats().passed, 1);
}

/// A push-sized request, so that request cuts fall inside it.
const PUSH_LEN: usize = 30_000;

/// The stats that `n` one-request connections must produce under `faults`.
fn expected_stats(faults: &RandomFaults, n: u64) -> FaultStats {
    let request_len = post_request(PUSH_LEN).len();
    let response_len = response_head_len(BODY_LEN) + BODY_LEN;
    let mut s = FaultStats {
        connections: n,
        ..FaultStats::default()
    };
    for i in 0..n {
        match draw_fate(faults, i) {
            Fate::Pass => s.passed += 1,
            Fate::Delay { .. } => s.delays += 1,
            Fate::ResetRequest { after } if after < request_len => s.request_resets += 1,
            Fate::ResetResponse { after } if after < response_len => s.response_resets += 1,
            Fate::Truncate { after } if after < response_len => s.truncations += 1,
            Fate::ResetRequest { .. } | Fate::ResetResponse { .. } | Fate::Truncate { .. } => {
                s.not_triggered += 1;
            }
            Fate::ServerErrorAfterForward | Fate::ServerErrorNoForward { .. } => {
                s.server_errors += 1;
            }
        }
    }
    s
}

/// `n` connections, one at a time so that connection i is the i-th accepted.
fn run_trial(hub: &Hub, faults: RandomFaults, n: u64) -> FaultStats {
    let proxy = FaultProxy::start(hub.addr(), Faults::Random(faults)).expect("start");
    let request = post_request(PUSH_LEN);
    for _ in 0..n {
        // Resets and short reads are the point; the stats tell what happened.
        let _ = exchange(proxy.addr(), &request);
    }
    settled_stats(&proxy, |s| s.connections == n && s.active == 0)
}

#[test]
fn random_fates_follow_the_seeded_draw_and_repeat_with_the_seed() {
    let hub = Hub::start(BODY_LEN);
    let faults = RandomFaults {
        seed: 2024,
        fault_probability: 0.8,
        max_delay: Duration::from_millis(20),
    };
    let n = 40;
    let expected = expected_stats(&faults, n);
    // The seed must exercise every outcome for this test to mean anything.
    for (name, count) in [
        ("passed", expected.passed),
        ("request_resets", expected.request_resets),
        ("response_resets", expected.response_resets),
        ("truncations", expected.truncations),
        ("server_errors", expected.server_errors),
        ("delays", expected.delays),
        ("not_triggered", expected.not_triggered),
    ] {
        assert!(count > 0, "seed gives no {name}: {expected:?}");
    }

    let first = run_trial(&hub, faults, n);
    assert_eq!(first, expected);
    let second = run_trial(&hub, faults, n);
    assert_eq!(second, first);

    let other = RandomFaults { seed: 99, ..faults };
    let other_stats = run_trial(&hub, other, n);
    assert_eq!(other_stats, expected_stats(&other, n));
    assert_ne!(other_stats, first);
}

#[test]
fn set_faults_none_afterwards_passes_cleanly() {
    let hub = Hub::start(BODY_LEN);
    let proxy = FaultProxy::start(hub.addr(), Faults::Always(Fate::Truncate { after: 100 }))
        .expect("start");
    let agent = ureq::Agent::new_with_defaults();
    let failed = agent
        .get(&proxy.url())
        .call()
        .and_then(|mut r| r.body_mut().read_to_vec());
    assert!(failed.is_err(), "a 100-byte response cannot be whole");

    proxy.set_faults(Faults::None);
    let agent = ureq::Agent::new_with_defaults();
    for _ in 0..3 {
        let mut response = agent.get(&proxy.url()).call().expect("call");
        assert_eq!(response.status(), 200);
        let got = response.body_mut().read_to_vec().expect("whole body");
        assert_eq!(got, body(BODY_LEN));
    }
    let stats = proxy.stats();
    assert_eq!(stats.truncations, 1, "{stats:?}");
    // The agent keeps its connection alive: at least one, at most three.
    assert!((1..=3).contains(&stats.passed), "{stats:?}");
    assert_eq!(stats.connections, 1 + stats.passed);
    assert_eq!(hub.requests(), 4);
}

#[test]
fn set_faults_keeps_open_connections_on_their_fate() {
    let hub = Hub::start(BODY_LEN);
    let proxy = FaultProxy::start(hub.addr(), Faults::None).expect("start");
    let mut open = TcpStream::connect(proxy.addr()).expect("connect");
    open.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    settled_stats(&proxy, |s| s.connections == 1);

    proxy.set_faults(Faults::Always(Fate::ServerErrorNoForward { status: 500 }));
    // The old connection still passes...
    open.write_all(&get_request(true)).expect("write");
    let mut bytes = Vec::new();
    open.read_to_end(&mut bytes).expect("read");
    assert_eq!(parse_response(&bytes).0, 200);
    // ...and a new one gets the new fate.
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    assert_eq!(parse_response(&bytes).0, 500);
}

#[test]
fn set_upstream_sends_new_connections_to_the_new_hub() {
    let first = Hub::start(10);
    let second = Hub::start(20);
    let proxy = FaultProxy::start(first.addr(), Faults::None).expect("start");
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    assert_eq!(parse_response(&bytes).2, body(10));

    proxy.set_upstream(second.addr());
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    assert_eq!(parse_response(&bytes).2, body(20));
    assert_eq!((first.requests(), second.requests()), (1, 1));
}

#[test]
fn an_unreachable_upstream_closes_the_client_and_is_counted() {
    // A port that was just free: bind, note, release.
    let dead: SocketAddr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let proxy = FaultProxy::start(dead, Faults::None).expect("start");
    let result = exchange(proxy.addr(), &get_request(true));
    assert!(result.map(|b| b.is_empty()).unwrap_or(true));
    let stats = settled_stats(&proxy, |s| s.active == 0);
    assert_eq!(stats.upstream_failures, 1, "{stats:?}");
}

#[test]
fn non_loopback_addresses_are_refused_before_any_traffic() {
    let outside: SocketAddr = "192.0.2.1:80".parse().expect("address");
    let loopback: SocketAddr = "127.0.0.1:9".parse().expect("address");
    let err = FaultProxy::start(outside, Faults::None).expect_err("upstream must be loopback");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let err =
        FaultProxy::start_on(outside, loopback, Faults::None).expect_err("listen must be loopback");
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn drop_stops_listening_and_closes_open_connections() {
    let hub = Hub::start(BODY_LEN);
    let proxy = FaultProxy::start(hub.addr(), Faults::None).expect("start");
    let addr = proxy.addr();
    assert_eq!(proxy.url(), format!("http://{addr}"));
    let mut open = TcpStream::connect(addr).expect("connect");
    open.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
    settled_stats(&proxy, |s| s.connections == 1 && s.active == 1);

    let start = Instant::now();
    drop(proxy);
    assert!(start.elapsed() < Duration::from_secs(2));
    // The open connection ends (EOF or reset), rather than timing out.
    let mut buf = [0u8; 16];
    match open.read(&mut buf) {
        Ok(n) => assert_eq!(n, 0),
        Err(e) => assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e:?}"
        ),
    }
    assert!(
        TcpStream::connect(addr).is_err(),
        "still listening after drop"
    );
}

#[test]
fn binary_prints_its_address_and_proxies() {
    let hub = Hub::start(BODY_LEN);
    let mut child = Command::new(env!("CARGO_BIN_EXE_firebreak-faultproxy"))
        .args(["--upstream", &hub.addr().to_string(), "--seed", "1"])
        .args(["--fault-probability", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn binary");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("listening on http://")
        .map(str::to_owned);

    let result = url
        .as_deref()
        .and_then(|a| a.parse::<SocketAddr>().ok())
        .map(|addr| exchange(addr, &get_request(true)));
    // Kill before asserting, so a failure does not leave the process behind.
    child.kill().expect("kill");
    child.wait().expect("wait");

    assert!(url.is_some(), "first line was {line:?}");
    let bytes = result.expect("a loopback address").expect("exchange");
    assert_eq!(parse_response(&bytes).2, body(BODY_LEN));
    assert_eq!(hub.requests(), 1);
}
