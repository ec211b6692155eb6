//! `firebreak handoff draft|export|import|send|inbox|accept|list`: hand an incident to
//! the next responder, by file or through the hub, and take one over.
//!
//! The store records the events and builds the bundle; this module reads the note,
//! writes the bundle file atomically, runs the sync rounds, and says what happened.

use crate::cli::{HandoffCommand, HandoffExportArgs, HandoffSendArgs};
use crate::commands::sync::{EXIT_UNREACHABLE, exit_code};
use crate::context::Context;
use crate::output::{HandoffJson, ago, date_time, one_line, print_json};
use anyhow::{Context as _, Result, anyhow, bail};
use firebreak_core::event::{Event, EventBody, Role};
use firebreak_core::handoff::{decode_bundle_bytes, encode_bundle};
use firebreak_core::rules::Rejection;
use firebreak_core::views::{Handoff, IncidentState, same_person};
use firebreak_store::{
    BundleFileError, HandoffAccepted, PendingBundle, StoreError, read_bundle_file,
};
use firebreak_sync::{ClientOptions, SyncError, sync_once};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

/// How patient the quiet sync rounds are (the inbox's, and the one after a takeover):
/// a person is waiting for the list, and nothing is lost when the round fails.
const QUIET_SYNC: ClientOptions = ClientOptions {
    connect_timeout: Duration::from_secs(3),
    request_timeout: Duration::from_secs(10),
};

pub fn run(ctx: &mut Context, cmd: HandoffCommand) -> Result<ExitCode> {
    match cmd {
        HandoffCommand::Draft { to, incident } => {
            let state = ctx.store.resolve_incident(incident.incident.as_deref())?;
            let author = ctx.author()?;
            let note = ctx.store.draft_handoff(
                &state,
                &author,
                to.as_deref().map(str::trim).filter(|t| !t.is_empty()),
                &[],
                ctx.now(),
            )?;
            print!("{note}");
            Ok(ExitCode::SUCCESS)
        }
        HandoffCommand::Export(args) => export(ctx, args),
        HandoffCommand::Import {
            path,
            no_accept,
            json,
        } => import(ctx, &path, no_accept, json.json),
        HandoffCommand::Send(args) => send(ctx, args),
        HandoffCommand::Inbox { json } => inbox(ctx, json.json),
        HandoffCommand::Accept { id, force, json } => accept(ctx, &id, force, json.json),
        HandoffCommand::List { incident, json } => {
            list(ctx, incident.incident.as_deref(), json.json)
        }
    }
}

fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The note to send: the file the responder edited (`-`: stdin), else the draft. Read
/// before anything is recorded, so a missing file leaves no handoff behind.
fn read_note(
    ctx: &Context,
    state: &IncidentState,
    from: &str,
    to: &str,
    note_file: Option<&Path>,
) -> Result<String> {
    let (note, source) = match note_file {
        None => (
            ctx.store
                .draft_handoff(state, from, Some(to), &[], ctx.now())?,
            "the draft".to_string(),
        ),
        Some(path) if is_stdin(path) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the handoff note from stdin")?;
            (text, "the note read from stdin".to_string())
        }
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the note file {}", path.display()))?,
            format!("the note file {}", path.display()),
        ),
    };
    if note.trim().is_empty() {
        bail!(
            "{source} is empty; write what {to} needs to know (`firebreak handoff draft --to {to}` gives a start); nothing was recorded"
        );
    }
    Ok(note)
}

/// The `handoff_sent` event `selector` names.
fn recorded_handoff(ctx: &Context, selector: &str) -> Result<Event> {
    let event = ctx.store.find_event(selector)?;
    if !matches!(event.body, EventBody::HandoffSent { .. }) {
        return Err(StoreError::from(Rejection::NotAHandoff(event.id.to_string())).into());
    }
    Ok(event)
}

#[derive(Serialize)]
struct ExportJson {
    handoff: HandoffJson,
    path: String,
    events: usize,
    runbooks: usize,
}

fn export(ctx: &mut Context, args: HandoffExportArgs) -> Result<ExitCode> {
    let to_stdout = is_stdin(&args.out);
    // Where the bundle goes is checked, and its temporary file made, before anything is
    // recorded: a typo in the path or a read-only stick must not leave a handoff behind.
    let pending = if to_stdout {
        None
    } else {
        Some(pending_bundle(&args.out, args.force)?)
    };
    let sent = match &args.handoff {
        Some(selector) => recorded_handoff(ctx, selector)?,
        None => {
            let to = args
                .to
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| anyhow!("say who takes over with --to NAME"))?;
            let state = ctx
                .store
                .resolve_incident(args.incident.incident.as_deref())?;
            let author = ctx.author()?;
            let note = read_note(ctx, &state, &author, to, args.note_file.as_deref())?;
            ctx.store.send_handoff(&author, state.id, to, &note)?
        }
    };
    let payload = ctx.store.handoff_bundle(&sent, ctx.now())?;
    let text =
        encode_bundle(&payload).map_err(|e| anyhow!("cannot encode the handoff bundle: {e}"))?;
    let short = sent.id.short();
    let written = match pending {
        None => {
            print!("{text}");
            std::io::stdout()
                .flush()
                .context("cannot print the bundle")?;
            "stdout".to_string()
        }
        Some(pending) => {
            pending.commit(&text).map_err(|e| {
                anyhow!(
                    "the handoff [{short}] is recorded, but its bundle could not be written to {}: {e}; write it again with `firebreak handoff export --handoff {short} --out PATH`",
                    args.out.display()
                )
            })?;
            args.out.display().to_string()
        }
    };
    let handoff = ctx
        .store
        .incident_handoffs(sent.incident)?
        .into_iter()
        .find(|h| h.id == sent.id)
        .ok_or_else(|| StoreError::UnknownEvent(sent.id.to_string()))?;
    if args.json.json && !to_stdout {
        print_json(&ExportJson {
            handoff: HandoffJson::new(&handoff, Some(&payload.title)),
            path: written,
            events: payload.events.len(),
            runbooks: payload.runbooks.len(),
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let runbooks = match payload.runbooks.len() {
        0 => String::new(),
        1 => " and 1 runbook".to_string(),
        n => format!(" and {n} runbooks"),
    };
    let summary = format!(
        "Handoff [{short}] of {} from {} to {}: {} events{runbooks} written to {written}.\n{} imports it with `firebreak handoff import {}` (or pastes it into `firebreak handoff import -`).",
        payload.title,
        handoff.from,
        handoff.to,
        payload.events.len(),
        handoff.to,
        if to_stdout { "FILE" } else { &written },
    );
    // With the bundle on stdout, people's words go to stderr.
    if to_stdout {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks where the bundle goes, by creating its temporary file, before anything is
/// recorded.
fn pending_bundle(out: &Path, force: bool) -> Result<PendingBundle> {
    PendingBundle::create(out, force).map_err(|e| match e {
        BundleFileError::Exists(_) => {
            anyhow!("{e}; pass --force to replace it, or choose another path; nothing was recorded")
        }
        BundleFileError::IsDirectory(ref dir) => anyhow!(
            "{e}, such as {}; nothing was recorded",
            dir.join("handoff.json").display()
        ),
        other => anyhow!("{other}; nothing was recorded"),
    })
}

#[derive(Serialize)]
struct ImportJson {
    incident: String,
    title: String,
    inserted: usize,
    already_present: usize,
    runbooks_added: usize,
    handoff: HandoffJson,
    /// Whether this import took the incident over for the current author.
    took_over: bool,
    roles: Vec<String>,
}

fn import(ctx: &mut Context, path: &Path, no_accept: bool, json: bool) -> Result<ExitCode> {
    let payload = if is_stdin(path) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read the bundle from stdin")?;
        decode_bundle_bytes(&bytes).map_err(|problem| StoreError::Bundle {
            path: "from stdin".to_string(),
            problem,
        })?
    } else {
        read_bundle_file(path)?
    };
    let me = ctx.author()?;
    let imported = ctx.store.import_bundle(&payload)?;
    let handoff = imported.handoff.clone();

    let mut took_over: Option<HandoffAccepted> = None;
    let mut advice = Vec::new();
    match &handoff.accepted {
        Some(a) if same_person(&a.by, &me) => advice.push(format!(
            "You already took this incident over at {}.",
            date_time(a.at)
        )),
        Some(a) => advice.push(format!(
            "{} already took this handoff over at {}; you have the incident's log, not the lead.",
            a.by,
            date_time(a.at)
        )),
        None if handoff.is_for(&me) && no_accept => advice.push(format!(
            "Not taken over (--no-accept); take it over with `firebreak handoff accept {}`.",
            handoff.id.short()
        )),
        None if handoff.is_for(&me) => {
            took_over = Some(ctx.store.accept_handoff(&me, &handoff.id.to_string(), false)?);
        }
        None if same_person(&handoff.from, &me) => advice.push(format!(
            "This is your own handoff to {}: nothing to take over.",
            handoff.to
        )),
        None => advice.push(format!(
            "It is addressed to {}, not to you ({me}): imported, not taken over. To take it over anyway: `firebreak handoff accept {} --force`.",
            handoff.to,
            handoff.id.short()
        )),
    }
    let shared = match &took_over {
        Some(accepted) if accepted.event.is_some() => share_quietly(ctx),
        _ => None,
    };
    let handoff = took_over
        .as_ref()
        .map_or(handoff, |accepted| accepted.handoff.clone());

    if json {
        print_json(&ImportJson {
            incident: imported.incident.to_string(),
            title: imported.title.clone(),
            inserted: imported.inserted,
            already_present: imported.already_present,
            runbooks_added: imported.runbooks_added,
            handoff: HandoffJson::new(&handoff, Some(&imported.title)),
            took_over: took_over.as_ref().is_some_and(|a| a.event.is_some()),
            roles: took_over
                .as_ref()
                .map(|a| a.roles.iter().map(|r| r.as_str().to_string()).collect())
                .unwrap_or_default(),
        })?;
        if let Some(line) = shared {
            eprintln!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }

    print_note(&handoff.note);
    let total = imported.inserted + imported.already_present;
    if imported.inserted == 0 && imported.runbooks_added == 0 {
        println!(
            "Nothing new: this store already had all {total} events of {}'s handoff of {} [{}].",
            handoff.from,
            imported.title,
            imported.incident.short()
        );
    } else {
        println!(
            "Imported {} [{}], handed from {} to {}: {} new event{}, {} already here, {} runbook{} added.",
            imported.title,
            imported.incident.short(),
            handoff.from,
            handoff.to,
            imported.inserted,
            plural(imported.inserted),
            imported.already_present,
            imported.runbooks_added,
            plural(imported.runbooks_added),
        );
    }
    if let Some(accepted) = &took_over {
        println!("{}", takeover_line(&imported.title, accepted, &me));
    }
    for line in advice {
        println!("{line}");
    }
    if let Some(line) = shared {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn print_note(note: &str) {
    print!("{note}");
    if !note.ends_with('\n') {
        println!();
    }
    println!("\n---\n");
}

/// "You took over … from alice at …; you are now leader."
fn takeover_line(title: &str, accepted: &HandoffAccepted, me: &str) -> String {
    let from = &accepted.handoff.from;
    let Some(event) = &accepted.event else {
        let at = accepted
            .handoff
            .accepted
            .as_ref()
            .map(|a| format!(" at {}", date_time(a.at)))
            .unwrap_or_default();
        return format!("You already took over {title} from {from}{at}.");
    };
    let roles = if accepted.roles.is_empty() {
        format!("{from} held no role: `firebreak incident lead {me}` makes you the leader")
    } else {
        let names: Vec<&str> = accepted.roles.iter().map(|r| Role::as_str(*r)).collect();
        format!("you are now {}", names.join(" and "))
    };
    format!(
        "You took over {title} from {from} at {}; {roles}.",
        date_time(event.recorded_at)
    )
}

/// After a takeover, one sync round when a hub is connected, so the team sees it; a
/// failure only says when it will go. `None` when no hub is connected.
fn share_quietly(ctx: &mut Context) -> Option<String> {
    match ctx.store.hub_connection() {
        Ok(Some(_)) => {}
        _ => return None,
    }
    Some(match sync_once(&mut ctx.store, QUIET_SYNC) {
        Ok(_) => "The team sees it: the takeover is on the hub.".to_string(),
        Err(e) => format!(
            "The hub did not take the takeover now ({}: {e}); it goes at the next `firebreak sync`.",
            e.kind().as_str()
        ),
    })
}

#[derive(Serialize)]
struct SendJson {
    ok: bool,
    delivered: bool,
    handoff: HandoffJson,
    hub: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

fn send(ctx: &mut Context, args: HandoffSendArgs) -> Result<ExitCode> {
    let to = args.to.trim().to_string();
    let Some(hub) = ctx.store.hub_connection()? else {
        bail!(
            "this store is not connected to a hub, so the handoff cannot go through one; nothing was recorded. Write it to a file for {to} instead: `firebreak handoff export --to {to} --out FILE` (or connect with `firebreak hub connect URL --token TOKEN`)",
            to = if to.is_empty() { "NAME" } else { &to }
        );
    };
    if to.is_empty() {
        bail!("say who takes over with --to NAME; nothing was recorded");
    }
    let state = ctx
        .store
        .resolve_incident(args.incident.incident.as_deref())?;
    let author = ctx.author()?;
    let note = read_note(ctx, &state, &author, &to, args.note_file.as_deref())?;
    let sent = ctx.store.send_handoff(&author, state.id, &to, &note)?;
    let handoff = ctx
        .store
        .incident_handoffs(state.id)?
        .into_iter()
        .find(|h| h.id == sent.id)
        .ok_or_else(|| StoreError::UnknownEvent(sent.id.to_string()))?;
    let short = sent.id.short();
    let result = sync_once(&mut ctx.store, ClientOptions::default());
    let json = |result: &Result<_, SyncError>| SendJson {
        ok: result.is_ok(),
        delivered: result.is_ok(),
        handoff: HandoffJson::new(&handoff, Some(&state.title)),
        hub: hub.url.clone(),
        kind: result.as_ref().err().map(|e| e.kind().as_str()),
        error: result.as_ref().err().map(ToString::to_string),
    };
    if args.json.json {
        print_json(&json(&result))?;
    }
    match result {
        Ok(_) => {
            if !args.json.json {
                println!(
                    "Handed {} to {to} through the hub at {} (handoff [{short}]). {to} sees it in `firebreak handoff inbox` or the desktop app.",
                    state.title, hub.url
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if e.kind().is_transient() => {
            eprintln!(
                "firebreak: the handoff to {to} [{short}] is recorded; it goes to the hub at the next sync (`firebreak sync`), but the hub did not take it now ({}): {e}. If {to} needs it now, write it to a file: `firebreak handoff export --handoff {short} --out FILE`",
                e.kind().as_str()
            );
            Ok(ExitCode::from(EXIT_UNREACHABLE))
        }
        Err(e) => {
            eprintln!(
                "firebreak: the handoff to {to} [{short}] is recorded, but sync failed ({}): {e}. Meanwhile `firebreak handoff export --handoff {short} --out FILE` writes it to a file for {to}",
                e.kind().as_str()
            );
            Ok(exit_code(e.kind()))
        }
    }
}

fn title_of(ctx: &Context, handoff: &Handoff) -> Option<String> {
    ctx.store.incident(handoff.incident).ok().map(|s| s.title)
}

fn inbox(ctx: &mut Context, json: bool) -> Result<ExitCode> {
    let me = ctx.author()?;
    if ctx.store.hub_connection()?.is_some()
        && let Err(e) = sync_once(&mut ctx.store, QUIET_SYNC)
    {
        // Said on stderr, so that `--json` stays one document; the list still shows.
        if e.kind().is_transient() {
            eprintln!("hub unreachable: showing what this laptop has ({e})");
        } else {
            eprintln!(
                "sync failed ({}): {e}; showing what this laptop has",
                e.kind().as_str()
            );
        }
    }
    let handoffs = ctx.store.handoff_inbox(&me)?;
    if json {
        let out: Vec<HandoffJson> = handoffs
            .iter()
            .map(|h| HandoffJson::new(h, title_of(ctx, h).as_deref()))
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if handoffs.is_empty() {
        println!("No handoffs waiting for you ({me}).");
        return Ok(ExitCode::SUCCESS);
    }
    let now = ctx.now();
    println!("Handoffs waiting for you ({me}):");
    for h in &handoffs {
        let title = title_of(ctx, h).unwrap_or_else(|| h.incident.short());
        println!(
            "  {}  {:<40}  from {:<10}  {} ({})",
            h.id.short(),
            one_line(&title, 40),
            one_line(&h.from, 10),
            date_time(h.sent_at),
            ago(h.sent_at, now)
        );
    }
    println!("Take one over with `firebreak handoff accept ID` (it prints the note).");
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct AcceptJson {
    handoff: HandoffJson,
    /// `false` when this responder had already taken it over.
    took_over: bool,
    event: Option<String>,
    roles: Vec<String>,
}

fn accept(ctx: &mut Context, selector: &str, force: bool, json: bool) -> Result<ExitCode> {
    let me = ctx.author()?;
    let accepted = match ctx.store.accept_handoff(&me, selector, force) {
        Err(err @ StoreError::HandoffNotForYou { .. }) => {
            bail!("{err}; pass --force to take it over anyway")
        }
        other => other?,
    };
    let title =
        title_of(ctx, &accepted.handoff).unwrap_or_else(|| accepted.handoff.incident.short());
    let shared = if accepted.event.is_some() {
        share_quietly(ctx)
    } else {
        None
    };
    if json {
        print_json(&AcceptJson {
            handoff: HandoffJson::new(&accepted.handoff, Some(&title)),
            took_over: accepted.event.is_some(),
            event: accepted.event.as_ref().map(|e| e.id.to_string()),
            roles: accepted
                .roles
                .iter()
                .map(|r| r.as_str().to_string())
                .collect(),
        })?;
        if let Some(line) = shared {
            eprintln!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    print_note(&accepted.handoff.note);
    println!("{}", takeover_line(&title, &accepted, &me));
    if let Some(line) = shared {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &Context, selector: Option<&str>, json: bool) -> Result<ExitCode> {
    let state = ctx.store.resolve_incident(selector)?;
    let handoffs = ctx.store.incident_handoffs(state.id)?;
    if json {
        let out: Vec<HandoffJson> = handoffs
            .iter()
            .map(|h| HandoffJson::new(h, Some(&state.title)))
            .collect();
        print_json(&out)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}  [{}]", state.title, state.id.short());
    if handoffs.is_empty() {
        println!("No handoffs yet. Draft one with `firebreak handoff draft --to NAME`.");
        return Ok(ExitCode::SUCCESS);
    }
    for h in &handoffs {
        let taken = match &h.accepted {
            Some(a) => format!("taken over by {} at {}", a.by, date_time(a.at)),
            None => "not taken over yet".to_string(),
        };
        println!(
            "  {}  {} → {}  sent {}  {taken}",
            h.id.short(),
            h.from,
            h.to,
            date_time(h.sent_at)
        );
    }
    Ok(ExitCode::SUCCESS)
}
