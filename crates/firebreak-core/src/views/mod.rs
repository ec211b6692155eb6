//! Views are folds over the log. Each takes events (in any order; it sorts them into
//! log order itself) and returns plain values. Nothing here is stored: a view is always
//! recomputed from the events, so it can never disagree with them.

mod checklist;
mod findings;
mod handoffs;
mod incident;
mod order;
mod probes;
mod timeline;

pub use checklist::{ChecklistStep, RunChecklist, StepState, fold_checklist};
pub use findings::{Conclusion, FindingStatus, FindingsState, fold_findings};
pub use handoffs::{Acceptance, Handoff, fold_handoffs, inbox, same_person};
pub use incident::{IncidentState, RunInfo, fold_incident};
pub use order::{log_order, sort_log};
pub use probes::{ProbeHistory, ProbePoint, fold_probes};
pub use timeline::{TimelineEntry, fold_timeline};
