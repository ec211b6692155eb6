//! Handoffs between two real stores: the bundle carries the incident and its pinned
//! runbook, importing it twice (or after the hub delivered the same events) adds
//! nothing, a contradicting event refuses the whole bundle, and taking over moves the
//! outgoing responder's roles.

use chrono::Utc;
use firebreak_core::event::{EventBody, FindingKind, Role, Severity};
use firebreak_core::handoff::{decode_bundle, encode_bundle};
use firebreak_core::runbook::parse;
use firebreak_core::views::StepState;
use firebreak_store::{NewFinding, Store, StoreError};

/// A runbook only alice has: bob has never imported it.
const TEAM_RUNBOOK: &str = "---\nid: payments-down\n---\n# Payments down\n\n- [ ] Check the PSP status page\n- [ ] Fail over to the backup PSP\n- [ ] Tell the merchants\n";

fn store(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name)).expect("open store")
}

/// Alice's incident: the team runbook with step 1 checked, a finding, and her as leader.
fn alice_incident(alice: &mut Store) -> firebreak_core::views::IncidentState {
    let runbook = parse(TEAM_RUNBOOK, "payments-down").expect("runbook parses");
    alice.put_runbook(&runbook, "test").expect("import runbook");
    let state = alice
        .start_incident(
            "alice",
            "Payments failing",
            Some(Severity::Sev1),
            &["payments-down".to_string()],
        )
        .expect("start");
    alice
        .change_step("alice", &state, "1", StepState::Checked, None)
        .expect("check step 1");
    alice
        .add_finding(
            "alice",
            state.id,
            NewFinding {
                kind: FindingKind::Observation,
                text: "PSP returns 503 for 40% of calls".into(),
                occurred_at: None,
                private: false,
            },
        )
        .expect("finding");
    alice
        .add_finding(
            "alice",
            state.id,
            NewFinding {
                kind: FindingKind::Note,
                text: "my own scratch note".into(),
                occurred_at: None,
                private: true,
            },
        )
        .expect("private finding");
    alice
        .append(
            "alice",
            firebreak_core::event::NewEvent::new(
                state.id,
                EventBody::RoleAssigned {
                    role: Role::Leader,
                    person: "alice".into(),
                },
            ),
        )
        .expect("leader");
    alice.incident(state.id).expect("state")
}

/// Alice records a handoff to bob and writes the bundle text.
fn export(alice: &mut Store, state: &firebreak_core::views::IncidentState) -> String {
    let note = alice
        .draft_handoff(state, "alice", Some("bob"), &[], Utc::now())
        .expect("draft");
    let sent = alice
        .send_handoff("alice", state.id, "bob", &note)
        .expect("send");
    let payload = alice.handoff_bundle(&sent, Utc::now()).expect("bundle");
    encode_bundle(&payload).expect("encode")
}

#[test]
fn a_bundle_carries_the_incident_its_checklist_and_its_runbook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut alice = store(&dir, "alice");
    let mut bob = store(&dir, "bob");
    let state = alice_incident(&mut alice);
    let text = export(&mut alice, &state);
    assert!(
        !text.contains("my own scratch note"),
        "private findings stay home"
    );

    let payload = decode_bundle(&text).expect("decodes");
    let imported = bob.import_bundle(&payload).expect("import");
    assert_eq!(imported.incident, state.id);
    assert_eq!(imported.runbooks_added, 1, "the team runbook came along");
    assert!(imported.inserted >= 5, "{imported:?}");
    assert_eq!(imported.handoff.to, "bob");
    assert!(imported.handoff.accepted.is_none());

    // Bob's store continues the same incident with the same checklist state.
    let bobs = bob.incident(state.id).expect("bob has the incident");
    assert_eq!(bobs.title, "Payments failing");
    let lists = bob.checklists(&bobs).expect("bob can follow the run");
    let states: Vec<StepState> = lists[0].2.steps.iter().map(|s| s.state).collect();
    assert_eq!(
        states,
        [StepState::Checked, StepState::Open, StepState::Open]
    );
    assert_eq!(bob.handoff_inbox("Bob").expect("inbox").len(), 1);

    // Bob takes over: the takeover is an event, and alice's leader role moves to him.
    let accepted = bob
        .accept_handoff("bob", &payload.handoff.to_string(), false)
        .expect("accept");
    assert_eq!(accepted.roles, [Role::Leader]);
    assert!(accepted.event.is_some());
    assert_eq!(bob.incident(state.id).expect("state").leader(), Some("bob"));
    assert!(bob.handoff_inbox("bob").expect("inbox").is_empty());
    // Bob continues the checklist where alice left it.
    let bobs = bob.incident(state.id).expect("state");
    bob.change_step("bob", &bobs, "2", StepState::Checked, None)
        .expect("bob checks step 2");
}

#[test]
fn importing_twice_or_after_the_hub_adds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut alice = store(&dir, "alice");
    let mut bob = store(&dir, "bob");
    let state = alice_incident(&mut alice);
    let payload = decode_bundle(&export(&mut alice, &state)).expect("decodes");

    let first = bob.import_bundle(&payload).expect("first import");
    bob.accept_handoff("bob", &payload.handoff.to_string(), false)
        .expect("accept");
    let count = bob.event_count().expect("count");
    let again = bob.import_bundle(&payload).expect("second import");
    assert_eq!(again.inserted, 0);
    assert_eq!(again.already_present, first.inserted);
    assert_eq!(again.runbooks_added, 0);
    assert_eq!(bob.event_count().expect("count"), count, "nothing doubled");
    // Accepting again is not a second takeover.
    let repeat = bob
        .accept_handoff("bob", &payload.handoff.to_string(), false)
        .expect("accept again");
    assert!(repeat.event.is_none());
    assert_eq!(bob.event_count().expect("count"), count);

    // A bundle exported back to alice holds her own events: she keeps her log as is.
    let alice_count = alice.event_count().expect("count");
    let back = alice
        .import_bundle(&payload)
        .expect("alice imports her own");
    assert_eq!(back.inserted, 0);
    assert_eq!(alice.event_count().expect("count"), alice_count);
}

#[test]
fn a_bundle_that_contradicts_the_log_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut alice = store(&dir, "alice");
    let mut bob = store(&dir, "bob");
    let state = alice_incident(&mut alice);
    let payload = decode_bundle(&export(&mut alice, &state)).expect("decodes");
    bob.import_bundle(&payload).expect("import");
    let count = bob.event_count().expect("count");

    // The same (device, seq) with different content: someone rewrote alice's log.
    let mut forged = payload.clone();
    let i = forged
        .events
        .iter()
        .position(|e| matches!(e.body, EventBody::Finding { .. }))
        .expect("a finding");
    forged.events[i].id = firebreak_core::ids::EventId::new_v7();
    forged.events.push({
        let mut extra = forged.events[i].clone();
        extra.id = firebreak_core::ids::EventId::new_v7();
        extra.seq = 10_000;
        extra
    });
    let err = bob.import_bundle(&forged).expect_err("refused");
    assert!(matches!(err, StoreError::SyncConflict { .. }), "{err}");
    assert!(
        err.to_string().contains("the handoff bundle carries event"),
        "{err}"
    );
    assert_eq!(
        bob.event_count().expect("count"),
        count,
        "nothing was stored"
    );
}

#[test]
fn a_handoff_for_someone_else_needs_force_and_one_taken_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut alice = store(&dir, "alice");
    let mut bob = store(&dir, "bob");
    let state = alice_incident(&mut alice);
    let payload = decode_bundle(&export(&mut alice, &state)).expect("decodes");
    bob.import_bundle(&payload).expect("import");
    let id = payload.handoff.to_string();

    let err = bob
        .accept_handoff("carol", &id, false)
        .expect_err("not hers");
    assert!(
        err.to_string()
            .contains("addressed to bob, not to you (carol)"),
        "{err}"
    );
    let count = bob.event_count().expect("count");
    assert_eq!(bob.event_count().expect("count"), count);

    bob.accept_handoff("carol", &id, true)
        .expect("carol forces it");
    let err = bob.accept_handoff("bob", &id, false).expect_err("taken");
    assert!(
        err.to_string().contains("already taken over by carol"),
        "{err}"
    );

    // Only handoffs can be accepted.
    let other = payload.events[0].id.to_string();
    let err = bob
        .accept_handoff("bob", &other, false)
        .expect_err("not a handoff");
    assert!(err.to_string().contains("is not a handoff"), "{err}");
}
