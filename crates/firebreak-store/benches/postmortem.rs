//! Post-mortem benchmarks: `cargo bench -p firebreak-store --bench postmortem`.
//!
//! One incident of 10,000 events, plus a post-mortem being written on it: 200 section
//! edits (some concurrent), 300 stars and hides, 50 annotations, 30 actions and their
//! changes, tollgates. Medians over several runs of:
//!
//! - reading the incident's events: the floor under any view;
//! - the reference: folding the same events into the incident's timeline (the view the
//!   workspace shows all day);
//! - folding the post-mortem draft (read, clock offsets, fold);
//! - rendering it as Markdown, HTML and the email, from the folded draft;
//! - the JSON the desktop receives for the post-mortem screen.
//!
//! Without `--bench` (as `cargo test --benches` runs it) a small smoke version runs.

mod support;

use firebreak_core::event::{EventBody, FindingKind, NewEvent};
use firebreak_core::ids::EventId;
use firebreak_core::postmortem::{
    ActionClass, ActionStatus, Mark, PostmortemChange, Section, postmortem_email, postmortem_html,
    postmortem_markdown,
};
use firebreak_core::views::fold_timeline;
use firebreak_store::Store;
use std::time::Instant;
use support::{BenchSetup, fill_incident, median, ms};

fn main() {
    let BenchSetup { dir, events, runs } = BenchSetup::start("post-mortem");

    let mut store = Store::open(&dir.path().join("alice")).expect("store");
    let incident = fill_incident(&mut store, events);
    write_postmortem(&mut store, incident, events);
    let total = store.incident_events(incident).expect("read").len();
    println!("  incident: {total} events\n");

    let read = median(runs, || {
        let t = Instant::now();
        let events = store.incident_events(incident).expect("read");
        assert_eq!(events.len(), total);
        t.elapsed()
    });
    let timeline = median(runs, || {
        let t = Instant::now();
        let events = store.incident_events(incident).expect("read");
        let entries = fold_timeline(&events);
        assert!(!entries.is_empty());
        t.elapsed()
    });
    let mut draft = store.postmortem_draft(incident).expect("draft");
    let fold = median(runs, || {
        let t = Instant::now();
        draft = store.postmortem_draft(incident).expect("draft");
        t.elapsed()
    });
    let mut markdown = String::new();
    let render_md = median(runs, || {
        let t = Instant::now();
        markdown = postmortem_markdown(&draft);
        t.elapsed()
    });
    let mut html = String::new();
    let render_html = median(runs, || {
        let t = Instant::now();
        html = postmortem_html(&draft);
        t.elapsed()
    });
    let mut email = String::new();
    let render_email = median(runs, || {
        let t = Instant::now();
        email = postmortem_email(&draft);
        t.elapsed()
    });
    let mut json = Vec::new();
    let to_json = median(runs, || {
        let t = Instant::now();
        json = serde_json::to_vec(&draft).expect("json");
        t.elapsed()
    });

    println!("  {:<52} {:>10}", "operation", "median");
    let row = |label: &str, d: std::time::Duration| println!("  {label:<52} {:>10}", ms(d));
    row("read the incident's events (floor)", read);
    row("reference: read + fold the incident timeline", timeline);
    row("post-mortem draft (read + offsets + fold)", fold);
    row("render Markdown", render_md);
    row("render HTML (from Markdown)", render_html);
    row("render the email", render_email);
    row("draft as JSON (the desktop's view)", to_json);
    println!();
    println!(
        "  Markdown {:.0} KiB ({} timeline entries in the document of {}), HTML {:.0} KiB, email {:.1} KiB, JSON {:.1} MiB",
        markdown.len() as f64 / 1024.0,
        draft.document_timeline().count(),
        draft.timeline.len(),
        html.len() as f64 / 1024.0,
        email.len() as f64 / 1024.0,
        json.len() as f64 / (1024.0 * 1024.0)
    );
    println!(
        "  draft / timeline fold: {:.2}x   draft + Markdown / read: {:.2}x",
        fold.as_secs_f64() / timeline.as_secs_f64(),
        (fold + render_md).as_secs_f64() / read.as_secs_f64()
    );
}

/// A post-mortem in progress: its edits scale with the incident.
fn write_postmortem(store: &mut Store, incident: firebreak_core::ids::IncidentId, events: usize) {
    let scale = (events / 50).max(4);
    let entries: Vec<EventId> = store
        .incident_events(incident)
        .expect("read")
        .iter()
        .filter(|e| e.kind().is_finding())
        .map(|e| e.id)
        .collect();
    let mut batch = Vec::new();
    let mut edit = |edit: PostmortemChange| {
        batch.push(NewEvent::new(
            incident,
            EventBody::PostmortemEdited { edit },
        ));
    };
    for i in 0..scale * 3 / 2 {
        let entry = entries[(i * 37) % entries.len()];
        let mark = if i % 5 == 0 { Mark::Hide } else { Mark::Star };
        edit(PostmortemChange::Mark { entry, mark });
    }
    for i in 0..scale / 4 {
        edit(PostmortemChange::Annotate {
            entry: entries[(i * 53) % entries.len()],
            text: format!("annotation {i}: this is where the pool ran dry"),
            replaces: vec![],
        });
    }
    for i in 0..30.min(scale) {
        edit(PostmortemChange::Tollgate {
            gate: format!("Gate {}", i % 6),
            why_missed: format!("reason {i}"),
            ticket: Some(format!("OPS-{i}")),
            replaces: vec![],
        });
    }
    store.append_all("alice", batch).expect("curation");
    let mut actions = Vec::new();
    for i in 0..30.min(scale) {
        let event = store
            .edit_postmortem(
                "alice",
                incident,
                PostmortemChange::ActionAdded {
                    class: if i % 2 == 0 {
                        ActionClass::Corrective
                    } else {
                        ActionClass::Preventive
                    },
                    text: format!("follow-up {i}"),
                    owner: Some("bob".into()),
                    ticket: Some(format!("OPS-{}", 100 + i)),
                },
            )
            .expect("action");
        actions.push(event.id);
    }
    for (i, action) in actions.iter().enumerate() {
        store
            .edit_postmortem(
                "bob",
                incident,
                PostmortemChange::ActionChanged {
                    action: *action,
                    status: Some(if i % 3 == 0 {
                        ActionStatus::Done
                    } else {
                        ActionStatus::InProgress
                    }),
                    owner: None,
                    ticket: None,
                    text: None,
                },
            )
            .expect("action change");
    }
    // Each section rewritten many times, the last two edits of some made apart.
    for round in 0..scale {
        let section = Section::ALL[round % Section::ALL.len()];
        let replaces = if round % 7 == 0 { Some(vec![]) } else { None };
        store
            .set_postmortem_section(
                if round % 2 == 0 { "alice" } else { "bob" },
                incident,
                section,
                &format!("Version {round} of {section}: {}", "words ".repeat(60)),
                replaces,
            )
            .expect("section");
    }
    store
        .append(
            "alice",
            NewEvent::new(
                incident,
                EventBody::Finding {
                    finding: FindingKind::Note,
                    text: "post-mortem written".into(),
                },
            ),
        )
        .expect("note");
}
