//! Checking a pulled page before it is stored. A client stores the page's events and
//! the new cursor in one transaction; this says which events those are and refuses a
//! page that would move the cursor wrongly (a hub bug or a proxy that mangles
//! answers), because a cursor moved past events never fetched loses them for good.

use crate::event::Event;
use crate::ids::{DeviceId, EventId};
use crate::sync::wire::PullResponse;

/// What to store from one pull.
#[derive(Debug, Clone, PartialEq)]
pub struct PulledPage {
    /// Other devices' events, oldest first, authored by their hub users. The device's
    /// own events are left out: the local log already has them.
    pub events: Vec<Event>,
    /// The cursor to store with them.
    pub cursor: u64,
    /// The id of the event at `cursor` (the page's last, own events included), when the
    /// page had one. Stored with the cursor, it lets the next round check that the
    /// cursor still means the same place in the hub's log (see `cursor_still_holds`).
    pub cursor_event: Option<EventId>,
    /// Whether to pull again at once.
    pub more: bool,
    /// The clock offset the hub stamped on each event of the page that has one, in
    /// cursor order, the device's own events included (they are left out of `events`,
    /// not of this): the store keeps them beside the log.
    pub offsets: Vec<(EventId, i64)>,
}

/// Why a page is not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PullError {
    #[error("the hub answered cursor {cursor} to a pull after {after}; a cursor never goes back")]
    CursorWentBack { after: u64, cursor: u64 },
    #[error("the hub's page is out of order: event {id} has cursor {cursor}, not above {previous}")]
    OutOfOrder {
        id: EventId,
        cursor: u64,
        previous: u64,
    },
    #[error("the hub's page ends at cursor {last} but names {cursor} as the next cursor")]
    CursorBehindPage { last: u64, cursor: u64 },
    #[error("the hub served private event {0}; private events never leave their device")]
    PrivateEvent(EventId),
}

/// Checks `response`, the answer to a pull after `after`, for device `own`.
pub fn accept_pull(
    own: DeviceId,
    after: u64,
    response: PullResponse,
) -> Result<PulledPage, PullError> {
    if response.cursor < after {
        return Err(PullError::CursorWentBack {
            after,
            cursor: response.cursor,
        });
    }
    let mut previous = after;
    for hub_event in &response.events {
        if hub_event.cursor <= previous {
            return Err(PullError::OutOfOrder {
                id: hub_event.event.id,
                cursor: hub_event.cursor,
                previous,
            });
        }
        if hub_event.event.private {
            return Err(PullError::PrivateEvent(hub_event.event.id));
        }
        previous = hub_event.cursor;
    }
    if response.cursor < previous {
        return Err(PullError::CursorBehindPage {
            last: previous,
            cursor: response.cursor,
        });
    }
    let cursor_event = response
        .events
        .last()
        .filter(|last| last.cursor == response.cursor)
        .map(|last| last.event.id);
    let offsets = response
        .events
        .iter()
        .filter_map(|e| e.offset_ms.map(|offset| (e.event.id, offset)))
        .collect();
    Ok(PulledPage {
        cursor_event,
        offsets,
        events: response
            .events
            .into_iter()
            .filter(|e| e.event.device != own)
            .map(|e| e.event)
            .collect(),
        cursor: response.cursor,
        more: response.more,
    })
}

/// Whether the hub's log still holds `event` at `cursor`, from the answer to a pull of
/// one event after `cursor - 1`. A hub restored from a backup may have climbed back to
/// the same cursor with other events under it; comparing cursors alone would then skip
/// those events for good, so the client pulls everything again when this is false.
pub fn cursor_still_holds(cursor: u64, event: EventId, probe: &PullResponse) -> bool {
    probe
        .events
        .first()
        .is_some_and(|first| first.cursor == cursor && first.event.id == event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, FindingKind};
    use crate::sync::wire::HubEvent;
    use crate::test_support::LogBuilder;

    fn page(
        cursors: &[u64],
        cursor: u64,
        own: &mut LogBuilder,
        other: &mut LogBuilder,
    ) -> PullResponse {
        let events = cursors
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let log = if i % 2 == 0 { &mut *own } else { &mut *other };
                let event = log.push(EventBody::Finding {
                    finding: FindingKind::Note,
                    text: format!("n{c}"),
                });
                HubEvent {
                    cursor: *c,
                    received_at: event.recorded_at,
                    offset_ms: None,
                    device_author: event.author.clone(),
                    event,
                }
            })
            .collect();
        PullResponse {
            events,
            cursor,
            more: false,
            server_received_at: own.clock,
            server_sent_at: own.clock,
        }
    }

    #[test]
    fn own_events_are_left_out_and_the_cursor_kept() {
        let (mut own, mut other) = (LogBuilder::new("me"), LogBuilder::new("them"));
        let response = page(&[5, 6, 9, 12], 12, &mut own, &mut other);
        let pulled = accept_pull(own.device, 4, response).expect("accept");
        assert_eq!(pulled.cursor, 12);
        assert_eq!(pulled.events.len(), 2);
        assert!(pulled.events.iter().all(|e| e.device == other.device));
    }

    #[test]
    fn offsets_are_kept_for_every_stamped_event_own_ones_included() {
        let (mut own, mut other) = (LogBuilder::new("me"), LogBuilder::new("them"));
        let mut response = page(&[5, 6, 9, 12], 12, &mut own, &mut other);
        // Own, other, own, other; the second own event has no stamp.
        for (e, offset) in response
            .events
            .iter_mut()
            .zip([Some(-40), Some(250_000), None, Some(0)])
        {
            e.offset_ms = offset;
        }
        let expected: Vec<(EventId, i64)> = response
            .events
            .iter()
            .filter_map(|e| e.offset_ms.map(|o| (e.event.id, o)))
            .collect();
        assert_eq!(expected.len(), 3);
        let pulled = accept_pull(own.device, 4, response.clone()).expect("accept");
        assert_eq!(pulled.events.len(), 2, "own events left out of the events");
        assert_eq!(pulled.offsets, expected, "but not out of the offsets");
        assert_eq!(pulled.offsets[0].0, response.events[0].event.id);
        assert_eq!(response.events[0].event.device, own.device);
    }

    #[test]
    fn the_event_at_the_cursor_is_kept_even_when_it_is_our_own() {
        let (mut own, mut other) = (LogBuilder::new("me"), LogBuilder::new("them"));
        let response = page(&[5, 6], 6, &mut own, &mut other);
        let last = response.events[1].event.id;
        let first = response.events[0].event.id;
        let pulled = accept_pull(other.device, 4, response.clone()).expect("accept");
        // The page's last event is the other device's own: left out, but remembered.
        assert!(pulled.events.iter().all(|e| e.id != last));
        assert_eq!(pulled.cursor_event, Some(last));

        let mut probe = response;
        probe.events.remove(0);
        assert!(cursor_still_holds(6, last, &probe));
        assert!(!cursor_still_holds(6, first, &probe), "another event at 6");
        assert!(!cursor_still_holds(5, last, &probe), "the event moved");
        probe.events.clear();
        assert!(
            !cursor_still_holds(6, last, &probe),
            "the hub has nothing there"
        );
    }

    #[test]
    fn an_empty_page_keeps_the_cursor() {
        let (mut own, mut other) = (LogBuilder::new("me"), LogBuilder::new("them"));
        let response = page(&[], 7, &mut own, &mut other);
        assert_eq!(
            accept_pull(own.device, 7, response).expect("accept").cursor,
            7
        );
    }

    #[test]
    fn pages_that_would_move_the_cursor_wrongly_are_refused() {
        let (mut own, mut other) = (LogBuilder::new("me"), LogBuilder::new("them"));
        let back = page(&[], 3, &mut own, &mut other);
        assert!(matches!(
            accept_pull(own.device, 7, back),
            Err(PullError::CursorWentBack { .. })
        ));
        let stale = page(&[7, 8], 8, &mut own, &mut other);
        assert!(matches!(
            accept_pull(own.device, 7, stale),
            Err(PullError::OutOfOrder { cursor: 7, .. })
        ));
        let shuffled = page(&[9, 8], 9, &mut own, &mut other);
        assert!(matches!(
            accept_pull(own.device, 7, shuffled),
            Err(PullError::OutOfOrder { .. })
        ));
        let short = page(&[8, 9], 8, &mut own, &mut other);
        assert!(matches!(
            accept_pull(own.device, 7, short),
            Err(PullError::CursorBehindPage { .. })
        ));
        let mut private = page(&[8], 8, &mut own, &mut other);
        private.events[0].event.private = true;
        assert!(matches!(
            accept_pull(other.device, 7, private),
            Err(PullError::PrivateEvent(_))
        ));
    }
}
