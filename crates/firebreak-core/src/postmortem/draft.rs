//! The post-mortem draft as a value: what `fold_postmortem` returns and every renderer
//! reads. It is never stored; it is recomputed from the log, so every laptop and the
//! hub that hold the same events hold the same draft.

use super::change::{ActionClass, ActionStatus, Milestone, Section};
use super::register::{Standing, Version};
use crate::event::{EventKind, Role, Severity, Status};
use crate::ids::{EventId, IncidentId};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostmortemDraft {
    pub incident: IncidentId,
    pub title: String,
    pub severity: Option<Severity>,
    pub status: Status,
    /// Began, detected, mitigated, resolved, in that order.
    pub milestones: Vec<MilestoneTime>,
    pub durations: Durations,
    /// Who wrote the post-mortem, in the order they first edited it.
    pub authors: Vec<String>,
    /// Everyone who recorded anything, with the roles they hold at the end.
    pub responders: Vec<Responder>,
    /// Every section, in document order.
    pub sections: Vec<SectionDraft>,
    /// Every candidate entry, hidden ones included (`in_document` says which the
    /// document shows), in corrected-time order.
    pub timeline: Vec<DraftEntry>,
    pub actions: Vec<FollowUp>,
    pub tollgates: Vec<TollgateDraft>,
    pub probes: Vec<ProbeSummary>,
}

impl PostmortemDraft {
    pub fn section(&self, section: Section) -> Option<&SectionDraft> {
        self.sections.iter().find(|s| s.section == section)
    }

    pub fn milestone(&self, milestone: Milestone) -> Option<&MilestoneTime> {
        self.milestones.iter().find(|m| m.milestone == milestone)
    }

    /// How many places hold versions written apart that nobody has reconciled yet.
    pub fn conflicts(&self) -> usize {
        let sections = self
            .sections
            .iter()
            .filter(|s| matches!(s.body, SectionBody::Conflict { .. }))
            .count();
        let annotations = self
            .timeline
            .iter()
            .filter(|e| e.annotation.as_ref().is_some_and(Standing::is_conflict))
            .count();
        let gates = self
            .tollgates
            .iter()
            .filter(|t| t.versions.len() > 1)
            .count();
        sections + annotations + gates
    }

    /// The entries the document shows.
    pub fn document_timeline(&self) -> impl Iterator<Item = &DraftEntry> {
        self.timeline.iter().filter(|e| e.in_document)
    }
}

/// A milestone's time and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneTime {
    pub milestone: Milestone,
    pub at: Option<DateTime<Utc>>,
    pub source: TimeSource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum TimeSource {
    /// Read off the log: `what` says which entry.
    Log { what: String },
    /// Set by hand.
    SetBy { author: String },
    /// Not known yet.
    Unknown,
}

/// Durations from the start of impact, in whole seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Durations {
    pub to_detect_secs: Option<i64>,
    pub to_mitigate_secs: Option<i64>,
    pub to_resolve_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responder {
    pub name: String,
    /// The roles they hold at the end of the log.
    pub roles: Vec<Role>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionDraft {
    pub section: Section,
    pub title: String,
    pub body: SectionBody,
    /// The standing versions' ids: what an edit made now replaces.
    pub heads: Vec<EventId>,
    /// Everyone who edited it.
    pub editors: Vec<String>,
}

impl SectionDraft {
    /// The text a reader sees when there is one text: written, or read off the log.
    pub fn text(&self) -> Option<&str> {
        match &self.body {
            SectionBody::Written { text, .. } | SectionBody::FromLog { text } => Some(text),
            SectionBody::Conflict { .. } | SectionBody::Empty { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SectionBody {
    /// One standing version.
    Written {
        text: String,
        by: String,
        at: DateTime<Utc>,
    },
    /// Versions written apart, all kept until one edit replaces them all.
    Conflict { versions: Vec<Version<String>> },
    /// Nobody has written it; this is what the log says.
    FromLog { text: String },
    /// Nobody has written it and the log has nothing to say.
    Empty { prompt: String },
}

/// Where a timeline entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntrySource {
    /// Something a responder typed: a note, a hypothesis, a decision, a conclusion.
    Note,
    Probe,
    Checklist,
    /// The incident opened, its status or severity changed.
    Status,
    /// A role given, or the incident handed over.
    Role,
}

impl EntrySource {
    pub fn as_str(self) -> &'static str {
        match self {
            EntrySource::Note => "note",
            EntrySource::Probe => "probe",
            EntrySource::Checklist => "checklist",
            EntrySource::Status => "status",
            EntrySource::Role => "role",
        }
    }
}

/// The moments every post-mortem timeline shows without anyone starring them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyMoment {
    FirstReport,
    LeaderAssigned,
    CustomerUpdate,
    Mitigation,
    Resolution,
}

impl KeyMoment {
    pub fn label(self) -> &'static str {
        match self {
            KeyMoment::FirstReport => "first report",
            KeyMoment::LeaderAssigned => "leader",
            KeyMoment::CustomerUpdate => "customer update",
            KeyMoment::Mitigation => "mitigation",
            KeyMoment::Resolution => "resolution",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DraftEntry {
    pub id: EventId,
    /// Clock-corrected where the hub measured the device's offset.
    pub at: DateTime<Utc>,
    pub offset_ms: Option<i64>,
    /// The device's clock was more than a minute off.
    pub skewed: bool,
    pub author: String,
    pub source: EntrySource,
    pub kind: EventKind,
    pub text: String,
    /// The status it set, for a status change (milestones are read off these).
    pub status: Option<Status>,
    /// Prefilled: a moment every post-mortem shows.
    pub key: Option<KeyMoment>,
    pub starred: bool,
    pub hidden: bool,
    /// Whether the document shows it: key moments, starred entries and what people
    /// wrote, changes of status and probe state; not hidden ones.
    pub in_document: bool,
    /// The annotation's standing versions; a single empty version is an annotation
    /// removed (kept so that the next one replaces it).
    pub annotation: Option<Standing<String>>,
}

/// A corrective or preventive action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    pub id: EventId,
    pub class: ActionClass,
    pub text: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub status: ActionStatus,
    pub added_by: String,
    pub at: DateTime<Utc>,
}

/// A tollgate's row: why the fault got through it, and the follow-up ticket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TollgateRow {
    pub why_missed: String,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TollgateDraft {
    /// The gate's name as first written (or the default's).
    pub gate: String,
    /// Standing versions of the row; none while nobody has filled it in, two or more
    /// when people wrote it apart.
    pub versions: Vec<Version<TollgateRow>>,
    /// What a new version of the row replaces.
    pub heads: Vec<EventId>,
}

impl TollgateDraft {
    pub fn heads(&self) -> Vec<EventId> {
        self.heads.clone()
    }
}

/// One probe over the incident, for the supporting data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeSummary {
    pub label: String,
    pub runs: usize,
    pub passed: usize,
    pub first_failure: Option<DateTime<Utc>>,
    /// The first pass after the last failure.
    pub recovered: Option<DateTime<Utc>>,
    pub last_ok: bool,
    pub last_at: DateTime<Utc>,
    pub last_reason: String,
}
