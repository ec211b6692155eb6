//! `firebreak note`, `amend`, `retract`, `conclude`.

use crate::cli::{AmendArgs, ConcludeArgs, KindArg, NoteArgs, RetractArgs};
use crate::context::Context;
use crate::output::{EventJson, clock, one_line, print_json};
use anyhow::Result;
use firebreak_core::event::{Event, FindingKind};
use firebreak_core::time_input::parse_time;
use firebreak_core::views::fold_timeline;
use firebreak_store::NewFinding;

impl From<KindArg> for FindingKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Note => FindingKind::Note,
            KindArg::Observation => FindingKind::Observation,
            KindArg::Hypothesis => FindingKind::Hypothesis,
            KindArg::Decision => FindingKind::Decision,
            KindArg::Action => FindingKind::Action,
            KindArg::Update => FindingKind::Update,
        }
    }
}

fn report(event: &Event, json: bool) -> Result<()> {
    if json {
        return print_json(&EventJson::new(event, None));
    }
    let when = match event.occurred_at {
        Some(at) => format!("{} (backdated)", clock(at)),
        None => clock(event.recorded_at),
    };
    println!(
        "Recorded {} [{}] at {when}{}",
        event.kind(),
        event.id.short(),
        if event.private { ", private" } else { "" }
    );
    Ok(())
}

pub fn note(ctx: &mut Context, args: NoteArgs) -> Result<()> {
    // Read everything the person typed before touching the store: a bad --at must
    // leave nothing behind.
    let occurred_at = args
        .at
        .as_deref()
        .map(|at| parse_time(at, ctx.now(), ctx.local_offset()))
        .transpose()?;
    let state = ctx
        .store
        .resolve_incident(args.incident.incident.as_deref())?;
    let author = ctx.author()?;
    let event = ctx.store.add_finding(
        &author,
        state.id,
        NewFinding {
            kind: args.kind.into(),
            text: args.text,
            occurred_at,
            private: args.private,
        },
    )?;
    report(&event, args.json.json)
}

pub fn amend(ctx: &mut Context, args: AmendArgs) -> Result<()> {
    let author = ctx.author()?;
    let (_, event) = ctx.store.amend(&author, &args.event, &args.text)?;
    report(&event, args.json.json)
}

pub fn retract(ctx: &mut Context, args: RetractArgs) -> Result<()> {
    let author = ctx.author()?;
    let (_, event) = ctx.store.retract(&author, &args.event, args.reason)?;
    report(&event, args.json.json)
}

pub fn conclude(ctx: &mut Context, args: ConcludeArgs) -> Result<()> {
    let author = ctx.author()?;
    let (target, event) = ctx
        .store
        .conclude(&author, &args.event, args.outcome, args.note)?;
    // The timeline reads a conclusion with the finding it ends, amendments applied.
    let timeline = fold_timeline(&ctx.store.incident_events(target.incident)?);
    let entry = timeline.iter().find(|e| e.event.id == event.id);
    if args.json.json {
        return print_json(&EventJson::new(&event, entry));
    }
    let text = entry.map_or_else(|| event.body.text(), |e| e.text.clone());
    println!(
        "Recorded [{}] at {}: {}",
        event.id.short(),
        clock(event.recorded_at),
        one_line(&text, 120)
    );
    Ok(())
}
