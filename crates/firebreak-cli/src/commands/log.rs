//! `firebreak log`: the incident's timeline.

use crate::cli::LogArgs;
use crate::context::Context;
use crate::output::{EventJson, clock, one_line, print_json};
use anyhow::{Result, bail};
use firebreak_core::views::{fold_timeline, sort_log};
use std::collections::HashMap;

const KINDS: &[&str] = &[
    "incident_started",
    "runbook_run_started",
    "note",
    "observation",
    "hypothesis",
    "decision",
    "action",
    "step_checked",
    "step_skipped",
    "step_reopened",
    "status_changed",
    "severity_changed",
    "role_assigned",
    "amended",
    "retracted",
];

pub fn run(ctx: &Context, args: LogArgs) -> Result<()> {
    if let Some(kind) = args.kind.as_deref().filter(|k| !KINDS.contains(k)) {
        bail!(
            "unknown kind {kind:?}: expected one of {}",
            KINDS.join(", ")
        );
    }
    let state = ctx
        .store
        .resolve_incident(args.incident.incident.as_deref())?;
    let events = ctx.store.incident_events(state.id)?;
    let timeline = fold_timeline(&events);
    let keep_kind = |k: &str| args.kind.as_deref().is_none_or(|want| want == k);
    let keep_author = |a: &str| args.author.as_deref().is_none_or(|want| want == a);
    if args.json.json {
        // Every event, amendments included, in log order; findings carry their
        // current text and retraction mark.
        let entries: HashMap<_, _> = timeline.iter().map(|e| (e.event.id, e)).collect();
        let out: Vec<EventJson> = sort_log(&events)
            .into_iter()
            .filter(|e| keep_kind(e.kind().as_str()) && keep_author(&e.author))
            .map(|e| EventJson::new(e, entries.get(&e.id).copied()))
            .collect();
        return print_json(&out);
    }
    println!("{}  [{}]", state.title, state.id.short());
    for entry in &timeline {
        let event = &entry.event;
        if !keep_kind(event.kind().as_str()) || !keep_author(&event.author) {
            continue;
        }
        let mut marks = Vec::new();
        if event.occurred_at.is_some() {
            marks.push(format!("typed {}", clock(event.recorded_at)));
        }
        if !entry.amended_by.is_empty() {
            marks.push("amended".to_string());
        }
        if event.private {
            marks.push("private".to_string());
        }
        let text = if entry.retracted {
            format!(
                "RETRACTED{}: {}",
                entry
                    .retraction_reason
                    .as_deref()
                    .map(|r| format!(" ({r})"))
                    .unwrap_or_default(),
                one_line(&entry.text, 80)
            )
        } else {
            one_line(&entry.text, 100)
        };
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!("  ({})", marks.join(", "))
        };
        println!(
            "{}  {}  {:<8} {:<11} {text}{marks}",
            clock(event.effective_time()),
            event.id.short(),
            one_line(&event.author, 8),
            event.kind().label(),
        );
    }
    Ok(())
}
