//! The store's sync bookkeeping: the hub connection and its private token file, the
//! acknowledged sequence number, pulled pages stored with their cursor in one
//! transaction (skipping what is there, refusing what contradicts it), and the size
//! limit that keeps every event pushable.

use chrono::{Duration, SubsecRound, Utc};
use firebreak_core::event::{Event, EventBody, FindingKind, NewEvent, Severity};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_core::sync::MAX_EVENT_BYTES;
use firebreak_core::sync::clock::{ClockSample, RECENT_SAMPLES, RecordedSample};
use firebreak_store::{Store, StoreError, SyncFailure};
use std::os::unix::fs::PermissionsExt;

const HUB: &str = "http://127.0.0.1:4000";

fn store(dir: &tempfile::TempDir, name: &str) -> Store {
    Store::open(&dir.path().join(name)).expect("open store")
}

fn finding(text: &str) -> EventBody {
    EventBody::Finding {
        finding: FindingKind::Note,
        text: text.into(),
    }
}

/// Starts an incident on this device.
fn start_incident(store: &mut Store) -> Event {
    store
        .append(
            "alice",
            NewEvent::new(
                IncidentId::new_v7(),
                EventBody::IncidentStarted {
                    title: "t".into(),
                    severity: None,
                },
            ),
        )
        .expect("start")
}

/// An event as another device would have recorded it.
fn foreign(device: DeviceId, seq: u64, incident: IncidentId, body: EventBody) -> Event {
    Event {
        id: EventId::new_v7(),
        incident,
        author: "bob".into(),
        device,
        seq,
        recorded_at: Utc::now().trunc_subsecs(6),
        occurred_at: None,
        amends: None,
        private: false,
        body,
    }
}

fn started(device: DeviceId, incident: IncidentId) -> Event {
    foreign(
        device,
        1,
        incident,
        EventBody::IncidentStarted {
            title: "Checkout down".into(),
            severity: Some(Severity::Sev2),
        },
    )
}

#[test]
fn connecting_keeps_the_url_here_and_the_token_in_a_file_only_its_user_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir, "a");
    assert_eq!(store.hub_connection().expect("read"), None);
    assert_eq!(store.hub_token().expect("read"), None);

    store
        .connect_hub("http://127.0.0.1:4000/", " s3cret-token \n")
        .expect("connect");
    let hub = store.hub_connection().expect("read").expect("connected");
    assert_eq!(hub.url, "http://127.0.0.1:4000");
    assert_eq!((hub.acknowledged_seq, hub.pull_cursor), (0, 0));
    assert_eq!(
        store.hub_token().expect("read").as_deref(),
        Some("s3cret-token")
    );
    let mode = std::fs::metadata(store.token_path())
        .expect("token file")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);

    store.disconnect_hub().expect("disconnect");
    assert_eq!(store.hub_connection().expect("read"), None);
    assert!(!store.token_path().exists());
}

#[test]
fn the_same_hub_keeps_its_progress_and_another_hub_starts_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    store
        .connect_hub("http://127.0.0.1:4000", "t1")
        .expect("connect");
    store.record_acknowledged(HUB, 7).expect("ack");
    store.store_pulled(HUB, &[], 42, None).expect("cursor");

    store
        .connect_hub("http://127.0.0.1:4000", "t2")
        .expect("new token");
    let hub = store.hub_connection().expect("read").expect("connected");
    assert_eq!((hub.acknowledged_seq, hub.pull_cursor), (7, 42));
    assert_eq!(store.hub_token().expect("read").as_deref(), Some("t2"));

    store
        .connect_hub("http://127.0.0.1:5000", "t3")
        .expect("other hub");
    let hub = store.hub_connection().expect("read").expect("connected");
    assert_eq!((hub.acknowledged_seq, hub.pull_cursor), (0, 0));
}

#[test]
fn the_high_water_mark_only_moves_forward_unless_the_hub_resets_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    store.record_acknowledged(HUB, 10).expect("ack");
    store.record_acknowledged(HUB, 4).expect("a late answer");
    assert_eq!(
        store
            .hub_connection()
            .expect("read")
            .expect("hub")
            .acknowledged_seq,
        10
    );
    store
        .reset_acknowledged(HUB, 4)
        .expect("the hub lost events");
    assert_eq!(
        store
            .hub_connection()
            .expect("read")
            .expect("hub")
            .acknowledged_seq,
        4
    );
}

#[test]
fn own_events_and_the_pending_count_leave_private_ones_out_of_the_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    let start = start_incident(&mut store);
    let mut private = NewEvent::new(start.incident, finding("my own scratch"));
    private.private = true;
    store.append("alice", private).expect("private");
    store
        .append("alice", NewEvent::new(start.incident, finding("shared")))
        .expect("note");
    assert_eq!(store.own_last_seq().expect("seq"), 3);
    assert_eq!(store.pending_push_count().expect("pending"), 2);
    let after_one = store.own_events_after(1, 10).expect("events");
    assert_eq!(
        after_one.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![2, 3]
    );
    assert_eq!(store.own_events_after(0, 1).expect("limit").len(), 1);

    store.connect_hub(HUB, "t").expect("connect");
    store.record_acknowledged(HUB, 2).expect("ack");
    assert_eq!(store.pending_push_count().expect("pending"), 1);
}

#[test]
fn a_pulled_page_is_stored_once_with_its_cursor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    let bob = DeviceId::new_v7();
    let incident = IncidentId::new_v7();
    let page = vec![
        started(bob, incident),
        foreign(bob, 2, incident, finding("db replica lagging")),
    ];
    let stored = store
        .store_pulled(HUB, &page, 2, Some(page[1].id))
        .expect("store");
    assert_eq!((stored.inserted, stored.already_present), (2, 0));
    let hub = store.hub_connection().expect("read").expect("hub");
    assert_eq!(
        (hub.pull_cursor, hub.pull_cursor_event),
        (2, Some(page[1].id))
    );

    // The same page again (its answer was lost): nothing doubles, the cursor holds.
    let again = store.store_pulled(HUB, &page, 2, None).expect("again");
    assert_eq!((again.inserted, again.already_present), (0, 2));
    assert_eq!(store.event_count().expect("count"), 2);

    // Others' incidents and events read like local ones, with their authors.
    let state = store.incident(incident).expect("incident");
    assert_eq!(state.started_by, "bob");
    let events = store.incident_events(incident).expect("events");
    assert_eq!(events, page);

    // This device's own events echoed by the hub are not stored twice.
    let own = store
        .append("alice", NewEvent::new(incident, finding("mine")))
        .expect("append to a pulled incident");
    let echoed = store.store_pulled(HUB, &[own], 3, None).expect("echo");
    assert_eq!((echoed.inserted, echoed.already_present), (0, 1));
    assert_eq!(store.event_count().expect("count"), 3);
    assert_eq!(
        store
            .hub_connection()
            .expect("read")
            .expect("hub")
            .pull_cursor,
        3
    );

    // An older page cannot move the cursor back.
    store.store_pulled(HUB, &[], 1, None).expect("old page");
    assert_eq!(
        store
            .hub_connection()
            .expect("read")
            .expect("hub")
            .pull_cursor,
        3
    );
}

#[test]
fn a_different_event_under_a_known_id_or_number_is_refused_and_the_page_is_not_stored() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    let bob = DeviceId::new_v7();
    let incident = IncidentId::new_v7();
    let first = vec![started(bob, incident)];
    store.store_pulled(HUB, &first, 1, None).expect("store");

    let newcomer = foreign(bob, 2, incident, finding("fine"));
    let mut altered = first[0].clone();
    altered.body = finding("rewritten");
    let err = store
        .store_pulled(HUB, &[newcomer.clone(), altered], 5, None)
        .expect_err("altered content is refused");
    assert!(
        matches!(err, StoreError::SyncConflict { seq: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains(&first[0].id.to_string()), "{err}");

    let mut same_number = foreign(bob, 1, incident, finding("another event, same seq"));
    same_number.id = EventId::new_v7();
    let err = store
        .store_pulled(HUB, &[same_number], 5, None)
        .expect_err("a second event under one (device, seq) is refused");
    assert!(matches!(err, StoreError::SyncConflict { .. }), "{err}");

    // Nothing of either page went in, and the cursor did not move.
    assert_eq!(store.event_count().expect("count"), 1);
    assert_eq!(store.event(newcomer.id).expect("read"), None);
    assert_eq!(
        store
            .hub_connection()
            .expect("read")
            .expect("hub")
            .pull_cursor,
        1
    );
}

#[test]
fn a_pulled_page_needs_a_hub_connection() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    let bob = DeviceId::new_v7();
    let err = store
        .store_pulled(HUB, &[started(bob, IncidentId::new_v7())], 1, None)
        .expect_err("not connected");
    assert!(matches!(err, StoreError::NotConnected), "{err}");
    assert_eq!(store.event_count().expect("count"), 0);
}

#[test]
fn an_event_the_hub_would_refuse_for_its_size_is_refused_here_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    let start = start_incident(&mut store);
    let huge = "x".repeat(MAX_EVENT_BYTES);
    let err = store
        .append("alice", NewEvent::new(start.incident, finding(&huge)))
        .expect_err("too large");
    assert!(
        matches!(err, StoreError::EventTooLarge { limit, .. } if limit == MAX_EVENT_BYTES),
        "{err}"
    );
    assert!(err.to_string().contains("65536"), "{err}");
    assert_eq!(store.event_count().expect("count"), 1);
    assert_eq!(store.own_last_seq().expect("seq"), 1);
    // Just under the limit is fine.
    store
        .append(
            "alice",
            NewEvent::new(start.incident, finding(&"y".repeat(60_000))),
        )
        .expect("a large but pushable note");
}

#[test]
fn only_the_most_recent_clock_samples_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    let base = Utc::now().trunc_subsecs(6);
    for i in 0..(RECENT_SAMPLES as i64 + 5) {
        store
            .record_clock_sample(RecordedSample {
                sample: ClockSample {
                    offset_ms: i,
                    rtt_ms: 3,
                },
                received_at: base + Duration::seconds(i),
            })
            .expect("sample");
    }
    let samples = store.clock_samples().expect("samples");
    assert_eq!(samples.len(), RECENT_SAMPLES);
    assert_eq!(samples[0].sample.offset_ms, RECENT_SAMPLES as i64 + 4);
}

#[test]
fn the_outcome_of_a_round_is_kept_for_the_status() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    let at = Utc::now().trunc_subsecs(6);
    let failure = SyncFailure {
        kind: "unreachable".into(),
        message: "connection refused".into(),
    };
    store
        .record_sync_outcome(HUB, at, at, Some(&failure))
        .expect("failed");
    let hub = store.hub_connection().expect("read").expect("hub");
    assert_eq!(hub.last_attempt_at, Some(at));
    assert_eq!(hub.last_success_at, None);
    assert_eq!(hub.last_error, Some(failure));
    store
        .record_sync_outcome(HUB, at, at, None)
        .expect("succeeded");
    let hub = store.hub_connection().expect("read").expect("hub");
    assert_eq!(hub.last_success_at, Some(at));
    assert_eq!(hub.last_error, None);
}

#[test]
fn progress_from_a_hub_the_store_has_left_is_not_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    let other = "http://127.0.0.1:5000";
    store
        .connect_hub(other, "t2")
        .expect("connect elsewhere mid-round");
    // A round against the first hub finishes after the switch.
    store.record_acknowledged(HUB, 9).expect("late ack");
    let bob = DeviceId::new_v7();
    let err = store
        .store_pulled(HUB, &[started(bob, IncidentId::new_v7())], 77, None)
        .expect_err("a page from the old hub");
    assert!(matches!(err, StoreError::HubChanged), "{err}");
    let hub = store.hub_connection().expect("read").expect("hub");
    assert_eq!(hub.url, other);
    assert_eq!((hub.acknowledged_seq, hub.pull_cursor), (0, 0));
    assert_eq!(store.event_count().expect("count"), 0);
}

#[test]
fn an_empty_page_that_does_not_move_the_cursor_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = store(&dir, "a");
    store.connect_hub(HUB, "t").expect("connect");
    store.store_pulled(HUB, &[], 5, None).expect("cursor");
    // Another connection sees a commit as a change of data_version.
    let watcher = Store::open(&dir.path().join("a")).expect("second connection");
    let before = watcher.data_version().expect("version");
    store.store_pulled(HUB, &[], 5, None).expect("idle pull");
    store.store_pulled(HUB, &[], 3, None).expect("older page");
    assert_eq!(watcher.data_version().expect("version"), before);
    store
        .store_pulled(HUB, &[], 6, None)
        .expect("the cursor moves");
    assert_ne!(watcher.data_version().expect("version"), before);
}

#[test]
fn a_pulled_run_brings_its_runbook_so_the_checklist_can_be_followed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bob = store(&dir, "bob");
    bob.connect_hub(HUB, "t").expect("connect");
    let source = "---\nid: only-alice-has-it\n---\n# Only alice\n\n- [ ] one\n- [ ] two\n";
    let hash = firebreak_core::runbook::content_hash(source);
    let alice = DeviceId::new_v7();
    let incident = IncidentId::new_v7();
    let run = firebreak_core::ids::RunId::new_v7();
    let with_source = |source: Option<String>, hash: String| EventBody::RunbookRunStarted {
        run,
        runbook_id: "only-alice-has-it".into(),
        title: "Only alice".into(),
        content_hash: hash,
        source,
    };
    // A forged source (not matching its hash) is not kept.
    let forged_incident = IncidentId::new_v7();
    let page = [
        started(alice, incident),
        foreign(
            alice,
            2,
            incident,
            with_source(Some(source.into()), hash.clone()),
        ),
        started_at_seq(alice, 3, forged_incident),
        foreign(
            alice,
            4,
            forged_incident,
            with_source(Some("# Something else\n\n- [ ] x\n".into()), "f00d".into()),
        ),
    ];
    bob.store_pulled(HUB, &page, 4, None).expect("store page");

    let state = bob.incident(incident).expect("incident");
    let lists = bob.checklists(&state).expect("the pinned runbook is here");
    assert_eq!(lists[0].2.steps.len(), 2);
    assert!(
        bob.runbooks().expect("library").is_empty(),
        "a teammate's runbook is not put into the library as current"
    );
    let forged = bob.incident(forged_incident).expect("incident");
    let err = bob.checklists(&forged).expect_err("no forged runbook");
    assert!(matches!(err, StoreError::UnknownRunbookVersion(_)), "{err}");
}

fn started_at_seq(device: DeviceId, seq: u64, incident: IncidentId) -> Event {
    foreign(
        device,
        seq,
        incident,
        EventBody::IncidentStarted {
            title: "another".into(),
            severity: None,
        },
    )
}
