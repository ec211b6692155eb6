//! The four moments of an incident (impact began, detected, mitigated, resolved) and
//! the durations between them, read off the timeline unless someone set them by hand.

use super::change::Milestone;
use super::draft::{DraftEntry, Durations, KeyMoment, MilestoneTime, TimeSource};
use crate::event::Status;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// A milestone set by hand: `None` puts it back to the log's.
pub(super) type Overrides = HashMap<Milestone, (Option<DateTime<Utc>>, String)>;

/// The milestones, in order. `final_status` is the incident's status at the end of the
/// log: a resolution that was reopened does not count.
pub(super) fn milestones(
    timeline: &[DraftEntry],
    overrides: &Overrides,
    final_status: Status,
) -> Vec<MilestoneTime> {
    Milestone::ALL
        .into_iter()
        .map(|milestone| match overrides.get(&milestone) {
            Some((Some(at), author)) => MilestoneTime {
                milestone,
                at: Some(*at),
                source: TimeSource::SetBy {
                    author: author.clone(),
                },
            },
            _ => from_log(milestone, timeline, final_status),
        })
        .collect()
}

fn from_log(milestone: Milestone, timeline: &[DraftEntry], final_status: Status) -> MilestoneTime {
    let status_reached = |status: Status| {
        timeline
            .iter()
            .filter(move |e| e.status == Some(status))
            .map(|e| e.at)
    };
    let found: Option<(DateTime<Utc>, &str)> = match milestone {
        Milestone::Began => timeline
            .iter()
            .map(|e| e.at)
            .min()
            .map(|at| (at, "the earliest entry in the log")),
        Milestone::Detected => timeline
            .iter()
            .find(|e| e.key == Some(KeyMoment::FirstReport))
            .map(|e| (e.at, "the incident was opened")),
        Milestone::Mitigated => status_reached(Status::Mitigated)
            .min()
            .map(|at| (at, "status set to mitigated"))
            .or_else(|| {
                status_reached(Status::Resolved)
                    .min()
                    .map(|at| (at, "status set to resolved"))
            }),
        Milestone::Resolved if final_status == Status::Resolved => status_reached(Status::Resolved)
            .max()
            .map(|at| (at, "status set to resolved")),
        Milestone::Resolved => None,
    };
    match found {
        Some((at, what)) => MilestoneTime {
            milestone,
            at: Some(at),
            source: TimeSource::Log {
                what: what.to_string(),
            },
        },
        None => MilestoneTime {
            milestone,
            at: None,
            source: TimeSource::Unknown,
        },
    }
}

/// Time to detect, mitigate and resolve, each from the start of impact. A milestone
/// before the start (a typo in a time set by hand) gives no duration rather than a
/// negative one.
pub(super) fn durations(milestones: &[MilestoneTime]) -> Durations {
    let at = |m: Milestone| {
        milestones
            .iter()
            .find(|t| t.milestone == m)
            .and_then(|t| t.at)
    };
    let since_began = |m: Milestone| {
        let (began, then) = (at(Milestone::Began)?, at(m)?);
        let secs = (then - began).num_seconds();
        (secs >= 0).then_some(secs)
    };
    Durations {
        to_detect_secs: since_began(Milestone::Detected),
        to_mitigate_secs: since_began(Milestone::Mitigated),
        to_resolve_secs: since_began(Milestone::Resolved),
    }
}
