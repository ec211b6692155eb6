//! The order in which events are folded.
//!
//! Every store must fold the same set of events into the same view, whatever order
//! they arrived in (a laptop that pulled bob's events before carol's must agree with
//! one that pulled them the other way round). So the order depends on the events
//! alone: each device's events in sequence order, merged by recording time, ties broken
//! by device id.

use crate::event::Event;
use crate::ids::DeviceId;
use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap};

/// Log order between two events: by the device's recording time, then device, then
/// the device's sequence number. Within one device the sequence number wins over a
/// clock that went backwards. (As a comparison it is not transitive when a device's
/// clock went backwards; `sort_log` is the total order to use for a whole log.)
pub fn log_order(a: &Event, b: &Event) -> Ordering {
    if a.device == b.device {
        return a.seq.cmp(&b.seq);
    }
    a.recorded_at
        .cmp(&b.recorded_at)
        .then_with(|| a.device.cmp(&b.device))
        .then_with(|| a.seq.cmp(&b.seq))
}

/// The events in log order, borrowed: each device's events in sequence order, merged
/// by taking, at every step, the earliest-recorded head among the devices (ties by
/// device id). The result depends only on the set of events, never on their input
/// order, even when a device's clock went backwards.
pub fn sort_log(events: &[Event]) -> Vec<&Event> {
    let mut by_device: BTreeMap<DeviceId, Vec<&Event>> = BTreeMap::new();
    for event in events {
        by_device.entry(event.device).or_default().push(event);
    }
    let mut streams: Vec<std::vec::IntoIter<&Event>> = by_device
        .into_values()
        .map(|mut stream| {
            // Equal sequence numbers only in a corrupt log; the id keeps it stable.
            stream.sort_by(|a, b| a.seq.cmp(&b.seq).then_with(|| a.id.cmp(&b.id)));
            stream.into_iter()
        })
        .collect();
    let mut heads = BinaryHeap::with_capacity(streams.len());
    for (index, stream) in streams.iter_mut().enumerate() {
        if let Some(head) = stream.next() {
            heads.push(Reverse(Head { event: head, index }));
        }
    }
    let mut sorted = Vec::with_capacity(events.len());
    while let Some(Reverse(Head { event, index })) = heads.pop() {
        sorted.push(event);
        if let Some(next) = streams[index].next() {
            heads.push(Reverse(Head { event: next, index }));
        }
    }
    sorted
}

/// The next event of one device's stream, ordered by recording time, then device.
struct Head<'a> {
    event: &'a Event,
    index: usize,
}

impl Ord for Head<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.event
            .recorded_at
            .cmp(&other.event.recorded_at)
            .then_with(|| self.event.device.cmp(&other.event.device))
    }
}

impl PartialOrd for Head<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, FindingKind};
    use crate::ids::{EventId, IncidentId};
    use chrono::{DateTime, Duration, Utc};

    fn event(device: DeviceId, seq: u64, at: DateTime<Utc>) -> Event {
        Event {
            id: EventId::new_v7(),
            incident: IncidentId::new_v7(),
            author: "a".into(),
            device,
            seq,
            recorded_at: at,
            occurred_at: None,
            amends: None,
            private: false,
            body: EventBody::Finding {
                finding: FindingKind::Note,
                text: format!("{seq}"),
            },
        }
    }

    fn permutations(items: &[Event]) -> Vec<Vec<Event>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut all = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.to_vec();
            let first = rest.remove(i);
            for mut tail in permutations(&rest) {
                tail.insert(0, first.clone());
                all.push(tail);
            }
        }
        all
    }

    #[test]
    fn the_order_depends_on_the_events_not_on_how_they_arrived_even_with_a_clock_that_went_back() {
        let t0 = Utc::now();
        let a = DeviceId::new_v7();
        let b = DeviceId::new_v7();
        // Device a's clock jumped back between its first and second event, so the
        // pairwise comparison is a cycle: a1 < a2 (seq), a2 < b1 (time), b1 < a1 (time).
        let log = vec![
            event(a, 1, t0 + Duration::seconds(5)),
            event(a, 2, t0 + Duration::seconds(3)),
            event(b, 1, t0 + Duration::seconds(4)),
            event(b, 2, t0 + Duration::seconds(6)),
        ];
        let expected: Vec<EventId> = sort_log(&log).iter().map(|e| e.id).collect();
        for arrival in permutations(&log) {
            let got: Vec<EventId> = sort_log(&arrival).iter().map(|e| e.id).collect();
            assert_eq!(got, expected);
        }
        // Each device's events stay in sequence order.
        let sorted = sort_log(&log);
        let a_seqs: Vec<u64> = sorted
            .iter()
            .filter(|e| e.device == a)
            .map(|e| e.seq)
            .collect();
        assert_eq!(a_seqs, vec![1, 2]);
    }

    #[test]
    fn events_of_several_devices_interleave_by_recording_time() {
        let t0 = Utc::now();
        let a = DeviceId::new_v7();
        let b = DeviceId::new_v7();
        let log = vec![
            event(a, 1, t0),
            event(a, 2, t0 + Duration::seconds(10)),
            event(b, 1, t0 + Duration::seconds(5)),
        ];
        let order: Vec<(DeviceId, u64)> =
            sort_log(&log).iter().map(|e| (e.device, e.seq)).collect();
        assert_eq!(order, vec![(a, 1), (b, 1), (a, 2)]);
    }
}
