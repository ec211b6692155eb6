//! Shift handoffs through the desktop's API, between two real stores: the bundle file
//! carries the incident, its checklist and its runbook, and is taken over at once by
//! the person it is addressed to; importing it twice adds nothing; a damaged bundle is
//! refused with its reason and changes nothing; a handoff for someone else needs
//! `force`; through a real hub on 127.0.0.1 the handoff reaches the other app's inbox.
//! Hypotheses and actions are concluded, and the timeline says how they ended.

use firebreak_api::types::*;
use firebreak_api::{Api, ErrorCode};
use firebreak_testkit::hub_process::{HubProcess, add_user};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod support;
use support::app;

/// A runbook only alice has: bob has never imported it.
const TEAM_RUNBOOK: &str = "---\nid: payments-down\n---\n# Payments down\n\n- [ ] Check the PSP status page\n- [ ] Fail over to the backup PSP\n- [ ] Tell the merchants\n";

const DEADLINE: Duration = Duration::from_secs(20);

fn note(api: &mut Api, incident: &str, kind: &str, text: &str, private: bool) -> TimelineEntry {
    api.add_note(AddNote {
        incident: incident.into(),
        kind: kind.into(),
        text: text.into(),
        at: None,
        private,
    })
    .expect("note")
}

fn step(api: &mut Api, incident: &str, step_ref: &str, state: &str, reason: Option<&str>) {
    api.change_step(ChangeStep {
        incident: incident.into(),
        step_ref: step_ref.into(),
        state: state.into(),
        reason: reason.map(str::to_string),
    })
    .expect("step");
}

/// Alice's incident: the team runbook with step 1 checked and step 2 skipped, a
/// hypothesis ruled out, a customer update, a private note, and her as leader.
fn alice_incident(alice: &mut Api, dir: &Path) -> IncidentSummary {
    let file = dir.join("payments-down.md");
    std::fs::write(&file, TEAM_RUNBOOK).expect("write runbook");
    let report = alice
        .import_runbooks(ImportPaths {
            paths: vec![file.display().to_string()],
        })
        .expect("import runbook");
    assert_eq!(report.failed, 0, "{report:?}");
    let incident = alice
        .start_incident(StartIncident {
            title: "Payments failing".into(),
            severity: Some("SEV1".into()),
            runbooks: vec!["payments-down".into()],
        })
        .expect("start");
    let id = incident.id.clone();
    step(alice, &id, "1", "checked", None);
    step(
        alice,
        &id,
        "2",
        "skipped",
        Some("the backup PSP is down too"),
    );
    let guess = note(
        alice,
        &id,
        "hypothesis",
        "the PSP's TLS certificate expired",
        false,
    );
    alice
        .conclude_finding(ConcludeFinding {
            event: guess.id,
            outcome: "ruled_out".into(),
            note: Some("valid until March".into()),
        })
        .expect("rule it out");
    note(
        alice,
        &id,
        "update",
        "Status page: payments degraded, investigating",
        false,
    );
    note(alice, &id, "note", "my own scratch note", true);
    alice
        .assign_role(AssignRole {
            incident: id.clone(),
            role: "leader".into(),
            person: "alice".into(),
        })
        .expect("leader");
    incident
}

/// Drafts alice's note to `to`, adds a line only she could write, and exports it.
fn export(alice: &mut Api, incident: &str, to: &str, path: &Path) -> (HandoffExported, String) {
    let draft = alice
        .draft_handoff(DraftHandoff {
            incident: incident.into(),
            to: Some(to.into()),
        })
        .expect("draft");
    let note = format!("{}\nCall the PSP at 06:00 about ticket 4411.\n", draft.note);
    let exported = alice
        .export_handoff(ExportHandoff {
            incident: incident.into(),
            to: to.into(),
            note: note.clone(),
            path: path.display().to_string(),
            overwrite: false,
        })
        .expect("export");
    (exported, note)
}

fn event_count(api: &Api) -> u64 {
    api.store().event_count().expect("count")
}

fn handoff_count(api: &mut Api, incident: &str) -> usize {
    api.incident_handoffs(IncidentRef {
        incident: Some(incident.into()),
    })
    .expect("handoffs")
    .len()
}

#[test]
fn the_draft_says_where_things_stand_and_what_was_ruled_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut alice = app(&dir.path().join("alice"), "alice");
    let incident = alice_incident(&mut alice, dir.path());
    let draft = alice
        .draft_handoff(DraftHandoff {
            incident: incident.id.clone(),
            to: Some(" bob ".into()),
        })
        .expect("draft");
    assert_eq!(draft.from, "alice");
    assert_eq!(draft.to.as_deref(), Some("bob"));
    assert_eq!(draft.watches, 0);
    for part in [
        "# Handoff: Payments failing",
        "From **alice** to **bob**",
        "**Severity:** SEV1",
        "leader alice",
        "Status page: payments degraded",
        "- [ ] 3 Tell the merchants",
        "the backup PSP is down too",
        "the PSP's TLS certificate expired",
        "ruled out by alice",
    ] {
        assert!(draft.note.contains(part), "{part:?} not in\n{}", draft.note);
    }
    assert!(
        !draft.note.contains("my own scratch note"),
        "private notes stay out"
    );

    // A watch this app runs is in the note: it stops when alice's laptop does. (Aimed at
    // a loopback port nothing listens on; the draft only reads the watch's registry.)
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a loopback port")
        .port();
    let watch = alice
        .start_watch(StartWatch {
            incident: incident.id.clone(),
            key: None,
            target: Some(format!("tcp://127.0.0.1:{port}")),
            every_secs: 60,
            profile: None,
            approve: false,
        })
        .expect("watch");
    let watched = alice
        .draft_handoff(DraftHandoff {
            incident: incident.id.clone(),
            to: None,
        })
        .expect("draft with a watch");
    alice
        .stop_watch(WatchRef { id: watch.id })
        .expect("stop the watch");
    assert_eq!(watched.watches, 1);
    assert_eq!(watched.to, None);
    assert!(
        watched.note.contains(&format!(
            "watching 127.0.0.1:{port} every 60s on my machine"
        )),
        "{}",
        watched.note
    );
    assert!(watched.note.contains("to **the next responder**"));
    let html = alice
        .render_markdown(MarkdownText {
            markdown: draft.note.clone(),
        })
        .expect("render");
    assert!(
        html.contains("<h1>Handoff: Payments failing</h1>"),
        "{html}"
    );
    let unsafe_html = alice
        .render_markdown(MarkdownText {
            markdown: "<script>alert(1)</script> [x](https://example.com)".into(),
        })
        .expect("render");
    assert!(!unsafe_html.contains("<script"), "{unsafe_html}");
    assert!(!unsafe_html.contains("href"), "{unsafe_html}");
}

#[test]
fn an_exported_bundle_is_imported_and_taken_over_by_the_person_it_is_for() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut alice = app(&dir.path().join("alice"), "alice");
    let mut bob = app(&dir.path().join("bob"), "bob");
    let incident = alice_incident(&mut alice, dir.path());
    let path = dir.path().join("handoff.firebreak.json");
    let (exported, note) = export(&mut alice, &incident.id, "bob", &path);
    assert_eq!(exported.path, path.display().to_string());
    assert_eq!(exported.runbooks, 1);
    assert_eq!(exported.handoff.to, "bob");
    assert!(exported.handoff.by_me && !exported.handoff.for_me);
    let text = std::fs::read_to_string(&path).expect("the bundle is on disk");
    assert_eq!(u32::try_from(text.len()).ok(), Some(exported.bytes));
    assert!(text.contains("Call the PSP at 06:00"));
    assert!(
        !text.contains("my own scratch note"),
        "private notes stay home"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );

    // The same path again is refused unless replacing it was asked for: nothing recorded.
    let before = handoff_count(&mut alice, &incident.id);
    let err = alice
        .export_handoff(ExportHandoff {
            incident: incident.id.clone(),
            to: "bob".into(),
            note: note.clone(),
            path: path.display().to_string(),
            overwrite: false,
        })
        .expect_err("the file is there");
    assert_eq!(err.code, ErrorCode::FileExists, "{err:?}");
    assert!(
        err.message.contains("nothing was recorded"),
        "{}",
        err.message
    );
    assert_eq!(handoff_count(&mut alice, &incident.id), before);
    // Nor into a folder that does not exist.
    let err = alice
        .export_handoff(ExportHandoff {
            incident: incident.id.clone(),
            to: "bob".into(),
            note: note.clone(),
            path: dir
                .path()
                .join("nowhere/handoff.json")
                .display()
                .to_string(),
            overwrite: false,
        })
        .expect_err("no such folder");
    assert_eq!(err.code, ErrorCode::Io, "{err:?}");
    assert_eq!(handoff_count(&mut alice, &incident.id), before);

    // Bob imports it: the same incident, checklist and note, taken over at once.
    let imported = bob
        .import_handoff(ImportHandoff {
            path: path.display().to_string(),
        })
        .expect("import");
    assert_eq!(imported.incident.id, incident.id);
    assert_eq!(imported.incident.title, "Payments failing");
    assert!(imported.auto_accepted, "{imported:?}");
    assert_eq!(imported.roles, ["leader"]);
    assert_eq!(imported.runbooks_added, 1, "the team runbook came along");
    assert!(imported.inserted >= 8, "{imported:?}");
    assert_eq!(imported.already_present, 0);
    assert_eq!(imported.handoff.note, note);
    assert!(imported.handoff.note_html.contains("Call the PSP at 06:00"));
    assert_eq!(imported.handoff.accepted_by.as_deref(), Some("bob"));
    assert!(imported.handoff.for_me);
    assert_eq!(imported.incident.leader.as_deref(), Some("bob"));

    let view = bob
        .incident_view(IncidentRef {
            incident: Some(incident.id.clone()),
        })
        .expect("bob's view");
    let states: Vec<&str> = view.runs[0].sections[0]
        .steps
        .iter()
        .map(|s| s.state.as_str())
        .collect();
    assert_eq!(states, ["checked", "skipped", "open"]);
    assert_eq!(
        view.runs[0].sections[0].steps[1].reason.as_deref(),
        Some("the backup PSP is down too")
    );
    let took_over = view
        .timeline
        .iter()
        .find(|e| e.kind == "handoff_accepted")
        .expect("the takeover is in the timeline");
    assert_eq!(took_over.author, "bob");
    assert_eq!(took_over.text, "Took over from alice");
    assert_eq!(took_over.label, "took over");
    let sent = view
        .timeline
        .iter()
        .find(|e| e.kind == "handoff_sent")
        .expect("the handoff is in the timeline");
    assert_eq!(sent.text, "Handed the incident to bob");
    let guess = view
        .timeline
        .iter()
        .find(|e| e.kind == "hypothesis")
        .expect("the hypothesis");
    assert_eq!(guess.outcome.as_deref(), Some("ruled_out"));
    assert!(view.timeline.iter().any(|e| e.kind == "update"));
    assert!(
        !view.timeline.iter().any(|e| e.text.contains("scratch")),
        "alice's private note never left"
    );
    assert!(bob.handoff_inbox().expect("inbox").is_empty());
    let history = bob
        .incident_handoffs(IncidentRef {
            incident: Some(incident.id.clone()),
        })
        .expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].from, "alice");
    assert_eq!(history[0].incident_title, "Payments failing");
    assert!(history[0].accepted_at.is_some());
    // Bob carries on where alice stopped.
    step(&mut bob, &incident.id, "3", "checked", None);

    // The same bundle again adds nothing, and is not a second takeover.
    let count = event_count(&bob);
    let again = bob
        .import_handoff(ImportHandoff {
            path: path.display().to_string(),
        })
        .expect("import again");
    assert_eq!(again.inserted, 0);
    assert_eq!(again.already_present, imported.inserted);
    assert_eq!(again.runbooks_added, 0);
    assert!(!again.auto_accepted);
    assert_eq!(again.handoff.accepted_by.as_deref(), Some("bob"));
    assert_eq!(event_count(&bob), count, "nothing doubled");
}

/// A bundle `edit` has been applied to, written beside the good one.
fn damaged(good: &Path, name: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
    let text = std::fs::read_to_string(good).expect("read");
    let path = good.with_file_name(name);
    std::fs::write(&path, edit(text)).expect("write");
    path
}

#[test]
fn a_damaged_bundle_is_refused_with_its_reason_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut alice = app(&dir.path().join("alice"), "alice");
    let mut bob = app(&dir.path().join("bob"), "bob");
    let incident = alice_incident(&mut alice, dir.path());
    let good = dir.path().join("handoff.json");
    export(&mut alice, &incident.id, "bob", &good);
    let count = event_count(&bob);

    let cases: Vec<(PathBuf, &str)> = vec![
        (
            damaged(&good, "truncated.json", |t| {
                let half = t.chars().count() / 2;
                t.chars().take(half).collect()
            }),
            "ends early",
        ),
        (
            damaged(&good, "edited.json", |t| {
                t.replace("Call the PSP at 06:00", "Call the CEO at 06:00")
            }),
            "checksum does not match",
        ),
        (
            damaged(&good, "garbage.json", |_| "handoff: yes\n".into()),
            "not valid JSON",
        ),
        (
            damaged(&good, "other.json", |_| "{\"hello\": 1}".into()),
            "not a Firebreak handoff bundle",
        ),
        (
            damaged(&good, "future.json", |t| {
                t.replacen("\"firebreak_handoff\": 1", "\"firebreak_handoff\": 7", 1)
            }),
            "newer Firebreak",
        ),
    ];
    for (path, reason) in cases {
        let err = bob
            .import_handoff(ImportHandoff {
                path: path.display().to_string(),
            })
            .expect_err("refused");
        assert_eq!(
            err.code,
            ErrorCode::BadBundle,
            "{}: {err:?}",
            path.display()
        );
        assert!(
            err.message.contains(reason),
            "{}: {:?} does not say {reason:?}",
            path.display(),
            err.message
        );
        assert!(
            err.message.contains(&path.display().to_string()),
            "names the file: {}",
            err.message
        );
        assert_eq!(
            event_count(&bob),
            count,
            "nothing imported from {}",
            path.display()
        );
    }
    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x7b]).expect("write");
    let err = bob
        .import_handoff(ImportHandoff {
            path: binary.display().to_string(),
        })
        .expect_err("not text");
    assert_eq!(err.code, ErrorCode::BadBundle, "{err:?}");
    assert!(err.message.contains("not text"), "{}", err.message);
    let err = bob
        .import_handoff(ImportHandoff {
            path: dir.path().join("missing.json").display().to_string(),
        })
        .expect_err("no file");
    assert_eq!(err.code, ErrorCode::Io, "{err:?}");
    assert_eq!(event_count(&bob), count);
    assert!(bob.list_incidents().expect("list").is_empty());
    assert!(bob.handoff_inbox().expect("inbox").is_empty());

    // The undamaged one still goes in.
    bob.import_handoff(ImportHandoff {
        path: good.display().to_string(),
    })
    .expect("the good bundle");
}

#[test]
fn a_handoff_for_someone_else_waits_and_needs_force() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut alice = app(&dir.path().join("alice"), "alice");
    let mut bob = app(&dir.path().join("bob"), "bob");
    let incident = alice_incident(&mut alice, dir.path());
    let path = dir.path().join("for-carol.json");
    export(&mut alice, &incident.id, "Carol", &path);

    let imported = bob
        .import_handoff(ImportHandoff {
            path: path.display().to_string(),
        })
        .expect("import");
    assert!(!imported.auto_accepted);
    assert!(!imported.handoff.for_me);
    assert_eq!(imported.handoff.accepted_by, None);
    assert!(bob.handoff_inbox().expect("inbox").is_empty(), "not bob's");

    let err = bob
        .accept_handoff(AcceptHandoff {
            handoff: imported.handoff.id.clone(),
            force: false,
        })
        .expect_err("not his");
    assert_eq!(err.code, ErrorCode::HandoffNotForYou, "{err:?}");
    assert!(
        err.message.contains("addressed to Carol"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("--force"), "{}", err.message);

    // Carol (the same laptop, her name typed in) sees it in her inbox.
    bob.set_author(SetAuthor {
        name: "carol".into(),
    })
    .expect("carol");
    let inbox = bob.handoff_inbox().expect("carol's inbox");
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].incident_title, "Payments failing");
    assert!(inbox[0].for_me);
    bob.set_author(SetAuthor { name: "bob".into() })
        .expect("bob again");

    let forced = bob
        .accept_handoff(AcceptHandoff {
            handoff: imported.handoff.short_id.clone(),
            force: true,
        })
        .expect("bob takes it anyway");
    assert!(forced.recorded);
    assert_eq!(forced.roles, ["leader"]);
    assert_eq!(forced.incident.leader.as_deref(), Some("bob"));
    let again = bob
        .accept_handoff(AcceptHandoff {
            handoff: imported.handoff.id.clone(),
            force: true,
        })
        .expect("again");
    assert!(!again.recorded, "taking it twice records nothing");

    bob.set_author(SetAuthor {
        name: "carol".into(),
    })
    .expect("carol");
    let err = bob
        .accept_handoff(AcceptHandoff {
            handoff: imported.handoff.id.clone(),
            force: false,
        })
        .expect_err("taken");
    assert_eq!(err.code, ErrorCode::HandoffTaken, "{err:?}");
    assert!(
        err.message.contains("already taken over by bob"),
        "{}",
        err.message
    );
    assert!(bob.handoff_inbox().expect("inbox").is_empty());
}

#[test]
fn hypotheses_and_actions_are_concluded_from_the_timeline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut api = app(&dir.path().join("app"), "alice");
    let incident = api
        .start_incident(StartIncident {
            title: "Search is slow".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("start");
    let guess = note(
        &mut api,
        &incident.id,
        "hypothesis",
        "the index is cold",
        false,
    );
    let act = note(
        &mut api,
        &incident.id,
        "action",
        "restart the search nodes",
        false,
    );
    let seen = note(&mut api, &incident.id, "observation", "p99 at 3 s", false);
    assert_eq!(guess.outcome, None);

    let conclude = |api: &mut Api, event: &str, outcome: &str| {
        api.conclude_finding(ConcludeFinding {
            event: event.into(),
            outcome: outcome.into(),
            note: None,
        })
    };
    let err = conclude(&mut api, &guess.id, "done").expect_err("a hypothesis is not done");
    assert_eq!(err.code, ErrorCode::Rejected, "{err:?}");
    assert!(
        err.message.contains("a hypothesis cannot be done"),
        "{}",
        err.message
    );
    let err = conclude(&mut api, &seen.id, "confirmed").expect_err("not a hypothesis");
    assert_eq!(err.code, ErrorCode::Rejected, "{err:?}");
    let err = conclude(&mut api, &guess.id, "maybe").expect_err("no such outcome");
    assert_eq!(err.code, ErrorCode::InvalidInput, "{err:?}");

    let ruled_out = conclude(&mut api, &guess.id, "ruled-out").expect("ruled out");
    assert_eq!(ruled_out.id, guess.id, "the entry of the hypothesis itself");
    assert_eq!(ruled_out.outcome.as_deref(), Some("ruled_out"));
    // New evidence: the latest conclusion stands.
    let confirmed = conclude(&mut api, &guess.short_id, "confirmed").expect("confirmed");
    assert_eq!(confirmed.outcome.as_deref(), Some("confirmed"));
    let done = api
        .conclude_finding(ConcludeFinding {
            event: act.id.clone(),
            outcome: "done".into(),
            note: Some("  all three back  ".into()),
        })
        .expect("done");
    assert_eq!(done.outcome.as_deref(), Some("done"));

    let view = api
        .incident_view(IncidentRef {
            incident: Some(incident.id.clone()),
        })
        .expect("view");
    let concluded: Vec<&str> = view
        .timeline
        .iter()
        .filter(|e| e.kind == "concluded")
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(
        concluded,
        [
            "Hypothesis ruled out: the index is cold",
            "Hypothesis confirmed: the index is cold",
            "Action done: restart the search nodes — all three back",
        ]
    );
    assert!(
        view.timeline
            .iter()
            .all(|e| e.kind != "concluded" || !e.is_finding)
    );
}

fn wait<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "waited {DEADLINE:?} for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_handoff_sent_through_the_hub_reaches_the_other_apps_inbox() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("hub");
    let alice_token = add_user(&data, "alice");
    let bob_token = add_user(&data, "bob");
    let hub = HubProcess::start(&data, &[]);

    // Without a hub, sending records the handoff and says nothing carries it.
    let mut alone = app(&dir.path().join("alone"), "alice");
    let solo = alone
        .start_incident(StartIncident {
            title: "Local only".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("start");
    let kept = alone
        .send_handoff(SendHandoff {
            incident: solo.id,
            to: "bob".into(),
            note: "all yours".into(),
        })
        .expect("send");
    assert_eq!(kept.hub_url, None);
    assert_eq!(kept.handoff.to, "bob");

    let mut alice = app(&dir.path().join("alice"), "alice");
    let mut bob = app(&dir.path().join("bob"), "bob");
    for (api, token) in [(&mut alice, &alice_token), (&mut bob, &bob_token)] {
        api.connect_hub(ConnectHub {
            url: hub.url(),
            token: token.clone(),
            offline: false,
        })
        .expect("connect");
    }
    let incident = alice_incident(&mut alice, dir.path());
    let empty = alice
        .send_handoff(SendHandoff {
            incident: incident.id.clone(),
            to: "bob".into(),
            note: "  \n".into(),
        })
        .expect_err("an empty note");
    assert_eq!(empty.code, ErrorCode::Rejected, "{empty:?}");
    let draft = alice
        .draft_handoff(DraftHandoff {
            incident: incident.id.clone(),
            to: Some("bob".into()),
        })
        .expect("draft");
    let sent = alice
        .send_handoff(SendHandoff {
            incident: incident.id.clone(),
            to: "bob".into(),
            note: draft.note,
        })
        .expect("send");
    assert_eq!(sent.hub_url.as_deref(), Some(hub.url().as_str()));
    assert!(sent.handoff.by_me);

    // The sync workers carry it: bob's inbox shows it with the incident's title.
    let inbox = wait("the handoff in bob's inbox", || {
        bob.handoff_inbox().ok().filter(|i| !i.is_empty())
    });
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id, sent.handoff.id);
    assert_eq!(inbox[0].from, "alice");
    assert_eq!(inbox[0].incident_title, "Payments failing");
    assert!(inbox[0].note.contains("# Handoff: Payments failing"));

    let taken = bob
        .accept_handoff(AcceptHandoff {
            handoff: inbox[0].id.clone(),
            force: false,
        })
        .expect("accept");
    assert!(taken.recorded);
    assert_eq!(taken.roles, ["leader"]);
    assert_eq!(taken.incident.leader.as_deref(), Some("bob"));
    assert!(bob.handoff_inbox().expect("inbox").is_empty());
    // The checklist came with the run (bob never imported the runbook).
    let view = bob
        .incident_view(IncidentRef {
            incident: Some(incident.id.clone()),
        })
        .expect("view");
    assert_eq!(view.runs[0].done, 1);
    assert_eq!(view.runs[0].skipped, 1);

    // And alice's app learns that bob took it over.
    let history = wait("bob's takeover back at alice's", || {
        alice
            .incident_handoffs(IncidentRef {
                incident: Some(incident.id.clone()),
            })
            .ok()
            .filter(|h| h.first().is_some_and(|h| h.accepted_by.is_some()))
    });
    assert_eq!(history[0].accepted_by.as_deref(), Some("bob"));
    let summary = wait("bob as leader at alice's", || {
        alice
            .list_incidents()
            .ok()
            .and_then(|l| l.into_iter().find(|i| i.id == incident.id))
            .filter(|i| i.leader.as_deref() == Some("bob"))
    });
    assert_eq!(summary.title, "Payments failing");
}
