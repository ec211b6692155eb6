//! `firebreak postmortem` through the real binary, against real stores in temporary
//! directories: the draft in every format, sections set and edited (the editor is a
//! small shell script), a conflict made on two laptops (two `--home` directories, events
//! carried by handoff bundles) shown and merged, timeline curation, actions, tollgates,
//! milestone times, and bad inputs refused with nothing recorded.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::{Fb, path_str, texts};

const TITLE: &str = "Checkout returns 500";

/// Every heading the Markdown document has, whatever has been written.
const HEADINGS: [&str; 15] = [
    "# Post-mortem: Checkout returns 500",
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
];

/// A laptop with an incident worked a little: a leader, an observation, an action.
fn incident(fb: &Fb) -> String {
    let id = fb.start(TITLE, &["production-outage"], &[]);
    fb.ok(&["incident", "lead", &fb.author]);
    fb.ok(&[
        "note",
        "LB reports 0/4 app servers healthy",
        "--kind",
        "observation",
    ]);
    fb.ok(&["note", "roll back the 12:55 deploy", "--kind", "action"]);
    id
}

/// Records a finding; returns its id.
fn note_id(fb: &Fb, text: &str, kind: &str) -> String {
    fb.json(&["note", text, "--kind", kind])["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// How many events the open incident's log holds.
fn events(fb: &Fb) -> usize {
    fb.log().len()
}

fn draft(fb: &Fb) -> Value {
    let out = fb.ok(&["postmortem", "show", "--format", "json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn section<'a>(draft: &'a Value, name: &str) -> &'a Value {
    draft["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["section"] == name)
        .unwrap_or_else(|| panic!("no section {name} in {draft}"))
}

/// The `[abcd1234]` a command printed.
fn bracketed(out: &str) -> String {
    let start = out.find('[').expect("an id in brackets") + 1;
    let end = out[start..].find(']').expect("closing bracket") + start;
    out[start..end].to_string()
}

/// A shell script the test uses as $EDITOR.
fn script(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).expect("write script");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    path
}

/// Runs `postmortem edit SECTION` with `editor` as $EDITOR (no $VISUAL) and the
/// temporary files in `tmp`; expects exit `code`, returns (stdout, stderr).
fn edit_with(fb: &Fb, editor: &str, tmp: &Path, section: &str, code: i32) -> (String, String) {
    let out = fb
        .cmd()
        .args(["postmortem", "edit", section])
        .env_remove("VISUAL")
        .env("EDITOR", editor)
        .env("TMPDIR", tmp)
        .output()
        .expect("run firebreak");
    let (stdout, stderr) = texts(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "postmortem edit {section}: expected exit {code}\nstdout: {stdout}\nstderr: {stderr}"
    );
    (stdout, stderr)
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn show_prints_the_draft_in_every_format() {
    let alice = Fb::new();
    incident(&alice);
    let (markdown, stderr) = alice.expect(0, &["postmortem", "show"]);
    for heading in HEADINGS {
        assert!(
            markdown.lines().any(|l| l == heading),
            "no {heading:?} in\n{markdown}"
        );
    }
    assert!(markdown.contains("LB reports 0/4 app servers healthy"));
    assert!(stderr.is_empty(), "no conflict, no note: {stderr}");
    let same = alice.ok(&["postmortem", "show", "--format", "markdown"]);
    assert_eq!(same, markdown);

    let html = alice.ok(&["postmortem", "show", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("Checkout returns 500"));

    let email = alice.ok(&["postmortem", "show", "--format", "email"]);
    assert!(
        email.starts_with("Subject: Post-mortem: Checkout returns 500"),
        "{email}"
    );

    let json = draft(&alice);
    assert_eq!(json["title"], TITLE);
    let sections = json["sections"].as_array().expect("sections");
    assert_eq!(sections.len(), 11);
    assert!(sections.iter().any(|s| s["section"] == "root_causes"));
    assert!(json["timeline"].as_array().is_some_and(|t| !t.is_empty()));
}

#[test]
fn show_out_writes_the_file_whole_and_keeps_an_existing_one() {
    let alice = Fb::new();
    incident(&alice);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("postmortem.html");
    let (stdout, stderr) = alice.expect(
        0,
        &[
            "postmortem",
            "show",
            "--format",
            "html",
            "--out",
            path_str(&out),
        ],
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("Wrote {}", out.display())),
        "{stderr}"
    );
    let first = std::fs::read_to_string(&out).expect("written");
    assert!(first.starts_with("<!DOCTYPE html>"));

    let before = events(&alice);
    let err = alice.fails(&["postmortem", "show", "--out", path_str(&out)]);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&out).expect("kept"), first);
    assert_eq!(events(&alice), before);

    alice.ok(&["postmortem", "show", "--out", path_str(&out), "--force"]);
    let replaced = std::fs::read_to_string(&out).expect("replaced");
    assert!(replaced.starts_with("# Post-mortem: Checkout returns 500"));
    assert_eq!(
        files_in(dir.path()),
        ["postmortem.html"],
        "no temporary file left"
    );

    let err = alice.fails(&[
        "postmortem",
        "show",
        "--out",
        path_str(&dir.path().join("no/such.md")),
    ]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn set_replaces_a_section_and_reads_stdin() {
    let alice = Fb::new();
    incident(&alice);
    let before = events(&alice);
    let out = alice.ok(&[
        "postmortem",
        "set",
        "root-cause",
        "A config push removed the DB pool limit.",
    ]);
    assert!(out.starts_with("Root causes recorded ["), "{out}");
    assert_eq!(events(&alice), before + 1);
    let md = alice.ok(&["postmortem", "show"]);
    assert!(
        md.contains("## Root causes\n\nA config push removed the DB pool limit.\n"),
        "{md}"
    );

    // The same text again records nothing.
    let out = alice.ok(&[
        "postmortem",
        "set",
        "root-causes",
        "A config push removed the DB pool limit.",
    ]);
    assert!(out.contains("nothing was recorded"), "{out}");
    assert_eq!(events(&alice), before + 1);

    let out = alice
        .cmd()
        .args(["postmortem", "set", "impact", "-"])
        .write_stdin("Checkout failed for 40% of users.\nNo data was lost.\n")
        .output()
        .expect("run");
    assert!(out.status.success(), "{:?}", texts(&out));
    let json = draft(&alice);
    let impact = section(&json, "impact");
    assert_eq!(impact["body"]["state"], "written");
    assert_eq!(
        impact["body"]["text"],
        "Checkout failed for 40% of users.\nNo data was lost."
    );
    assert_eq!(impact["body"]["by"], "alice");
    assert_eq!(events(&alice), before + 2);

    // A replacement stands alone: it replaced the version before it.
    alice.ok(&[
        "postmortem",
        "set",
        "impact",
        "Checkout failed for everyone.",
    ]);
    let json = draft(&alice);
    assert_eq!(
        section(&json, "impact")["body"]["text"],
        "Checkout failed for everyone."
    );
    assert_eq!(
        section(&json, "impact")["heads"].as_array().map(Vec::len),
        Some(1)
    );

    // Empty stdin is refused; an empty TEXT clears on purpose.
    let out = alice
        .cmd()
        .args(["postmortem", "set", "impact", "-"])
        .write_stdin("")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        texts(&out).1.contains("stdin held no text"),
        "{:?}",
        texts(&out)
    );
    alice.ok(&["postmortem", "set", "impact", ""]);
    assert_eq!(section(&draft(&alice), "impact")["body"]["state"], "empty");
}

#[test]
fn edit_records_what_the_editor_saved_and_nothing_else() {
    let alice = Fb::new();
    incident(&alice);
    let tmp = tempfile::tempdir().expect("temp dir");
    let seen = tmp.path().join("seen.txt");
    let write = script(
        tmp.path(),
        "write.sh",
        &format!(
            "cp \"$1\" '{}'\nprintf 'The pool limit was removed by a config push.\\n' > \"$1\"",
            seen.display()
        ),
    );

    // An unwritten section with nothing from the log opens with its prompt, as a
    // comment that is not recorded.
    let before = events(&alice);
    let (out, _) = edit_with(&alice, path_str(&write), tmp.path(), "root-causes", 0);
    assert!(out.contains("Root causes recorded"), "{out}");
    assert_eq!(events(&alice), before + 1, "one event");
    let opened = std::fs::read_to_string(&seen).expect("seen");
    assert!(
        opened.contains("Why it happened, down to the cause we can fix."),
        "{opened}"
    );
    let json = draft(&alice);
    assert_eq!(
        section(&json, "root_causes")["body"]["text"],
        "The pool limit was removed by a config push."
    );

    // Saved unchanged: nothing recorded, and it says so. `true` saves nothing.
    let (out, _) = edit_with(&alice, "true", tmp.path(), "root-causes", 0);
    assert!(
        out.contains("No change to Root causes; nothing was recorded"),
        "{out}"
    );
    assert_eq!(events(&alice), before + 1);

    // The editor opens on the current text; arguments in $EDITOR are passed on.
    let args = script(
        tmp.path(),
        "args.sh",
        &format!(
            "[ \"$1\" = --wait ]\ncp \"$2\" '{}'\nprintf 'edited\\n' >> \"$2\"",
            seen.display()
        ),
    );
    let editor = format!("{} --wait", path_str(&args));
    edit_with(&alice, &editor, tmp.path(), "root-causes", 0);
    assert_eq!(
        std::fs::read_to_string(&seen).expect("seen"),
        "The pool limit was removed by a config push.\n"
    );
    assert_eq!(
        section(&draft(&alice), "root_causes")["body"]["text"],
        "The pool limit was removed by a config push.\nedited"
    );
    assert_eq!(events(&alice), before + 2);

    // Conflict markers left in the text: refused, nothing recorded, the text kept.
    let markers = script(
        tmp.path(),
        "markers.sh",
        "printf '<<<<<<< version 1 of 2\\nmine\\n>>>>>>>\\n' > \"$1\"",
    );
    let (_, err) = edit_with(&alice, path_str(&markers), tmp.path(), "root-causes", 1);
    assert!(err.contains("conflict markers"), "{err}");
    assert!(err.contains("nothing was recorded"), "{err}");
    assert_eq!(events(&alice), before + 2);

    // An editor that fails records nothing.
    let (_, err) = edit_with(&alice, "false", tmp.path(), "root-causes", 1);
    assert!(err.contains("the editor `false` exited"), "{err}");
    assert_eq!(events(&alice), before + 2);
}

#[test]
fn edit_replaces_only_what_stood_when_the_editor_opened() {
    let alice = Fb::new();
    incident(&alice);
    alice.ok(&["postmortem", "set", "summary", "First words."]);
    let tmp = tempfile::tempdir().expect("temp dir");
    // While alice's editor is open, another write lands in the store (as a sync would
    // bring one): it must stand beside hers, not vanish under it.
    let meanwhile = script(
        tmp.path(),
        "meanwhile.sh",
        &format!(
            "'{}' --home '{}' --as bob postmortem set summary 'Bob wrote this meanwhile.'\nprintf 'Alice rewrote it.\\n' > \"$1\"",
            env!("CARGO_BIN_EXE_firebreak"),
            alice.home.path().display()
        ),
    );
    let (_, err) = edit_with(&alice, path_str(&meanwhile), tmp.path(), "summary", 0);
    assert!(
        err.contains("edited elsewhere while your editor was open"),
        "{err}"
    );
    let json = draft(&alice);
    let summary = section(&json, "summary");
    assert_eq!(summary["body"]["state"], "conflict", "{summary}");
    let texts: Vec<&str> = summary["body"]["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["value"].as_str().expect("text"))
        .collect();
    assert_eq!(texts, ["Bob wrote this meanwhile.", "Alice rewrote it."]);
}

#[test]
fn a_conflict_from_two_laptops_shows_every_version_and_edit_merges_them() {
    let alice = Fb::new();
    let bob = Fb::named("bob");
    incident(&alice);
    alice.ok(&[
        "postmortem",
        "set",
        "root-causes",
        "Something in the deploy.",
    ]);
    let drive = tempfile::tempdir().expect("temp dir");
    let to_bob = drive.path().join("to-bob.json");
    alice.ok(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&to_bob),
    ]);
    bob.ok(&["handoff", "import", path_str(&to_bob), "--no-accept"]);

    // Apart, both rewrite the version they saw.
    bob.ok(&[
        "postmortem",
        "set",
        "root-causes",
        "Bob: the pool limit was removed.",
    ]);
    alice.ok(&["postmortem", "set", "root-causes", "Alice: a config push."]);
    let to_alice = drive.path().join("to-alice.json");
    bob.ok(&[
        "handoff",
        "export",
        "--to",
        "alice",
        "--out",
        path_str(&to_alice),
    ]);
    alice.ok(&["handoff", "import", path_str(&to_alice), "--no-accept"]);

    let (md, note) = alice.expect(0, &["postmortem", "show"]);
    assert!(
        md.contains("Conflict: 2 versions written at the same time"),
        "{md}"
    );
    assert!(md.contains("**Version 1 of 2 \u{2014} bob, "), "{md}");
    assert!(md.contains("**Version 2 of 2 \u{2014} alice, "), "{md}");
    assert!(md.contains("Bob: the pool limit was removed."));
    assert!(md.contains("Alice: a config push."));
    assert!(
        !md.contains("Something in the deploy."),
        "the replaced version is gone"
    );
    assert!(
        note.contains("1 part holds versions written at the same time")
            && note.contains("root-causes")
            && note.contains("firebreak postmortem edit root-causes"),
        "{note}"
    );
    let (_, note) = alice.expect(0, &["postmortem", "show", "--format", "email"]);
    assert!(note.contains("written at the same time"), "{note}");

    // The editor opens on both versions under marker lines; the merge replaces both.
    let tmp = tempfile::tempdir().expect("temp dir");
    let seen = tmp.path().join("seen.txt");
    let merge = script(
        tmp.path(),
        "merge.sh",
        &format!(
            "cp \"$1\" '{}'\nprintf 'A config push removed the pool limit.\\n' > \"$1\"",
            seen.display()
        ),
    );
    let before = events(&alice);
    let (out, _) = edit_with(&alice, path_str(&merge), tmp.path(), "root-causes", 0);
    assert!(out.contains("replaces the 2 versions"), "{out}");
    assert_eq!(events(&alice), before + 1);
    let opened = std::fs::read_to_string(&seen).expect("seen");
    let bob_at = opened
        .find("<<<<<<< version 1 of 2 \u{2014} bob, ")
        .unwrap_or_else(|| panic!("{opened}"));
    let alice_at = opened
        .find("<<<<<<< version 2 of 2 \u{2014} alice, ")
        .unwrap_or_else(|| panic!("{opened}"));
    assert!(bob_at < alice_at);
    assert!(opened.contains("Bob: the pool limit was removed.\n<<<<<<< version 2"));
    assert!(
        opened.ends_with("Alice: a config push.\n>>>>>>>\n"),
        "{opened}"
    );
    assert!(
        opened.contains(" UTC\n"),
        "versions are dated in UTC: {opened}"
    );

    let (md, note) = alice.expect(0, &["postmortem", "show"]);
    assert!(
        md.contains("## Root causes\n\nA config push removed the pool limit.\n"),
        "{md}"
    );
    assert!(!md.contains("Conflict"), "{md}");
    assert!(note.is_empty(), "{note}");
    assert_eq!(
        files_in(tmp.path()),
        ["merge.sh", "seen.txt"],
        "temp file removed"
    );

    // Bob gets the merge and sees one text too.
    let back = drive.path().join("back.json");
    alice.ok(&["handoff", "export", "--to", "bob", "--out", path_str(&back)]);
    bob.ok(&["handoff", "import", path_str(&back), "--no-accept"]);
    assert_eq!(
        section(&draft(&bob), "root_causes")["body"]["text"],
        "A config push removed the pool limit."
    );
}

#[test]
fn a_conflict_is_settled_by_set_from_a_script() {
    let alice = Fb::new();
    let bob = Fb::named("bob");
    incident(&alice);
    let drive = tempfile::tempdir().expect("temp dir");
    let to_bob = drive.path().join("to-bob.json");
    alice.ok(&[
        "handoff",
        "export",
        "--to",
        "bob",
        "--out",
        path_str(&to_bob),
    ]);
    bob.ok(&["handoff", "import", path_str(&to_bob), "--no-accept"]);
    bob.ok(&["postmortem", "set", "impact", "Bob's impact."]);
    alice.ok(&["postmortem", "set", "impact", "Alice's impact."]);
    let to_alice = drive.path().join("to-alice.json");
    bob.ok(&[
        "handoff",
        "export",
        "--to",
        "alice",
        "--out",
        path_str(&to_alice),
    ]);
    alice.ok(&["handoff", "import", path_str(&to_alice), "--no-accept"]);
    assert_eq!(
        section(&draft(&alice), "impact")["body"]["state"],
        "conflict"
    );

    let out = alice.ok(&["postmortem", "set", "impact", "Both: everyone."]);
    assert!(out.contains("replaces the 2 versions"), "{out}");
    assert_eq!(
        section(&draft(&alice), "impact")["body"]["text"],
        "Both: everyone."
    );
}

#[test]
fn timeline_curation_shows_in_the_timeline_and_the_document() {
    let alice = Fb::new();
    incident(&alice);
    let noise = note_id(&alice, "coffee machine is down too", "note");
    let lb = alice
        .log()
        .into_iter()
        .find(|e| e["text"] == "LB reports 0/4 app servers healthy")
        .expect("the observation")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let short = |id: &str| id.replace('-', "")[24..].to_string();

    let listed = alice.ok(&["postmortem", "timeline"]);
    assert!(listed.contains(&short(&lb)), "{listed}");
    assert!(listed.contains("key moment: first report"), "{listed}");
    assert!(!listed.contains("Runbook started"), "{listed}");
    let all = alice.ok(&["postmortem", "timeline", "--all"]);
    assert!(
        all.contains("Runbook started") && all.contains("not in the document"),
        "{all}"
    );

    let before = events(&alice);
    alice.ok(&["postmortem", "star", &short(&lb)]);
    alice.ok(&["postmortem", "hide", &short(&noise)]);
    alice.ok(&[
        "postmortem",
        "annotate",
        &short(&lb),
        "the first sign anyone saw",
    ]);
    assert_eq!(events(&alice), before + 3);
    // Starring it again changes nothing.
    let out = alice.ok(&["postmortem", "star", &short(&lb)]);
    assert!(
        out.contains("already starred; nothing was recorded"),
        "{out}"
    );
    assert_eq!(events(&alice), before + 3);

    let all = alice.ok(&["postmortem", "timeline", "--all"]);
    let lb_line = all
        .lines()
        .find(|l| l.contains(&short(&lb)))
        .expect("the starred entry");
    assert!(lb_line.contains("\u{2605} starred"), "{lb_line}");
    assert!(
        all.contains("annotation (alice): the first sign anyone saw"),
        "{all}"
    );
    let noise_line = all
        .lines()
        .find(|l| l.contains(&short(&noise)))
        .expect("the hidden entry");
    assert!(noise_line.contains("hidden"), "{noise_line}");
    let listed = alice.ok(&["postmortem", "timeline"]);
    assert!(!listed.contains("coffee machine"), "{listed}");
    let json = alice.json(&["postmortem", "timeline", "--all"]);
    let entry = json
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["id"] == lb.as_str())
        .expect("entry");
    assert_eq!(entry["short_id"], short(&lb).as_str());
    assert_eq!(entry["starred"], true);

    let md = alice.ok(&["postmortem", "show"]);
    assert!(md.contains("\u{2605} **"), "{md}");
    assert!(md.contains("_the first sign anyone saw_ (alice)"), "{md}");
    assert!(!md.contains("coffee machine"), "{md}");

    // Back again: unstar, show ENTRY (the same as unhide), remove and re-add a note.
    alice.ok(&["postmortem", "unstar", &short(&lb)]);
    alice.ok(&["postmortem", "show", &short(&noise)]);
    alice.ok(&["postmortem", "annotate", &short(&lb), ""]);
    let md = alice.ok(&["postmortem", "show"]);
    assert!(md.contains("coffee machine"), "{md}");
    assert!(!md.contains("\u{2605} **"), "{md}");
    assert!(!md.contains("the first sign"), "{md}");
    alice.ok(&["postmortem", "annotate", &short(&lb), "seen at 13:02"]);
    let (md, note) = alice.expect(0, &["postmortem", "show"]);
    assert!(md.contains("_seen at 13:02_ (alice)"), "{md}");
    assert!(
        note.is_empty(),
        "a re-added annotation is no conflict: {note}"
    );
}

#[test]
fn actions_are_added_changed_and_listed() {
    let alice = Fb::new();
    incident(&alice);
    let out = alice.ok(&[
        "postmortem",
        "action",
        "add",
        "Restore the DB pool limit",
        "--owner",
        "bob",
        "--ticket",
        "OPS-12",
    ]);
    assert!(out.starts_with("Added corrective action ["), "{out}");
    let fix = bracketed(&out);
    assert_eq!(fix.len(), 8);
    let out = alice.ok(&[
        "postmortem",
        "action",
        "add",
        "Lint config pushes for pool settings",
        "--preventive",
    ]);
    assert!(out.starts_with("Added preventive action ["), "{out}");
    let lint = bracketed(&out);

    let list = alice.ok(&["postmortem", "action", "list"]);
    let fix_line = list.lines().find(|l| l.starts_with(&fix)).expect("listed");
    assert!(
        fix_line.contains("corrective")
            && fix_line.contains("open")
            && fix_line.contains("bob")
            && fix_line.contains("OPS-12"),
        "{fix_line}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with(&lint) && l.contains("preventive"))
    );

    let out = alice.ok(&["postmortem", "action", "done", &fix]);
    assert!(out.contains(&format!("Action [{fix}] done")), "{out}");
    let out = alice.ok(&["postmortem", "action", "done", &fix]);
    assert!(out.contains("already done; nothing was recorded"), "{out}");
    alice.ok(&[
        "postmortem",
        "action",
        "set",
        &lint,
        "--status",
        "in-progress",
        "--owner",
        "carol",
        "--ticket",
        "OPS-13",
        "--text",
        "Lint every config push",
    ]);

    let json = alice.json(&["postmortem", "action", "list"]);
    let actions = json.as_array().expect("array");
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[0]["short_id"], fix.as_str());
    assert_eq!(actions[0]["status"], "done");
    assert_eq!(actions[0]["class"], "corrective");
    assert_eq!(actions[1]["status"], "in_progress");
    assert_eq!(actions[1]["owner"], "carol");
    assert_eq!(actions[1]["ticket"], "OPS-13");
    assert_eq!(actions[1]["text"], "Lint every config push");

    // An empty owner clears it.
    alice.ok(&["postmortem", "action", "set", &lint, "--owner", ""]);
    let json = alice.json(&["postmortem", "action", "list"]);
    assert_eq!(json[1]["owner"], Value::Null);

    let md = alice.ok(&["postmortem", "show"]);
    assert!(
        md.contains("| Restore the DB pool limit | corrective | bob | OPS-12 | done |"),
        "{md}"
    );
    assert!(
        md.contains("| Lint every config push | preventive | \u{2014} | OPS-13 | in progress |"),
        "{md}"
    );
}

#[test]
fn tollgates_list_the_default_gates_and_take_rows() {
    let alice = Fb::new();
    incident(&alice);
    let list = alice.ok(&["postmortem", "tollgate", "list"]);
    for gate in ["Unit tests", "Integration / UAT", "Post-release checkouts"] {
        let line = list
            .lines()
            .find(|l| l.starts_with(gate))
            .unwrap_or_else(|| panic!("no {gate} in {list}"));
        assert!(line.contains("not analysed yet"), "{line}");
    }

    alice.ok(&[
        "postmortem",
        "tollgate",
        "add",
        "integration/uat",
        "--why",
        "UAT has no pool limit at all",
        "--ticket",
        "QA-7",
    ]);
    alice.ok(&[
        "postmortem",
        "tollgate",
        "add",
        "Canary",
        "--why",
        "there is none",
    ]);
    let list = alice.ok(&["postmortem", "tollgate", "list"]);
    let line = list
        .lines()
        .find(|l| l.starts_with("Integration / UAT"))
        .expect("row");
    assert!(
        line.contains("UAT has no pool limit at all") && line.contains("QA-7"),
        "{line}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("Canary") && l.contains("there is none"))
    );

    // A new row for the same gate replaces the one standing.
    alice.ok(&[
        "postmortem",
        "tollgate",
        "add",
        "Integration / UAT",
        "--why",
        "UAT's pool limit differs from prod's",
    ]);
    let json = alice.json(&["postmortem", "tollgate", "list"]);
    let gates = json.as_array().expect("array");
    assert_eq!(gates.len(), 4);
    let uat = gates
        .iter()
        .find(|g| g["gate"] == "Integration / UAT")
        .expect("uat");
    let versions = uat["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(
        versions[0]["value"]["why_missed"],
        "UAT's pool limit differs from prod's"
    );

    let md = alice.ok(&["postmortem", "show"]);
    assert!(
        md.contains("| Integration / UAT | UAT's pool limit differs from prod's |"),
        "{md}"
    );
    assert!(md.contains("| Unit tests | _not analysed yet_ |"), "{md}");
}

#[test]
fn a_milestone_time_changes_the_durations_and_clear_puts_it_back() {
    let alice = Fb::new();
    incident(&alice);
    let detect = |fb: &Fb| draft(fb)["durations"]["to_detect_secs"].as_i64();
    let row = |fb: &Fb| {
        fb.ok(&["postmortem", "show"])
            .lines()
            .find(|l| l.starts_with("| Time to detect |"))
            .expect("row")
            .to_string()
    };
    let from_log = detect(&alice).expect("known from the log");
    assert!(from_log < 60, "{from_log}");
    let row_before = row(&alice);

    let out = alice.ok(&["postmortem", "time", "began", "2h ago"]);
    assert!(
        out.contains("Impact began: ") && out.contains("(set by alice)"),
        "{out}"
    );
    let set = detect(&alice).expect("known");
    assert!((7_100..=7_200).contains(&set), "{set}");
    let row_set = row(&alice);
    assert_ne!(row_set, row_before);
    assert!(
        row_set.contains("1h 5") || row_set.contains("2h 00m"),
        "{row_set}"
    );
    assert!(
        alice.ok(&["postmortem", "show"]).contains("(set by alice)"),
        "the header says who set it"
    );

    let out = alice.ok(&["postmortem", "time", "began", "--clear"]);
    assert!(out.contains("from the log"), "{out}");
    assert_eq!(detect(&alice), Some(from_log));
    assert_eq!(row(&alice), row_before);
}

#[test]
fn bad_inputs_are_refused_and_record_nothing() {
    let alice = Fb::new();
    incident(&alice);
    let note = note_id(&alice, "a plain note", "note");
    let out = alice.ok(&["postmortem", "action", "add", "Fix it"]);
    let action = bracketed(&out);
    let dir = tempfile::tempdir().expect("temp dir");
    let existing = dir.path().join("pm.md");
    std::fs::write(&existing, "someone's file").expect("write");
    let before = events(&alice);

    let err = alice.fails(&["postmortem", "set", "rootcause", "x"]);
    assert!(
        err.contains("invalid section \"rootcause\"")
            && err.contains("root-causes")
            && err.contains("went-well"),
        "{err}"
    );
    let err = alice.fails(&["postmortem", "edit", "lessons"]);
    assert!(err.contains("invalid section"), "{err}");

    let err = alice.fails(&["postmortem", "star", "deadbeef"]);
    assert!(err.contains("no event matches \"deadbeef\""), "{err}");
    let err = alice.fails(&["postmortem", "annotate", "deadbeef", "text"]);
    assert!(err.contains("no event matches"), "{err}");
    // A post-mortem edit is not a timeline entry.
    let err = alice.fails(&["postmortem", "hide", &action]);
    assert!(
        err.contains("not an entry of the post-mortem's timeline"),
        "{err}"
    );

    let err = alice.fails(&["postmortem", "action", "done", &note]);
    assert!(err.contains("is not a post-mortem action"), "{err}");
    assert!(err.contains("postmortem action list"), "{err}");
    let err = alice.fails(&["postmortem", "action", "set", &note, "--owner", "bob"]);
    assert!(err.contains("is not a post-mortem action"), "{err}");
    let err = alice.fails(&["postmortem", "action", "set", &action, "--status", "later"]);
    assert!(
        err.contains("invalid action status") && err.contains("wont-do"),
        "{err}"
    );
    let err = alice.fails(&["postmortem", "action", "add", "  "]);
    assert!(err.contains("is empty"), "{err}");

    let err = alice.fails(&["postmortem", "tollgate", "add", "Unit tests", "--why", " "]);
    assert!(err.contains("why the tollgate missed it is empty"), "{err}");

    let err = alice.fails(&["postmortem", "time", "later", "13:00"]);
    assert!(
        err.contains("invalid milestone") && err.contains("mitigated"),
        "{err}"
    );
    let err = alice.fails(&["postmortem", "time", "began", "yesterday-ish"]);
    assert!(err.contains("yesterday-ish"), "{err}");
    let err = alice.fails(&["postmortem", "time", "began", "2099-01-01T00:00:00Z"]);
    assert!(err.contains("in the future"), "{err}");

    let err = alice.fails(&["postmortem", "show", "--out", path_str(&existing)]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&existing).expect("kept"),
        "someone's file"
    );

    let err = alice.fails(&["postmortem", "timeline", "--incident", "ffffffff"]);
    assert!(err.contains("no incident matches"), "{err}");

    // Command lines clap cannot read are usage errors.
    alice.expect(2, &["postmortem", "action", "set", &action]);
    alice.expect(2, &["postmortem", "time", "began"]);
    alice.expect(2, &["postmortem", "time", "began", "13:00", "--clear"]);
    alice.expect(2, &["postmortem", "show", "--format", "pdf"]);

    assert_eq!(events(&alice), before, "nothing was recorded");
}

#[test]
fn commands_act_on_the_incident_named() {
    let alice = Fb::new();
    let first = incident(&alice);
    let second = alice.start("Search is slow", &[], &[]);
    alice.ok(&[
        "postmortem",
        "set",
        "summary",
        "About checkout.",
        "--incident",
        &first,
    ]);
    let md = alice.ok(&["postmortem", "show", "--incident", &first]);
    assert!(md.contains("About checkout."), "{md}");
    let md = alice.ok(&["postmortem", "show"]);
    assert!(md.starts_with("# Post-mortem: Search is slow"), "{md}");
    assert!(!md.contains("About checkout."), "{md}");

    // An entry of the first incident cannot be starred in the second.
    let lb = alice
        .json(&["log", "--incident", &first])
        .as_array()
        .expect("log")
        .iter()
        .find(|e| e["kind"] == "observation")
        .expect("the observation")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let err = alice.fails(&["postmortem", "star", &lb, "--incident", &second]);
    assert!(err.contains("belongs to another incident"), "{err}");
    // Without --incident, the entry's own incident is meant.
    alice.ok(&["postmortem", "star", &lb]);
    let md = alice.ok(&["postmortem", "show", "--incident", &first]);
    assert!(md.contains("\u{2605} **"), "{md}");
}
