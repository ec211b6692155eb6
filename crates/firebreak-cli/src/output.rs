//! Output shapes: JSON for scripts, short text for people.

use chrono::{DateTime, Utc};
use firebreak_core::event::Event;
use firebreak_core::render::human_duration;
use firebreak_core::views::{Handoff, IncidentState, RunChecklist, RunInfo, TimelineEntry};
use serde::Serialize;

pub fn print_json<T: Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// `13:05:12Z`: incident logs are read across time zones, so text output is UTC.
pub fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%SZ").to_string()
}

pub fn date_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

pub fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("{} ago", human_duration(now - t))
}

/// An event as `log --json` prints it.
#[derive(Debug, Serialize)]
pub struct EventJson {
    pub id: String,
    pub incident: String,
    pub kind: String,
    /// What this event says.
    pub text: String,
    /// For findings: the text as amended (equal to `text` when never amended).
    pub current_text: Option<String>,
    pub author: String,
    pub device: String,
    pub seq: u64,
    pub recorded_at: DateTime<Utc>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub amends: Option<String>,
    pub private: bool,
    pub retracted: bool,
    pub body: serde_json::Value,
}

impl EventJson {
    pub fn new(event: &Event, entry: Option<&TimelineEntry>) -> EventJson {
        EventJson {
            id: event.id.to_string(),
            incident: event.incident.to_string(),
            kind: event.kind().as_str().to_string(),
            text: event.body.text(),
            current_text: entry.map(|e| e.text.clone()),
            author: event.author.clone(),
            device: event.device.to_string(),
            seq: event.seq,
            recorded_at: event.recorded_at,
            occurred_at: event.occurred_at,
            amends: event.amends.map(|a| a.to_string()),
            private: event.private,
            retracted: entry.is_some_and(|e| e.retracted),
            body: serde_json::to_value(&event.body).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// An incident as `incident list --json` prints it.
#[derive(Debug, Serialize)]
pub struct IncidentSummaryJson {
    pub id: String,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub leader: Option<String>,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub open: bool,
    pub runbooks: Vec<String>,
    pub events: usize,
}

impl IncidentSummaryJson {
    pub fn new(state: &IncidentState) -> Self {
        IncidentSummaryJson {
            id: state.id.to_string(),
            title: state.title.clone(),
            status: state.status.as_str().to_string(),
            severity: state.severity.map(|s| s.as_str().to_string()),
            leader: state.leader().map(str::to_string),
            started_at: state.started_at,
            started_by: state.started_by.clone(),
            open: state.is_open(),
            runbooks: state.runs.iter().map(|r| r.runbook_id.clone()).collect(),
            events: state.event_count,
        }
    }
}

/// A run with its checklist, as `incident show --json` prints it.
#[derive(Debug, Serialize)]
pub struct RunJson {
    pub run: String,
    pub runbook_id: String,
    pub title: String,
    pub content_hash: String,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub done: usize,
    pub skipped: usize,
    pub total: usize,
    pub steps: Vec<StepJson>,
}

#[derive(Debug, Serialize)]
pub struct StepJson {
    /// What `firebreak step check` takes.
    #[serde(rename = "ref")]
    pub step_ref: String,
    /// The same, with the runbook named: unambiguous when several runbooks run.
    pub qualified_ref: String,
    pub text: String,
    pub section: String,
    pub depth: usize,
    pub state: String,
    pub by: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
}

impl RunJson {
    pub fn new(run: &RunInfo, checklist: &RunChecklist) -> Self {
        use firebreak_core::views::StepState;
        RunJson {
            run: run.run.to_string(),
            runbook_id: run.runbook_id.clone(),
            title: run.title.clone(),
            content_hash: run.content_hash.clone(),
            started_at: run.started_at,
            started_by: run.started_by.clone(),
            done: checklist.count(StepState::Checked),
            skipped: checklist.count(StepState::Skipped),
            total: checklist.steps.len(),
            steps: checklist
                .steps
                .iter()
                .map(|s| StepJson {
                    step_ref: s.path.to_string(),
                    qualified_ref: format!("{}:{}", run.runbook_id, s.path),
                    text: s.text.clone(),
                    section: s.section.clone(),
                    depth: s.depth,
                    state: s.state.as_str().to_string(),
                    by: s.by.clone(),
                    at: s.at,
                    reason: s.reason.clone(),
                })
                .collect(),
        }
    }
}

/// Shortens text to one line of at most `max` characters, for tables.
pub fn one_line(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// A handoff as the `handoff` commands print it with `--json`.
#[derive(Debug, Serialize)]
pub struct HandoffJson {
    /// The `handoff_sent` event's id: what `handoff accept` takes.
    pub id: String,
    pub short_id: String,
    pub incident: String,
    /// The incident's title, when this store has the incident.
    pub title: Option<String>,
    pub from: String,
    pub to: String,
    pub sent_at: DateTime<Utc>,
    pub note: String,
    pub accepted: Option<AcceptanceJson>,
}

#[derive(Debug, Serialize)]
pub struct AcceptanceJson {
    pub by: String,
    pub at: DateTime<Utc>,
    pub event: String,
}

impl HandoffJson {
    pub fn new(handoff: &Handoff, title: Option<&str>) -> Self {
        HandoffJson {
            id: handoff.id.to_string(),
            short_id: handoff.id.short(),
            incident: handoff.incident.to_string(),
            title: title.map(str::to_string),
            from: handoff.from.clone(),
            to: handoff.to.clone(),
            sent_at: handoff.sent_at,
            note: handoff.note.clone(),
            accepted: handoff.accepted.as_ref().map(|a| AcceptanceJson {
                by: a.by.clone(),
                at: a.at,
                event: a.event.to_string(),
            }),
        }
    }
}
