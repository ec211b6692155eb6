//! Handoffs, the store's side: gathering what the draft reads, recording the handoff
//! and the takeover as events, writing and importing the bundle file.
//!
//! Sending through the hub is only appending the `handoff_sent` event: sync carries it
//! like any other, and the recipient's inbox is a fold over their store.

use crate::error::StoreError;
use crate::events::{EVENT_COLUMNS, query_events};
use crate::foreign::{Arrival, merge_foreign};
use crate::runbooks::adopt_runbook;
use crate::store::Store;
use chrono::{DateTime, Utc};
use firebreak_core::event::{Event, EventBody, NewEvent, Role};
use firebreak_core::handoff::{
    BundlePayload, BundledRunbook, DraftInput, RunningWatch, draft_note,
};
use firebreak_core::ids::IncidentId;
use firebreak_core::rules::Rejection;
use firebreak_core::views::{Handoff, IncidentState, fold_handoffs, inbox, same_person};
use rusqlite::TransactionBehavior;

/// What importing a bundle did.
#[derive(Debug, Clone, PartialEq)]
pub struct BundleImport {
    pub incident: IncidentId,
    pub title: String,
    /// Events new to this store.
    pub inserted: usize,
    /// Events it already had (an earlier import, or the hub got there first).
    pub already_present: usize,
    /// Pinned runbook versions that were new here.
    pub runbooks_added: usize,
    /// The handoff the bundle delivers, as it stands after the import.
    pub handoff: Handoff,
}

/// What accepting a handoff did.
#[derive(Debug, Clone, PartialEq)]
pub struct HandoffAccepted {
    pub handoff: Handoff,
    /// The takeover event, or `None` when this responder had already taken it over.
    pub event: Option<Event>,
    /// The roles the outgoing responder held, now assigned to the one taking over.
    pub roles: Vec<Role>,
}

impl Store {
    /// Drafts the handoff note for `state` from `from` to `to` (if known).
    pub fn draft_handoff(
        &self,
        state: &IncidentState,
        from: &str,
        to: Option<&str>,
        watches: &[RunningWatch],
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let events = self.incident_events(state.id)?;
        let checklists: Vec<_> = self
            .checklists(state)?
            .into_iter()
            .map(|(run, _, checklist)| (run, checklist))
            .collect();
        let public: Vec<Event> = events.iter().filter(|e| !e.private).cloned().collect();
        let probes = firebreak_core::views::fold_probes(&public);
        Ok(draft_note(&DraftInput {
            state,
            events: &events,
            checklists: &checklists,
            probes: &probes,
            watches,
            from,
            to,
            now,
        }))
    }

    /// Records the handoff of `incident` from `author` to `to` with `note`. Sync carries
    /// it to the hub; the recipient sees it in their inbox.
    pub fn send_handoff(
        &mut self,
        author: &str,
        incident: IncidentId,
        to: &str,
        note: &str,
    ) -> Result<Event, StoreError> {
        self.append(
            author,
            NewEvent::new(
                incident,
                EventBody::HandoffSent {
                    to: to.trim().to_string(),
                    note: note.to_string(),
                },
            ),
        )
    }

    /// The bundle that carries `handoff` (a `handoff_sent` event) and its incident:
    /// every event but private ones, and the runbook versions its runs pin.
    pub fn handoff_bundle(
        &self,
        handoff: &Event,
        now: DateTime<Utc>,
    ) -> Result<BundlePayload, StoreError> {
        let EventBody::HandoffSent { to, note } = &handoff.body else {
            return Err(Rejection::NotAHandoff(handoff.id.to_string()).into());
        };
        let state = self.incident(handoff.incident)?;
        let events: Vec<Event> = self
            .incident_events(handoff.incident)?
            .into_iter()
            .filter(|e| !e.private)
            .collect();
        let mut runbooks = Vec::new();
        for run in &state.runs {
            if let Some((title, source)) =
                self.runbook_version_source(&run.runbook_id, &run.content_hash)?
            {
                runbooks.push(BundledRunbook {
                    runbook_id: run.runbook_id.clone(),
                    content_hash: run.content_hash.clone(),
                    title,
                    source,
                });
            }
        }
        Ok(BundlePayload {
            incident: state.id,
            title: state.title,
            from: handoff.author.clone(),
            to: to.clone(),
            created_at: now,
            handoff: handoff.id,
            note: note.clone(),
            events,
            runbooks,
        })
    }

    /// Stores a checked bundle's events and runbooks in one transaction: all of it or,
    /// on a conflict, none. Importing the same bundle again, or events that already
    /// came through the hub, adds nothing.
    pub fn import_bundle(&mut self, payload: &BundlePayload) -> Result<BundleImport, StoreError> {
        let own = self.device();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let merged = merge_foreign(&tx, own, &payload.events, Arrival::Bundle)?;
        let mut runbooks_added = merged.runbooks_adopted;
        for runbook in &payload.runbooks {
            let origin = format!("handoff from {}", payload.from);
            runbooks_added += adopt_runbook(&tx, &runbook.runbook_id, &runbook.source, &origin)?;
        }
        tx.commit()?;
        let handoff = self
            .incident_handoffs(payload.incident)?
            .into_iter()
            .find(|h| h.id == payload.handoff)
            .ok_or_else(|| StoreError::UnknownEvent(payload.handoff.to_string()))?;
        Ok(BundleImport {
            incident: payload.incident,
            title: payload.title.clone(),
            inserted: merged.inserted,
            already_present: merged.already_present,
            runbooks_added,
            handoff,
        })
    }

    /// Every handoff of one incident, oldest first.
    pub fn incident_handoffs(&self, incident: IncidentId) -> Result<Vec<Handoff>, StoreError> {
        let events = query_events(
            &self.conn,
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE incident_id = ?1 AND kind IN ('handoff_sent', 'handoff_accepted')"
            ),
            [incident.to_string()],
        )?;
        Ok(fold_handoffs(&events))
    }

    /// The handoffs addressed to `me` that nobody has taken over yet, newest first,
    /// across every incident in the store.
    pub fn handoff_inbox(&self, me: &str) -> Result<Vec<Handoff>, StoreError> {
        let events = query_events(
            &self.conn,
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE kind IN ('handoff_sent', 'handoff_accepted')"
            ),
            [],
        )?;
        let handoffs = fold_handoffs(&events);
        Ok(inbox(&handoffs, me).into_iter().cloned().collect())
    }

    /// `me` takes over the incident of handoff `selector` (an id, or a unique prefix or
    /// suffix of one): a `handoff_accepted` event, and the roles the outgoing responder
    /// held reassigned to `me`, in one transaction. Taking over a handoff addressed to
    /// someone else needs `force`; taking over one already taken by `me` changes
    /// nothing; one taken by someone else is refused.
    pub fn accept_handoff(
        &mut self,
        me: &str,
        selector: &str,
        force: bool,
    ) -> Result<HandoffAccepted, StoreError> {
        let sent = self.find_event(selector)?;
        if !matches!(sent.body, EventBody::HandoffSent { .. }) {
            return Err(Rejection::NotAHandoff(sent.id.to_string()).into());
        }
        let handoff = self
            .incident_handoffs(sent.incident)?
            .into_iter()
            .find(|h| h.id == sent.id)
            .ok_or_else(|| StoreError::UnknownEvent(sent.id.to_string()))?;
        if let Some(accepted) = &handoff.accepted {
            if same_person(&accepted.by, me) {
                return Ok(HandoffAccepted {
                    handoff,
                    event: None,
                    roles: Vec::new(),
                });
            }
            return Err(StoreError::HandoffTaken {
                handoff: handoff.id.to_string(),
                by: accepted.by.clone(),
                at: accepted.at.format("%Y-%m-%d %H:%M UTC").to_string(),
            });
        }
        if !force && !handoff.is_for(me) {
            return Err(StoreError::HandoffNotForYou {
                handoff: handoff.id.to_string(),
                to: handoff.to.clone(),
                me: me.to_string(),
            });
        }
        let state = self.incident(sent.incident)?;
        let roles: Vec<Role> = state
            .roles
            .iter()
            .filter(|(_, person)| same_person(person, &handoff.from))
            .map(|(role, _)| *role)
            .collect();
        let mut events = vec![NewEvent::new(
            sent.incident,
            EventBody::HandoffAccepted {
                handoff: sent.id,
                from: handoff.from.clone(),
            },
        )];
        for role in &roles {
            events.push(NewEvent::new(
                sent.incident,
                EventBody::RoleAssigned {
                    role: *role,
                    person: me.to_string(),
                },
            ));
        }
        let appended = self.append_all(me, events)?;
        let handoff = self
            .incident_handoffs(sent.incident)?
            .into_iter()
            .find(|h| h.id == sent.id)
            .unwrap_or(handoff);
        Ok(HandoffAccepted {
            handoff,
            event: appended.into_iter().next(),
            roles,
        })
    }
}
