//! The handoff note, drafted from the incident's state. It is a starting point the
//! outgoing responder edits, so it says everything the log can tell and leaves a place
//! for what only they know.
//!
//! The note is Markdown for people. It is written in the order the incoming responder
//! needs it: where things stand, what is still to do (checklist, actions in flight),
//! what the probes say now, what has been tried and ruled out, what customers were told,
//! then the findings since the previous handoff.

use crate::event::{Event, EventBody, EventKind, Role};
use crate::render::{human_duration, one_line};
use crate::views::{
    FindingStatus, IncidentState, ProbeHistory, RunChecklist, RunInfo, StepState, fold_findings,
    fold_timeline,
};
use chrono::{DateTime, Utc};
use std::fmt::Write;

/// How many findings since the previous handoff the note lists; the rest are counted.
/// A note that lists three hundred lines is not read at 3 a.m.
pub const MAX_RECENT_FINDINGS: usize = 30;

/// How many items each list (actions in flight, hypotheses, decisions) shows: the most
/// recent ones, the rest counted.
pub const MAX_LIST_ITEMS: usize = 15;

/// How much of one finding's text a line shows. Together with the limits above, a
/// drafted note stays well inside the size of one event, whatever the incident.
pub const MAX_LINE_CHARS: usize = 280;

/// One line of text, shortened to `MAX_LINE_CHARS`.
fn line(text: &str) -> String {
    let flat = one_line(text);
    if flat.chars().count() <= MAX_LINE_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_LINE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// A probe being re-run by a watch right now (the desktop app knows; the log does not).
#[derive(Debug, Clone, PartialEq)]
pub struct RunningWatch {
    pub label: String,
    pub every_secs: u64,
}

/// Everything the draft reads, already folded.
#[derive(Debug)]
pub struct DraftInput<'a> {
    pub state: &'a IncidentState,
    /// The incident's events (private ones are left out of the note).
    pub events: &'a [Event],
    pub checklists: &'a [(RunInfo, RunChecklist)],
    pub probes: &'a [ProbeHistory],
    pub watches: &'a [RunningWatch],
    /// Who hands over.
    pub from: &'a str,
    /// Who takes over, if already known.
    pub to: Option<&'a str>,
    pub now: DateTime<Utc>,
}

fn time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn clock(t: DateTime<Utc>) -> String {
    t.format("%H:%M").to_string()
}

/// When the previous handoff in this incident was sent or taken, if any.
pub fn previous_handoff(events: &[Event]) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| {
            matches!(
                e.body,
                EventBody::HandoffSent { .. } | EventBody::HandoffAccepted { .. }
            )
        })
        .map(|e| e.recorded_at)
        .max()
}

/// Drafts the note.
pub fn draft_note(input: &DraftInput<'_>) -> String {
    let state = input.state;
    let public: Vec<Event> = input
        .events
        .iter()
        .filter(|e| !e.private)
        .cloned()
        .collect();
    let findings = fold_findings(&public);
    let mut out = String::new();

    let _ = writeln!(out, "# Handoff: {}\n", one_line(&state.title));
    let to = input
        .to
        .map(one_line)
        .unwrap_or_else(|| "the next responder".to_string());
    let _ = writeln!(
        out,
        "From **{}** to **{to}**, {}.\n",
        one_line(input.from),
        time(input.now)
    );

    // Where things stand.
    out.push_str("## Where it stands\n\n");
    let _ = writeln!(
        out,
        "- **Status:** {} · **Severity:** {}",
        state.status,
        state.severity.map_or("not set", |s| s.as_str())
    );
    let _ = writeln!(
        out,
        "- **Running for:** {} (started {} by {})",
        human_duration(input.now - state.started_at),
        time(state.started_at),
        one_line(&state.started_by)
    );
    let roles: Vec<String> = Role::ALL
        .into_iter()
        .map(|role| {
            let who = state
                .roles
                .get(&role)
                .map_or_else(|| "nobody".to_string(), |p| one_line(p));
            format!("{} {who}", role.as_str())
        })
        .collect();
    let _ = writeln!(out, "- **Roles:** {}", roles.join(" · "));
    match findings.last_update() {
        Some(update) => {
            let _ = writeln!(
                out,
                "- **Customers were last told** ({} by {}): {}",
                clock(update.at),
                one_line(&update.author),
                line(&update.text)
            );
        }
        None => out.push_str("- **Customers were last told:** nothing recorded yet\n"),
    }

    checklist_section(input.checklists, &mut out);
    probe_section(input, &mut out);
    list_section(
        &mut out,
        "Actions in flight",
        &findings.actions_in_flight,
        None,
    );
    list_section(&mut out, "Open hypotheses", &findings.open_hypotheses, None);
    list_section(
        &mut out,
        "Confirmed hypotheses",
        &findings.confirmed_hypotheses,
        Some("confirmed"),
    );
    list_section(
        &mut out,
        "Ruled out",
        &findings.ruled_out_hypotheses,
        Some("ruled out"),
    );
    list_section(&mut out, "Decisions", &findings.decisions, None);
    recent_section(&public, &mut out);

    out.push_str("\n## From me\n\n");
    out.push_str("_What the log does not say: what you were about to try, who is waiting on what, what worries you._\n");
    out
}

fn checklist_section(checklists: &[(RunInfo, RunChecklist)], out: &mut String) {
    if checklists.is_empty() {
        return;
    }
    out.push_str("\n## Checklist\n");
    for (run, checklist) in checklists {
        let total = checklist.steps.len();
        let done = checklist.count(StepState::Checked);
        let skipped = checklist.count(StepState::Skipped);
        let _ = writeln!(
            out,
            "\n### {} — {done} of {total} done, {skipped} skipped\n",
            one_line(&run.title)
        );
        let open: Vec<_> = checklist
            .steps
            .iter()
            .filter(|s| s.state == StepState::Open)
            .collect();
        if open.is_empty() {
            out.push_str("Every step is checked or skipped.\n");
        }
        for step in open {
            let _ = writeln!(out, "- [ ] {} {}", step.path, line(&step.text));
        }
        for step in checklist
            .steps
            .iter()
            .filter(|s| s.state == StepState::Skipped)
        {
            let why = step
                .reason
                .as_deref()
                .map_or_else(|| "no reason given".to_string(), line);
            let by = step.by.as_deref().map(one_line).unwrap_or_default();
            let _ = writeln!(
                out,
                "- skipped {} {} — {why} ({by})",
                step.path,
                line(&step.text)
            );
        }
    }
}

fn probe_section(input: &DraftInput<'_>, out: &mut String) {
    if input.probes.is_empty() && input.watches.is_empty() {
        return;
    }
    out.push_str("\n## Probes, last state\n\n");
    for probe in input.probes {
        let mark = if probe.last.ok { "up" } else { "DOWN" };
        let at = probe.runs.last().map(|p| clock(p.at)).unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{mark}** {} — {} (at {at}; {} of {} runs passed)",
            line(&probe.label),
            line(&probe.last.reason),
            probe.passes(),
            probe.runs.len()
        );
    }
    for watch in input.watches {
        let _ = writeln!(
            out,
            "- watching {} every {}s on my machine: start your own watch, mine stops when I go",
            one_line(&watch.label),
            watch.every_secs
        );
    }
}

fn list_section(out: &mut String, heading: &str, items: &[FindingStatus], verb: Option<&str>) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## {heading}\n");
    let hidden = items.len().saturating_sub(MAX_LIST_ITEMS);
    if hidden > 0 {
        let _ = writeln!(out, "- … {hidden} earlier ones in the log");
    }
    for item in &items[hidden..] {
        let conclusion = match (&item.conclusion, verb) {
            (Some(c), Some(verb)) => {
                let note = c
                    .note
                    .as_deref()
                    .map(|n| format!(": {}", line(n)))
                    .unwrap_or_default();
                format!(" — {verb} by {} at {}{note}", one_line(&c.by), clock(c.at))
            }
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "- {} ({}, {}){conclusion}",
            line(&item.text),
            one_line(&item.author),
            clock(item.at)
        );
    }
}

/// Key findings since the previous handoff: decisions, hypotheses, actions, customer
/// updates and status changes come first; observations and notes follow. Each group in
/// time order.
fn recent_section(public: &[Event], out: &mut String) {
    let since = previous_handoff(public);
    let timeline = fold_timeline(public);
    let recent: Vec<_> = timeline
        .iter()
        .filter(|e| !e.retracted)
        .filter(|e| since.is_none_or(|t| e.event.recorded_at > t))
        .filter(|e| {
            e.kind().is_finding()
                || matches!(
                    e.kind(),
                    EventKind::StatusChanged
                        | EventKind::SeverityChanged
                        | EventKind::RoleAssigned
                        | EventKind::Concluded
                )
        })
        .collect();
    let heading = match since {
        Some(t) => format!("Findings since the previous handoff ({})", clock(t)),
        None => "Findings so far".to_string(),
    };
    let _ = writeln!(out, "\n## {heading}\n");
    if recent.is_empty() {
        out.push_str("Nothing new.\n");
        return;
    }
    let is_key = |kind: EventKind| !matches!(kind, EventKind::Note | EventKind::Observation);
    let (key, other): (Vec<_>, Vec<_>) = recent.into_iter().partition(|e| is_key(e.kind()));
    let ordered: Vec<_> = key.iter().chain(other.iter()).collect();
    let shown = ordered.len().min(MAX_RECENT_FINDINGS);
    for entry in &ordered[..shown] {
        let _ = writeln!(
            out,
            "- {} {} · {} — {}",
            clock(entry.event.effective_time()),
            one_line(&entry.event.author),
            entry.kind().label(),
            line(&entry.text)
        );
    }
    if ordered.len() > shown {
        let _ = writeln!(
            out,
            "- … and {} more in the log (`firebreak log`)",
            ordered.len() - shown
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{FindingKind, Outcome, Severity, Status, StepTarget};
    use crate::ids::RunId;
    use crate::runbook::{content_hash, parse};
    use crate::test_support::LogBuilder;
    use crate::views::{fold_checklist, fold_incident};
    use chrono::Duration;

    const RUNBOOK: &str = "# Checkout down\n\n- [ ] Look at the load balancer\n- [ ] Roll back the deploy\n- [ ] Purge the CDN\n";

    fn finding(kind: FindingKind, text: &str) -> EventBody {
        EventBody::Finding {
            finding: kind,
            text: text.into(),
        }
    }

    /// An incident alice worked for two hours: one runbook half done, a hypothesis
    /// ruled out, an action in flight, a status-page update, a private note.
    fn worked_incident() -> LogBuilder {
        let mut log = LogBuilder::new("alice");
        log.push(EventBody::IncidentStarted {
            title: "Checkout returns 502".into(),
            severity: Some(Severity::Sev2),
        });
        let run = RunId::new_v7();
        log.push(EventBody::RunbookRunStarted {
            run,
            runbook_id: "checkout".into(),
            title: "Checkout down".into(),
            content_hash: content_hash(RUNBOOK),
            source: Some(RUNBOOK.into()),
        });
        log.push(EventBody::RoleAssigned {
            role: Role::Leader,
            person: "alice".into(),
        });
        log.push(EventBody::StepChecked {
            target: StepTarget {
                run,
                step: "1".parse().expect("path"),
            },
            step_text: "Look at the load balancer".into(),
            note: None,
        });
        log.push(EventBody::StepSkipped {
            target: StepTarget {
                run,
                step: "3".parse().expect("path"),
            },
            step_text: "Purge the CDN".into(),
            reason: Some("CDN is not in the path".into()),
        });
        let cache = log.push(finding(FindingKind::Hypothesis, "the cache is cold"));
        log.push_with(
            EventBody::Concluded {
                outcome: Outcome::RuledOut,
                note: Some("hit rate is 99%".into()),
            },
            |e| e.amends = Some(cache.id),
        );
        log.push(finding(
            FindingKind::Hypothesis,
            "deploy 4.2 broke the pool",
        ));
        log.push(finding(FindingKind::Action, "rolling back 4.2"));
        log.push(finding(
            FindingKind::Update,
            "Status page: we are investigating",
        ));
        log.push(EventBody::StatusChanged {
            status: Status::Identified,
        });
        log.push(finding(FindingKind::Observation, "errors at 40%"));
        log.push_with(finding(FindingKind::Note, "my password is hunter2"), |e| {
            e.private = true
        });
        log
    }

    fn draft(log: &LogBuilder, to: Option<&str>) -> String {
        let state = fold_incident(&log.events).expect("incident");
        let runbook = parse(RUNBOOK, "checkout").expect("runbook");
        let checklists: Vec<_> = state
            .runs
            .iter()
            .map(|run| (run.clone(), fold_checklist(run.run, &runbook, &log.events)))
            .collect();
        let input = DraftInput {
            state: &state,
            events: &log.events,
            checklists: &checklists,
            probes: &[],
            watches: &[RunningWatch {
                label: "api health".into(),
                every_secs: 30,
            }],
            from: "alice",
            to,
            now: log.clock + Duration::minutes(5),
        };
        draft_note(&input)
    }

    #[test]
    fn the_note_says_what_the_next_responder_needs() {
        let log = worked_incident();
        let note = draft(&log, Some("bob"));
        for expected in [
            "# Handoff: Checkout returns 502",
            "From **alice** to **bob**, 2026-11-21 13:18 UTC.",
            "- **Status:** identified · **Severity:** SEV2",
            "- **Running for:** 17m (started 2026-11-21 13:01 UTC by alice)",
            "- **Roles:** leader alice · comms nobody · scribe nobody",
            "- **Customers were last told** (13:10 by alice): Status page: we are investigating",
            "### Checkout down — 1 of 3 done, 1 skipped",
            "- [ ] 2 Roll back the deploy",
            "- skipped 3 Purge the CDN — CDN is not in the path (alice)",
            "- watching api health every 30s",
            "## Actions in flight\n\n- rolling back 4.2 (alice, 13:09)",
            "## Open hypotheses\n\n- deploy 4.2 broke the pool (alice, 13:08)",
            "## Ruled out\n\n- the cache is cold (alice, 13:06) — ruled out by alice at 13:07: hit rate is 99%",
            "## Findings so far",
            "## From me",
        ] {
            assert!(note.contains(expected), "missing {expected:?} in:\n{note}");
        }
        assert!(!note.contains("hunter2"), "private notes stay out:\n{note}");
        // Key findings come before observations.
        let key = note
            .find("· action — rolling back 4.2")
            .expect("action listed");
        let plain = note
            .find("· observation — errors at 40%")
            .expect("observation");
        assert!(key < plain, "{note}");
    }

    #[test]
    fn the_second_handoff_lists_only_what_is_new() {
        let mut log = worked_incident();
        log.push(EventBody::HandoffSent {
            to: "bob".into(),
            note: "first".into(),
        });
        log.push(finding(FindingKind::Observation, "errors down to 2%"));
        let note = draft(&log, None);
        assert!(note.contains("to **the next responder**"), "{note}");
        let recent = &note[note
            .find("## Findings since the previous handoff (13:14)")
            .expect("heading")..];
        assert!(recent.contains("errors down to 2%"), "{recent}");
        assert!(!recent.contains("errors at 40%"), "{recent}");
    }

    #[test]
    fn a_long_incident_is_summarised_not_dumped() {
        let mut log = worked_incident();
        for i in 0..(MAX_RECENT_FINDINGS + 7) {
            log.push(finding(FindingKind::Note, &format!("note {i}")));
        }
        let note = draft(&log, Some("bob"));
        assert!(note.contains("more in the log"), "{note}");
        let listed = note
            .lines()
            .filter(|l| l.contains("· note — note "))
            .count();
        assert!(listed < MAX_RECENT_FINDINGS, "{listed}");
    }

    #[test]
    fn the_note_fits_in_one_event_however_long_the_incident() {
        let mut log = worked_incident();
        let long = "x".repeat(20_000);
        for i in 0..2_000 {
            let kind = FindingKind::ALL[i % FindingKind::ALL.len()];
            log.push(finding(kind, &format!("{i} {long}")));
        }
        let note = draft(&log, Some("bob"));
        assert!(
            note.len() < crate::sync::MAX_EVENT_BYTES / 2,
            "{} bytes",
            note.len()
        );
        assert!(note.contains("earlier ones in the log"), "lists are capped");
        // The most recent action is the one shown last in its list.
        let actions = &note[note.find("## Actions in flight").expect("section")..];
        assert!(actions.contains("- 1996 xxx"), "{}", &actions[..2000]);
    }
}
