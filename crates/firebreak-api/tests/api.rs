//! Every desktop command, exercised through `Api` on a real store: what the window
//! does, without the window.

use firebreak_api::types::*;
use firebreak_api::{Api, ErrorCode};
use firebreak_store::{BUNDLED_RUNBOOKS, Store};

fn api() -> (tempfile::TempDir, Api) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(dir.path()).expect("store");
    store.install_bundled(BUNDLED_RUNBOOKS).expect("bundled");
    let mut api = Api::from_store(store);
    api.set_author(SetAuthor {
        name: "alice".into(),
    })
    .expect("author");
    (dir, api)
}

fn start(api: &mut Api, title: &str) -> IncidentSummary {
    api.start_incident(StartIncident {
        title: title.into(),
        severity: Some("sev2".into()),
        runbooks: vec!["production-outage".into()],
    })
    .expect("start")
}

fn view(api: &mut Api, id: &str) -> IncidentView {
    api.incident_view(IncidentRef {
        incident: Some(id.into()),
    })
    .expect("view")
}

fn steps(view: &IncidentView) -> Vec<&StepView> {
    view.runs[0]
        .sections
        .iter()
        .flat_map(|s| s.steps.iter())
        .collect()
}

#[test]
fn an_empty_store_has_no_open_incident_and_says_so_by_code() {
    let (_dir, mut api) = api();
    let err = api
        .incident_view(IncidentRef { incident: None })
        .expect_err("nothing open");
    assert_eq!(err.code, ErrorCode::NoOpenIncident);
    assert!(api.list_incidents().expect("list").is_empty());
    let info = api.app_info().expect("info");
    assert_eq!(info.author, "alice");
    assert!(info.store_path.ends_with("firebreak.db"));
}

#[test]
fn start_work_and_view_an_incident() {
    let (_dir, mut api) = api();
    let started = start(&mut api, "Checkout returns 502");
    assert_eq!(started.severity.as_deref(), Some("SEV2"));
    assert_eq!(started.runbooks, ["production-outage"]);
    let v = api
        .incident_view(IncidentRef { incident: None })
        .expect("most recent open");
    assert_eq!(v.incident.id, started.id);
    let all = steps(&v);
    assert!(all.len() > 40);
    assert_eq!(all[0].step_ref, "1");
    assert!(all.iter().all(|s| s.state == "open"));
    // Placeholders are filled from the runbook's defaults; HTML is safe.
    let blocks: Vec<&BlockView> = all.iter().flat_map(|s| s.blocks.iter()).collect();
    assert!(
        blocks.iter().any(
            |b| matches!(b, BlockView::Probe { target, .. } if target.starts_with("https://"))
        )
    );
    assert!(
        blocks
            .iter()
            .any(|b| matches!(b, BlockView::Command { .. }))
    );
    assert!(!all.iter().any(|s| s.text.contains("{{ site_url }}")));

    let changed = api
        .change_step(ChangeStep {
            incident: started.id.clone(),
            step_ref: "1".into(),
            state: "checked".into(),
            reason: None,
        })
        .expect("check");
    assert!(changed.recorded);
    let again = api
        .change_step(ChangeStep {
            incident: started.id.clone(),
            step_ref: "1".into(),
            state: "checked".into(),
            reason: None,
        })
        .expect("check again");
    assert!(!again.recorded, "checking twice records nothing");
    api.change_step(ChangeStep {
        incident: started.id.clone(),
        step_ref: "2".into(),
        state: "skipped".into(),
        reason: Some("already confirmed".into()),
    })
    .expect("skip");
    api.set_status(SetStatus {
        incident: started.id.clone(),
        status: "mitigated".into(),
    })
    .expect("status");
    api.set_severity(SetSeverity {
        incident: started.id.clone(),
        severity: "SEV1".into(),
    })
    .expect("severity");
    let led = api
        .assign_role(AssignRole {
            incident: started.id.clone(),
            role: "leader".into(),
            person: "bob".into(),
        })
        .expect("lead");
    assert_eq!(led.leader.as_deref(), Some("bob"));

    let v = view(&mut api, &started.id);
    let all = steps(&v);
    assert_eq!(all[0].state, "checked");
    assert_eq!(all[0].by.as_deref(), Some("alice"));
    assert_eq!(all[1].state, "skipped");
    assert_eq!(all[1].reason.as_deref(), Some("already confirmed"));
    assert_eq!(v.runs[0].done, 1);
    assert_eq!(v.runs[0].skipped, 1);
    assert_eq!(v.incident.status, "mitigated");
    assert_eq!(v.incident.severity.as_deref(), Some("SEV1"));
    assert!(v.status_reached.iter().any(|s| s.status == "mitigated"));
    assert!(v.timeline.iter().any(|e| e.kind == "step_checked"));

    // A second runbook: refs become qualified so every ref the UI sends is unambiguous.
    api.run_runbook(RunRunbook {
        incident: started.id.clone(),
        runbook: "narrow-top-down".into(),
    })
    .expect("run");
    let v = view(&mut api, &started.id);
    assert_eq!(v.runs.len(), 2);
    let first = &v.runs[1]
        .sections
        .iter()
        .flat_map(|s| s.steps.iter())
        .next()
        .expect("step");
    assert_eq!(first.step_ref, "narrow-top-down:1");
    api.change_step(ChangeStep {
        incident: started.id.clone(),
        step_ref: first.step_ref.clone(),
        state: "checked".into(),
        reason: None,
    })
    .expect("qualified ref");
}

#[test]
fn findings_amend_retract_and_their_errors() {
    let (_dir, mut api) = api();
    let inc = start(&mut api, "DB failover");
    let note = api
        .add_note(AddNote {
            incident: inc.id.clone(),
            kind: "observation".into(),
            text: "replica lag 40s".into(),
            at: Some("10m ago".into()),
            private: false,
        })
        .expect("note");
    assert_eq!(note.kind, "observation");
    assert!(note.occurred_at.is_some());
    assert!(note.is_finding);
    let amended = api
        .amend(Amend {
            event: note.short_id.clone(),
            text: "replica lag 4s".into(),
        })
        .expect("amend");
    assert_eq!(amended.id, note.id);
    assert_eq!(amended.text, "replica lag 4s");
    assert!(amended.amended);
    let retracted = api
        .retract(Retract {
            event: note.id.clone(),
            reason: Some("wrong cluster".into()),
        })
        .expect("retract");
    assert!(retracted.retracted);
    assert_eq!(
        retracted.retraction_reason.as_deref(),
        Some("wrong cluster")
    );

    let before = view(&mut api, &inc.id).timeline.len();
    let cases = [
        (
            api.add_note(AddNote {
                incident: inc.id.clone(),
                kind: "gossip".into(),
                text: "x".into(),
                at: None,
                private: false,
            }),
            ErrorCode::InvalidInput,
        ),
        (
            api.add_note(AddNote {
                incident: inc.id.clone(),
                kind: "note".into(),
                text: "x".into(),
                at: Some("yesterday-ish".into()),
                private: false,
            }),
            ErrorCode::InvalidInput,
        ),
        (
            api.add_note(AddNote {
                incident: inc.id.clone(),
                kind: "note".into(),
                text: "   ".into(),
                at: None,
                private: false,
            }),
            ErrorCode::Rejected,
        ),
        (
            api.add_note(AddNote {
                incident: "feedface".into(),
                kind: "note".into(),
                text: "x".into(),
                at: None,
                private: false,
            }),
            ErrorCode::UnknownIncident,
        ),
        (
            api.amend(Amend {
                event: note.id.clone(),
                text: "again".into(),
            }),
            ErrorCode::Rejected,
        ),
        (
            api.amend(Amend {
                event: "00000000".into(),
                text: "x".into(),
            }),
            ErrorCode::UnknownEvent,
        ),
    ];
    for (result, code) in cases {
        let err = result.expect_err("refused");
        assert_eq!(err.code, code, "{}", err.message);
        assert!(!err.message.is_empty());
    }
    let step_err = api
        .change_step(ChangeStep {
            incident: inc.id.clone(),
            step_ref: "999".into(),
            state: "checked".into(),
            reason: None,
        })
        .expect_err("no such step");
    assert_eq!(step_err.code, ErrorCode::UnknownStep);
    let state_err = api
        .change_step(ChangeStep {
            incident: inc.id.clone(),
            step_ref: "1".into(),
            state: "done".into(),
            reason: None,
        })
        .expect_err("bad state");
    assert_eq!(state_err.code, ErrorCode::InvalidInput);
    assert_eq!(
        view(&mut api, &inc.id).timeline.len(),
        before,
        "refused commands recorded nothing"
    );
}

#[test]
fn runbooks_search_preview_import_and_export() {
    let (dir, mut api) = api();
    let list = api.list_runbooks().expect("list");
    assert_eq!(list.len(), 7);
    let hits = api
        .search_runbooks(Query {
            query: "replica".into(),
        })
        .expect("search");
    assert!(hits.iter().any(|h| h.id == "narrow-bottom-up"), "{hits:?}");
    let preview = api
        .runbook_preview(RunbookRef {
            id: "production-outage".into(),
        })
        .expect("preview");
    assert!(preview.html.contains("<h1>"), "rendered");
    assert!(
        !preview.html.contains("variables:"),
        "front matter left out"
    );

    let files = dir.path().join("import");
    std::fs::create_dir_all(&files).expect("mkdir");
    std::fs::write(files.join("ok.md"), "# OK\n\n- [ ] one\n").expect("write");
    std::fs::write(files.join("bad.md"), "---\ntitle: [unclosed\n---\n# Bad\n").expect("write");
    let report = api
        .import_runbooks(ImportPaths {
            paths: vec![files.display().to_string()],
        })
        .expect("import");
    assert_eq!((report.imported, report.failed), (1, 1));
    let bad = report.files.iter().find(|f| !f.ok).expect("failure");
    assert!(
        bad.error
            .as_deref()
            .is_some_and(|e| e.contains("bad.md:3:1: bad YAML front matter")),
        "{bad:?}"
    );

    let inc = start(&mut api, "Export me");
    api.add_note(AddNote {
        incident: inc.id.clone(),
        kind: "note".into(),
        text: "private musing".into(),
        at: None,
        private: true,
    })
    .expect("note");
    let md = api
        .export_markdown(IncidentRef {
            incident: Some(inc.id.clone()),
        })
        .expect("markdown");
    assert!(md.starts_with("# Export me"));
    assert!(!md.contains("private musing"));
    let out = dir.path().join("export.md");
    api.export_incident(ExportIncident {
        incident: inc.id.clone(),
        path: out.display().to_string(),
        include_private: true,
    })
    .expect("export");
    assert!(
        std::fs::read_to_string(&out)
            .expect("written")
            .contains("private musing")
    );
    let err = api
        .export_incident(ExportIncident {
            incident: inc.id.clone(),
            path: dir.path().join("no/such/dir/x.md").display().to_string(),
            include_private: false,
        })
        .expect_err("unwritable");
    assert_eq!(err.code, ErrorCode::Io);
}

#[test]
fn lists_come_in_the_order_people_read_them() {
    // The UI shows these lists as they come, so the order is the API's promise.
    let (_dir, mut api) = api();
    let old = start(&mut api, "Older, still open");
    let closed = start(&mut api, "Closed");
    api.set_status(SetStatus {
        incident: closed.id.clone(),
        status: "resolved".into(),
    })
    .expect("resolve");
    let new = start(&mut api, "Newest, open");
    let ids: Vec<String> = api
        .list_incidents()
        .expect("list")
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, [new.id, old.id, closed.id], "open first, newest first");

    let titles: Vec<String> = api
        .list_runbooks()
        .expect("list")
        .into_iter()
        .map(|r| r.title)
        .collect();
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, sorted, "by title");
}

#[test]
fn errors_cross_the_boundary_as_code_and_message() {
    let err = firebreak_api::ApiError::new(ErrorCode::UnknownStep, "there is no step 9");
    let json = serde_json::to_value(&err).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"code": "unknown_step", "message": "there is no step 9"})
    );
}
