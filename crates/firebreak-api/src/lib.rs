//! The desktop app's API, with no Tauri in it: transport types (exported to
//! TypeScript), errors as `{code, message}`, and one method per command over the store
//! and the core. The Tauri shell (`src-tauri`) is generated from the command list here
//! and only forwards calls, in the way GitButler keeps its shell thin.
//!
//! Layout:
//! - the command list (`with_commands!`), the single source of truth, lives in the
//!   dependency-free `firebreak-commands` crate and is re-exported here.
//! - `api`: `Api`, one method per command.
//! - `probe_api`: the probe commands (plan, safety check, hand to the runner) and
//!   incident variables.
//! - `probe_runner`: probes and watches run in the background on a small tokio runtime
//!   and append their results through a second store connection.
//! - `sync_api`: sync with the team's hub — the status, connect (checked with the hub
//!   first, nothing saved on a refusal), disconnect, sync now; owns the background
//!   `SyncWorker`, started once the store has a hub. Appends nudge it (`append_with`).
//! - `handoff_api`: shift handoffs (draft, send, export and import the bundle, the
//!   inbox, take over, history) and how a hypothesis or an action ended.
//! - `postmortem_api`: the post-mortem draft (one view with the document as Markdown),
//!   its changes (sections with the heads the editor saw, stars, annotations, actions,
//!   tollgates, milestones) and the document exported as Markdown, HTML or email.
//! - `types`, `probe_types`, `sync_types`, `handoff_types`, `postmortem_types`: transport
//!   types, requests and responses.
//!   The hub token goes in and never comes back out.
//! - `convert`: domain values to transport types.
//! - `error`: `ApiError { code, message }` and the mapping from store errors.
//! - `bindings`: the generated TypeScript (`ui/src/lib/bindings.ts`).

mod api;
pub mod bindings;
mod convert;
mod error;
mod handoff_api;
mod handoff_types;
mod postmortem_api;
mod postmortem_types;
mod probe_api;
mod probe_runner;
mod probe_types;
mod sync_api;
mod sync_types;
pub mod types;

pub use api::Api;
pub use error::{ApiError, ErrorCode};
pub use firebreak_commands::{COMMAND_NAMES, with_commands};
pub use probe_runner::MIN_WATCH_EVERY;
pub use sync_api::SyncOptions;
