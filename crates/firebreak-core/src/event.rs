//! The event: the only thing Firebreak ever writes about an incident.
//!
//! Events are immutable. An edit or a retraction is a new event whose `amends` points at
//! the event it changes; views (checklist, status, timeline) are folds over the log.

use crate::ids::{DeviceId, EventId, IncidentId, RunId};
use crate::postmortem::PostmortemChange;
use crate::probe::ProbeRecord;
use crate::runbook::StepPath;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One immutable record in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub incident: IncidentId,
    /// Who recorded it (a person's name or handle).
    pub author: String,
    pub device: DeviceId,
    /// Per-device sequence number, from 1, without gaps.
    pub seq: u64,
    /// The device's wall clock when the event was recorded (UTC).
    pub recorded_at: DateTime<Utc>,
    /// When the thing happened, if the responder said so ("at 13:30").
    pub occurred_at: Option<DateTime<Utc>>,
    /// The event this one amends or retracts.
    pub amends: Option<EventId>,
    /// Private events never leave the device.
    pub private: bool,
    pub body: EventBody,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        self.body.kind()
    }

    /// The time the event stands for on a timeline: when it happened if known, else when
    /// it was recorded.
    pub fn effective_time(&self) -> DateTime<Utc> {
        self.occurred_at.unwrap_or(self.recorded_at)
    }
}

/// What a new event says, before the store gives it an id, a sequence number and a time.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub incident: IncidentId,
    pub occurred_at: Option<DateTime<Utc>>,
    pub amends: Option<EventId>,
    pub private: bool,
    pub body: EventBody,
}

impl NewEvent {
    pub fn new(incident: IncidentId, body: EventBody) -> Self {
        Self {
            incident,
            occurred_at: None,
            amends: None,
            private: false,
            body,
        }
    }
}

/// The kinds of findings a responder types into the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    Note,
    Observation,
    Hypothesis,
    Decision,
    Action,
    /// What customers were told: a status-page message, the maintenance page going up
    /// or down. The handoff and the post-mortem show the last one.
    Update,
}

impl FindingKind {
    pub const ALL: [FindingKind; 6] = [
        FindingKind::Note,
        FindingKind::Observation,
        FindingKind::Hypothesis,
        FindingKind::Decision,
        FindingKind::Action,
        FindingKind::Update,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Note => "note",
            FindingKind::Observation => "observation",
            FindingKind::Hypothesis => "hypothesis",
            FindingKind::Decision => "decision",
            FindingKind::Action => "action",
            FindingKind::Update => "update",
        }
    }
}

impl FromStr for FindingKind {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        FindingKind::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| crate::Error::Invalid {
                what: "kind",
                value: s.to_string(),
                expected: "one of note, observation, hypothesis, decision, action, update",
            })
    }
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Investigating,
    Identified,
    Mitigated,
    Resolved,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Investigating,
        Status::Identified,
        Status::Mitigated,
        Status::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Resolved
    }
}

impl FromStr for Status {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Status::ALL
            .into_iter()
            .find(|k| k.as_str() == lower)
            .ok_or_else(|| crate::Error::Invalid {
                what: "status",
                value: s.to_string(),
                expected: "one of investigating, identified, mitigated, resolved",
            })
    }
}

/// How bad it is. SEV1 is the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    #[serde(rename = "SEV1")]
    Sev1,
    #[serde(rename = "SEV2")]
    Sev2,
    #[serde(rename = "SEV3")]
    Sev3,
    #[serde(rename = "SEV4")]
    Sev4,
}

impl Severity {
    /// From worst to least bad.
    pub const ALL: [Severity; 4] = [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Sev1 => "SEV1",
            Severity::Sev2 => "SEV2",
            Severity::Sev3 => "SEV3",
            Severity::Sev4 => "SEV4",
        }
    }
}

impl FromStr for Severity {
    type Err = crate::Error;
    /// Accepts `SEV2`, `sev2`, `sev-2`, `2`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let digits = lower
            .trim_start_matches("sev")
            .trim_start_matches(['-', ' ']);
        match digits {
            "1" => Ok(Severity::Sev1),
            "2" => Ok(Severity::Sev2),
            "3" => Ok(Severity::Sev3),
            "4" => Ok(Severity::Sev4),
            _ => Err(crate::Error::Invalid {
                what: "severity",
                value: s.to_string(),
                expected: "one of SEV1, SEV2, SEV3, SEV4 (or 1-4)",
            }),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Incident roles. The leader takes decisions; comms speaks to customers; the scribe
/// keeps the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Leader,
    Comms,
    Scribe,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Leader, Role::Comms, Role::Scribe];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Comms => "comms",
            Role::Scribe => "scribe",
        }
    }
}

impl FromStr for Role {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "lead" => Ok(Role::Leader),
            "communications" => Ok(Role::Comms),
            _ => Role::ALL
                .into_iter()
                .find(|k| k.as_str() == lower)
                .ok_or_else(|| crate::Error::Invalid {
                    what: "role",
                    value: s.to_string(),
                    expected: "one of leader, comms, scribe",
                }),
        }
    }
}

/// A step of a runbook run, as events name it: the run and the step's path in the
/// pinned runbook version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StepTarget {
    pub run: RunId,
    pub step: StepPath,
}

/// How a hypothesis or an action ended (see `EventBody::Concluded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A hypothesis that the evidence bore out.
    Confirmed,
    /// A hypothesis the evidence ruled out.
    RuledOut,
    /// An action carried out.
    Done,
    /// An action given up.
    Abandoned,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Confirmed,
        Outcome::RuledOut,
        Outcome::Done,
        Outcome::Abandoned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Confirmed => "confirmed",
            Outcome::RuledOut => "ruled_out",
            Outcome::Done => "done",
            Outcome::Abandoned => "abandoned",
        }
    }

    /// As people read it: `ruled out`.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::RuledOut => "ruled out",
            other => other.as_str(),
        }
    }

    /// A sentence head for the log: `Hypothesis ruled out`.
    pub fn headline(self) -> &'static str {
        match self {
            Outcome::Confirmed => "Hypothesis confirmed",
            Outcome::RuledOut => "Hypothesis ruled out",
            Outcome::Done => "Action done",
            Outcome::Abandoned => "Action abandoned",
        }
    }

    /// The finding kind this outcome can end.
    pub fn applies_to(self) -> FindingKind {
        match self {
            Outcome::Confirmed | Outcome::RuledOut => FindingKind::Hypothesis,
            Outcome::Done | Outcome::Abandoned => FindingKind::Action,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Outcome {
    type Err = crate::Error;
    /// Reads `ruled_out`, `ruled-out` or `ruled out`, any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Outcome::ALL
            .into_iter()
            .find(|o| o.as_str() == wanted)
            .ok_or_else(|| crate::Error::Invalid {
                what: "outcome",
                value: s.to_string(),
                expected: "one of confirmed, ruled-out (hypotheses), done, abandoned (actions)",
            })
    }
}

/// The payload of an event; its variant is the event's kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventBody {
    IncidentStarted {
        title: String,
        severity: Option<Severity>,
    },
    /// A runbook version attached to the incident. The run pins `content_hash`: editing
    /// the runbook never changes a run in progress.
    RunbookRunStarted {
        run: RunId,
        runbook_id: String,
        title: String,
        content_hash: String,
        /// The pinned version's Markdown, so that a responder who receives this event
        /// (through the hub or a handoff bundle) can follow the same checklist without
        /// having imported the runbook. Absent in events from before it was carried,
        /// and for runbooks too large to fit in one event.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    Finding {
        finding: FindingKind,
        text: String,
    },
    StepChecked {
        #[serde(flatten)]
        target: StepTarget,
        /// The step's text when it was recorded, so the log reads on its own.
        #[serde(default)]
        step_text: String,
        note: Option<String>,
    },
    StepSkipped {
        #[serde(flatten)]
        target: StepTarget,
        /// The step's text when it was recorded, so the log reads on its own.
        #[serde(default)]
        step_text: String,
        reason: Option<String>,
    },
    StepReopened {
        #[serde(flatten)]
        target: StepTarget,
        /// The step's text when it was recorded, so the log reads on its own.
        #[serde(default)]
        step_text: String,
        reason: Option<String>,
    },
    StatusChanged {
        status: Status,
    },
    SeverityChanged {
        severity: Severity,
    },
    RoleAssigned {
        role: Role,
        person: String,
    },
    /// New text for the event named by `Event::amends`.
    Amended {
        text: String,
    },
    /// The event named by `Event::amends` no longer stands.
    Retracted {
        reason: Option<String>,
    },
    /// A probe ran: its spec, result and step (see `ProbeRecord`). Boxed: it is by far
    /// the largest body.
    Probe {
        probe: Box<ProbeRecord>,
    },
    /// An incident variable set (`value: Some`) or removed (`None`); placeholders in
    /// probes and step texts are filled from these first.
    VariableSet {
        name: String,
        value: Option<String>,
    },
    /// The hypothesis or action named by `Event::amends` ended this way.
    Concluded {
        outcome: Outcome,
        note: Option<String>,
    },
    /// The author hands the incident to `to`, with the note they wrote (Markdown).
    HandoffSent {
        to: String,
        note: String,
    },
    /// The author took the incident over from `from`, accepting the handoff event
    /// `handoff`.
    HandoffAccepted {
        handoff: EventId,
        from: String,
    },
    /// One change to the incident's post-mortem draft (see `postmortem::change`).
    PostmortemEdited {
        edit: PostmortemChange,
    },
}

/// The kind of an event, as stored in its own column and shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    IncidentStarted,
    RunbookRunStarted,
    Note,
    Observation,
    Hypothesis,
    Decision,
    Action,
    Update,
    StepChecked,
    StepSkipped,
    StepReopened,
    StatusChanged,
    SeverityChanged,
    RoleAssigned,
    Amended,
    Retracted,
    Probe,
    VariableSet,
    Concluded,
    HandoffSent,
    HandoffAccepted,
    PostmortemEdited,
}

impl EventKind {
    /// Every kind, in the order an incident usually meets them.
    pub const ALL: [EventKind; 22] = [
        EventKind::IncidentStarted,
        EventKind::RunbookRunStarted,
        EventKind::Note,
        EventKind::Observation,
        EventKind::Hypothesis,
        EventKind::Decision,
        EventKind::Action,
        EventKind::Update,
        EventKind::StepChecked,
        EventKind::StepSkipped,
        EventKind::StepReopened,
        EventKind::StatusChanged,
        EventKind::SeverityChanged,
        EventKind::RoleAssigned,
        EventKind::Amended,
        EventKind::Retracted,
        EventKind::Probe,
        EventKind::VariableSet,
        EventKind::Concluded,
        EventKind::HandoffSent,
        EventKind::HandoffAccepted,
        EventKind::PostmortemEdited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::IncidentStarted => "incident_started",
            EventKind::RunbookRunStarted => "runbook_run_started",
            EventKind::Note => "note",
            EventKind::Observation => "observation",
            EventKind::Hypothesis => "hypothesis",
            EventKind::Decision => "decision",
            EventKind::Action => "action",
            EventKind::StepChecked => "step_checked",
            EventKind::StepSkipped => "step_skipped",
            EventKind::StepReopened => "step_reopened",
            EventKind::StatusChanged => "status_changed",
            EventKind::SeverityChanged => "severity_changed",
            EventKind::RoleAssigned => "role_assigned",
            EventKind::Amended => "amended",
            EventKind::Retracted => "retracted",
            EventKind::Probe => "probe",
            EventKind::VariableSet => "variable_set",
            EventKind::Update => "update",
            EventKind::Concluded => "concluded",
            EventKind::HandoffSent => "handoff_sent",
            EventKind::HandoffAccepted => "handoff_accepted",
            EventKind::PostmortemEdited => "postmortem_edited",
        }
    }

    /// A short label for tables people read (`log`).
    pub fn label(self) -> &'static str {
        match self {
            EventKind::IncidentStarted => "started",
            EventKind::RunbookRunStarted => "runbook",
            EventKind::StepChecked => "checked",
            EventKind::StepSkipped => "skipped",
            EventKind::StepReopened => "reopened",
            EventKind::StatusChanged => "status",
            EventKind::SeverityChanged => "severity",
            EventKind::RoleAssigned => "role",
            EventKind::VariableSet => "variable",
            EventKind::HandoffSent => "handoff",
            EventKind::HandoffAccepted => "took over",
            EventKind::PostmortemEdited => "post-mortem",
            other => other.as_str(),
        }
    }

    /// Findings are the kinds a responder types; only they can be amended.
    pub fn is_finding(self) -> bool {
        matches!(
            self,
            EventKind::Note
                | EventKind::Observation
                | EventKind::Hypothesis
                | EventKind::Decision
                | EventKind::Action
                | EventKind::Update
        )
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;
    /// Reads a kind's name (`step_checked`); the error lists every name.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        EventKind::ALL
            .into_iter()
            .find(|k| k.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("unknown kind {s:?}: expected one of {}", names.join(", "))
            })
    }
}

impl From<FindingKind> for EventKind {
    fn from(k: FindingKind) -> Self {
        match k {
            FindingKind::Note => EventKind::Note,
            FindingKind::Observation => EventKind::Observation,
            FindingKind::Hypothesis => EventKind::Hypothesis,
            FindingKind::Decision => EventKind::Decision,
            FindingKind::Action => EventKind::Action,
            FindingKind::Update => EventKind::Update,
        }
    }
}

impl EventBody {
    pub fn kind(&self) -> EventKind {
        match self {
            EventBody::IncidentStarted { .. } => EventKind::IncidentStarted,
            EventBody::RunbookRunStarted { .. } => EventKind::RunbookRunStarted,
            EventBody::Finding { finding, .. } => (*finding).into(),
            EventBody::StepChecked { .. } => EventKind::StepChecked,
            EventBody::StepSkipped { .. } => EventKind::StepSkipped,
            EventBody::StepReopened { .. } => EventKind::StepReopened,
            EventBody::StatusChanged { .. } => EventKind::StatusChanged,
            EventBody::SeverityChanged { .. } => EventKind::SeverityChanged,
            EventBody::RoleAssigned { .. } => EventKind::RoleAssigned,
            EventBody::Amended { .. } => EventKind::Amended,
            EventBody::Retracted { .. } => EventKind::Retracted,
            EventBody::Probe { .. } => EventKind::Probe,
            EventBody::VariableSet { .. } => EventKind::VariableSet,
            EventBody::Concluded { .. } => EventKind::Concluded,
            EventBody::HandoffSent { .. } => EventKind::HandoffSent,
            EventBody::HandoffAccepted { .. } => EventKind::HandoffAccepted,
            EventBody::PostmortemEdited { .. } => EventKind::PostmortemEdited,
        }
    }

    /// A one-line description for people and for full-text search.
    pub fn text(&self) -> String {
        match self {
            EventBody::IncidentStarted { title, severity } => match severity {
                Some(sev) => format!("Incident started: {title} ({sev})"),
                None => format!("Incident started: {title}"),
            },
            EventBody::RunbookRunStarted {
                runbook_id, title, ..
            } => format!("Runbook started: {title} ({runbook_id})"),
            EventBody::Finding { text, .. } => text.clone(),
            EventBody::StepChecked {
                target,
                step_text,
                note,
            } => with_reason(step_line(target, "checked", step_text), note),
            EventBody::StepSkipped {
                target,
                step_text,
                reason,
            } => with_reason(step_line(target, "skipped", step_text), reason),
            EventBody::StepReopened {
                target,
                step_text,
                reason,
            } => with_reason(step_line(target, "reopened", step_text), reason),
            EventBody::StatusChanged { status } => format!("Status: {status}"),
            EventBody::SeverityChanged { severity } => format!("Severity: {severity}"),
            EventBody::RoleAssigned { role, person } => {
                format!("{person} is {}", role.as_str())
            }
            EventBody::Amended { text } => text.clone(),
            EventBody::Retracted { reason } => with_reason("Retracted".to_string(), reason),
            EventBody::Probe { probe } => probe.summary(),
            EventBody::VariableSet { name, value } => match value {
                Some(v) => format!("Variable {name} = {v}"),
                None => format!("Variable {name} removed"),
            },
            EventBody::Concluded { outcome, note } => {
                with_reason(outcome.headline().to_string(), note)
            }
            EventBody::HandoffSent { to, .. } => format!("Handed the incident to {to}"),
            EventBody::HandoffAccepted { from, .. } => format!("Took over from {from}"),
            EventBody::PostmortemEdited { edit } => edit.describe(),
        }
    }
}

fn step_line(target: &StepTarget, verb: &str, step_text: &str) -> String {
    let flat = step_text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        format!("Step {} {verb}", target.step)
    } else {
        format!("Step {} {verb} ({flat})", target.step)
    }
}

fn with_reason(head: String, reason: &Option<String>) -> String {
    match reason {
        Some(r) if !r.trim().is_empty() => format!("{head}: {r}"),
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trips_through_json_with_its_kind_tag() {
        let body = EventBody::StepSkipped {
            target: StepTarget {
                run: RunId::new_v7(),
                step: "3.2".parse().expect("path"),
            },
            step_text: "Check the CDN".into(),
            reason: Some("no CDN in staging".into()),
        };
        let json = serde_json::to_value(&body).expect("serialize");
        assert_eq!(json["kind"], "step_skipped");
        assert_eq!(json["step"], "3.2");
        let back: EventBody = serde_json::from_value(json).expect("deserialize");
        assert_eq!(back, body);
        assert_eq!(
            body.text(),
            "Step 3.2 skipped (Check the CDN): no CDN in staging"
        );
    }

    #[test]
    fn severity_accepts_the_spellings_people_type() {
        for s in ["SEV2", "sev2", "sev-2", "2", " Sev2 "] {
            assert_eq!(s.parse::<Severity>().expect(s), Severity::Sev2);
        }
        assert!("sev9".parse::<Severity>().is_err());
        assert!("".parse::<Severity>().is_err());
    }

    #[test]
    fn every_kind_reads_back_from_its_name() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
        }
        let names: std::collections::HashSet<&str> =
            EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), EventKind::ALL.len(), "no kind listed twice");
        let err = "gossip".parse::<EventKind>().expect_err("unknown");
        assert!(
            err.contains("step_checked") && err.contains("retracted"),
            "{err}"
        );
    }

    #[test]
    fn finding_kinds_map_to_event_kinds() {
        for k in FindingKind::ALL {
            let kind: EventKind = k.into();
            assert_eq!(kind.as_str(), k.as_str());
            assert!(kind.is_finding());
        }
        assert!(!EventKind::StepChecked.is_finding());
    }
}
