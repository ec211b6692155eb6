//! Domain values to transport types.

use crate::types::{BlockView, IncidentSummary, RunView, SectionView, StepView, TimelineEntry};
use chrono::{DateTime, SecondsFormat, Utc};
use firebreak_core::event::{EventBody, Outcome};
use firebreak_core::ids::EventId;
use firebreak_core::probe::{PlannedProbe, Variables, step_probe_key};
use firebreak_core::render::{inline_markdown_to_safe_html, markdown_to_safe_html};
use firebreak_core::runbook::placeholder::fill;
use firebreak_core::runbook::probe_spec::ProbeTarget;
use firebreak_core::runbook::{Block, BlockKind, Runbook, Step};
use firebreak_core::views::{self, ChecklistStep, IncidentState, RunChecklist, RunInfo};
use std::collections::HashMap;

/// The planned probes of an incident by key, for drawing their blocks.
pub type PlannedByKey<'a> = HashMap<&'a str, &'a PlannedProbe>;

/// What drawing a run needs besides the run itself.
pub struct RunContext<'a> {
    /// The variables of this run (incident, profile, runbook defaults).
    pub vars: &'a Variables,
    pub planned: &'a PlannedByKey<'a>,
}

pub fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub fn incident_summary(state: &IncidentState) -> IncidentSummary {
    IncidentSummary {
        id: state.id.to_string(),
        short_id: state.id.short(),
        title: state.title.clone(),
        status: state.status.as_str().to_string(),
        severity: state.severity.map(|s| s.as_str().to_string()),
        leader: state.leader().map(str::to_string),
        started_at: time(state.started_at),
        started_by: state.started_by.clone(),
        open: state.is_open(),
        runbooks: state.runs.iter().map(|r| r.runbook_id.clone()).collect(),
        event_count: count(state.event_count),
    }
}

/// How each concluded hypothesis or action ended, by its id: the latest conclusion that
/// stands (a retracted conclusion does not count), as `fold_findings` reads it.
pub fn outcomes(timeline: &[views::TimelineEntry]) -> HashMap<EventId, Outcome> {
    let mut out = HashMap::new();
    // The timeline is in time order: a later conclusion replaces an earlier one.
    for entry in timeline.iter().filter(|e| !e.retracted) {
        if let (EventBody::Concluded { outcome, .. }, Some(target)) =
            (&entry.event.body, entry.event.amends)
        {
            out.insert(target, *outcome);
        }
    }
    out
}

/// Every entry of a folded timeline, each finding with its outcome.
pub fn timeline_entries(timeline: &[views::TimelineEntry]) -> Vec<TimelineEntry> {
    let outcomes = outcomes(timeline);
    timeline
        .iter()
        .map(|e| timeline_entry(e, outcomes.get(&e.event.id).copied()))
        .collect()
}

fn timeline_entry(entry: &views::TimelineEntry, outcome: Option<Outcome>) -> TimelineEntry {
    let event = &entry.event;
    TimelineEntry {
        id: event.id.to_string(),
        short_id: event.id.short(),
        kind: event.kind().as_str().to_string(),
        label: event.kind().label().to_string(),
        is_finding: event.kind().is_finding(),
        text: entry.text.clone(),
        author: event.author.clone(),
        device: event.device.to_string(),
        recorded_at: time(event.recorded_at),
        occurred_at: event.occurred_at.map(time),
        at: time(event.effective_time()),
        amended: !entry.amended_by.is_empty(),
        retracted: entry.retracted,
        retraction_reason: entry.retraction_reason.clone(),
        private: event.private,
        probe_ok: match &event.body {
            EventBody::Probe { probe } => Some(probe.result.ok),
            _ => None,
        },
        outcome: outcome.map(|o| o.as_str().to_string()),
    }
}

/// A block's source re-indented: a block nested in a list item keeps the item's
/// indentation on its continuation lines, which Markdown would otherwise read as code.
fn dedent(source: &str) -> String {
    let mut lines = source.lines();
    let first = lines.next().unwrap_or("");
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = first.to_string();
    for line in rest {
        out.push('\n');
        out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
    }
    out
}

fn block_view(block: &Block, probe_key: Option<String>, ctx: &RunContext<'_>) -> BlockView {
    let filled = |text: &str| fill(text, |name| ctx.vars.get(name)).text;
    match &block.kind {
        BlockKind::Command { lang, code } => BlockView::Command {
            lang: lang.clone(),
            code: filled(code),
        },
        BlockKind::Probe { spec } => {
            let planned = probe_key.as_deref().and_then(|k| ctx.planned.get(k));
            let spec = planned.map_or(spec, |p| &p.spec);
            let target = match &spec.target {
                ProbeTarget::Dns(d) => format!("{} {}", d.query, d.record.as_str()),
                _ => spec.target_text(),
            };
            BlockView::Probe {
                key: probe_key,
                name: spec.name.clone(),
                kind: spec.kind().as_str().to_string(),
                target: filled(&target),
                missing: planned.map(|p| p.missing.clone()).unwrap_or_default(),
                sensitive: planned
                    .map(|p| p.sensitive.iter().map(|h| h.host.clone()).collect())
                    .unwrap_or_default(),
                source: block.source.clone(),
            }
        }
        _ => BlockView::Text {
            html: markdown_to_safe_html(&filled(&dedent(&block.source))),
        },
    }
}

/// A list of blocks; probe blocks of a step get their keys (`runbook:3#1`).
fn block_views(
    blocks: &[Block],
    step: Option<(&str, &str)>,
    ctx: &RunContext<'_>,
) -> Vec<BlockView> {
    let mut probe_index = 0;
    blocks
        .iter()
        .map(|b| {
            let key = match (&b.kind, step) {
                (BlockKind::Probe { .. }, Some((runbook, path))) => {
                    probe_index += 1;
                    Some(step_probe_key(runbook, path, probe_index - 1))
                }
                _ => None,
            };
            block_view(b, key, ctx)
        })
        .collect()
}

fn push_steps(
    step: &Step,
    runbook_id: &str,
    qualify: bool,
    states: &HashMap<String, &ChecklistStep>,
    ctx: &RunContext<'_>,
    out: &mut Vec<StepView>,
) {
    let path = step.path.to_string();
    let state = states.get(&path);
    let text = fill(&step.text, |name| ctx.vars.get(name)).text;
    out.push(StepView {
        step_ref: if qualify {
            format!("{runbook_id}:{path}")
        } else {
            path.clone()
        },
        html: inline_markdown_to_safe_html(&text),
        text,
        depth: count(step.path.depth()),
        state: state.map_or("open", |s| s.state.as_str()).to_string(),
        by: state.and_then(|s| s.by.clone()),
        at: state.and_then(|s| s.at).map(time),
        reason: state.and_then(|s| s.reason.clone()),
        blocks: block_views(&step.blocks, Some((runbook_id, &path)), ctx),
        path,
    });
    for sub in &step.substeps {
        push_steps(sub, runbook_id, qualify, states, ctx, out);
    }
}

/// A run's checklist, section by section. Refs are qualified with the runbook id when
/// the incident runs several runbooks, so that every ref the UI sends is unambiguous.
pub fn run_view(
    run: &RunInfo,
    runbook: &Runbook,
    checklist: &RunChecklist,
    qualify: bool,
    ctx: &RunContext<'_>,
) -> RunView {
    use firebreak_core::views::StepState;
    let states: HashMap<String, &ChecklistStep> = checklist
        .steps
        .iter()
        .map(|s| (s.path.to_string(), s))
        .collect();
    let sections = runbook
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| {
            let mut steps = Vec::new();
            for step in &section.steps {
                push_steps(step, &runbook.id, qualify, &states, ctx, &mut steps);
            }
            SectionView {
                index: count(index),
                title: fill(&section.title, |name| ctx.vars.get(name)).text,
                level: section.level,
                blocks: block_views(&section.blocks, None, ctx),
                steps,
            }
        })
        .collect();
    RunView {
        run: run.run.to_string(),
        runbook_id: run.runbook_id.clone(),
        title: run.title.clone(),
        content_hash: run.content_hash.clone(),
        started_at: time(run.started_at),
        started_by: run.started_by.clone(),
        done: count(checklist.count(StepState::Checked)),
        skipped: count(checklist.count(StepState::Skipped)),
        total: count(checklist.steps.len()),
        sections,
    }
}

#[cfg(test)]
mod tests {
    use super::dedent;

    #[test]
    fn nested_blocks_lose_their_item_indentation() {
        assert_eq!(
            dedent("Good: 200.\n      Bad: 500."),
            "Good: 200.\nBad: 500."
        );
        assert_eq!(dedent("one line"), "one line");
        assert_eq!(dedent("| a |\n  | - |\n  | 1 |"), "| a |\n| - |\n| 1 |");
    }
}
