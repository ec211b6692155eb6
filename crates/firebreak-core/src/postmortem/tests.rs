//! The post-mortem fold and its renderings over a fixture incident worked by two
//! responders on two laptops, one of them with a clock 90 seconds fast.

use super::*;
use crate::event::{Event, EventBody, FindingKind, Outcome, Role, Severity, Status, StepTarget};
use crate::ids::{DeviceId, EventId, IncidentId, RunId};
use crate::probe::{FailureClass, ProbeRecord, ProbeResult};
use crate::runbook::probe_spec::{HttpProbe, ProbeKind, ProbeSpec, ProbeTarget};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;
use uuid::Uuid;

const ALICE: u128 = 0xa;
const BOB: u128 = 0xb;

/// Builds a log with fixed ids and times, so the golden files never change by chance.
struct Fixture {
    incident: IncidentId,
    events: Vec<Event>,
    offsets: HashMap<EventId, i64>,
    next_id: u128,
    seqs: HashMap<u128, u64>,
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 21, h, m, 0)
        .single()
        .expect("valid time")
}

impl Fixture {
    fn new() -> Self {
        Fixture {
            incident: IncidentId(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001)),
            events: Vec::new(),
            offsets: HashMap::new(),
            next_id: 0x0193_0000_0000_7000_8000_0000_0000_1000,
            seqs: HashMap::new(),
        }
    }

    /// An event by `who` (`ALICE` or `BOB`) at the true time `(h, m)`. Bob's laptop is
    /// 90 seconds fast: his events carry his clock's time and the hub's measured offset.
    fn add(&mut self, who: u128, (h, m): (u32, u32), body: EventBody) -> EventId {
        self.add_with(who, (h, m), body, |_| {})
    }

    fn add_with(
        &mut self,
        who: u128,
        (h, m): (u32, u32),
        body: EventBody,
        edit: impl FnOnce(&mut Event),
    ) -> EventId {
        self.next_id += 1;
        let id = EventId(Uuid::from_u128(self.next_id));
        let seq = self.seqs.entry(who).or_insert(0);
        *seq += 1;
        let skew = if who == BOB {
            Duration::seconds(90)
        } else {
            Duration::zero()
        };
        let mut event = Event {
            id,
            incident: self.incident,
            author: if who == ALICE { "alice" } else { "bob" }.to_string(),
            device: DeviceId(Uuid::from_u128(who)),
            seq: *seq,
            recorded_at: at(h, m) + skew,
            occurred_at: None,
            amends: None,
            private: false,
            body,
        };
        edit(&mut event);
        self.offsets
            .insert(id, if who == BOB { -90_000 } else { 0 });
        self.events.push(event);
        id
    }

    fn finding(&mut self, who: u128, t: (u32, u32), finding: FindingKind, text: &str) -> EventId {
        self.add(
            who,
            t,
            EventBody::Finding {
                finding,
                text: text.into(),
            },
        )
    }

    fn pm(&mut self, who: u128, t: (u32, u32), edit: PostmortemChange) -> EventId {
        self.add(who, t, EventBody::PostmortemEdited { edit })
    }

    fn section(
        &mut self,
        who: u128,
        t: (u32, u32),
        section: Section,
        text: &str,
        replaces: &[EventId],
    ) -> EventId {
        self.pm(
            who,
            t,
            PostmortemChange::Section {
                section,
                text: text.into(),
                replaces: replaces.to_vec(),
            },
        )
    }

    fn probe(&mut self, t: (u32, u32), ok: bool) -> EventId {
        let started = at(t.0, t.1);
        let outcome = if ok {
            crate::probe::Outcome::Passed
        } else {
            crate::probe::Outcome::failed(
                FailureClass::HttpStatus,
                "expected a 2xx status, got 502",
            )
        };
        let mut result = ProbeResult::new(
            ProbeKind::Http,
            "http://127.0.0.1:8080/health",
            Some("Checkout health".into()),
            started,
            outcome,
        );
        if ok {
            result.reason = "status 200 in 41.0 ms".into();
        }
        let spec = ProbeSpec {
            name: Some("Checkout health".into()),
            timeout: None,
            target: ProbeTarget::Http(Box::new(HttpProbe::get("http://127.0.0.1:8080/health"))),
        };
        let record = ProbeRecord::new(
            "http http://127.0.0.1:8080/health".into(),
            None,
            &spec,
            result,
        );
        self.add(
            ALICE,
            t,
            EventBody::Probe {
                probe: Box::new(record),
            },
        )
    }

    fn draft(&self) -> PostmortemDraft {
        fold_postmortem(&self.events, &self.offsets).expect("the incident started")
    }
}

/// The incident the golden files show: checkout returning 502s after a deploy.
fn two_responders() -> Fixture {
    let mut f = Fixture::new();
    f.add(
        ALICE,
        (13, 58),
        EventBody::IncidentStarted {
            title: "Checkout API returns 502s".into(),
            severity: Some(Severity::Sev2),
        },
    );
    f.add(
        ALICE,
        (13, 59),
        EventBody::RoleAssigned {
            role: Role::Leader,
            person: "alice".into(),
        },
    );
    f.finding(
        ALICE,
        (14, 0),
        FindingKind::Observation,
        "Checkout 5xx rate at 30%; the error graph starts climbing around 13:50",
    );
    f.add(
        BOB,
        (14, 2),
        EventBody::RoleAssigned {
            role: Role::Comms,
            person: "bob".into(),
        },
    );
    let hypothesis = f.finding(
        BOB,
        (14, 3),
        FindingKind::Hypothesis,
        "The 13:45 deploy shrank the database connection pool",
    );
    f.probe((14, 4), false);
    f.finding(
        BOB,
        (14, 6),
        FindingKind::Update,
        "Status page: checkout degraded, we are investigating",
    );
    let coffee = f.finding(
        ALICE,
        (14, 7),
        FindingKind::Note,
        "Getting coffee, back in two minutes",
    );
    f.probe((14, 8), false);
    let rollback = f.finding(
        ALICE,
        (14, 10),
        FindingKind::Action,
        "Rolling back release 2026.11.21-2",
    );
    f.add(
        ALICE,
        (14, 11),
        EventBody::StatusChanged {
            status: Status::Identified,
        },
    );
    let run = RunId(Uuid::from_u128(0x77));
    f.add(
        ALICE,
        (14, 12),
        EventBody::RunbookRunStarted {
            run,
            runbook_id: "api-outage".into(),
            title: "API outage".into(),
            content_hash: "abc".into(),
            source: None,
        },
    );
    let step = f.add(
        ALICE,
        (14, 13),
        EventBody::StepChecked {
            target: StepTarget {
                run,
                step: "3".parse().expect("step"),
            },
            step_text: "Put up the maintenance page".into(),
            note: None,
        },
    );
    f.add(
        ALICE,
        (14, 14),
        EventBody::StepChecked {
            target: StepTarget {
                run,
                step: "4".parse().expect("step"),
            },
            step_text: "Page the database owner".into(),
            note: None,
        },
    );
    f.add_with(
        ALICE,
        (14, 25),
        EventBody::Concluded {
            outcome: Outcome::Done,
            note: Some("release 2026.11.21-1 is live again".into()),
        },
        |e| e.amends = Some(rollback),
    );
    f.add(
        ALICE,
        (14, 26),
        EventBody::StatusChanged {
            status: Status::Mitigated,
        },
    );
    f.add_with(
        BOB,
        (14, 27),
        EventBody::Concluded {
            outcome: Outcome::Confirmed,
            note: Some("pool size 5 instead of 50 in the new config".into()),
        },
        |e| e.amends = Some(hypothesis),
    );
    f.probe((14, 31), true);
    f.probe((14, 40), true);
    f.finding(BOB, (14, 44), FindingKind::Update, "Status page: resolved");
    f.add(
        ALICE,
        (14, 45),
        EventBody::StatusChanged {
            status: Status::Resolved,
        },
    );

    // The next morning, the post-mortem.
    f.pm(
        ALICE,
        (15, 0),
        PostmortemChange::Milestone {
            milestone: Milestone::Began,
            at: Some(at(13, 50)),
        },
    );
    f.pm(
        BOB,
        (15, 1),
        PostmortemChange::Mark {
            entry: step,
            mark: Mark::Star,
        },
    );
    f.pm(
        ALICE,
        (15, 2),
        PostmortemChange::Mark {
            entry: coffee,
            mark: Mark::Hide,
        },
    );
    f.pm(
        BOB,
        (15, 3),
        PostmortemChange::Annotate {
            entry: hypothesis,
            text: "This turned out to be the root cause.".into(),
            replaces: vec![],
        },
    );
    let summary = f.section(
        ALICE,
        (15, 4),
        Section::Summary,
        "Checkout failed for a third of requests for 36 minutes.",
        &[],
    );
    f.section(BOB, (15, 6), Section::Summary, "For 36 minutes, about a third of checkout requests failed with a 502 after a deploy shrank the database connection pool.", &[summary]);
    f.section(
        BOB,
        (15, 7),
        Section::Impact,
        "About 4,100 checkouts failed; customers could retry, and 60% did within the hour.",
        &[],
    );
    let a = f.section(
        ALICE,
        (15, 8),
        Section::RootCauses,
        "Release 2026.11.21-2 set the pool size to 5.",
        &[],
    );
    let b = f.section(
        BOB,
        (15, 8),
        Section::RootCauses,
        "A config default changed from 50 to 5.",
        &[],
    );
    f.section(ALICE, (15, 12), Section::RootCauses, "Release 2026.11.21-2 changed a config default, cutting the database connection pool from 50 to 5.", &[a, b]);
    f.section(
        BOB,
        (15, 13),
        Section::ContributingFactors,
        "- The pool had no saturation alert.\n- The deploy went to all hosts at once.",
        &[],
    );
    f.section(
        ALICE,
        (15, 14),
        Section::WentWell,
        "The rollback took four minutes.",
        &[],
    );
    f.section(
        BOB,
        (15, 15),
        Section::WentWrong,
        "Twenty minutes passed before anyone looked at the deploy log.",
        &[],
    );
    f.section(
        ALICE,
        (15, 16),
        Section::GotLucky,
        "The incident started after the lunch peak.",
        &[],
    );
    let alert = f.pm(
        ALICE,
        (15, 20),
        PostmortemChange::ActionAdded {
            class: ActionClass::Corrective,
            text: "Alert on connection-pool saturation".into(),
            owner: Some("bob".into()),
            ticket: Some("OPS-101".into()),
        },
    );
    f.pm(
        ALICE,
        (15, 21),
        PostmortemChange::ActionAdded {
            class: ActionClass::Preventive,
            text: "Canary deploys for the checkout service".into(),
            owner: Some("alice".into()),
            ticket: Some("OPS-102".into()),
        },
    );
    f.pm(
        BOB,
        (15, 22),
        PostmortemChange::ActionChanged {
            action: alert,
            status: Some(ActionStatus::InProgress),
            owner: None,
            ticket: None,
            text: None,
        },
    );
    f.pm(
        ALICE,
        (15, 23),
        PostmortemChange::Tollgate {
            gate: "Unit tests".into(),
            why_missed: "The pool size lives in deploy config, which unit tests never load.".into(),
            ticket: Some("OPS-103".into()),
            replaces: vec![],
        },
    );
    f.pm(BOB, (15, 24), PostmortemChange::Tollgate { gate: "integration/uat".into(), why_missed: "UAT runs at a tenth of production traffic, so five connections were enough.".into(), ticket: Some("OPS-104".into()), replaces: vec![] });
    f.pm(ALICE, (15, 25), PostmortemChange::Tollgate { gate: "Post-release checkouts".into(), why_missed: "The checkout looked at errors five minutes after the deploy; the pool filled after twelve.".into(), ticket: Some("OPS-105".into()), replaces: vec![] });
    f
}

fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(5)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "{name} differs from {} ({} vs {} lines)\n{}\nrun with UPDATE_GOLDEN=1 after checking the change",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn the_markdown_matches_the_golden_file() {
    golden(
        "postmortem.md",
        &postmortem_markdown(&two_responders().draft()),
    );
}

#[test]
fn the_html_page_matches_the_golden_file() {
    let html = postmortem_html(&two_responders().draft());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script"),
        "a self-contained page runs nothing"
    );
    golden("postmortem.html", &html);
}

#[test]
fn the_email_matches_the_golden_file() {
    golden(
        "postmortem-email.txt",
        &postmortem_email(&two_responders().draft()),
    );
}

#[test]
fn every_order_of_arrival_renders_the_same_draft() {
    let f = two_responders();
    let expected = postmortem_markdown(&f.draft());
    let mut events = f.events.clone();
    events.reverse();
    assert_eq!(
        postmortem_markdown(&fold_postmortem(&events, &f.offsets).expect("draft")),
        expected
    );
    // Bob's events first, then alice's: what a laptop that pulled late would hold.
    events.sort_by_key(|e| (e.device != DeviceId(Uuid::from_u128(BOB)), e.seq));
    assert_eq!(
        postmortem_markdown(&fold_postmortem(&events, &f.offsets).expect("draft")),
        expected
    );
}

#[test]
fn every_section_is_there_in_document_order() {
    let md = postmortem_markdown(&two_responders().draft());
    let headings = [
        "# Post-mortem: Checkout API returns 502s",
        "## Summary",
        "## Impact",
        "## The issue as reported",
        "## Detection",
        "## Timeline",
        "## Root causes",
        "## Contributing factors",
        "## Mitigation and resolution",
        "## Corrective and preventive actions",
        "## Tollgates",
        "## Lessons learned",
        "### What went well",
        "### What went wrong",
        "### Where we got lucky",
        "## Supporting data",
    ];
    let mut from = 0;
    for heading in headings {
        let found = md[from..]
            .find(&format!("{heading}\n"))
            .unwrap_or_else(|| panic!("{heading} missing or out of order in\n{md}"));
        from += found + heading.len();
    }
}

#[test]
fn sections_edited_apart_both_stand_visibly_until_one_edit_replaces_both() {
    let mut f = two_responders();
    let earlier = f
        .draft()
        .section(Section::Impact)
        .expect("impact")
        .heads
        .clone();
    let base = f.section(ALICE, (16, 0), Section::Impact, "base", &earlier);
    let heads_before = f
        .draft()
        .section(Section::Impact)
        .expect("impact")
        .heads
        .clone();
    assert_eq!(heads_before, vec![base]);
    // Both laptops offline, both editing the impact they last saw.
    f.section(
        ALICE,
        (16, 5),
        Section::Impact,
        "Alice: 4,100 failed checkouts.",
        &[base],
    );
    f.section(
        BOB,
        (16, 5),
        Section::Impact,
        "Bob: a third of checkout requests failed.",
        &[base],
    );
    let draft = f.draft();
    let impact = draft.section(Section::Impact).expect("impact");
    let SectionBody::Conflict { versions } = &impact.body else {
        panic!("expected a conflict, got {:?}", impact.body);
    };
    let texts: Vec<&str> = versions.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Alice: 4,100 failed checkouts.",
            "Bob: a third of checkout requests failed."
        ]
    );
    assert_eq!(draft.conflicts(), 1);
    let md = postmortem_markdown(&draft);
    assert!(
        md.contains("Conflict: 2 versions written at the same time"),
        "{md}"
    );
    assert!(
        md.contains("Alice: 4,100 failed checkouts.")
            && md.contains("Bob: a third of checkout requests failed.")
    );
    let email = postmortem_email(&draft);
    assert!(email.contains("unreconciled"), "{email}");

    let heads = impact.heads.clone();
    f.section(
        ALICE,
        (16, 9),
        Section::Impact,
        "4,100 failed checkouts, a third of requests.",
        &heads,
    );
    let draft = f.draft();
    assert_eq!(
        draft.section(Section::Impact).and_then(|s| s.text()),
        Some("4,100 failed checkouts, a third of requests.")
    );
    assert_eq!(draft.conflicts(), 0);
    assert!(!postmortem_markdown(&draft).contains("Conflict"));
}

#[test]
fn key_moments_are_prefilled_on_the_timeline() {
    let draft = two_responders().draft();
    let keys: Vec<(KeyMoment, &str)> = draft
        .timeline
        .iter()
        .filter_map(|e| e.key.map(|k| (k, e.text.as_str())))
        .collect();
    let has = |k: KeyMoment, text: &str| keys.iter().any(|(key, t)| *key == k && t.contains(text));
    assert!(has(KeyMoment::FirstReport, "Incident started"), "{keys:?}");
    assert!(
        has(KeyMoment::LeaderAssigned, "alice is leader"),
        "{keys:?}"
    );
    assert!(
        has(KeyMoment::CustomerUpdate, "checkout degraded"),
        "{keys:?}"
    );
    assert!(has(KeyMoment::Mitigation, "Rolling back"), "{keys:?}");
    assert!(has(KeyMoment::Mitigation, "Action done"), "{keys:?}");
    assert!(has(KeyMoment::Mitigation, "Status: mitigated"), "{keys:?}");
    assert!(has(KeyMoment::Resolution, "Status: resolved"), "{keys:?}");
    assert!(
        draft
            .timeline
            .iter()
            .filter(|e| e.key.is_some())
            .all(|e| e.in_document)
    );
}

#[test]
fn curation_stars_hides_and_annotates() {
    let draft = two_responders().draft();
    let entry = |text: &str| {
        draft
            .timeline
            .iter()
            .find(|e| e.text.contains(text))
            .unwrap_or_else(|| panic!("no entry {text}"))
    };
    let starred = entry("maintenance page");
    assert!(
        starred.starred && starred.in_document,
        "a starred checklist step is shown"
    );
    let unstarred = entry("Page the database owner");
    assert!(
        !unstarred.in_document,
        "checklist ticks stay out unless starred"
    );
    let coffee = entry("coffee");
    assert!(coffee.hidden && !coffee.in_document);
    let annotated = entry("connection pool");
    let note = annotated
        .annotation
        .as_ref()
        .and_then(|a| a.current())
        .expect("annotation");
    assert_eq!(note.value, "This turned out to be the root cause.");
    let md = postmortem_markdown(&draft);
    assert!(!md.contains("coffee"));
    assert!(md.contains("\u{2605} **14:13**"), "{md}");
}

#[test]
fn durations_run_from_the_start_of_impact() {
    let draft = two_responders().draft();
    // Began 13:50 (set by hand), detected 13:58, mitigated 14:26, resolved 14:45.
    assert_eq!(draft.durations.to_detect_secs, Some(8 * 60));
    assert_eq!(draft.durations.to_mitigate_secs, Some(36 * 60));
    assert_eq!(draft.durations.to_resolve_secs, Some(55 * 60));
    let began = draft.milestone(Milestone::Began).expect("began");
    assert_eq!(
        began.source,
        TimeSource::SetBy {
            author: "alice".into()
        }
    );
}

#[test]
fn without_times_set_by_hand_the_log_gives_them_and_open_incidents_have_no_resolution() {
    let mut f = Fixture::new();
    f.add(
        ALICE,
        (10, 0),
        EventBody::IncidentStarted {
            title: "DNS".into(),
            severity: None,
        },
    );
    f.add_with(
        ALICE,
        (10, 5),
        EventBody::Finding {
            finding: FindingKind::Observation,
            text: "resolver timeouts since 09:40".into(),
        },
        |e| e.occurred_at = Some(at(9, 40)),
    );
    f.add(
        ALICE,
        (10, 30),
        EventBody::StatusChanged {
            status: Status::Resolved,
        },
    );
    f.add(
        ALICE,
        (10, 40),
        EventBody::StatusChanged {
            status: Status::Investigating,
        },
    );
    let draft = f.draft();
    let began = draft.milestone(Milestone::Began).expect("began");
    assert_eq!(
        began.at,
        Some(at(9, 40)),
        "the backdated finding is the earliest entry"
    );
    assert_eq!(draft.durations.to_detect_secs, Some(20 * 60));
    // Resolved, then reopened: it mitigated at 10:30 but is not resolved.
    assert_eq!(draft.durations.to_mitigate_secs, Some(50 * 60));
    assert_eq!(draft.durations.to_resolve_secs, None);
    let md = postmortem_markdown(&draft);
    assert!(md.contains("| Resolved | not yet |"), "{md}");
}

#[test]
fn the_hub_measured_offset_corrects_times_and_flags_the_skew() {
    let draft = two_responders().draft();
    let bob = draft
        .timeline
        .iter()
        .find(|e| e.text.contains("connection pool"))
        .expect("bob's hypothesis");
    assert_eq!(
        bob.at,
        at(14, 3),
        "bob's clock was 90 s fast; the entry is placed at the true time"
    );
    assert!(bob.skewed);
    // Without offsets the entry sits where bob's clock put it.
    let f = two_responders();
    let raw = fold_postmortem(&f.events, &HashMap::new()).expect("draft");
    let bob = raw
        .timeline
        .iter()
        .find(|e| e.text.contains("connection pool"))
        .expect("bob's hypothesis");
    assert_eq!(bob.at, at(14, 4) + Duration::seconds(30));
    assert!(!bob.skewed);
}

#[test]
fn probes_show_their_changes_of_state_not_every_run() {
    let draft = two_responders().draft();
    let shown: Vec<&str> = draft
        .document_timeline()
        .filter(|e| e.source == EntrySource::Probe)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(shown.len(), 2, "first failure and recovery: {shown:?}");
    let probe = &draft.probes[0];
    assert_eq!((probe.runs, probe.passed), (4, 2));
    assert_eq!(probe.first_failure, Some(at(14, 4)));
    assert_eq!(probe.recovered, Some(at(14, 31)));
}

#[test]
fn private_events_stay_out_of_the_shared_draft() {
    let mut f = two_responders();
    f.add_with(
        ALICE,
        (14, 30),
        EventBody::Finding {
            finding: FindingKind::Note,
            text: "my private worry".into(),
        },
        |e| e.private = true,
    );
    let draft = f.draft();
    assert!(!postmortem_markdown(&draft).contains("private worry"));
    assert_eq!(
        postmortem_markdown(&draft),
        postmortem_markdown(&two_responders().draft())
    );
}

#[test]
fn action_changes_apply_even_when_they_sort_before_the_action() {
    let mut f = Fixture::new();
    f.add(
        ALICE,
        (10, 0),
        EventBody::IncidentStarted {
            title: "x".into(),
            severity: None,
        },
    );
    let action = f.pm(
        BOB,
        (11, 0),
        PostmortemChange::ActionAdded {
            class: ActionClass::Corrective,
            text: "Fix it".into(),
            owner: None,
            ticket: None,
        },
    );
    // Alice's laptop is an hour slow: her change sorts before bob's action.
    f.add_with(
        ALICE,
        (11, 30),
        EventBody::PostmortemEdited {
            edit: PostmortemChange::ActionChanged {
                action,
                status: Some(ActionStatus::Done),
                owner: Some("carol".into()),
                ticket: None,
                text: None,
            },
        },
        |e| e.recorded_at = at(10, 30),
    );
    let draft = f.draft();
    assert_eq!(draft.actions[0].status, ActionStatus::Done);
    assert_eq!(draft.actions[0].owner.as_deref(), Some("carol"));
}

#[test]
fn tollgates_list_the_default_gates_and_keep_rows_written_apart() {
    let mut f = Fixture::new();
    f.add(
        ALICE,
        (10, 0),
        EventBody::IncidentStarted {
            title: "x".into(),
            severity: None,
        },
    );
    f.pm(
        ALICE,
        (11, 0),
        PostmortemChange::Tollgate {
            gate: "Unit tests".into(),
            why_missed: "no test for it".into(),
            ticket: None,
            replaces: vec![],
        },
    );
    f.pm(
        BOB,
        (11, 0),
        PostmortemChange::Tollgate {
            gate: "unit  TESTS".into(),
            why_missed: "mocked the database".into(),
            ticket: Some("T-1".into()),
            replaces: vec![],
        },
    );
    f.pm(
        BOB,
        (11, 1),
        PostmortemChange::Tollgate {
            gate: "Load test".into(),
            why_missed: "not run for config changes".into(),
            ticket: None,
            replaces: vec![],
        },
    );
    let draft = f.draft();
    let gates: Vec<(&str, usize)> = draft
        .tollgates
        .iter()
        .map(|t| (t.gate.as_str(), t.versions.len()))
        .collect();
    assert_eq!(
        gates,
        [
            ("Unit tests", 2),
            ("Integration / UAT", 0),
            ("Post-release checkouts", 0),
            ("Load test", 1)
        ]
    );
    let md = postmortem_markdown(&draft);
    assert!(
        md.contains("| Unit tests \u{26a0} version 1 of 2 (alice) | no test for it |"),
        "{md}"
    );
    assert!(
        md.contains("| Integration / UAT | _not analysed yet_ |"),
        "{md}"
    );
}

#[test]
fn a_section_nobody_wrote_shows_what_the_log_says_or_asks_for_it() {
    let draft = two_responders().draft();
    let mitigation = draft.section(Section::Mitigation).expect("mitigation");
    let SectionBody::FromLog { text } = &mitigation.body else {
        panic!("expected the log's suggestion, got {:?}", mitigation.body);
    };
    assert!(text.contains("Rolling back release 2026.11.21-2"), "{text}");
    assert!(
        text.contains("Mitigated on 2026-11-21 at 14:26 UTC"),
        "{text}"
    );
    let mut f = Fixture::new();
    f.add(
        ALICE,
        (10, 0),
        EventBody::IncidentStarted {
            title: "x".into(),
            severity: None,
        },
    );
    let draft = f.draft();
    assert!(matches!(
        draft.section(Section::WentWell).map(|s| &s.body),
        Some(SectionBody::Empty { .. })
    ));
}

#[test]
fn a_section_cleared_on_purpose_stays_empty() {
    let mut f = two_responders();
    f.section(ALICE, (16, 0), Section::Mitigation, "", &[]);
    let draft = f.draft();
    assert!(matches!(
        draft.section(Section::Mitigation).map(|s| &s.body),
        Some(SectionBody::Empty { .. })
    ));
}

#[test]
fn text_typed_into_a_section_is_never_markup_in_the_html() {
    let mut f = two_responders();
    let heads = f
        .draft()
        .section(Section::Impact)
        .expect("impact")
        .heads
        .clone();
    f.section(
        ALICE,
        (16, 0),
        Section::Impact,
        "<script>alert(1)</script> & <b>bold</b>",
        &heads,
    );
    let html = postmortem_html(&f.draft());
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("&lt;script&gt;"));
}

#[test]
fn no_incident_no_draft() {
    let mut f = Fixture::new();
    f.finding(ALICE, (10, 0), FindingKind::Note, "orphan");
    assert!(fold_postmortem(&f.events, &f.offsets).is_none());
}

mod rules {
    use super::*;
    use crate::rules::{Rejection, check_body, check_postmortem_reference};

    #[test]
    fn changes_must_say_something() {
        let empty_action = EventBody::PostmortemEdited {
            edit: PostmortemChange::ActionAdded {
                class: ActionClass::Corrective,
                text: " ".into(),
                owner: None,
                ticket: None,
            },
        };
        assert_eq!(
            check_body(&empty_action),
            Err(Rejection::EmptyText("the action"))
        );
        let nothing = EventBody::PostmortemEdited {
            edit: PostmortemChange::ActionChanged {
                action: EventId::new_v7(),
                status: None,
                owner: None,
                ticket: None,
                text: None,
            },
        };
        assert_eq!(check_body(&nothing), Err(Rejection::NothingChanged));
        let clear = EventBody::PostmortemEdited {
            edit: PostmortemChange::Section {
                section: Section::Impact,
                text: String::new(),
                replaces: vec![],
            },
        };
        assert_eq!(check_body(&clear), Ok(()), "clearing a section is an edit");
    }

    #[test]
    fn references_point_at_the_right_things() {
        let mut f = two_responders();
        let note = f.finding(ALICE, (16, 0), FindingKind::Note, "n");
        let impact = f.section(ALICE, (16, 1), Section::Impact, "i", &[]);
        let by_id = |id: EventId| {
            f.events
                .iter()
                .find(|e| e.id == id)
                .cloned()
                .expect("event")
        };
        let change_action = PostmortemChange::ActionChanged {
            action: note,
            status: Some(ActionStatus::Done),
            owner: None,
            ticket: None,
            text: None,
        };
        assert!(matches!(
            check_postmortem_reference(&change_action, &by_id(note)),
            Err(Rejection::NotAFollowUp(_))
        ));
        let star = PostmortemChange::Mark {
            entry: impact,
            mark: Mark::Star,
        };
        assert!(matches!(
            check_postmortem_reference(&star, &by_id(impact)),
            Err(Rejection::NotATimelineEntry { .. })
        ));
        let star = PostmortemChange::Mark {
            entry: note,
            mark: Mark::Star,
        };
        assert_eq!(check_postmortem_reference(&star, &by_id(note)), Ok(()));
        let summary_over_impact = PostmortemChange::Section {
            section: Section::Summary,
            text: "s".into(),
            replaces: vec![impact],
        };
        let err = check_postmortem_reference(&summary_over_impact, &by_id(impact))
            .expect_err("wrong section");
        assert!(err.to_string().contains("section summary"), "{err}");
    }
}

#[test]
fn a_removed_annotation_is_replaced_by_the_next_without_a_conflict() {
    let mut f = two_responders();
    let entry = f
        .draft()
        .timeline
        .iter()
        .find(|e| e.text.contains("connection pool"))
        .map(|e| e.id)
        .expect("entry");
    let heads = |f: &Fixture| {
        f.draft()
            .timeline
            .iter()
            .find(|e| e.id == entry)
            .and_then(|e| e.annotation.as_ref().map(|a| a.heads()))
            .unwrap_or_default()
    };
    let before = heads(&f);
    f.pm(
        ALICE,
        (16, 0),
        PostmortemChange::Annotate {
            entry,
            text: String::new(),
            replaces: before,
        },
    );
    assert!(
        !postmortem_markdown(&f.draft()).contains("turned out to be"),
        "removed"
    );
    let cleared = heads(&f);
    assert_eq!(
        cleared.len(),
        1,
        "the removal is the version the next one replaces"
    );
    f.pm(
        BOB,
        (16, 5),
        PostmortemChange::Annotate {
            entry,
            text: "Root cause, confirmed at 14:27.".into(),
            replaces: cleared,
        },
    );
    let draft = f.draft();
    assert_eq!(draft.conflicts(), 0);
    assert!(postmortem_markdown(&draft).contains("_Root cause, confirmed at 14:27._ (bob)"));
}
