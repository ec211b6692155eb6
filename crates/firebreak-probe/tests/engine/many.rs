use crate::support::{HttpServer, closed_port, opts, spec};
use firebreak_core::probe::Health;
use firebreak_probe::{
    CancellationToken, FailureClass, RunOptions, WatchOptions, run_all, run_many, watch,
};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_is_bounded() {
    let server = HttpServer::plain().await;
    let specs: Vec<_> = (0..12)
        .map(|_| {
            spec(&format!(
                "kind = \"http\"\nurl = \"{}\"\ntimeout = \"2s\"",
                server.url("/concurrent")
            ))
        })
        .collect();
    let o = RunOptions {
        concurrency: 4,
        ..opts()
    };
    let started = Instant::now();
    let results = run_all(specs, &o).await;
    let took = started.elapsed();
    assert_eq!(results.len(), 12);
    assert!(
        results.iter().all(|r| r.ok),
        "{:?}",
        results.iter().map(|r| &r.reason).collect::<Vec<_>>()
    );
    assert_eq!(server.stats.max_in_flight.load(Ordering::SeqCst), 4);
    // 12 probes of 100 ms, 4 at a time: three rounds.
    assert!(took >= Duration::from_millis(290), "{took:?}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_come_back_in_input_order_with_mixed_outcomes() {
    let server = HttpServer::plain().await;
    let closed = closed_port().await;
    let specs = vec![
        spec(&format!("kind = \"http\"\nurl = \"{}\"", server.url("/ok"))),
        spec(&format!("kind = \"tcp\"\naddress = \"{closed}\"")),
        spec(&format!(
            "kind = \"http\"\nurl = \"{}\"",
            server.url("/status/500")
        )),
    ];
    let results = run_all(specs, &opts()).await;
    let classes: Vec<_> = results.iter().map(|r| r.class()).collect();
    assert_eq!(
        classes,
        vec![
            None,
            Some(FailureClass::Refused),
            Some(FailureClass::HttpStatus)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_ends_running_probes_and_skips_the_rest() {
    let server = HttpServer::plain().await;
    let specs: Vec<_> = (0..10)
        .map(|_| {
            spec(&format!(
                "kind = \"http\"\nurl = \"{}\"\ntimeout = \"10s\"",
                server.url("/hang")
            ))
        })
        .collect();
    let cancel = CancellationToken::new();
    let o = RunOptions {
        concurrency: 3,
        cancel: cancel.clone(),
        ..opts()
    };
    let mut stream = run_many(specs, &o);
    assert_eq!(stream.len(), 10);
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let mut seen = Vec::new();
    while let Some((i, r)) = stream.next().await {
        assert_eq!(r.class(), Some(FailureClass::Cancelled), "{}", r.reason);
        seen.push((i, r.reason));
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(seen.len(), 10);
    let running = seen
        .iter()
        .filter(|(_, why)| why.starts_with("cancelled while waiting for the response"))
        .count();
    let skipped = seen
        .iter()
        .filter(|(_, why)| why == "cancelled before it started")
        .count();
    assert_eq!((running, skipped), (3, 7), "{seen:?}");
    let mut indexes: Vec<usize> = seen.iter().map(|(i, _)| *i).collect();
    indexes.sort_unstable();
    assert_eq!(indexes, (0..10).collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_watch_logs_down_then_up() {
    // Starts against a closed port, then a server appears on it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let s = spec(&format!(
        "kind = \"tcp\"\naddress = \"{addr}\"\ntimeout = \"300ms\""
    ));
    let mut handle = watch(
        s,
        &opts(),
        WatchOptions {
            every: Duration::from_millis(60),
            confirmations: 1,
            max_runs: Some(6),
        },
    );
    let mut events = Vec::new();
    let mut server = None;
    while let Some(event) = handle.next().await {
        if event.run == 2 {
            server = Some(
                tokio::net::TcpListener::bind(addr)
                    .await
                    .expect("rebind the port"),
            );
        }
        events.push(event);
    }
    drop(server);
    assert_eq!(events.len(), 6);
    let changes: Vec<_> = events.iter().filter_map(|e| e.change.clone()).collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!((changes[0].from, changes[0].to), (None, Health::Failing));
    assert_eq!(changes[0].class, Some(FailureClass::Refused));
    assert_eq!(
        (changes[1].from, changes[1].to),
        (Some(Health::Failing), Health::Passing)
    );
    assert_eq!(changes[1].previous_runs, 2);
    assert!(
        changes[1]
            .previous_lasted_ms
            .is_some_and(|ms| (50..1000).contains(&ms)),
        "{changes:?}"
    );
    assert_eq!(events.last().and_then(|e| e.health), Some(Health::Passing));
}

#[tokio::test]
async fn stopping_a_watch_ends_it() {
    let server = HttpServer::plain().await;
    let s = spec(&format!("kind = \"http\"\nurl = \"{}\"", server.url("/ok")));
    let mut handle = watch(
        s,
        &opts(),
        WatchOptions {
            every: Duration::from_millis(20),
            ..WatchOptions::default()
        },
    );
    let first = handle.next().await.expect("first run");
    assert!(first.result.ok);
    assert!(first.change.is_some());
    handle.stop();
    let started = Instant::now();
    while handle.next().await.is_some() {}
    assert!(started.elapsed() < Duration::from_millis(500));
}
