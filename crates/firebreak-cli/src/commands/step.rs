//! `firebreak step check|skip|reopen`.

use crate::cli::{StepArgs, StepCommand};
use crate::context::Context;
use crate::output::one_line;
use anyhow::Result;
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
    let author = ctx.author()?;
    let change = ctx
        .store
        .change_step(&author, &state, &step, wanted, reason)?;
    let text = one_line(&change.step_text, 90);
    let verb = match wanted {
        StepState::Checked => "checked",
        StepState::Skipped => "skipped",
        StepState::Open => "reopened",
    };
    match change.event {
        Some(_) => println!("Step {} {verb}: {text}", change.target.step),
        None => println!(
            "Step {} is already {}: {text}",
            change.target.step,
            wanted.as_str()
        ),
    }
    Ok(())
}
