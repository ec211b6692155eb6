//! The post-mortem draft, the store's side: the incident's events and their clock
//! offsets folded into the draft, and changes to it appended as `postmortem_edited`
//! events. Nothing about the draft is stored but events: every copy is a fold, so the
//! draft on this laptop equals the hub's once both hold the same events.

use crate::error::StoreError;
use crate::store::Store;
use firebreak_core::event::{Event, EventBody, NewEvent};
use firebreak_core::ids::{EventId, IncidentId};
use firebreak_core::postmortem::{PostmortemChange, PostmortemDraft, Section, fold_postmortem};

impl Store {
    /// The incident's post-mortem draft as this store's events make it.
    pub fn postmortem_draft(&self, incident: IncidentId) -> Result<PostmortemDraft, StoreError> {
        let events = self.incident_events(incident)?;
        let offsets = self.event_clock_offsets(incident)?;
        fold_postmortem(&events, &offsets)
            .ok_or_else(|| StoreError::UnknownIncident(incident.to_string()))
    }

    /// Appends one change to the draft. The store checks that whatever it refers to
    /// (an action, a timeline entry, the versions it replaces) is in this incident.
    pub fn edit_postmortem(
        &mut self,
        author: &str,
        incident: IncidentId,
        edit: PostmortemChange,
    ) -> Result<Event, StoreError> {
        self.append(
            author,
            NewEvent::new(incident, EventBody::PostmortemEdited { edit }),
        )
    }

    /// Writes a section's text. `replaces` names the versions the writer saw; `None`
    /// means "everything standing now" (a terminal command that reads and writes in
    /// one go). An editor that was open while others wrote passes the versions it
    /// opened, so that text written meanwhile becomes a visible conflict instead of
    /// being replaced unseen.
    pub fn set_postmortem_section(
        &mut self,
        author: &str,
        incident: IncidentId,
        section: Section,
        text: &str,
        replaces: Option<Vec<EventId>>,
    ) -> Result<Event, StoreError> {
        let replaces = match replaces {
            Some(ids) => ids,
            None => self
                .postmortem_draft(incident)?
                .section(section)
                .map(|s| s.heads.clone())
                .unwrap_or_default(),
        };
        self.edit_postmortem(
            author,
            incident,
            PostmortemChange::Section {
                section,
                text: text.to_string(),
                replaces,
            },
        )
    }
}
