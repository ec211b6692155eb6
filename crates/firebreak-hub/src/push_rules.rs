//! The rules of a push, as pure functions: `validate` checks a request on its own
//! (before the database is touched), `decide` checks it against what the hub already
//! holds (inside the push's transaction). A storage implementation gathers the facts
//! `decide` needs and writes what it returns, so SQLite and a later PostgreSQL
//! implementation cannot differ on what is accepted.

use crate::http::HubConfig;
use firebreak_core::event::Event;
use firebreak_core::ids::{DeviceId, EventId};
use firebreak_core::sync::{ClockError, ClockSample, ErrorCode, ErrorDetail, PushRequest};
use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

/// Why a push (or a clock sample) was refused. Nothing of the request was stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "the batch has {entries} entries, over the hub's limit of {limit}; send it in smaller batches"
    )]
    BatchTooLarge { entries: usize, limit: usize },
    #[error("event {id} is {bytes} bytes as JSON, over the hub's limit of {limit}")]
    EventTooLarge {
        id: EventId,
        bytes: usize,
        limit: usize,
    },
    #[error(
        "event {id} was recorded on device {found}, but this push is for device {device}; a device pushes only its own events"
    )]
    WrongDevice {
        id: EventId,
        found: DeviceId,
        device: DeviceId,
    },
    #[error(
        "event {id} is private; private events never leave their device (send its sequence number in private_seqs)"
    )]
    PrivateEvent { id: EventId },
    #[error("the batch is not one run of sequence numbers: {0}")]
    NotContiguous(String),
    #[error("event {0} appears twice in the batch")]
    DuplicateId(EventId),
    #[error("the clock sample is refused: {0}")]
    BadClock(#[from] ClockError),
    #[error(
        "device {device} is bound to user {owner}; its events are pushed with {owner}'s token only"
    )]
    DeviceOfAnotherUser { device: DeviceId, owner: String },
    #[error("the batch starts at sequence number {first}, but the hub has device {device}'s events only up to {high_water}; send from {} on", high_water + 1)]
    SeqGap {
        device: DeviceId,
        first: u64,
        high_water: u64,
    },
    #[error(
        "event {id} is already stored with other content ({what}); an event never changes: record an amendment instead"
    )]
    Altered { id: EventId, what: String },
    #[error(
        "sequence number {seq} of device {device} is already event {existing} on the hub, not {id}"
    )]
    SeqTaken {
        device: DeviceId,
        seq: u64,
        existing: EventId,
        id: EventId,
    },
    #[error(
        "sequence number {seq} of device {device} was announced as private, but event {id} now claims it"
    )]
    PrivateSeqClaimed {
        device: DeviceId,
        seq: u64,
        id: EventId,
    },
    #[error(
        "sequence number {seq} of device {device} is event {existing} on the hub, but this push calls it private"
    )]
    StoredSeqCalledPrivate {
        device: DeviceId,
        seq: u64,
        existing: EventId,
    },
}

impl Refusal {
    pub fn code(&self) -> ErrorCode {
        match self {
            Refusal::BatchTooLarge { .. } => ErrorCode::BatchTooLarge,
            Refusal::EventTooLarge { .. } => ErrorCode::EventTooLarge,
            Refusal::WrongDevice { .. } => ErrorCode::WrongDevice,
            Refusal::PrivateEvent { .. } => ErrorCode::PrivateEvent,
            Refusal::NotContiguous(_) | Refusal::DuplicateId(_) => ErrorCode::BatchNotContiguous,
            Refusal::BadClock(_) => ErrorCode::BadParameter,
            Refusal::DeviceOfAnotherUser { .. } => ErrorCode::DeviceOfAnotherUser,
            Refusal::SeqGap { .. } => ErrorCode::SeqGap,
            Refusal::Altered { .. }
            | Refusal::SeqTaken { .. }
            | Refusal::PrivateSeqClaimed { .. }
            | Refusal::StoredSeqCalledPrivate { .. } => ErrorCode::EventConflict,
        }
    }

    /// The body the client receives.
    pub fn detail(&self) -> ErrorDetail {
        let mut detail = ErrorDetail::new(self.code(), self.to_string());
        detail.event = match self {
            Refusal::EventTooLarge { id, .. }
            | Refusal::WrongDevice { id, .. }
            | Refusal::PrivateEvent { id }
            | Refusal::DuplicateId(id)
            | Refusal::Altered { id, .. }
            | Refusal::SeqTaken { id, .. }
            | Refusal::PrivateSeqClaimed { id, .. } => Some(*id),
            Refusal::StoredSeqCalledPrivate { existing, .. } => Some(*existing),
            _ => None,
        };
        if let Refusal::SeqGap { high_water, .. } = self {
            detail.expected_seq = Some(high_water + 1);
        }
        detail
    }
}

/// An event of a push with the JSON it is stored as (serialized once, here).
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingEvent {
    pub event: Event,
    pub json: String,
}

/// A push that passed `validate`: ordered, contiguous, all of one device, none private.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidBatch {
    pub device: DeviceId,
    /// The sequence numbers the batch covers; `None` for an empty push (which asks for
    /// the high-water mark and stores nothing).
    pub range: Option<RangeInclusive<u64>>,
    pub events: Vec<IncomingEvent>,
    pub private_seqs: Vec<u64>,
    pub clock: Option<ClockSample>,
}

/// Checks a push on its own, in the order a client most needs to hear about.
pub fn validate(request: PushRequest, config: &HubConfig) -> Result<ValidBatch, Refusal> {
    let entries = request.events.len() + request.private_seqs.len();
    if entries > config.max_batch_entries {
        return Err(Refusal::BatchTooLarge {
            entries,
            limit: config.max_batch_entries,
        });
    }
    if let Some(clock) = &request.clock {
        clock.check()?;
    }
    let device = request.device;
    let mut ids = HashSet::with_capacity(request.events.len());
    let mut events = Vec::with_capacity(request.events.len());
    for event in request.events {
        if event.private {
            return Err(Refusal::PrivateEvent { id: event.id });
        }
        if event.device != device {
            return Err(Refusal::WrongDevice {
                id: event.id,
                found: event.device,
                device,
            });
        }
        if !ids.insert(event.id) {
            return Err(Refusal::DuplicateId(event.id));
        }
        // Serializing an `Event` cannot fail (string keys, no non-finite floats reach
        // it through JSON); were it to, the event is refused rather than stored badly.
        let json = serde_json::to_string(&event).map_err(|_| Refusal::EventTooLarge {
            id: event.id,
            bytes: usize::MAX,
            limit: config.max_event_bytes,
        })?;
        if json.len() > config.max_event_bytes {
            return Err(Refusal::EventTooLarge {
                id: event.id,
                bytes: json.len(),
                limit: config.max_event_bytes,
            });
        }
        events.push(IncomingEvent { event, json });
    }
    let range = contiguous_range(&events, &request.private_seqs)?;
    Ok(ValidBatch {
        device,
        range,
        events,
        private_seqs: request.private_seqs,
        clock: request.clock,
    })
}

/// The run of sequence numbers a batch covers: events ascending, private numbers
/// ascending, together every number from the first to the last exactly once.
fn contiguous_range(
    events: &[IncomingEvent],
    private_seqs: &[u64],
) -> Result<Option<RangeInclusive<u64>>, Refusal> {
    let ascending = |seqs: &mut dyn Iterator<Item = u64>, what: &str| {
        let mut previous = 0;
        for seq in seqs {
            if seq == 0 {
                return Err(Refusal::NotContiguous(format!(
                    "{what} has sequence number 0; they start at 1"
                )));
            }
            if seq > i64::MAX as u64 {
                return Err(Refusal::NotContiguous(format!(
                    "{what} has sequence number {seq}, beyond any log's length"
                )));
            }
            if seq <= previous {
                return Err(Refusal::NotContiguous(format!(
                    "{what} is not in ascending order: {seq} after {previous}"
                )));
            }
            previous = seq;
        }
        Ok(())
    };
    ascending(&mut events.iter().map(|e| e.event.seq), "events")?;
    ascending(&mut private_seqs.iter().copied(), "private_seqs")?;
    let mut all: Vec<u64> = events.iter().map(|e| e.event.seq).collect();
    all.extend_from_slice(private_seqs);
    all.sort_unstable();
    let (Some(&first), Some(&last)) = (all.first(), all.last()) else {
        return Ok(None);
    };
    for pair in all.windows(2) {
        if pair[0] == pair[1] {
            return Err(Refusal::NotContiguous(format!(
                "sequence number {} is both an event and private",
                pair[0]
            )));
        }
        if pair[1] != pair[0] + 1 {
            return Err(Refusal::NotContiguous(format!(
                "sequence numbers {} to {} are missing",
                pair[0] + 1,
                pair[1] - 1
            )));
        }
    }
    Ok(Some(first..=last))
}

/// What the hub holds at a sequence number of the device.
#[derive(Debug, Clone, PartialEq)]
pub enum Held {
    /// Boxed: the variants would otherwise differ in size by a whole event.
    Event(Box<Event>),
    Private,
}

/// What `decide` needs from storage, read inside the push's transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Existing {
    /// The device's high-water mark (0: nothing yet).
    pub high_water: u64,
    /// What the hub holds at the batch's sequence numbers up to the high-water mark.
    pub by_seq: HashMap<u64, Held>,
    /// Events the hub holds under the ids of the batch's events (any device), as their
    /// devices pushed them.
    pub by_id: HashMap<EventId, Event>,
}

/// What to write for an accepted push.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<'a> {
    pub new_events: Vec<&'a IncomingEvent>,
    pub new_private_seqs: Vec<u64>,
    /// Events of the batch the hub already had, identical.
    pub already_stored: usize,
    /// The device's high-water mark once written.
    pub acknowledged_seq: u64,
}

/// Checks a valid batch against what the hub holds.
pub fn decide<'a>(batch: &'a ValidBatch, existing: &Existing) -> Result<Decision<'a>, Refusal> {
    let high_water = existing.high_water;
    let Some(range) = &batch.range else {
        return Ok(Decision {
            new_events: Vec::new(),
            new_private_seqs: Vec::new(),
            already_stored: 0,
            acknowledged_seq: high_water,
        });
    };
    if *range.start() > high_water + 1 {
        return Err(Refusal::SeqGap {
            device: batch.device,
            first: *range.start(),
            high_water,
        });
    }
    let mut decision = Decision {
        new_events: Vec::new(),
        new_private_seqs: Vec::new(),
        already_stored: 0,
        acknowledged_seq: high_water.max(*range.end()),
    };
    for incoming in &batch.events {
        let event = &incoming.event;
        if let Some(stored) = existing.by_id.get(&event.id) {
            if stored == event {
                decision.already_stored += 1;
                continue;
            }
            return Err(Refusal::Altered {
                id: event.id,
                what: differences(stored, event),
            });
        }
        match existing.by_seq.get(&event.seq) {
            Some(Held::Event(other)) => {
                return Err(Refusal::SeqTaken {
                    device: batch.device,
                    seq: event.seq,
                    existing: other.id,
                    id: event.id,
                });
            }
            Some(Held::Private) => {
                return Err(Refusal::PrivateSeqClaimed {
                    device: batch.device,
                    seq: event.seq,
                    id: event.id,
                });
            }
            // Below the high-water mark a number is always held (batches are
            // contiguous); storing a missing one anyway closes the hole.
            None => decision.new_events.push(incoming),
        }
    }
    for &seq in &batch.private_seqs {
        match existing.by_seq.get(&seq) {
            Some(Held::Private) => {}
            Some(Held::Event(other)) => {
                return Err(Refusal::StoredSeqCalledPrivate {
                    device: batch.device,
                    seq,
                    existing: other.id,
                });
            }
            None => decision.new_private_seqs.push(seq),
        }
    }
    Ok(decision)
}

/// Names the fields in which two versions of an event differ, for the refusal.
fn differences(stored: &Event, sent: &Event) -> String {
    let mut fields = Vec::new();
    if stored.incident != sent.incident {
        fields.push("incident");
    }
    if stored.author != sent.author {
        fields.push("author");
    }
    if stored.device != sent.device {
        fields.push("device");
    }
    if stored.seq != sent.seq {
        fields.push("seq");
    }
    if stored.recorded_at != sent.recorded_at {
        fields.push("recorded_at");
    }
    if stored.occurred_at != sent.occurred_at {
        fields.push("occurred_at");
    }
    if stored.amends != sent.amends {
        fields.push("amends");
    }
    if stored.body != sent.body {
        fields.push("body");
    }
    if fields.is_empty() {
        "it differs".to_string()
    } else {
        format!(
            "{} differ{}",
            fields.join(", "),
            if fields.len() == 1 { "s" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use firebreak_core::event::{EventBody, FindingKind};
    use firebreak_core::ids::IncidentId;

    fn events(device: DeviceId, seqs: impl IntoIterator<Item = u64>) -> Vec<Event> {
        let incident = IncidentId::new_v7();
        seqs.into_iter()
            .map(|seq| Event {
                id: EventId::new_v7(),
                incident,
                author: "alice".into(),
                device,
                seq,
                recorded_at: Utc
                    .with_ymd_and_hms(2026, 11, 21, 13, 0, 0)
                    .single()
                    .expect("time"),
                occurred_at: None,
                amends: None,
                private: false,
                body: EventBody::Finding {
                    finding: FindingKind::Note,
                    text: format!("note {seq}"),
                },
            })
            .collect()
    }

    fn request(device: DeviceId, events: Vec<Event>, private_seqs: Vec<u64>) -> PushRequest {
        PushRequest {
            device,
            events,
            private_seqs,
            clock: None,
        }
    }

    fn valid(device: DeviceId, events: Vec<Event>, private_seqs: Vec<u64>) -> ValidBatch {
        validate(request(device, events, private_seqs), &HubConfig::default()).expect("valid")
    }

    #[test]
    fn a_contiguous_batch_with_private_numbers_is_valid() {
        let device = DeviceId::new_v7();
        let batch = valid(device, events(device, [3, 4, 6]), vec![5, 7]);
        assert_eq!(batch.range, Some(3..=7));
        assert_eq!(batch.events.len(), 3);
        assert!(batch.events[0].json.contains("\"seq\":3"));
        assert_eq!(valid(device, vec![], vec![]).range, None);
    }

    #[test]
    fn malformed_batches_are_refused_with_the_reason() {
        let device = DeviceId::new_v7();
        let config = HubConfig::default();
        let check = |events: Vec<Event>, private: Vec<u64>| {
            validate(request(device, events, private), &config).expect_err("refused")
        };
        assert!(
            matches!(check(events(device, [1, 3]), vec![]), Refusal::NotContiguous(m) if m.contains("2 to 2"))
        );
        assert!(
            matches!(check(events(device, [2, 1]), vec![]), Refusal::NotContiguous(m) if m.contains("ascending"))
        );
        assert!(
            matches!(check(events(device, [1, 2]), vec![2]), Refusal::NotContiguous(m) if m.contains("both"))
        );
        assert!(
            matches!(check(events(device, [0]), vec![]), Refusal::NotContiguous(m) if m.contains("start at 1"))
        );
        let mut private = events(device, [1]);
        private[0].private = true;
        assert!(matches!(
            check(private, vec![]),
            Refusal::PrivateEvent { .. }
        ));
        let other = events(DeviceId::new_v7(), [1]);
        assert!(matches!(check(other, vec![]), Refusal::WrongDevice { .. }));
        let mut twice = events(device, [1, 2]);
        twice[1].id = twice[0].id;
        assert!(matches!(check(twice, vec![]), Refusal::DuplicateId(_)));
        let mut big = events(device, [1]);
        big[0].body = EventBody::Finding {
            finding: FindingKind::Note,
            text: "x".repeat(70_000),
        };
        assert!(matches!(
            check(big, vec![]),
            Refusal::EventTooLarge { limit: 65536, .. }
        ));
        assert!(matches!(
            check(events(device, 1..=1001), vec![]),
            Refusal::BatchTooLarge {
                entries: 1001,
                limit: 1000
            }
        ));
        let mut clocked = request(device, vec![], vec![]);
        clocked.clock = Some(ClockSample {
            offset_ms: 0,
            rtt_ms: u64::MAX,
        });
        assert!(matches!(
            validate(clocked, &config),
            Err(Refusal::BadClock(_))
        ));
    }

    #[test]
    fn a_new_batch_continues_the_high_water_mark() {
        let device = DeviceId::new_v7();
        let batch = valid(device, events(device, [4, 5]), vec![6]);
        let existing = Existing {
            high_water: 3,
            ..Existing::default()
        };
        let decision = decide(&batch, &existing).expect("accepted");
        assert_eq!(decision.new_events.len(), 2);
        assert_eq!(decision.new_private_seqs, vec![6]);
        assert_eq!(decision.acknowledged_seq, 6);
        let gap = Existing {
            high_water: 2,
            ..Existing::default()
        };
        let refusal = decide(&batch, &gap).expect_err("gap");
        assert_eq!(refusal.code(), ErrorCode::SeqGap);
        assert_eq!(refusal.detail().expected_seq, Some(3));
    }

    #[test]
    fn a_resent_batch_is_a_no_op_and_an_altered_one_is_refused() {
        let device = DeviceId::new_v7();
        let evs = events(device, [1, 2]);
        let batch = valid(device, evs.clone(), vec![3]);
        let existing = Existing {
            high_water: 3,
            by_seq: HashMap::from([
                (1, Held::Event(Box::new(evs[0].clone()))),
                (2, Held::Event(Box::new(evs[1].clone()))),
                (3, Held::Private),
            ]),
            by_id: evs.iter().map(|e| (e.id, e.clone())).collect(),
        };
        let decision = decide(&batch, &existing).expect("re-send");
        assert!(decision.new_events.is_empty() && decision.new_private_seqs.is_empty());
        assert_eq!(decision.already_stored, 2);
        assert_eq!(decision.acknowledged_seq, 3);

        let mut altered = evs.clone();
        altered[1].body = EventBody::Finding {
            finding: FindingKind::Note,
            text: "changed".into(),
        };
        let refusal = decide(&valid(device, altered, vec![3]), &existing).expect_err("altered");
        assert_eq!(refusal.code(), ErrorCode::EventConflict);
        assert_eq!(refusal.detail().event, Some(evs[1].id));
        assert!(refusal.to_string().contains("body differs"), "{refusal}");

        let mut renumbered = evs.clone();
        renumbered[1].id = EventId::new_v7();
        let refusal = decide(&valid(device, renumbered, vec![3]), &existing).expect_err("seq");
        assert!(matches!(refusal, Refusal::SeqTaken { seq: 2, .. }));

        let claimed = events(device, [3]);
        let refusal = decide(&valid(device, claimed, vec![]), &existing).expect_err("claimed");
        assert!(matches!(refusal, Refusal::PrivateSeqClaimed { seq: 3, .. }));

        let refusal = decide(&valid(device, vec![], vec![2]), &existing).expect_err("hidden");
        assert!(matches!(
            refusal,
            Refusal::StoredSeqCalledPrivate { seq: 2, .. }
        ));
    }
}
