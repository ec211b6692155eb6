//! The `firebreak` command, driven as a person or a script would: a real binary, a real
//! store in a temporary directory.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

struct Fb {
    home: TempDir,
}

impl Fb {
    fn new() -> Fb {
        Fb {
            home: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("firebreak").expect("binary");
        cmd.arg("--home")
            .arg(self.home.path())
            .env_remove("FIREBREAK_HOME")
            .env("FIREBREAK_AUTHOR", "alice");
        cmd
    }

    /// Runs and expects success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "firebreak {args:?} failed: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs and expects failure with exit code 1; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(1),
            "firebreak {args:?} should fail with 1; stdout: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).expect("utf-8")
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.ok(&all)).expect("valid JSON")
    }

    /// Starts an incident running the bundled production-outage runbook; returns its id.
    fn start(&self, title: &str) -> String {
        let v = self.json(&["incident", "start", title, "--runbook", "production-outage"]);
        v["id"].as_str().expect("id").to_string()
    }

    fn log(&self) -> Value {
        self.json(&["log"])
    }

    /// Everything a command could have changed: the incident list and every incident's
    /// log.
    fn snapshot(&self) -> (Value, Vec<Value>) {
        let incidents = self.json(&["incident", "list"]);
        let logs = incidents
            .as_array()
            .expect("array")
            .iter()
            .map(|i| self.json(&["log", "--incident", i["id"].as_str().expect("id")]))
            .collect();
        (incidents, logs)
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write");
    path
}

const GOOD_RUNBOOK: &str = "---
title: Cache trouble
id: cache-trouble
variables:
  cache_host: cache.example.com
---
# Cache trouble

## Look

- [ ] Check the hit rate
- [ ] Check evictions
  - [ ] On the primary
  - [ ] On the replicas

## Fix

1. Flush the hot keys
";

const BAD_PROBE_RUNBOOK: &str = "# Broken

- [ ] Probe it

  ```probe
  kind = \"htp\"
  url = \"https://example.com\"
  ```
";

#[test]
fn bundled_runbooks_are_there_from_the_start() {
    let fb = Fb::new();
    let list = fb.json(&["runbook", "list"]);
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    for id in [
        "production-outage",
        "narrow-top-down",
        "narrow-bottom-up",
        "corrective-actions",
        "restore-service",
        "post-incident-review",
        "shift-handoff",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    for r in list.as_array().expect("array") {
        assert!(r["steps"].as_u64().expect("steps") >= 10, "{r}");
        assert!(!r["title"].as_str().expect("title").is_empty());
    }
    let text = fb.ok(&["runbook", "list"]);
    assert!(text.contains("production-outage"), "{text}");
}

#[test]
fn import_list_show_search_runbooks() {
    let fb = Fb::new();
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path(), "team/cache.md", GOOD_RUNBOOK);
    let out = fb.ok(&["runbook", "import", dir.path().to_str().expect("path")]);
    assert!(out.contains("cache-trouble"), "{out}");
    assert!(out.contains("1 of 1 files imported"), "{out}");

    let list = fb.json(&["runbook", "list"]);
    let cache = list
        .as_array()
        .expect("array")
        .iter()
        .find(|r| r["id"] == "cache-trouble")
        .expect("imported runbook listed");
    assert_eq!(cache["title"], "Cache trouble");
    assert_eq!(cache["steps"], 5);

    let show = fb.json(&["runbook", "show", "cache-trouble"]);
    assert_eq!(show["steps"], 5);
    assert_eq!(
        show["runbook"]["front_matter"]["variables"]["cache_host"],
        "cache.example.com"
    );
    let human = fb.ok(&["runbook", "show", "cache-trouble"]);
    assert!(
        human.contains("2.1") && human.contains("On the primary"),
        "{human}"
    );

    let hits = fb.json(&["runbook", "search", "evictions"]);
    assert_eq!(hits[0]["id"], "cache-trouble", "{hits}");
    let prefix = fb.json(&["runbook", "search", "evict"]);
    assert_eq!(
        prefix[0]["id"], "cache-trouble",
        "search as you type: {prefix}"
    );
    let none = fb.json(&["runbook", "search", "zzzyzzy"]);
    assert_eq!(none, Value::Array(vec![]));

    // Re-importing changes nothing; a changed file becomes a new version.
    let again = fb.json(&["runbook", "import", dir.path().to_str().expect("path")]);
    assert_eq!(again["files"][0]["change"], "unchanged", "{again}");
    write(
        dir.path(),
        "team/cache.md",
        &GOOD_RUNBOOK.replace("Flush the hot keys", "Flush only the hot keys"),
    );
    let changed = fb.json(&["runbook", "import", dir.path().to_str().expect("path")]);
    assert_eq!(changed["files"][0]["change"], "new_version", "{changed}");
}

#[test]
fn a_bad_file_is_reported_with_its_place_and_the_others_still_import() {
    let fb = Fb::new();
    let dir = tempfile::tempdir().expect("dir");
    write(dir.path(), "a-good.md", GOOD_RUNBOOK);
    let bad = write(dir.path(), "b-bad.md", BAD_PROBE_RUNBOOK);
    let out = fb
        .cmd()
        .args(["runbook", "import", dir.path().to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed file makes the import exit 1"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected_prefix = format!("{}:6:", bad.display());
    assert!(
        stderr.contains(&expected_prefix),
        "want {expected_prefix} in: {stderr}"
    );
    assert!(stderr.contains("htp"), "names the bad kind: {stderr}");
    let list = fb.json(&["runbook", "list"]);
    let ids: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(
        ids.contains(&"cache-trouble"),
        "the good file imported: {ids:?}"
    );
    assert!(!ids.contains(&"b-bad"), "the bad file did not: {ids:?}");
}

#[test]
fn unreadable_and_missing_files_are_errors() {
    let fb = Fb::new();
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("nope.md");
    let err = fb.fails(&["runbook", "import", missing.to_str().expect("path")]);
    assert!(
        err.contains("nope.md") && err.contains("cannot read"),
        "{err}"
    );

    let binary = dir.path().join("binary.md");
    std::fs::write(&binary, b"# Title\n\n- step \xff\xfe\n").expect("write");
    let err = fb.fails(&["runbook", "import", binary.to_str().expect("path")]);
    assert!(err.contains("binary.md:3:8: expected UTF-8"), "{err}");
}

#[test]
fn incident_lifecycle_through_the_cli() {
    let fb = Fb::new();
    let id = fb.start("Checkout returns 500");
    let list = fb.json(&["incident", "list"]);
    assert_eq!(list[0]["id"], id.as_str());
    assert_eq!(list[0]["status"], "investigating");
    assert_eq!(list[0]["runbooks"][0], "production-outage");

    fb.ok(&["incident", "severity", "sev1"]);
    fb.ok(&["incident", "lead", "bob"]);
    fb.ok(&["incident", "assign", "comms", "carol"]);
    fb.ok(&["incident", "status", "identified"]);
    let show = fb.json(&["incident", "show"]);
    assert_eq!(show["severity"], "SEV1");
    assert_eq!(show["leader"], "bob");
    assert_eq!(show["roles"]["comms"], "carol");
    assert_eq!(show["status"], "identified");
    let steps = show["runs"][0]["steps"].as_array().expect("steps");
    assert!(steps.len() > 10);
    assert!(steps.iter().all(|s| s["state"] == "open"));

    // Steps: check, skip, reopen, by ref taken from the JSON.
    let first = steps[0]["ref"].as_str().expect("ref").to_string();
    let second = steps[1]["ref"].as_str().expect("ref").to_string();
    fb.ok(&["step", "check", &first]);
    fb.ok(&["step", "skip", &second, "--reason", "no CDN here"]);
    let show = fb.json(&["incident", "show", &id]);
    let steps = show["runs"][0]["steps"].as_array().expect("steps");
    assert_eq!(steps[0]["state"], "checked");
    assert_eq!(steps[0]["by"], "alice");
    assert_eq!(steps[1]["state"], "skipped");
    assert_eq!(steps[1]["reason"], "no CDN here");
    fb.ok(&["step", "reopen", &first]);
    let show = fb.json(&["incident", "show"]);
    assert_eq!(show["runs"][0]["steps"][0]["state"], "open");
    // The qualified form works too.
    let qualified = show["runs"][0]["steps"][0]["qualified_ref"]
        .as_str()
        .expect("q")
        .to_string();
    fb.ok(&["step", "check", &qualified]);
    assert_eq!(
        fb.json(&["incident", "show"])["runs"][0]["steps"][0]["state"],
        "checked"
    );

    // Another runbook: short refs become ambiguous and the error says what to type.
    fb.ok(&["incident", "run", "narrow-top-down"]);
    let err = fb.fails(&["step", "check", "1"]);
    assert!(
        err.contains("production-outage:1") && err.contains("narrow-top-down:1"),
        "{err}"
    );
    fb.ok(&["step", "check", "narrow-top-down:1"]);

    fb.ok(&["incident", "status", "resolved"]);
    let list = fb.json(&["incident", "list"]);
    assert_eq!(list[0]["status"], "resolved");
    assert_eq!(list[0]["open"], false);
    // With no open incident, commands that need one say so.
    let err = fb.fails(&["note", "anything"]);
    assert!(err.contains("no open incident"), "{err}");
    // But an explicit --incident still works on a resolved one (the review happens after).
    fb.ok(&["note", "review scheduled", "--incident", &id]);

    let human = fb.ok(&["incident", "show", &id]);
    assert!(
        human.contains("Checkout returns 500") && human.contains("resolved"),
        "{human}"
    );
    let human_list = fb.ok(&["incident", "list"]);
    assert!(human_list.contains("Checkout returns 500"), "{human_list}");
}

#[test]
fn notes_of_every_kind_backdated_private_amended_retracted() {
    let fb = Fb::new();
    fb.start("DB failover");
    for kind in [
        "note",
        "observation",
        "hypothesis",
        "decision",
        "action",
        "update",
    ] {
        fb.ok(&["note", &format!("a {kind}"), "--kind", kind]);
    }
    let back = fb.json(&["note", "pager fired", "--at", "10m ago"]);
    let private = fb.json(&["note", "I am tired", "--private"]);
    assert_eq!(private["private"], true);
    let log = fb.log();
    let events = log.as_array().expect("array");
    for kind in [
        "note",
        "observation",
        "hypothesis",
        "decision",
        "action",
        "update",
    ] {
        let e = events
            .iter()
            .find(|e| e["text"] == format!("a {kind}"))
            .expect("recorded");
        assert_eq!(e["kind"], kind);
        assert_eq!(e["author"], "alice");
        for field in ["id", "device", "recorded_at"] {
            assert!(e[field].is_string(), "{field} in {e}");
        }
        assert!(e.get("occurred_at").is_some());
    }
    let backdated = events
        .iter()
        .find(|e| e["id"] == back["id"])
        .expect("backdated");
    assert!(backdated["occurred_at"].is_string());
    assert!(backdated["occurred_at"].as_str() < backdated["recorded_at"].as_str());

    // Amend by short id (the last 8 hex digits, as `log` prints them).
    let obs = events
        .iter()
        .find(|e| e["text"] == "a observation")
        .expect("obs");
    let obs_id = obs["id"].as_str().expect("id");
    let short = &obs_id.replace('-', "")[24..];
    fb.ok(&["amend", short, "LB shows 1/4 healthy"]);
    let hyp = events
        .iter()
        .find(|e| e["text"] == "a hypothesis")
        .expect("hyp");
    fb.ok(&[
        "retract",
        hyp["id"].as_str().expect("id"),
        "--reason",
        "disproved",
    ]);
    let log = fb.log();
    let events = log.as_array().expect("array");
    let obs = events
        .iter()
        .find(|e| e["id"] == obs_id)
        .expect("still there");
    assert_eq!(obs["text"], "a observation", "the original is kept");
    assert_eq!(obs["current_text"], "LB shows 1/4 healthy");
    let hyp = events
        .iter()
        .find(|e| e["id"] == hyp["id"])
        .expect("still there");
    assert_eq!(hyp["retracted"], true);
    assert!(events.iter().any(|e| e["kind"] == "amended"));
    assert!(events.iter().any(|e| e["kind"] == "retracted"));

    let human = fb.ok(&["log"]);
    assert!(
        human.contains("LB shows 1/4 healthy") && human.contains("(amended"),
        "{human}"
    );
    assert!(human.contains("RETRACTED (disproved)"), "{human}");
    assert!(human.contains("private"), "{human}");
    let only_obs = fb.json(&["log", "--kind", "observation"]);
    assert_eq!(only_obs.as_array().expect("array").len(), 1);
    let by_bob = fb.json(&["log", "--author", "bob"]);
    assert_eq!(by_bob, Value::Array(vec![]));

    // Retracting twice, or amending a retracted finding, is refused.
    let err = fb.fails(&["retract", hyp["id"].as_str().expect("id")]);
    assert!(err.contains("retracted"), "{err}");
    // Amending a non-finding is refused.
    let start_event = events
        .iter()
        .find(|e| e["kind"] == "incident_started")
        .expect("start");
    let err = fb.fails(&["amend", start_event["id"].as_str().expect("id"), "x"]);
    assert!(err.contains("only findings"), "{err}");
}

#[test]
fn author_comes_from_as_then_env_then_config() {
    let fb = Fb::new();
    fb.start("who");
    fb.cmd()
        .args(["--as", "dave", "note", "from dave"])
        .assert()
        .success();
    fb.cmd()
        .env_remove("FIREBREAK_AUTHOR")
        .args(["config", "set", "author", "erin"])
        .assert()
        .success();
    fb.cmd()
        .env_remove("FIREBREAK_AUTHOR")
        .args(["note", "from erin"])
        .assert()
        .success();
    let log = fb.log();
    let author_of = |text: &str| {
        log.as_array()
            .expect("array")
            .iter()
            .find(|e| e["text"] == text)
            .map(|e| e["author"].as_str().expect("author").to_string())
    };
    assert_eq!(author_of("from dave").as_deref(), Some("dave"));
    assert_eq!(author_of("from erin").as_deref(), Some("erin"));
    let err = fb.fails(&["config", "set", "colour", "red"]);
    assert!(err.contains("unknown setting"), "{err}");
}

#[test]
fn search_finds_findings_across_incidents() {
    let fb = Fb::new();
    let first = fb.start("one");
    fb.ok(&[
        "note",
        "replica lag on db-2 is 40s",
        "--kind",
        "observation",
    ]);
    fb.start("two");
    fb.ok(&["note", "replica set has two primaries"]);
    let hits = fb.json(&["search", "replica"]);
    assert_eq!(hits.as_array().expect("array").len(), 2);
    assert_eq!(
        hits[0]["text"], "replica set has two primaries",
        "newest first"
    );
    let scoped = fb.json(&["search", "replica", "--incident", &first]);
    assert_eq!(scoped.as_array().expect("array").len(), 1);
    let prefix = fb.json(&["search", "prim"]);
    assert_eq!(prefix.as_array().expect("array").len(), 1);
    // FTS syntax typed by a person is not an error.
    fb.ok(&["search", "\"db-2\" AND (lag OR"]);
}

#[test]
fn export_markdown_to_stdout_and_file() {
    let fb = Fb::new();
    let id = fb.start("Login loop");
    fb.ok(&["note", "users stuck on /login", "--kind", "observation"]);
    fb.ok(&["note", "secret musing", "--private"]);
    fb.ok(&["step", "check", "1"]);
    let md = fb.ok(&["export", "--format", "markdown"]);
    assert!(md.starts_with("# Login loop\n"), "{md}");
    assert!(md.contains("users stuck on /login"), "{md}");
    assert!(md.contains("- [x] **1**"), "{md}");
    assert!(
        !md.contains("secret musing"),
        "private findings stay out: {md}"
    );
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("incident.md");
    fb.ok(&[
        "export",
        &id,
        "--format",
        "markdown",
        "--out",
        out.to_str().expect("path"),
        "--include-private",
    ]);
    let written = std::fs::read_to_string(&out).expect("written");
    assert!(written.contains("secret musing"));
    let err = fb
        .cmd()
        .args(["export", "--format", "pdf"])
        .output()
        .expect("run");
    assert_eq!(err.status.code(), Some(2), "clap rejects unknown formats");
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let fb = Fb::new();
    // No incident at all.
    let err = fb.fails(&["note", "hello"]);
    assert!(err.contains("no open incident"), "{err}");
    let err = fb.fails(&["step", "check", "1"]);
    assert!(err.contains("no open incident"), "{err}");
    let err = fb.fails(&["log"]);
    assert!(err.contains("no open incident"), "{err}");

    fb.start("Queue backlog");
    let before = fb.snapshot();
    let cases: &[(&[&str], &str)] = &[
        (
            &["note", "x", "--incident", "deadbeef"],
            "no incident matches \"deadbeef\"",
        ),
        (&["step", "check", "999"], "there is no step 999"),
        (&["step", "check", "1.99"], "there is no step 1.99"),
        (&["step", "check", "abc"], "expected a step number"),
        (
            &["step", "check", "other-runbook:1"],
            "runs no runbook \"other-runbook\"",
        ),
        (&["note", "x", "--at", "yesterday-ish"], "expected HH:MM"),
        (&["note", "x", "--at", "25:61"], "expected HH:MM"),
        (
            &["note", "x", "--at", "2099-01-01T00:00:00Z"],
            "in the future",
        ),
        (&["note", "   "], "empty"),
        (&["amend", "0000", "x"], "no event matches"),
        (&["amend", "zz", "x"], "no event matches"),
        (&["retract", "ffffffff"], "no event matches"),
        (
            &["incident", "status", "on-fire"],
            "expected one of investigating",
        ),
        (&["incident", "severity", "sev9"], "expected one of SEV1"),
        (
            &["incident", "assign", "boss", "x"],
            "expected one of leader, comms, scribe",
        ),
        (
            &["incident", "start", "y", "--runbook", "no-such-runbook"],
            "no runbook \"no-such-runbook\"",
        ),
        (&["incident", "start", "  "], "empty"),
        (
            &["incident", "run", "production-outage"],
            "already runs runbook production-outage",
        ),
        (&["incident", "show", "nope"], "no incident matches"),
        (&["runbook", "show", "nope"], "no runbook \"nope\""),
        (&["log", "--kind", "gossip"], "unknown kind"),
    ];
    for (args, expected) in cases {
        let err = fb.fails(args);
        assert!(
            err.contains(expected),
            "firebreak {args:?}: want {expected:?} in {err:?}"
        );
        assert!(
            err.starts_with("firebreak: "),
            "errors are prefixed: {err:?}"
        );
    }
    assert_eq!(fb.snapshot(), before, "refused commands changed nothing");
    // A bad flag value clap rejects is exit 2.
    let out = fb
        .cmd()
        .args(["note", "x", "--kind", "rumour"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(fb.snapshot(), before);
}

#[test]
fn a_store_from_a_newer_firebreak_is_refused_and_left_alone() {
    let fb = Fb::new();
    fb.start("x");
    let db = fb.home.path().join("firebreak.db");
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute_batch("PRAGMA user_version = 99")
            .expect("bump");
    }
    let before = std::fs::read(&db).expect("read");
    let err = fb.fails(&["incident", "list"]);
    assert!(err.contains("newer Firebreak"), "{err}");
    assert!(err.contains("99"), "names the version it found: {err}");
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file is untouched"
    );
}

#[test]
fn help_is_there_for_every_command() {
    let fb = Fb::new();
    let top = fb.ok(&["--help"]);
    for cmd in [
        "runbook", "incident", "step", "note", "amend", "retract", "conclude", "log", "export",
        "search", "handoff",
    ] {
        assert!(top.contains(cmd), "{cmd} in --help");
    }
    let handoff = fb.ok(&["handoff", "--help"]);
    for sub in [
        "draft", "export", "import", "send", "inbox", "accept", "list",
    ] {
        assert!(handoff.contains(sub), "{sub} in handoff --help");
    }
    assert!(handoff.contains("Exit codes"), "{handoff}");
    let send = fb.ok(&["handoff", "send", "--help"]);
    assert!(send.contains("4 `send` recorded the handoff"), "{send}");
}
