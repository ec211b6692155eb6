//! The hub's merged timeline as Markdown: the incident's header, the timeline on the
//! hub's clock, and the devices' clocks, so that a reader sees which times were moved
//! and by how much.

use crate::render::{TimelineLine, human_duration, timeline_line};
use crate::sync::wire::TimelineResponse;
use chrono::{DateTime, Duration, Utc};
use std::fmt::Write;

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Keeps one line one line, and a table cell a table cell.
fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// `+2m 05s`, `-40s`, `+120ms`: how far a device's clock is from the hub's.
fn signed_offset(offset_ms: i64) -> String {
    let sign = if offset_ms < 0 { "-" } else { "+" };
    let abs = offset_ms.unsigned_abs();
    if abs < 1000 {
        return format!("{sign}{abs}ms");
    }
    let d = Duration::milliseconds(i64::try_from(abs).unwrap_or(i64::MAX));
    format!("{sign}{}", human_duration(d))
}

/// Renders the timeline response as a Markdown document.
pub fn timeline_markdown(timeline: &TimelineResponse) -> String {
    let incident = &timeline.incident;
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", one_line(&incident.title));
    out.push_str("| | |\n| --- | --- |\n");
    let _ = writeln!(out, "| Incident | `{}` |", incident.id);
    let _ = writeln!(out, "| Status | {} |", incident.status);
    let _ = writeln!(
        out,
        "| Severity | {} |",
        incident.severity.map_or("not set", |s| s.as_str())
    );
    let _ = writeln!(
        out,
        "| Started | {} by {} |",
        time(incident.started_at),
        one_line(&incident.started_by)
    );
    let _ = writeln!(
        out,
        "| Responders | {} |",
        one_line(&incident.responders.join(", "))
    );

    out.push_str("\n## Timeline (UTC, on the hub's clock)\n\n");
    if timeline.entries.is_empty() {
        out.push_str("Nothing recorded yet.\n");
    }
    for entry in &timeline.entries {
        let mut marks = Vec::new();
        if entry.occurred_at.is_some() {
            marks.push(format!("recorded {}", entry.recorded_at.format("%H:%M:%S")));
        }
        if !entry.amended_by.is_empty() {
            marks.push("amended".to_string());
        }
        if entry.skewed
            && let Some(offset) = entry.offset_ms
        {
            marks.push(format!(
                "device clock off by {}, corrected",
                signed_offset(-offset)
            ));
        }
        let _ = writeln!(
            out,
            "{}",
            timeline_line(
                &TimelineLine {
                    clock: &entry.at.format("%H:%M:%S").to_string(),
                    author: &entry.author,
                    kind: entry.kind.label(),
                    text: &entry.text,
                    retracted: entry.retracted,
                    retraction_reason: entry.retraction_reason.as_deref(),
                },
                &marks,
            )
        );
    }

    if !timeline.devices.is_empty() {
        out.push_str(
            "\n## Device clocks\n\n| User | Device | Clock vs hub | Round trip | Measured (UTC) |\n| --- | --- | --- | --- | --- |\n",
        );
        for device in &timeline.devices {
            let flag = if device.skewed { " ⚠ skewed" } else { "" };
            let _ = writeln!(
                out,
                "| {} | `{}` | {}{flag} | {} ms | {} |",
                one_line(&device.user),
                device.device.short(),
                signed_offset(-device.offset_ms),
                device.rtt_ms,
                time(device.measured_at),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventBody, FindingKind, Status};
    use crate::sync::timeline::merge_timeline;
    use crate::sync::wire::{DeviceClock, HubEvent, IncidentSummary};
    use crate::test_support::LogBuilder;

    #[test]
    fn skewed_entries_say_how_far_their_clock_was_off() {
        let mut bob = LogBuilder::new("bob");
        bob.push(EventBody::Finding {
            finding: FindingKind::Observation,
            text: "LB | shows\n0/4 healthy".into(),
        });
        let events: Vec<HubEvent> = bob
            .events
            .iter()
            .map(|e| HubEvent {
                cursor: 1,
                received_at: e.recorded_at,
                offset_ms: Some(-125_000),
                device_author: e.author.clone(),
                event: e.clone(),
            })
            .collect();
        let response = TimelineResponse {
            incident: IncidentSummary {
                id: bob.incident,
                title: "API down".into(),
                status: Status::Investigating,
                severity: None,
                started_at: bob.clock,
                started_by: "bob".into(),
                last_activity: bob.clock,
                event_count: 1,
                responders: vec!["bob".into()],
            },
            devices: vec![DeviceClock {
                device: bob.device,
                user: "bob".into(),
                offset_ms: -125_000,
                rtt_ms: 12,
                measured_at: bob.clock,
                skewed: true,
            }],
            entries: merge_timeline(&events),
        };
        let md = timeline_markdown(&response);
        assert!(md.starts_with("# API down\n"), "{md}");
        assert!(
            md.contains("- **12:58:55** bob · observation — LB | shows 0/4 healthy _(device clock off by +2m, corrected)_"),
            "{md}"
        );
        assert!(md.contains("| +2m ⚠ skewed | 12 ms |"), "{md}");
    }

    #[test]
    fn offsets_read_as_people_say_them() {
        assert_eq!(signed_offset(120), "+120ms");
        assert_eq!(signed_offset(-40_000), "-40s");
        assert_eq!(signed_offset(125_000), "+2m");
    }
}
