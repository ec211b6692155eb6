//! Shift handoff, for the desktop: draft the note (with the watches this app is running),
//! send it through the hub, export it as a bundle file, import a bundle (taking it over
//! at once when it is addressed to this app's author, as the CLI does), the inbox,
//! taking over, an incident's handoff history; and concluding a hypothesis or an action.
//!
//! Sending is appending the `handoff_sent` event: `append_with` nudges the sync worker,
//! so with a hub connected it leaves within a moment. Without one, nothing carries it:
//! the answer says so, and the UI suggests the bundle instead.
//!
//! Exporting checks that the file can be written before anything is recorded (a
//! temporary file beside the target), then records the handoff and moves the bundle
//! into place in one rename, so that a reader never sees half a bundle.

use crate::api::Api;
use crate::convert::{incident_summary, time};
use crate::error::{ApiError, ErrorCode};
use crate::types::*;
use chrono::Utc;
use firebreak_core::event::{EventBody, Outcome};
use firebreak_core::handoff::{RunningWatch, encode_bundle};
use firebreak_core::ids::IncidentId;
use firebreak_core::render::markdown_to_safe_html;
use firebreak_core::rules::check_body;
use firebreak_core::views::{Handoff, same_person};
use firebreak_store::{BundleFileError, PendingBundle, StoreError, read_bundle_file};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn handoff_view(handoff: &Handoff, incident_title: &str, me: &str) -> HandoffView {
    HandoffView {
        id: handoff.id.to_string(),
        short_id: handoff.id.short(),
        incident: handoff.incident.to_string(),
        incident_title: incident_title.to_string(),
        from: handoff.from.clone(),
        to: handoff.to.clone(),
        sent_at: time(handoff.sent_at),
        note: handoff.note.clone(),
        note_html: markdown_to_safe_html(&handoff.note),
        accepted_by: handoff.accepted.as_ref().map(|a| a.by.clone()),
        accepted_at: handoff.accepted.as_ref().map(|a| time(a.at)),
        for_me: handoff.is_for(me),
        by_me: same_person(&handoff.from, me),
    }
}

/// Checks where the bundle goes (a full path, from the save dialog) by creating its
/// temporary file, before anything is recorded.
fn pending_bundle(path: &str, overwrite: bool) -> Result<PendingBundle, ApiError> {
    let target = full_path(path, "the bundle")?;
    pending_at(&target, overwrite)
        .map_err(|e| ApiError::new(e.code, format!("{} (nothing was recorded)", e.message)))
}

/// A path from the save dialog, which must be a full one.
pub(crate) fn full_path(path: &str, what: &str) -> Result<PathBuf, ApiError> {
    let target = PathBuf::from(path.trim());
    if path.trim().is_empty() || !target.is_absolute() {
        return Err(ApiError::invalid(format!(
            "{path:?} is not a full path: choose where to save {what}"
        )));
    }
    Ok(target)
}

/// A file to be written whole at `target`: a temporary file beside it now, renamed
/// into place by `commit`, so that a reader never sees half of it. An existing file is
/// refused unless `overwrite` (`file_exists`).
pub(crate) fn pending_at(target: &Path, overwrite: bool) -> Result<PendingBundle, ApiError> {
    PendingBundle::create(target, overwrite).map_err(|e| {
        let code = match e {
            BundleFileError::Exists(_) => ErrorCode::FileExists,
            BundleFileError::NoFileName(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Io,
        };
        ApiError::new(code, e.to_string())
    })
}

impl Api {
    fn incident_title(
        &self,
        incident: IncidentId,
        cache: &mut HashMap<IncidentId, String>,
    ) -> String {
        cache
            .entry(incident)
            .or_insert_with(|| {
                self.store()
                    .incident(incident)
                    .map(|s| s.title)
                    .unwrap_or_default()
            })
            .clone()
    }

    fn handoff_views(&self, handoffs: &[Handoff]) -> Result<Vec<HandoffView>, ApiError> {
        let me = self.author()?;
        let mut titles = HashMap::new();
        Ok(handoffs
            .iter()
            .map(|h| {
                let title = self.incident_title(h.incident, &mut titles);
                handoff_view(h, &title, &me)
            })
            .collect())
    }

    fn one_handoff_view(&self, handoff: &Handoff) -> Result<HandoffView, ApiError> {
        Ok(self.handoff_views(std::slice::from_ref(handoff))?.remove(0))
    }

    /// The handoff `id` of `incident` as it stands now.
    fn current_handoff(
        &self,
        incident: IncidentId,
        id: firebreak_core::ids::EventId,
    ) -> Result<Handoff, ApiError> {
        self.store()
            .incident_handoffs(incident)?
            .into_iter()
            .find(|h| h.id == id)
            .ok_or_else(|| ApiError::new(ErrorCode::UnknownEvent, format!("no handoff {id}")))
    }

    /// Drafts the note from the incident's state, the app's author to `to`; the
    /// watches this app runs for the incident are in it (they stop when it closes).
    pub fn draft_handoff(&mut self, args: DraftHandoff) -> Result<HandoffDraft, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        let from = self.author()?;
        let to = args
            .to
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        let watches: Vec<RunningWatch> = self
            .runner()
            .watches(state.id)
            .into_iter()
            .map(|w| RunningWatch {
                label: w.label,
                every_secs: u64::from(w.every_secs),
            })
            .collect();
        let note =
            self.store()
                .draft_handoff(&state, &from, to.as_deref(), &watches, Utc::now())?;
        Ok(HandoffDraft {
            incident: state.id.to_string(),
            note,
            from,
            to,
            watches: count(watches.len()),
        })
    }

    /// Records the handoff; sync carries it to the hub when one is connected.
    pub fn send_handoff(&mut self, args: SendHandoff) -> Result<HandoffSent, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        let sent = self.append_with(|store, author| {
            store.send_handoff(author, state.id, &args.to, &args.note)
        })?;
        let handoff = self.current_handoff(state.id, sent.id)?;
        Ok(HandoffSent {
            handoff: self.one_handoff_view(&handoff)?,
            hub_url: self.store().hub_connection()?.map(|c| c.url),
            pending: u32::try_from(self.store().pending_push_count()?).unwrap_or(u32::MAX),
        })
    }

    /// Records the handoff and writes the bundle to `path`. Nothing is recorded when
    /// the file cannot be written.
    pub fn export_handoff(&mut self, args: ExportHandoff) -> Result<HandoffExported, ApiError> {
        let state = self.store().resolve_incident(Some(&args.incident))?;
        // Everything that can be refused is refused before the file or the log is touched.
        check_body(&EventBody::HandoffSent {
            to: args.to.clone(),
            note: args.note.clone(),
        })
        .map_err(StoreError::from)?;
        let pending = pending_bundle(&args.path, args.overwrite)?;
        let sent = self.append_with(|store, author| {
            store.send_handoff(author, state.id, &args.to, &args.note)
        })?;
        let written = self
            .store()
            .handoff_bundle(&sent, Utc::now())
            .map_err(ApiError::from)
            .and_then(|payload| {
                let text = encode_bundle(&payload)
                    .map_err(|e| ApiError::new(ErrorCode::Store, e.to_string()))?;
                let target = pending.dest().to_path_buf();
                pending.commit(&text).map_err(|e| {
                    ApiError::new(
                        ErrorCode::Io,
                        format!("cannot write {}: {e}", target.display()),
                    )
                })?;
                Ok((text.len(), payload.events.len(), payload.runbooks.len()))
            });
        let (bytes, events, runbooks) = written.map_err(|e| ApiError {
            code: e.code,
            message: format!(
                "the handoff to {} was recorded, but the bundle was not written: {}. Export again, or send it through the hub",
                args.to.trim(),
                e.message
            ),
        })?;
        let handoff = self.current_handoff(state.id, sent.id)?;
        Ok(HandoffExported {
            handoff: self.one_handoff_view(&handoff)?,
            path: args.path.trim().to_string(),
            bytes: count(bytes),
            events: count(events),
            runbooks: count(runbooks),
        })
    }

    /// Imports a bundle file: all of it or, when anything is wrong with it, nothing.
    /// A handoff addressed to the app's author that nobody has taken over yet is taken
    /// over at once.
    pub fn import_handoff(&mut self, args: ImportHandoff) -> Result<HandoffImported, ApiError> {
        let payload = read_bundle_file(Path::new(args.path.trim()))?;
        let imported = self.store_mut().import_bundle(&payload)?;
        let me = self.author()?;
        let mut handoff = imported.handoff.clone();
        let mut roles = Vec::new();
        let mut auto_accepted = false;
        if handoff.is_for(&me) && handoff.accepted.is_none() {
            let id = handoff.id.to_string();
            let taken =
                self.append_with(|store, author| store.accept_handoff(author, &id, false))?;
            auto_accepted = taken.event.is_some();
            roles = taken.roles.iter().map(|r| r.as_str().to_string()).collect();
            handoff = taken.handoff;
        }
        let state = self.store().incident(imported.incident)?;
        Ok(HandoffImported {
            incident: incident_summary(&state),
            inserted: count(imported.inserted),
            already_present: count(imported.already_present),
            runbooks_added: count(imported.runbooks_added),
            handoff: self.one_handoff_view(&handoff)?,
            auto_accepted,
            roles,
        })
    }

    /// The handoffs addressed to the app's author that nobody has taken over, newest
    /// first, across every incident.
    pub fn handoff_inbox(&mut self) -> Result<Vec<HandoffView>, ApiError> {
        let me = self.author()?;
        let inbox = self.store().handoff_inbox(&me)?;
        self.handoff_views(&inbox)
    }

    /// The app's author takes over the incident of a handoff: the takeover is recorded
    /// and the outgoing responder's roles move, in one transaction.
    pub fn accept_handoff(&mut self, args: AcceptHandoff) -> Result<HandoffTaken, ApiError> {
        let taken = self
            .append_with(|store, author| store.accept_handoff(author, &args.handoff, args.force))?;
        let state = self.store().incident(taken.handoff.incident)?;
        Ok(HandoffTaken {
            handoff: self.one_handoff_view(&taken.handoff)?,
            incident: incident_summary(&state),
            recorded: taken.event.is_some(),
            roles: taken.roles.iter().map(|r| r.as_str().to_string()).collect(),
        })
    }

    /// Every handoff of one incident, oldest first.
    pub fn incident_handoffs(&mut self, args: IncidentRef) -> Result<Vec<HandoffView>, ApiError> {
        let state = self.store().resolve_incident(args.incident.as_deref())?;
        let handoffs = self.store().incident_handoffs(state.id)?;
        self.handoff_views(&handoffs)
    }

    /// Says how a hypothesis (confirmed, ruled out) or an action (done, abandoned)
    /// ended; returns the finding's timeline entry as it stands now.
    pub fn conclude_finding(&mut self, args: ConcludeFinding) -> Result<TimelineEntry, ApiError> {
        let outcome: Outcome = args.outcome.parse()?;
        let (target, _) = self
            .append_with(|store, author| store.conclude(author, &args.event, outcome, args.note))?;
        self.entry_of(target.incident, target.id)
    }

    /// Markdown rendered as the app renders runbooks and notes (safe HTML), for the
    /// handoff note's preview.
    pub fn render_markdown(&mut self, args: MarkdownText) -> Result<String, ApiError> {
        Ok(markdown_to_safe_html(&args.markdown))
    }
}
