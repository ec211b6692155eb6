//! The shared post-mortem draft: folded from every responder's events, edited offline
//! by several people, rendered the same everywhere.
//!
//! Layout:
//! - `change`: what a `postmortem_edited` event says (a section's text, a star, an
//!   action, a tollgate row, a milestone time) and the names people type for them.
//! - `register`: free text edited apart; concurrent versions all stand until one edit
//!   replaces them all.
//! - `draft`: the draft as a value.
//! - `fold`: the log into the draft; `timeline` (corrected times, key moments,
//!   curation), `milestones` (began, detected, mitigated, resolved; durations),
//!   `prefill` (what the log says about sections nobody wrote yet).
//! - `markdown` (the canonical form), `html` (one self-contained page), `email` (issue,
//!   root cause, mitigation, prevention); `format` holds their shared time formats.

mod change;
mod draft;
mod email;
mod fold;
mod format;
mod html;
mod markdown;
mod milestones;
mod prefill;
mod register;
mod timeline;

#[cfg(test)]
mod tests;

pub use change::{
    ActionClass, ActionStatus, DEFAULT_GATES, Mark, Milestone, PostmortemChange, Section, gate_key,
};
pub use draft::{
    DraftEntry, Durations, EntrySource, FollowUp, KeyMoment, MilestoneTime, PostmortemDraft,
    ProbeSummary, Responder, SectionBody, SectionDraft, TimeSource, TollgateDraft, TollgateRow,
};
pub use email::postmortem_email;
pub use fold::fold_postmortem;
pub use html::postmortem_html;
pub use markdown::postmortem_markdown;
pub use register::{Edit, Standing, Version, fold_register};
