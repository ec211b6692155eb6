//! Checklist folds and step references over a parsed runbook, without a store.

use chrono::{DateTime, Duration, Utc};
use firebreak_core::event::{Event, EventBody, StepTarget};
use firebreak_core::ids::{DeviceId, EventId, IncidentId, RunId};
use firebreak_core::runbook::{Runbook, parse};
use firebreak_core::step_ref::{StepRefError, resolve_step};
use firebreak_core::views::{RunInfo, StepState, fold_checklist};

const RUNBOOK: &str = "# Outage

## Confirm

- [ ] Reproduce it
- [ ] Call for help
  - [ ] Open the war room
  - [ ] Page the database owner

## Narrow

1. Check the load balancer
2. Check the replica set
";

fn runbook(id: &str) -> Runbook {
    parse(RUNBOOK, id).expect("parses")
}

fn run_info(runbook: &Runbook) -> RunInfo {
    RunInfo {
        run: RunId::new_v7(),
        runbook_id: runbook.id.clone(),
        title: runbook.title.clone(),
        content_hash: runbook.content_hash.clone(),
        started_at: t0(),
        started_by: "alice".into(),
    }
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T13:00:00Z")
        .expect("fixed")
        .to_utc()
}

struct Log {
    device: DeviceId,
    incident: IncidentId,
    events: Vec<Event>,
}

impl Log {
    fn new() -> Log {
        Log {
            device: DeviceId::new_v7(),
            incident: IncidentId::new_v7(),
            events: vec![],
        }
    }

    fn push(&mut self, author: &str, body: EventBody) {
        let seq = self.events.len() as u64 + 1;
        self.events.push(Event {
            id: EventId::new_v7(),
            incident: self.incident,
            author: author.into(),
            device: self.device,
            seq,
            recorded_at: t0() + Duration::minutes(seq as i64),
            occurred_at: None,
            amends: None,
            private: false,
            body,
        });
    }
}

fn target(run: &RunInfo, path: &str) -> StepTarget {
    StepTarget {
        run: run.run,
        step: path.parse().expect("path"),
    }
}

#[test]
fn steps_are_numbered_through_the_runbook_with_sub_steps() {
    let rb = runbook("outage");
    let paths: Vec<String> = rb.steps().iter().map(|(_, s)| s.path.to_string()).collect();
    assert_eq!(paths, ["1", "2", "2.1", "2.2", "3", "4"]);
}

#[test]
fn checklist_follows_the_last_event_per_step() {
    let rb = runbook("outage");
    let run = run_info(&rb);
    let mut log = Log::new();
    log.push(
        "alice",
        EventBody::StepChecked {
            step_text: String::new(),
            target: target(&run, "1"),
            note: None,
        },
    );
    log.push(
        "bob",
        EventBody::StepSkipped {
            step_text: String::new(),
            target: target(&run, "2.2"),
            reason: Some("owner is in the room".into()),
        },
    );
    log.push(
        "alice",
        EventBody::StepChecked {
            step_text: String::new(),
            target: target(&run, "3"),
            note: None,
        },
    );
    log.push(
        "bob",
        EventBody::StepReopened {
            step_text: String::new(),
            target: target(&run, "3"),
            reason: Some("LB flapping again".into()),
        },
    );
    // An event for another run of the same runbook does not leak in.
    log.push(
        "carol",
        EventBody::StepChecked {
            step_text: String::new(),
            target: StepTarget {
                run: RunId::new_v7(),
                step: "4".parse().expect("path"),
            },
            note: None,
        },
    );
    let checklist = fold_checklist(run.run, &rb, &log.events);
    let state = |p: &str| {
        checklist
            .steps
            .iter()
            .find(|s| s.path.to_string() == p)
            .expect("step")
    };
    assert_eq!(state("1").state, StepState::Checked);
    assert_eq!(state("1").by.as_deref(), Some("alice"));
    assert_eq!(state("2.2").state, StepState::Skipped);
    assert_eq!(state("2.2").reason.as_deref(), Some("owner is in the room"));
    assert_eq!(state("2.2").section, "Confirm");
    assert_eq!(state("3").state, StepState::Open);
    assert_eq!(state("3").by.as_deref(), Some("bob"), "who reopened it");
    assert_eq!(state("4").state, StepState::Open);
    assert_eq!(checklist.count(StepState::Checked), 1);
    assert_eq!(checklist.count(StepState::Skipped), 1);

    let mut shuffled = log.events.clone();
    shuffled.reverse();
    assert_eq!(fold_checklist(run.run, &rb, &shuffled), checklist);
}

#[test]
fn step_text_has_placeholders_filled_from_defaults() {
    let source = "---\nvariables:\n  api_base: https://api.example.com\n---\n# T\n\n- [ ] Open {{ api_base }}/health and {{ unknown }}\n";
    let rb = parse(source, "t").expect("parses");
    let run = run_info(&rb);
    let checklist = fold_checklist(run.run, &rb, &[]);
    assert_eq!(
        checklist.steps[0].text,
        "Open https://api.example.com/health and {{ unknown }}"
    );
}

#[test]
fn incident_variables_fill_step_text_before_the_defaults() {
    let source = "---\nvariables:\n  api_base: https://api.example.com\n---\n# T\n\n- [ ] Open {{ api_base }}/health\n";
    let rb = parse(source, "t").expect("parses");
    let run = run_info(&rb);
    let mut log = Log::new();
    let set = |value: Option<&str>| EventBody::VariableSet {
        name: "api_base".into(),
        value: value.map(str::to_string),
    };
    log.push("alice", set(Some("http://127.0.0.1:8080")));
    let checklist = fold_checklist(run.run, &rb, &log.events);
    assert_eq!(checklist.steps[0].text, "Open http://127.0.0.1:8080/health");
    log.push("alice", set(None));
    let checklist = fold_checklist(run.run, &rb, &log.events);
    assert_eq!(
        checklist.steps[0].text, "Open https://api.example.com/health",
        "removing the variable brings the default back"
    );
}

#[test]
fn refs_resolve_short_and_qualified() {
    let a = runbook("outage");
    let b = runbook("narrow");
    let run_a = run_info(&a);
    let run_b = run_info(&b);
    let one = [(&run_a, &a)];
    assert_eq!(resolve_step("2.1", &one), Ok(target(&run_a, "2.1")));
    assert_eq!(resolve_step(" outage:4 ", &one), Ok(target(&run_a, "4")));
    assert!(matches!(
        resolve_step("5", &one),
        Err(StepRefError::UnknownStep { .. })
    ));
    let msg = resolve_step("2.9", &one)
        .expect_err("no such sub-step")
        .to_string();
    assert!(
        msg.contains("no step 2.9") && msg.contains("1 to 4"),
        "{msg}"
    );
    assert!(matches!(
        resolve_step("x.1", &one),
        Err(StepRefError::BadPath(_))
    ));

    let both = [(&run_a, &a), (&run_b, &b)];
    let msg = resolve_step("1", &both).expect_err("ambiguous").to_string();
    assert!(
        msg.contains("outage:1") && msg.contains("narrow:1"),
        "{msg}"
    );
    assert_eq!(resolve_step("narrow:1", &both), Ok(target(&run_b, "1")));
    assert!(matches!(
        resolve_step("other:1", &both),
        Err(StepRefError::UnknownRunbook { .. })
    ));
    assert_eq!(resolve_step("1", &[]), Err(StepRefError::NoRuns));
}
