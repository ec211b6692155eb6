//! `firebreak probe history`: every probe's results over the incident (a fold of its
//! `probe` events): how often it ran and passed, and where it stands now.

use super::output::{mark, step_ref};
use crate::context::Context;
use crate::output::{clock, one_line, print_json};
use anyhow::Result;
use chrono::{DateTime, Utc};
use firebreak_core::probe::{FailureClass, ProbeResult};
use firebreak_core::views::{IncidentState, ProbeHistory, ProbePoint};
use serde::Serialize;

#[derive(Serialize)]
struct HistoryJson<'a> {
    key: &'a str,
    label: &'a str,
    runbook: Option<&'a str>,
    /// The step's path in its runbook (`"3"`); `null` for an ad-hoc probe.
    step: Option<String>,
    runs: usize,
    passes: usize,
    /// The last run's state, reason and class.
    ok: bool,
    reason: &'a str,
    class: Option<FailureClass>,
    at: DateTime<Utc>,
    last: &'a ProbeResult,
    /// Every run, oldest first (the latency chart's points).
    points: &'a [ProbePoint],
}

/// The runbook and step path of a history, found through the incident's runs.
fn step_of<'a>(state: &'a IncidentState, h: &ProbeHistory) -> Option<(&'a str, String)> {
    let target = h.step.as_ref()?;
    let run = state.runs.iter().find(|r| r.run == target.run)?;
    Some((run.runbook_id.as_str(), target.step.to_string()))
}

pub fn run(ctx: &Context, selector: Option<&str>, json: bool) -> Result<()> {
    let state = ctx.store.resolve_incident(selector)?;
    let histories = ctx.store.probe_history(state.id)?;
    if json {
        let out: Vec<HistoryJson> = histories
            .iter()
            .map(|h| {
                let step = step_of(&state, h);
                HistoryJson {
                    key: &h.key,
                    label: &h.label,
                    runbook: step.as_ref().map(|(r, _)| *r),
                    step: step.map(|(_, s)| s),
                    runs: h.runs.len(),
                    passes: h.passes(),
                    ok: h.last.ok,
                    reason: &h.last.reason,
                    class: h.last.class(),
                    at: h.last.started_at,
                    last: &h.last,
                    points: &h.runs,
                }
            })
            .collect();
        return print_json(&out);
    }
    println!("{}  [{}]", state.title, state.id.short());
    if histories.is_empty() {
        println!(
            "No probe has run in this incident. `firebreak probe run` runs the runbooks' probes; `firebreak probe check TARGET` one you type."
        );
        return Ok(());
    }
    for h in &histories {
        let step = step_of(&state, h)
            .map(|(runbook, path)| format!("  step {}", step_ref(&state, runbook, &path)))
            .unwrap_or_default();
        let class = h.last.class().map(|c| format!("{c}: ")).unwrap_or_default();
        println!(
            "{} {}{step}  ({})\n    {} run{}, {} passed · last {} {class}{}",
            mark(h.last.ok),
            one_line(&h.label, 80),
            h.key,
            h.runs.len(),
            if h.runs.len() == 1 { "" } else { "s" },
            h.passes(),
            clock(h.last.started_at),
            one_line(&h.last.reason, 200)
        );
    }
    Ok(())
}
