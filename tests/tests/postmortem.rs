//! The shared post-mortem through a real `firebreak-hub` process on a loopback port:
//! two responders work an incident, write the post-mortem on their own laptops while
//! the hub is down, and after sync both laptops and the hub render the same draft,
//! with both versions of the section they wrote apart kept and marked, until one of
//! them reconciles it.
//!
//! Network rule: every hub and client here is on 127.0.0.1.

use firebreak_core::ids::IncidentId;
use firebreak_core::postmortem::{
    ActionClass, Mark, PostmortemChange, Section, SectionBody, postmortem_markdown,
};
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::{EXIT_UNREACHABLE, Laptop};
use serde_json::Value;

fn id_of(value: &Value) -> String {
    value["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {value}"))
        .to_string()
}

/// The draft as each copy renders it: (Markdown, JSON).
fn local(laptop: &Laptop, incident: IncidentId) -> (String, Value) {
    let draft = laptop
        .open_store()
        .postmortem_draft(incident)
        .expect("the laptop's draft");
    (
        postmortem_markdown(&draft),
        serde_json::to_value(&draft).expect("json"),
    )
}

fn hub_copy(reader: &HubReader, incident: IncidentId) -> (String, Value) {
    let markdown = reader
        .get_text(&format!("/v1/incidents/{incident}/postmortem.md"))
        .expect("the hub's Markdown");
    let json: Value = reader
        .get(&format!("/v1/incidents/{incident}/postmortem"))
        .expect("the hub's JSON");
    (markdown, json)
}

fn assert_same(what: &str, a: &(String, Value), b: &(String, Value)) {
    assert_eq!(a.0, b.0, "{what}: the Markdown differs");
    assert_eq!(a.1, b.1, "{what}: the JSON differs");
}

#[test]
fn sections_written_apart_survive_sync_and_every_copy_renders_the_same_draft() {
    let mut hub = HubProcess::start_fresh(&[]);
    let (alice, bob) = (Laptop::new("alice"), Laptop::new("bob"));
    let alice_token = hub.add_user("alice");
    alice.connect(&hub.url(), &alice_token).ok();
    let bob_token = hub.add_user("bob");
    bob.connect(&hub.url(), &bob_token).ok();

    // The incident, worked by both.
    let started = alice
        .run(&[
            "incident",
            "start",
            "Checkout returns 502s",
            "--severity",
            "sev2",
            "--json",
        ])
        .ok()
        .json();
    let incident: IncidentId = id_of(&started).parse().expect("incident id");
    alice.run(&["incident", "lead", "alice"]).ok();
    alice.note(&id_of(&started), "5xx rate at 30% on checkout");
    alice.sync_ok();
    bob.sync_ok();
    let hypothesis = bob
        .run(&[
            "note",
            "the deploy shrank the pool",
            "--kind",
            "hypothesis",
            "--json",
        ])
        .ok()
        .json();
    bob.run(&["note", "Status page: checkout degraded", "--kind", "update"])
        .ok();
    alice.run(&["incident", "status", "mitigated"]).ok();
    alice.run(&["incident", "status", "resolved"]).ok();
    bob.sync_ok();
    alice.sync_ok();
    bob.sync_ok();

    // A first summary, seen by both.
    alice
        .open_store()
        .set_postmortem_section(
            "alice",
            incident,
            Section::Summary,
            "Checkout failed.",
            None,
        )
        .expect("first summary");
    alice.sync_ok();
    bob.sync_ok();

    // The hub goes down; both keep writing.
    hub.kill();
    alice
        .open_store()
        .set_postmortem_section(
            "alice",
            incident,
            Section::Summary,
            "For 36 minutes a third of checkouts failed with a 502.",
            None,
        )
        .expect("alice's summary");
    alice
        .open_store()
        .edit_postmortem(
            "alice",
            incident,
            PostmortemChange::ActionAdded {
                class: ActionClass::Corrective,
                text: "Alert on pool saturation".into(),
                owner: Some("bob".into()),
                ticket: Some("OPS-101".into()),
            },
        )
        .expect("action");
    bob.open_store()
        .set_postmortem_section(
            "bob",
            incident,
            Section::Summary,
            "A deploy cut the database pool from 50 to 5; checkout failed for 36 minutes.",
            None,
        )
        .expect("bob's summary");
    bob.open_store()
        .edit_postmortem(
            "bob",
            incident,
            PostmortemChange::Mark {
                entry: id_of(&hypothesis).parse().expect("entry id"),
                mark: Mark::Star,
            },
        )
        .expect("star");
    let (code, _) = alice.sync();
    assert_eq!(code, EXIT_UNREACHABLE, "the hub is down");

    // The hub is back: sync until both hold everything.
    let before = hub.url();
    hub.restart();
    if hub.url() != before {
        alice.connect(&hub.url(), &alice_token).ok();
        bob.connect(&hub.url(), &bob_token).ok();
    }
    alice.sync_ok();
    bob.sync_ok();
    alice.sync_ok();

    let reader = HubReader::new(&hub.url(), &alice_token);
    let at_alice = local(&alice, incident);
    let at_bob = local(&bob, incident);
    let at_hub = hub_copy(&reader, incident);
    assert_same("alice and bob", &at_alice, &at_bob);
    assert_same("alice and the hub", &at_alice, &at_hub);

    // Both summaries are there, marked; nothing was dropped.
    let draft = alice
        .open_store()
        .postmortem_draft(incident)
        .expect("draft");
    let summary = draft.section(Section::Summary).expect("summary");
    let SectionBody::Conflict { versions } = &summary.body else {
        panic!("expected both summaries to stand, got {:?}", summary.body);
    };
    let mut authors: Vec<&str> = versions.iter().map(|v| v.author.as_str()).collect();
    authors.sort();
    assert_eq!(authors, ["alice", "bob"]);
    for text in [
        "For 36 minutes a third of checkouts failed with a 502.",
        "A deploy cut the database pool from 50 to 5; checkout failed for 36 minutes.",
    ] {
        assert!(
            at_hub.0.contains(text),
            "{text} missing from the hub's draft"
        );
    }
    assert!(
        at_hub
            .0
            .contains("Conflict: 2 versions written at the same time")
    );
    // The merged timeline holds both responders' entries; bob's star and alice's
    // action arrived too.
    assert!(
        at_hub
            .0
            .contains("alice \u{00b7} note \u{2014} 5xx rate at 30% on checkout")
    );
    assert!(at_hub.0.contains("\u{2605} **"), "bob's star: {}", at_hub.0);
    assert!(
        at_hub
            .0
            .contains("| Alert on pool saturation | corrective | bob | OPS-101 | open |")
    );
    assert!(at_hub.0.contains("_(customer update)_"));

    // Bob reconciles; everyone converges on his text.
    bob.open_store()
        .set_postmortem_section(
            "bob",
            incident,
            Section::Summary,
            "For 36 minutes a third of checkouts failed with a 502: a deploy cut the database pool from 50 to 5.",
            None,
        )
        .expect("merged summary");
    bob.sync_ok();
    alice.sync_ok();
    let at_alice = local(&alice, incident);
    assert_same(
        "alice and bob after the merge",
        &at_alice,
        &local(&bob, incident),
    );
    assert_same(
        "alice and the hub after the merge",
        &at_alice,
        &hub_copy(&reader, incident),
    );
    assert!(!at_alice.0.contains("Conflict"), "{}", at_alice.0);
    assert!(
        at_alice
            .0
            .contains("a deploy cut the database pool from 50 to 5.")
    );

    // Every rendering of the hub's draft is served.
    for (format, needle) in [
        ("html", "<!DOCTYPE html>"),
        ("email", "Subject: Post-mortem: Checkout returns 502s"),
        ("markdown", "# Post-mortem: Checkout returns 502s"),
    ] {
        let text = reader
            .get_text(&format!(
                "/v1/incidents/{incident}/postmortem?format={format}"
            ))
            .expect("rendered");
        assert!(text.contains(needle), "{format}: {text:.300}");
    }
    let err = reader
        .get_text(&format!("/v1/incidents/{incident}/postmortem?format=pdf"))
        .expect_err("unknown format");
    assert!(
        err.contains("HTTP 400") && err.contains("json, markdown, html or email"),
        "{err}"
    );
    let err = reader
        .get_text(&format!(
            "/v1/incidents/{}/postmortem",
            IncidentId::new_v7()
        ))
        .expect_err("unknown incident");
    assert!(err.contains("HTTP 404"), "{err}");
}
