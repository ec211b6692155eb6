//! Transport types for shift handoffs: the drafted note, a handoff as the inbox and the
//! history show it, what sending, exporting, importing and accepting did, and how a
//! hypothesis or an action ended. Re-exported from `types`.

use crate::types::IncidentSummary;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A handoff: who handed which incident to whom, with the note, and whether it was
/// taken over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffView {
    /// The `handoff_sent` event's id (what `accept_handoff` takes).
    pub id: String,
    pub short_id: String,
    pub incident: String,
    /// The incident's title, for the inbox banner.
    pub incident_title: String,
    pub from: String,
    pub to: String,
    pub sent_at: String,
    /// The note as written (Markdown).
    pub note: String,
    /// The same, rendered (safe HTML: no raw HTML, links or images).
    pub note_html: String,
    /// Who took it over, when it has been.
    pub accepted_by: Option<String>,
    pub accepted_at: Option<String>,
    /// Addressed to the app's author (names compared without regard to case).
    pub for_me: bool,
    /// Sent by the app's author.
    pub by_me: bool,
}

/// The drafted note, and what it was drafted from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffDraft {
    pub incident: String,
    /// Markdown the responder edits before sending.
    pub note: String,
    /// Who hands over: the app's author.
    pub from: String,
    pub to: Option<String>,
    /// How many of the app's running watches the note mentions (they stop with the app).
    pub watches: u32,
}

/// What `send_handoff` did: the handoff is in the log; sync carries it when a hub is
/// connected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffSent {
    pub handoff: HandoffView,
    /// The hub the event goes to, or null: nothing carries it off this laptop (export
    /// a bundle instead).
    pub hub_url: Option<String>,
    /// This device's events the hub has not acknowledged yet (the handoff among them).
    pub pending: u32,
}

/// What `export_handoff` did: the handoff is in the log and the bundle is on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffExported {
    pub handoff: HandoffView,
    pub path: String,
    pub bytes: u32,
    /// How many events the bundle carries (private ones never leave).
    pub events: u32,
    pub runbooks: u32,
}

/// What `import_handoff` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffImported {
    pub incident: IncidentSummary,
    /// Events new to this store.
    pub inserted: u32,
    /// Events it already had (an earlier import, or the hub got there first).
    pub already_present: u32,
    /// Pinned runbook versions that were new here.
    pub runbooks_added: u32,
    /// The handoff the bundle delivers, as it stands after the import.
    pub handoff: HandoffView,
    /// Taken over just now by the app's author: the bundle was addressed to them and
    /// nobody had taken it yet.
    pub auto_accepted: bool,
    /// The roles that moved to the app's author with the takeover.
    pub roles: Vec<String>,
}

/// What `accept_handoff` did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HandoffTaken {
    pub handoff: HandoffView,
    pub incident: IncidentSummary,
    /// False when the app's author had already taken it over (nothing recorded).
    pub recorded: bool,
    /// The roles of the outgoing responder now held by the app's author.
    pub roles: Vec<String>,
}

// ----- requests --------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DraftHandoff {
    pub incident: String,
    /// Who takes over, if already known.
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SendHandoff {
    pub incident: String,
    pub to: String,
    /// Markdown.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExportHandoff {
    pub incident: String,
    pub to: String,
    pub note: String,
    /// Where to write the bundle (from the save dialog).
    pub path: String,
    /// Replace a file already there. The save dialog asks the person first and then
    /// sends true; without it an existing file is refused (`file_exists`).
    pub overwrite: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ImportHandoff {
    /// The bundle file (from the open dialog).
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AcceptHandoff {
    /// The handoff's id (or a unique prefix or suffix of it).
    pub handoff: String,
    /// Take over a handoff addressed to someone else.
    pub force: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ConcludeFinding {
    /// The hypothesis or action (its id, or a unique prefix or suffix).
    pub event: String,
    /// confirmed or ruled_out (hypotheses); done or abandoned (actions).
    pub outcome: String,
    pub note: Option<String>,
}

/// Markdown to render for a preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MarkdownText {
    pub markdown: String,
}
