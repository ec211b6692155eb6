//! Builds logs for unit tests: one device, times a minute apart.

use crate::event::{Event, EventBody};
use crate::ids::{DeviceId, EventId, IncidentId};
use chrono::{DateTime, Duration, Utc};

pub struct LogBuilder {
    pub author: String,
    pub device: DeviceId,
    pub incident: IncidentId,
    pub clock: DateTime<Utc>,
    pub events: Vec<Event>,
}

impl LogBuilder {
    pub fn new(author: &str) -> Self {
        Self {
            author: author.to_string(),
            device: DeviceId::new_v7(),
            incident: IncidentId::new_v7(),
            clock: DateTime::parse_from_rfc3339("2026-11-21T13:00:00Z")
                .expect("fixed")
                .to_utc(),
            events: Vec::new(),
        }
    }

    /// Appends an event one minute after the previous one and returns it.
    pub fn push(&mut self, body: EventBody) -> Event {
        self.push_with(body, |_| {})
    }

    pub fn push_with(&mut self, body: EventBody, edit: impl FnOnce(&mut Event)) -> Event {
        self.clock += Duration::minutes(1);
        let mut event = Event {
            id: EventId::new_v7(),
            incident: self.incident,
            author: self.author.clone(),
            device: self.device,
            seq: self.events.len() as u64 + 1,
            recorded_at: self.clock,
            occurred_at: None,
            amends: None,
            private: false,
            body,
        };
        edit(&mut event);
        self.events.push(event.clone());
        event
    }
}
