//! One module per command group; `run` dispatches.

mod config;
mod export;
mod findings;
mod handoff;
mod hub;
mod incident;
mod log;
mod postmortem;
mod probe;
mod runbook;
mod search;
mod step;
mod sync;
mod variables;

use crate::cli::{Cli, Command};
use crate::context::Context;
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut ctx = Context::open(cli.home, cli.author)?;
    match cli.command {
        Command::Runbook(cmd) => runbook::run(&mut ctx, cmd),
        Command::Incident(cmd) => incident::run(&mut ctx, cmd).map(|()| ExitCode::SUCCESS),
        Command::Step(cmd) => step::run(&mut ctx, cmd).map(|()| ExitCode::SUCCESS),
        Command::Note(args) => findings::note(&mut ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Amend(args) => findings::amend(&mut ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Retract(args) => findings::retract(&mut ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Conclude(args) => findings::conclude(&mut ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Log(args) => log::run(&ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Search(args) => search::run(&ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Export(args) => export::run(&ctx, args).map(|()| ExitCode::SUCCESS),
        Command::Config(cmd) => config::run(&ctx, cmd).map(|()| ExitCode::SUCCESS),
        Command::Probe(cmd) => probe::run(&mut ctx, cmd),
        Command::Hub(cmd) => hub::run(&ctx, cmd),
        Command::Sync(args) => sync::run(&mut ctx, args),
        Command::Handoff(cmd) => handoff::run(&mut ctx, cmd),
        Command::Postmortem(cmd) => postmortem::run(&mut ctx, cmd),
    }
}
