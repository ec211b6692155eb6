//! Firebreak's pure domain: the event log's types, the runbook format and its parser,
//! and the folds that turn a log into state. Nothing here touches a disk, a clock or a
//! network: callers pass `now` and the events in, and get values out, so everything is
//! tested without I/O.
//!
//! Layout:
//! - `ids`: UUID newtypes (events and incidents are UUIDv7).
//! - `event`: the immutable `Event` and its `EventBody` kinds.
//! - `runbook`: the Markdown runbook format, parsed into a model with source spans.
//! - `probe`: probe results as data, watches as a state machine, targets people type.
//! - `views`: folds of the log: incident state, checklists, timeline, findings'
//!   standing, handoffs.
//! - `render`: views into Markdown.
//! - `handoff`: the handoff note drafted from the state, and the bundle file that
//!   carries an incident without a hub.
//! - `postmortem`: the shared post-mortem draft folded from the log (sections edited
//!   offline with concurrent versions kept, the curated merged timeline, durations)
//!   and its Markdown, HTML and email renderings.
//! - `sync`: the hub's wire types and the pure side of sync (push planning, clock
//!   offsets, the merged timeline).
//! - `time_input`: times people type (`--at 13:30`, `10m ago`).
//! - `step_ref`: step references people type (`3.2`, `runbook-id:3.2`).
//! - `rules`: checks a new event must pass before it is appended.
//! - `error`: invalid values people type.

pub mod error;
pub mod event;
pub mod handoff;
pub mod ids;
pub mod postmortem;
pub mod probe;
pub mod render;
pub mod rules;
pub mod runbook;
pub mod step_ref;
pub mod sync;
pub mod time_input;
pub mod views;

#[cfg(test)]
mod test_support;

pub use error::Error;
