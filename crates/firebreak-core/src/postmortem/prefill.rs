//! What the log already says about a section nobody has written yet. The team replaces
//! it with their own words; until then the draft is not blank where the log knows.

use super::change::{Milestone, Section};
use super::draft::{Durations, MilestoneTime};
use super::format::{human_secs, utc_minute};
use crate::views::{FindingStatus, FindingsState, IncidentState};

pub(super) struct PrefillContext<'a> {
    pub state: &'a IncidentState,
    pub findings: &'a FindingsState,
    pub milestones: &'a [MilestoneTime],
    pub durations: &'a Durations,
    /// The first thing anyone wrote after opening the incident.
    pub first_finding: Option<(&'a str, &'a str)>,
    /// The incident's opening, corrected.
    pub opened_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub(super) fn suggest(section: Section, cx: &PrefillContext<'_>) -> Option<String> {
    match section {
        Section::Summary => summary(cx),
        Section::IssueReported => issue_reported(cx),
        Section::Detection => detection(cx),
        Section::RootCauses => bullets(&cx.findings.confirmed_hypotheses, "Confirmed"),
        Section::Mitigation => mitigation(cx),
        Section::Impact
        | Section::ContributingFactors
        | Section::WentWell
        | Section::WentWrong
        | Section::GotLucky
        | Section::SupportingData => None,
    }
}

fn at(cx: &PrefillContext<'_>, milestone: Milestone) -> Option<chrono::DateTime<chrono::Utc>> {
    cx.milestones
        .iter()
        .find(|m| m.milestone == milestone)
        .and_then(|m| m.at)
}

fn summary(cx: &PrefillContext<'_>) -> Option<String> {
    let severity = cx
        .state
        .severity
        .map(|s| format!("{s} "))
        .unwrap_or_default();
    let mut text = format!("A {severity}incident, \u{201c}{}\u{201d}", cx.state.title);
    if let Some(detected) = at(cx, Milestone::Detected) {
        text.push_str(&format!(", detected {}", utc_minute(detected)));
    }
    match (cx.durations.to_mitigate_secs, cx.durations.to_resolve_secs) {
        (Some(m), Some(r)) => text.push_str(&format!(
            "; mitigated after {} and resolved after {} from the start of impact.",
            human_secs(m),
            human_secs(r)
        )),
        (Some(m), None) => text.push_str(&format!(
            "; mitigated after {} from the start of impact, not yet resolved.",
            human_secs(m)
        )),
        (None, Some(r)) => text.push_str(&format!(
            "; resolved after {} from the start of impact.",
            human_secs(r)
        )),
        (None, None) => text.push_str("; not yet mitigated."),
    }
    Some(text)
}

fn issue_reported(cx: &PrefillContext<'_>) -> Option<String> {
    let mut text = format!(
        "Reported as \u{201c}{}\u{201d} by {}",
        cx.state.title, cx.state.started_by
    );
    if let Some(opened) = cx.opened_at {
        text.push_str(&format!(", {}", utc_minute(opened)));
    }
    text.push('.');
    if let Some((author, first)) = cx.first_finding {
        text.push_str(&format!("\n\nFirst finding ({author}): {first}"));
    }
    Some(text)
}

fn detection(cx: &PrefillContext<'_>) -> Option<String> {
    let detected = at(cx, Milestone::Detected)?;
    let mut text = format!(
        "{} opened the incident {}.",
        cx.state.started_by,
        utc_minute(detected)
    );
    if let Some(secs) = cx.durations.to_detect_secs.filter(|s| *s > 0) {
        text.push_str(&format!(
            " The impact had begun {} earlier.",
            human_secs(secs)
        ));
    }
    Some(text)
}

fn mitigation(cx: &PrefillContext<'_>) -> Option<String> {
    let mut lines: Vec<String> = Vec::new();
    for action in &cx.findings.actions_done {
        lines.push(format!(
            "- Done: {} ({})",
            one_line(&action.text),
            action.author
        ));
    }
    for action in &cx.findings.actions_in_flight {
        lines.push(format!(
            "- In flight: {} ({})",
            one_line(&action.text),
            action.author
        ));
    }
    for decision in &cx.findings.decisions {
        lines.push(format!(
            "- Decided: {} ({})",
            one_line(&decision.text),
            decision.author
        ));
    }
    if let Some(m) = at(cx, Milestone::Mitigated) {
        lines.push(format!("\nMitigated {}.", utc_minute(m)));
    }
    if let Some(r) = at(cx, Milestone::Resolved) {
        lines.push(format!("Resolved {}.", utc_minute(r)));
    }
    (!lines.is_empty()).then(|| lines.join("\n").trim().to_string())
}

fn bullets(findings: &[FindingStatus], label: &str) -> Option<String> {
    (!findings.is_empty()).then(|| {
        findings
            .iter()
            .map(|f| {
                let note = f
                    .conclusion
                    .as_ref()
                    .and_then(|c| c.note.as_deref())
                    .map(|n| format!(" \u{2014} {}", one_line(n)))
                    .unwrap_or_default();
                format!("- {label}: {}{note} ({})", one_line(&f.text), f.author)
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
