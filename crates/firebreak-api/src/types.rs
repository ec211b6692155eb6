//! Transport types: what crosses the IPC boundary, in the shapes the UI draws. Times
//! are RFC 3339 strings in UTC; the UI shows them in local time and UTC.

pub use crate::handoff_types::*;
pub use crate::postmortem_types::*;
pub use crate::probe_types::*;
pub use crate::sync_types::*;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Facts about the running app and its store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub version: String,
    pub store_path: String,
    pub author: String,
    pub device: String,
}

/// An incident as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentSummary {
    pub id: String,
    /// The last eight hex digits of the id, as the CLI prints it.
    pub short_id: String,
    pub title: String,
    /// investigating, identified, mitigated or resolved.
    pub status: String,
    /// SEV1 … SEV4, or null when not set.
    pub severity: Option<String>,
    pub leader: Option<String>,
    pub started_at: String,
    pub started_by: String,
    pub open: bool,
    pub runbooks: Vec<String>,
    pub event_count: u32,
}

/// A role and who holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RoleHolder {
    pub role: String,
    pub person: String,
}

/// When the incident first reached a status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StatusReached {
    pub status: String,
    pub at: String,
}

/// Everything the incident workspace shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentView {
    pub incident: IncidentSummary,
    pub roles: Vec<RoleHolder>,
    pub status_reached: Vec<StatusReached>,
    pub runs: Vec<RunView>,
    /// The findings timeline, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The store's time when the view was made, for "started 47m ago".
    pub now: String,
    /// The incident's variables (they fill `{{ placeholders }}` first).
    pub variables: Vec<VariableView>,
    /// The environment profile in use (the `profile` variable), if any.
    pub profile: Option<String>,
    /// The profiles beside the store (`profiles/NAME.toml`).
    pub profiles: Vec<String>,
    /// Why the profile cannot be used, if it cannot.
    pub profile_error: Option<String>,
    /// Every probe that has run in the incident, with its history.
    pub probes: Vec<ProbeView>,
    /// Keys of the probes running now.
    pub running_probes: Vec<String>,
    pub watches: Vec<WatchView>,
    /// The last failure to record a probe result, if any.
    pub probe_error: Option<String>,
}

/// One runbook run with its checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunView {
    pub run: String,
    pub runbook_id: String,
    pub title: String,
    pub content_hash: String,
    pub started_at: String,
    pub started_by: String,
    pub done: u32,
    pub skipped: u32,
    pub total: u32,
    pub sections: Vec<SectionView>,
}

/// A section of a run's checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SectionView {
    /// The section's index in the runbook (what `run_probes` takes as `section`).
    pub index: u32,
    pub title: String,
    pub level: u8,
    /// The section's own text before its first step.
    pub blocks: Vec<BlockView>,
    /// Steps and sub-steps, depth first; `depth` says how far to indent.
    pub steps: Vec<StepView>,
}

/// A checklist step and its state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepView {
    /// What `change_step` takes: `3.2`, or `runbook-id:3.2` when several runbooks run.
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub step_ref: String,
    /// The step's number in its runbook (`3.2`).
    pub path: String,
    pub depth: u32,
    /// The step's text as plain Markdown, placeholders filled.
    pub text: String,
    /// The same, rendered (safe HTML: no raw HTML, links or images).
    pub html: String,
    /// open, checked or skipped.
    pub state: String,
    pub by: Option<String>,
    pub at: Option<String>,
    pub reason: Option<String>,
    pub blocks: Vec<BlockView>,
}

/// Content attached to a step or section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BlockView {
    /// Paragraphs, quotes, tables, lists: rendered safe HTML.
    Text { html: String },
    /// A command to copy; it never runs by itself.
    Command { lang: Option<String>, code: String },
    /// A probe declared by the runbook.
    Probe {
        /// The probe's key in the log (`runbook-id:3#1`); null for a probe attached to a
        /// section rather than a step (it cannot be run from the app).
        key: Option<String>,
        name: Option<String>,
        kind: String,
        /// The probe's target, placeholders filled: a URL, `host:port` or a DNS name.
        target: String,
        /// Placeholders nothing fills yet: the probe cannot run until they are set.
        missing: Vec<String>,
        /// Loopback, link-local or metadata hosts it reaches (the app asks first).
        sensitive: Vec<String>,
        source: String,
    },
}

/// One entry of the findings timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TimelineEntry {
    pub id: String,
    pub short_id: String,
    /// The event kind: note, observation, hypothesis, decision, action, step_checked …
    pub kind: String,
    /// A short label for the kind (`checked`, `status`, …).
    pub label: String,
    /// Findings can be amended and retracted; other entries cannot.
    pub is_finding: bool,
    /// The text as it stands (amendments applied).
    pub text: String,
    pub author: String,
    pub device: String,
    pub recorded_at: String,
    /// When it happened, if the responder backdated it.
    pub occurred_at: Option<String>,
    /// `occurred_at` if given, else `recorded_at`: where the entry sits.
    pub at: String,
    pub amended: bool,
    pub retracted: bool,
    pub retraction_reason: Option<String>,
    pub private: bool,
    /// For a probe entry, whether the probe passed; null for every other kind.
    pub probe_ok: Option<bool>,
    /// How a hypothesis or an action ended, when it has: confirmed, ruled_out, done or
    /// abandoned (the latest conclusion stands). Null for every other entry.
    pub outcome: Option<String>,
}

/// A runbook in the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunbookSummary {
    pub id: String,
    pub title: String,
    pub steps: u32,
    pub content_hash: String,
    pub origin: String,
    pub updated_at: String,
    pub versions: u32,
}

/// A runbook search hit; the matched words are between `[` and `]` in `snippet`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunbookHit {
    pub id: String,
    pub title: String,
    pub snippet: String,
}

/// A runbook rendered for reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunbookPreview {
    pub id: String,
    pub title: String,
    pub content_hash: String,
    pub steps: u32,
    /// The body rendered to safe HTML (front matter left out).
    pub html: String,
}

/// What happened to one imported file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportedFile {
    pub path: String,
    pub ok: bool,
    pub id: Option<String>,
    pub title: Option<String>,
    pub steps: Option<u32>,
    /// added, new_version, restored or unchanged.
    pub change: Option<String>,
    /// `path:line:col: what was expected`, when the file failed.
    pub error: Option<String>,
}

/// The outcome of an import, file by file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub files: Vec<ImportedFile>,
    pub imported: u32,
    pub failed: u32,
}

/// What changing a step did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StepChanged {
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub step_ref: String,
    pub state: String,
    /// False when the step already was in that state (nothing recorded).
    pub recorded: bool,
}

// ----- requests --------------------------------------------------------------------

/// Which incident: an id (or unique prefix/suffix), or null for the most recent open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct IncidentRef {
    pub incident: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartIncident {
    pub title: String,
    pub severity: Option<String>,
    pub runbooks: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunRunbook {
    pub incident: String,
    pub runbook: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetStatus {
    pub incident: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetSeverity {
    pub incident: String,
    pub severity: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AssignRole {
    pub incident: String,
    pub role: String,
    pub person: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChangeStep {
    pub incident: String,
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub step_ref: String,
    /// checked, skipped or open.
    pub state: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AddNote {
    pub incident: String,
    /// note, observation, hypothesis, decision, action or update.
    pub kind: String,
    pub text: String,
    /// When it happened, as typed: `13:30`, `10m ago`, RFC 3339; null for now.
    pub at: Option<String>,
    pub private: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Amend {
    pub event: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Retract {
    pub event: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Query {
    pub query: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunbookRef {
    pub id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportPaths {
    pub paths: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportIncident {
    pub incident: String,
    /// Where to write the Markdown (from the save dialog).
    pub path: String,
    pub include_private: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetAuthor {
    pub name: String,
}
