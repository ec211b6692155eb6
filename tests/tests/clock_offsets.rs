//! The clock offset the hub stamps on each event when it stores it reaches every laptop
//! unchanged: two responders sync through a real `firebreak-hub` process and their
//! stores hold the same offset for every event of the incident (their own events
//! included, which come back to them in pulls), equal to what the hub serves and to
//! what its merged timeline applies. A post-mortem rendered on either laptop or on the
//! hub therefore corrects every time alike.
//!
//! Network rule: the hub and every client here are on 127.0.0.1.

use firebreak_core::ids::{EventId, IncidentId};
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::Laptop;
use std::collections::{HashMap, HashSet};

fn incident_id(text: &str) -> IncidentId {
    text.parse().expect("an incident id")
}

fn offsets(laptop: &Laptop, incident: IncidentId) -> HashMap<EventId, i64> {
    laptop
        .open_store()
        .event_clock_offsets(incident)
        .expect("read the clock offsets")
}

#[test]
fn two_laptops_keep_the_identical_offsets_the_hub_stamped() {
    let hub = HubProcess::start_fresh(&[]);
    assert!(hub.url().starts_with("http://127.0.0.1:"), "{}", hub.url());
    let reader_token = hub.add_user("reader");
    let alice = Laptop::new("alice");
    let bob = Laptop::new("bob");
    alice.connect(&hub.url(), &hub.add_user("alice")).ok();
    bob.connect(&hub.url(), &hub.add_user("bob")).ok();

    // Alice's first push carries no clock sample (her store has measured none yet);
    // her later pushes and all of Bob's after his first pull do.
    let text = alice.start_incident("Checkout is down");
    let incident = incident_id(&text);
    alice.note(&text, "alice: 502s from the payments API");
    alice.sync_ok();
    bob.sync_ok();
    bob.note(&text, "bob: the PSP status page is green");
    bob.note(&text, "bob: rolled back the 12:40 deploy");
    bob.sync_ok();
    alice.note(&text, "alice: error rate back under 1%");
    alice.sync_ok();
    // Another incident, so that the maps are seen to be per incident.
    let other = bob.start_incident("Search is slow");
    bob.note(&other, "bob: p99 at 4 s");
    bob.sync_ok();
    alice.sync_ok();
    bob.sync_ok();

    // What the hub serves: every event of the incident, stamped or not.
    let reader = HubReader::new(&hub.url(), &reader_token);
    let served: Vec<_> = reader
        .all_events()
        .expect("pull from the hub")
        .into_iter()
        .filter(|e| e.event.incident == incident)
        .collect();
    assert_eq!(served.len(), 5, "{served:#?}");
    let stamped: HashMap<EventId, i64> = served
        .iter()
        .filter_map(|e| e.offset_ms.map(|o| (e.event.id, o)))
        .collect();
    let devices: HashSet<_> = served
        .iter()
        .filter(|e| e.offset_ms.is_some())
        .map(|e| e.event.device)
        .collect();
    assert_eq!(
        devices.len(),
        2,
        "both devices' later events are stamped: {served:#?}"
    );

    let on_alice = offsets(&alice, incident);
    let on_bob = offsets(&bob, incident);
    assert_eq!(on_alice, on_bob, "the same map on both laptops");
    assert_eq!(on_alice, stamped, "and the hub's stamps, no more, no fewer");
    let alice_device = alice.open_store().device();
    assert!(
        served
            .iter()
            .any(|e| e.event.device == alice_device && on_alice.contains_key(&e.event.id)),
        "alice keeps the stamps of her own events, pulled back from the hub"
    );

    // The hub's merged timeline applies exactly these stamps.
    let timeline = reader.timeline(incident).expect("timeline");
    assert_eq!(timeline.entries.len(), 5);
    for entry in &timeline.entries {
        assert_eq!(
            entry.offset_ms,
            on_alice.get(&entry.id).copied(),
            "{entry:?}"
        );
    }

    // The other incident's stamps are in its own map only.
    let other = incident_id(&other);
    let other_on_alice = offsets(&alice, other);
    assert_eq!(other_on_alice, offsets(&bob, other));
    assert!(
        !other_on_alice.is_empty(),
        "bob's sample preceded that push"
    );
    assert!(other_on_alice.keys().all(|id| !on_alice.contains_key(id)));
}
