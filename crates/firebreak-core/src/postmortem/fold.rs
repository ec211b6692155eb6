//! The log folded into the post-mortem draft.

use super::change::Mark;
use super::change::{DEFAULT_GATES, PostmortemChange, Section, gate_key};
use super::draft::{
    FollowUp, PostmortemDraft, ProbeSummary, Responder, SectionBody, SectionDraft, TollgateDraft,
    TollgateRow,
};
use super::milestones::{Overrides, durations, milestones};
use super::prefill::{PrefillContext, suggest};
use super::register::{Edit, Version, fold_register};
use super::timeline::{Flags, build_timeline, correct, corrected};
use crate::event::{Event, EventBody};
use crate::ids::EventId;
use crate::views::{fold_findings, fold_incident, fold_probes, same_person, sort_log};
use std::collections::{HashMap, HashSet};

/// Folds one incident's events into its post-mortem draft. `offsets` holds, per event,
/// the device's clock offset the hub measured when the event arrived (hub − device,
/// ms); events without one are placed uncorrected. Private events are left out: they
/// never leave their laptop, and every copy of the draft must be the same. `None` when
/// the log holds no start of an incident.
pub fn fold_postmortem(
    events: &[Event],
    offsets: &HashMap<EventId, i64>,
) -> Option<PostmortemDraft> {
    let shared: Vec<Event> = events.iter().filter(|e| !e.private).cloned().collect();
    let state = fold_incident(&shared)?;
    let findings = fold_findings(&shared);
    let sorted = sort_log(&shared);

    let mut sections: HashMap<Section, Vec<Edit<String>>> = HashMap::new();
    let mut flags: HashMap<EventId, Flags> = HashMap::new();
    let mut annotations: HashMap<EventId, Vec<Edit<String>>> = HashMap::new();
    let mut gates: Vec<(String, String)> = DEFAULT_GATES
        .iter()
        .map(|g| (gate_key(g), g.to_string()))
        .collect();
    let mut gate_edits: HashMap<String, Vec<Edit<TollgateRow>>> = HashMap::new();
    let mut overrides: Overrides = HashMap::new();
    let mut actions: Vec<FollowUp> = Vec::new();
    let mut changes: Vec<(&Event, &PostmortemChange)> = Vec::new();
    let mut authors: Vec<String> = Vec::new();

    for event in &sorted {
        let EventBody::PostmortemEdited { edit } = &event.body else {
            continue;
        };
        if !authors.contains(&event.author) {
            authors.push(event.author.clone());
        }
        fn version<T>(event: &Event, offsets: &HashMap<EventId, i64>, value: T) -> Version<T> {
            Version {
                id: event.id,
                author: event.author.clone(),
                at: corrected(event, offsets),
                value,
            }
        }
        match edit {
            PostmortemChange::Section {
                section,
                text,
                replaces,
            } => sections.entry(*section).or_default().push(Edit {
                version: version(event, offsets, text.clone()),
                replaces: replaces.clone(),
            }),
            PostmortemChange::Mark { entry, mark } => {
                let flag = flags.entry(*entry).or_default();
                match mark {
                    Mark::Star => flag.starred = true,
                    Mark::Unstar => flag.starred = false,
                    Mark::Hide => flag.hidden = true,
                    Mark::Show => flag.hidden = false,
                }
            }
            PostmortemChange::Annotate {
                entry,
                text,
                replaces,
            } => annotations.entry(*entry).or_default().push(Edit {
                version: version(event, offsets, text.clone()),
                replaces: replaces.clone(),
            }),
            PostmortemChange::ActionAdded {
                class,
                text,
                owner,
                ticket,
            } => actions.push(FollowUp {
                id: event.id,
                class: *class,
                text: text.clone(),
                owner: owner.clone(),
                ticket: ticket.clone(),
                status: super::change::ActionStatus::Open,
                added_by: event.author.clone(),
                at: corrected(event, offsets),
            }),
            // After every action is known: a change can sort before its action when
            // the clocks of the two laptops disagree.
            PostmortemChange::ActionChanged { .. } => changes.push((event, edit)),
            PostmortemChange::Tollgate {
                gate,
                why_missed,
                ticket,
                replaces,
            } => {
                let key = gate_key(gate);
                if !gates.iter().any(|(k, _)| *k == key) {
                    gates.push((key.clone(), gate.trim().to_string()));
                }
                gate_edits.entry(key).or_default().push(Edit {
                    version: version(
                        event,
                        offsets,
                        TollgateRow {
                            why_missed: why_missed.clone(),
                            ticket: ticket.clone(),
                        },
                    ),
                    replaces: replaces.clone(),
                });
            }
            PostmortemChange::Milestone { milestone, at } => {
                overrides.insert(*milestone, (*at, event.author.clone()));
            }
        }
    }
    for (_, change) in changes {
        let PostmortemChange::ActionChanged {
            action,
            status,
            owner,
            ticket,
            text,
        } = change
        else {
            continue;
        };
        let Some(follow_up) = actions.iter_mut().find(|a| a.id == *action) else {
            continue;
        };
        if let Some(status) = status {
            follow_up.status = *status;
        }
        if let Some(owner) = owner {
            follow_up.owner = Some(owner.clone()).filter(|o| !o.trim().is_empty());
        }
        if let Some(ticket) = ticket {
            follow_up.ticket = Some(ticket.clone()).filter(|t| !t.trim().is_empty());
        }
        if let Some(text) = text.as_ref().filter(|t| !t.trim().is_empty()) {
            follow_up.text = text.clone();
        }
    }

    let abandoned: HashSet<EventId> = findings.actions_abandoned.iter().map(|f| f.event).collect();
    let timeline = build_timeline(&shared, offsets, &flags, &annotations, &abandoned);
    let milestones = milestones(&timeline, &overrides, state.status);
    let durations = durations(&milestones);

    let opened_at = timeline
        .iter()
        .find(|e| e.key == Some(super::draft::KeyMoment::FirstReport))
        .map(|e| e.at);
    let first_finding = timeline
        .iter()
        .find(|e| e.kind.is_finding())
        .map(|e| (e.author.as_str(), e.text.as_str()));
    let context = PrefillContext {
        state: &state,
        findings: &findings,
        milestones: &milestones,
        durations: &durations,
        first_finding,
        opened_at,
    };
    let sections = Section::ALL
        .into_iter()
        .map(|section| section_draft(section, sections.get(&section), &context))
        .collect();

    let tollgates = gates
        .into_iter()
        .map(|(key, gate)| {
            let standing = gate_edits.get(&key).and_then(|edits| fold_register(edits));
            let (versions, heads) = standing.map(|s| (s.versions, s.heads)).unwrap_or_default();
            TollgateDraft {
                gate,
                versions,
                heads,
            }
        })
        .collect();

    let probes = fold_probes(&shared)
        .into_iter()
        .map(|history| {
            let at = |point: &crate::views::ProbePoint| {
                correct(point.at, offsets.get(&point.event).copied())
            };
            let first_failure = history.runs.iter().find(|r| !r.ok).map(at);
            let last_failure = history.runs.iter().rposition(|r| !r.ok);
            let recovered = last_failure
                .and_then(|i| history.runs.get(i + 1..))
                .and_then(|rest| rest.iter().find(|r| r.ok))
                .map(at);
            let last = history.runs.last();
            ProbeSummary {
                label: history.label.clone(),
                runs: history.runs.len(),
                passed: history.passes(),
                first_failure,
                recovered,
                last_ok: history.last.ok,
                last_at: last.map(at).unwrap_or(history.last.started_at),
                last_reason: history.last.reason.clone(),
            }
        })
        .collect();

    let mut responders: Vec<Responder> = Vec::new();
    let mut add_responder = |name: &str| {
        if !responders.iter().any(|r| same_person(&r.name, name)) {
            responders.push(Responder {
                name: name.to_string(),
                roles: Vec::new(),
            });
        }
    };
    for event in &sorted {
        add_responder(&event.author);
    }
    for person in state.roles.values() {
        add_responder(person);
    }
    for (role, person) in &state.roles {
        if let Some(r) = responders.iter_mut().find(|r| same_person(&r.name, person)) {
            r.roles.push(*role);
        }
    }

    Some(PostmortemDraft {
        incident: state.id,
        title: state.title.clone(),
        severity: state.severity,
        status: state.status,
        milestones,
        durations,
        authors,
        responders,
        sections,
        timeline,
        actions,
        tollgates,
        probes,
    })
}

fn section_draft(
    section: Section,
    edits: Option<&Vec<Edit<String>>>,
    context: &PrefillContext<'_>,
) -> SectionDraft {
    let standing = edits.and_then(|edits| fold_register(edits));
    let (heads, editors) = standing
        .as_ref()
        .map(|s| (s.heads(), s.editors.clone()))
        .unwrap_or_default();
    let body = match standing {
        Some(s) if s.is_conflict() => SectionBody::Conflict {
            versions: s.versions,
        },
        Some(s) => match s.versions.into_iter().next() {
            Some(v) if !v.value.trim().is_empty() => SectionBody::Written {
                text: v.value,
                by: v.author,
                at: v.at,
            },
            // Cleared on purpose: the log's suggestion does not come back.
            _ => SectionBody::Empty {
                prompt: section.prompt().to_string(),
            },
        },
        None => match suggest(section, context) {
            Some(text) => SectionBody::FromLog { text },
            None => SectionBody::Empty {
                prompt: section.prompt().to_string(),
            },
        },
    };
    SectionDraft {
        section,
        title: section.title().to_string(),
        body,
        heads,
        editors,
    }
}
