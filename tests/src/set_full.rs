//! The "set-full" check of a sync run: nothing lost, nothing doubled, nothing private
//! leaked.
//!
//! Named after Jepsen's set-full workload: clients add elements (here: events) while
//! the system is faulted, remember which additions were acknowledged, and at the end
//! every acknowledged element must be present exactly once, and everything that was
//! added and later healed must be everywhere. The check is a pure function of what
//! each store holds, what each store saw acknowledged, and what the hub serves, so it
//! reads the same in every sync test and reports every violation rather than the
//! first.

use firebreak_core::event::Event;
use firebreak_core::ids::{DeviceId, EventId};
use firebreak_core::sync::HubEvent;
use firebreak_store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One store at the end of a run.
#[derive(Debug, Clone)]
pub struct StoreView {
    /// For messages ("trial 3 store 1", "alice").
    pub label: String,
    pub device: DeviceId,
    /// The hub user its token belongs to (the hub serves its events as theirs).
    pub user: String,
    /// Every event in the store: its own and those it pulled.
    pub events: Vec<Event>,
    /// Its own shared events that it ever saw the hub acknowledge (its recorded
    /// high-water mark passed them), at any moment of the run.
    pub acknowledged: HashSet<EventId>,
}

/// Every event in `store`, read incident by incident; an event outside any known
/// incident would be missed, so the total is checked against the store's own count.
pub fn store_events(store: &Store) -> Result<Vec<Event>, StoreError> {
    let mut events = Vec::new();
    for incident in store.incident_ids()? {
        events.extend(store.incident_events(incident)?);
    }
    let count = store.event_count()?;
    if events.len() as u64 != count {
        return Err(StoreError::CorruptSyncState(format!(
            "the store counts {count} events but its incidents hold {}",
            events.len()
        )));
    }
    Ok(events)
}

/// Whether two copies of an event are the same event (the author aside: the hub
/// serves its user's name there).
pub fn same_content(a: &Event, b: &Event) -> bool {
    a.id == b.id
        && a.incident == b.incident
        && a.device == b.device
        && a.seq == b.seq
        && a.recorded_at == b.recorded_at
        && a.occurred_at == b.occurred_at
        && a.amends == b.amends
        && a.private == b.private
        && a.body == b.body
}

/// Everything that is wrong; empty when the run lost, doubled and leaked nothing.
///
/// `hub` is what the hub serves; events of devices that are not in `stores` are
/// ignored (a hub shared by many runs).
pub fn check(stores: &[StoreView], hub: &[HubEvent]) -> Vec<String> {
    let mut problems = Vec::new();
    let devices: HashMap<DeviceId, &StoreView> = stores.iter().map(|s| (s.device, s)).collect();
    let hub: Vec<&HubEvent> = hub
        .iter()
        .filter(|e| devices.contains_key(&e.event.device))
        .collect();

    // The hub: each id once, each (device, seq) once, nothing private.
    let mut hub_by_id: HashMap<EventId, &HubEvent> = HashMap::new();
    let mut hub_slots: HashMap<(DeviceId, u64), EventId> = HashMap::new();
    for e in &hub {
        let event = &e.event;
        if hub_by_id.insert(event.id, e).is_some() {
            problems.push(format!("the hub serves event {} twice", event.id));
        }
        if let Some(other) = hub_slots.insert((event.device, event.seq), event.id) {
            problems.push(format!(
                "the hub serves two events as device {} seq {}: {other} and {}",
                event.device, event.seq, event.id
            ));
        }
        if event.private {
            problems.push(format!("the hub serves private event {}", event.id));
        }
    }
    let hub_ids: HashSet<EventId> = hub_by_id.keys().copied().collect();

    for store in stores {
        let own: Vec<&Event> = store
            .events
            .iter()
            .filter(|e| e.device == store.device)
            .collect();
        // Own log: sequence numbers 1..=n without a gap.
        let mut seqs: Vec<u64> = own.iter().map(|e| e.seq).collect();
        seqs.sort_unstable();
        if seqs.iter().enumerate().any(|(i, s)| *s != i as u64 + 1) {
            problems.push(format!(
                "{}: its own sequence numbers are not 1..={}",
                store.label,
                seqs.len()
            ));
        }
        let own_by_id: HashMap<EventId, &Event> = own.iter().map(|e| (e.id, *e)).collect();

        // (a) Every acknowledged event is on the hub (exactly once: checked above).
        for id in &store.acknowledged {
            if !hub_ids.contains(id) {
                problems.push(format!(
                    "{}: event {id} was acknowledged but is not on the hub{}",
                    store.label,
                    own_by_id
                        .get(id)
                        .map(|e| format!(" (seq {})", e.seq))
                        .unwrap_or_default()
                ));
            }
        }
        // (b) Every own shared event reached the hub unchanged, under the store's
        // user; (d) no private one did.
        for event in &own {
            match hub_by_id.get(&event.id) {
                None if !event.private => problems.push(format!(
                    "{}: shared event {} (seq {}) never reached the hub",
                    store.label, event.id, event.seq
                )),
                None => {}
                Some(_) if event.private => problems.push(format!(
                    "{}: private event {} (seq {}) is on the hub",
                    store.label, event.id, event.seq
                )),
                Some(on_hub) => {
                    if !same_content(event, &on_hub.event) {
                        problems.push(format!(
                            "{}: event {} differs on the hub:\n  local {event:?}\n  hub   {:?}",
                            store.label, event.id, on_hub.event
                        ));
                    }
                    if on_hub.event.author != store.user {
                        problems.push(format!(
                            "{}: the hub serves event {} as {:?}'s, not {:?}'s",
                            store.label, event.id, on_hub.event.author, store.user
                        ));
                    }
                }
            }
        }

        // (c) Every store holds exactly the hub's events of the run (each once), plus
        // its own private ones; nobody else's private events.
        let mut counts: BTreeMap<EventId, usize> = BTreeMap::new();
        for event in &store.events {
            *counts.entry(event.id).or_default() += 1;
        }
        for (id, n) in &counts {
            if *n > 1 {
                problems.push(format!("{}: holds event {id} {n} times", store.label));
            }
        }
        let mut missing = 0;
        for id in &hub_ids {
            if !counts.contains_key(id) {
                missing += 1;
                if missing <= 5 {
                    problems.push(format!(
                        "{}: lacks event {id} of {}",
                        store.label,
                        devices
                            .get(&hub_by_id[id].event.device)
                            .map_or("?", |s| s.label.as_str())
                    ));
                }
            }
        }
        if missing > 5 {
            problems.push(format!(
                "{}: lacks {missing} of the hub's events in all",
                store.label
            ));
        }
        for event in &store.events {
            if event.device == store.device {
                continue;
            }
            if event.private {
                problems.push(format!(
                    "{}: holds another device's private event {}",
                    store.label, event.id
                ));
            }
            match hub_by_id.get(&event.id) {
                Some(on_hub) if event == &on_hub.event => {}
                Some(on_hub) => problems.push(format!(
                    "{}: its copy of {} differs from the hub's:\n  store {event:?}\n  hub   {:?}",
                    store.label, event.id, on_hub.event
                )),
                None if devices.contains_key(&event.device) => problems.push(format!(
                    "{}: holds event {} of another device that the hub does not serve",
                    store.label, event.id
                )),
                None => {}
            }
        }
    }
    problems
}

/// The problems as one message, at most `max` of them.
pub fn summarize(problems: &[String], max: usize) -> String {
    let mut text = problems
        .iter()
        .take(max)
        .map(|p| format!("- {p}"))
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > max {
        text.push_str(&format!("\n… and {} more", problems.len() - max));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use firebreak_core::event::{EventBody, FindingKind};
    use firebreak_core::ids::IncidentId;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-21T13:00:00Z")
            .expect("time")
            .to_utc()
    }

    fn event(device: DeviceId, seq: u64, private: bool) -> Event {
        Event {
            id: EventId::new_v7(),
            incident: IncidentId::new_v7(),
            author: "alice".into(),
            device,
            seq,
            recorded_at: at(),
            occurred_at: None,
            amends: None,
            private,
            body: EventBody::Finding {
                finding: FindingKind::Note,
                text: format!("note {seq}"),
            },
        }
    }

    fn served(event: &Event, cursor: u64) -> HubEvent {
        HubEvent {
            cursor,
            received_at: at(),
            offset_ms: None,
            device_author: event.author.clone(),
            event: event.clone(),
        }
    }

    /// Two stores that exchanged everything: A wrote 1 (shared) and 2 (private), B
    /// wrote 1 (shared).
    fn healthy() -> (Vec<StoreView>, Vec<HubEvent>) {
        let (a, b) = (DeviceId::new_v7(), DeviceId::new_v7());
        let a1 = event(a, 1, false);
        let a2 = event(a, 2, true);
        let b1 = event(b, 1, false);
        let hub = vec![served(&a1, 1), served(&b1, 2)];
        let stores = vec![
            StoreView {
                label: "a".into(),
                device: a,
                user: "alice".into(),
                events: vec![a1.clone(), a2, b1.clone()],
                acknowledged: [a1.id].into(),
            },
            StoreView {
                label: "b".into(),
                device: b,
                user: "alice".into(),
                events: vec![b1.clone(), a1],
                acknowledged: [b1.id].into(),
            },
        ];
        (stores, hub)
    }

    #[test]
    fn a_healthy_run_passes() {
        let (stores, hub) = healthy();
        assert_eq!(check(&stores, &hub), Vec::<String>::new());
    }

    #[test]
    fn a_lost_acknowledged_event_is_reported() {
        let (stores, mut hub) = healthy();
        hub.remove(0);
        let problems = check(&stores, &hub);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("acknowledged but is not on the hub")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("never reached the hub")));
    }

    #[test]
    fn a_doubled_event_is_reported_on_the_hub_and_in_a_store() {
        let (mut stores, mut hub) = healthy();
        hub.push(served(&hub[0].event.clone(), 3));
        let copy = stores[1].events[1].clone();
        stores[1].events.push(copy);
        let problems = check(&stores, &hub);
        assert!(
            problems.iter().any(|p| p.contains("serves event")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("times")), "{problems:?}");
    }

    #[test]
    fn a_leaked_private_event_is_reported() {
        let (mut stores, mut hub) = healthy();
        let private = stores[0].events[1].clone();
        hub.push(served(&private, 3));
        stores[1].events.push(private);
        let problems = check(&stores, &hub);
        assert!(
            problems.iter().any(|p| p.contains("private event")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("another device's private event")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_store_missing_a_pulled_event_or_holding_a_changed_one_is_reported() {
        let (mut stores, hub) = healthy();
        stores[1].events.pop();
        let mut changed = stores[0].events[2].clone();
        changed.body = EventBody::Finding {
            finding: FindingKind::Note,
            text: "rewritten".into(),
        };
        stores[0].events[2] = changed;
        let problems = check(&stores, &hub);
        assert!(
            problems.iter().any(|p| p.contains("b: lacks event")),
            "{problems:?}"
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("differs from the hub's")),
            "{problems:?}"
        );
    }
}
