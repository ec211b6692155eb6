//! Crash safety of the store: a writer process is killed with SIGKILL at random moments
//! (while opening a new store, mid-append, between appends), again and again on the same
//! store. Every append it acknowledged must survive exactly once, the device's sequence
//! numbers must have no gaps, and the file must pass SQLite's integrity check.

use firebreak_core::ids::EventId;
use firebreak_store::Store;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

const WRITER: &str = env!("CARGO_BIN_EXE_firebreak-crash-writer");
const ROUNDS: usize = 20;
const DEFAULT_SEED: u64 = 0x00F1_EB4E_A4C0_FFEE;

/// What one writer acknowledged before it was killed.
struct Round {
    /// Event ids from complete lines, in the order printed.
    acked: Vec<EventId>,
    /// The incident it started, if it acknowledged that.
    started: Option<String>,
    /// Bytes after the last newline: a line cut by the kill.
    cut: usize,
}

fn read_all(mut source: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error ends the collection; what was read so far still counts.
        let _ = source.read_to_end(&mut buf);
        buf
    })
}

fn parse_output(stdout: &[u8]) -> Round {
    let text = String::from_utf8_lossy(stdout);
    let complete = match text.rfind('\n') {
        Some(end) => &text[..=end],
        None => "",
    };
    let mut round = Round {
        acked: Vec::new(),
        started: None,
        cut: text.len() - complete.len(),
    };
    for line in complete.lines() {
        let mut words = line.split_whitespace();
        let id = words.next().unwrap_or_default();
        round.acked.push(
            id.parse()
                .unwrap_or_else(|e| panic!("bad acknowledgement line {line:?}: {e}")),
        );
        if let Some(incident) = words.next().and_then(|w| w.strip_prefix("incident=")) {
            round.started = Some(incident.to_string());
        }
    }
    round
}

fn run_and_kill(store: &std::path::Path, incident: Option<&str>, after: Duration) -> Round {
    let mut cmd = Command::new(WRITER);
    cmd.arg(store)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(id) = incident {
        cmd.arg(id);
    }
    let mut child = cmd.spawn().expect("spawn the crash writer");
    let stdout = read_all(child.stdout.take().expect("stdout"));
    let stderr = read_all(child.stderr.take().expect("stderr"));
    thread::sleep(after);
    if let Some(status) = child.try_wait().expect("try_wait") {
        let err = stderr.join().expect("stderr thread");
        panic!(
            "the writer stopped by itself ({status}) before the kill: {}",
            String::from_utf8_lossy(&err)
        );
    }
    // `Child::kill` is SIGKILL on Unix: no destructors, no SQLite close, no flush.
    child.kill().expect("SIGKILL the writer");
    let status = child.wait().expect("wait");
    assert_eq!(status.signal(), Some(libc::SIGKILL), "{status}");
    let out = stdout.join().expect("stdout thread");
    drop(stderr.join().expect("stderr thread"));
    parse_output(&out)
}

#[test]
fn acknowledged_appends_survive_sigkill() {
    let seed = std::env::var("FIREBREAK_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    println!("seed {seed} (set FIREBREAK_CRASH_SEED to replay another)");
    let mut rng = StdRng::seed_from_u64(seed);
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("firebreak.db");

    let mut acked: Vec<EventId> = Vec::new();
    let mut incident: Option<String> = None;
    let mut cut_lines = 0;
    for round in 0..ROUNDS {
        // Even rounds start a new incident; odd rounds continue the last one.
        let reuse = if round % 2 == 1 {
            incident.as_deref()
        } else {
            None
        };
        let after = Duration::from_millis(rng.random_range(5..=200));
        let result = run_and_kill(&path, reuse, after);
        println!(
            "round {round:2}: killed after {:3} ms, {:4} acknowledged{}",
            after.as_millis(),
            result.acked.len(),
            if result.cut > 0 { ", one line cut" } else { "" }
        );
        cut_lines += usize::from(result.cut > 0);
        if let Some(started) = result.started {
            incident = Some(started);
        }
        acked.extend(result.acked);
    }
    println!(
        "{} acknowledged appends over {ROUNDS} kills ({cut_lines} lines cut)",
        acked.len()
    );
    assert!(!acked.is_empty(), "no writer got as far as one append");
    let mut distinct = acked.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), acked.len(), "an id was acknowledged twice");

    // First look with a plain connection (it recovers the WAL like any reader would).
    let conn = Connection::open(&path).expect("raw connection");
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check");
    assert_eq!(integrity, "ok");
    conn.execute_batch("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')")
        .expect("the search index matches its content");
    for id in &acked {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM events WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(n, 1, "acknowledged event {id} stored {n} times");
    }
    let devices: Vec<String> = conn
        .prepare("SELECT DISTINCT device_id FROM events")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("devices");
    assert_eq!(devices.len(), 1, "one store, one device: {devices:?}");
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM events WHERE device_id = ?1 ORDER BY seq")
        .expect("prepare")
        .query_map([&devices[0]], |r| r.get(0))
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("seqs");
    let n = seqs.len();
    assert_eq!(
        seqs,
        (1..=n as i64).collect::<Vec<_>>(),
        "gap in sequence numbers"
    );
    // At most one append per kill can be durable without having been acknowledged.
    assert!(
        n >= acked.len() && n - acked.len() <= ROUNDS,
        "{n} stored, {} acknowledged",
        acked.len()
    );
    drop(conn);

    // Then through the store: it opens, every event decodes, and the acknowledged ones
    // come back in the order they were acknowledged.
    let store = Store::open_file(&path).expect("the store opens after the kills");
    assert_eq!(store.integrity_check().expect("integrity"), "ok");
    assert_eq!(store.device().to_string(), devices[0]);
    assert_eq!(store.event_count().expect("count"), n as u64);
    // The search index is derived: it catches up to every stored event, once.
    store.update_search_index().expect("index catches up");
    assert_eq!(
        store.update_search_index().expect("again"),
        0,
        "nothing left to index"
    );
    let conn = Connection::open(&path).expect("raw connection");
    let fts_rows: i64 = conn
        .query_row("SELECT count(*) FROM events_fts", [], |r| r.get(0))
        .expect("fts count");
    assert_eq!(fts_rows, n as i64, "one search entry per event");
    conn.execute_batch("INSERT INTO events_fts (events_fts) VALUES ('integrity-check')")
        .expect("the search index matches its content");
    drop(conn);
    let mut decoded = 0;
    for id in store.incident_ids().expect("incidents") {
        decoded += store.incident_events(id).expect("decode").len();
        store.incident(id).expect("fold");
    }
    assert_eq!(decoded, n);
    let acked_seqs: Vec<u64> = acked
        .iter()
        .map(|id| store.event(*id).expect("read").expect("present").seq)
        .collect();
    assert!(
        acked_seqs.windows(2).all(|w| w[0] < w[1]),
        "acknowledged events out of order"
    );
}

/// Kills writers while they create a new store (open, migrations, application id,
/// device id): whatever moment the kill lands, the file must open afterwards.
///
/// Fails today: the application id is written in its own transaction after the
/// migration commits, and a kill in between leaves a file that every later open refuses
/// as "not a Firebreak store". See `a_store_whose_first_open_was_interrupted_still_opens`
/// in the store's tests for the deterministic case.
#[test]
fn a_store_killed_while_being_created_still_opens() {
    let mut rng = StdRng::seed_from_u64(DEFAULT_SEED ^ 1);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut refused = Vec::new();
    for n in 0..60 {
        let path = tmp.path().join(format!("store-{n}.db"));
        let after = Duration::from_micros(rng.random_range(1_000..=12_000));
        let round = run_and_kill(&path, None, after);
        if !path.exists() {
            continue;
        }
        match Store::open_file(&path) {
            Ok(store) => {
                assert_eq!(store.integrity_check().expect("integrity"), "ok");
                for id in &round.acked {
                    assert!(store.event(*id).expect("read").is_some(), "{id} lost");
                }
            }
            Err(e) => refused.push(format!("killed after {after:?}: {e}")),
        }
    }
    assert!(
        refused.is_empty(),
        "{} stores no longer open:\n{}",
        refused.len(),
        refused.join("\n")
    );
}
