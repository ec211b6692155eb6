//! Sync through the real `firebreak` CLI against a real `firebreak-hub` process on a
//! loopback port: three responders who write offline and sync in every order end up
//! with the same log, and every refusal (wrong or revoked token, no hub, a hub that
//! never answers, another user's device) exits with its own code, says why, and
//! changes nothing, neither in the store nor on the hub.

use firebreak_core::ids::{EventId, IncidentId};
use firebreak_store::Store;
use firebreak_sync::{ClientOptions, FailureKind, sync_once};
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::{
    CliRun, EXIT_OTHER, EXIT_REFUSED, EXIT_UNAUTHORIZED, EXIT_UNREACHABLE, Laptop,
};
use firebreak_system_tests::silent_hub::SilentHub;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::TcpListener;
use std::time::{Duration, Instant};

const NAMES: [&str; 3] = ["alice", "bob", "carol"];

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_string()
}

fn ids(values: &[Value]) -> Vec<String> {
    values.iter().map(id_of).collect()
}

/// What one responder wrote while offline.
#[derive(Debug, Default)]
struct Written {
    /// Shared events: notes, an amendment, a retraction.
    shared: Vec<String>,
    /// Private ones: a private note and its amendment.
    private: Vec<String>,
    amended: (String, String),
    retracted: String,
}

fn write_offline(laptop: &Laptop, incident: &str) -> Written {
    let who = &laptop.name;
    let mut written = Written::default();
    let notes: Vec<Value> = (1..=3)
        .map(|n| {
            laptop.note(
                incident,
                &format!("{who}: finding {n} while the hub is away"),
            )
        })
        .collect();
    written.shared.extend(ids(&notes));
    let amendment = laptop.amend(
        &id_of(&notes[0]),
        &format!("{who}: finding 1, corrected offline"),
    );
    written.amended = (id_of(&notes[0]), id_of(&amendment));
    written.shared.push(id_of(&amendment));
    let retraction = laptop.retract(&id_of(&notes[1]), "wrong host");
    written.retracted = id_of(&notes[1]);
    written.shared.push(id_of(&retraction));
    let private = laptop.private_note(incident, &format!("{who}: PRIVATE scratch, never shared"));
    let private_amendment = laptop.amend(&id_of(&private), &format!("{who}: PRIVATE, amended"));
    assert_eq!(private_amendment["private"], true, "{private_amendment}");
    written
        .private
        .extend([id_of(&private), id_of(&private_amendment)]);
    written
}

fn count_ids(log: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for id in ids(log) {
        *counts.entry(id).or_default() += 1;
    }
    counts
}

/// One order: a fresh hub, three responders, the incident shared, everyone offline,
/// then syncs in `order` (twice round), then every check.
fn offline_then_sync(order: [usize; 3]) {
    let label = order.map(|i| NAMES[i]).join(" → ");
    let mut hub = HubProcess::start_fresh(&[]);
    let tokens: Vec<String> = NAMES.iter().map(|n| hub.add_user(n)).collect();
    let laptops: Vec<Laptop> = NAMES.iter().map(|n| Laptop::new(n)).collect();
    for (laptop, token) in laptops.iter().zip(&tokens) {
        laptop.connect(&hub.url(), token).ok();
    }
    let (alice, bob, carol) = (&laptops[0], &laptops[1], &laptops[2]);

    // Alice starts the incident and shares it; Bob and Carol pull it.
    let incident = alice.start_incident("Checkout is down");
    alice.sync_ok();
    for laptop in [bob, carol] {
        let report = laptop.sync_ok();
        assert_eq!(report["pulled"], 1, "{label}: {report}");
    }
    let started = alice.log(&incident);
    assert_eq!(started.len(), 1);
    let started_id = id_of(&started[0]);

    // Everyone goes offline: the hub dies. Writes land locally; syncs fail with 4 and
    // lose nothing.
    hub.kill();
    let written: Vec<Written> = laptops
        .iter()
        .map(|l| write_offline(l, &incident))
        .collect();
    for (laptop, w) in laptops.iter().zip(&written) {
        let (code, report) = laptop.sync();
        assert_eq!(code, EXIT_UNREACHABLE, "{label}: {report}");
        assert_eq!(report["kind"], "unreachable", "{label}: {report}");
        let status = laptop.status();
        assert_eq!(status["phase"], "offline", "{status}");
        assert_eq!(status["pending"], w.shared.len(), "{status}");
    }

    let old_url = hub.url();
    hub.restart();
    let url = hub.url();
    println!("{label}: restarted {old_url} -> {url}");
    for (laptop, token) in laptops.iter().zip(&tokens) {
        // The same URL keeps each store's progress. If the port could not be bound
        // again, a new URL starts over, which must converge just the same.
        laptop.connect(&url, token).ok();
    }
    for pass in 0..2 {
        for &i in &order {
            let report = laptops[i].sync_ok();
            println!("{label} pass {pass} {}: {report}", laptops[i].name);
            if pass == 1 {
                assert_eq!(report["pushed"], 0, "{label}: second pass {report}");
            }
        }
    }
    // Converged: one more round anywhere moves nothing.
    for laptop in &laptops {
        let report = laptop.sync_ok();
        assert_eq!(
            (report["pushed"].as_u64(), report["pulled"].as_u64()),
            (Some(0), Some(0)),
            "{label}: {} after convergence: {report}",
            laptop.name
        );
        assert_eq!(laptop.status()["pending"], 0);
    }

    let mut shared: BTreeSet<String> = written.iter().flat_map(|w| w.shared.clone()).collect();
    shared.insert(started_id.clone());
    let private: Vec<&String> = written.iter().flat_map(|w| &w.private).collect();

    // Every store: each shared event exactly once, its own private events, nobody
    // else's; the shared part of the log identical everywhere.
    let mut shared_logs = Vec::new();
    for (laptop, w) in laptops.iter().zip(&written) {
        let log = laptop.log(&incident);
        let counts = count_ids(&log);
        for id in &shared {
            assert_eq!(
                counts.get(id),
                Some(&1),
                "{label}: {} holds shared event {id} {:?} times; its log: {log:#?}",
                laptop.name,
                counts.get(id),
            );
        }
        let own_private: BTreeSet<String> = log
            .iter()
            .filter(|e| e["private"] == true)
            .map(id_of)
            .collect();
        assert_eq!(
            own_private,
            w.private.iter().cloned().collect(),
            "{label}: {}'s private events",
            laptop.name
        );
        assert_eq!(log.len(), shared.len() + w.private.len(), "{label}");
        shared_logs.push(
            log.into_iter()
                .filter(|e| e["private"] == false)
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(
        shared_logs[0], shared_logs[1],
        "{label}: alice's and bob's logs"
    );
    assert_eq!(
        shared_logs[0], shared_logs[2],
        "{label}: alice's and carol's logs"
    );
    // The folds agree too: amendments applied, retractions marked, authors kept.
    let by_id: HashMap<String, &Value> = shared_logs[0].iter().map(|e| (id_of(e), e)).collect();
    for (name, w) in NAMES.iter().zip(&written) {
        let amended = by_id[&w.amended.0];
        assert_eq!(
            amended["current_text"],
            format!("{name}: finding 1, corrected offline"),
            "{label}: {amended}"
        );
        assert_eq!(by_id[&w.retracted]["retracted"], true, "{label}");
        for id in &w.shared {
            assert_eq!(by_id[id]["author"], *name, "{label}: {}", by_id[id]);
        }
    }

    // The hub: every shared event once, under its device's user; nothing private.
    let reader = HubReader::new(&url, &tokens[1]);
    let on_hub = reader.all_events().expect("pull from the hub");
    let mut hub_counts: BTreeMap<String, usize> = BTreeMap::new();
    for e in &on_hub {
        *hub_counts.entry(e.event.id.to_string()).or_default() += 1;
        assert!(!e.event.private, "{label}: private event on the hub: {e:?}");
    }
    assert_eq!(
        hub_counts.keys().cloned().collect::<BTreeSet<_>>(),
        shared,
        "{label}: the hub's events"
    );
    assert!(
        hub_counts.values().all(|n| *n == 1),
        "{label}: {hub_counts:?}"
    );
    for id in &private {
        assert!(
            !hub_counts.contains_key(*id),
            "{label}: private {id} on the hub"
        );
    }
    for (name, w) in NAMES.iter().zip(&written) {
        for e in on_hub
            .iter()
            .filter(|e| w.shared.contains(&e.event.id.to_string()))
        {
            assert_eq!(e.event.author, *name, "{label}");
        }
    }

    // The hub's merged timeline: each entry once, with its author; amendments and
    // retractions folded into the entries they change.
    let incident_id: IncidentId = incident.parse().expect("incident id");
    let timeline = reader.timeline(incident_id).expect("the timeline");
    assert_eq!(timeline.incident.started_by, "alice", "{label}");
    let mut entry_ids: Vec<EventId> = timeline.entries.iter().map(|e| e.id).collect();
    entry_ids.sort_unstable();
    let before = entry_ids.len();
    entry_ids.dedup();
    assert_eq!(
        entry_ids.len(),
        before,
        "{label}: an entry twice in the timeline"
    );
    let mut expected_entries: BTreeSet<String> = [started_id.clone()].into();
    for w in &written {
        // The notes are entries; the amendment and the retraction change them.
        expected_entries.extend(w.shared.iter().take(3).cloned());
    }
    assert_eq!(
        entry_ids
            .iter()
            .map(|i| i.to_string())
            .collect::<BTreeSet<_>>(),
        expected_entries,
        "{label}: timeline entries"
    );
    for entry in &timeline.entries {
        let id = entry.id.to_string();
        let author = if id == started_id {
            "alice"
        } else {
            NAMES[written
                .iter()
                .position(|w| w.shared.contains(&id))
                .expect("an entry of someone's")]
        };
        assert_eq!(entry.author, author, "{label}: {entry:?}");
        if let Some(w) = written.iter().find(|w| w.amended.0 == id) {
            assert_eq!(entry.amended_by, vec![w.amended.1.parse().expect("id")]);
        }
        assert_eq!(
            entry.retracted,
            written.iter().any(|w| w.retracted == id),
            "{label}: {entry:?}"
        );
    }

    // Bob's list shows Alice's incident, started by Alice.
    for laptop in [bob, carol] {
        let incidents = laptop.incidents();
        assert_eq!(incidents.len(), 1, "{label}: {incidents:?}");
        assert_eq!(incidents[0]["id"], incident.as_str());
        assert_eq!(incidents[0]["title"], "Checkout is down");
        assert_eq!(incidents[0]["started_by"], "alice", "{label}");
    }
}

#[test]
fn three_responders_offline_then_sync_in_every_order() {
    let started = Instant::now();
    for order in [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ] {
        offline_then_sync(order);
    }
    println!("6 orders in {:?}", started.elapsed());
}

/// The hub's events, for "nothing changed" checks.
fn hub_snapshot(reader: &HubReader) -> Vec<String> {
    reader
        .all_events()
        .expect("pull from the hub")
        .iter()
        .map(|e| serde_json::to_string(e).expect("json"))
        .collect()
}

fn event_count(laptop: &Laptop) -> u64 {
    laptop.open_store().event_count().expect("count")
}

fn assert_refused(run: &CliRun, code: i32, kind: &str, reason: &str) {
    assert_eq!(
        run.code,
        Some(code),
        "exit code of `firebreak {}`:\n{}\n{}",
        run.args.join(" "),
        run.stdout,
        run.stderr
    );
    let json = run.json();
    assert_eq!(json["ok"], false, "{json}");
    assert_eq!(json["kind"], kind, "{json}");
    let error = json["error"].as_str().unwrap_or_default();
    assert!(error.contains(reason), "{reason:?} not in {error:?}");
    assert!(
        run.stderr.contains(&format!("sync failed ({kind})")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_wrong_token_is_refused_and_nothing_is_saved() {
    let hub = HubProcess::start_fresh(&[]);
    let token = hub.add_user("alice");
    let reader = HubReader::new(&hub.url(), &token);
    let alice = Laptop::new("alice");
    let incident = alice.start_incident("Wrong token");

    // `hub connect` checks the token first and saves nothing when the hub refuses it.
    let wrong = format!("fbk_{}", "0".repeat(64));
    let run = alice.connect(&hub.url(), &wrong).expect_code(EXIT_OTHER);
    assert!(
        run.stderr.contains("does not accept") && run.stderr.contains("nothing was saved"),
        "{}",
        run.stderr
    );
    let status = alice.status();
    assert_eq!(status["phase"], "not_connected", "{status}");
    assert_eq!(status["hub_url"], Value::Null);
    assert!(
        !alice.home().join("hub-token").exists(),
        "a token was saved"
    );

    alice.connect(&hub.url(), &token).ok();
    alice.note(&incident, "pushed with the right token");
    alice.sync_ok();

    // A token file edited to a wrong value: sync exits 5 and pushes nothing.
    let note = alice.note(&incident, "waits for a good token");
    std::fs::write(alice.home().join("hub-token"), format!("{wrong}\n")).expect("edit the token");
    let before = hub_snapshot(&reader);
    let count = event_count(&alice);
    let run = alice.run(&["sync", "--json"]);
    assert_refused(&run, EXIT_UNAUTHORIZED, "unauthorized", "does not accept");
    assert_eq!(hub_snapshot(&reader), before, "the hub changed");
    assert_eq!(event_count(&alice), count, "the store changed");
    let status = alice.status();
    assert_eq!(status["phase"], "failed", "{status}");
    assert_eq!(status["pending"], 1, "{status}");
    assert_eq!(status["error"]["kind"], "unauthorized", "{status}");

    // The right token again: the note goes.
    alice.connect(&hub.url(), &token).ok();
    assert_eq!(alice.sync_ok()["pushed"], 1);
    let on_hub = hub_snapshot(&reader);
    assert!(on_hub.iter().any(|e| e.contains(&id_of(&note))));
}

#[test]
fn a_revoked_token_is_refused_until_a_new_one_is_given() {
    let hub = HubProcess::start_fresh(&[]);
    let token = hub.add_user("bob");
    let admin = HubReader::new(&hub.url(), &hub.add_user("admin"));
    let bob = Laptop::new("bob");
    bob.connect(&hub.url(), &token).ok();
    let incident = bob.start_incident("Revoked");
    bob.sync_ok();

    hub.revoke_user("bob");
    bob.note(&incident, "written after the revocation");
    let before = hub_snapshot(&admin);
    let count = event_count(&bob);
    let run = bob.run(&["sync", "--json"]);
    assert_refused(&run, EXIT_UNAUTHORIZED, "unauthorized", "revoked");
    assert_eq!(hub_snapshot(&admin), before, "the hub changed");
    assert_eq!(event_count(&bob), count, "the store changed");
    assert_eq!(bob.status()["pending"], 1);
    // `hub connect` refuses the revoked token too.
    bob.connect(&hub.url(), &token).expect_code(EXIT_OTHER);

    // A new token for the same user: the device is still Bob's, and the note goes.
    let new_token = hub.add_user("bob");
    bob.connect(&hub.url(), &new_token).ok();
    assert_eq!(bob.sync_ok()["pushed"], 1);
    assert_eq!(bob.status()["pending"], 0);
}

#[test]
fn an_unreachable_hub_is_exit_4_and_nothing_is_lost() {
    // A port with nothing listening: bound, noted, released.
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let nowhere = format!("http://127.0.0.1:{port}");
    let alice = Laptop::new("alice");
    let incident = alice.start_incident("No hub");
    alice.note(&incident, "written with no hub in sight");

    let run = alice
        .connect(&nowhere, "fbk_whatever")
        .expect_code(EXIT_OTHER);
    assert!(
        run.stderr.contains("nothing was saved") && run.stderr.contains("--offline"),
        "{}",
        run.stderr
    );
    assert_eq!(alice.status()["phase"], "not_connected");
    alice
        .run(&[
            "hub",
            "connect",
            &nowhere,
            "--token",
            "fbk_whatever",
            "--offline",
        ])
        .ok();

    let count = event_count(&alice);
    let run = alice.run(&["sync", "--json"]);
    assert_refused(
        &run,
        EXIT_UNREACHABLE,
        "unreachable",
        "cannot reach the hub",
    );
    assert_eq!(event_count(&alice), count);
    let status = alice.status();
    assert_eq!(status["phase"], "offline", "{status}");
    assert_eq!(status["pending"], 2, "{status}");
    assert_eq!(status["error"]["kind"], "unreachable", "{status}");

    // Pointed at a real hub, everything goes.
    let hub = HubProcess::start_fresh(&[]);
    let token = hub.add_user("alice");
    alice.connect(&hub.url(), &token).ok();
    assert_eq!(alice.sync_ok()["pushed"], 2);
    let on_hub = HubReader::new(&hub.url(), &token)
        .all_events()
        .expect("pull");
    assert_eq!(on_hub.len(), 2);
}

#[test]
fn a_hub_that_never_answers_is_exit_4_within_the_client_timeout() {
    let silent = SilentHub::start();

    // The CLI, with its default timeouts (30 s for a request), runs meanwhile.
    let alice = Laptop::new("alice");
    let incident = alice.start_incident("Silent hub");
    alice.note(&incident, "waits for an answer that never comes");
    alice
        .run(&[
            "hub",
            "connect",
            &silent.url(),
            "--token",
            "fbk_x",
            "--offline",
        ])
        .ok();
    let cli_started = Instant::now();
    let mut cli = alice.spawn(&["sync"]);

    // In-process with short timeouts: the round gives up after the request timeout.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open(dir.path()).expect("store");
    store.connect_hub(&silent.url(), "fbk_x").expect("connect");
    store
        .start_incident("bob", "Silent hub, in process", None, &[])
        .expect("start");
    let options = ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_secs(1),
    };
    let started = Instant::now();
    let error = sync_once(&mut store, options).expect_err("a silent hub cannot sync");
    let took = started.elapsed();
    assert_eq!(error.kind(), FailureKind::Unreachable, "{error}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(5),
        "gave up after {took:?}, with a 1 s request timeout"
    );
    assert_eq!(store.pending_push_count().expect("pending"), 1);
    let hub = store.hub_connection().expect("hub").expect("connected");
    assert_eq!(hub.acknowledged_seq, 0);
    assert_eq!(
        hub.last_error.map(|e| e.kind).as_deref(),
        Some("unreachable")
    );

    // The CLI gives up within its 30 s request timeout (plus start-up), with exit 4.
    let status = cli
        .wait_timeout(Duration::from_secs(45))
        .expect("`firebreak sync` still hangs 45 s after it started");
    let took = cli_started.elapsed();
    assert_eq!(status.code(), Some(EXIT_UNREACHABLE), "{status}");
    assert!(took >= Duration::from_secs(25), "gave up after {took:?}");
    let status = alice.status();
    assert_eq!(status["phase"], "offline", "{status}");
    assert_eq!(status["pending"], 2, "{status}");
}

#[test]
fn events_from_another_users_device_are_refused() {
    let hub = HubProcess::start_fresh(&[]);
    let alice_token = hub.add_user("alice");
    let bob_token = hub.add_user("bob");
    let reader = HubReader::new(&hub.url(), &bob_token);
    let alice = Laptop::new("alice");
    alice.connect(&hub.url(), &alice_token).ok();
    let incident = alice.start_incident("Copied laptop");
    alice.note(&incident, "from Alice's laptop");
    alice.sync_ok();

    // Bob copies Alice's store directory (not her token) and connects it with his.
    let copy_dir = tempfile::tempdir().expect("tempdir");
    let copy_home = copy_dir.path().join("home");
    std::fs::create_dir(&copy_home).expect("mkdir");
    for entry in std::fs::read_dir(alice.home()).expect("read alice's home") {
        let entry = entry.expect("entry");
        if entry.file_name() != "hub-token" && entry.path().is_file() {
            std::fs::copy(entry.path(), copy_home.join(entry.file_name())).expect("copy");
        }
    }
    let copy = Laptop::at(&copy_home, "bob");
    assert_eq!(
        copy.open_store().device(),
        alice.open_store().device(),
        "the copy is the same device"
    );
    copy.connect(&hub.url(), &bob_token).ok();
    copy.note(&incident, "from the copy, as Bob");
    let before = hub_snapshot(&reader);
    let device = copy.open_store().device();
    let device_before = reader.device(device).expect("device");
    let count = event_count(&copy);

    let run = copy.run(&["sync", "--json"]);
    assert_refused(&run, EXIT_REFUSED, "refused", "device_of_another_user");
    assert_eq!(hub_snapshot(&reader), before, "the hub changed");
    assert_eq!(reader.device(device).expect("device"), device_before);
    assert_eq!(device_before.user.as_deref(), Some("alice"));
    assert_eq!(event_count(&copy), count, "the copy changed");
    let status = copy.status();
    assert_eq!(status["phase"], "failed", "{status}");
    assert_eq!(status["pending"], 1, "{status}");
    assert_eq!(status["error"]["kind"], "refused", "{status}");

    // Alice's own laptop is unaffected.
    alice.note(&incident, "still fine");
    assert_eq!(alice.sync_ok()["pushed"], 1);
}

#[test]
fn sync_status_counts_what_waits_to_be_pushed() {
    let hub = HubProcess::start_fresh(&[]);
    let token = hub.add_user("carol");
    let carol = Laptop::new("carol");
    let incident = carol.start_incident("Status");
    carol.note(&incident, "one");
    carol.private_note(&incident, "mine only");

    let status = carol.status();
    assert_eq!(status["phase"], "not_connected", "{status}");
    assert_eq!(
        status["pending"], 2,
        "private notes are not pending: {status}"
    );

    carol.connect(&hub.url(), &token).ok();
    let status = carol.status();
    assert_eq!(status["phase"], "offline", "never synced: {status}");
    assert_eq!(status["pending"], 2, "{status}");
    assert_eq!(status["last_success_at"], Value::Null);

    let report = carol.sync_ok();
    assert_eq!(report["pushed"], 2, "{report}");
    assert_eq!(
        report["acknowledged_seq"], 3,
        "the private seq is passed: {report}"
    );
    let status = carol.status();
    assert_eq!(status["phase"], "synced", "{status}");
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["acknowledged_seq"], 3, "{status}");
    assert!(status["last_success_at"].is_string(), "{status}");

    carol.private_note(&incident, "still mine");
    assert_eq!(carol.status()["pending"], 0);
    carol.note(&incident, "two");
    carol.note(&incident, "three");
    assert_eq!(carol.status()["pending"], 2);
    carol.sync_ok();
    let status = carol.status();
    assert_eq!(status["pending"], 0, "{status}");
    assert_eq!(status["acknowledged_seq"], 6, "{status}");
}

/// `--as NAME` says who records; it must not also filter what `log` shows. Today the
/// global `--as` (field `author` of `Cli`) and `log --author` (field `author` of
/// `LogArgs`) share clap's argument id `author`, so `firebreak --as alice log` shows
/// only Alice's events: a responder who sets `--as` (or an alias with it) sees a
/// timeline without their teammates' synced findings.
#[test]
fn the_global_as_flag_does_not_filter_the_log() {
    let hub = HubProcess::start_fresh(&[]);
    let alice = Laptop::new("alice");
    let bob = Laptop::new("bob");
    alice.connect(&hub.url(), &hub.add_user("alice")).ok();
    bob.connect(&hub.url(), &hub.add_user("bob")).ok();
    let incident = alice.start_incident("Whose log");
    alice.sync_ok();
    bob.sync_ok();
    bob.note(&incident, "bob was here");
    bob.sync_ok();
    alice.sync_ok();

    let everyone = alice.log(&incident);
    assert_eq!(everyone.len(), 2, "{everyone:?}");
    let with_as = alice
        .run(&["--as", "alice", "log", "--incident", &incident, "--json"])
        .ok()
        .json();
    assert_eq!(
        with_as.as_array().map(Vec::len),
        Some(2),
        "`firebreak --as alice log` hides Bob's note: {with_as}"
    );
    // The filter itself still works.
    let only_bob = alice
        .run(&["log", "--incident", &incident, "--author", "bob", "--json"])
        .ok()
        .json();
    assert_eq!(only_bob.as_array().map(Vec::len), Some(1), "{only_bob}");
}
