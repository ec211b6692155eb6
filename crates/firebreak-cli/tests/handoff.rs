//! Shift handoff through the real `firebreak` binary, between two stores (two `--home`
//! directories, as on two laptops) by file: the bundle carries the incident, its
//! checklist and its runbook; importing it takes the incident over; importing it again
//! adds nothing; a damaged, newer or foreign file is refused with its reason and
//! changes nothing. Also `conclude` and customer updates, which the note reads.

mod support;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use support::{Fb, path_str, texts};

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

/// Alice's laptop with an incident worked for a while: the team runbook with step 1
/// checked and step 2 skipped, roles, findings of every kind, conclusions, a customer
/// update and a private note. Returns the laptop and the incident's id.
fn alice_mid_incident() -> (Fb, String) {
    let alice = Fb::new();
    let runbook = alice.file("payments-down.md", TEAM_RUNBOOK);
    alice.ok(&["runbook", "import", path_str(&runbook)]);
    let incident = alice.start(TITLE, &["payments-down"], &[]);
    alice.ok(&["incident", "severity", "sev1"]);
    alice.ok(&["incident", "lead", "alice"]);
    alice.ok(&["incident", "assign", "comms", "alice"]);
    alice.ok(&["step", "check", "1"]);
    alice.ok(&[
        "step",
        "skip",
        "2",
        "--reason",
        "no backup PSP in this region",
    ]);
    alice.ok(&[
        "note",
        "PSP returns 503 for 40% of calls",
        "--kind",
        "observation",
    ]);
    let cert = note_id(&alice, "the PSP's TLS cert expired", "hypothesis");
    alice.ok(&[
        "conclude",
        &cert,
        "ruled-out",
        "--note",
        "cert valid until 2027",
    ]);
    note_id(&alice, "our retry storm overloads the PSP", "hypothesis");
    let limit = note_id(&alice, "rate-limit retries to 5/s", "action");
    alice.ok(&["conclude", &limit, "done"]);
    note_id(&alice, "call the PSP's on-call", "action");
    alice.ok(&[
        "note",
        "Status page: payments degraded, fix in progress",
        "--kind",
        "update",
    ]);
    alice.ok(&["note", "my own scratch: call mum", "--private"]);
    (alice, incident)
}

/// Records a finding; returns its id.
fn note_id(fb: &Fb, text: &str, kind: &str) -> String {
    fb.json(&["note", text, "--kind", kind])["id"]
        .as_str()
        .expect("id")
        .to_string()
}

fn ids(log: &[Value]) -> Vec<String> {
    log.iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect()
}

fn bundle_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read the bundle");
    serde_json::from_str(&text).expect("the bundle is JSON")
}

/// Everything an import could change in a store: incidents, every incident's log, the
/// runbook library, the inbox.
fn snapshot(fb: &Fb) -> (Value, Vec<Value>, Value, Value) {
    let incidents = fb.json(&["incident", "list"]);
    let logs = incidents
        .as_array()
        .expect("array")
        .iter()
        .map(|i| fb.json(&["log", "--incident", i["id"].as_str().expect("id")]))
        .collect();
    let runbooks = fb.json(&["runbook", "list"]);
    let inbox = fb.json(&["handoff", "inbox"]);
    (incidents, logs, runbooks, inbox)
}

/// A directory standing for the USB stick or shared drive between the laptops.
fn drive() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn export_to(alice: &Fb, to: &str, path: &Path) -> String {
    alice.ok(&["handoff", "export", "--to", to, "--out", path_str(path)])
}

fn handoff_list(fb: &Fb) -> Vec<Value> {
    fb.json(&["handoff", "list"])
        .as_array()
        .expect("array")
        .clone()
}

#[test]
fn a_bundle_carries_the_incident_and_importing_it_takes_over() {
    let (alice, incident) = alice_mid_incident();
    let bob = Fb::named("bob");
    let drive = drive();
    let bundle = drive.path().join("handoff.json");

    let out = export_to(&alice, "bob", &bundle);
    assert!(
        out.contains(&format!("written to {}", bundle.display()))
            && out.contains("1 runbook")
            && out.contains(&format!("firebreak handoff import {}", bundle.display())),
        "{out}"
    );
    let text = std::fs::read_to_string(&bundle).expect("bundle");
    assert!(!text.contains("call mum"), "a private note left the laptop");
    let alice_log = alice.log();
    let sent: Vec<&Value> = alice_log
        .iter()
        .filter(|e| e["kind"] == "handoff_sent")
        .collect();
    assert_eq!(sent.len(), 1, "the handoff is recorded in alice's log");
    assert_eq!(sent[0]["body"]["to"], "bob");
    assert_eq!(bundle_json(&bundle)["payload"]["handoff"], sent[0]["id"]);

    // Bob's laptop has never seen the incident nor the runbook.
    assert_eq!(bob.json(&["incident", "list"]), Value::Array(vec![]));
    let out = bob.ok(&["handoff", "import", path_str(&bundle)]);
    assert!(
        out.contains(&format!("# Handoff: {TITLE}")),
        "the note: {out}"
    );
    assert!(
        out.contains("new events") && out.contains("1 runbook added"),
        "{out}"
    );
    assert!(
        out.contains(&format!("You took over {TITLE} from alice at"))
            && out.contains("you are now leader and comms"),
        "{out}"
    );

    // The same incident, the same checklist state, step by step (who and why too).
    let a_show = alice.json(&["incident", "show"]);
    let b_show = bob.json(&["incident", "show"]);
    assert_eq!(b_show["id"], incident.as_str());
    for field in ["title", "status", "severity", "started_by", "started_at"] {
        assert_eq!(a_show[field], b_show[field], "{field}");
    }
    assert_eq!(a_show["runs"], b_show["runs"]);
    let steps: Vec<&str> = b_show["runs"][0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["state"].as_str().expect("state"))
        .collect();
    assert_eq!(steps, ["checked", "skipped", "open"]);
    // The takeover moved alice's roles to bob (on bob's laptop; alice hears of it
    // through the hub or a bundle back).
    assert_eq!(b_show["roles"]["leader"], "bob");
    assert_eq!(b_show["roles"]["comms"], "bob");
    assert_eq!(a_show["roles"]["leader"], "alice");

    // Every event alice shares is in bob's log once, and bob's own are the takeover.
    let bob_log = bob.log();
    let bob_ids = ids(&bob_log);
    let shared: Vec<String> = ids(&alice_log)
        .into_iter()
        .zip(&alice_log)
        .filter(|(_, e)| e["private"] == false)
        .map(|(id, _)| id)
        .collect();
    for id in &shared {
        assert_eq!(
            bob_ids.iter().filter(|b| *b == id).count(),
            1,
            "{id} in bob's log"
        );
    }
    let own: Vec<&Value> = bob_log.iter().filter(|e| e["author"] == "bob").collect();
    let kinds: BTreeSet<&str> = own
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, BTreeSet::from(["handoff_accepted", "role_assigned"]));
    assert_eq!(own.len(), 3, "the takeover and two roles: {own:#?}");
    assert_eq!(bob_log.len(), shared.len() + 3);
    assert!(!bob_log.iter().any(|e| e["private"] == true));

    // The handoff's history and the (empty) inbox say the same.
    let list = handoff_list(&bob);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["from"], "alice");
    assert_eq!(list[0]["to"], "bob");
    assert_eq!(list[0]["accepted"]["by"], "bob");
    let text_list = bob.ok(&["handoff", "list"]);
    assert!(
        text_list.contains("alice → bob") && text_list.contains("taken over by bob"),
        "{text_list}"
    );
    assert!(
        bob.ok(&["handoff", "inbox"])
            .contains("No handoffs waiting for you (bob)")
    );

    // Bob carries on where alice stopped, and his own draft starts from the takeover.
    bob.ok(&["step", "check", "3"]);
    let draft = bob.ok(&["handoff", "draft", "--to", "carol"]);
    assert!(draft.contains("From **bob** to **carol**"), "{draft}");
    assert!(
        draft.contains("Findings since the previous handoff"),
        "{draft}"
    );
    assert!(draft.contains("leader bob"), "{draft}");
    assert!(
        draft.contains("the PSP's TLS cert expired") && draft.contains("cert valid until 2027"),
        "alice's conclusions travelled: {draft}"
    );
}

#[test]
fn importing_the_same_bundle_twice_adds_nothing() {
    let (alice, _) = alice_mid_incident();
    let bob = Fb::named("bob");
    let drive = drive();
    let bundle = drive.path().join("handoff.json");
    export_to(&alice, "bob", &bundle);
    let carried = bundle_json(&bundle)["payload"]["events"]
        .as_array()
        .expect("events")
        .len();

    bob.ok(&["handoff", "import", path_str(&bundle)]);
    let log = bob.log();
    let listed = bob.json(&["incident", "list"]);
    let runbooks = bob.json(&["runbook", "list"]);

    let again = bob.ok(&["handoff", "import", path_str(&bundle)]);
    assert!(
        again.contains(&format!(
            "Nothing new: this store already had all {carried} events"
        )),
        "{again}"
    );
    assert!(
        again.contains("You already took this incident over"),
        "{again}"
    );
    let report = bob.json(&["handoff", "import", path_str(&bundle)]);
    assert_eq!(report["inserted"], 0);
    assert_eq!(report["already_present"], carried);
    assert_eq!(report["runbooks_added"], 0);
    assert_eq!(report["took_over"], false);
    assert_eq!(bob.log(), log, "nothing doubled");
    assert_eq!(bob.json(&["incident", "list"]), listed);
    assert_eq!(bob.json(&["runbook", "list"]), runbooks);
    assert_eq!(handoff_list(&bob).len(), 1);

    // The bundle back on alice's own laptop: her own events, nothing to take over.
    let before = alice.log();
    let out = alice.ok(&["handoff", "import", path_str(&bundle)]);
    assert!(out.contains("Nothing new"), "{out}");
    assert!(out.contains("This is your own handoff to bob"), "{out}");
    assert_eq!(alice.log(), before);
}

#[test]
fn damaged_newer_or_foreign_files_are_refused_and_change_nothing() {
    let (alice, _) = alice_mid_incident();
    let drive = drive();
    let bundle = drive.path().join("handoff.json");
    export_to(&alice, "bob", &bundle);
    let good = std::fs::read_to_string(&bundle).expect("bundle");

    // Bob already works an incident of his own.
    let bob = Fb::named("bob");
    bob.start("Search is slow", &[], &[]);
    bob.ok(&["note", "p99 at 4 s"]);
    let before = snapshot(&bob);

    let future = good.replacen("\"firebreak_handoff\": 1", "\"firebreak_handoff\": 2", 1);
    assert_ne!(
        future, good,
        "the version field is where the test expects it"
    );
    let corrupted = good.replace(
        "PSP returns 503 for 40% of calls",
        "PSP returns 503 for 4% of calls",
    );
    assert_ne!(corrupted, good);
    let cases: [(&str, String, &[&str]); 6] = [
        (
            "truncated.json",
            good[..good.len() / 2].to_string(),
            &["ends early", "cut short"],
        ),
        ("empty.json", String::new(), &["ends early"]),
        (
            "corrupted.json",
            corrupted,
            &["checksum does not match", "changed or damaged"],
        ),
        (
            "future.json",
            future,
            &["format 2", "newer Firebreak", "upgrade Firebreak"],
        ),
        (
            "other.json",
            "{\"incident\": \"checkout\", \"events\": []}".to_string(),
            &["not a Firebreak handoff bundle"],
        ),
        (
            "runbook.md",
            TEAM_RUNBOOK.to_string(),
            &["not valid JSON", "line 1"],
        ),
    ];
    for (name, text, reasons) in cases {
        let path = drive.path().join(name);
        std::fs::write(&path, &text).expect("write");
        let err = bob.fails(&["handoff", "import", path_str(&path)]);
        assert!(
            err.contains(&format!(
                "the handoff bundle {} cannot be imported",
                path.display()
            )),
            "{name}: names the file: {err}"
        );
        for reason in reasons {
            assert!(err.contains(reason), "{name}: {reason:?} in {err}");
        }
        assert_eq!(err.matches(reasons[0]).count(), 1, "said once: {err}");
        assert_eq!(snapshot(&bob), before, "{name} changed bob's store");
    }
    // Bytes that are not text at all.
    let binary = drive.path().join("photo.jpg");
    std::fs::write(&binary, [0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).expect("write");
    let err = bob.fails(&["handoff", "import", path_str(&binary)]);
    assert!(
        err.contains("photo.jpg") && err.contains("not text"),
        "{err}"
    );
    // A file that is not there.
    let missing = drive.path().join("nope.json");
    let err = bob.fails(&["handoff", "import", path_str(&missing)]);
    assert!(
        err.contains("cannot read the handoff bundle") && err.contains("nope.json"),
        "{err}"
    );
    // The same refusals from stdin name stdin.
    let out = bob
        .cmd()
        .args(["handoff", "import", "-"])
        .write_stdin(&good[..good.len() / 3])
        .output()
        .expect("run");
    let (_, err) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("the handoff bundle from stdin cannot be imported")
            && err.contains("cut short"),
        "{err}"
    );
    assert_eq!(snapshot(&bob), before, "bob's store changed");

    // The good file still imports after all that.
    bob.ok(&["handoff", "import", path_str(&bundle)]);
    assert_eq!(
        bob.json(&["incident", "list"]).as_array().map(Vec::len),
        Some(2)
    );
}

#[test]
fn a_bundle_pasted_on_stdin_imports_and_can_be_accepted_later() {
    let (alice, incident) = alice_mid_incident();
    let drive = drive();
    let bundle = drive.path().join("handoff.json");
    export_to(&alice, "Bob", &bundle);
    let text = std::fs::read_to_string(&bundle).expect("bundle");
    let handoff = bundle_json(&bundle)["payload"]["handoff"]
        .as_str()
        .expect("handoff id")
        .to_string();
    let short = &handoff.replace('-', "")[24..];

    // Pasted through a chat: re-flowed onto one line, wrapped in a code fence.
    let value: Value = serde_json::from_str(&text).expect("json");
    let pasted = format!(
        "```json\n{}\n```\n",
        serde_json::to_string(&value).expect("compact")
    );
    let bob = Fb::named("bob");
    let out = bob
        .cmd()
        .args(["handoff", "import", "-", "--no-accept"])
        .write_stdin(pasted)
        .output()
        .expect("run");
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Not taken over (--no-accept)"), "{stdout}");
    assert!(
        stdout.contains(&format!("firebreak handoff accept {short}")),
        "{stdout}"
    );
    assert_eq!(bob.json(&["incident", "show"])["id"], incident.as_str());
    assert_eq!(bob.json(&["incident", "show"])["roles"]["leader"], "alice");

    // It waits in bob's inbox (the name matches whatever its case).
    let inbox = bob.ok(&["handoff", "inbox"]);
    assert!(
        inbox.contains(short) && inbox.contains(TITLE) && inbox.contains("from alice"),
        "{inbox}"
    );
    let inbox = bob.json(&["handoff", "inbox"]);
    assert_eq!(inbox.as_array().map(Vec::len), Some(1));
    assert_eq!(inbox[0]["id"], handoff.as_str());
    assert_eq!(inbox[0]["title"], TITLE);

    let out = bob.ok(&["handoff", "accept", short]);
    assert!(
        out.contains(&format!("# Handoff: {TITLE}")),
        "the note: {out}"
    );
    assert!(
        out.contains(&format!("You took over {TITLE} from alice at"))
            && out.contains("you are now leader and comms"),
        "{out}"
    );
    let log = bob.log();
    let again = bob.ok(&["handoff", "accept", short]);
    assert!(again.contains("You already took over"), "{again}");
    assert_eq!(bob.log(), log, "a second accept records nothing");
    assert_eq!(bob.json(&["handoff", "inbox"]), Value::Array(vec![]));
}

#[test]
fn a_handoff_for_someone_else_is_imported_but_not_taken_over() {
    let (alice, _) = alice_mid_incident();
    let drive = drive();
    let bundle = drive.path().join("handoff.json");
    export_to(&alice, "bob", &bundle);
    let short = bundle_json(&bundle)["payload"]["handoff"]
        .as_str()
        .expect("id")
        .replace('-', "")[24..]
        .to_string();

    let carol = Fb::named("carol");
    let out = carol.ok(&["handoff", "import", path_str(&bundle)]);
    assert!(
        out.contains("addressed to bob, not to you (carol)")
            && out.contains(&format!("firebreak handoff accept {short} --force")),
        "{out}"
    );
    let log = carol.log();
    assert!(!log.iter().any(|e| e["kind"] == "handoff_accepted"));
    assert_eq!(
        carol.json(&["incident", "show"])["roles"]["leader"],
        "alice"
    );

    let err = carol.fails(&["handoff", "accept", &short]);
    assert!(
        err.contains("addressed to bob, not to you (carol)") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(carol.log(), log, "a refused accept records nothing");
    let out = carol.ok(&["handoff", "accept", &short, "--force"]);
    assert!(out.contains("you are now leader and comms"), "{out}");
    assert_eq!(
        carol.json(&["incident", "show"])["roles"]["leader"],
        "carol"
    );

    // Only handoffs can be taken over; unknown ids say where ids are.
    let start = log
        .iter()
        .find(|e| e["kind"] == "incident_started")
        .expect("start");
    let err = carol.fails(&["handoff", "accept", start["id"].as_str().expect("id")]);
    assert!(err.contains("is not a handoff"), "{err}");
    let err = carol.fails(&["handoff", "accept", "deadbeef"]);
    assert!(err.contains("no event matches"), "{err}");
}

#[test]
fn export_refuses_to_overwrite_and_a_refused_export_records_nothing() {
    let (alice, _) = alice_mid_incident();
    let drive = drive();
    let log = alice.log();
    let taken = drive.path().join("taken.json");
    std::fs::write(&taken, "keep me").expect("write");

    let err = alice.fails(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&taken),
    ]);
    assert!(
        err.contains("already exists") && err.contains("--force") && err.contains("taken.json"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&taken).expect("read"), "keep me");

    let nowhere = drive.path().join("no-such-dir").join("handoff.json");
    let err = alice.fails(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&nowhere),
    ]);
    assert!(
        err.contains("no-such-dir") && err.contains("does not exist"),
        "{err}"
    );
    let err = alice.fails(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(drive.path()),
    ]);
    assert!(err.contains("is a directory"), "{err}");
    let missing_note = drive.path().join("note.md");
    let fresh = drive.path().join("fresh.json");
    let err = alice.fails(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&fresh),
        "--note-file",
        path_str(&missing_note),
    ]);
    assert!(err.contains("cannot read the note file"), "{err}");
    let empty_note = drive.path().join("empty.md");
    std::fs::write(&empty_note, "  \n").expect("write");
    let err = alice.fails(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&fresh),
        "--note-file",
        path_str(&empty_note),
    ]);
    assert!(
        err.contains("is empty") && err.contains("nothing was recorded"),
        "{err}"
    );
    assert!(!fresh.exists());
    assert_eq!(alice.log(), log, "refused exports recorded nothing");
    assert!(handoff_list(&alice).is_empty());

    // The note the responder edited goes instead of the draft.
    std::fs::write(
        &missing_note,
        "# Handoff\n\nWatch the retry queue; the PSP calls back at 03:00.\n",
    )
    .expect("write");
    let out = alice.ok(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&fresh),
        "--note-file",
        path_str(&missing_note),
    ]);
    assert!(out.contains("fresh.json"), "{out}");
    let payload = &bundle_json(&fresh)["payload"];
    assert!(
        payload["note"]
            .as_str()
            .is_some_and(|n| n.contains("PSP calls back at 03:00")),
        "{payload}"
    );
    // Read from stdin too, and --force replaces the file.
    let out = alice
        .cmd()
        .args(["handoff", "export", "--to", "carol", "--out"])
        .arg(&taken)
        .args(["--note-file", "-", "--force"])
        .write_stdin("Carol: the DBA is on the bridge.\n")
        .output()
        .expect("run");
    assert!(out.status.success(), "{:?}", texts(&out));
    let replaced = bundle_json(&taken);
    assert_eq!(replaced["firebreak_handoff"], 1);
    assert_eq!(replaced["payload"]["to"], "carol");
    assert_eq!(
        replaced["payload"]["note"],
        "Carol: the DBA is on the bridge.\n"
    );
    assert_eq!(handoff_list(&alice).len(), 2);

    // An already recorded handoff written again: no new handoff.
    let first = handoff_list(&alice)[0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let again = drive.path().join("again.json");
    let out = alice.ok(&[
        "handoff",
        "export",
        "--handoff",
        &first,
        "--out",
        path_str(&again),
    ]);
    assert!(out.contains("again.json"), "{out}");
    assert_eq!(bundle_json(&again)["payload"]["handoff"], first.as_str());
    assert_eq!(handoff_list(&alice).len(), 2);
    let err = alice.fails(&[
        "handoff",
        "export",
        "--handoff",
        log[0]["id"].as_str().expect("id"),
        "--out",
        path_str(&drive.path().join("x.json")),
    ]);
    assert!(err.contains("is not a handoff"), "{err}");

    // No temporary file is left beside the bundles.
    let leftovers: Vec<PathBuf> = std::fs::read_dir(drive.path())
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // The bundle is the owner's only, like the store.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&fresh)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{mode:o}");
    }
}

#[test]
fn draft_prints_every_section_and_records_nothing() {
    let (alice, _) = alice_mid_incident();
    let log = alice.log();
    let draft = alice.ok(&["handoff", "draft", "--to", "bob"]);
    for expected in [
        &format!("# Handoff: {TITLE}") as &str,
        "From **alice** to **bob**",
        "## Where it stands",
        "**Status:** investigating",
        "SEV1",
        "leader alice · comms alice",
        "**Customers were last told**",
        "Status page: payments degraded, fix in progress",
        "## Checklist",
        "1 of 3 done, 1 skipped",
        "- [ ] 3 Tell the merchants",
        "skipped 2 Fail over to the backup PSP — no backup PSP in this region",
        "## Actions in flight",
        "call the PSP's on-call",
        "## Open hypotheses",
        "our retry storm overloads the PSP",
        "## Ruled out",
        "the PSP's TLS cert expired",
        "ruled out by alice",
        "cert valid until 2027",
        "## Findings so far",
        "## From me",
    ] {
        assert!(
            draft.contains(expected),
            "{expected:?} in the draft:\n{draft}"
        );
    }
    assert!(!draft.contains("call mum"), "private notes stay out");
    assert!(
        !draft
            .split("## Actions in flight")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .is_some_and(|s| s.contains("rate-limit retries")),
        "a done action is not in flight:\n{draft}"
    );
    assert_eq!(alice.log(), log, "drafting records nothing");
    let anyone = alice.ok(&["handoff", "draft"]);
    assert!(anyone.contains("to **the next responder**"), "{anyone}");
}

#[test]
fn send_without_a_hub_is_refused_and_points_at_export() {
    let (alice, _) = alice_mid_incident();
    let log = alice.log();
    let err = alice.fails(&["handoff", "send", "--to", "bob"]);
    assert!(
        err.contains("not connected to a hub")
            && err.contains("nothing was recorded")
            && err.contains("firebreak handoff export --to bob --out FILE"),
        "{err}"
    );
    assert_eq!(alice.log(), log);
    assert!(handoff_list(&alice).is_empty());
    // The inbox works without a hub: it shows what this laptop has.
    let out = alice.expect(0, &["handoff", "inbox"]);
    assert!(
        out.0.contains("No handoffs waiting for you (alice)"),
        "{out:?}"
    );
    assert!(!out.1.contains("unreachable"), "{out:?}");
}

#[test]
fn conclusions_and_customer_updates_through_the_cli() {
    let fb = Fb::new();
    fb.start("DB failover", &[], &[]);
    let hypothesis = note_id(&fb, "disk full on db-1", "hypothesis");
    let action = note_id(&fb, "fail over to db-2", "action");
    let update = fb.json(&["note", "Status page: investigating", "--kind", "update"]);
    assert_eq!(update["kind"], "update");
    let alias = fb.json(&[
        "note",
        "Status page: fix rolling out",
        "--kind",
        "customer-update",
    ]);
    assert_eq!(alias["kind"], "update");

    let out = fb.ok(&[
        "conclude",
        &hypothesis,
        "ruled-out",
        "--note",
        "df shows 40%",
    ]);
    assert!(
        out.contains("Hypothesis ruled out: disk full on db-1 — df shows 40%"),
        "{out}"
    );
    let short = &action.replace('-', "")[24..];
    let done = fb.json(&["conclude", short, "done"]);
    assert_eq!(done["kind"], "concluded");
    assert_eq!(done["amends"], action.as_str());
    assert_eq!(done["body"]["outcome"], "done");
    assert_eq!(done["current_text"], "Action done: fail over to db-2");

    // Outcomes that do not fit, or do not exist, are refused and record nothing.
    let log = fb.log();
    let err = fb.fails(&["conclude", &hypothesis, "done"]);
    assert!(
        err.contains("hypotheses are confirmed or ruled out; actions are done or abandoned"),
        "{err}"
    );
    let err = fb.fails(&["conclude", &action, "confirmed"]);
    assert!(
        err.contains("a action cannot be confirmed") || err.contains("cannot be confirmed"),
        "{err}"
    );
    let started = log
        .iter()
        .find(|e| e["kind"] == "incident_started")
        .expect("start");
    let err = fb.fails(&["conclude", started["id"].as_str().expect("id"), "done"]);
    assert!(err.contains("cannot be done"), "{err}");
    let err = fb.fails(&["conclude", "deadbeef", "done"]);
    assert!(err.contains("no event matches"), "{err}");
    let (_, err) = fb.expect(2, &["conclude", &hypothesis, "maybe"]);
    assert!(
        err.contains("confirmed or ruled-out") && err.contains("done or abandoned"),
        "{err}"
    );
    let retracted = note_id(&fb, "a typo'd hypothesis", "hypothesis");
    fb.ok(&["retract", &retracted]);
    let log = fb.log();
    let err = fb.fails(&["conclude", &retracted, "confirmed"]);
    assert!(err.contains("retracted"), "{err}");
    assert_eq!(fb.log(), log, "refusals recorded nothing");

    // The log shows both, with the finding each conclusion ends.
    let text = fb.ok(&["log"]);
    for expected in [
        "concluded",
        "Hypothesis ruled out: disk full on db-1 — df shows 40%",
        "Action done: fail over to db-2",
        "update",
        "Status page: fix rolling out",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    let updates = fb.json(&["log", "--kind", "update"]);
    assert_eq!(updates.as_array().map(Vec::len), Some(2));
    let concluded = fb.json(&["log", "--kind", "concluded"]);
    let targets: BTreeSet<&str> = concluded
        .as_array()
        .expect("array")
        .iter()
        .map(|e| e["amends"].as_str().expect("amends"))
        .collect();
    assert_eq!(
        targets,
        BTreeSet::from([hypothesis.as_str(), action.as_str()])
    );
    // And the handoff note reads them.
    let draft = fb.ok(&["handoff", "draft"]);
    assert!(
        draft.contains("Customers were last told")
            && draft.contains("Status page: fix rolling out"),
        "{draft}"
    );
    assert!(
        draft.contains("## Ruled out") && draft.contains("df shows 40%"),
        "{draft}"
    );
    assert!(!draft.contains("## Actions in flight"), "{draft}");
}
