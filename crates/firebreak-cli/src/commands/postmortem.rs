//! `firebreak postmortem show|set|edit|timeline|star|unstar|hide|unhide|annotate|action|
//! tollgate|time`: write the incident's post-mortem from a terminal.
//!
//! The draft is a fold of the log (`firebreak_core::postmortem`); every command here
//! reads it, or appends one `postmortem_edited` event through the store, whose rules
//! refuse what does not fit (an entry of another incident, a version of something
//! else). What a person typed is read and checked before anything is recorded, so a
//! refused command records nothing.
//!
//! Free text (a section, an annotation, a tollgate's row) replaces the versions standing
//! when the command read the draft; `edit` replaces those standing when the editor
//! opened, so text synced in meanwhile becomes a visible conflict, never lost.

use crate::cli::{
    EntryArgs, IncidentFlag, PostmortemActionCommand, PostmortemCommand, PostmortemFormat,
    PostmortemShowArgs, PostmortemTimeArgs, TollgateCommand,
};
use crate::context::Context;
use crate::output::{date_time, one_line, print_json};
use anyhow::{Context as _, Result, anyhow, bail};
use firebreak_core::event::{Event, EventBody};
use firebreak_core::postmortem::{
    ActionClass, ActionStatus, DraftEntry, FollowUp, Mark, Milestone, PostmortemChange,
    PostmortemDraft, Section, SectionBody, SectionDraft, TimeSource, TollgateDraft, gate_key,
    postmortem_email, postmortem_html, postmortem_markdown,
};
use firebreak_core::render::human_duration;
use firebreak_core::rules::{Rejection, check_postmortem_reference};
use firebreak_core::time_input::parse_time;
use firebreak_core::views::IncidentState;
use firebreak_store::StoreError;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(ctx: &mut Context, cmd: PostmortemCommand) -> Result<ExitCode> {
    match cmd {
        PostmortemCommand::Show(args) => show(ctx, args),
        PostmortemCommand::Set {
            section,
            text,
            incident,
        } => set(ctx, &section, &text, &incident),
        PostmortemCommand::Edit { section, incident } => edit(ctx, &section, &incident),
        PostmortemCommand::Timeline {
            incident,
            all,
            json,
        } => timeline(ctx, &incident, all, json.json),
        PostmortemCommand::Star(args) => mark(ctx, &args, Mark::Star),
        PostmortemCommand::Unstar(args) => mark(ctx, &args, Mark::Unstar),
        PostmortemCommand::Hide(args) => mark(ctx, &args, Mark::Hide),
        PostmortemCommand::Unhide(args) => mark(ctx, &args, Mark::Show),
        PostmortemCommand::Annotate {
            entry,
            text,
            incident,
        } => annotate(ctx, &entry, &text, &incident),
        PostmortemCommand::Action(cmd) => action(ctx, cmd),
        PostmortemCommand::Tollgate(cmd) => tollgate(ctx, cmd),
        PostmortemCommand::Time(args) => time(ctx, args),
    }?;
    Ok(ExitCode::SUCCESS)
}

fn incident(ctx: &Context, flag: &IncidentFlag) -> Result<IncidentState> {
    Ok(ctx.store.resolve_incident(flag.incident.as_deref())?)
}

/// The section a person typed, by the core's names (`root-causes`, `root-cause`, …).
fn section_arg(text: &str) -> Result<Section> {
    Ok(text.parse::<Section>()?)
}

/// Text as typed, without the blank lines a shell or an editor leaves around it.
fn tidy(text: &str) -> String {
    text.trim_end().trim_start_matches(['\n', '\r']).to_string()
}

/// The text of the one version standing, when there is exactly one ("" when it was
/// cleared); `None` for a conflict or a section nobody wrote.
fn standing_text(section: &SectionDraft) -> Option<&str> {
    if section.heads.len() != 1 {
        return None;
    }
    match &section.body {
        SectionBody::Written { text, .. } => Some(text),
        SectionBody::Empty { .. } => Some(""),
        SectionBody::Conflict { .. } | SectionBody::FromLog { .. } => None,
    }
}

fn versions(n: usize) -> String {
    if n == 1 {
        "1 version".to_string()
    } else {
        format!("{n} versions")
    }
}

// ---- show ----------------------------------------------------------------------------

fn show(ctx: &mut Context, args: PostmortemShowArgs) -> Result<()> {
    if let Some(entry) = args.entry {
        return mark(
            ctx,
            &EntryArgs {
                entry,
                incident: args.incident,
            },
            Mark::Show,
        );
    }
    // Where the document goes is checked before anything else.
    if let Some(path) = &args.out {
        check_destination(path, args.force)?;
    }
    let state = incident(ctx, &args.incident)?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let mut text = match args.format {
        PostmortemFormat::Markdown => postmortem_markdown(&draft),
        PostmortemFormat::Html => postmortem_html(&draft),
        PostmortemFormat::Email => postmortem_email(&draft),
        PostmortemFormat::Json => serde_json::to_string_pretty(&draft)?,
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    match &args.out {
        Some(path) => {
            write_atomically(path, &text, args.force)?;
            eprintln!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    if let Some(note) = conflict_note(&draft) {
        eprintln!("{note}");
    }
    Ok(())
}

/// What `show` says on stderr while the draft holds versions written apart, and how to
/// settle each kind.
fn conflict_note(draft: &PostmortemDraft) -> Option<String> {
    let count = draft.conflicts();
    if count == 0 {
        return None;
    }
    let mut parts = Vec::new();
    let mut hints = Vec::new();
    let sections: Vec<&SectionDraft> = draft
        .sections
        .iter()
        .filter(|s| matches!(s.body, SectionBody::Conflict { .. }))
        .collect();
    for s in &sections {
        parts.push(format!("section {} ({})", s.section, s.title));
    }
    match sections.as_slice() {
        [] => {}
        [one] => hints.push(format!(
            "resolve with `firebreak postmortem edit {}` (or `firebreak postmortem set {} TEXT`)",
            one.section, one.section
        )),
        _ => hints.push(
            "resolve with `firebreak postmortem edit SECTION` (or `firebreak postmortem set SECTION TEXT`)"
                .to_string(),
        ),
    }
    let annotations: Vec<&DraftEntry> = draft
        .timeline
        .iter()
        .filter(|e| e.annotation.as_ref().is_some_and(|a| a.is_conflict()))
        .collect();
    for e in &annotations {
        parts.push(format!("the annotation of entry {}", e.id.short()));
    }
    if !annotations.is_empty() {
        hints.push("an annotation with `firebreak postmortem annotate ENTRY TEXT`".to_string());
    }
    let gates: Vec<&TollgateDraft> = draft
        .tollgates
        .iter()
        .filter(|t| t.versions.len() > 1)
        .collect();
    for t in &gates {
        parts.push(format!("tollgate {:?}", t.gate));
    }
    if !gates.is_empty() {
        hints.push(
            "a tollgate with `firebreak postmortem tollgate add GATE --why TEXT`".to_string(),
        );
    }
    let noun = if count == 1 {
        "part holds"
    } else {
        "parts hold"
    };
    Some(format!(
        "note: {count} {noun} versions written at the same time: {}; {}",
        parts.join(", "),
        hints.join("; ")
    ))
}

/// Refuses a destination that is a directory, lies in a missing directory, or already
/// exists (unless `force`).
fn check_destination(path: &Path, force: bool) -> Result<()> {
    if path.is_dir() {
        bail!(
            "{} is a directory; give the file a name, such as {}",
            path.display(),
            path.join("postmortem.md").display()
        );
    }
    if path.exists() && !force {
        bail!(
            "{} already exists; pass --force to replace it, or choose another path",
            path.display()
        );
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        bail!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            dir.display()
        );
    }
    Ok(())
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `text` to a temporary file beside `path`, flushes it to disk and renames it
/// into place, so that nobody ever reads half a document.
fn write_atomically(path: &Path, text: &str, force: bool) -> Result<()> {
    let dir = parent_dir(path);
    let name = path
        .file_name()
        .ok_or_else(|| anyhow!("{} does not name a file", path.display()))?
        .to_string_lossy()
        .into_owned();
    let (tmp, mut file) = create_new_file(&dir, &format!(".{name}"), ".tmp")
        .with_context(|| format!("cannot write {}", path.display()))?;
    let written = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            drop(file);
            if !force && path.exists() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::AlreadyExists,
                    "a file appeared there meanwhile",
                ));
            }
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    if let Ok(dir) = File::open(&dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A new file `DIR/PREFIX.PID-N.SUFFIX` nobody else holds, readable by its owner only.
fn create_new_file(dir: &Path, prefix: &str, suffix: &str) -> std::io::Result<(PathBuf, File)> {
    let mut attempt = 0;
    loop {
        let path = dir.join(format!("{prefix}.{}-{attempt}{suffix}", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(file) => return Ok((path, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

// ---- set and edit ---------------------------------------------------------------------

fn set(ctx: &mut Context, section: &str, text: &str, flag: &IncidentFlag) -> Result<()> {
    let section = section_arg(section)?;
    let text = if text == "-" {
        let mut read = String::new();
        std::io::stdin()
            .read_to_string(&mut read)
            .context("cannot read the section's text from stdin")?;
        if read.trim().is_empty() {
            bail!(
                "stdin held no text for {section}; nothing was recorded. To clear the section on purpose, pass '' as TEXT"
            );
        }
        read
    } else {
        text.to_string()
    };
    let text = tidy(&text);
    let state = incident(ctx, flag)?;
    let author = ctx.author()?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let current = draft
        .section(section)
        .ok_or_else(|| anyhow!("the draft has no section {section}"))?;
    let nothing_there =
        current.heads.is_empty() && matches!(current.body, SectionBody::Empty { .. });
    if text.is_empty() && nothing_there {
        println!("{} is empty already; nothing was recorded.", current.title);
        return Ok(());
    }
    if standing_text(current).is_some_and(|t| tidy(t) == text) {
        println!("{} already says that; nothing was recorded.", current.title);
        return Ok(());
    }
    // The versions standing now, read with the draft just shown to the check above.
    let heads = current.heads.clone();
    let event =
        ctx.store
            .set_postmortem_section(&author, state.id, section, &text, Some(heads.clone()))?;
    say_section_recorded(current, &event, heads.len(), text.is_empty());
    Ok(())
}

fn say_section_recorded(section: &SectionDraft, event: &Event, replaced: usize, cleared: bool) {
    let what = if cleared { "cleared" } else { "recorded" };
    let settled = if replaced > 1 {
        format!(
            "; it replaces the {} written at the same time",
            versions(replaced)
        )
    } else {
        String::new()
    };
    println!("{} {what} [{}]{settled}.", section.title, event.id.short());
}

/// A line the editor's file holds for the person only; removed from what is saved.
fn comment_line(text: &str) -> String {
    format!("<!-- firebreak: {text} -->")
}

const MARKER_START: &str = "<<<<<<<";
const MARKER_END: &str = ">>>>>>>";

/// What the editor opens with, and the comment lines it holds.
fn editor_text(section: &SectionDraft) -> (String, Vec<String>) {
    match &section.body {
        SectionBody::Written { text, .. } | SectionBody::FromLog { text } => {
            (format!("{}\n", text.trim_end()), Vec::new())
        }
        SectionBody::Empty { prompt } => {
            let comment = comment_line(&format!(
                "{}: {prompt} (This line is removed when you save.)",
                section.title
            ));
            (format!("{comment}\n\n"), vec![comment])
        }
        SectionBody::Conflict { versions } => {
            let comment = comment_line(&format!(
                "{} holds {} written at the same time. Merge them into one text and delete every {MARKER_START} and {MARKER_END} line. (This line is removed when you save.)",
                section.title,
                self::versions(versions.len())
            ));
            let mut text = format!("{comment}\n");
            for (i, v) in versions.iter().enumerate() {
                text.push_str(&format!(
                    "{MARKER_START} version {} of {} \u{2014} {}, {}\n",
                    i + 1,
                    versions.len(),
                    v.author,
                    v.at.format("%Y-%m-%d %H:%M UTC")
                ));
                let body = v.value.trim_end();
                if !body.is_empty() {
                    text.push_str(body);
                    text.push('\n');
                }
            }
            text.push_str(MARKER_END);
            text.push('\n');
            (text, vec![comment])
        }
    }
}

/// The saved file without the comment lines firebreak put there.
fn strip_comments(text: &str, comments: &[String]) -> String {
    let kept: Vec<&str> = text
        .lines()
        .filter(|line| !comments.iter().any(|c| line.trim() == c))
        .collect();
    tidy(&kept.join("\n"))
}

/// The first line that is still a conflict marker, with its number.
fn leftover_marker(text: &str) -> Option<(usize, &str)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim_start();
        (t.starts_with(MARKER_START) || t.starts_with(MARKER_END)).then_some((i + 1, line))
    })
}

/// The editor to run: $VISUAL, else $EDITOR, else vi, split on whitespace so that
/// `code --wait` works.
fn editor_command() -> (String, Vec<String>) {
    let chosen = ["VISUAL", "EDITOR"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok().map(|v| (var, v)))
        .find(|(_, v)| !v.trim().is_empty());
    let line = chosen.map_or_else(|| "vi".to_string(), |(_, v)| v);
    let mut words = line.split_whitespace().map(str::to_string);
    let program = words.next().unwrap_or_else(|| "vi".to_string());
    (program, words.collect())
}

fn edit(ctx: &mut Context, section: &str, flag: &IncidentFlag) -> Result<()> {
    let section = section_arg(section)?;
    let state = incident(ctx, flag)?;
    let author = ctx.author()?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let current = draft
        .section(section)
        .ok_or_else(|| anyhow!("the draft has no section {section}"))?
        .clone();
    // What this edit replaces: the versions standing as the editor opens, never those
    // standing when it closes, so that text synced in meanwhile is not lost unseen.
    let heads = current.heads.clone();
    let (initial, comments) = editor_text(&current);

    let name = format!("firebreak-postmortem-{section}");
    let (path, mut file) = create_new_file(&std::env::temp_dir(), &name, ".md")
        .context("cannot create a temporary file for the editor")?;
    let prepared = file
        .write_all(initial.as_bytes())
        .and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = prepared {
        let _ = std::fs::remove_file(&path);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }

    let (program, editor_args) = editor_command();
    let shown = std::iter::once(program.as_str())
        .chain(editor_args.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let status = std::process::Command::new(&program)
        .args(&editor_args)
        .arg(&path)
        .status();
    let status = match status {
        Ok(status) => status,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            bail!(
                "cannot start the editor `{shown}`: {e}; set $VISUAL or $EDITOR to one that works; nothing was recorded"
            );
        }
    };
    if !status.success() {
        let _ = std::fs::remove_file(&path);
        bail!("the editor `{shown}` exited with {status}; nothing was recorded");
    }
    let saved = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            bail!(
                "cannot read back {} after the editor closed: {e}; nothing was recorded",
                path.display()
            );
        }
    };
    let text = strip_comments(&saved, &comments);
    let before = strip_comments(&initial, &comments);
    if text == before {
        let _ = std::fs::remove_file(&path);
        let still = match &current.body {
            SectionBody::Conflict { versions } => format!(
                " {} still holds {} written at the same time.",
                current.title,
                self::versions(versions.len())
            ),
            SectionBody::FromLog { .. } => {
                format!(" {} still shows what the log suggests.", current.title)
            }
            _ => String::new(),
        };
        println!(
            "No change to {}; nothing was recorded.{still}",
            current.title
        );
        return Ok(());
    }
    if let Some((line, marker)) = leftover_marker(&text) {
        bail!(
            "the saved text still holds conflict markers (line {line}: `{}`): merge the versions into one text and delete every {MARKER_START} and {MARKER_END} line, then run `firebreak postmortem edit {section}` again; nothing was recorded. What you wrote is kept in {}",
            one_line(marker, 60),
            path.display()
        );
    }
    if text.is_empty() {
        bail!(
            "the saved text is empty; nothing was recorded. To clear {} on purpose: `firebreak postmortem set {section} ''`",
            current.title
        );
    }
    let event = match ctx.store.set_postmortem_section(
        &author,
        state.id,
        section,
        &text,
        Some(heads.clone()),
    ) {
        Ok(event) => event,
        Err(e) => bail!(
            "{e}; nothing was recorded; what you wrote is kept in {}",
            path.display()
        ),
    };
    let _ = std::fs::remove_file(&path);
    say_section_recorded(&current, &event, heads.len(), false);
    // Someone's text synced in while the editor was open stands beside this one.
    if let Ok(after) = ctx.store.postmortem_draft(state.id)
        && let Some(s) = after.section(section)
        && let SectionBody::Conflict { versions } = &s.body
    {
        eprintln!(
            "note: {} was edited elsewhere while your editor was open; {} now stand side by side. Merge them with `firebreak postmortem edit {section}`.",
            s.title,
            self::versions(versions.len())
        );
    }
    Ok(())
}

// ---- the timeline ---------------------------------------------------------------------

#[derive(Serialize)]
struct EntryJson<'a> {
    short_id: String,
    #[serde(flatten)]
    entry: &'a DraftEntry,
}

fn entry_flags(entry: &DraftEntry, all: bool) -> Vec<String> {
    let mut flags = Vec::new();
    if entry.starred {
        flags.push("\u{2605} starred".to_string());
    }
    if let Some(key) = entry.key {
        flags.push(format!("key moment: {}", key.label()));
    }
    if entry.hidden {
        flags.push("hidden".to_string());
    } else if all && !entry.in_document {
        flags.push("not in the document".to_string());
    }
    if entry.skewed {
        flags.push("clock corrected".to_string());
    }
    flags
}

fn entry_line(entry: &DraftEntry, all: bool) -> String {
    let flags = entry_flags(entry, all);
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!("  ({})", flags.join(", "))
    };
    let star = if entry.starred { "\u{2605} " } else { "" };
    format!(
        "{}  {}  {:<8} {:<10} {star}{}{flags}",
        date_time(entry.at),
        entry.id.short(),
        one_line(&entry.author, 8),
        entry.source.as_str(),
        one_line(&entry.text, 90)
    )
}

fn annotation_lines(entry: &DraftEntry) -> Vec<String> {
    let Some(annotation) = &entry.annotation else {
        return Vec::new();
    };
    let n = annotation.versions.len();
    annotation
        .versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let which = if n > 1 {
                format!("\u{26a0} version {} of {n}, ", i + 1)
            } else {
                String::new()
            };
            format!(
                "    \u{21b3} annotation ({which}{}): {}",
                v.author,
                one_line(&v.value, 90)
            )
        })
        .collect()
}

fn timeline(ctx: &Context, flag: &IncidentFlag, all: bool, json: bool) -> Result<()> {
    let state = incident(ctx, flag)?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let entries: Vec<&DraftEntry> = draft
        .timeline
        .iter()
        .filter(|e| all || e.in_document)
        .collect();
    if json {
        let out: Vec<EntryJson<'_>> = entries
            .iter()
            .map(|e| EntryJson {
                short_id: e.id.short(),
                entry: e,
            })
            .collect();
        return print_json(&out);
    }
    let shown = draft.document_timeline().count();
    println!(
        "{}  [{}]  post-mortem timeline: {shown} of {} entries in the document{}",
        state.title,
        state.id.short(),
        draft.timeline.len(),
        if all { "" } else { " (--all lists every one)" }
    );
    for entry in entries {
        println!("{}", entry_line(entry, all));
        for line in annotation_lines(entry) {
            println!("{line}");
        }
    }
    println!(
        "Times are UTC. Star, hide or annotate an entry by its id: `firebreak postmortem star ID`."
    );
    Ok(())
}

/// The timeline entry `selector` names, in the incident `flag` names (else the entry's
/// own), with the incident's draft. Refused the way the store would refuse a change
/// pointing at it, and when it is not on the timeline at all.
fn timeline_entry(
    ctx: &Context,
    selector: &str,
    flag: &IncidentFlag,
) -> Result<(IncidentState, PostmortemDraft, DraftEntry)> {
    let event = ctx.store.find_event(selector)?;
    let state = match &flag.incident {
        Some(query) => ctx.store.resolve_incident(Some(query))?,
        None => ctx.store.incident(event.incident)?,
    };
    if event.incident != state.id {
        return Err(StoreError::from(Rejection::OtherIncident {
            event: event.id.to_string(),
            incident: event.incident.to_string(),
        })
        .into());
    }
    let probe = PostmortemChange::Mark {
        entry: event.id,
        mark: Mark::Star,
    };
    check_postmortem_reference(&probe, &event).map_err(StoreError::from)?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let entry = draft
        .timeline
        .iter()
        .find(|e| e.id == event.id)
        .cloned()
        .ok_or_else(|| {
            anyhow!(
                "event {} ({}) is not on the post-mortem's timeline (a retracted finding is left out); `firebreak postmortem timeline --all` lists the entries",
                event.id.short(),
                event.kind()
            )
        })?;
    Ok((state, draft, entry))
}

fn mark(ctx: &mut Context, args: &EntryArgs, mark: Mark) -> Result<()> {
    let (state, _, entry) = timeline_entry(ctx, &args.entry, &args.incident)?;
    let (already, done) = match mark {
        Mark::Star => (entry.starred, "Starred"),
        Mark::Unstar => (!entry.starred, "Unstarred"),
        Mark::Hide => (entry.hidden, "Hid"),
        Mark::Show => (!entry.hidden, "Put back"),
    };
    let line = format!(
        "{} {} \u{2014} {}",
        entry.id.short(),
        date_time(entry.at),
        one_line(&entry.text, 80)
    );
    if already {
        let state_word = match mark {
            Mark::Star => "is already starred",
            Mark::Unstar => "is not starred",
            Mark::Hide => "is already hidden",
            Mark::Show => "is not hidden",
        };
        println!("Entry {line} {state_word}; nothing was recorded.");
        return Ok(());
    }
    let author = ctx.author()?;
    let event = ctx.store.edit_postmortem(
        &author,
        state.id,
        PostmortemChange::Mark {
            entry: entry.id,
            mark,
        },
    )?;
    let after = match mark {
        Mark::Star => "; the document shows it, marked \u{2605}",
        Mark::Hide => "; the document leaves it out",
        Mark::Show => " into the document",
        Mark::Unstar => "",
    };
    println!("{done} {line}{after} [{}].", event.id.short());
    Ok(())
}

fn annotate(ctx: &mut Context, selector: &str, text: &str, flag: &IncidentFlag) -> Result<()> {
    let text = tidy(text);
    let (state, _, entry) = timeline_entry(ctx, selector, flag)?;
    let line = format!(
        "{} \u{2014} {}",
        entry.id.short(),
        one_line(&entry.text, 80)
    );
    let standing = entry.annotation.as_ref();
    let annotated = standing.is_some_and(|a| a.versions.iter().any(|v| !v.value.trim().is_empty()));
    if text.is_empty() && !annotated {
        println!("Entry {line} has no annotation; nothing was recorded.");
        return Ok(());
    }
    if let Some(current) = standing.and_then(|a| a.current())
        && tidy(&current.value) == text
    {
        println!("Entry {line} is already annotated so; nothing was recorded.");
        return Ok(());
    }
    // A removed annotation still stands as an empty version; the new one replaces it.
    let replaces = standing.map(|a| a.heads()).unwrap_or_default();
    let author = ctx.author()?;
    let event = ctx.store.edit_postmortem(
        &author,
        state.id,
        PostmortemChange::Annotate {
            entry: entry.id,
            text: text.clone(),
            replaces,
        },
    )?;
    let settled = if standing.is_some_and(|a| a.is_conflict()) {
        "; it replaces the versions written at the same time"
    } else {
        ""
    };
    if text.is_empty() {
        println!(
            "Removed the annotation of {line} [{}]{settled}.",
            event.id.short()
        );
    } else {
        println!("Annotated {line} [{}]{settled}.", event.id.short());
    }
    Ok(())
}

// ---- actions --------------------------------------------------------------------------

fn optional(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

fn dash(text: Option<&str>) -> &str {
    text.unwrap_or("\u{2014}")
}

fn action_line(a: &FollowUp) -> String {
    format!(
        "{}  {:<10}  {:<11}  {:<12}  {:<12}  {}",
        a.id.short(),
        a.class.as_str(),
        a.status.as_str(),
        one_line(dash(a.owner.as_deref()), 12),
        one_line(dash(a.ticket.as_deref()), 12),
        one_line(&a.text, 80)
    )
}

/// The action `selector` names, with its incident's draft; anything else is refused
/// before a change is recorded.
fn follow_up(ctx: &Context, selector: &str) -> Result<(PostmortemDraft, FollowUp)> {
    let event = ctx.store.find_event(selector)?;
    if !matches!(
        event.body,
        EventBody::PostmortemEdited {
            edit: PostmortemChange::ActionAdded { .. }
        }
    ) {
        bail!(
            "event {} ({}) is not a post-mortem action; `firebreak postmortem action list` shows the actions and their ids; nothing was recorded",
            event.id.short(),
            event.kind()
        );
    }
    let draft = ctx.store.postmortem_draft(event.incident)?;
    let action = draft
        .actions
        .iter()
        .find(|a| a.id == event.id)
        .cloned()
        .ok_or_else(|| StoreError::from(Rejection::NotAFollowUp(event.id.to_string())))?;
    Ok((draft, action))
}

#[derive(Serialize)]
struct ActionJson<'a> {
    short_id: String,
    #[serde(flatten)]
    action: &'a FollowUp,
}

fn action(ctx: &mut Context, cmd: PostmortemActionCommand) -> Result<()> {
    match cmd {
        PostmortemActionCommand::Add {
            text,
            preventive,
            owner,
            ticket,
            incident: flag,
        } => {
            let state = incident(ctx, &flag)?;
            let author = ctx.author()?;
            let class = if preventive {
                ActionClass::Preventive
            } else {
                ActionClass::Corrective
            };
            let text = text.trim().to_string();
            let event = ctx.store.edit_postmortem(
                &author,
                state.id,
                PostmortemChange::ActionAdded {
                    class,
                    text: text.clone(),
                    owner: optional(owner),
                    ticket: optional(ticket),
                },
            )?;
            println!(
                "Added {} action [{}]: {}",
                class.as_str(),
                event.id.short(),
                one_line(&text, 100)
            );
            Ok(())
        }
        PostmortemActionCommand::Done { id } => {
            let (draft, action) = follow_up(ctx, &id)?;
            if action.status == ActionStatus::Done {
                println!(
                    "Action [{}] is already done; nothing was recorded.",
                    action.id.short()
                );
                return Ok(());
            }
            change_action(
                ctx,
                &draft,
                &action,
                Some(ActionStatus::Done),
                None,
                None,
                None,
            )
        }
        PostmortemActionCommand::Set {
            id,
            status,
            owner,
            ticket,
            text,
        } => {
            let status = status
                .as_deref()
                .map(str::parse::<ActionStatus>)
                .transpose()?;
            if text.as_deref().is_some_and(|t| t.trim().is_empty()) {
                bail!("--text is empty; say what the action is (nothing was recorded)");
            }
            let (draft, action) = follow_up(ctx, &id)?;
            // An empty --owner or --ticket clears it.
            let trim = |t: Option<String>| t.map(|t| t.trim().to_string());
            change_action(
                ctx,
                &draft,
                &action,
                status,
                trim(owner),
                trim(ticket),
                trim(text),
            )
        }
        PostmortemActionCommand::List {
            incident: flag,
            json,
        } => {
            let state = incident(ctx, &flag)?;
            let draft = ctx.store.postmortem_draft(state.id)?;
            if json.json {
                let out: Vec<ActionJson<'_>> = draft
                    .actions
                    .iter()
                    .map(|a| ActionJson {
                        short_id: a.id.short(),
                        action: a,
                    })
                    .collect();
                return print_json(&out);
            }
            println!("{}  [{}]", state.title, state.id.short());
            if draft.actions.is_empty() {
                println!(
                    "No actions yet. Add one with `firebreak postmortem action add TEXT [--preventive]`."
                );
                return Ok(());
            }
            println!(
                "{:<8}  {:<10}  {:<11}  {:<12}  {:<12}  action",
                "id", "type", "status", "owner", "ticket"
            );
            for a in &draft.actions {
                println!("{}", action_line(a));
            }
            Ok(())
        }
    }
}

fn change_action(
    ctx: &mut Context,
    draft: &PostmortemDraft,
    action: &FollowUp,
    status: Option<ActionStatus>,
    owner: Option<String>,
    ticket: Option<String>,
    text: Option<String>,
) -> Result<()> {
    let author = ctx.author()?;
    let event = ctx.store.edit_postmortem(
        &author,
        draft.incident,
        PostmortemChange::ActionChanged {
            action: action.id,
            status,
            owner,
            ticket,
            text,
        },
    )?;
    let after = ctx.store.postmortem_draft(draft.incident)?;
    let now = after
        .actions
        .iter()
        .find(|a| a.id == action.id)
        .unwrap_or(action);
    println!(
        "Action [{}] {}: {} (owner {}, ticket {}) [{}].",
        now.id.short(),
        now.status.label(),
        one_line(&now.text, 80),
        dash(now.owner.as_deref()),
        dash(now.ticket.as_deref()),
        event.id.short()
    );
    Ok(())
}

// ---- tollgates ------------------------------------------------------------------------

fn tollgate(ctx: &mut Context, cmd: TollgateCommand) -> Result<()> {
    match cmd {
        TollgateCommand::Add {
            gate,
            why,
            ticket,
            incident: flag,
        } => {
            let gate = gate.trim().to_string();
            let why = tidy(&why);
            let state = incident(ctx, &flag)?;
            let author = ctx.author()?;
            let draft = ctx.store.postmortem_draft(state.id)?;
            let key = gate_key(&gate);
            let row = draft.tollgates.iter().find(|t| gate_key(&t.gate) == key);
            let replaces = row.map(TollgateDraft::heads).unwrap_or_default();
            let name = row.map_or(gate.as_str(), |t| t.gate.as_str()).to_string();
            let event = ctx.store.edit_postmortem(
                &author,
                state.id,
                PostmortemChange::Tollgate {
                    gate,
                    why_missed: why,
                    ticket: optional(ticket),
                    replaces: replaces.clone(),
                },
            )?;
            let settled = if replaces.len() > 1 {
                format!(
                    "; it replaces the {} written at the same time",
                    versions(replaces.len())
                )
            } else {
                String::new()
            };
            println!(
                "Tollgate {name:?} recorded [{}]{settled}.",
                event.id.short()
            );
            Ok(())
        }
        TollgateCommand::List {
            incident: flag,
            json,
        } => {
            let state = incident(ctx, &flag)?;
            let draft = ctx.store.postmortem_draft(state.id)?;
            if json.json {
                return print_json(&draft.tollgates);
            }
            println!("{}  [{}]", state.title, state.id.short());
            let width = draft
                .tollgates
                .iter()
                .map(|t| t.gate.chars().count())
                .max()
                .unwrap_or(0);
            for t in &draft.tollgates {
                match t.versions.as_slice() {
                    [] => println!("{:<width$}  not analysed yet", t.gate),
                    [only] => println!(
                        "{:<width$}  {}  (ticket {}; {})",
                        t.gate,
                        one_line(&only.value.why_missed, 80),
                        dash(only.value.ticket.as_deref()),
                        only.author
                    ),
                    many => {
                        println!(
                            "{:<width$}  \u{26a0} {} written at the same time:",
                            t.gate,
                            versions(many.len())
                        );
                        for (i, v) in many.iter().enumerate() {
                            println!(
                                "{:<width$}    version {} of {} ({}): {}  (ticket {})",
                                "",
                                i + 1,
                                many.len(),
                                v.author,
                                one_line(&v.value.why_missed, 80),
                                dash(v.value.ticket.as_deref())
                            );
                        }
                    }
                }
            }
            println!(
                "Fill a row with `firebreak postmortem tollgate add GATE --why TEXT [--ticket REF]`."
            );
            Ok(())
        }
    }
}

// ---- milestone times ------------------------------------------------------------------

fn milestone_name(milestone: Milestone) -> &'static str {
    match milestone {
        Milestone::Began => "Impact began",
        Milestone::Detected => "Detected",
        Milestone::Mitigated => "Mitigated",
        Milestone::Resolved => "Resolved",
    }
}

fn time(ctx: &mut Context, args: PostmortemTimeArgs) -> Result<()> {
    let milestone = args.milestone.parse::<Milestone>()?;
    let at = match (&args.time, args.clear) {
        (Some(text), false) => Some(parse_time(text, ctx.now(), ctx.local_offset())?),
        (None, true) => None,
        _ => bail!("give a TIME, or --clear to go back to the time read off the log"),
    };
    let state = incident(ctx, &args.incident)?;
    let author = ctx.author()?;
    let event = ctx.store.edit_postmortem(
        &author,
        state.id,
        PostmortemChange::Milestone { milestone, at },
    )?;
    let draft = ctx.store.postmortem_draft(state.id)?;
    let value = match draft.milestone(milestone) {
        Some(m) => match (&m.at, &m.source) {
            (Some(at), TimeSource::SetBy { author }) => {
                format!("{} (set by {author})", date_time(*at))
            }
            (Some(at), TimeSource::Log { what }) => {
                format!("{} (from the log: {what})", date_time(*at))
            }
            _ => "not known yet (nothing in the log says)".to_string(),
        },
        None => "not known yet".to_string(),
    };
    println!(
        "{}: {value} [{}].",
        milestone_name(milestone),
        event.id.short()
    );
    let d = &draft.durations;
    let secs = |s: Option<i64>| {
        s.map_or_else(
            || "\u{2014}".to_string(),
            |s| human_duration(chrono::Duration::seconds(s)),
        )
    };
    println!(
        "Time to detect {}, to mitigate {}, to resolve {}.",
        secs(d.to_detect_secs),
        secs(d.to_mitigate_secs),
        secs(d.to_resolve_secs)
    );
    Ok(())
}
