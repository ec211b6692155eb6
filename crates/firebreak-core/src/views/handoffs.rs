//! Handoffs: who handed an incident to whom, and whether it was taken over. The inbox
//! (handoffs addressed to me, not yet accepted) and an incident's handoff history are
//! both read off this fold.

use crate::event::{Event, EventBody};
use crate::ids::{EventId, IncidentId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handoff {
    /// The `handoff_sent` event's id: the handoff's id.
    pub id: EventId,
    pub incident: IncidentId,
    pub from: String,
    pub to: String,
    pub sent_at: DateTime<Utc>,
    pub note: String,
    /// The first acceptance; later ones (a second laptop) change nothing.
    pub accepted: Option<Acceptance>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acceptance {
    pub event: EventId,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Handoff {
    /// Whether the handoff is addressed to `name`. Names are compared without regard to
    /// case or surrounding blanks: people type `Bob` and `bob` for the same person.
    pub fn is_for(&self, name: &str) -> bool {
        same_person(&self.to, name)
    }
}

/// Compares two people's names as typed.
pub fn same_person(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Every handoff in `events` (any incidents), oldest first, each with its acceptance.
/// An acceptance of a handoff that is not (yet) in the log is ignored.
pub fn fold_handoffs(events: &[Event]) -> Vec<Handoff> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| super::order::log_order(a, b));
    let mut handoffs: Vec<Handoff> = Vec::new();
    let mut index: HashMap<EventId, usize> = HashMap::new();
    let mut acceptances: Vec<(&Event, EventId)> = Vec::new();
    for event in sorted {
        match &event.body {
            EventBody::HandoffSent { to, note } => {
                index.insert(event.id, handoffs.len());
                handoffs.push(Handoff {
                    id: event.id,
                    incident: event.incident,
                    from: event.author.clone(),
                    to: to.clone(),
                    sent_at: event.recorded_at,
                    note: note.clone(),
                    accepted: None,
                });
            }
            EventBody::HandoffAccepted { handoff, .. } => acceptances.push((event, *handoff)),
            _ => {}
        }
    }
    acceptances.sort_by_key(|(e, _)| (e.recorded_at, e.id));
    for (event, handoff) in acceptances {
        if let Some(&i) = index.get(&handoff)
            && handoffs[i].accepted.is_none()
        {
            handoffs[i].accepted = Some(Acceptance {
                event: event.id,
                by: event.author.clone(),
                at: event.recorded_at,
            });
        }
    }
    handoffs.sort_by_key(|h| (h.sent_at, h.id));
    handoffs
}

/// The handoffs addressed to `me` that nobody has accepted yet, newest first.
pub fn inbox<'a>(handoffs: &'a [Handoff], me: &str) -> Vec<&'a Handoff> {
    let mut open: Vec<&Handoff> = handoffs
        .iter()
        .filter(|h| h.is_for(me) && h.accepted.is_none())
        .collect();
    open.reverse();
    open
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::LogBuilder;

    #[test]
    fn a_handoff_waits_in_the_inbox_until_it_is_accepted() {
        let mut alice = LogBuilder::new("alice");
        let sent = alice.push(EventBody::HandoffSent {
            to: "Bob".into(),
            note: "all yours".into(),
        });
        let handoffs = fold_handoffs(&alice.events);
        assert_eq!(handoffs.len(), 1);
        assert_eq!(handoffs[0].from, "alice");
        assert_eq!(inbox(&handoffs, " bob ").len(), 1, "names match loosely");
        assert!(inbox(&handoffs, "carol").is_empty());

        let mut bob = LogBuilder::new("bob");
        bob.incident = alice.incident;
        bob.clock = alice.clock;
        let taken = bob.push(EventBody::HandoffAccepted {
            handoff: sent.id,
            from: "alice".into(),
        });
        // A second acceptance (bob's other laptop) does not replace the first.
        bob.push(EventBody::HandoffAccepted {
            handoff: sent.id,
            from: "alice".into(),
        });
        let all: Vec<Event> = alice.events.iter().chain(&bob.events).cloned().collect();
        let handoffs = fold_handoffs(&all);
        let accepted = handoffs[0].accepted.as_ref().expect("accepted");
        assert_eq!(accepted.event, taken.id);
        assert_eq!(accepted.by, "bob");
        assert!(inbox(&handoffs, "bob").is_empty());
    }

    #[test]
    fn an_acceptance_of_an_unknown_handoff_is_ignored() {
        let mut bob = LogBuilder::new("bob");
        bob.push(EventBody::HandoffAccepted {
            handoff: EventId::new_v7(),
            from: "alice".into(),
        });
        assert!(fold_handoffs(&bob.events).is_empty());
    }
}
