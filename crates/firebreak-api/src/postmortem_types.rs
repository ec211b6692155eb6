//! Transport types for the post-mortem: the whole draft as the screen draws it (header,
//! milestones, sections with their standing versions, the timeline to curate, actions,
//! tollgates, probes, the document as Markdown), and the changes people make to it.
//! Re-exported from `types`.
//!
//! Free text (a section, an annotation, a tollgate row) is a register: each version has
//! the id of the event that wrote it, and `heads` lists the standing ones. An editor
//! keeps the heads it showed when it opened and sends them back as `replaces`, so a
//! version written elsewhere meanwhile becomes a visible conflict instead of being
//! replaced unseen.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The incident's post-mortem draft, folded from every responder's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PostmortemView {
    pub incident: String,
    pub short_id: String,
    pub title: String,
    /// SEV1 … SEV4, or null when not set.
    pub severity: Option<String>,
    pub status: String,
    /// Began, detected, mitigated, resolved, in that order.
    pub milestones: Vec<MilestoneView>,
    /// Time to detect, mitigate and resolve, each from the start of impact.
    pub durations: Vec<DurationView>,
    /// Who wrote the post-mortem, in the order they first edited it.
    pub authors: Vec<String>,
    /// Everyone who recorded anything, with the roles they hold at the end.
    pub responders: Vec<ResponderView>,
    /// Every section, in document order.
    pub sections: Vec<PostmortemSection>,
    /// Every candidate entry, hidden ones included, in corrected-time order.
    pub timeline: Vec<PostmortemEntry>,
    pub actions: Vec<FollowUpView>,
    /// The default gates first, then the ones people added.
    pub tollgates: Vec<TollgateView>,
    pub probes: Vec<ProbeSummaryView>,
    /// How many places hold versions written apart that nobody has reconciled.
    pub conflicts: u32,
    /// The whole document as `export_postmortem` writes it in Markdown.
    pub markdown: String,
    /// The same, rendered (safe HTML), for the preview.
    pub markdown_html: String,
}

/// One of the four moments the durations are measured between.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MilestoneView {
    /// began, detected, mitigated or resolved (what `postmortem_set_milestone` takes).
    pub milestone: String,
    /// `Impact began`, `Detected`, …
    pub label: String,
    pub at: Option<String>,
    /// log (read off the log), set (by hand) or unknown.
    pub source: String,
    /// For `log`: which entry it was read from (`status set to mitigated`).
    pub what: Option<String>,
    /// For `set`: who set it.
    pub set_by: Option<String>,
}

/// A duration from the start of impact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DurationView {
    /// detect, mitigate or resolve.
    pub to: String,
    /// `Time to detect`, …
    pub label: String,
    /// Whole seconds, or null while a milestone is missing.
    pub secs: Option<u32>,
    /// `1h 05m`, as the document writes it.
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ResponderView {
    pub name: String,
    /// The roles they hold at the end of the log.
    pub roles: Vec<String>,
}

/// One standing version of free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TextVersion {
    /// The event that wrote it (what a new version `replaces`).
    pub id: String,
    pub author: String,
    pub at: String,
    /// Markdown, as written.
    pub text: String,
    /// The same, rendered (safe HTML: no raw HTML, links or images).
    pub html: String,
}

/// A section of the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PostmortemSection {
    /// The name commands take (`root-causes`).
    pub section: String,
    /// The heading the document gives it.
    pub title: String,
    /// written (one version), conflict (two or more), from_log (nobody wrote it: what
    /// the log says), or empty.
    pub state: String,
    /// The text a reader sees when there is one: written, or read off the log.
    pub text: Option<String>,
    pub html: Option<String>,
    /// What the section is for (shown while it is empty).
    pub prompt: String,
    /// The standing versions: one when written, two or more in a conflict (each to keep
    /// or merge), none otherwise.
    pub versions: Vec<TextVersion>,
    /// The standing versions' ids: what an edit made now replaces. Not empty for a
    /// section cleared on purpose either.
    pub heads: Vec<String>,
    /// Everyone who edited it.
    pub editors: Vec<String>,
}

/// A timeline entry as the post-mortem curates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PostmortemEntry {
    /// The event's id (what `postmortem_mark` and `postmortem_annotate` take).
    pub id: String,
    pub short_id: String,
    /// Clock-corrected where the hub measured the device's offset.
    pub at: String,
    /// The device's clock offset the hub measured (hub − device, ms), if known.
    pub offset_ms: Option<i32>,
    /// The device's clock was more than a minute off.
    pub skewed: bool,
    pub author: String,
    /// note, probe, checklist, status or role.
    pub source: String,
    /// The event's kind (`hypothesis`, `status_changed`, …).
    pub kind: String,
    pub text: String,
    /// A moment every post-mortem shows (`first report`, `mitigation`, …).
    pub key: Option<String>,
    pub starred: bool,
    pub hidden: bool,
    /// Whether the document shows it.
    pub in_document: bool,
    pub annotation: Option<AnnotationView>,
    /// What a new annotation replaces: the standing versions, a removal included (an
    /// annotation removed on purpose shows as none, but is still a version).
    pub annotation_heads: Vec<String>,
}

/// An entry's annotation: one version, or several written apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AnnotationView {
    pub versions: Vec<TextVersion>,
    pub heads: Vec<String>,
    pub conflict: bool,
}

/// A corrective or preventive action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct FollowUpView {
    /// The event that added it (what `postmortem_change_action` takes).
    pub id: String,
    pub short_id: String,
    /// corrective or preventive.
    pub class: String,
    pub text: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    /// open, in-progress, done or wont-do.
    pub status: String,
    /// `in progress`, `won't do`, …
    pub status_label: String,
    pub added_by: String,
    pub at: String,
}

/// A tollgate's row: why the fault got through it, and the follow-up ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TollgateVersion {
    pub id: String,
    pub author: String,
    pub at: String,
    pub why_missed: String,
    pub ticket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TollgateView {
    /// The gate's name as first written (or the default's).
    pub gate: String,
    /// None while nobody has filled it in, two or more when written apart.
    pub versions: Vec<TollgateVersion>,
    pub heads: Vec<String>,
}

/// One probe over the incident, for the supporting data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbeSummaryView {
    pub label: String,
    pub runs: u32,
    pub passed: u32,
    pub first_failure: Option<String>,
    /// The first pass after the last failure.
    pub recovered: Option<String>,
    pub last_ok: bool,
    pub last_at: String,
    pub last_reason: String,
}

// ----- requests --------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EditPostmortemSection {
    pub incident: String,
    /// `summary`, `root-causes`, … (the forms `Section` reads).
    pub section: String,
    /// Markdown; empty clears the section on purpose.
    pub text: String,
    /// The heads the editor showed when it opened (empty for a section nobody wrote).
    pub replaces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarkEntry {
    pub incident: String,
    /// The timeline entry's event id (or a unique prefix or suffix).
    pub entry: String,
    /// star, unstar, hide or show.
    pub mark: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AnnotateEntry {
    pub incident: String,
    pub entry: String,
    /// Empty removes the annotation.
    pub text: String,
    /// The annotation's heads as shown when editing began.
    pub replaces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AddPostmortemAction {
    pub incident: String,
    /// corrective or preventive.
    pub class: String,
    pub text: String,
    pub owner: Option<String>,
    pub ticket: Option<String>,
}

/// Fields of an action to change; null leaves a field as it is, an empty owner or
/// ticket clears it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ChangePostmortemAction {
    pub incident: String,
    /// The action's id (or a unique prefix or suffix).
    pub action: String,
    /// open, in-progress, done or wont-do.
    pub status: Option<String>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RecordTollgate {
    pub incident: String,
    /// The gate's name (rows are keyed by it, in any case and spacing).
    pub gate: String,
    pub why_missed: String,
    pub ticket: Option<String>,
    /// The row's heads as shown when editing began.
    pub replaces: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetMilestone {
    pub incident: String,
    /// began, detected, mitigated or resolved.
    pub milestone: String,
    /// RFC 3339; null puts it back to the time read off the log.
    pub at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportPostmortem {
    pub incident: String,
    /// markdown, html or email.
    pub format: String,
    /// Where to write it (from the save dialog).
    pub path: String,
    /// Replace a file already there (the save dialog asked); without it an existing
    /// file is refused (`file_exists`).
    pub overwrite: bool,
}
