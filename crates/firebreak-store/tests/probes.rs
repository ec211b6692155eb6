//! Probes in the store: planning with incident variables and profiles, approvals of
//! sensitive hosts, results recorded as events and read back as history. Nothing here
//! touches the network: results are built by hand.

use chrono::Utc;
use firebreak_core::event::EventKind;
use firebreak_core::probe::{
    FailureClass, Outcome, ProbeRecord, ProbeResult, ProbeSelection, VariableSource,
};
use firebreak_core::runbook::parse;
use firebreak_core::runbook::probe_spec::ProbeKind;
use firebreak_core::views::IncidentState;
use firebreak_store::paths::STORE_FILE;
use firebreak_store::{ProbePlanError, ProfileLoadError, Store, StoreError};

const RUNBOOK: &str = r#"---
id: api-down
variables:
  api_base: https://api.example.com
  db: db.example.com:5432
---
# API down

- [ ] Check the API from here ({{ api_base }})

  ```probe
  kind = "http"
  name = "API health"
  url = "{{ api_base }}/health"
  ```

- [ ] Check the database port

  ```probe
  kind = "tcp"
  address = "{{ db }}"
  ```
"#;

struct Fixture {
    dir: tempfile::TempDir,
    store: Store,
    incident: IncidentState,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut store = Store::open_file(&dir.path().join(STORE_FILE)).expect("open");
    let runbook = parse(RUNBOOK, "api-down").expect("parses");
    store.put_runbook(&runbook, "test").expect("put");
    let incident = store
        .start_incident("alice", "API down", None, &["api-down".to_string()])
        .expect("start");
    Fixture {
        dir,
        store,
        incident,
    }
}

fn write_profile(fx: &Fixture, name: &str, text: &str) {
    let dir = fx.dir.path().join("profiles");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join(format!("{name}.toml")), text).expect("write profile");
}

fn refresh(fx: &mut Fixture) {
    fx.incident = fx.store.incident(fx.incident.id).expect("incident");
}

#[test]
fn incident_variables_and_a_profile_fill_the_plan() {
    let mut fx = fixture();
    write_profile(
        &fx,
        "staging",
        "db = \"127.0.0.1:5432\"\napi_base = \"https://staging.test\"\n",
    );
    fx.store
        .set_variable(
            "alice",
            &fx.incident,
            "api_base",
            Some("http://127.0.0.1:8080"),
        )
        .expect("set")
        .expect("an event");
    fx.store
        .set_variable("alice", &fx.incident.clone(), "profile", Some("staging"))
        .expect("set");
    refresh(&mut fx);
    let plan = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, None)
        .expect("plan");
    assert_eq!(plan.profile.as_deref(), Some("staging"));
    assert_eq!(plan.probes.len(), 2);
    assert_eq!(
        plan.probes[0].spec.target_text(),
        "http://127.0.0.1:8080/health",
        "the incident's variable beats the profile's"
    );
    assert_eq!(plan.probes[1].spec.target_text(), "127.0.0.1:5432");
    assert_eq!(
        plan.probes[1].filled_from["db"],
        VariableSource::Profile("staging".into())
    );
    assert_eq!(
        plan.probes[0].step_text,
        "Check the API from here (http://127.0.0.1:8080)"
    );
    // An explicit profile overrides the incident's choice; a missing one is named.
    let err = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, Some("prod"))
        .expect_err("no prod profile");
    let msg = err.to_string();
    assert!(matches!(
        err,
        ProbePlanError::Profile(ProfileLoadError::Missing { .. })
    ));
    assert!(
        msg.contains("prod.toml") && msg.contains("there are staging"),
        "{msg}"
    );
}

#[test]
fn a_bad_profile_says_file_and_line_and_plans_nothing() {
    let fx = fixture();
    write_profile(&fx, "prod", "db = \"x\"\napi_base = \n");
    let err = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, Some("prod"))
        .expect_err("bad toml");
    let msg = err.to_string();
    assert!(msg.contains("prod.toml:2:"), "{msg}");
    let err = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, Some("../etc/passwd"))
        .expect_err("a path is not a profile name");
    assert!(err.to_string().contains("cannot name a profile"), "{err}");
}

#[test]
fn setting_the_same_value_twice_records_once_and_bad_names_are_refused() {
    let mut fx = fixture();
    let before = fx.incident.event_count;
    fx.store
        .set_variable("alice", &fx.incident, "db", Some("127.0.0.1:1"))
        .expect("set");
    refresh(&mut fx);
    let again = fx
        .store
        .set_variable("alice", &fx.incident, "db", Some("127.0.0.1:1"))
        .expect("set again");
    assert!(again.is_none(), "the same value is not a new fact");
    let err = fx
        .store
        .set_variable("alice", &fx.incident, "db host", Some("x"))
        .expect_err("bad name");
    assert!(matches!(err, StoreError::Rejected(_)), "{err}");
    refresh(&mut fx);
    assert_eq!(fx.incident.event_count, before + 1);
    assert_eq!(fx.incident.variables["db"], "127.0.0.1:1");
}

#[test]
fn approvals_are_remembered_per_runbook_and_host() {
    let mut fx = fixture();
    fx.store
        .set_variable(
            "alice",
            &fx.incident,
            "api_base",
            Some("http://127.0.0.1:8080"),
        )
        .expect("set");
    refresh(&mut fx);
    let plan = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, None)
        .expect("plan");
    let pending = plan.unapproved(&fx.store).expect("unapproved");
    assert_eq!(pending, [("api-down".to_string(), "127.0.0.1".to_string())]);
    fx.store.approve_hosts("alice", &pending).expect("approve");
    fx.store
        .approve_hosts("alice", &pending)
        .expect("approving twice is harmless");
    assert!(plan.unapproved(&fx.store).expect("unapproved").is_empty());
    assert!(
        !fx.store
            .is_approved("other-runbook", "127.0.0.1")
            .expect("query")
    );
}

fn result(at_ms: i64, ok: bool) -> ProbeResult {
    let outcome = if ok {
        Outcome::Passed
    } else {
        Outcome::error(FailureClass::Timeout, "no answer within 5s")
    };
    let at = Utc::now() + chrono::Duration::milliseconds(at_ms);
    let mut r = ProbeResult::new(ProbeKind::Tcp, "127.0.0.1:5432", None, at, outcome);
    r.timings.total_ms = Some(1.5);
    r
}

#[test]
fn results_are_events_and_read_back_as_history() {
    let mut fx = fixture();
    fx.store
        .set_variable("alice", &fx.incident, "db", Some("127.0.0.1:5432"))
        .expect("set");
    refresh(&mut fx);
    let plan = fx
        .store
        .plan_probes(&fx.incident, &ProbeSelection::All, None)
        .expect("plan");
    let db = &plan.probes[1];
    let records: Vec<ProbeRecord> = [true, false, true]
        .iter()
        .enumerate()
        .map(|(i, ok)| {
            ProbeRecord::new(
                db.key.clone(),
                Some(db.step.clone()),
                &db.spec,
                result(i as i64 * 10, *ok),
            )
        })
        .collect();
    let events = fx
        .store
        .record_probes("alice", fx.incident.id, records)
        .expect("record");
    assert_eq!(events.len(), 3);
    assert!(events.iter().all(|e| e.kind() == EventKind::Probe));
    let history = fx.store.probe_history(fx.incident.id).expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].key, "api-down:2#1");
    assert_eq!(
        history[0].runs.iter().map(|r| r.ok).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert_eq!(history[0].step.as_ref(), Some(&db.step));
    // The log reads on its own.
    let log = fx.store.incident_events(fx.incident.id).expect("events");
    let texts: Vec<String> = log.iter().map(|e| e.body.text()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t == "✗ 127.0.0.1:5432: no answer within 5s"),
        "{texts:?}"
    );
}
