//! The desktop's probe commands on a real store, against real servers on loopback
//! (and only loopback): runs in the background, results in the log and the view,
//! the one-time approval of loopback targets, skipped probes, ad-hoc probes, watches
//! and incident variables.

use firebreak_api::types::*;
use firebreak_api::{Api, ErrorCode};
use firebreak_core::runbook::parse;
use firebreak_store::Store;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, Instant};

const RUNBOOK: &str = r#"---
id: api-down
variables:
  api_base: https://api.example.com
---
# API down

## Check from here

- [ ] Is the API answering?

  ```probe
  kind = "http"
  name = "API health"
  url = "{{ api_base }}/health"
  timeout = "3s"
  ```

- [ ] Is the queue reachable?

  ```probe
  kind = "tcp"
  address = "{{ queue }}"
  timeout = "2s"
  ```
"#;

/// An HTTP server on 127.0.0.1 answering every request with `status`, which the test
/// may change while it runs.
struct Server {
    port: u16,
    status: Arc<AtomicU16>,
}

fn server(status: u16) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("addr").port();
    let status = Arc::new(AtomicU16::new(status));
    let shared = status.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let code = shared.load(Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let body = if code == 200 { "ok" } else { "down" };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    Server { port, status }
}

fn api() -> (tempfile::TempDir, Api, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path()).expect("store");
    store
        .put_runbook(&parse(RUNBOOK, "api-down").expect("parses"), "test")
        .expect("put");
    let mut api = Api::from_store(store);
    api.set_author(SetAuthor {
        name: "alice".into(),
    })
    .expect("author");
    let started = api
        .start_incident(StartIncident {
            title: "API down".into(),
            severity: None,
            runbooks: vec!["api-down".into()],
        })
        .expect("start");
    (dir, api, started.id)
}

fn view(api: &mut Api, id: &str) -> IncidentView {
    api.incident_view(IncidentRef {
        incident: Some(id.into()),
    })
    .expect("view")
}

/// Polls the view until `done` holds (background work), or fails after 10 s.
fn wait_for(
    api: &mut Api,
    id: &str,
    what: &str,
    done: impl Fn(&IncidentView) -> bool,
) -> IncidentView {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let v = view(api, id);
        if done(&v) {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {v:#?}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn set(api: &mut Api, id: &str, name: &str, value: Option<&str>) {
    api.set_variable(SetVariable {
        incident: id.into(),
        name: name.into(),
        value: value.map(str::to_string),
    })
    .expect("set variable");
}

fn probe_blocks(v: &IncidentView) -> Vec<(Option<String>, String, Vec<String>)> {
    v.runs[0]
        .sections
        .iter()
        .flat_map(|s| s.steps.iter())
        .flat_map(|s| s.blocks.iter())
        .filter_map(|b| match b {
            BlockView::Probe {
                key,
                target,
                missing,
                ..
            } => Some((key.clone(), target.clone(), missing.clone())),
            _ => None,
        })
        .collect()
}

fn run_all(
    api: &mut Api,
    id: &str,
    approve: bool,
) -> Result<ProbesStarted, firebreak_api::ApiError> {
    api.run_probes(RunProbes {
        incident: id.into(),
        key: None,
        step_ref: None,
        run: None,
        section: None,
        profile: None,
        approve,
    })
}

#[test]
fn a_runbook_probe_asks_once_runs_in_the_background_and_lands_in_the_log() {
    let (_dir, mut api, id) = api();
    let up = server(200);
    set(
        &mut api,
        &id,
        "api_base",
        Some(&format!("http://127.0.0.1:{}", up.port)),
    );
    let blocks = probe_blocks(&view(&mut api, &id));
    assert_eq!(
        blocks[0],
        (
            Some("api-down:1#1".to_string()),
            format!("http://127.0.0.1:{}/health", up.port),
            vec![]
        ),
        "the incident variable fills the target"
    );
    assert_eq!(blocks[1].2, ["queue"], "nothing fills {{{{ queue }}}} yet");

    // Loopback from a runbook: the user is asked first, and nothing runs.
    let err = run_all(&mut api, &id, false).expect_err("needs approval");
    assert_eq!(err.code, ErrorCode::NeedsApproval);
    assert!(err.message.contains("127.0.0.1"), "{}", err.message);
    assert!(view(&mut api, &id).probes.is_empty());

    let started = run_all(&mut api, &id, true).expect("approved");
    assert_eq!(started.keys, ["api-down:1#1"]);
    assert_eq!(started.skipped.len(), 1);
    assert!(
        started.skipped[0].reason.contains("{{ queue }}"),
        "{:?}",
        started.skipped
    );
    let v = wait_for(&mut api, &id, "the result", |v| {
        v.probes.len() == 1 && v.running_probes.is_empty()
    });
    let probe = &v.probes[0];
    assert_eq!(probe.key, "api-down:1#1");
    assert_eq!(probe.step.as_deref(), Some("1"));
    assert!(probe.last.ok, "{:?}", probe.last);
    assert_eq!(probe.last.http_status, Some(200));
    assert!(probe.last.timings.total_ms.is_some());
    assert!(
        v.timeline
            .iter()
            .any(|e| e.kind == "probe" && e.text.starts_with("✓ API health")),
        "{:?}",
        v.timeline
    );

    // Asked once: the approval is remembered.
    up.status.store(503, Ordering::SeqCst);
    let one = |key: &str| RunProbes {
        incident: id.clone(),
        key: Some(key.into()),
        step_ref: None,
        run: None,
        section: None,
        profile: None,
        approve: false,
    };
    let err = api
        .run_probes(one("api-down:9#1"))
        .expect_err("no such probe");
    assert!(
        err.message.contains("no probe api-down:9#1"),
        "{}",
        err.message
    );
    let started = api
        .run_probes(one("api-down:1#1"))
        .expect("already approved");
    assert_eq!(started.keys, ["api-down:1#1"], "only that probe");
    let v = wait_for(&mut api, &id, "the second result", |v| {
        v.probes.first().is_some_and(|p| p.runs == 2) && v.running_probes.is_empty()
    });
    let probe = &v.probes[0];
    assert!(!probe.last.ok);
    assert_eq!(probe.last.class.as_deref(), Some("http_status"));
    assert_eq!(probe.passes, 1);
    assert_eq!(probe.points.len(), 2, "both runs are on the chart");
}

#[test]
fn an_adhoc_probe_is_recorded_and_a_bad_target_is_refused() {
    let (_dir, mut api, id) = api();
    let refused = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = refused.local_addr().expect("addr").port();
    drop(refused);
    let before = view(&mut api, &id).incident.event_count;
    let err = api
        .check_target(CheckTarget {
            incident: id.clone(),
            target: "ftp://127.0.0.1/".into(),
        })
        .expect_err("bad scheme");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(err.message.contains("ftp"), "{}", err.message);
    assert_eq!(view(&mut api, &id).incident.event_count, before);

    api.check_target(CheckTarget {
        incident: id.clone(),
        target: format!("tcp://127.0.0.1:{port}"),
    })
    .expect("started");
    let v = wait_for(&mut api, &id, "the refused result", |v| {
        !v.probes.is_empty()
    });
    assert_eq!(v.probes[0].key, format!("tcp 127.0.0.1:{port}"));
    assert_eq!(v.probes[0].step, None);
    assert_eq!(v.probes[0].last.class.as_deref(), Some("refused"));
}

#[test]
fn a_watch_logs_only_changes_and_stops() {
    let (_dir, mut api, id) = api();
    let srv = server(503);
    let err = api
        .start_watch(StartWatch {
            incident: id.clone(),
            key: None,
            target: Some(format!("http://127.0.0.1:{}/", srv.port)),
            every_secs: 0,
            profile: None,
            approve: false,
        })
        .expect_err("too often");
    assert!(err.message.contains("once a second"), "{}", err.message);
    let watch = api
        .start_watch(StartWatch {
            incident: id.clone(),
            key: None,
            target: Some(format!("http://127.0.0.1:{}/", srv.port)),
            every_secs: 1,
            profile: None,
            approve: false,
        })
        .expect("watch");
    wait_for(&mut api, &id, "the watch to see failing", |v| {
        v.watches.iter().any(|w| w.state == "failing")
    });
    srv.status.store(200, Ordering::SeqCst);
    // Both conditions: the view reads the log before the watches, so a view may show
    // "passing" with the event still on its way.
    let v = wait_for(&mut api, &id, "the watch to see passing", |v| {
        v.watches
            .iter()
            .any(|w| w.state == "passing" && w.runs >= 2)
            && v.timeline.iter().filter(|e| e.kind == "probe").count() >= 2
    });
    let left = api.stop_watch(WatchRef { id: watch.id }).expect("stop");
    assert!(left.is_empty());
    assert!(view(&mut api, &id).watches.is_empty());
    // Two changes of state, however many runs there were.
    let changes: Vec<&TimelineEntry> = v.timeline.iter().filter(|e| e.kind == "probe").collect();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        changes[1].text.contains("failing → passing"),
        "{}",
        changes[1].text
    );
}

#[test]
fn variables_are_checked_and_removed() {
    let (_dir, mut api, id) = api();
    let err = api
        .set_variable(SetVariable {
            incident: id.clone(),
            name: "api base".into(),
            value: Some("x".into()),
        })
        .expect_err("bad name");
    assert_eq!(err.code, ErrorCode::Rejected);
    set(&mut api, &id, "queue", Some("127.0.0.1:5672"));
    let err = api
        .set_variable(SetVariable {
            incident: id.clone(),
            name: "queue".into(),
            value: Some("  ".into()),
        })
        .expect_err("an empty value is not a removal");
    assert_eq!(err.code, ErrorCode::Rejected);
    let v = view(&mut api, &id);
    assert_eq!(v.variables.len(), 1);
    assert_eq!(probe_blocks(&v)[1].1, "127.0.0.1:5672");
    set(&mut api, &id, "queue", None);
    let v = view(&mut api, &id);
    assert!(v.variables.is_empty());
    assert_eq!(probe_blocks(&v)[1].2, ["queue"]);
}
