//! Step references people type: `3.2`, or `narrow-top-down:3.2` when an incident runs
//! several runbooks and the number alone is ambiguous.

use crate::event::StepTarget;
use crate::runbook::{Runbook, StepPath};
use crate::views::RunInfo;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepRefError {
    #[error("this incident runs no runbook, so it has no steps; start it with --runbook ID")]
    NoRuns,
    #[error(transparent)]
    BadPath(#[from] crate::Error),
    #[error("this incident runs no runbook {given:?}; it runs {running}")]
    UnknownRunbook { given: String, running: String },
    #[error("there is no step {step}{place}; steps go from 1 to {last}")]
    UnknownStep {
        step: String,
        place: String,
        last: String,
    },
    #[error("step {step} is in several runbooks of this incident; say which: {options}")]
    Ambiguous { step: String, options: String },
}

/// Resolves a typed reference against the incident's runs.
pub fn resolve_step(
    input: &str,
    runs: &[(&RunInfo, &Runbook)],
) -> Result<StepTarget, StepRefError> {
    if runs.is_empty() {
        return Err(StepRefError::NoRuns);
    }
    let (qualifier, path_text) = match input.trim().rsplit_once(':') {
        Some((q, p)) => (Some(q.trim()), p),
        None => (None, input.trim()),
    };
    let path: StepPath = path_text.parse()?;
    let candidates: Vec<&(&RunInfo, &Runbook)> = match qualifier {
        Some(q) => {
            let found: Vec<_> = runs.iter().filter(|(run, _)| run.runbook_id == q).collect();
            if found.is_empty() {
                return Err(StepRefError::UnknownRunbook {
                    given: q.to_string(),
                    running: runs
                        .iter()
                        .map(|(r, _)| r.runbook_id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            found
        }
        None => runs.iter().collect(),
    };
    let hits: Vec<_> = candidates
        .iter()
        .filter(|(_, runbook)| runbook.step(&path).is_some())
        .collect();
    match hits.as_slice() {
        [] => {
            let (place, last) = match candidates.as_slice() {
                [(run, runbook)] => (format!(" in {}", run.runbook_id), last_top_level(runbook)),
                _ => (
                    " in any runbook of this incident".to_string(),
                    candidates
                        .iter()
                        .map(|(run, rb)| format!("{} ({})", last_top_level(rb), run.runbook_id))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            };
            Err(StepRefError::UnknownStep {
                step: path.to_string(),
                place,
                last,
            })
        }
        [(run, _)] => Ok(StepTarget {
            run: run.run,
            step: path,
        }),
        many => Err(StepRefError::Ambiguous {
            step: path.to_string(),
            options: many
                .iter()
                .map(|(run, _)| format!("{}:{}", run.runbook_id, path))
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

fn last_top_level(runbook: &Runbook) -> String {
    let count = runbook
        .sections
        .iter()
        .map(|s| s.steps.len())
        .sum::<usize>();
    count.to_string()
}
