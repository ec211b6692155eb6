//! An incident's merged timeline: every responder's events, amendments applied (the
//! `views::fold_timeline` fold), each placed at its clock-corrected time.
//!
//! A device's times are on the device's clock. The hub stamps each event, when it stores
//! it, with the device's offset it had measured then (`HubEvent::offset_ms`); where an
//! event carries one, the entry's `at` is the event's time plus that offset, so a laptop
//! five minutes fast no longer puts its findings five minutes late; both the typed time
//! (`occurred_at`, usually read off the same laptop's clock or typed as "10m ago") and
//! the recording time are corrected. The stamp is a fixed fact of the event, served
//! alike to every reader, so the hub and every laptop merge the same timeline however
//! the device's clock is estimated later. The raw times stay in the entry; events whose
//! offset is more than a minute are flagged `skewed` so that a reader knows to look twice.

use crate::event::EventKind;
use crate::ids::{DeviceId, EventId};
use crate::sync::clock::is_skewed;
use crate::sync::wire::HubEvent;
use crate::views::fold_timeline;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One line of the merged timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedEntry {
    pub id: EventId,
    /// The hub cursor of the event.
    pub cursor: u64,
    pub kind: EventKind,
    /// The hub user the device is bound to.
    pub author: String,
    pub device: DeviceId,
    pub seq: u64,
    /// The text as it stands (the latest amendment's).
    pub text: String,
    /// Clock-corrected: when it happened (else when it was recorded) on the hub's clock.
    pub at: DateTime<Utc>,
    /// As the device recorded them, uncorrected.
    pub recorded_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    /// The offset the hub stamped on the event, applied to `at` (`None`: the hub knew
    /// none when it stored the event; nothing applied).
    pub offset_ms: Option<i64>,
    /// That offset is more than a minute: the device's clock was off when it pushed.
    pub skewed: bool,
    /// Amendments, oldest first.
    pub amended_by: Vec<EventId>,
    pub retracted: bool,
    pub retraction_reason: Option<String>,
}

/// Merges an incident's hub events into its timeline, ordered by corrected time (ties:
/// device, then sequence number, so every reader orders them alike). Each entry is
/// shifted by its own event's `offset_ms` (hub clock minus device clock, in
/// milliseconds, as the hub stamped it on arrival); an event without one is not moved.
pub fn merge_timeline(events: &[HubEvent]) -> Vec<MergedEntry> {
    let served: HashMap<EventId, (u64, Option<i64>)> = events
        .iter()
        .map(|e| (e.event.id, (e.cursor, e.offset_ms)))
        .collect();
    let plain: Vec<_> = events.iter().map(|e| e.event.clone()).collect();
    let mut merged: Vec<MergedEntry> = fold_timeline(&plain)
        .into_iter()
        .map(|entry| {
            let event = entry.event;
            let (cursor, offset_ms) = served.get(&event.id).copied().unwrap_or((0, None));
            let at = event
                .effective_time()
                .checked_add_signed(Duration::milliseconds(offset_ms.unwrap_or(0)))
                .unwrap_or(event.effective_time());
            MergedEntry {
                id: event.id,
                cursor,
                kind: event.kind(),
                author: event.author.clone(),
                device: event.device,
                seq: event.seq,
                text: entry.text,
                at,
                recorded_at: event.recorded_at,
                occurred_at: event.occurred_at,
                offset_ms,
                skewed: offset_ms.is_some_and(is_skewed),
                amended_by: entry.amended_by,
                retracted: entry.retracted,
                retraction_reason: entry.retraction_reason,
            }
        })
        .collect();
    merged.sort_by(|a, b| {
        a.at.cmp(&b.at)
            .then_with(|| a.device.cmp(&b.device))
            .then_with(|| a.seq.cmp(&b.seq))
    });
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, EventBody, FindingKind};
    use crate::test_support::LogBuilder;

    /// The logs as a hub serves them, each event stamped with its device's offset in
    /// `offsets` (none for a device not in it).
    fn hub_events(logs: &[&LogBuilder], offsets: &HashMap<DeviceId, i64>) -> Vec<HubEvent> {
        let mut all: Vec<Event> = logs.iter().flat_map(|l| l.events.clone()).collect();
        all.sort_by_key(|e| e.recorded_at);
        all.into_iter()
            .enumerate()
            .map(|(i, event)| HubEvent {
                cursor: i as u64 + 1,
                received_at: event.recorded_at,
                offset_ms: offsets.get(&event.device).copied(),
                device_author: event.author.clone(),
                event,
            })
            .collect()
    }

    fn note(text: &str) -> EventBody {
        EventBody::Finding {
            finding: FindingKind::Note,
            text: text.into(),
        }
    }

    #[test]
    fn a_fast_clock_is_corrected_and_flagged() {
        // Alice's clock is right. Bob's laptop runs five minutes fast: his note, typed
        // two minutes after Alice's first, carries a time seven minutes after it, and
        // would sort after her third. Corrected, it lands between them.
        let mut alice = LogBuilder::new("alice");
        let mut bob = LogBuilder::new("bob");
        bob.incident = alice.incident;
        alice.push(note("alice first"));
        bob.clock = alice.clock + Duration::minutes(5) + Duration::minutes(1);
        bob.push(note("bob second"));
        alice.clock += Duration::minutes(2);
        alice.push(note("alice third"));

        let naive = merge_timeline(&hub_events(&[&alice, &bob], &HashMap::new()));
        let order: Vec<&str> = naive.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(order, ["alice first", "alice third", "bob second"]);
        assert!(naive.iter().all(|e| !e.skewed && e.offset_ms.is_none()));

        let offsets = HashMap::from([(bob.device, -300_000), (alice.device, 40)]);
        let merged = merge_timeline(&hub_events(&[&alice, &bob], &offsets));
        let order: Vec<&str> = merged.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(order, ["alice first", "bob second", "alice third"]);
        let bobs = &merged[1];
        assert!(bobs.skewed);
        assert_eq!(bobs.offset_ms, Some(-300_000));
        assert_eq!(bobs.at, bobs.recorded_at - Duration::minutes(5));
        assert!(!merged[0].skewed, "40 ms is not skew");
        assert_eq!(merged[0].offset_ms, Some(40));
        assert_eq!(
            merged[0].at,
            merged[0].recorded_at + Duration::milliseconds(40)
        );
        assert_eq!(bobs.author, "bob");
        assert!(merged.iter().all(|e| e.cursor > 0));
    }

    #[test]
    fn each_event_moves_by_its_own_stamp_not_its_devices_latest() {
        // Two devices whose events carry different stamps, and one device whose stamp
        // changed between two of its events (its clock was fixed in between): every
        // entry moves by the offset on its own event.
        let mut alice = LogBuilder::new("alice");
        let mut bob = LogBuilder::new("bob");
        bob.incident = alice.incident;
        alice.push(note("alice 13:01"));
        bob.clock = alice.clock + Duration::seconds(30);
        bob.push(note("bob early"));
        bob.push(note("bob late"));
        alice.push(note("alice 13:02"));
        let mut events = hub_events(&[&alice, &bob], &HashMap::new());
        let stamp = |text: &str| -> Option<i64> {
            match text {
                "alice 13:01" => Some(90_000),
                "alice 13:02" => None,
                "bob early" => Some(-120_000),
                "bob late" => Some(2_500),
                other => panic!("{other}"),
            }
        };
        for e in &mut events {
            let EventBody::Finding { text, .. } = &e.event.body else {
                panic!("only notes here");
            };
            e.offset_ms = stamp(text);
        }

        let merged = merge_timeline(&events);
        let by_text: HashMap<&str, &MergedEntry> =
            merged.iter().map(|e| (e.text.as_str(), e)).collect();
        for (text, entry) in &by_text {
            let offset = stamp(text);
            assert_eq!(entry.offset_ms, offset, "{text}");
            assert_eq!(
                entry.at,
                entry.recorded_at + Duration::milliseconds(offset.unwrap_or(0)),
                "{text}"
            );
            assert_eq!(
                entry.skewed,
                offset.is_some_and(|o| o.abs() > 60_000),
                "{text}"
            );
        }
        // Recorded 13:01, 13:02:30, 13:03:30 and 13:02; corrected: bob early 13:00:30,
        // alice 13:02 unmoved, alice 13:01 to 13:02:30 (past her later note: a device's
        // events move by their own stamps), bob late 13:03:32.5.
        let order: Vec<&str> = merged.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            order,
            ["bob early", "alice 13:02", "alice 13:01", "bob late"]
        );
        let devices: Vec<DeviceId> = merged.iter().map(|e| e.device).collect();
        assert_eq!(
            devices,
            [bob.device, alice.device, alice.device, bob.device]
        );
    }

    #[test]
    fn amendments_from_any_device_apply_and_are_not_entries() {
        let mut alice = LogBuilder::new("alice");
        let first = alice.push(note("LB 0/4 healthy"));
        alice.push_with(
            EventBody::Amended {
                text: "LB 1/4 healthy".into(),
            },
            |e| e.amends = Some(first.id),
        );
        let mut events = hub_events(&[&alice], &HashMap::new());
        // The entry keeps the stamp of the event it shows, not its amendment's.
        events[0].offset_ms = Some(1_000);
        events[1].offset_ms = Some(-500_000);
        let merged = merge_timeline(&events);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].text, "LB 1/4 healthy");
        assert_eq!(merged[0].amended_by.len(), 1);
        assert_eq!(merged[0].offset_ms, Some(1_000));
        assert!(!merged[0].skewed);
    }
}
