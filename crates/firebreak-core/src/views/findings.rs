//! Where the responders' thinking stands: hypotheses open, confirmed or ruled out;
//! actions in flight, done or abandoned; decisions taken; the last thing customers were
//! told. The handoff note and the post-mortem both read it.

use super::timeline::{TimelineEntry, fold_timeline};
use crate::event::{Event, EventBody, EventKind, Outcome};
use crate::ids::EventId;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

/// One finding as it stands now (amendments applied).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingStatus {
    pub event: EventId,
    pub kind: EventKind,
    pub text: String,
    pub author: String,
    /// When it happened (or was recorded).
    pub at: DateTime<Utc>,
    /// How it ended, if it has (hypotheses and actions only).
    pub conclusion: Option<Conclusion>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conclusion {
    pub outcome: Outcome,
    pub note: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The incident's findings sorted by what they are and whether they are settled.
/// Retracted findings are left out: they no longer stand.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FindingsState {
    pub open_hypotheses: Vec<FindingStatus>,
    pub confirmed_hypotheses: Vec<FindingStatus>,
    pub ruled_out_hypotheses: Vec<FindingStatus>,
    pub actions_in_flight: Vec<FindingStatus>,
    pub actions_done: Vec<FindingStatus>,
    pub actions_abandoned: Vec<FindingStatus>,
    pub decisions: Vec<FindingStatus>,
    /// Customer-facing updates, oldest first; the last is what customers see now.
    pub updates: Vec<FindingStatus>,
}

impl FindingsState {
    pub fn last_update(&self) -> Option<&FindingStatus> {
        self.updates.last()
    }
}

/// Folds one incident's events. Within each list, entries are in timeline order. When
/// a finding was concluded more than once (ruled out, then confirmed after all), the
/// latest conclusion stands.
pub fn fold_findings(events: &[Event]) -> FindingsState {
    let timeline = fold_timeline(events);
    let mut conclusions: HashMap<EventId, Conclusion> = HashMap::new();
    for entry in &timeline {
        if let (EventBody::Concluded { outcome, note }, Some(target)) =
            (&entry.event.body, entry.event.amends)
        {
            if entry.retracted {
                continue;
            }
            let conclusion = Conclusion {
                outcome: *outcome,
                note: note.clone().filter(|n| !n.trim().is_empty()),
                by: entry.event.author.clone(),
                at: entry.event.effective_time(),
            };
            // The timeline is in time order, so a later conclusion replaces an earlier.
            conclusions.insert(target, conclusion);
        }
    }
    let mut state = FindingsState::default();
    for entry in timeline.iter().filter(|e| !e.retracted) {
        let status = |entry: &TimelineEntry| FindingStatus {
            event: entry.event.id,
            kind: entry.kind(),
            text: entry.text.clone(),
            author: entry.event.author.clone(),
            at: entry.event.effective_time(),
            conclusion: conclusions.get(&entry.event.id).cloned(),
        };
        let item = status(entry);
        let outcome = item.conclusion.as_ref().map(|c| c.outcome);
        match (entry.kind(), outcome) {
            (EventKind::Hypothesis, None) => state.open_hypotheses.push(item),
            (EventKind::Hypothesis, Some(Outcome::Confirmed)) => {
                state.confirmed_hypotheses.push(item)
            }
            (EventKind::Hypothesis, Some(_)) => state.ruled_out_hypotheses.push(item),
            (EventKind::Action, None) => state.actions_in_flight.push(item),
            (EventKind::Action, Some(Outcome::Done)) => state.actions_done.push(item),
            (EventKind::Action, Some(_)) => state.actions_abandoned.push(item),
            (EventKind::Decision, _) => state.decisions.push(item),
            (EventKind::Update, _) => state.updates.push(item),
            _ => {}
        }
    }
    state
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FindingKind;
    use crate::test_support::LogBuilder;

    fn finding(kind: FindingKind, text: &str) -> EventBody {
        EventBody::Finding {
            finding: kind,
            text: text.into(),
        }
    }

    fn conclude(log: &mut LogBuilder, target: &Event, outcome: Outcome, note: Option<&str>) {
        log.push_with(
            EventBody::Concluded {
                outcome,
                note: note.map(str::to_string),
            },
            |e| e.amends = Some(target.id),
        );
    }

    #[test]
    fn hypotheses_and_actions_sort_by_how_they_ended() {
        let mut log = LogBuilder::new("alice");
        let cold = log.push(finding(FindingKind::Hypothesis, "the cache is cold"));
        let dns = log.push(finding(FindingKind::Hypothesis, "DNS is stale"));
        log.push(finding(FindingKind::Hypothesis, "a bad deploy"));
        let drain = log.push(finding(FindingKind::Action, "drain node 3"));
        log.push(finding(FindingKind::Action, "page the DBA"));
        log.push(finding(FindingKind::Decision, "roll back 4.2"));
        log.push(finding(FindingKind::Update, "status page: investigating"));
        log.push(finding(FindingKind::Update, "status page: fix rolling out"));
        conclude(&mut log, &cold, Outcome::RuledOut, Some("hit rate 99%"));
        conclude(&mut log, &dns, Outcome::RuledOut, None);
        // Re-opened by the evidence: the latest conclusion stands.
        conclude(&mut log, &dns, Outcome::Confirmed, Some("TTL was 1 day"));
        conclude(&mut log, &drain, Outcome::Done, None);

        let state = fold_findings(&log.events);
        let texts = |list: &[FindingStatus]| -> Vec<String> {
            list.iter().map(|f| f.text.clone()).collect()
        };
        assert_eq!(texts(&state.open_hypotheses), ["a bad deploy"]);
        assert_eq!(texts(&state.ruled_out_hypotheses), ["the cache is cold"]);
        assert_eq!(
            state.ruled_out_hypotheses[0]
                .conclusion
                .as_ref()
                .and_then(|c| c.note.as_deref()),
            Some("hit rate 99%")
        );
        assert_eq!(texts(&state.confirmed_hypotheses), ["DNS is stale"]);
        assert_eq!(texts(&state.actions_in_flight), ["page the DBA"]);
        assert_eq!(texts(&state.actions_done), ["drain node 3"]);
        assert_eq!(texts(&state.decisions), ["roll back 4.2"]);
        assert_eq!(
            state.last_update().map(|u| u.text.as_str()),
            Some("status page: fix rolling out")
        );
    }

    #[test]
    fn retracted_findings_and_conclusions_no_longer_count() {
        let mut log = LogBuilder::new("alice");
        let typo = log.push(finding(FindingKind::Action, "restrat the pods"));
        let real = log.push(finding(FindingKind::Action, "restart the pods"));
        log.push_with(EventBody::Retracted { reason: None }, |e| {
            e.amends = Some(typo.id)
        });
        let done = log.push_with(
            EventBody::Concluded {
                outcome: Outcome::Done,
                note: None,
            },
            |e| e.amends = Some(real.id),
        );
        log.push_with(EventBody::Retracted { reason: None }, |e| {
            e.amends = Some(done.id)
        });
        let state = fold_findings(&log.events);
        assert_eq!(state.actions_in_flight.len(), 1);
        assert_eq!(state.actions_in_flight[0].text, "restart the pods");
        assert!(state.actions_done.is_empty());
    }
}
