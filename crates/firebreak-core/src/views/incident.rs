//! The incident's state: title, status, severity, roles and runbook runs.

use super::order::sort_log;
use crate::event::{Event, EventBody, Role, Severity, Status};
use crate::ids::{IncidentId, RunId};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentState {
    pub id: IncidentId,
    pub title: String,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub status: Status,
    pub severity: Option<Severity>,
    /// Who holds each role now.
    pub roles: BTreeMap<Role, String>,
    pub runs: Vec<RunInfo>,
    /// The time of the newest event, for "most recent incident" ordering.
    pub last_activity: DateTime<Utc>,
    /// When each status was first reached.
    pub status_reached: BTreeMap<Status, DateTime<Utc>>,
    pub event_count: usize,
    /// The incident's variables as they stand (see `VariableSet`).
    pub variables: BTreeMap<String, String>,
}

impl IncidentState {
    pub fn leader(&self) -> Option<&str> {
        self.roles.get(&Role::Leader).map(String::as_str)
    }

    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
}

/// One runbook attached to the incident, pinned to a version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    pub run: RunId,
    pub runbook_id: String,
    pub title: String,
    pub content_hash: String,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
}

/// Folds one incident's events into its state. `None` when the log holds no
/// `incident_started` event for it (for instance, only other responders' later events
/// have arrived so far).
pub fn fold_incident(events: &[Event]) -> Option<IncidentState> {
    let sorted = sort_log(events);
    let start = sorted
        .iter()
        .find(|e| matches!(e.body, EventBody::IncidentStarted { .. }))?;
    let (title, severity) = match &start.body {
        EventBody::IncidentStarted { title, severity } => (title.clone(), *severity),
        _ => return None,
    };
    let mut state = IncidentState {
        id: start.incident,
        title,
        started_at: start.effective_time(),
        started_by: start.author.clone(),
        status: Status::Investigating,
        severity,
        roles: BTreeMap::new(),
        runs: Vec::new(),
        last_activity: start.recorded_at,
        status_reached: BTreeMap::from([(Status::Investigating, start.effective_time())]),
        event_count: 0,
        variables: BTreeMap::new(),
    };
    for event in sorted {
        if event.incident != state.id {
            continue;
        }
        state.event_count += 1;
        state.last_activity = state.last_activity.max(event.recorded_at);
        match &event.body {
            EventBody::StatusChanged { status } => {
                state.status = *status;
                state
                    .status_reached
                    .entry(*status)
                    .or_insert(event.effective_time());
            }
            EventBody::SeverityChanged { severity } => state.severity = Some(*severity),
            EventBody::VariableSet { name, value } => match value {
                Some(v) => {
                    state.variables.insert(name.clone(), v.clone());
                }
                None => {
                    state.variables.remove(name);
                }
            },
            EventBody::RoleAssigned { role, person } => {
                state.roles.insert(*role, person.clone());
            }
            EventBody::RunbookRunStarted {
                run,
                runbook_id,
                title,
                content_hash,
                ..
            } => state.runs.push(RunInfo {
                run: *run,
                runbook_id: runbook_id.clone(),
                title: title.clone(),
                content_hash: content_hash.clone(),
                started_at: event.effective_time(),
                started_by: event.author.clone(),
            }),
            _ => {}
        }
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::FindingKind;
    use crate::test_support::LogBuilder;

    #[test]
    fn status_severity_and_roles_follow_the_latest_event() {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "API down".into(),
            severity: Some(Severity::Sev2),
        });
        log.push(EventBody::RoleAssigned {
            role: Role::Leader,
            person: "alice".into(),
        });
        log.push(EventBody::StatusChanged {
            status: Status::Identified,
        });
        log.push(EventBody::SeverityChanged {
            severity: Severity::Sev1,
        });
        log.push(EventBody::RoleAssigned {
            role: Role::Leader,
            person: "bob".into(),
        });
        log.push(EventBody::Finding {
            finding: FindingKind::Note,
            text: "noise".into(),
        });
        let state = fold_incident(&log.events).expect("started");
        assert_eq!(state.title, "API down");
        assert_eq!(state.status, Status::Identified);
        assert_eq!(state.severity, Some(Severity::Sev1));
        assert_eq!(state.leader(), Some("bob"));
        assert_eq!(state.event_count, 6);
        assert!(state.is_open());
        assert!(state.status_reached.contains_key(&Status::Identified));
    }

    #[test]
    fn variables_are_set_replaced_and_removed() {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "t".into(),
            severity: None,
        });
        let set = |name: &str, value: Option<&str>| EventBody::VariableSet {
            name: name.into(),
            value: value.map(str::to_string),
        };
        log.push(set("api", Some("http://127.0.0.1:1")));
        log.push(set("db", Some("127.0.0.1:5432")));
        log.push(set("api", Some("http://127.0.0.1:2")));
        log.push(set("db", None));
        let state = fold_incident(&log.events).expect("started");
        assert_eq!(
            state.variables,
            BTreeMap::from([("api".to_string(), "http://127.0.0.1:2".to_string())])
        );
    }

    #[test]
    fn fold_is_independent_of_input_order() {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "t".into(),
            severity: None,
        });
        log.push(EventBody::StatusChanged {
            status: Status::Mitigated,
        });
        log.push(EventBody::StatusChanged {
            status: Status::Resolved,
        });
        let forward = fold_incident(&log.events).expect("started");
        let mut reversed = log.events.clone();
        reversed.reverse();
        assert_eq!(fold_incident(&reversed), Some(forward.clone()));
        assert_eq!(forward.status, Status::Resolved);
        assert!(!forward.is_open());
    }

    #[test]
    fn no_start_event_means_no_incident() {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::StatusChanged {
            status: Status::Resolved,
        });
        assert_eq!(fold_incident(&log.events), None);
    }
}
