//! What a responder does to an incident, as whole operations: start one with its
//! runbooks, run another runbook, change a step, record, amend, retract and conclude
//! findings. The CLI and the desktop app both call these, so the checks live in one
//! place and a refused action writes nothing.

use crate::error::StoreError;
use crate::store::Store;
use chrono::{DateTime, Utc};
use firebreak_core::event::{
    Event, EventBody, FindingKind, NewEvent, Outcome, Severity, StepTarget,
};
use firebreak_core::ids::{IncidentId, RunId};
use firebreak_core::rules::Rejection;
use firebreak_core::step_ref::resolve_step;
use firebreak_core::views::{IncidentState, StepState};

/// The largest runbook source (JSON-encoded) a run's event carries: the event must stay
/// under the 64 KiB every event has, with room for the rest of it.
pub const MAX_CARRIED_RUNBOOK_BYTES: usize = 48 * 1024;

/// What changing a step did.
#[derive(Debug, Clone, PartialEq)]
pub struct StepChange {
    pub target: StepTarget,
    /// The step's text in the pinned runbook version, placeholders filled.
    pub step_text: String,
    /// The event recorded, or `None` when the step already was in that state (saying
    /// it twice is not a new fact).
    pub event: Option<Event>,
}

impl Store {
    /// Starts an incident running `runbooks`, all in one transaction. Every runbook is
    /// looked up before anything is written.
    pub fn start_incident(
        &mut self,
        author: &str,
        title: &str,
        severity: Option<Severity>,
        runbooks: &[String],
    ) -> Result<IncidentState, StoreError> {
        let incident = IncidentId::new_v7();
        let mut events = vec![NewEvent::new(
            incident,
            EventBody::IncidentStarted {
                title: title.trim().to_string(),
                severity,
            },
        )];
        for (i, id) in runbooks.iter().enumerate() {
            if runbooks[..i].contains(id) {
                return Err(Rejection::DuplicateRun(id.clone()).into());
            }
            events.push(self.run_event(incident, id)?);
        }
        self.append_all(author, events)?;
        self.incident(incident)
    }

    /// Runs another runbook in the incident, pinned to its current version.
    pub fn start_run(
        &mut self,
        author: &str,
        incident: &IncidentState,
        runbook_id: &str,
    ) -> Result<Event, StoreError> {
        if incident.runs.iter().any(|r| r.runbook_id == runbook_id) {
            return Err(Rejection::DuplicateRun(runbook_id.to_string()).into());
        }
        let event = self.run_event(incident.id, runbook_id)?;
        self.append(author, event)
    }

    fn run_event(&self, incident: IncidentId, runbook_id: &str) -> Result<NewEvent, StoreError> {
        let runbook = self.runbook(runbook_id)?;
        // The event carries the pinned source so that every responder who receives it
        // can follow the checklist; a runbook too large for one event is left out (its
        // hash still pins it, and teammates with the runbook imported still see it).
        let encoded_len = serde_json::to_string(&runbook.source).map_or(usize::MAX, |s| s.len());
        let source = (encoded_len <= MAX_CARRIED_RUNBOOK_BYTES).then(|| runbook.source.clone());
        Ok(NewEvent::new(
            incident,
            EventBody::RunbookRunStarted {
                run: RunId::new_v7(),
                runbook_id: runbook.id.clone(),
                title: runbook.title.clone(),
                content_hash: runbook.content_hash.clone(),
                source,
            },
        ))
    }

    /// Checks, skips or reopens the step a person typed (`3.2`, `runbook-id:3.2`).
    pub fn change_step(
        &mut self,
        author: &str,
        incident: &IncidentState,
        step_ref: &str,
        wanted: StepState,
        reason: Option<String>,
    ) -> Result<StepChange, StoreError> {
        let runs = self.checklists(incident)?;
        let pairs: Vec<_> = runs
            .iter()
            .map(|(run, runbook, _)| (run, runbook))
            .collect();
        let target = resolve_step(step_ref, &pairs)?;
        let current = runs
            .iter()
            .find(|(run, _, _)| run.run == target.run)
            .and_then(|(_, _, checklist)| checklist.steps.iter().find(|s| s.path == target.step));
        let step_text = current.map(|s| s.text.clone()).unwrap_or_default();
        if current.is_some_and(|s| s.state == wanted) {
            return Ok(StepChange {
                target,
                step_text,
                event: None,
            });
        }
        let reason = reason.filter(|r| !r.trim().is_empty());
        let body = match wanted {
            StepState::Checked => EventBody::StepChecked {
                target: target.clone(),
                step_text: step_text.clone(),
                note: reason,
            },
            StepState::Skipped => EventBody::StepSkipped {
                target: target.clone(),
                step_text: step_text.clone(),
                reason,
            },
            StepState::Open => EventBody::StepReopened {
                target: target.clone(),
                step_text: step_text.clone(),
                reason,
            },
        };
        let event = self.append(author, NewEvent::new(incident.id, body))?;
        Ok(StepChange {
            target,
            step_text,
            event: Some(event),
        })
    }

    /// Records a finding in the incident.
    pub fn add_finding(
        &mut self,
        author: &str,
        incident: IncidentId,
        finding: NewFinding,
    ) -> Result<Event, StoreError> {
        let mut new = NewEvent::new(
            incident,
            EventBody::Finding {
                finding: finding.kind,
                text: finding.text.trim().to_string(),
            },
        );
        new.occurred_at = finding.occurred_at;
        new.private = finding.private;
        self.append(author, new)
    }

    /// Corrects the finding `target` (an id, or a unique prefix or suffix of one): a new
    /// event; the original stays in the log. Returns the target and the amendment.
    pub fn amend(
        &mut self,
        author: &str,
        target: &str,
        text: &str,
    ) -> Result<(Event, Event), StoreError> {
        let body = EventBody::Amended {
            text: text.trim().to_string(),
        };
        self.change_finding(author, target, body)
    }

    /// Withdraws the finding `target`: a new event; the original stays in the log.
    pub fn retract(
        &mut self,
        author: &str,
        target: &str,
        reason: Option<String>,
    ) -> Result<(Event, Event), StoreError> {
        let body = EventBody::Retracted {
            reason: reason.filter(|r| !r.trim().is_empty()),
        };
        self.change_finding(author, target, body)
    }

    /// Says how the hypothesis or action `target` ended: a new event pointing at it (the
    /// rules refuse an outcome that does not fit the finding's kind).
    pub fn conclude(
        &mut self,
        author: &str,
        target: &str,
        outcome: Outcome,
        note: Option<String>,
    ) -> Result<(Event, Event), StoreError> {
        let body = EventBody::Concluded {
            outcome,
            note: note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
        };
        self.change_finding(author, target, body)
    }

    fn change_finding(
        &mut self,
        author: &str,
        target: &str,
        body: EventBody,
    ) -> Result<(Event, Event), StoreError> {
        let target = self.find_event(target)?;
        let mut new = NewEvent::new(target.incident, body);
        new.amends = Some(target.id);
        // A change to a private finding stays on this device with it.
        new.private = target.private;
        let change = self.append(author, new)?;
        Ok((target, change))
    }
}

/// A finding as a responder types it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFinding {
    pub kind: FindingKind,
    pub text: String,
    /// When it happened, if not now.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Kept on this device only.
    pub private: bool,
}
