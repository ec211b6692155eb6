//! Domain values to transport types.

use crate::types::{BlockView, IncidentSummary, RunView, SectionView, StepView, TimelineEntry};
use chrono::{DateTime, SecondsFormat, Utc};
use firebreak_core::render::{inline_markdown_to_safe_html, markdown_to_safe_html};
use firebreak_core::runbook::placeholder::fill;
use firebreak_core::runbook::probe_spec::ProbeTarget;
use firebreak_core::runbook::{Block, BlockKind, Runbook, Step};
use firebreak_core::views::{self, ChecklistStep, IncidentState, RunChecklist, RunInfo};
use std::collections::{BTreeMap, HashMap};

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

pub fn timeline_entry(entry: &views::TimelineEntry) -> TimelineEntry {
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

fn block_view(block: &Block, vars: &BTreeMap<String, String>) -> BlockView {
    let filled = |text: &str| fill(text, |name| vars.get(name).cloned()).text;
    match &block.kind {
        BlockKind::Command { lang, code } => BlockView::Command {
            lang: lang.clone(),
            code: filled(code),
        },
        BlockKind::Probe { spec } => {
            let (kind, target) = match &spec.target {
                ProbeTarget::Http(h) => ("http", h.url.clone()),
                ProbeTarget::Dns(d) => ("dns", format!("{} {:?}", d.query, d.record)),
                ProbeTarget::Tcp(t) => ("tcp", t.address.clone()),
                ProbeTarget::Tls(t) => ("tls", t.address.clone()),
            };
            BlockView::Probe {
                name: spec.name.clone(),
                kind: kind.to_string(),
                target: filled(&target),
                source: block.source.clone(),
            }
        }
        _ => BlockView::Text {
            html: markdown_to_safe_html(&filled(&dedent(&block.source))),
        },
    }
}

fn push_steps(
    step: &Step,
    qualify: Option<&str>,
    states: &HashMap<String, &ChecklistStep>,
    vars: &BTreeMap<String, String>,
    out: &mut Vec<StepView>,
) {
    let path = step.path.to_string();
    let state = states.get(&path);
    let text = fill(&step.text, |name| vars.get(name).cloned()).text;
    out.push(StepView {
        step_ref: match qualify {
            Some(id) => format!("{id}:{path}"),
            None => path.clone(),
        },
        html: inline_markdown_to_safe_html(&text),
        text,
        depth: count(step.path.depth()),
        path,
        state: state.map_or("open", |s| s.state.as_str()).to_string(),
        by: state.and_then(|s| s.by.clone()),
        at: state.and_then(|s| s.at).map(time),
        reason: state.and_then(|s| s.reason.clone()),
        blocks: step.blocks.iter().map(|b| block_view(b, vars)).collect(),
    });
    for sub in &step.substeps {
        push_steps(sub, qualify, states, vars, out);
    }
}

/// A run's checklist, section by section. Refs are qualified with the runbook id when
/// the incident runs several runbooks, so that every ref the UI sends is unambiguous.
pub fn run_view(
    run: &RunInfo,
    runbook: &Runbook,
    checklist: &RunChecklist,
    qualify: bool,
) -> RunView {
    use firebreak_core::views::StepState;
    let states: HashMap<String, &ChecklistStep> = checklist
        .steps
        .iter()
        .map(|s| (s.path.to_string(), s))
        .collect();
    let vars = &runbook.front_matter.variables;
    let qualifier = qualify.then_some(run.runbook_id.as_str());
    let sections = runbook
        .sections
        .iter()
        .map(|section| {
            let mut steps = Vec::new();
            for step in &section.steps {
                push_steps(step, qualifier, &states, vars, &mut steps);
            }
            SectionView {
                title: fill(&section.title, |name| vars.get(name).cloned()).text,
                level: section.level,
                blocks: section.blocks.iter().map(|b| block_view(b, vars)).collect(),
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
