//! The short post-mortem email: the issue reported, its root cause, how it was
//! mitigated, and how we prevent it from happening again. Plain text, so it reads the
//! same in any mail client.

use super::change::Milestone;
use super::change::Section;
use super::draft::{PostmortemDraft, SectionBody};
use super::format::{human_secs, utc_stamp};
use std::fmt::Write;

pub fn postmortem_email(draft: &PostmortemDraft) -> String {
    let mut out = String::new();
    let severity = draft.severity.map(|s| format!("{s}, ")).unwrap_or_default();
    let date = draft
        .milestone(Milestone::Detected)
        .and_then(|m| m.at)
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "Subject: Post-mortem: {} ({severity}{date})\n",
        draft.title.trim()
    );
    let conflicts = draft.conflicts();
    if conflicts > 0 {
        let _ = writeln!(
            out,
            "NOTE: this draft still holds {conflicts} unreconciled set(s) of versions; each is shown in full.\n"
        );
    }
    for (heading, section) in [
        ("The issue reported", Section::IssueReported),
        ("Root cause", Section::RootCauses),
        ("Mitigation", Section::Mitigation),
    ] {
        let _ = writeln!(out, "{heading}\n{}\n", "-".repeat(heading.len()));
        section_text(&mut out, draft, section);
    }
    let heading = "Prevention";
    let _ = writeln!(out, "{heading}\n{}\n", "-".repeat(heading.len()));
    prevention(&mut out, draft);
    timing(&mut out, draft);
    out.trim_end().to_string() + "\n"
}

fn section_text(out: &mut String, draft: &PostmortemDraft, section: Section) {
    let Some(s) = draft.section(section) else {
        return;
    };
    match &s.body {
        SectionBody::Written { text, .. } | SectionBody::FromLog { text } => {
            let _ = writeln!(out, "{}\n", text.trim());
        }
        SectionBody::Empty { .. } => out.push_str("(not written yet)\n\n"),
        SectionBody::Conflict { versions } => {
            for (i, v) in versions.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "[version {} of {}, {}, {}]\n{}\n",
                    i + 1,
                    versions.len(),
                    v.author,
                    utc_stamp(v.at),
                    v.value.trim()
                );
            }
        }
    }
}

fn prevention(out: &mut String, draft: &PostmortemDraft) {
    let mut any = false;
    for a in &draft.actions {
        any = true;
        let mut details: Vec<String> = vec![a.class.as_str().to_string()];
        if let Some(owner) = &a.owner {
            details.push(format!("owner {owner}"));
        }
        if let Some(ticket) = &a.ticket {
            details.push(ticket.clone());
        }
        details.push(a.status.label().to_string());
        let _ = writeln!(out, "- {} ({})", a.text.trim(), details.join(", "));
    }
    for gate in &draft.tollgates {
        for v in &gate.versions {
            any = true;
            let follow_up = v
                .value
                .ticket
                .as_deref()
                .map(|t| format!(" Follow-up: {t}."))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {}: {}{follow_up}",
                gate.gate,
                v.value.why_missed.trim()
            );
        }
    }
    if !any {
        out.push_str("(no actions recorded yet)\n");
    }
    out.push('\n');
}

fn timing(out: &mut String, draft: &PostmortemDraft) {
    let d = &draft.durations;
    let parts: Vec<String> = [
        ("detected", d.to_detect_secs),
        ("mitigated", d.to_mitigate_secs),
        ("resolved", d.to_resolve_secs),
    ]
    .into_iter()
    .filter_map(|(what, secs)| secs.map(|s| format!("{what} after {}", human_secs(s))))
    .collect();
    if !parts.is_empty() {
        let _ = writeln!(out, "From the start of impact: {}.", parts.join(", "));
    }
}
