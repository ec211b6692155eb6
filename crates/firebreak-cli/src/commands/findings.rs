//! `firebreak note`, `amend`, `retract`.

use crate::cli::{AmendArgs, KindArg, NoteArgs, RetractArgs};
use crate::context::Context;
use crate::output::{EventJson, clock, print_json};
use anyhow::Result;
use firebreak_core::event::{Event, EventBody, FindingKind, NewEvent};
use firebreak_core::time_input::parse_time;

impl From<KindArg> for FindingKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Note => FindingKind::Note,
            KindArg::Observation => FindingKind::Observation,
            KindArg::Hypothesis => FindingKind::Hypothesis,
            KindArg::Decision => FindingKind::Decision,
            KindArg::Action => FindingKind::Action,
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
    let mut new = NewEvent::new(
        state.id,
        EventBody::Finding {
            finding: args.kind.into(),
            text: args.text.trim().to_string(),
        },
    );
    new.occurred_at = occurred_at;
    new.private = args.private;
    let event = ctx.store.append(&author, new)?;
    report(&event, args.json.json)
}

pub fn amend(ctx: &mut Context, args: AmendArgs) -> Result<()> {
    let target = ctx.store.find_event(&args.event)?;
    let author = ctx.author()?;
    let mut new = NewEvent::new(
        target.incident,
        EventBody::Amended {
            text: args.text.trim().to_string(),
        },
    );
    new.amends = Some(target.id);
    // An amendment of a private finding stays private.
    new.private = target.private;
    let event = ctx.store.append(&author, new)?;
    report(&event, args.json.json)
}

pub fn retract(ctx: &mut Context, args: RetractArgs) -> Result<()> {
    let target = ctx.store.find_event(&args.event)?;
    let author = ctx.author()?;
    let mut new = NewEvent::new(
        target.incident,
        EventBody::Retracted {
            reason: args.reason.filter(|r| !r.trim().is_empty()),
        },
    );
    new.amends = Some(target.id);
    new.private = target.private;
    let event = ctx.store.append(&author, new)?;
    report(&event, args.json.json)
}
