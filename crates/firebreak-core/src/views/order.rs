//! The order in which events are folded.

use crate::event::Event;
use std::cmp::Ordering;

/// Log order: by the device's recording time, then device, then the device's sequence
/// number. Within one device the sequence number wins over a clock that went backwards.
pub fn log_order(a: &Event, b: &Event) -> Ordering {
    if a.device == b.device {
        return a.seq.cmp(&b.seq);
    }
    a.recorded_at
        .cmp(&b.recorded_at)
        .then_with(|| a.device.cmp(&b.device))
        .then_with(|| a.seq.cmp(&b.seq))
}

/// The events in log order, borrowed.
pub fn sort_log(events: &[Event]) -> Vec<&Event> {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| log_order(a, b));
    sorted
}
