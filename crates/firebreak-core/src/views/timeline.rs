//! The findings timeline: every event as people read it, amendments applied.

use crate::event::{Event, EventBody, EventKind};
use crate::ids::EventId;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub event: Event,
    /// The text as it stands: the latest amendment's, else the event's own.
    pub text: String,
    /// The amendments, oldest first.
    pub amended_by: Vec<EventId>,
    pub retracted: bool,
    pub retraction_reason: Option<String>,
}

impl TimelineEntry {
    pub fn kind(&self) -> EventKind {
        self.event.kind()
    }
}

/// Folds events into timeline entries, ordered by when things happened (a backdated
/// finding sits where it happened, not where it was typed). Amendments and retractions
/// are not entries of their own: they change the entry they point at. An amendment
/// that points at nothing known is shown as an entry, so nothing is hidden.
pub fn fold_timeline(events: &[Event]) -> Vec<TimelineEntry> {
    let sorted = super::order::sort_log(events);
    let known: HashMap<EventId, &Event> = sorted.iter().map(|e| (e.id, *e)).collect();
    let mut entries: Vec<TimelineEntry> = Vec::new();
    let mut index: HashMap<EventId, usize> = HashMap::new();
    let mut changes: Vec<&Event> = Vec::new();
    for event in &sorted {
        let is_change = matches!(
            event.body,
            EventBody::Amended { .. } | EventBody::Retracted { .. }
        );
        let target_known = event.amends.is_some_and(|t| known.contains_key(&t));
        if is_change && target_known {
            changes.push(event);
            continue;
        }
        index.insert(event.id, entries.len());
        entries.push(TimelineEntry {
            event: (*event).clone(),
            text: event.body.text(),
            amended_by: Vec::new(),
            retracted: false,
            retraction_reason: None,
        });
    }
    for change in changes {
        let Some(&i) = change.amends.as_ref().and_then(|t| index.get(t)) else {
            continue;
        };
        let entry = &mut entries[i];
        match &change.body {
            EventBody::Amended { text } => {
                entry.text = text.clone();
                entry.amended_by.push(change.id);
            }
            EventBody::Retracted { reason } => {
                entry.retracted = true;
                entry.retraction_reason = reason.clone();
            }
            _ => {}
        }
    }
    // A conclusion reads with the finding it ends: "Hypothesis ruled out: the cache is
    // cold — hit rate is 99%".
    let texts: HashMap<EventId, String> = entries
        .iter()
        .map(|e| (e.event.id, e.text.clone()))
        .collect();
    for entry in &mut entries {
        if let (EventBody::Concluded { .. }, Some(target)) = (&entry.event.body, entry.event.amends)
            && let Some(target_text) = texts.get(&target)
        {
            entry.text = concluded_text(&entry.event.body, target_text);
        }
    }
    entries.sort_by(|a, b| {
        a.event
            .effective_time()
            .cmp(&b.event.effective_time())
            .then_with(|| super::order::log_order(&a.event, &b.event))
    });
    entries
}

fn concluded_text(body: &EventBody, target_text: &str) -> String {
    let flat = target_text.split_whitespace().collect::<Vec<_>>().join(" ");
    match body {
        EventBody::Concluded { outcome, note } => {
            let head = outcome.headline();
            match note.as_deref().map(str::trim) {
                Some(n) if !n.is_empty() => format!("{head}: {flat} — {n}"),
                _ => format!("{head}: {flat}"),
            }
        }
        _ => body.text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FindingKind;
    use crate::test_support::LogBuilder;
    use chrono::Duration;

    fn finding(text: &str) -> EventBody {
        EventBody::Finding {
            finding: FindingKind::Observation,
            text: text.into(),
        }
    }

    #[test]
    fn amendments_replace_text_and_retractions_mark_entries() {
        let mut log = LogBuilder::new("alice");
        let first = log.push(finding("LB shows 0/4 healthy"));
        let second = log.push(finding("db primary is fine"));
        log.push_with(
            EventBody::Amended {
                text: "LB shows 1/4 healthy".into(),
            },
            |e| e.amends = Some(first.id),
        );
        log.push_with(
            EventBody::Retracted {
                reason: Some("wrong cluster".into()),
            },
            |e| e.amends = Some(second.id),
        );
        let timeline = fold_timeline(&log.events);
        assert_eq!(timeline.len(), 2, "changes are not entries of their own");
        assert_eq!(timeline[0].text, "LB shows 1/4 healthy");
        assert_eq!(timeline[0].amended_by.len(), 1);
        assert!(!timeline[0].retracted);
        assert!(timeline[1].retracted);
        assert_eq!(
            timeline[1].retraction_reason.as_deref(),
            Some("wrong cluster")
        );
    }

    #[test]
    fn backdated_findings_sit_where_they_happened() {
        let mut log = LogBuilder::new("alice");
        log.push(finding("typed first"));
        let start = log.clock;
        log.push_with(finding("happened earlier"), |e| {
            e.occurred_at = Some(start - Duration::minutes(30))
        });
        let timeline = fold_timeline(&log.events);
        assert_eq!(timeline[0].text, "happened earlier");
        assert_eq!(timeline[1].text, "typed first");
    }

    #[test]
    fn a_conclusion_reads_with_the_finding_it_ends() {
        let mut log = LogBuilder::new("alice");
        let guess = log.push(EventBody::Finding {
            finding: FindingKind::Hypothesis,
            text: "the cache\nis cold".into(),
        });
        log.push_with(
            EventBody::Concluded {
                outcome: crate::event::Outcome::RuledOut,
                note: Some("hit rate is 99%".into()),
            },
            |e| e.amends = Some(guess.id),
        );
        let timeline = fold_timeline(&log.events);
        assert_eq!(timeline.len(), 2, "a conclusion is an entry of its own");
        assert_eq!(
            timeline[1].text,
            "Hypothesis ruled out: the cache is cold — hit rate is 99%"
        );
    }

    #[test]
    fn an_amendment_of_an_unknown_event_stays_visible() {
        let mut log = LogBuilder::new("alice");
        log.push_with(
            EventBody::Amended {
                text: "orphan".into(),
            },
            |e| e.amends = Some(EventId::new_v7()),
        );
        let timeline = fold_timeline(&log.events);
        assert_eq!(timeline.len(), 1);
        assert_eq!(timeline[0].text, "orphan");
    }
}
