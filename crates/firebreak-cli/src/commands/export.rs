//! `firebreak export`: the incident as a Markdown document.

use crate::cli::{ExportArgs, ExportFormat};
use crate::context::Context;
use anyhow::{Context as _, Result};
use firebreak_core::render::{IncidentReport, incident_markdown};
use firebreak_core::views::fold_timeline;

pub fn run(ctx: &Context, args: ExportArgs) -> Result<()> {
    let state = ctx.store.resolve_incident(args.id.as_deref())?;
    let events = ctx.store.incident_events(state.id)?;
    let runs = ctx.store.checklists(&state)?;
    let timeline = fold_timeline(&events);
    let text = match args.format {
        ExportFormat::Markdown => incident_markdown(&IncidentReport {
            state: &state,
            runs: runs
                .iter()
                .map(|(run, _, checklist)| (run, checklist))
                .collect(),
            timeline: &timeline,
            include_private: args.include_private,
            now: ctx.now(),
        }),
    };
    match args.out {
        Some(path) => {
            std::fs::write(&path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Wrote {}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}
