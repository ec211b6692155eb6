//! The post-mortem's timeline: every responder's entries in corrected UTC, with the key
//! moments prefilled and the team's curation (stars, hidden entries, annotations)
//! applied.

use super::draft::{DraftEntry, EntrySource, KeyMoment};
use super::register::{Edit, fold_register};
use crate::event::{Event, EventBody, EventKind, Outcome, Role, Status};
use crate::ids::EventId;
use crate::sync::clock::is_skewed;
use crate::views::fold_timeline;
use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, HashSet};

/// An entry's curation flags as the latest marks left them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Flags {
    pub starred: bool,
    pub hidden: bool,
}

/// When an event stands on the timeline, corrected by its device's offset as the hub
/// measured it when the event arrived (`offsets`); uncorrected when not yet known.
pub(super) fn corrected(event: &Event, offsets: &HashMap<EventId, i64>) -> DateTime<Utc> {
    correct(event.effective_time(), offsets.get(&event.id).copied())
}

pub(super) fn correct(at: DateTime<Utc>, offset_ms: Option<i64>) -> DateTime<Utc> {
    at.checked_add_signed(Duration::milliseconds(offset_ms.unwrap_or(0)))
        .unwrap_or(at)
}

/// Where an entry sorts: corrected time, then device and sequence number, so that
/// every copy orders equal times alike.
type Placement = (DateTime<Utc>, crate::ids::DeviceId, u64);

/// Builds the entries from shared (non-private) events. `abandoned` holds actions given
/// up, which are not mitigation steps.
pub(super) fn build_timeline(
    events: &[Event],
    offsets: &HashMap<EventId, i64>,
    flags: &HashMap<EventId, Flags>,
    annotations: &HashMap<EventId, Vec<Edit<String>>>,
    abandoned: &HashSet<EventId>,
) -> Vec<DraftEntry> {
    let mut entries: Vec<(DraftEntry, Placement)> = Vec::new();
    let mut probe_state: HashMap<String, bool> = HashMap::new();
    let mut probes_first: Vec<(usize, String, bool, bool)> = Vec::new();
    for entry in fold_timeline(events) {
        if entry.retracted {
            continue;
        }
        let event = &entry.event;
        let Some(source) = source_of(event.kind()) else {
            continue;
        };
        let key = key_moment(&event.body, event.id, abandoned, event.amends);
        let offset_ms = offsets.get(&event.id).copied();
        let flag = flags.get(&event.id).copied().unwrap_or_default();
        let listed_by_default = match event.kind() {
            EventKind::StepChecked
            | EventKind::StepSkipped
            | EventKind::StepReopened
            | EventKind::RunbookRunStarted => false,
            // Decided below, once probes are in time order.
            EventKind::Probe => false,
            _ => true,
        };
        if let EventBody::Probe { probe } = &event.body {
            probes_first.push((
                entries.len(),
                probe.key.clone(),
                probe.result.ok,
                probe.watch_change.is_some(),
            ));
        }
        // Kept even when cleared: its heads are what the next annotation replaces.
        let annotation = annotations
            .get(&event.id)
            .and_then(|edits| fold_register(edits));
        let at = corrected(event, offsets);
        entries.push((
            DraftEntry {
                id: event.id,
                at,
                offset_ms,
                skewed: offset_ms.is_some_and(is_skewed),
                author: event.author.clone(),
                source,
                kind: event.kind(),
                text: entry.text.clone(),
                status: match &event.body {
                    EventBody::StatusChanged { status } => Some(*status),
                    _ => None,
                },
                key,
                starred: flag.starred,
                hidden: flag.hidden,
                in_document: (listed_by_default || key.is_some() || flag.starred) && !flag.hidden,
                annotation,
            },
            (at, event.device, event.seq),
        ));
    }
    // A probe shows when its state changes (the first result, down → up, up → down),
    // not at every repeat: a watch or a retry loop would drown the story.
    probes_first.sort_by_key(|(i, ..)| entries[*i].1);
    for (i, key, ok, watch_change) in probes_first {
        let changed = probe_state.insert(key, ok) != Some(ok);
        let entry = &mut entries[i].0;
        if (changed || watch_change) && !entry.hidden {
            entry.in_document = true;
        }
    }
    entries.sort_by_key(|(_, order)| *order);
    entries.into_iter().map(|(e, _)| e).collect()
}

fn source_of(kind: EventKind) -> Option<EntrySource> {
    Some(match kind {
        k if k.is_finding() => EntrySource::Note,
        EventKind::Concluded => EntrySource::Note,
        EventKind::Probe => EntrySource::Probe,
        EventKind::StepChecked
        | EventKind::StepSkipped
        | EventKind::StepReopened
        | EventKind::RunbookRunStarted => EntrySource::Checklist,
        EventKind::IncidentStarted | EventKind::StatusChanged | EventKind::SeverityChanged => {
            EntrySource::Status
        }
        EventKind::RoleAssigned | EventKind::HandoffSent | EventKind::HandoffAccepted => {
            EntrySource::Role
        }
        // Bookkeeping, not part of the story: variables, the post-mortem's own edits,
        // and amendments or retractions whose target is unknown.
        _ => return None,
    })
}

fn key_moment(
    body: &EventBody,
    id: EventId,
    abandoned: &HashSet<EventId>,
    amends: Option<EventId>,
) -> Option<KeyMoment> {
    match body {
        EventBody::IncidentStarted { .. } => Some(KeyMoment::FirstReport),
        EventBody::RoleAssigned {
            role: Role::Leader, ..
        } => Some(KeyMoment::LeaderAssigned),
        EventBody::Finding { finding, .. } => match EventKind::from(*finding) {
            EventKind::Update => Some(KeyMoment::CustomerUpdate),
            EventKind::Action if !abandoned.contains(&id) => Some(KeyMoment::Mitigation),
            _ => None,
        },
        EventBody::Concluded {
            outcome: Outcome::Done,
            ..
        } if amends.is_some() => Some(KeyMoment::Mitigation),
        EventBody::StatusChanged {
            status: Status::Mitigated,
        } => Some(KeyMoment::Mitigation),
        EventBody::StatusChanged {
            status: Status::Resolved,
        } => Some(KeyMoment::Resolution),
        _ => None,
    }
}
