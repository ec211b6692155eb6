//! An incident as a Markdown document: header, checklists, timeline.

use super::duration::human_duration;
use super::timeline_line::{TimelineLine, one_line, timeline_line};
use crate::event::{Event, Role, Status};
use crate::views::{IncidentState, RunChecklist, RunInfo, StepState, TimelineEntry, fold_probes};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Everything the export needs, already folded.
#[derive(Debug)]
pub struct IncidentReport<'a> {
    pub state: &'a IncidentState,
    pub runs: Vec<(&'a RunInfo, &'a RunChecklist)>,
    pub timeline: &'a [TimelineEntry],
    /// Private findings are left out unless the responder asks for them.
    pub include_private: bool,
    /// The time of the export, for the duration of a running incident.
    pub now: DateTime<Utc>,
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M:%S").to_string()
}

/// "Probe results": each probe's last state and its record over the incident, the
/// supporting data a post-mortem cites. Built from the probe events in the timeline.
fn probe_section(report: &IncidentReport<'_>, out: &mut String) {
    let events: Vec<Event> = report
        .timeline
        .iter()
        .filter(|e| !e.event.private || report.include_private)
        .map(|e| e.event.clone())
        .collect();
    let probes = fold_probes(&events);
    if probes.is_empty() {
        return;
    }
    out.push_str("\n## Probe results\n\n| Probe | Step | Last run (UTC) | Last result | Runs | Passed |\n| --- | --- | --- | --- | --- | --- |\n");
    for probe in &probes {
        let last_at = probe.runs.last().map_or_else(String::new, |p| time(p.at));
        let mark = if probe.last.ok { "✓" } else { "✗" };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {mark} {} | {} | {} |",
            table_cell(&probe.label),
            probe
                .step
                .as_ref()
                .map_or_else(|| "ad hoc".to_string(), |s| s.step.to_string()),
            last_at,
            table_cell(&probe.last.reason),
            probe.runs.len(),
            probe.passes(),
        );
    }
}

/// A value safe inside a Markdown table cell: one line, pipes escaped.
fn table_cell(text: &str) -> String {
    one_line(text).replace('|', "\\|")
}

pub fn incident_markdown(report: &IncidentReport<'_>) -> String {
    let state = report.state;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", one_line(&state.title));
    out.push_str("| | |\n| --- | --- |\n");
    let _ = writeln!(out, "| Incident | `{}` |", state.id);
    let _ = writeln!(out, "| Status | {} |", state.status);
    let _ = writeln!(
        out,
        "| Severity | {} |",
        state.severity.map_or("not set", |s| s.as_str())
    );
    let _ = writeln!(
        out,
        "| Started | {} by {} |",
        time(state.started_at),
        one_line(&state.started_by)
    );
    for role in Role::ALL {
        if let Some(person) = state.roles.get(&role) {
            let _ = writeln!(
                out,
                "| {} | {} |",
                capitalise(role.as_str()),
                one_line(person)
            );
        }
    }
    for status in [Status::Identified, Status::Mitigated, Status::Resolved] {
        if let Some(at) = state.status_reached.get(&status) {
            let _ = writeln!(
                out,
                "| {} | {} (+{}) |",
                capitalise(status.as_str()),
                time(*at),
                human_duration(*at - state.started_at)
            );
        }
    }
    let end = match state.status {
        Status::Resolved => state
            .status_reached
            .get(&Status::Resolved)
            .copied()
            .unwrap_or(report.now),
        _ => report.now,
    };
    let _ = writeln!(
        out,
        "| Duration | {} |",
        human_duration(end - state.started_at)
    );

    if !report.runs.is_empty() {
        out.push_str("\n## Checklists\n");
        for (run, checklist) in &report.runs {
            let _ = writeln!(
                out,
                "\n### {} (`{}`)\n\nVersion `{}`; {} of {} steps done, {} skipped.\n",
                one_line(&run.title),
                run.runbook_id,
                run.content_hash.get(..12).unwrap_or(&run.content_hash),
                checklist.count(StepState::Checked),
                checklist.steps.len(),
                checklist.count(StepState::Skipped),
            );
            for step in &checklist.steps {
                let indent = "  ".repeat(step.depth.saturating_sub(1));
                let mark = match step.state {
                    StepState::Checked => "[x]",
                    StepState::Skipped => "[-]",
                    StepState::Open => "[ ]",
                };
                let mut line = format!(
                    "{indent}- {mark} **{}** {}",
                    step.path,
                    one_line(&step.text)
                );
                if let (Some(by), Some(at), true) =
                    (&step.by, step.at, step.state != StepState::Open)
                {
                    let _ = write!(line, " — {} by {by} at {}", step.state.as_str(), clock(at));
                    if let Some(reason) = &step.reason {
                        let _ = write!(line, ": {}", one_line(reason));
                    }
                }
                out.push_str(&line);
                out.push('\n');
            }
        }
    }

    probe_section(report, &mut out);

    out.push_str("\n## Timeline (UTC)\n\n");
    let mut any = false;
    for entry in report.timeline {
        if entry.event.private && !report.include_private {
            continue;
        }
        any = true;
        let mut marks = Vec::new();
        if entry.event.occurred_at.is_some() {
            marks.push(format!("recorded {}", clock(entry.event.recorded_at)));
        }
        if !entry.amended_by.is_empty() {
            marks.push("amended".to_string());
        }
        if entry.event.private {
            marks.push("private".to_string());
        }
        let kind = entry.kind();
        let _ = writeln!(
            out,
            "{}",
            timeline_line(
                &TimelineLine {
                    clock: &clock(entry.event.effective_time()),
                    author: &entry.event.author,
                    kind: kind.as_str(),
                    text: &entry.text,
                    retracted: entry.retracted,
                    retraction_reason: entry.retraction_reason.as_deref(),
                },
                &marks,
            )
        );
    }
    if !any {
        out.push_str("_No events yet._\n");
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, FindingKind, Severity};
    use crate::test_support::LogBuilder;
    use crate::views::{fold_incident, fold_timeline};

    #[test]
    fn export_has_header_timeline_and_hides_private_findings() {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "Checkout | 500s".into(),
            severity: Some(Severity::Sev1),
        });
        log.push(EventBody::RoleAssigned {
            role: Role::Leader,
            person: "bob".into(),
        });
        let retract_me = log.push(EventBody::Finding {
            finding: FindingKind::Hypothesis,
            text: "cache\nstampede".into(),
        });
        log.push_with(EventBody::Retracted { reason: None }, |e| {
            e.amends = Some(retract_me.id)
        });
        log.push_with(
            EventBody::Finding {
                finding: FindingKind::Note,
                text: "my private thought".into(),
            },
            |e| e.private = true,
        );
        log.push(EventBody::StatusChanged {
            status: Status::Resolved,
        });
        let state = fold_incident(&log.events).expect("started");
        let timeline = fold_timeline(&log.events);
        let now = log.clock;
        let md = incident_markdown(&IncidentReport {
            state: &state,
            runs: vec![],
            timeline: &timeline,
            include_private: false,
            now,
        });
        assert!(md.starts_with("# Checkout | 500s\n"), "{md}");
        assert!(md.contains("| Severity | SEV1 |"), "{md}");
        assert!(md.contains("| Leader | bob |"), "{md}");
        assert!(md.contains("| Duration | 5m |"), "{md}");
        assert!(md.contains("~~cache stampede~~ (retracted)"), "{md}");
        assert!(!md.contains("my private thought"), "{md}");
        let with_private = incident_markdown(&IncidentReport {
            state: &state,
            runs: vec![],
            timeline: &timeline,
            include_private: true,
            now,
        });
        assert!(with_private.contains("my private thought"));
    }

    #[test]
    fn probe_results_are_summarised_per_probe() {
        use crate::probe::{FailureClass, Outcome, ProbeRecord, ProbeResult};
        use crate::runbook::ProbeSpec;
        use crate::runbook::probe_spec::{ProbeKind, ProbeTarget, TcpProbe};
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "DB down".into(),
            severity: None,
        });
        let spec = ProbeSpec {
            name: Some("DB | primary".into()),
            timeout: None,
            target: ProbeTarget::Tcp(TcpProbe {
                address: "127.0.0.1:5432".into(),
                max_latency: None,
            }),
        };
        for ok in [false, true] {
            let outcome = if ok {
                Outcome::Passed
            } else {
                Outcome::error(FailureClass::Refused, "connection refused")
            };
            let mut result = ProbeResult::new(
                ProbeKind::Tcp,
                "127.0.0.1:5432",
                spec.name.clone(),
                log.clock,
                outcome,
            );
            if ok {
                result.reason = "connected in 0.2 ms".into();
            }
            log.push(EventBody::Probe {
                probe: Box::new(ProbeRecord::new("db".into(), None, &spec, result)),
            });
        }
        let state = fold_incident(&log.events).expect("started");
        let timeline = fold_timeline(&log.events);
        let md = incident_markdown(&IncidentReport {
            state: &state,
            runs: vec![],
            timeline: &timeline,
            include_private: false,
            now: log.clock,
        });
        assert!(md.contains("## Probe results"), "{md}");
        assert!(
            md.contains("| DB \\| primary | ad hoc |")
                && md.contains("| ✓ connected in 0.2 ms | 2 | 1 |"),
            "{md}"
        );
    }
}
