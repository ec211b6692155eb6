//! The post-mortem, for the desktop: the draft as one view (with the document as
//! Markdown for the preview), the changes people make to it (a section's text, a star,
//! an annotation, an action, a tollgate row, a milestone), and the document exported as
//! Markdown, HTML or the short email.
//!
//! Every change is one `postmortem_edited` event appended through `append_with` (so the
//! sync worker is nudged) and answers with the draft as it stands after it. Everything
//! typed (a section's name, ids, a status, a time) is read before anything is written;
//! what needs the log (an id in another incident, an action change aimed at something
//! that is not an action) is refused by the store inside the append's transaction. Either
//! way a refused change writes nothing.
//!
//! Free text is never replaced unseen: the UI sends back the heads it showed when the
//! editor opened (`replaces`), so a version that arrived meanwhile stands beside the new
//! one as a conflict until someone keeps one or merges them.

use crate::api::Api;
use crate::convert::time;
use crate::error::{ApiError, ErrorCode};
use crate::handoff_api::{full_path, pending_at};
use crate::types::*;
use chrono::{DateTime, Utc};
use firebreak_core::ids::{EventId, IncidentId};
use firebreak_core::postmortem::{
    ActionClass, ActionStatus, DraftEntry, Mark, Milestone, PostmortemChange, PostmortemDraft,
    Section, SectionBody, TimeSource, Version, postmortem_email, postmortem_html,
    postmortem_markdown,
};
use firebreak_core::render::{human_duration, markdown_to_safe_html};

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn text_version(v: &Version<String>) -> TextVersion {
    TextVersion {
        id: v.id.to_string(),
        author: v.author.clone(),
        at: time(v.at),
        text: v.value.clone(),
        html: markdown_to_safe_html(&v.value),
    }
}

fn ids(ids: &[EventId]) -> Vec<String> {
    ids.iter().map(ToString::to_string).collect()
}

fn entry_view(entry: &DraftEntry) -> PostmortemEntry {
    let draft_heads = entry
        .annotation
        .as_ref()
        .map(|a| a.heads())
        .unwrap_or_default();
    // One empty version is an annotation removed: none to show, but still the version
    // the next one replaces (`annotation_heads`).
    let annotation = entry
        .annotation
        .as_ref()
        .filter(|a| a.is_conflict() || a.versions.iter().any(|v| !v.value.trim().is_empty()))
        .map(|a| AnnotationView {
            versions: a.versions.iter().map(text_version).collect(),
            heads: ids(&draft_heads),
            conflict: a.is_conflict(),
        });
    PostmortemEntry {
        id: entry.id.to_string(),
        short_id: entry.id.short(),
        at: time(entry.at),
        offset_ms: entry
            .offset_ms
            .map(|ms| i32::try_from(ms).unwrap_or(if ms < 0 { i32::MIN } else { i32::MAX })),
        skewed: entry.skewed,
        author: entry.author.clone(),
        source: entry.source.as_str().to_string(),
        kind: entry.kind.as_str().to_string(),
        text: entry.text.clone(),
        key: entry.key.map(|k| k.label().to_string()),
        starred: entry.starred,
        hidden: entry.hidden,
        in_document: entry.in_document,
        annotation_heads: ids(&draft_heads),
        annotation,
    }
}

/// The draft as the screen draws it.
fn postmortem_view(draft: &PostmortemDraft) -> PostmortemView {
    let markdown = postmortem_markdown(draft);
    let d = &draft.durations;
    let durations = [
        ("detect", "Time to detect", d.to_detect_secs),
        ("mitigate", "Time to mitigate", d.to_mitigate_secs),
        ("resolve", "Time to resolve", d.to_resolve_secs),
    ]
    .into_iter()
    .map(|(to, label, secs)| DurationView {
        to: to.to_string(),
        label: label.to_string(),
        secs: secs.map(|s| u32::try_from(s).unwrap_or(u32::MAX)),
        text: secs.map(|s| human_duration(chrono::Duration::seconds(s))),
    })
    .collect();
    PostmortemView {
        incident: draft.incident.to_string(),
        short_id: draft.incident.short(),
        title: draft.title.clone(),
        severity: draft.severity.map(|s| s.as_str().to_string()),
        status: draft.status.as_str().to_string(),
        milestones: draft
            .milestones
            .iter()
            .map(|m| {
                let (source, what, set_by) = match &m.source {
                    TimeSource::Log { what } => ("log", Some(what.clone()), None),
                    TimeSource::SetBy { author } => ("set", None, Some(author.clone())),
                    TimeSource::Unknown => ("unknown", None, None),
                };
                MilestoneView {
                    milestone: m.milestone.as_str().to_string(),
                    label: m.milestone.label().to_string(),
                    at: m.at.map(time),
                    source: source.to_string(),
                    what,
                    set_by,
                }
            })
            .collect(),
        durations,
        authors: draft.authors.clone(),
        responders: draft
            .responders
            .iter()
            .map(|r| ResponderView {
                name: r.name.clone(),
                roles: r.roles.iter().map(|x| x.as_str().to_string()).collect(),
            })
            .collect(),
        sections: draft
            .sections
            .iter()
            .map(|s| {
                let (state, versions) = match &s.body {
                    SectionBody::Written { text, by, at } => (
                        "written",
                        s.heads
                            .first()
                            .map(|id| {
                                vec![TextVersion {
                                    id: id.to_string(),
                                    author: by.clone(),
                                    at: time(*at),
                                    text: text.clone(),
                                    html: markdown_to_safe_html(text),
                                }]
                            })
                            .unwrap_or_default(),
                    ),
                    SectionBody::Conflict { versions } => {
                        ("conflict", versions.iter().map(text_version).collect())
                    }
                    SectionBody::FromLog { .. } => ("from_log", Vec::new()),
                    SectionBody::Empty { .. } => ("empty", Vec::new()),
                };
                let text = s.text().map(str::to_string);
                PostmortemSection {
                    section: s.section.as_str().to_string(),
                    title: s.title.clone(),
                    state: state.to_string(),
                    html: text.as_deref().map(markdown_to_safe_html),
                    text,
                    prompt: s.section.prompt().to_string(),
                    versions,
                    heads: ids(&s.heads),
                    editors: s.editors.clone(),
                }
            })
            .collect(),
        timeline: draft.timeline.iter().map(entry_view).collect(),
        actions: draft
            .actions
            .iter()
            .map(|a| FollowUpView {
                id: a.id.to_string(),
                short_id: a.id.short(),
                class: a.class.as_str().to_string(),
                text: a.text.clone(),
                owner: a.owner.clone(),
                ticket: a.ticket.clone(),
                status: a.status.as_str().to_string(),
                status_label: a.status.label().to_string(),
                added_by: a.added_by.clone(),
                at: time(a.at),
            })
            .collect(),
        tollgates: draft
            .tollgates
            .iter()
            .map(|t| TollgateView {
                gate: t.gate.clone(),
                versions: t
                    .versions
                    .iter()
                    .map(|v| TollgateVersion {
                        id: v.id.to_string(),
                        author: v.author.clone(),
                        at: time(v.at),
                        why_missed: v.value.why_missed.clone(),
                        ticket: v.value.ticket.clone(),
                    })
                    .collect(),
                heads: ids(&t.heads()),
            })
            .collect(),
        probes: draft
            .probes
            .iter()
            .map(|p| ProbeSummaryView {
                label: p.label.clone(),
                runs: count(p.runs),
                passed: count(p.passed),
                first_failure: p.first_failure.map(time),
                recovered: p.recovered.map(time),
                last_ok: p.last_ok,
                last_at: time(p.last_at),
                last_reason: p.last_reason.clone(),
            })
            .collect(),
        conflicts: count(draft.conflicts()),
        markdown_html: markdown_to_safe_html(&markdown),
        markdown,
    }
}

/// A ticket or an owner as typed: blank is none.
fn optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// The document formats `export_postmortem` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Markdown,
    Html,
    Email,
}

impl std::str::FromStr for Format {
    type Err = ApiError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "email" | "mail" => Ok(Format::Email),
            _ => Err(ApiError::invalid(format!(
                "format {s:?}: expected markdown, html or email"
            ))),
        }
    }
}

impl Api {
    fn postmortem_incident(&self, incident: &str) -> Result<IncidentId, ApiError> {
        Ok(self.store().resolve_incident(Some(incident))?.id)
    }

    /// An event named by its id (or a unique prefix or suffix of it).
    fn postmortem_event(&self, id: &str) -> Result<EventId, ApiError> {
        Ok(self.store().find_event(id)?.id)
    }

    fn postmortem_events(&self, ids: &[String]) -> Result<Vec<EventId>, ApiError> {
        ids.iter().map(|id| self.postmortem_event(id)).collect()
    }

    fn current_postmortem(&self, incident: IncidentId) -> Result<PostmortemView, ApiError> {
        let draft = self.store().postmortem_draft(incident)?;
        Ok(postmortem_view(&draft))
    }

    /// Appends one change and answers with the draft as it stands after it.
    fn change_postmortem(
        &mut self,
        incident: IncidentId,
        change: PostmortemChange,
    ) -> Result<PostmortemView, ApiError> {
        self.append_with(|store, author| store.edit_postmortem(author, incident, change))?;
        self.current_postmortem(incident)
    }

    /// The incident's post-mortem draft, with the document as Markdown.
    pub fn postmortem_view(&mut self, args: IncidentRef) -> Result<PostmortemView, ApiError> {
        let state = self.store().resolve_incident(args.incident.as_deref())?;
        self.current_postmortem(state.id)
    }

    /// A section's new text, replacing the versions the editor showed when it opened.
    pub fn postmortem_edit_section(
        &mut self,
        args: EditPostmortemSection,
    ) -> Result<PostmortemView, ApiError> {
        let section: Section = args.section.parse()?;
        let incident = self.postmortem_incident(&args.incident)?;
        let replaces = self.postmortem_events(&args.replaces)?;
        self.append_with(|store, author| {
            store.set_postmortem_section(author, incident, section, &args.text, Some(replaces))
        })?;
        self.current_postmortem(incident)
    }

    /// A timeline entry starred, unstarred, hidden or shown again.
    pub fn postmortem_mark(&mut self, args: MarkEntry) -> Result<PostmortemView, ApiError> {
        let mark: Mark = args.mark.parse()?;
        let incident = self.postmortem_incident(&args.incident)?;
        let entry = self.postmortem_event(&args.entry)?;
        self.change_postmortem(incident, PostmortemChange::Mark { entry, mark })
    }

    /// A timeline entry's annotation (empty text removes it).
    pub fn postmortem_annotate(&mut self, args: AnnotateEntry) -> Result<PostmortemView, ApiError> {
        let incident = self.postmortem_incident(&args.incident)?;
        let entry = self.postmortem_event(&args.entry)?;
        let replaces = self.postmortem_events(&args.replaces)?;
        self.change_postmortem(
            incident,
            PostmortemChange::Annotate {
                entry,
                text: args.text.trim().to_string(),
                replaces,
            },
        )
    }

    /// A corrective or preventive action.
    pub fn postmortem_add_action(
        &mut self,
        args: AddPostmortemAction,
    ) -> Result<PostmortemView, ApiError> {
        let class: ActionClass = args.class.parse()?;
        let incident = self.postmortem_incident(&args.incident)?;
        self.change_postmortem(
            incident,
            PostmortemChange::ActionAdded {
                class,
                text: args.text.trim().to_string(),
                owner: optional(args.owner),
                ticket: optional(args.ticket),
            },
        )
    }

    /// An action's status, owner, ticket or text changed.
    pub fn postmortem_change_action(
        &mut self,
        args: ChangePostmortemAction,
    ) -> Result<PostmortemView, ApiError> {
        let status: Option<ActionStatus> = args
            .status
            .as_deref()
            .map(str::parse::<ActionStatus>)
            .transpose()?;
        let incident = self.postmortem_incident(&args.incident)?;
        let action = self.postmortem_event(&args.action)?;
        let trim = |t: Option<String>| t.map(|t| t.trim().to_string());
        self.change_postmortem(
            incident,
            PostmortemChange::ActionChanged {
                action,
                status,
                owner: trim(args.owner),
                ticket: trim(args.ticket),
                text: trim(args.text),
            },
        )
    }

    /// A tollgate's row: why the fault got through it, and the follow-up ticket.
    pub fn postmortem_record_tollgate(
        &mut self,
        args: RecordTollgate,
    ) -> Result<PostmortemView, ApiError> {
        let incident = self.postmortem_incident(&args.incident)?;
        let replaces = self.postmortem_events(&args.replaces)?;
        self.change_postmortem(
            incident,
            PostmortemChange::Tollgate {
                gate: args.gate.trim().to_string(),
                why_missed: args.why_missed.trim().to_string(),
                ticket: optional(args.ticket),
                replaces,
            },
        )
    }

    /// A milestone's time set by hand, or (null) back to the one read off the log.
    pub fn postmortem_set_milestone(
        &mut self,
        args: SetMilestone,
    ) -> Result<PostmortemView, ApiError> {
        let milestone: Milestone = args.milestone.parse()?;
        let at = args
            .at
            .as_deref()
            .map(str::trim)
            .filter(|at| !at.is_empty())
            .map(|at| {
                DateTime::parse_from_rfc3339(at)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|e| {
                        ApiError::invalid(format!(
                            "time {at:?}: {e} (expected RFC 3339, such as 2026-11-21T14:02:00Z)"
                        ))
                    })
            })
            .transpose()?;
        let incident = self.postmortem_incident(&args.incident)?;
        self.change_postmortem(incident, PostmortemChange::Milestone { milestone, at })
    }

    /// Writes the document to `path` (from the save dialog) in one go: a temporary file
    /// beside it, renamed into place. Returns the path.
    pub fn export_postmortem(&mut self, args: ExportPostmortem) -> Result<String, ApiError> {
        let format: Format = args.format.parse()?;
        let target = full_path(&args.path, "the post-mortem")?;
        let incident = self.postmortem_incident(&args.incident)?;
        let draft = self.store().postmortem_draft(incident)?;
        let text = match format {
            Format::Markdown => postmortem_markdown(&draft) + "\n",
            Format::Html => postmortem_html(&draft),
            Format::Email => postmortem_email(&draft),
        };
        if target.is_dir() {
            return Err(ApiError::new(
                ErrorCode::Io,
                format!("{} is a directory; give the file a name", target.display()),
            ));
        }
        let pending = pending_at(&target, args.overwrite)?;
        pending.commit(&text).map_err(|e| {
            let code = if e.kind() == std::io::ErrorKind::AlreadyExists {
                ErrorCode::FileExists
            } else {
                ErrorCode::Io
            };
            ApiError::new(code, format!("cannot write {}: {e}", target.display()))
        })?;
        Ok(target.display().to_string())
    }
}
