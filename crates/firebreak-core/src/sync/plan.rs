//! What a device pushes: its own events above the hub's high-water mark, cut into
//! batches the hub accepts. Pure, so that the rules are tested without a hub.
//!
//! The hub needs every batch to continue the device's sequence without a hole, so a
//! private event still takes its place in a batch — as its sequence number alone, in
//! `private_seqs`. Its content never leaves the device.

use crate::event::Event;
use crate::ids::{DeviceId, EventId};
use crate::sync::clock::ClockSample;
use crate::sync::limits::{
    BODY_ENVELOPE_BYTES, MAX_BATCH_ENTRIES, MAX_BODY_BYTES, MAX_EVENT_BYTES,
};
use crate::sync::wire::PushRequest;

/// How large a batch may be; the defaults are the hub's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushLimits {
    /// Entries (events plus private sequence numbers) per batch.
    pub max_entries: usize,
    /// One event as JSON.
    pub max_event_bytes: usize,
    /// The events of one batch as JSON, together.
    pub max_batch_bytes: usize,
}

impl Default for PushLimits {
    fn default() -> Self {
        Self {
            max_entries: MAX_BATCH_ENTRIES,
            max_event_bytes: MAX_EVENT_BYTES,
            max_batch_bytes: MAX_BODY_BYTES - BODY_ENVELOPE_BYTES,
        }
    }
}

/// One push: the contiguous sequence numbers `first_seq..=last_seq` of the device.
#[derive(Debug, Clone, PartialEq)]
pub struct PushBatch<'a> {
    pub first_seq: u64,
    pub last_seq: u64,
    /// The shared events of the range, in sequence order.
    pub events: Vec<&'a Event>,
    /// The private events' sequence numbers in the range, ascending.
    pub private_seqs: Vec<u64>,
}

impl PushBatch<'_> {
    /// The request that sends this batch.
    pub fn request(&self, device: DeviceId, clock: Option<ClockSample>) -> PushRequest {
        PushRequest {
            device,
            events: self.events.iter().map(|e| (*e).clone()).collect(),
            private_seqs: self.private_seqs.clone(),
            clock,
        }
    }

    /// Entries in the batch.
    pub fn len(&self) -> usize {
        self.events.len() + self.private_seqs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why nothing can be planned. Each one is a fault to report, not to retry: pushing
/// past it would lose events or be refused by the hub forever.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(
        "event {id} was recorded on device {found}, not on this one ({device}); a device pushes only its own events"
    )]
    ForeignEvent {
        id: EventId,
        device: DeviceId,
        found: DeviceId,
    },
    #[error("the local log is not contiguous: expected sequence number {expected}, found {found}")]
    Gap { expected: u64, found: u64 },
    #[error(
        "the local log goes up to sequence number {local_last_seq}, but the events given stop before {expected}"
    )]
    Missing { expected: u64, local_last_seq: u64 },
    #[error(
        "the hub has acknowledged this device's events up to {acknowledged}, but the local log ends at {local_last_seq}: the hub holds events this store no longer has (was it restored from an older copy?)"
    )]
    HubAhead {
        acknowledged: u64,
        local_last_seq: u64,
    },
    #[error(
        "event {id} is {bytes} bytes as JSON, over the hub's limit of {limit}: it can never be pushed, and the events after it wait behind it"
    )]
    EventTooLarge {
        id: EventId,
        bytes: usize,
        limit: usize,
    },
}

/// Bytes a private sequence number takes in a body (digits and a comma), at most.
const PRIVATE_SEQ_BYTES: usize = 21;

/// Plans the pushes that bring the hub up to date with this device.
///
/// - `local_last_seq`: the device's newest sequence number.
/// - `acknowledged`: the hub's high-water mark for the device (0 when it has nothing).
/// - `events`: the device's events in sequence order; those at or below `acknowledged`
///   are skipped, and every one above it up to `local_last_seq` must be there, private
///   ones included (they are planned as numbers only).
///
/// Returns the batches in the order to send them; none when the hub is up to date.
pub fn plan_push<'a>(
    device: DeviceId,
    local_last_seq: u64,
    acknowledged: u64,
    events: &'a [Event],
    limits: PushLimits,
) -> Result<Vec<PushBatch<'a>>, PlanError> {
    if acknowledged > local_last_seq {
        return Err(PlanError::HubAhead {
            acknowledged,
            local_last_seq,
        });
    }
    let max_entries = limits.max_entries.max(1);
    let mut batches: Vec<PushBatch<'a>> = Vec::new();
    let mut current: Option<(PushBatch<'a>, usize)> = None;
    let mut expected = acknowledged + 1;
    for event in events.iter().filter(|e| e.seq > acknowledged) {
        if event.device != device {
            return Err(PlanError::ForeignEvent {
                id: event.id,
                device,
                found: event.device,
            });
        }
        if event.seq != expected {
            return Err(PlanError::Gap {
                expected,
                found: event.seq,
            });
        }
        let bytes = if event.private {
            PRIVATE_SEQ_BYTES
        } else {
            let bytes = serde_json::to_vec(event).map_or(usize::MAX, |json| json.len());
            if bytes > limits.max_event_bytes {
                return Err(PlanError::EventTooLarge {
                    id: event.id,
                    bytes,
                    limit: limits.max_event_bytes,
                });
            }
            bytes + 1
        };
        let full = current.as_ref().is_some_and(|(batch, used)| {
            batch.len() >= max_entries || used.saturating_add(bytes) > limits.max_batch_bytes
        });
        if full && let Some((batch, _)) = current.take() {
            batches.push(batch);
        }
        let (batch, used) = current.get_or_insert_with(|| {
            (
                PushBatch {
                    first_seq: event.seq,
                    last_seq: event.seq,
                    events: Vec::new(),
                    private_seqs: Vec::new(),
                },
                0,
            )
        });
        batch.last_seq = event.seq;
        *used = used.saturating_add(bytes);
        if event.private {
            batch.private_seqs.push(event.seq);
        } else {
            batch.events.push(event);
        }
        expected += 1;
    }
    if expected <= local_last_seq {
        return Err(PlanError::Missing {
            expected,
            local_last_seq,
        });
    }
    if let Some((batch, _)) = current {
        batches.push(batch);
    }
    Ok(batches)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, FindingKind};
    use crate::test_support::LogBuilder;

    fn note(text: &str) -> EventBody {
        EventBody::Finding {
            finding: FindingKind::Note,
            text: text.into(),
        }
    }

    fn log_of(n: usize, private_every: usize) -> LogBuilder {
        let mut log = LogBuilder::new("alice");
        for i in 1..=n {
            log.push_with(note(&format!("note {i}")), |e| {
                e.private = private_every > 0 && i % private_every == 0
            });
        }
        log
    }

    fn limits(max_entries: usize) -> PushLimits {
        PushLimits {
            max_entries,
            ..PushLimits::default()
        }
    }

    #[test]
    fn unacknowledged_events_are_cut_into_contiguous_batches() {
        let log = log_of(25, 0);
        let batches = plan_push(log.device, 25, 3, &log.events, limits(10)).expect("plan");
        let ranges: Vec<(u64, u64, usize)> = batches
            .iter()
            .map(|b| (b.first_seq, b.last_seq, b.len()))
            .collect();
        assert_eq!(ranges, vec![(4, 13, 10), (14, 23, 10), (24, 25, 2)]);
        let seqs: Vec<u64> = batches
            .iter()
            .flat_map(|b| b.events.iter().map(|e| e.seq))
            .collect();
        assert_eq!(seqs, (4..=25).collect::<Vec<_>>());
    }

    #[test]
    fn private_events_are_never_planned_only_their_numbers() {
        for private_every in [1, 2, 3, 7] {
            for max_entries in [1, 2, 5, 1000] {
                let log = log_of(30, private_every);
                let batches =
                    plan_push(log.device, 30, 0, &log.events, limits(max_entries)).expect("plan");
                let mut covered = Vec::new();
                for batch in &batches {
                    assert!(batch.len() <= max_entries);
                    for event in &batch.events {
                        assert!(!event.private, "private event {} planned", event.seq);
                    }
                    let request = batch.request(log.device, None);
                    assert!(request.events.iter().all(|e| !e.private));
                    let mut seqs: Vec<u64> = batch.events.iter().map(|e| e.seq).collect();
                    seqs.extend(&batch.private_seqs);
                    seqs.sort_unstable();
                    assert_eq!(seqs, (batch.first_seq..=batch.last_seq).collect::<Vec<_>>());
                    covered.extend(seqs);
                }
                assert_eq!(covered, (1..=30).collect::<Vec<_>>());
                let privates: Vec<u64> = batches
                    .iter()
                    .flat_map(|b| b.private_seqs.clone())
                    .collect();
                let expected: Vec<u64> =
                    (1..=30).filter(|i| i % private_every as u64 == 0).collect();
                assert_eq!(privates, expected);
            }
        }
    }

    #[test]
    fn an_up_to_date_hub_gets_nothing() {
        let log = log_of(5, 0);
        assert_eq!(
            plan_push(log.device, 5, 5, &log.events, limits(10)),
            Ok(vec![])
        );
        assert_eq!(plan_push(log.device, 0, 0, &[], limits(10)), Ok(vec![]));
    }

    #[test]
    fn a_gap_or_a_repeat_in_the_local_log_is_refused() {
        let mut log = log_of(6, 0);
        log.events.remove(3);
        assert_eq!(
            plan_push(log.device, 6, 0, &log.events, limits(10)),
            Err(PlanError::Gap {
                expected: 4,
                found: 5
            })
        );
        let mut log = log_of(3, 0);
        let again = log.events[1].clone();
        log.events.insert(2, again);
        assert_eq!(
            plan_push(log.device, 3, 0, &log.events, limits(10)),
            Err(PlanError::Gap {
                expected: 3,
                found: 2
            })
        );
    }

    #[test]
    fn missing_newest_events_are_refused() {
        let log = log_of(4, 0);
        assert_eq!(
            plan_push(log.device, 6, 2, &log.events, limits(10)),
            Err(PlanError::Missing {
                expected: 5,
                local_last_seq: 6
            })
        );
    }

    #[test]
    fn another_devices_event_is_refused() {
        let log = log_of(2, 0);
        let other = DeviceId::new_v7();
        assert!(matches!(
            plan_push(other, 2, 0, &log.events, limits(10)),
            Err(PlanError::ForeignEvent { .. })
        ));
    }

    #[test]
    fn a_hub_ahead_of_the_local_log_is_reported() {
        let log = log_of(2, 0);
        assert_eq!(
            plan_push(log.device, 2, 9, &log.events, limits(10)),
            Err(PlanError::HubAhead {
                acknowledged: 9,
                local_last_seq: 2
            })
        );
    }

    #[test]
    fn batches_are_cut_by_bytes_and_an_oversized_event_is_refused() {
        let mut log = LogBuilder::new("alice");
        for _ in 0..10 {
            log.push(note(&"x".repeat(1000)));
        }
        let by_bytes = PushLimits {
            max_entries: 1000,
            max_event_bytes: 4096,
            max_batch_bytes: 3500,
        };
        let batches = plan_push(log.device, 10, 0, &log.events, by_bytes).expect("plan");
        assert!(batches.len() >= 4, "{} batches", batches.len());
        for batch in &batches {
            let bytes: usize = batch
                .events
                .iter()
                .map(|e| serde_json::to_vec(e).expect("json").len() + 1)
                .sum();
            assert!(bytes <= 3500, "{bytes}");
        }
        let tight = PushLimits {
            max_event_bytes: 500,
            ..by_bytes
        };
        assert!(matches!(
            plan_push(log.device, 10, 0, &log.events, tight),
            Err(PlanError::EventTooLarge { limit: 500, .. })
        ));
    }
}
