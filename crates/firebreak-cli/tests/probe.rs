//! `firebreak probe …` and `incident var`, driven as a person or a script would: the
//! real binary, a real store in a temporary directory, and servers on 127.0.0.1.
//!
//! Network rule: these tests send traffic to 127.0.0.1 only. Runbook probes run only
//! after every placeholder of the selected step is set to a loopback address and a dry
//! run has shown that every planned target is loopback.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::{Fb, HttpServer, Silent, assert_loopback_only, path_str, refused_port, wait_until};

fn results(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a JSON array of results")
}

#[test]
fn check_prints_every_field_and_records_in_the_open_incident() {
    let fb = Fb::new();
    let api = HttpServer::start(200, "ok");
    let url = api.url("/health");

    // No incident yet: it runs, says on stderr that nothing was recorded.
    let (stdout, stderr) = fb.expect(0, &["probe", "check", &url, "--json"]);
    assert!(
        stderr.contains("not recorded: no open incident"),
        "{stderr}"
    );
    let v: Value = serde_json::from_str(&stdout).expect("json");
    let r = &results(&v)[0];
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["kind"], "http");
    assert_eq!(r["target"], url.as_str());
    assert!(r["name"].is_null());
    assert_eq!(r["resolved_addr"], api.addr().as_str());
    assert_eq!(r["outcome"]["status"], "passed");
    assert!(r["reason"].as_str().expect("reason").contains("status 200"));
    assert!(r["class"].is_null());
    assert_eq!(r["key"], format!("http {url}").as_str());
    assert!(r["step"].is_null());
    assert!(r["event"].is_null());
    assert_eq!(r["skipped"], false);
    for phase in ["dns_ms", "connect_ms", "first_byte_ms", "total_ms"] {
        assert!(r["timings"][phase].is_number(), "{phase}: {r}");
    }
    assert!(r["timings"]["tls_ms"].is_null(), "plain http has no TLS");
    assert_eq!(r["http"]["status"], 200);

    // With an open incident, the result is an event in its log.
    fb.start("API down", &[], &[]);
    let v = fb.json(&["probe", "check", &url]);
    let event = results(&v)[0]["event"]
        .as_str()
        .expect("recorded")
        .to_string();
    let probes = fb.probe_events();
    assert_eq!(probes.len(), 1, "{probes:?}");
    assert_eq!(probes[0]["id"], event.as_str());
    assert_eq!(probes[0]["author"], "alice");
    assert_eq!(
        probes[0]["body"]["probe"]["key"],
        format!("http {url}").as_str()
    );
    assert!(probes[0]["body"]["probe"]["step"].is_null());
    assert!(
        probes[0]["text"]
            .as_str()
            .expect("text")
            .starts_with(&format!("✓ {url}: status 200")),
        "{}",
        probes[0]["text"]
    );

    // --no-record records nothing.
    let v = fb.json(&["probe", "check", &url, "--no-record"]);
    assert!(results(&v)[0]["event"].is_null());
    assert_eq!(fb.probe_events().len(), 1);

    // Text: the mark, the target, the reason, the phases, where it went.
    let text = fb.ok(&["probe", "check", &url]);
    assert!(
        text.starts_with(&format!("✓ {url}  status 200 in ")),
        "{text}"
    );
    assert!(text.contains("(dns "), "{text}");
    assert!(text.contains(" · connect "), "{text}");
    assert!(text.contains(" · first byte "), "{text}");
    assert!(
        text.contains(" · total ") && text.contains(" ms)"),
        "{text}"
    );
    assert!(!text.contains("tls "), "no TLS phase on plain http: {text}");
    assert!(text.contains("1 passed · recorded in API down"), "{text}");
    assert_eq!(fb.probe_events().len(), 2);
    assert_eq!(api.hits(), 4);
    let log = fb.ok(&["log"]);
    assert!(log.contains(&format!("✓ {url}: status 200")), "{log}");
}

#[test]
fn refused_timeout_tcp_and_several_targets_at_once() {
    let fb = Fb::new();
    let api = HttpServer::start(200, "ok");
    let refused = refused_port();
    let silent = Silent::start();

    let v = fb.json_with(
        3,
        &[
            "probe",
            "check",
            &format!("http://127.0.0.1:{refused}/"),
            "--no-record",
        ],
    );
    let r = &results(&v)[0];
    assert_eq!(r["ok"], false);
    assert_eq!(r["class"], "refused", "{r}");
    assert_eq!(r["outcome"]["status"], "error");
    assert!(r["event"].is_null());

    let started = Instant::now();
    let v = fb.json_with(
        3,
        &[
            "probe",
            "check",
            &format!("http://{}/", silent.addr()),
            "--timeout",
            "300ms",
            "--no-record",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "--timeout 300ms took {:?}",
        started.elapsed()
    );
    let r = &results(&v)[0];
    assert_eq!(r["class"], "timeout", "{r}");

    // The text line of a failure names its class.
    let (text, _) = fb.expect(
        3,
        &[
            "probe",
            "check",
            &format!("tcp://127.0.0.1:{refused}"),
            "--no-record",
        ],
    );
    assert!(
        text.starts_with(&format!("✗ 127.0.0.1:{refused}  refused: ")),
        "{text}"
    );
    assert!(text.contains("1 failed · not recorded"), "{text}");

    // Several at once: results in the order typed, whatever order they finish in.
    let targets = [
        format!("tcp://{}", api.addr()),
        api.url("/"),
        format!("tcp://127.0.0.1:{refused}"),
        format!("tcp://{}", silent.addr()),
    ];
    let mut args = vec!["probe", "check", "--concurrency", "2", "--no-record"];
    args.extend(targets.iter().map(String::as_str));
    let v = fb.json_with(3, &args);
    let rs = results(&v);
    assert_eq!(rs.len(), 4, "{v}");
    assert_eq!(rs[0]["kind"], "tcp");
    assert_eq!(rs[0]["target"], api.addr().as_str());
    assert_eq!(rs[0]["ok"], true);
    assert!(rs[0]["timings"]["connect_ms"].is_number());
    assert_eq!(rs[1]["kind"], "http");
    assert_eq!(rs[1]["ok"], true);
    assert_eq!(rs[2]["class"], "refused");
    assert_eq!(
        rs[3]["ok"], true,
        "a silent listener still accepts: {}",
        rs[3]
    );

    // All passing: exit 0.
    let v = fb.json(&[
        "probe",
        "check",
        "--concurrency",
        "2",
        "--no-record",
        &format!("tcp://{}", api.addr()),
        &api.url("/a"),
    ]);
    assert_eq!(results(&v).len(), 2);
}

#[test]
fn a_bad_target_runs_and_records_nothing() {
    let fb = Fb::new();
    let api = HttpServer::start(200, "ok");
    fb.start("Bad targets", &[], &[]);
    let before = fb.log().len();
    for bad in [
        "ftp://x",
        "tcp://127.0.0.1",
        "127.0.0.1:80",
        "tls://127.0.0.1:443/path",
    ] {
        let err = fb.fails(&["probe", "check", &api.url("/"), bad]);
        assert!(err.contains(&format!("{bad:?}")), "{bad}: {err}");
        assert!(err.starts_with("firebreak: bad target"), "{err}");
    }
    let err = fb.fails(&["probe", "check", "tcp://127.0.0.1"]);
    assert!(err.contains("port"), "{err}");
    // An unknown incident or an unreadable --ca: refused before anything runs.
    let err = fb.fails(&["probe", "check", &api.url("/"), "--incident", "nope"]);
    assert!(err.contains("no incident matches \"nope\""), "{err}");
    let missing_ca = fb.home.path().join("missing-ca.pem");
    let err = fb.fails(&[
        "probe",
        "check",
        &api.url("/"),
        "--ca",
        path_str(&missing_ca),
    ]);
    assert!(err.contains("--ca"), "{err}");
    assert_eq!(api.hits(), 0, "nothing ran");
    assert_eq!(fb.log().len(), before, "nothing recorded");
}

const LAB_PROFILE_NOTE: &str = "# the lab: everything on this machine\n";

#[test]
fn a_bundled_runbooks_probes_filled_from_variables_and_a_profile() {
    let fb = Fb::new();
    let primary = HttpServer::start(200, "ok");
    let secondary_1 = Silent::start();
    let secondary_2 = Silent::start();
    let web = HttpServer::start(200, "<html>shop</html>");

    // narrow-bottom-up step 3: three TCP probes of the database members.
    fb.start(
        "Checkout down",
        &["narrow-bottom-up"],
        &[&format!("db_primary={}", primary.addr())],
    );
    fb.profile(
        "lab",
        &format!(
            "{LAB_PROFILE_NOTE}db_secondary_1 = \"{}\"\ndb_secondary_2 = \"{}\"\n",
            secondary_1.addr(),
            secondary_2.addr()
        ),
    );
    let plan = fb.json(&[
        "probe",
        "run",
        "--step",
        "3",
        "--profile",
        "lab",
        "--dry-run",
    ]);
    assert_loopback_only(&plan);
    assert_eq!(plan["profile"], "lab");
    let probes = plan["probes"].as_array().expect("probes");
    assert_eq!(probes.len(), 3, "{plan}");
    assert_eq!(probes[0]["key"], "narrow-bottom-up:3#1");
    assert_eq!(probes[0]["kind"], "tcp");
    assert_eq!(probes[0]["target"], primary.addr().as_str());
    assert_eq!(probes[0]["filled_from"]["db_primary"]["from"], "incident");
    assert_eq!(
        probes[1]["filled_from"]["db_secondary_1"]["from"],
        "profile"
    );
    assert_eq!(probes[1]["filled_from"]["db_secondary_1"]["name"], "lab");
    assert_eq!(probes[0]["sensitive"][0]["host"], "127.0.0.1");
    assert_eq!(probes[0]["sensitive"][0]["approved"], false);
    let text = fb.ok(&[
        "probe",
        "run",
        "--step",
        "3",
        "--profile",
        "lab",
        "--dry-run",
    ]);
    assert!(
        text.contains("{{ db_secondary_1 }} from the profile lab"),
        "{text}"
    );
    assert!(text.contains("needs --allow-sensitive"), "{text}");
    assert!(fb.probe_events().is_empty(), "a dry run runs nothing");

    let v = fb.json(&[
        "probe",
        "run",
        "--step",
        "3",
        "--profile",
        "lab",
        "--allow-sensitive",
    ]);
    let rs = results(&v);
    assert_eq!(rs.len(), 3, "{v}");
    for (r, name) in rs.iter().zip([
        "Database primary",
        "Database secondary 1",
        "Database secondary 2",
    ]) {
        assert_eq!(r["ok"], true, "{r}");
        assert_eq!(r["name"], name);
        assert_eq!(r["runbook"], "narrow-bottom-up");
        assert_eq!(r["step"], "3");
        assert!(r["event"].is_string(), "{r}");
    }
    let history = fb.json(&["probe", "history"]);
    let history = history.as_array().expect("array");
    assert_eq!(history.len(), 3, "{history:?}");
    for h in history {
        assert_eq!(h["step"], "3");
        assert_eq!(h["runbook"], "narrow-bottom-up");
        assert_eq!(h["runs"], 1);
        assert_eq!(h["passes"], 1);
        assert_eq!(h["ok"], true);
    }
    let events = fb.probe_events();
    assert_eq!(events.len(), 3);
    for e in &events {
        assert_eq!(e["body"]["probe"]["step"]["step"], "3");
    }
    let log = fb.ok(&["log"]);
    assert!(log.contains("✓ Database primary: connected to"), "{log}");
    assert!(
        log.contains("✓ Database secondary 2: connected to"),
        "{log}"
    );

    // corrective-actions step 2: two HTTP probes; with two runbooks, refs are qualified.
    // The profile now comes from the incident's `profile` variable.
    fb.ok(&["incident", "run", "corrective-actions"]);
    fb.ok(&["incident", "var", "profile", "lab"]);
    fb.ok(&["incident", "var", "site_url", &web.url("/")]);
    fb.ok(&["incident", "var", "api_base", &web.url("")]);
    let plan = fb.json(&[
        "probe",
        "run",
        "--step",
        "corrective-actions:2",
        "--dry-run",
    ]);
    assert_loopback_only(&plan);
    assert_eq!(plan["profile"], "lab");
    assert_eq!(plan["probes"].as_array().expect("probes").len(), 2);
    let text = fb.ok(&[
        "probe",
        "run",
        "--step",
        "corrective-actions:2",
        "--allow-sensitive",
    ]);
    assert!(
        text.contains("✓ step corrective-actions:2  Website  "),
        "{text}"
    );
    assert!(
        text.contains("✓ step corrective-actions:2  API health  "),
        "{text}"
    );
    assert!(
        text.contains("2 passed · recorded in Checkout down"),
        "{text}"
    );
    assert_eq!(web.hits(), 2);

    let history = fb.ok(&["probe", "history"]);
    assert!(
        history.contains("API health  step corrective-actions:2"),
        "{history}"
    );
    assert!(history.contains("1 run, 1 passed"), "{history}");
    let log = fb.ok(&["log"]);
    assert!(log.contains("✓ Website: status 200"), "{log}");
    assert!(log.contains("Variable site_url = "), "{log}");

    // The whole incident (--all, the default) would also plan the other steps' probes,
    // whose placeholders still hold example hosts: only a dry run here.
    let plan = fb.json(&["probe", "run", "--dry-run"]);
    assert!(plan["probes"].as_array().expect("probes").len() > 5);
}

#[test]
fn sensitive_hosts_need_a_say_so_once_per_runbook_and_host() {
    let fb = Fb::new();
    let db = HttpServer::start(200, "ok");
    let vars = [
        format!("db_primary={}", db.addr()),
        format!("db_secondary_1={}", db.addr()),
        format!("db_secondary_2={}", db.addr()),
    ];
    let vars: Vec<&str> = vars.iter().map(String::as_str).collect();
    fb.start("DB flapping", &["narrow-bottom-up"], &vars);
    let plan = fb.json(&["probe", "run", "--step", "3", "--dry-run"]);
    assert_loopback_only(&plan);

    // Not a terminal (stdin is a pipe, even one saying yes): refused, nothing run.
    let out = fb
        .cmd()
        .args(["probe", "run", "--step", "3"])
        .write_stdin("y\n")
        .output()
        .expect("run");
    let (_, stderr) = support::texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("127.0.0.1"), "{stderr}");
    assert!(stderr.contains("this machine (loopback)"), "{stderr}");
    assert!(stderr.contains("--allow-sensitive"), "{stderr}");
    assert!(stderr.contains("nothing run"), "{stderr}");
    assert!(fb.probe_events().is_empty());
    assert_eq!(db.hits(), 0);
    let err = fb.fails(&["probe", "watch", "--step", "3", "--count", "1"]);
    assert!(err.contains("--allow-sensitive"), "{err}");
    assert!(fb.probe_events().is_empty());

    // With the flag it runs, and the approval is kept.
    let v = fb.json(&["probe", "run", "--step", "3", "--allow-sensitive"]);
    assert_eq!(results(&v).len(), 3);
    assert_eq!(fb.probe_events().len(), 3);
    let plan = fb.json(&["probe", "run", "--step", "3", "--dry-run"]);
    assert_eq!(plan["probes"][0]["sensitive"][0]["approved"], true);

    // Asked once: the next run needs no flag.
    let v = fb.json(&["probe", "run", "--step", "3"]);
    assert!(results(&v).iter().all(|r| r["ok"] == true), "{v}");
    assert_eq!(fb.probe_events().len(), 6);
}

const HALF_FILLED: &str = "---
title: Half filled
id: half-filled
variables:
  api: http://127.0.0.1:1
---
# Check

1. Probe both
   ```probe
   kind = \"tcp\"
   name = \"Known\"
   address = \"{{ known }}\"
   ```
   ```probe
   kind = \"tcp\"
   name = \"Unknown\"
   address = \"{{ nobody_set_this }}:5432\"
   ```
";

#[test]
fn a_probe_with_a_missing_placeholder_is_skipped_and_named() {
    let fb = Fb::new();
    let db = HttpServer::start(200, "ok");
    let runbook = fb.file("half.md", HALF_FILLED);
    fb.ok(&["runbook", "import", path_str(&runbook)]);
    fb.start("Half", &["half-filled"], &[&format!("known={}", db.addr())]);
    let plan = fb.json(&["probe", "run", "--dry-run"]);
    assert_eq!(
        plan["probes"][1]["missing"],
        serde_json::json!(["nobody_set_this"])
    );
    assert_eq!(plan["probes"][0]["target"], db.addr().as_str());

    let v = fb.json_with(3, &["probe", "run", "--step", "1", "--allow-sensitive"]);
    let rs = results(&v);
    assert_eq!(rs.len(), 2, "{v}");
    assert_eq!(rs[0]["ok"], true);
    assert_eq!(rs[0]["skipped"], false);
    assert_eq!(rs[1]["ok"], false);
    assert_eq!(rs[1]["skipped"], true);
    assert_eq!(rs[1]["missing"], serde_json::json!(["nobody_set_this"]));
    assert!(rs[1]["event"].is_null());
    let reason = rs[1]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("{{ nobody_set_this }} has no value"),
        "{reason}"
    );
    assert!(
        reason.contains("firebreak incident var nobody_set_this VALUE"),
        "{reason}"
    );
    assert_eq!(
        fb.probe_events().len(),
        1,
        "the skipped one is not recorded"
    );

    let (text, _) = fb.expect(3, &["probe", "run"]);
    assert!(
        text.contains("- skipped  step 1  Unknown  {{ nobody_set_this }} has no value"),
        "{text}"
    );
    assert!(text.contains("profile"), "{text}");
    assert!(text.contains("1 passed, 1 skipped"), "{text}");
}

#[test]
fn watch_records_only_the_changes_of_state() {
    let fb = Fb::new();
    let api = HttpServer::start(503, "down");
    fb.start("Flapping", &[], &[]);
    let child = fb
        .std_cmd()
        .args([
            "probe",
            "watch",
            &api.url("/"),
            "--every",
            "1s",
            "--count",
            "4",
            "--json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn watch");
    // Failing for the first two runs (at 0s and 1s), then fixed before the third (2s).
    assert!(
        wait_until(Duration::from_secs(10), || api.hits() >= 2),
        "the watch ran"
    );
    api.set_status(200);
    let out = child
        .wait_with_output()
        .expect("watch ends after --count runs");
    let (stdout, stderr) = support::texts(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ends passing\n{stdout}\n{stderr}"
    );

    let runs: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(runs.len(), 4, "{stdout}");
    let oks: Vec<bool> = runs.iter().map(|r| r["ok"] == true).collect();
    assert_eq!(oks, [false, false, true, true], "{stdout}");
    for (i, r) in runs.iter().enumerate() {
        assert_eq!(r["run"], i + 1);
        let changed = i == 0 || i == 2;
        assert_eq!(r["change"].is_object(), changed, "{r}");
        assert_eq!(
            r["event"].is_string(),
            changed,
            "recorded only on change: {r}"
        );
    }
    assert_eq!(runs[0]["class"], "http_status");
    assert_eq!(runs[3]["health"], "passing");

    let events = fb.probe_events();
    assert_eq!(events.len(), 2, "{events:?}");
    let first = &events[0]["body"]["probe"]["watch_change"];
    assert!(first["from"].is_null());
    assert_eq!(first["to"], "failing");
    let second = &events[1]["body"]["probe"]["watch_change"];
    assert_eq!(second["from"], "failing");
    assert_eq!(second["to"], "passing");
    assert_eq!(second["previous_runs"], 2);
    let lasted = second["previous_lasted_ms"].as_u64().expect("lasted");
    assert!(
        (1500..=4000).contains(&lasted),
        "failing lasted {lasted} ms"
    );
    let text = events[1]["text"].as_str().expect("text");
    assert!(
        text.starts_with(&format!(
            "✓ {} (watch): failing → passing after ",
            api.url("/")
        )),
        "{text}"
    );
    let history = fb.json(&["probe", "history"]);
    assert_eq!(history[0]["runs"], 2);
    assert_eq!(history[0]["passes"], 1);

    // Too often for a watch: a usage error naming the minimum.
    let (_, err) = fb.expect(2, &["probe", "watch", &api.url("/"), "--every", "100ms"]);
    assert!(err.contains("minimum is 1s"), "{err}");
    let (_, err) = fb.expect(2, &["probe", "watch", "--every", "1s"]);
    assert!(err.contains("TARGET") || err.contains("--step"), "{err}");
    assert_eq!(fb.probe_events().len(), 2);
}

#[test]
fn watch_a_step_prints_every_run_in_text() {
    let fb = Fb::new();
    let db = Silent::start();
    let refused = refused_port();
    let vars = [
        format!("db_primary={}", db.addr()),
        format!("db_secondary_1={}", db.addr()),
        format!("db_secondary_2=127.0.0.1:{refused}"),
    ];
    let vars: Vec<&str> = vars.iter().map(String::as_str).collect();
    fb.start("Replica down", &["narrow-bottom-up"], &vars);
    let plan = fb.json(&["probe", "run", "--step", "3", "--dry-run"]);
    assert_loopback_only(&plan);
    let (text, _) = fb.expect(
        3,
        &[
            "probe",
            "watch",
            "--step",
            "3",
            "--every",
            "1s",
            "--count",
            "2",
            "--allow-sensitive",
        ],
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("[now failing · recorded]"))
            .count(),
        1,
        "{text}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("[now passing · recorded]"))
            .count(),
        2,
        "{text}"
    );
    assert!(
        text.contains("✗ step 3  Database secondary 2  ") && text.contains("refused: "),
        "{text}"
    );
    // One recorded change per probe: its first state.
    assert_eq!(fb.probe_events().len(), 3);
}

#[test]
fn incident_variables_set_list_unset_and_refuse_bad_names() {
    let fb = Fb::new();
    fb.start(
        "Vars",
        &["corrective-actions"],
        &["api_base=http://127.0.0.1:1"],
    );
    assert_eq!(
        fb.ok(&["incident", "var", "api_base"]),
        "http://127.0.0.1:1\n"
    );
    let v = fb.json(&["incident", "var", "db_primary", "127.0.0.1:5432"]);
    assert_eq!(v["name"], "db_primary");
    assert_eq!(v["value"], "127.0.0.1:5432");
    assert!(v["event"].is_string());
    let out = fb.ok(&["incident", "var", "db_primary", "127.0.0.1:5432"]);
    assert!(
        out.contains("already"),
        "setting the same value records nothing: {out}"
    );
    let list = fb.json(&["incident", "var"]);
    assert_eq!(
        list,
        serde_json::json!({"api_base": "http://127.0.0.1:1", "db_primary": "127.0.0.1:5432"})
    );
    let text = fb.ok(&["incident", "var"]);
    assert!(text.contains("api_base   = http://127.0.0.1:1"), "{text}");

    let out = fb.ok(&["incident", "var", "db_primary", "--unset"]);
    assert!(out.contains("db_primary removed"), "{out}");
    let err = fb.fails(&["incident", "var", "db_primary"]);
    assert!(err.contains("not set"), "{err}");
    let log = fb.ok(&["log", "--kind", "variable_set"]);
    assert!(
        log.contains("Variable api_base = http://127.0.0.1:1"),
        "{log}"
    );
    assert!(log.contains("Variable db_primary removed"), "{log}");

    // Refused, and nothing recorded.
    let before = fb.log().len();
    let err = fb.fails(&["incident", "var", "1bad", "x"]);
    assert!(err.contains("\"1bad\" cannot be a variable name"), "{err}");
    let err = fb.fails(&["incident", "var", "api_base", "  "]);
    assert!(err.contains("needs a value"), "{err}");
    fb.expect(2, &["incident", "var", "api_base", "x", "--unset"]);
    assert_eq!(fb.log().len(), before);
    let incidents = fb
        .json(&["incident", "list"])
        .as_array()
        .expect("list")
        .len();
    let err = fb.fails(&["incident", "start", "Nope", "--var", "no_equals_sign"]);
    assert!(err.contains("NAME=VALUE"), "{err}");
    let err = fb.fails(&["incident", "start", "Nope", "--var", "bad name=1"]);
    assert!(err.contains("cannot be a variable name"), "{err}");
    assert_eq!(
        fb.json(&["incident", "list"])
            .as_array()
            .expect("list")
            .len(),
        incidents,
        "a refused start leaves no incident"
    );

    // A profile that is not there is named by its file.
    let err = fb.fails(&["probe", "run", "--profile", "nope", "--dry-run"]);
    assert!(err.contains("profiles/nope.toml"), "{err}");
    let err = fb.fails(&["probe", "run", "--profile", "../etc", "--dry-run"]);
    assert!(err.contains("cannot name a profile"), "{err}");
}

#[test]
fn probe_help_documents_the_exit_codes() {
    let fb = Fb::new();
    for args in [
        vec!["probe", "--help"],
        vec!["probe", "check", "--help"],
        vec!["probe", "run", "--help"],
        vec!["probe", "watch", "--help"],
    ] {
        let help = fb.ok(&args);
        assert!(help.contains("Exit codes: 0"), "{args:?}: {help}");
        assert!(help.contains("3 a probe failed or was skipped"), "{help}");
    }
    let top = fb.ok(&["--help"]);
    assert!(top.contains("probe"), "{top}");
    let incident = fb.ok(&["incident", "--help"]);
    assert!(incident.contains("var"), "{incident}");
}

#[test]
fn run_without_an_incident_or_with_a_step_without_probes_is_an_error() {
    let fb = Fb::new();
    let err = fb.fails(&["probe", "run"]);
    assert!(err.contains("no open incident"), "{err}");
    fb.start("Quiet", &["narrow-bottom-up"], &[]);
    let err = fb.fails(&["probe", "run", "--step", "1"]);
    assert!(err.contains("step 1 declares no probes"), "{err}");
    let err = fb.fails(&["probe", "run", "--step", "99"]);
    assert!(!err.is_empty());
    fb.expect(2, &["probe", "run", "--step", "3", "--all"]);
    assert!(fb.probe_events().is_empty());
}
