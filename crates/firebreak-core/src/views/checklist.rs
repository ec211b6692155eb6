//! A runbook run's checklist: each step of the pinned runbook version with its state.

use super::order::sort_log;
use crate::event::{Event, EventBody};
use crate::ids::RunId;
use crate::runbook::placeholder::fill;
use crate::runbook::{Runbook, StepPath};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepState {
    Open,
    Checked,
    Skipped,
}

impl StepState {
    pub fn as_str(self) -> &'static str {
        match self {
            StepState::Open => "open",
            StepState::Checked => "checked",
            StepState::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistStep {
    pub path: StepPath,
    pub text: String,
    /// The title of the section the step sits in.
    pub section: String,
    pub depth: usize,
    pub state: StepState,
    /// Who last changed the state, and when.
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    /// The note or reason given with the last change.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunChecklist {
    pub run: RunId,
    pub steps: Vec<ChecklistStep>,
}

impl RunChecklist {
    pub fn count(&self, state: StepState) -> usize {
        self.steps.iter().filter(|s| s.state == state).count()
    }
}

/// Folds the step events of `run` over the pinned runbook version. Events for other
/// runs, and for paths the runbook does not have, are ignored. Step text has its
/// `{{ placeholders }}` filled from the incident's variables, then the runbook's
/// defaults; unknown ones stay visible.
pub fn fold_checklist(run: RunId, runbook: &Runbook, events: &[Event]) -> RunChecklist {
    let mut incident_vars: HashMap<&str, &str> = HashMap::new();
    for event in sort_log(events) {
        if let EventBody::VariableSet { name, value } = &event.body {
            match value {
                Some(v) => incident_vars.insert(name, v),
                None => incident_vars.remove(name.as_str()),
            };
        }
    }
    let defaults = &runbook.front_matter.variables;
    let fill_text = |text: &str| {
        fill(text, |name| {
            incident_vars
                .get(name)
                .map(|v| v.to_string())
                .or_else(|| defaults.get(name).cloned())
        })
        .text
    };
    struct Latest {
        state: StepState,
        by: String,
        at: DateTime<Utc>,
        reason: Option<String>,
    }
    let mut latest: HashMap<&StepPath, Latest> = HashMap::new();
    for event in sort_log(events) {
        let (target, state, reason) = match &event.body {
            EventBody::StepChecked { target, note, .. } => (target, StepState::Checked, note),
            EventBody::StepSkipped { target, reason, .. } => (target, StepState::Skipped, reason),
            EventBody::StepReopened { target, reason, .. } => (target, StepState::Open, reason),
            _ => continue,
        };
        if target.run != run {
            continue;
        }
        latest.insert(
            &target.step,
            Latest {
                state,
                by: event.author.clone(),
                at: event.effective_time(),
                reason: reason.clone(),
            },
        );
    }
    let steps = runbook
        .steps()
        .into_iter()
        .map(|(section, step)| {
            let found = latest.get(&step.path);
            ChecklistStep {
                path: step.path.clone(),
                text: fill_text(&step.text),
                section: fill_text(&section.title),
                depth: step.path.depth(),
                state: found.map_or(StepState::Open, |l| l.state),
                by: found.map(|l| l.by.clone()),
                at: found.map(|l| l.at),
                reason: found.and_then(|l| l.reason.clone()),
            }
        })
        .collect();
    RunChecklist { run, steps }
}
