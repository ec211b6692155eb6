//! The draft as Markdown: the canonical form, which the HTML page and the hub's copy
//! are made from.

use super::change::Section;
use super::draft::{
    DraftEntry, MilestoneTime, PostmortemDraft, SectionBody, SectionDraft, TimeSource,
};
use super::format::{cell, human_secs, utc_stamp};
use super::register::Version;
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// Renders the whole draft. The same draft always gives the same text.
pub fn postmortem_markdown(draft: &PostmortemDraft) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Post-mortem: {}\n", draft.title.trim());
    header(&mut out, draft);
    let conflicts = draft.conflicts();
    if conflicts > 0 {
        let _ = writeln!(
            out,
            "> **\u{26a0} {conflicts} {} of this draft {} versions written at the same time.** \
             Every version is kept below until someone keeps one or merges them.\n",
            if conflicts == 1 { "part" } else { "parts" },
            if conflicts == 1 { "holds" } else { "hold" },
        );
    }
    for section in [
        Section::Summary,
        Section::Impact,
        Section::IssueReported,
        Section::Detection,
    ] {
        section_block(&mut out, draft, section, "##");
    }
    timeline(&mut out, draft);
    for section in [
        Section::RootCauses,
        Section::ContributingFactors,
        Section::Mitigation,
    ] {
        section_block(&mut out, draft, section, "##");
    }
    actions(&mut out, draft);
    tollgates(&mut out, draft);
    out.push_str("## Lessons learned\n\n");
    for section in [Section::WentWell, Section::WentWrong, Section::GotLucky] {
        section_block(&mut out, draft, section, "###");
    }
    supporting_data(&mut out, draft);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn header(out: &mut String, draft: &PostmortemDraft) {
    out.push_str("| | |\n| --- | --- |\n");
    let severity = draft
        .severity
        .map(|s| s.to_string())
        .unwrap_or_else(|| "not set".into());
    let _ = writeln!(out, "| Severity | {severity} |");
    let _ = writeln!(out, "| Status | {} |", draft.status);
    for milestone in &draft.milestones {
        let _ = writeln!(
            out,
            "| {} | {} |",
            milestone.milestone.label(),
            milestone_value(milestone)
        );
    }
    let d = &draft.durations;
    for (label, secs) in [
        ("Time to detect", d.to_detect_secs),
        ("Time to mitigate", d.to_mitigate_secs),
        ("Time to resolve", d.to_resolve_secs),
    ] {
        let value = secs.map(human_secs).unwrap_or_else(|| "\u{2014}".into());
        let _ = writeln!(out, "| {label} | {value} |");
    }
    let responders: Vec<String> = draft
        .responders
        .iter()
        .map(|r| {
            if r.roles.is_empty() {
                r.name.clone()
            } else {
                let roles: Vec<&str> = r.roles.iter().map(|x| x.as_str()).collect();
                format!("{} ({})", r.name, roles.join(", "))
            }
        })
        .collect();
    let _ = writeln!(out, "| Responders | {} |", cell(&responders.join(", ")));
    let authors = if draft.authors.is_empty() {
        "\u{2014}".to_string()
    } else {
        draft.authors.join(", ")
    };
    let _ = writeln!(out, "| Written by | {} |\n", cell(&authors));
}

fn milestone_value(milestone: &MilestoneTime) -> String {
    match (&milestone.at, &milestone.source) {
        (Some(at), TimeSource::Log { what }) => format!("{} ({what})", utc_stamp(*at)),
        (Some(at), TimeSource::SetBy { author }) => {
            format!("{} (set by {})", utc_stamp(*at), cell(author))
        }
        _ => "not yet".to_string(),
    }
}

fn section_block(out: &mut String, draft: &PostmortemDraft, section: Section, level: &str) {
    let Some(s) = draft.section(section) else {
        return;
    };
    let _ = writeln!(out, "{level} {}\n", s.title);
    section_body(out, s);
}

pub(super) fn section_body(out: &mut String, s: &SectionDraft) {
    match &s.body {
        SectionBody::Written { text, .. } | SectionBody::FromLog { text } => {
            let _ = writeln!(out, "{}\n", text.trim_end());
        }
        SectionBody::Empty { prompt } => {
            let _ = writeln!(out, "_Not written yet. {prompt}_\n");
        }
        SectionBody::Conflict { versions } => conflict(out, versions),
    }
}

fn conflict(out: &mut String, versions: &[Version<String>]) {
    let _ = writeln!(
        out,
        "> **\u{26a0} Conflict: {} versions written at the same time.** Keep one or merge them.\n",
        versions.len()
    );
    for (i, version) in versions.iter().enumerate() {
        let _ = writeln!(
            out,
            "**Version {} of {} \u{2014} {}, {}**\n",
            i + 1,
            versions.len(),
            version.author,
            utc_stamp(version.at)
        );
        let text = version.value.trim_end();
        if text.trim().is_empty() {
            out.push_str("_(cleared)_\n\n");
        } else {
            let _ = writeln!(out, "{text}\n");
        }
    }
}

fn timeline(out: &mut String, draft: &PostmortemDraft) {
    out.push_str("## Timeline\n\n");
    let entries: Vec<&DraftEntry> = draft.document_timeline().collect();
    let Some(first) = entries.first() else {
        out.push_str("_Nothing on the timeline yet._\n\n");
        return;
    };
    let one_day = entries
        .iter()
        .all(|e| e.at.date_naive() == first.at.date_naive());
    if one_day {
        let _ = writeln!(
            out,
            "Times are UTC on {}, corrected for each laptop's clock where the hub measured it. \
             \u{2605} marks entries the team starred.\n",
            first.at.format("%Y-%m-%d")
        );
    } else {
        out.push_str(
            "Times are UTC, corrected for each laptop's clock where the hub measured it. \
             \u{2605} marks entries the team starred.\n\n",
        );
    }
    for entry in entries {
        let _ = writeln!(out, "{}", timeline_line(entry, one_day));
        if let Some(annotation) = &entry.annotation {
            if annotation.is_conflict() {
                for (i, v) in annotation.versions.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "  - \u{26a0} Annotation, version {} of {} ({}): {}",
                        i + 1,
                        annotation.versions.len(),
                        v.author,
                        cell(&v.value)
                    );
                }
            } else if let Some(v) = annotation.current().filter(|v| !v.value.trim().is_empty()) {
                let _ = writeln!(out, "  - _{}_ ({})", cell(&v.value), v.author);
            }
        }
    }
    out.push('\n');
}

fn timeline_line(entry: &DraftEntry, one_day: bool) -> String {
    let time = if one_day {
        entry.at.format("%H:%M").to_string()
    } else {
        entry.at.format("%Y-%m-%d %H:%M").to_string()
    };
    let star = if entry.starred { "\u{2605} " } else { "" };
    let key = entry
        .key
        .map(|k| format!(" _({})_", k.label()))
        .unwrap_or_default();
    let skew = match entry.offset_ms {
        Some(ms) if entry.skewed => format!(" _(clock corrected by {})_", signed_secs(ms)),
        _ => String::new(),
    };
    format!(
        "- {star}**{time}** {} \u{00b7} {} \u{2014} {}{key}{skew}",
        entry.author,
        entry.source.as_str(),
        cell(&entry.text)
    )
}

fn signed_secs(ms: i64) -> String {
    let sign = if ms < 0 { "\u{2212}" } else { "+" };
    let secs = ms.unsigned_abs().div_ceil(1000);
    if secs < 3600 {
        let (m, s) = (secs / 60, secs % 60);
        if m == 0 {
            format!("{sign}{s}s")
        } else {
            format!("{sign}{m}m {s:02}s")
        }
    } else {
        format!("{sign}{}", human_secs(secs as i64))
    }
}

fn actions(out: &mut String, draft: &PostmortemDraft) {
    out.push_str("## Corrective and preventive actions\n\n");
    if draft.actions.is_empty() {
        out.push_str("_None recorded yet._\n\n");
        return;
    }
    out.push_str("| Action | Type | Owner | Ticket | Status |\n| --- | --- | --- | --- | --- |\n");
    for a in &draft.actions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            cell(&a.text),
            a.class.as_str(),
            a.owner
                .as_deref()
                .map(cell)
                .unwrap_or_else(|| "\u{2014}".into()),
            a.ticket
                .as_deref()
                .map(cell)
                .unwrap_or_else(|| "\u{2014}".into()),
            a.status.label()
        );
    }
    out.push('\n');
}

fn tollgates(out: &mut String, draft: &PostmortemDraft) {
    out.push_str("## Tollgates\n\n");
    out.push_str("How the fault got through each check that should have stopped it.\n\n");
    out.push_str("| Tollgate | Why it missed | Follow-up |\n| --- | --- | --- |\n");
    for gate in &draft.tollgates {
        match gate.versions.as_slice() {
            [] => {
                let _ = writeln!(
                    out,
                    "| {} | _not analysed yet_ | \u{2014} |",
                    cell(&gate.gate)
                );
            }
            [only] => {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    cell(&gate.gate),
                    cell(&only.value.why_missed),
                    only.value
                        .ticket
                        .as_deref()
                        .map(cell)
                        .unwrap_or_else(|| "\u{2014}".into())
                );
            }
            versions => {
                for (i, v) in versions.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "| {} \u{26a0} version {} of {} ({}) | {} | {} |",
                        cell(&gate.gate),
                        i + 1,
                        versions.len(),
                        cell(&v.author),
                        cell(&v.value.why_missed),
                        v.value
                            .ticket
                            .as_deref()
                            .map(cell)
                            .unwrap_or_else(|| "\u{2014}".into())
                    );
                }
            }
        }
    }
    out.push('\n');
}

fn supporting_data(out: &mut String, draft: &PostmortemDraft) {
    out.push_str("## Supporting data\n\n");
    if draft.probes.is_empty() {
        out.push_str("_No probes were run._\n\n");
    } else {
        out.push_str(
            "| Probe | Runs | Passed | First failure | Back up | Last result |\n\
             | --- | --- | --- | --- | --- | --- |\n",
        );
        let time =
            |at: Option<DateTime<Utc>>| at.map(utc_stamp).unwrap_or_else(|| "\u{2014}".into());
        for p in &draft.probes {
            let last = if p.last_ok {
                format!("ok, {}", utc_stamp(p.last_at))
            } else {
                format!(
                    "failing: {}, {}",
                    cell(&p.last_reason),
                    utc_stamp(p.last_at)
                )
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&p.label),
                p.runs,
                p.passed,
                time(p.first_failure),
                time(p.recovered),
                last
            );
        }
        out.push('\n');
    }
    if let Some(notes) = draft.section(Section::SupportingData)
        && !matches!(notes.body, SectionBody::Empty { .. })
    {
        let _ = writeln!(out, "### {}\n", notes.title);
        section_body(out, notes);
    }
}
