//! The post-mortem through the desktop's API, on a real store: the draft of a fresh
//! incident has every section; a section edited from a stale view becomes a conflict
//! with both versions until one edit replaces both; stars, hidden entries, annotations,
//! actions, tollgates and milestones come back in the view; the document is exported
//! as Markdown, HTML and email, written whole and never over a file unasked; and every
//! refusal says why by code and writes nothing.

use firebreak_api::types::*;
use firebreak_api::{Api, ErrorCode};
use firebreak_core::postmortem::Section;
use firebreak_store::Store;
use std::path::Path;

fn api() -> (tempfile::TempDir, Api) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let mut api = Api::from_store(store);
    api.set_author(SetAuthor {
        name: "alice".into(),
    })
    .expect("author");
    (dir, api)
}

fn start(api: &mut Api) -> String {
    api.start_incident(StartIncident {
        title: "Checkout returns 502".into(),
        severity: Some("SEV2".into()),
        runbooks: vec![],
    })
    .expect("start")
    .id
}

fn note(api: &mut Api, incident: &str, kind: &str, text: &str) -> String {
    api.add_note(AddNote {
        incident: incident.into(),
        kind: kind.into(),
        text: text.into(),
        at: None,
        private: false,
    })
    .expect("note")
    .id
}

fn view(api: &mut Api, incident: &str) -> PostmortemView {
    api.postmortem_view(IncidentRef {
        incident: Some(incident.into()),
    })
    .expect("view")
}

fn section<'a>(view: &'a PostmortemView, name: &str) -> &'a PostmortemSection {
    view.sections
        .iter()
        .find(|s| s.section == name)
        .unwrap_or_else(|| panic!("no section {name}"))
}

fn entry<'a>(view: &'a PostmortemView, id: &str) -> &'a PostmortemEntry {
    view.timeline
        .iter()
        .find(|e| e.id == id)
        .unwrap_or_else(|| panic!("no entry {id}"))
}

fn edit(
    api: &mut Api,
    incident: &str,
    section: &str,
    text: &str,
    replaces: &[String],
) -> Result<PostmortemView, firebreak_api::ApiError> {
    api.postmortem_edit_section(EditPostmortemSection {
        incident: incident.into(),
        section: section.into(),
        text: text.into(),
        replaces: replaces.to_vec(),
    })
}

fn events(api: &Api) -> u64 {
    api.store().event_count().expect("count")
}

#[test]
fn a_fresh_incident_has_every_section() {
    let (_dir, mut api) = api();
    let incident = start(&mut api);
    let v = view(&mut api, &incident);
    let names: Vec<&str> = v.sections.iter().map(|s| s.section.as_str()).collect();
    let expected: Vec<&str> = Section::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(names, expected);
    for s in &v.sections {
        assert!(
            s.state == "from_log" || s.state == "empty",
            "{}: {}",
            s.section,
            s.state
        );
        assert!(s.versions.is_empty() && s.heads.is_empty(), "{s:?}");
        assert!(!s.prompt.is_empty());
        assert_eq!(s.text.is_some(), s.state == "from_log");
    }
    assert_eq!(v.title, "Checkout returns 502");
    assert_eq!(v.severity.as_deref(), Some("SEV2"));
    assert_eq!(v.status, "investigating");
    assert_eq!(v.conflicts, 0);
    let milestones: Vec<&str> = v.milestones.iter().map(|m| m.milestone.as_str()).collect();
    assert_eq!(milestones, ["began", "detected", "mitigated", "resolved"]);
    let detected = &v.milestones[1];
    assert_eq!(detected.source, "log");
    assert!(detected.at.is_some() && detected.what.is_some());
    assert_eq!(v.milestones[3].source, "unknown");
    assert_eq!(v.durations.len(), 3);
    assert_eq!(v.durations[2].secs, None, "not resolved yet");
    let gates: Vec<&str> = v.tollgates.iter().map(|t| t.gate.as_str()).collect();
    assert_eq!(
        gates,
        ["Unit tests", "Integration / UAT", "Post-release checkouts"]
    );
    assert!(v.authors.is_empty());
    assert_eq!(v.responders[0].name, "alice");
    let opened = &v.timeline[0];
    assert_eq!(opened.key.as_deref(), Some("first report"));
    assert!(opened.in_document && !opened.starred && !opened.hidden);
    assert!(
        v.markdown
            .starts_with("# Post-mortem: Checkout returns 502")
    );
    assert!(v.markdown_html.contains("<h1>"), "{}", v.markdown_html);
}

#[test]
fn a_stale_edit_becomes_a_conflict_until_one_edit_replaces_both() {
    let (dir, mut api) = api();
    let incident = start(&mut api);
    let first = edit(&mut api, &incident, "summary", "Checkout failed.", &[]).expect("first");
    let summary = section(&first, "summary");
    assert_eq!(summary.state, "written");
    assert_eq!(summary.text.as_deref(), Some("Checkout failed."));
    assert_eq!(summary.versions.len(), 1);
    assert_eq!(summary.versions[0].author, "alice");
    assert_eq!(summary.heads, vec![summary.versions[0].id.clone()]);
    // alice opens the editor now, with these heads.
    let opened_with = summary.heads.clone();

    // Meanwhile bob writes the section from the terminal (another process, same store),
    // replacing what stands then.
    let mut cli = Store::open(dir.path()).expect("second connection");
    cli.set_postmortem_section(
        "bob",
        incident.parse().expect("id"),
        Section::Summary,
        "Checkout failed for 40 minutes.",
        None,
    )
    .expect("bob's edit");

    // alice saves: her version replaces only what she saw, so bob's stands beside it.
    let v = edit(
        &mut api,
        &incident,
        "summary",
        "Checkout failed for EU users.",
        &opened_with,
    )
    .expect("stale edit");
    let summary = section(&v, "summary");
    assert_eq!(summary.state, "conflict");
    assert_eq!(summary.text, None);
    let mut texts: Vec<(&str, &str)> = summary
        .versions
        .iter()
        .map(|v| (v.author.as_str(), v.text.as_str()))
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            ("alice", "Checkout failed for EU users."),
            ("bob", "Checkout failed for 40 minutes.")
        ]
    );
    assert_eq!(summary.heads.len(), 2);
    assert!(
        summary
            .versions
            .iter()
            .all(|v| summary.heads.contains(&v.id))
    );
    assert_eq!(v.conflicts, 1);
    assert!(
        v.markdown.contains("Conflict: 2 versions"),
        "{}",
        v.markdown
    );

    // One edit replacing both resolves it.
    let heads = summary.heads.clone();
    let v = edit(
        &mut api,
        &incident,
        "summary",
        "Checkout failed for EU users for 40 minutes.",
        &heads,
    )
    .expect("merge");
    let summary = section(&v, "summary");
    assert_eq!(summary.state, "written");
    assert_eq!(
        summary.text.as_deref(),
        Some("Checkout failed for EU users for 40 minutes.")
    );
    assert_eq!(v.conflicts, 0);
    assert_eq!(summary.editors, ["alice", "bob"]);
    assert!(v.authors.contains(&"bob".to_string()));

    // Cleared on purpose: empty, and its heads are still there to replace.
    let heads = summary.heads.clone();
    let v = edit(&mut api, &incident, "summary", "", &heads).expect("clear");
    let summary = section(&v, "summary");
    assert_eq!(summary.state, "empty");
    assert_eq!(summary.heads.len(), 1);
    let heads = summary.heads.clone();
    let v = edit(&mut api, &incident, "summary", "Back.", &heads).expect("again");
    assert_eq!(section(&v, "summary").state, "written");
    assert_eq!(v.conflicts, 0);
}

#[test]
fn the_same_text_written_apart_is_replaced_whole() {
    let (_dir, mut api) = api();
    let incident = start(&mut api);
    // Two people type the same words without seeing each other's: one version shows,
    // but both are heads, so the next edit replaces both and nothing comes back.
    edit(&mut api, &incident, "impact", "EU users", &[]).expect("one");
    let v = edit(&mut api, &incident, "impact", "EU users", &[]).expect("two");
    let impact = section(&v, "impact");
    assert_eq!(impact.state, "written");
    assert_eq!(impact.versions.len(), 1);
    assert_eq!(impact.heads.len(), 2);
    let heads = impact.heads.clone();
    let v = edit(&mut api, &incident, "impact", "EU and UK users", &heads).expect("three");
    let impact = section(&v, "impact");
    assert_eq!(impact.state, "written", "{impact:?}");
    assert_eq!(impact.text.as_deref(), Some("EU and UK users"));
    assert_eq!(v.conflicts, 0);
}

#[test]
fn marks_annotations_actions_tollgates_and_milestones_round_trip() {
    let (_dir, mut api) = api();
    let incident = start(&mut api);
    let seen = note(&mut api, &incident, "observation", "p99 at 4 s on checkout");
    let rollback = note(&mut api, &incident, "action", "roll back release 412");

    // Stars and hidden entries.
    let v = api
        .postmortem_mark(MarkEntry {
            incident: incident.clone(),
            entry: seen.clone(),
            mark: "star".into(),
        })
        .expect("star");
    assert!(entry(&v, &seen).starred);
    assert!(v.markdown.contains("\u{2605} **"), "{}", v.markdown);
    assert_eq!(entry(&v, &rollback).key.as_deref(), Some("mitigation"));
    let v = api
        .postmortem_mark(MarkEntry {
            incident: incident.clone(),
            entry: seen.clone(),
            mark: "hide".into(),
        })
        .expect("hide");
    let e = entry(&v, &seen);
    assert!(e.hidden && e.starred && !e.in_document);
    let timeline_lines = |md: &str| {
        md.lines()
            .filter(|l| l.starts_with("- ") && l.contains("p99 at 4 s"))
            .count()
    };
    assert_eq!(timeline_lines(&v.markdown), 0, "{}", v.markdown);
    let v = api
        .postmortem_mark(MarkEntry {
            incident: incident.clone(),
            // The short id works as well.
            entry: entry(&v, &seen).short_id.clone(),
            mark: "show".into(),
        })
        .expect("show");
    assert!(entry(&v, &seen).in_document);
    assert_eq!(timeline_lines(&v.markdown), 1, "{}", v.markdown);

    // An annotation, edited, removed and written again: never a conflict with itself.
    let v = api
        .postmortem_annotate(AnnotateEntry {
            incident: incident.clone(),
            entry: seen.clone(),
            text: "the first sign".into(),
            replaces: vec![],
        })
        .expect("annotate");
    let a = entry(&v, &seen).annotation.clone().expect("annotation");
    assert_eq!(a.versions[0].text, "the first sign");
    assert!(!a.conflict);
    assert_eq!(entry(&v, &seen).annotation_heads, a.heads);
    assert!(
        v.markdown.contains("_the first sign_ (alice)"),
        "{}",
        v.markdown
    );
    let v = api
        .postmortem_annotate(AnnotateEntry {
            incident: incident.clone(),
            entry: seen.clone(),
            text: String::new(),
            replaces: a.heads.clone(),
        })
        .expect("remove");
    let e = entry(&v, &seen);
    assert!(e.annotation.is_none());
    assert_eq!(
        e.annotation_heads.len(),
        1,
        "the removal is still a version"
    );
    let heads = e.annotation_heads.clone();
    let v = api
        .postmortem_annotate(AnnotateEntry {
            incident: incident.clone(),
            entry: seen.clone(),
            text: "the first sign, 14:02".into(),
            replaces: heads,
        })
        .expect("annotate again");
    let a = entry(&v, &seen).annotation.clone().expect("annotation");
    assert_eq!(a.versions.len(), 1);
    assert_eq!(v.conflicts, 0);

    // Actions.
    let v = api
        .postmortem_add_action(AddPostmortemAction {
            incident: incident.clone(),
            class: "preventive".into(),
            text: "Canary every release".into(),
            owner: Some("dmitri".into()),
            ticket: Some("  ".into()),
        })
        .expect("add action");
    let action = v.actions[0].clone();
    assert_eq!(action.class, "preventive");
    assert_eq!(action.status, "open");
    assert_eq!(action.owner.as_deref(), Some("dmitri"));
    assert_eq!(action.ticket, None, "a blank ticket is none");
    assert_eq!(action.added_by, "alice");
    let v = api
        .postmortem_change_action(ChangePostmortemAction {
            incident: incident.clone(),
            action: action.id.clone(),
            status: Some("in_progress".into()),
            owner: None,
            ticket: Some("OPS-12".into()),
            text: None,
        })
        .expect("change action");
    let changed = &v.actions[0];
    assert_eq!(changed.status, "in-progress");
    assert_eq!(changed.status_label, "in progress");
    assert_eq!(changed.ticket.as_deref(), Some("OPS-12"));
    assert_eq!(changed.owner.as_deref(), Some("dmitri"));
    assert!(
        v.markdown
            .contains("| Canary every release | preventive | dmitri | OPS-12 | in progress |"),
        "{}",
        v.markdown
    );

    // Tollgates: a default gate filled in and edited; a gate of the team's own.
    let v = api
        .postmortem_record_tollgate(RecordTollgate {
            incident: incident.clone(),
            gate: "unit TESTS".into(),
            why_missed: "no test covers the EU tax path".into(),
            ticket: Some("OPS-13".into()),
            replaces: vec![],
        })
        .expect("tollgate");
    let unit = &v.tollgates[0];
    assert_eq!(unit.gate, "Unit tests");
    assert_eq!(
        unit.versions[0].why_missed,
        "no test covers the EU tax path"
    );
    let heads = unit.heads.clone();
    let v = api
        .postmortem_record_tollgate(RecordTollgate {
            incident: incident.clone(),
            gate: "Unit tests".into(),
            why_missed: "the EU tax path has no test".into(),
            ticket: None,
            replaces: heads,
        })
        .expect("tollgate edit");
    assert_eq!(v.tollgates[0].versions.len(), 1);
    assert_eq!(v.tollgates[0].versions[0].ticket, None);
    let v = api
        .postmortem_record_tollgate(RecordTollgate {
            incident: incident.clone(),
            gate: "Code review".into(),
            why_missed: "reviewed on a Friday".into(),
            ticket: None,
            replaces: vec![],
        })
        .expect("own gate");
    assert_eq!(v.tollgates.len(), 4);
    assert_eq!(v.tollgates[3].gate, "Code review");
    assert_eq!(v.conflicts, 0);

    // Milestones: set by hand, then back to the log's.
    let began = "2020-01-01T10:00:00Z";
    let v = api
        .postmortem_set_milestone(SetMilestone {
            incident: incident.clone(),
            milestone: "began".into(),
            at: Some(began.into()),
        })
        .expect("set milestone");
    let m = &v.milestones[0];
    assert_eq!(m.source, "set");
    assert_eq!(m.set_by.as_deref(), Some("alice"));
    assert_eq!(m.at.as_deref(), Some("2020-01-01T10:00:00.000Z"));
    assert!(v.durations[0].secs.is_some_and(|s| s > 3600));
    assert!(v.durations[0].text.is_some());
    let v = api
        .postmortem_set_milestone(SetMilestone {
            incident: incident.clone(),
            milestone: "began".into(),
            at: None,
        })
        .expect("clear milestone");
    assert_eq!(v.milestones[0].source, "log");
    assert_eq!(v.authors, ["alice"]);
}

#[test]
fn export_writes_each_format_and_never_over_a_file_unasked() {
    let (dir, mut api) = api();
    let incident = start(&mut api);
    edit(
        &mut api,
        &incident,
        "summary",
        "Checkout <b>failed</b>.",
        &[],
    )
    .expect("summary");
    let out = dir.path().join("docs");
    std::fs::create_dir(&out).expect("mkdir");
    let export = |api: &mut Api, format: &str, name: &str, overwrite: bool| {
        api.export_postmortem(ExportPostmortem {
            incident: incident.clone(),
            format: format.into(),
            path: out.join(name).display().to_string(),
            overwrite,
        })
    };

    let written = export(&mut api, "markdown", "pm.md", false).expect("markdown");
    assert_eq!(Path::new(&written), out.join("pm.md"));
    let md = std::fs::read_to_string(out.join("pm.md")).expect("read");
    assert!(md.starts_with("# Post-mortem: Checkout returns 502"));
    assert!(md.contains("Checkout <b>failed</b>."));
    assert_eq!(md.trim_end(), view(&mut api, &incident).markdown.trim_end());

    export(&mut api, "html", "pm.html", false).expect("html");
    let html = std::fs::read_to_string(out.join("pm.html")).expect("read");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("&lt;b&gt;failed&lt;/b&gt;"),
        "escaped: {html}"
    );
    assert!(!html.contains("<script"));

    export(&mut api, "email", "pm.txt", false).expect("email");
    let email = std::fs::read_to_string(out.join("pm.txt")).expect("read");
    assert!(email.starts_with("Subject: Post-mortem: Checkout returns 502"));

    // There already: refused, the file as it was; replaced only when asked.
    std::fs::write(out.join("pm.md"), "mine").expect("write");
    let err = export(&mut api, "markdown", "pm.md", false).expect_err("exists");
    assert_eq!(err.code, ErrorCode::FileExists, "{err:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("pm.md")).expect("read"),
        "mine"
    );
    export(&mut api, "markdown", "pm.md", true).expect("overwrite");
    assert!(
        std::fs::read_to_string(out.join("pm.md"))
            .expect("read")
            .starts_with("# Post-mortem")
    );

    // A relative path, a folder, a missing folder, an unknown format.
    let err = api
        .export_postmortem(ExportPostmortem {
            incident: incident.clone(),
            format: "markdown".into(),
            path: "pm.md".into(),
            overwrite: false,
        })
        .expect_err("relative");
    assert_eq!(err.code, ErrorCode::InvalidInput);
    let err = api
        .export_postmortem(ExportPostmortem {
            incident: incident.clone(),
            format: "markdown".into(),
            path: out.display().to_string(),
            overwrite: true,
        })
        .expect_err("a folder");
    assert_eq!(err.code, ErrorCode::Io);
    let err = export(&mut api, "markdown", "nowhere/pm.md", false).expect_err("no folder");
    assert_eq!(err.code, ErrorCode::Io);
    let err = export(&mut api, "pdf", "pm.pdf", false).expect_err("format");
    assert_eq!(err.code, ErrorCode::InvalidInput);

    // Written whole: nothing but the three documents in the folder.
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["pm.html", "pm.md", "pm.txt"]);
}

#[test]
fn bad_input_is_refused_by_code_and_writes_nothing() {
    let (_dir, mut api) = api();
    let incident = start(&mut api);
    let finding = note(&mut api, &incident, "note", "just a note");
    let v = edit(&mut api, &incident, "impact", "EU users", &[]).expect("impact");
    let impact_head = section(&v, "impact").heads.clone();
    let other = api
        .start_incident(StartIncident {
            title: "Another".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("another")
        .id;
    let other_note = note(&mut api, &other, "note", "elsewhere");
    let before = events(&api);

    let cases: Vec<(&str, ErrorCode, firebreak_api::ApiError)> = vec![
        (
            "unknown section",
            ErrorCode::InvalidInput,
            edit(&mut api, &incident, "rootcause", "x", &[]).expect_err("section"),
        ),
        (
            "replacing another section's version",
            ErrorCode::Rejected,
            edit(&mut api, &incident, "summary", "x", &impact_head).expect_err("other section"),
        ),
        (
            "replacing an unknown version",
            ErrorCode::UnknownEvent,
            edit(
                &mut api,
                &incident,
                "summary",
                "x",
                &["0192f3c4-7a1b-7c2d-8e3f-000000000000".into()],
            )
            .expect_err("unknown"),
        ),
        (
            "unknown entry",
            ErrorCode::UnknownEvent,
            api.postmortem_mark(MarkEntry {
                incident: incident.clone(),
                entry: "0192f3c4-7a1b-7c2d-8e3f-000000000000".into(),
                mark: "star".into(),
            })
            .expect_err("entry"),
        ),
        (
            "an entry of another incident",
            ErrorCode::Rejected,
            api.postmortem_mark(MarkEntry {
                incident: incident.clone(),
                entry: other_note.clone(),
                mark: "star".into(),
            })
            .expect_err("other incident"),
        ),
        (
            "unknown mark",
            ErrorCode::InvalidInput,
            api.postmortem_mark(MarkEntry {
                incident: incident.clone(),
                entry: finding.clone(),
                mark: "pin".into(),
            })
            .expect_err("mark"),
        ),
        (
            "annotating a post-mortem edit",
            ErrorCode::Rejected,
            api.postmortem_annotate(AnnotateEntry {
                incident: incident.clone(),
                entry: impact_head[0].clone(),
                text: "x".into(),
                replaces: vec![],
            })
            .expect_err("not an entry"),
        ),
        (
            "an action change on a note",
            ErrorCode::Rejected,
            api.postmortem_change_action(ChangePostmortemAction {
                incident: incident.clone(),
                action: finding.clone(),
                status: Some("done".into()),
                owner: None,
                ticket: None,
                text: None,
            })
            .expect_err("not an action"),
        ),
        (
            "an unknown action status",
            ErrorCode::InvalidInput,
            api.postmortem_change_action(ChangePostmortemAction {
                incident: incident.clone(),
                action: finding.clone(),
                status: Some("finished".into()),
                owner: None,
                ticket: None,
                text: None,
            })
            .expect_err("status"),
        ),
        (
            "an action without text",
            ErrorCode::Rejected,
            api.postmortem_add_action(AddPostmortemAction {
                incident: incident.clone(),
                class: "corrective".into(),
                text: "  ".into(),
                owner: None,
                ticket: None,
            })
            .expect_err("empty action"),
        ),
        (
            "an unknown action type",
            ErrorCode::InvalidInput,
            api.postmortem_add_action(AddPostmortemAction {
                incident: incident.clone(),
                class: "cosmetic".into(),
                text: "x".into(),
                owner: None,
                ticket: None,
            })
            .expect_err("class"),
        ),
        (
            "a tollgate without a reason",
            ErrorCode::Rejected,
            api.postmortem_record_tollgate(RecordTollgate {
                incident: incident.clone(),
                gate: "Unit tests".into(),
                why_missed: " ".into(),
                ticket: None,
                replaces: vec![],
            })
            .expect_err("why"),
        ),
        (
            "an unknown milestone",
            ErrorCode::InvalidInput,
            api.postmortem_set_milestone(SetMilestone {
                incident: incident.clone(),
                milestone: "noticed-by-ceo".into(),
                at: None,
            })
            .expect_err("milestone"),
        ),
        (
            "a time that is not RFC 3339",
            ErrorCode::InvalidInput,
            api.postmortem_set_milestone(SetMilestone {
                incident: incident.clone(),
                milestone: "began".into(),
                at: Some("yesterday at ten".into()),
            })
            .expect_err("time"),
        ),
        (
            "an unknown incident",
            ErrorCode::UnknownIncident,
            edit(&mut api, "ffffffff", "summary", "x", &[]).expect_err("incident"),
        ),
    ];
    for (what, code, err) in cases {
        assert_eq!(err.code, code, "{what}: {err:?}");
        assert!(!err.message.is_empty(), "{what}");
    }
    assert_eq!(events(&api), before, "a refused change writes nothing");
    let v = view(&mut api, &incident);
    assert!(v.actions.is_empty());
    assert!(!entry(&v, &finding).starred);
    assert_eq!(section(&v, "summary").heads.len(), 0);
}
