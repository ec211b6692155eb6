//! `firebreak probe …`: HTTP, TCP, TLS and DNS probes run from this machine, their
//! results kept in the incident's log as evidence.
//!
//! Layout:
//! - `check`: targets the user types (`probe check URL…`).
//! - `run`: the probes a runbook step (or every step) declares, planned by the store.
//! - `watch`: one target or a step's probes, re-run on an interval; only changes of
//!   state are logged.
//! - `history`: each probe's results over the incident.
//! - `plan`: planning and the sensitive-host approvals, shared by `run` and `watch`.
//! - `runner`: the tokio side (runtime, Ctrl-C, bounded concurrency); the rest of the
//!   CLI never starts a runtime.
//! - `output`: the one-line text form of a result and the JSON shapes.
//!
//! Recording: every result is appended **as soon as it arrives**, each in its own
//! transaction, so what finished before a Ctrl-C, a crash or a dead battery is already
//! in the log, and the desktop shows results while the rest are still running.
//! Cancelled runs are not recorded: they say nothing about the target.
//!
//! Exit codes: 0 when every probe ran and passed, 3 when one failed or was skipped, 1
//! for errors (nothing usable ran), 2 for usage errors.

mod check;
mod history;
mod output;
mod plan;
mod run;
mod runner;
mod watch;

use crate::cli::ProbeCommand;
use crate::context::Context;
use anyhow::Result;
use firebreak_core::ids::EventId;
use firebreak_core::probe::{FailureClass, ProbeRecord};
use firebreak_core::views::IncidentState;
use firebreak_store::{Store, StoreError};
use std::process::ExitCode;

/// A probe failed or was skipped: the command worked, the service (or the plan) did not.
pub const EXIT_NOT_ALL_PASSED: u8 = 3;

pub fn run(ctx: &mut Context, cmd: ProbeCommand) -> Result<ExitCode> {
    match cmd {
        ProbeCommand::Check(args) => check::run(ctx, args),
        ProbeCommand::Run(args) => run::run(ctx, args),
        ProbeCommand::Watch(args) => watch::run(ctx, args),
        ProbeCommand::History { incident, json } => {
            history::run(ctx, incident.incident.as_deref(), json.json).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// 0 when everything ran and passed, else [`EXIT_NOT_ALL_PASSED`].
fn exit_code(all_passed: bool) -> ExitCode {
    if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_ALL_PASSED)
    }
}

/// Where results go: an incident's log, or nowhere.
#[derive(Debug)]
struct Recorder {
    into: Option<(IncidentState, String)>,
}

impl Recorder {
    fn nowhere() -> Recorder {
        Recorder { into: None }
    }

    fn into_incident(incident: IncidentState, author: String) -> Recorder {
        Recorder {
            into: Some((incident, author)),
        }
    }

    fn incident(&self) -> Option<&IncidentState> {
        self.into.as_ref().map(|(state, _)| state)
    }

    /// Appends one result; the event's id, or `None` when nothing is recorded.
    fn record(&self, store: &mut Store, record: ProbeRecord) -> Result<Option<EventId>> {
        let Some((incident, author)) = &self.into else {
            return Ok(None);
        };
        if record.result.class() == Some(FailureClass::Cancelled) {
            return Ok(None);
        }
        let events = store.record_probes(author, incident.id, vec![record])?;
        Ok(events.first().map(|e| e.id))
    }

    /// The closing line's last words: where the results went.
    fn where_text(&self) -> String {
        match self.incident() {
            Some(state) => format!("recorded in {} [{}]", state.title, state.id.short()),
            None => "not recorded".to_string(),
        }
    }
}

/// Where an ad-hoc probe's results go: `--incident`, else the most recent open
/// incident, else nowhere (said on stderr, before anything runs). A named incident that
/// does not exist is an error, so nothing runs.
fn adhoc_recorder(ctx: &Context, selector: Option<&str>, no_record: bool) -> Result<Recorder> {
    if no_record {
        return Ok(Recorder::nowhere());
    }
    match ctx.store.resolve_incident(selector) {
        Ok(state) => Ok(Recorder::into_incident(state, ctx.author()?)),
        Err(StoreError::NoOpenIncident) => {
            eprintln!(
                "firebreak: not recorded: no open incident (start one with `firebreak incident start TITLE`, or pass --incident ID)"
            );
            Ok(Recorder::nowhere())
        }
        Err(e) => Err(e.into()),
    }
}
