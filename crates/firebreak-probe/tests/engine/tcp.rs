use crate::support::{SilentServer, closed_port, opts, spec};
use firebreak_probe::{FailureClass, Outcome, run};
use std::time::Duration;
use tokio::net::TcpSocket;

#[tokio::test]
async fn connect_passes_with_its_latency() {
    let server = SilentServer::start().await;
    let r = run(
        &spec(&format!("kind = \"tcp\"\naddress = \"{}\"", server.addr)),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    assert!(
        r.reason
            .starts_with(&format!("connected to {} in ", server.addr)),
        "{}",
        r.reason
    );
    assert!(r.timings.connect_ms.is_some_and(|ms| ms < 100.0));
    assert_eq!(r.resolved_addr, Some(server.addr.to_string()));
    assert_eq!(r.timings.tls_ms, None);
}

#[tokio::test]
async fn refused_connects_are_refused() {
    let addr = closed_port().await;
    let r = run(
        &spec(&format!("kind = \"tcp\"\naddress = \"{addr}\"")),
        &opts(),
    )
    .await;
    assert_eq!(
        r.outcome,
        Outcome::error(
            FailureClass::Refused,
            format!("connection refused by {addr}")
        )
    );
    assert!(!r.ok);
}

/// A listener whose accept queue is full drops new SYNs, so the connect hangs: a real
/// connect timeout without leaving loopback.
#[tokio::test]
async fn a_full_accept_queue_gives_a_connect_timeout() {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let addr = socket.local_addr().expect("addr");
    let listener = socket.listen(1).expect("listen");
    // Fill the queue (never accepted).
    let mut fillers = Vec::new();
    for _ in 0..8 {
        match tokio::time::timeout(
            Duration::from_millis(100),
            tokio::net::TcpStream::connect(addr),
        )
        .await
        {
            Ok(Ok(s)) => fillers.push(s),
            _ => break,
        }
    }
    let r = run(
        &spec(&format!(
            "kind = \"tcp\"\naddress = \"{addr}\"\ntimeout = \"300ms\""
        )),
        &opts(),
    )
    .await;
    assert_eq!(
        r.outcome,
        Outcome::error(
            FailureClass::Timeout,
            format!("no answer within 300 ms while connecting to {addr}")
        )
    );
    drop(listener);
}

#[tokio::test]
async fn max_latency_applies_to_the_connect() {
    let server = SilentServer::start().await;
    // No loopback connect takes 0 ms, but a limit of 1 ms always holds there.
    let r = run(
        &spec(&format!(
            "kind = \"tcp\"\naddress = \"{}\"\nmax_latency = \"1s\"",
            server.addr
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
}

#[tokio::test]
async fn bad_addresses_are_errors() {
    let spec = firebreak_core::probe::parse_target("tcp://127.0.0.1:9").expect("target");
    let mut spec = spec;
    if let firebreak_core::runbook::probe_spec::ProbeTarget::Tcp(t) = &mut spec.target {
        t.address = "no-port".into();
    }
    let r = run(&spec, &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::BadTarget));
    assert!(r.reason.contains("no port"), "{}", r.reason);
}
