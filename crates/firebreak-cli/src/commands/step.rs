//! `firebreak step check|skip|reopen`.

use crate::cli::{StepArgs, StepCommand};
use crate::context::Context;
use crate::output::one_line;
use anyhow::Result;
use firebreak_core::event::{EventBody, NewEvent};
use firebreak_core::step_ref::resolve_step;
use firebreak_core::views::StepState;

pub fn run(ctx: &mut Context, cmd: StepCommand) -> Result<()> {
    let (args, wanted) = match cmd {
        StepCommand::Check(a) => (a, StepState::Checked),
        StepCommand::Skip(a) => (a, StepState::Skipped),
        StepCommand::Reopen(a) => (a, StepState::Open),
    };
    let StepArgs {
        step,
        reason,
        incident,
    } = args;
    let state = ctx.store.resolve_incident(incident.incident.as_deref())?;
    let runs = ctx.store.checklists(&state)?;
    let pairs: Vec<_> = runs
        .iter()
        .map(|(run, runbook, _)| (run, runbook))
        .collect();
    let target = resolve_step(&step, &pairs)?;
    let current = runs
        .iter()
        .find(|(run, _, _)| run.run == target.run)
        .and_then(|(_, _, checklist)| checklist.steps.iter().find(|s| s.path == target.step));
    let step_text = current.map(|s| s.text.clone()).unwrap_or_default();
    let text = one_line(&step_text, 90);
    if current.is_some_and(|s| s.state == wanted) {
        // Saying it twice is not an error, and it is not a new fact either.
        println!(
            "Step {} is already {}: {text}",
            target.step,
            wanted.as_str()
        );
        return Ok(());
    }
    let reason = reason.filter(|r| !r.trim().is_empty());
    let body = match wanted {
        StepState::Checked => EventBody::StepChecked {
            target: target.clone(),
            step_text: step_text.clone(),
            note: reason,
        },
        StepState::Skipped => EventBody::StepSkipped {
            target: target.clone(),
            step_text: step_text.clone(),
            reason,
        },
        StepState::Open => EventBody::StepReopened {
            target: target.clone(),
            step_text: step_text.clone(),
            reason,
        },
    };
    let author = ctx.author()?;
    ctx.store.append(&author, NewEvent::new(state.id, body))?;
    println!(
        "Step {} {}: {text}",
        target.step,
        match wanted {
            StepState::Checked => "checked",
            StepState::Skipped => "skipped",
            StepState::Open => "reopened",
        }
    );
    Ok(())
}
