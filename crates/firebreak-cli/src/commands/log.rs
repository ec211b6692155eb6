//! `firebreak log`: the incident's timeline.

use crate::cli::LogArgs;
use crate::context::Context;
use crate::output::{EventJson, clock, one_line, print_json};
use anyhow::Result;
use firebreak_core::event::EventKind;
use firebreak_core::views::{fold_timeline, sort_log};
use std::collections::HashMap;

pub fn run(ctx: &Context, args: LogArgs) -> Result<()> {
    let wanted_kind: Option<EventKind> = args
        .kind
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let state = ctx
        .store
        .resolve_incident(args.incident.incident.as_deref())?;
    let events = ctx.store.incident_events(state.id)?;
    let timeline = fold_timeline(&events);
    let keep_kind = |k: EventKind| wanted_kind.is_none_or(|want| want == k);
    let keep_author = |a: &str| args.author.as_deref().is_none_or(|want| want == a);
    if args.json.json {
        // Every event, amendments included, in log order; findings carry their
        // current text and retraction mark.
        let entries: HashMap<_, _> = timeline.iter().map(|e| (e.event.id, e)).collect();
        let out: Vec<EventJson> = sort_log(&events)
            .into_iter()
            .filter(|e| keep_kind(e.kind()) && keep_author(&e.author))
            .map(|e| EventJson::new(e, entries.get(&e.id).copied()))
            .collect();
        return print_json(&out);
    }
    println!("{}  [{}]", state.title, state.id.short());
    for entry in &timeline {
        let event = &entry.event;
        if !keep_kind(event.kind()) || !keep_author(&event.author) {
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
