//! Shift handoff through the real `firebreak` CLI and a real `firebreak-hub` process on
//! a loopback port: sent through the hub and taken over, to a recipient who connects
//! later, carried by file and then synced (every event once everywhere), and sent
//! while the hub is down (kept, and delivered when it returns).
//!
//! Network rule: every hub, listener and client here is on 127.0.0.1.

use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::{CliRun, EXIT_UNREACHABLE, Laptop};
use firebreak_system_tests::silent_hub::SilentHub;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A runbook only alice has imported.
const TEAM_RUNBOOK: &str = "---
id: payments-down
---
# Payments down

- [ ] Check the PSP status page
- [ ] Fail over to the backup PSP
- [ ] Tell the merchants
";

const TITLE: &str = "Payments failing";

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_string()
}

/// How many times each event id appears in a log.
fn id_counts(log: &[Value]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in log {
        *counts.entry(id_of(e)).or_default() += 1;
    }
    counts
}

fn assert_each_once(who: &str, log: &[Value]) {
    let doubled: Vec<_> = id_counts(log).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(doubled.is_empty(), "{who} holds events twice: {doubled:?}");
}

/// The runbook file in a directory of the caller's.
fn runbook_file(dir: &Path) -> PathBuf {
    let path = dir.join("payments-down.md");
    std::fs::write(&path, TEAM_RUNBOOK).expect("write the runbook");
    path
}

/// Alice imports the team runbook and works an incident with it: step 1 checked, step 2
/// skipped, leader, findings, a conclusion, a customer update. Returns the incident.
fn alice_works(alice: &Laptop, scratch: &Path) -> String {
    let runbook = runbook_file(scratch);
    alice
        .run(&["runbook", "import", runbook.to_str().expect("utf-8")])
        .ok();
    let started = alice
        .run(&[
            "incident",
            "start",
            TITLE,
            "--runbook",
            "payments-down",
            "--severity",
            "sev1",
            "--json",
        ])
        .ok()
        .json();
    let incident = id_of(&started);
    alice.run(&["incident", "lead", "alice"]).ok();
    alice.run(&["step", "check", "1"]).ok();
    alice
        .run(&["step", "skip", "2", "--reason", "no backup PSP here"])
        .ok();
    alice.note(&incident, "PSP returns 503 for 40% of calls");
    let hypothesis = alice
        .run(&[
            "note",
            "the PSP's TLS cert expired",
            "--kind",
            "hypothesis",
            "--json",
        ])
        .ok()
        .json();
    alice
        .run(&[
            "conclude",
            &id_of(&hypothesis),
            "ruled-out",
            "--note",
            "valid until 2027",
        ])
        .ok();
    alice
        .run(&["note", "Status page: payments degraded", "--kind", "update"])
        .ok();
    alice.private_note(&incident, "alice's own scratch");
    incident
}

/// `incident show --json` of `incident`.
fn show(laptop: &Laptop, incident: &str) -> Value {
    laptop
        .run(&["incident", "show", incident, "--json"])
        .ok()
        .json()
}

/// The steps' states and who did them, run by run.
fn checklist(laptop: &Laptop, incident: &str) -> Value {
    show(laptop, incident)["runs"].clone()
}

fn inbox_json(laptop: &Laptop) -> Vec<Value> {
    match laptop.run(&["handoff", "inbox", "--json"]).ok().json() {
        Value::Array(items) => items,
        other => panic!("handoff inbox --json printed {other}"),
    }
}

fn shared_ids(log: &[Value]) -> BTreeSet<String> {
    log.iter()
        .filter(|e| e["private"] == false)
        .map(id_of)
        .collect()
}

fn hub_counts(reader: &HubReader) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for e in reader.all_events().expect("read the hub") {
        assert!(!e.event.private, "a private event on the hub: {e:?}");
        *counts.entry(e.event.id.to_string()).or_default() += 1;
    }
    counts
}

fn assert_stdout(run: &CliRun, wanted: &[&str]) {
    for w in wanted {
        assert!(
            run.stdout.contains(w),
            "{w:?} not in the output of `firebreak {}`:\n{}\nstderr: {}",
            run.args.join(" "),
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn through_the_hub_bob_finds_it_in_his_inbox_and_takes_over() {
    let hub = HubProcess::start_fresh(&[]);
    let scratch = tempfile::tempdir().expect("tempdir");
    let (alice, bob) = (Laptop::new("alice"), Laptop::new("bob"));
    alice.connect(&hub.url(), &hub.add_user("alice")).ok();
    bob.connect(&hub.url(), &hub.add_user("bob")).ok();
    let incident = alice_works(&alice, scratch.path());
    alice.sync_ok();

    // Nothing for bob yet (his inbox syncs first, so he has the incident already).
    let run = bob.run(&["handoff", "inbox"]).ok();
    assert_stdout(&run, &["No handoffs waiting for you (bob)"]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_eq!(bob.incidents().len(), 1);

    let run = alice.run(&["handoff", "send", "--to", "bob"]).ok();
    assert_stdout(
        &run,
        &[
            &format!("Handed {TITLE} to bob through the hub"),
            "bob sees it in `firebreak handoff inbox` or the desktop app",
        ],
    );
    let sent: Vec<Value> = alice
        .log(&incident)
        .into_iter()
        .filter(|e| e["kind"] == "handoff_sent")
        .collect();
    assert_eq!(sent.len(), 1);
    let handoff = id_of(&sent[0]);
    let short = &handoff.replace('-', "")[24..];
    assert_eq!(
        alice.status()["pending"],
        0,
        "send pushed the handoff at once"
    );

    // Bob's inbox lists it: short id, incident, from whom, when.
    let run = bob.run(&["handoff", "inbox"]).ok();
    assert_stdout(&run, &[short, TITLE, "from alice", "handoff accept"]);
    let inbox = inbox_json(&bob);
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0]["id"], handoff.as_str());
    assert_eq!(inbox[0]["from"], "alice");
    assert_eq!(inbox[0]["title"], TITLE);
    assert!(
        inbox[0]["note"]
            .as_str()
            .is_some_and(|n| n.contains("## Where it stands")),
        "the drafted note went: {}",
        inbox[0]["note"]
    );

    let run = bob.run(&["handoff", "accept", short]).ok();
    assert_stdout(
        &run,
        &[
            &format!("# Handoff: {TITLE}"),
            &format!("You took over {TITLE} from alice at"),
            "you are now leader",
            "the takeover is on the hub",
        ],
    );
    assert!(inbox_json(&bob).is_empty());

    // Alice syncs: her log says bob took over, and bob leads.
    alice.sync_ok();
    let log = alice.run(&["log", "--incident", &incident]).ok();
    let took_over = log
        .stdout
        .lines()
        .find(|l| l.contains("took over"))
        .unwrap_or_else(|| panic!("no takeover in alice's log:\n{}", log.stdout));
    assert!(
        took_over.contains("bob") && took_over.contains("Took over from alice"),
        "{took_over}"
    );
    assert_eq!(show(&alice, &incident)["roles"]["leader"], "bob");
    let history = alice.run(&["handoff", "list", "--json"]).ok().json();
    assert_eq!(history[0]["accepted"]["by"], "bob", "{history}");

    // Bob's checklist is alice's, step by step, although only alice imported the
    // runbook; he carries on and alice sees it.
    assert_eq!(checklist(&bob, &incident), checklist(&alice, &incident));
    // (The pinned version came with the run; it is kept, not added to his library.)
    let bob_runbooks = bob.run(&["runbook", "list", "--json"]).ok().json();
    assert!(
        !bob_runbooks
            .as_array()
            .expect("array")
            .iter()
            .any(|r| r["id"] == "payments-down"),
        "{bob_runbooks}"
    );
    bob.run(&["step", "check", "3"]).ok();
    bob.sync_ok();
    alice.sync_ok();
    let steps: Vec<String> = checklist(&alice, &incident)[0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| format!("{}:{}", s["state"], s["by"]))
        .collect();
    assert_eq!(
        steps,
        [
            "\"checked\":\"alice\"",
            "\"skipped\":\"alice\"",
            "\"checked\":\"bob\""
        ]
    );
    assert_eq!(checklist(&bob, &incident), checklist(&alice, &incident));
    // The shared logs are the same on both laptops, each event once.
    let (a_log, b_log) = (alice.log(&incident), bob.log(&incident));
    assert_each_once("alice", &a_log);
    assert_each_once("bob", &b_log);
    assert_eq!(shared_ids(&a_log), shared_ids(&b_log));
}

#[test]
fn a_recipient_who_connects_later_finds_the_handoff_in_the_inbox() {
    let hub = HubProcess::start_fresh(&[]);
    let scratch = tempfile::tempdir().expect("tempdir");
    let alice = Laptop::new("alice");
    alice.connect(&hub.url(), &hub.add_user("alice")).ok();
    let bob_token = hub.add_user("bob");
    let incident = alice_works(&alice, scratch.path());

    // Bob's laptop is not connected (he is on the train).
    let bob = Laptop::new("bob");
    alice.run(&["handoff", "send", "--to", "bob"]).ok();
    let run = bob.run(&["handoff", "inbox"]).ok();
    assert_stdout(&run, &["No handoffs waiting for you (bob)"]);
    assert!(
        !run.stderr.contains("unreachable"),
        "no hub, no attempt: {}",
        run.stderr
    );

    // He connects: the inbox syncs and shows it.
    bob.connect(&hub.url(), &bob_token).ok();
    let run = bob.run(&["handoff", "inbox"]).ok();
    assert_stdout(&run, &[TITLE, "from alice"]);
    let inbox = inbox_json(&bob);
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0]["incident"], incident.as_str());
    // Alice's own inbox stays empty: the handoff is not for her.
    assert!(inbox_json(&alice).is_empty());

    bob.run(&["handoff", "accept", inbox[0]["id"].as_str().expect("id")])
        .ok();
    alice.sync_ok();
    assert_eq!(show(&alice, &incident)["roles"]["leader"], "bob");
    assert_eq!(checklist(&bob, &incident), checklist(&alice, &incident));
}

#[test]
fn by_file_then_through_the_hub_every_event_is_held_once() {
    let hub = HubProcess::start_fresh(&[]);
    let reader_token = hub.add_user("reader");
    let (alice_token, bob_token) = (hub.add_user("alice"), hub.add_user("bob"));
    let scratch = tempfile::tempdir().expect("tempdir");
    let (alice, bob) = (Laptop::new("alice"), Laptop::new("bob"));

    // Neither laptop is connected: the handoff goes by file.
    let incident = alice_works(&alice, scratch.path());
    let bundle = scratch.path().join("handoff.json");
    let bundle_arg = bundle.to_str().expect("utf-8");
    alice
        .run(&["handoff", "export", "--to", "bob", "--out", bundle_arg])
        .ok();
    let run = bob.run(&["handoff", "import", bundle_arg]).ok();
    assert_stdout(
        &run,
        &[&format!("You took over {TITLE} from alice"), "leader"],
    );
    assert!(
        !run.stdout.contains("hub"),
        "no hub is connected: {}",
        run.stdout
    );
    assert_eq!(checklist(&bob, &incident), checklist(&alice, &incident));
    bob.note(&incident, "bob: PSP support ticket opened");
    bob.private_note(&incident, "bob's own scratch");
    alice.note(
        &incident,
        "alice: written after the handoff, before the hub",
    );

    // Then both connect and sync, in turns, twice round.
    alice.connect(&hub.url(), &alice_token).ok();
    bob.connect(&hub.url(), &bob_token).ok();
    for _ in 0..2 {
        alice.sync_ok();
        bob.sync_ok();
    }
    for laptop in [&alice, &bob] {
        let report = laptop.sync_ok();
        assert_eq!(
            (report["pushed"].as_u64(), report["pulled"].as_u64()),
            (Some(0), Some(0)),
            "{} after convergence: {report}",
            laptop.name
        );
    }

    let (a_log, b_log) = (alice.log(&incident), bob.log(&incident));
    assert_each_once("alice", &a_log);
    assert_each_once("bob", &b_log);
    let shared = shared_ids(&a_log);
    assert_eq!(shared, shared_ids(&b_log), "the same shared events");
    assert_eq!(a_log.len(), shared.len() + 1, "alice's one private note");
    assert_eq!(b_log.len(), shared.len() + 1, "bob's one private note");
    for kind in ["handoff_sent", "handoff_accepted"] {
        assert_eq!(
            a_log.iter().filter(|e| e["kind"] == kind).count(),
            1,
            "{kind} in {a_log:#?}"
        );
    }
    // The store agrees with the log: nothing hidden from `log`.
    let total = |laptop: &Laptop| laptop.open_store().event_count().expect("count");
    assert_eq!(total(&alice), a_log.len() as u64);
    assert_eq!(total(&bob), b_log.len() as u64);

    // The hub holds each shared event once: the bundle's events arrived there from
    // alice only, though bob's store had them first.
    let counts = hub_counts(&HubReader::new(&hub.url(), &reader_token));
    assert_eq!(counts.keys().cloned().collect::<BTreeSet<_>>(), shared);
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");

    // The takeover reached alice; the inboxes are empty.
    assert_eq!(show(&alice, &incident)["roles"]["leader"], "bob");
    assert!(inbox_json(&alice).is_empty() && inbox_json(&bob).is_empty());
    // The same bundle imported again after all that adds nothing.
    let again = bob
        .run(&["handoff", "import", bundle_arg, "--json"])
        .ok()
        .json();
    assert_eq!(again["inserted"], 0, "{again}");
    assert_eq!(bob.log(&incident), b_log);
}

#[test]
fn a_handoff_sent_while_the_hub_is_down_is_kept_and_delivered_later() {
    let mut hub = HubProcess::start_fresh(&[]);
    let scratch = tempfile::tempdir().expect("tempdir");
    let (alice_token, bob_token) = (hub.add_user("alice"), hub.add_user("bob"));
    let (alice, bob) = (Laptop::new("alice"), Laptop::new("bob"));
    alice.connect(&hub.url(), &alice_token).ok();
    bob.connect(&hub.url(), &bob_token).ok();
    let incident = alice_works(&alice, scratch.path());
    alice.sync_ok();
    bob.sync_ok();

    hub.kill();
    let run = alice
        .run(&["handoff", "send", "--to", "bob"])
        .expect_code(EXIT_UNREACHABLE);
    assert!(
        run.stderr.contains("is recorded")
            && run.stderr.contains("goes to the hub at the next sync")
            && run.stderr.contains("firebreak handoff export --handoff"),
        "{}",
        run.stderr
    );
    let sent: Vec<Value> = alice
        .log(&incident)
        .into_iter()
        .filter(|e| e["kind"] == "handoff_sent")
        .collect();
    assert_eq!(sent.len(), 1, "the handoff is kept");
    let handoff = id_of(&sent[0]);
    let status = alice.status();
    assert_eq!(status["pending"], 1, "{status}");
    assert_eq!(status["phase"], "offline", "{status}");

    // The advice works: the recorded handoff written to a file, no second handoff.
    let bundle = scratch.path().join("handoff.json");
    let short = &handoff.replace('-', "")[24..];
    alice
        .run(&[
            "handoff",
            "export",
            "--handoff",
            short,
            "--out",
            bundle.to_str().expect("utf-8"),
        ])
        .ok();
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("bundle")).expect("json");
    assert_eq!(written["payload"]["handoff"], handoff.as_str());
    let history = alice.run(&["handoff", "list", "--json"]).ok().json();
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");

    // Bob's inbox, hub down: says so, shows what his laptop has (nothing yet).
    let run = bob.run(&["handoff", "inbox"]).ok();
    assert!(
        run.stderr
            .contains("hub unreachable: showing what this laptop has"),
        "{}",
        run.stderr
    );
    assert_stdout(&run, &["No handoffs waiting for you (bob)"]);

    // The hub returns; alice's next sync delivers it.
    hub.restart();
    alice.connect(&hub.url(), &alice_token).ok();
    bob.connect(&hub.url(), &bob_token).ok();
    assert_eq!(alice.sync_ok()["pushed"], 1);
    let inbox = inbox_json(&bob);
    assert_eq!(inbox.len(), 1, "{inbox:?}");
    assert_eq!(inbox[0]["id"], handoff.as_str());
    let run = bob.run(&["handoff", "accept", short]).ok();
    assert_stdout(&run, &["You took over", "the takeover is on the hub"]);
    alice.sync_ok();
    assert_eq!(show(&alice, &incident)["roles"]["leader"], "bob");
    let counts = hub_counts(&HubReader::new(&hub.url(), &alice_token));
    assert!(counts.values().all(|n| *n == 1), "{counts:?}");
    assert_eq!(
        counts.keys().cloned().collect::<BTreeSet<_>>(),
        shared_ids(&alice.log(&incident))
    );
}

#[test]
fn the_inbox_does_not_wait_long_for_a_hub_that_never_answers() {
    let silent = SilentHub::start();
    let scratch = tempfile::tempdir().expect("tempdir");
    let alice = Laptop::new("alice");
    alice_works(&alice, scratch.path());
    let bundle = scratch.path().join("handoff.json");
    let bundle_arg = bundle.to_str().expect("utf-8");
    alice
        .run(&["handoff", "export", "--to", "bob", "--out", bundle_arg])
        .ok();

    let bob = Laptop::new("bob");
    bob.run(&["handoff", "import", bundle_arg, "--no-accept"])
        .ok();
    bob.run(&[
        "hub",
        "connect",
        &silent.url(),
        "--token",
        "fbk_x",
        "--offline",
    ])
    .ok();
    let started = Instant::now();
    let run = bob.run(&["handoff", "inbox"]).ok();
    let took = started.elapsed();
    assert!(
        run.stderr
            .contains("hub unreachable: showing what this laptop has"),
        "{}",
        run.stderr
    );
    assert_stdout(&run, &[TITLE, "from alice"]);
    // The quiet round gives up after its 10 s request timeout, not the 30 s of `sync`.
    assert!(took < Duration::from_secs(20), "the inbox took {took:?}");
}
