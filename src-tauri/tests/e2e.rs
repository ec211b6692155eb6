//! The real `firebreak-desktop` binary in a real window (Xvfb), driven over WebDriver
//! through tauri-driver and WebKitWebDriver: start an incident from a bundled runbook,
//! work its checklist with the keyboard and the mouse, write findings of several
//! kinds, see a note written by the CLI appear, import a broken runbook and see its
//! error, restart the app and find everything where it was; run a runbook's probes,
//! an ad-hoc probe and a watch against servers on 127.0.0.1; connect to a real hub on
//! 127.0.0.1 from the hub screen and sync with another responder's laptop (the CLI on
//! another store); hand an incident over through a file from one app to another on its
//! own store; write the post-mortem (a section, a star, an action, a conflict with the
//! CLI kept from the window, the document exported). Screenshots of each screen go to
//! `target/e2e-screenshots/`.

mod support;

use firebreak_testkit::hub_process::{HubProcess, add_user};
use serde_json::Value;
use std::time::{Duration, Instant};
use support::harness::{Harness, cli_at};
use support::loopback::{StatusServer, refused_port};
use support::webdriver::{ENTER, Session, TAB};

const WAIT: Duration = Duration::from_secs(20);

fn ok<T>(r: Result<T, String>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

fn shot(h: &Harness, s: &Session, name: &str) {
    // Two animation frames: the screenshot shows what was painted, not the DOM.
    ok(s.execute_async(
        "const done = arguments[arguments.length - 1];\
         requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
    ));
    let png = ok(s.screenshot());
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    let path = h.save_screenshot(&png, name);
    eprintln!("screenshot: {}", path.display());
}

fn step_state(s: &Session, step_ref: &str) -> Option<String> {
    let e = s
        .find(&format!("[data-testid=step][data-ref='{step_ref}']"))
        .ok()?;
    s.attribute(&e, "data-state").ok().flatten()
}

fn wait_step_state(s: &Session, step_ref: &str, want: &str) {
    ok(
        s.wait_until(&format!("step {step_ref} to be {want}"), WAIT, |s| {
            (step_state(s, step_ref).as_deref() == Some(want)).then_some(())
        }),
    );
}

/// The text of every timeline entry.
fn timeline_texts(s: &Session) -> Vec<String> {
    s.find_all("[data-testid=timeline-entry]")
        .unwrap_or_default()
        .iter()
        .filter_map(|e| s.text(e).ok())
        .collect()
}

fn wait_timeline_contains(s: &Session, text: &str) -> Duration {
    let started = Instant::now();
    ok(
        s.wait_until(&format!("timeline entry {text:?}"), WAIT, |s| {
            timeline_texts(s)
                .iter()
                .any(|t| t.contains(text))
                .then_some(())
        }),
    );
    started.elapsed()
}

/// Sets a <select> (or any input) the way a person's choice would, firing its events.
fn choose(s: &Session, testid: &str, value: &str) {
    ok(s.execute(&format!(
        "const el = document.querySelector('[data-testid={testid}]');\
         el.value = {value:?};\
         el.dispatchEvent(new Event('input', {{bubbles: true}}));\
         el.dispatchEvent(new Event('change', {{bubbles: true}}));"
    )));
}

fn active_testid(s: &Session) -> Option<String> {
    ok(s.execute(
        "return document.activeElement && document.activeElement.getAttribute('data-testid');",
    ))
    .as_str()
    .map(str::to_string)
}

fn add_note(s: &Session, kind: &str, text: &str, at: Option<&str>) {
    choose(s, "note-kind", kind);
    if let Some(at) = at {
        let at_field = ok(s.find("[data-testid=note-at]"));
        ok(s.clear(&at_field));
        ok(s.type_into(&at_field, at));
    }
    let input = ok(s.find("[data-testid=note-input]"));
    ok(s.type_into(&input, text));
    ok(s.type_into(&input, ENTER));
    wait_timeline_contains(s, text);
}

fn show(h: &Harness) -> Value {
    h.cli_json(&["incident", "show"])
}

#[test]
fn desktop_end_to_end() {
    let h = Harness::start();
    eprintln!("display {}, tauri-driver on {}", h.display(), h.port);
    let app = h.app.to_str().expect("utf-8 path").to_string();

    // A new store has no incident: the app opens on the incident list.
    let s = ok(Session::start(h.port, &app));
    ok(s.wait_for("[data-testid=incident-list]", WAIT));
    ok(s.wait_for("[data-testid=start-title]", WAIT));
    shot(&h, &s, "01-incidents-empty");

    // Start an incident from a bundled runbook with the keyboard alone: type the title,
    // pick a severity, find the runbook by typing and take it with Enter, Tab to the
    // button and press Enter.
    let title = ok(s.find("[data-testid=start-title]"));
    ok(s.click(&title));
    ok(s.type_into(&title, "Checkout returns 502"));
    choose(&s, "start-severity", "SEV2");
    let search = ok(s.find("[data-testid=start-runbook-search]"));
    ok(s.type_into(&search, "production outage"));
    ok(s.wait_for(
        "[data-testid=start-runbook-option][data-runbook-id=production-outage]",
        WAIT,
    ));
    ok(s.type_into(&search, ENTER));
    ok(s.wait_for(
        "[data-testid=start-runbook-option][data-runbook-id=production-outage][aria-selected=true]",
        WAIT,
    ));
    ok(s.press(TAB));
    ok(s.wait_until("the start button to have focus", WAIT, |s| {
        (active_testid(s).as_deref() == Some("start-submit")).then_some(())
    }));
    ok(s.press(ENTER));
    ok(s.wait_text("[data-testid=incident-title]", "Checkout returns 502", WAIT));
    ok(s.wait_for("[data-testid=step][data-ref='1']", WAIT));
    shot(&h, &s, "02-workspace-started");
    let state = show(&h);
    assert_eq!(state["title"], "Checkout returns 502");
    assert_eq!(state["severity"], "SEV2");
    assert_eq!(state["runs"][0]["runbook_id"], "production-outage");

    // The keyboard alone: x checks the selected step, j moves down, s skips with a reason.
    ok(s.execute("document.activeElement && document.activeElement.blur();"));
    ok(s.press("x"));
    wait_step_state(&s, "1", "checked");
    ok(s.press("j"));
    ok(s.press("s"));
    let reason = ok(s.wait_for("[data-testid=step-reason-input]", WAIT));
    ok(s.type_into(&reason, "dashboards already confirm it"));
    ok(s.type_into(&reason, ENTER));
    wait_step_state(&s, "2", "skipped");
    // And the mouse: check step 3 with its button, then reopen it.
    let step3 = ok(s.find("[data-testid=step][data-ref='3'] [data-testid=step-check]"));
    ok(s.click(&step3));
    wait_step_state(&s, "3", "checked");
    let reopen = ok(s.wait_for(
        "[data-testid=step][data-ref='3'] [data-testid=step-reopen]",
        WAIT,
    ));
    ok(s.click(&reopen));
    wait_step_state(&s, "3", "open");
    let steps = show(&h)["runs"][0]["steps"].clone();
    assert_eq!(steps[0]["state"], "checked");
    assert_eq!(steps[0]["by"], "alice");
    assert_eq!(steps[1]["state"], "skipped");
    assert_eq!(steps[1]["reason"], "dashboards already confirm it");
    assert_eq!(steps[2]["state"], "open");

    // Findings of several kinds, one backdated; each is in `firebreak log` at once.
    add_note(
        &s,
        "observation",
        "LB shows 0 of 4 app servers healthy",
        None,
    );
    add_note(
        &s,
        "hypothesis",
        "the 14:02 deploy broke health checks",
        None,
    );
    add_note(&s, "decision", "roll back the 14:02 deploy", None);
    add_note(&s, "action", "rollback started by carol", Some("5m ago"));
    let log = h.cli_json(&["log"]);
    let kinds: Vec<(String, String)> = log
        .as_array()
        .expect("array")
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or_default().to_string(),
                e["text"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    for (kind, text) in [
        ("observation", "LB shows 0 of 4 app servers healthy"),
        ("hypothesis", "the 14:02 deploy broke health checks"),
        ("decision", "roll back the 14:02 deploy"),
        ("action", "rollback started by carol"),
    ] {
        assert!(
            kinds.contains(&(kind.to_string(), text.to_string())),
            "{kind}: {text} not in the CLI's log: {kinds:?}"
        );
    }
    let backdated = log
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["text"] == "rollback started by carol")
        .expect("backdated note");
    assert!(backdated["occurred_at"].is_string(), "{backdated}");
    shot(&h, &s, "03-workspace-findings");

    // A note written by the CLI appears in the open window by itself.
    h.cli(&["note", "status page updated by bob", "--kind", "action"]);
    let took = wait_timeline_contains(&s, "status page updated by bob");
    eprintln!("CLI note appeared in the window after {took:?}");
    assert!(took < Duration::from_secs(2), "live update took {took:?}");

    // The shortcut focuses the note bar from another screen.
    ok(s.click(&ok(s.find("[data-testid=nav-runbooks]"))));
    ok(s.wait_for("[data-testid=runbook-search]", WAIT));
    ok(s.execute("document.activeElement && document.activeElement.blur();"));
    ok(s.chord("\u{E009}", "j")); // Control+J
    ok(s.wait_until("the note bar to have focus", WAIT, |s| {
        (active_testid(s).as_deref() == Some("note-input")).then_some(())
    }));

    // The runbook library: search as you type, preview, import with per-file errors.
    ok(s.click(&ok(s.find("[data-testid=nav-runbooks]"))));
    let search = ok(s.wait_for("[data-testid=runbook-search]", WAIT));
    ok(s.type_into(&search, "replica"));
    let row = ok(s.wait_for(
        "[data-testid=runbook-row][data-runbook-id=narrow-bottom-up]",
        WAIT,
    ));
    ok(s.click(&row));
    ok(s.wait_text("[data-testid=runbook-preview]", "primary", WAIT));
    shot(&h, &s, "04-runbooks");

    let files = h.dir.path().join("runbooks-to-import");
    std::fs::create_dir_all(&files).expect("mkdir");
    std::fs::write(
        files.join("cache-warmup.md"),
        "# Cache warm-up\n\n- [ ] Warm the product cache\n- [ ] Watch the hit rate\n",
    )
    .expect("write");
    let broken = files.join("broken-probe.md");
    std::fs::write(
        &broken,
        "# Broken\n\n- [ ] Check it\n\n  ```probe\n  kind = \"htp\"\n  url = \"https://example.com\"\n  ```\n",
    )
    .expect("write");
    let path_field = ok(s.find("[data-testid=import-path]"));
    ok(s.type_into(&path_field, files.to_str().expect("utf-8")));
    ok(s.type_into(&path_field, ENTER));
    let error_text = ok(s.wait_text("[data-testid=import-error]", "htp", WAIT));
    assert!(
        error_text.contains(&format!("{}:6:", broken.display())) && error_text.contains("htp"),
        "the error names the file, line and what was wrong: {error_text}"
    );
    ok(s.wait_for("[data-testid=import-ok]", WAIT));
    let runbooks = h.cli_json(&["runbook", "list"]);
    let ids: Vec<&str> = runbooks
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(ids.contains(&"cache-warmup"), "{ids:?}");
    assert!(!ids.contains(&"broken-probe"), "{ids:?}");
    shot(&h, &s, "05-import-error");

    ok(s.click(&ok(s.find("[data-testid=nav-incidents]"))));
    ok(s.wait_for("[data-testid=incident-row]", WAIT));
    shot(&h, &s, "06-incidents");

    // Restart: the same incident, checklist and findings are there.
    ok(s.quit());
    let s = ok(Session::start(h.port, &app));
    ok(s.wait_for("[data-testid=workspace]", WAIT));
    wait_step_state(&s, "1", "checked");
    wait_step_state(&s, "2", "skipped");
    for text in [
        "LB shows 0 of 4 app servers healthy",
        "roll back the 14:02 deploy",
        "status page updated by bob",
    ] {
        wait_timeline_contains(&s, text);
    }
    shot(&h, &s, "07-after-restart");
    ok(s.quit());
}

/// A store the app cannot open (here: written by a newer Firebreak) gets a window that
/// says why, with the error's code, and the file is left as it was.
#[test]
fn a_store_it_cannot_open_is_explained_in_the_window() {
    let h = Harness::start();
    h.cli(&["incident", "start", "From the future"]);
    let db = h.home().join("firebreak.db");
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        conn.execute_batch("PRAGMA user_version = 99")
            .expect("bump");
    }
    let before = std::fs::read(&db).expect("read");
    let app = h.app.to_str().expect("utf-8 path").to_string();
    let s = ok(Session::start(h.port, &app));
    let banner = ok(s.wait_for("[data-testid=error-banner]", WAIT));
    assert_eq!(
        ok(s.attribute(&banner, "data-code")).as_deref(),
        Some("incompatible_store")
    );
    let text = ok(s.wait_text("[data-testid=error-banner]", "newer Firebreak", WAIT));
    assert!(text.contains("99"), "names the version it found: {text}");
    shot(&h, &s, "08-store-from-a-newer-version");
    ok(s.quit());
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the store is untouched"
    );
}

/// A CSS selector's text as the window shows it (`innerText`), if it matches.
fn text_of(s: &Session, css: &str) -> Option<String> {
    s.execute(&format!(
        "const e = document.querySelector({}); return e ? e.innerText : null;",
        Value::String(css.to_string())
    ))
    .ok()?
    .as_str()
    .map(str::to_string)
}

fn probe_block(key: &str) -> String {
    format!("[data-testid=probe][data-probe-key='{key}']")
}

/// Sets an incident variable the way a person does: the variables panel's fields.
fn set_variable_in_panel(s: &Session, name: &str, value: &str) {
    let name_field = ok(s.find("[data-testid=variables-panel] [data-testid=variable-name]"));
    ok(s.click(&name_field));
    ok(s.type_into(&name_field, name));
    let value_field = ok(s.find("[data-testid=variables-panel] [data-testid=variable-value]"));
    ok(s.type_into(&value_field, value));
    ok(s.click(&ok(
        s.find("[data-testid=variables-panel] [data-testid=variable-save]")
    )));
    ok(s.wait_text(
        &format!("[data-testid=variable-item][data-name='{name}']"),
        value,
        WAIT,
    ));
}

/// The targets of every probe block whose key matches `key_pattern` (a JS regex) inside
/// the element `within` matches (the whole page when None).
fn probe_targets(s: &Session, key_pattern: &str, within: Option<&str>) -> Vec<String> {
    let root = within.map_or("document".to_string(), |css| {
        format!("document.querySelector({})", Value::String(css.to_string()))
    });
    let script = format!(
        "const root = {root}; if (!root) return [];\
         const re = new RegExp({});\
         return [...root.querySelectorAll('[data-testid=probe]')]\
           .filter(e => re.test(e.dataset.probeKey || ''))\
           .map(e => e.querySelector('[data-testid=probe-target]').innerText.trim());",
        Value::String(key_pattern.to_string())
    );
    ok(s.execute(&script))
        .as_array()
        .expect("a list of targets")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

/// Refuses to go on unless every target is on the test's own loopback server: a Run
/// button runs every probe of its step (or section), and only 127.0.0.1 may be probed.
fn assert_all_loopback(targets: &[String], server: &StatusServer) {
    assert!(!targets.is_empty(), "no probe targets found");
    for t in targets {
        assert!(
            t == &server.url() || t.starts_with(&format!("{}/", server.url())),
            "refusing to run a probe aimed at {t:?}: only {} may be probed",
            server.url()
        );
    }
}

fn wait_result(s: &Session, key: &str, ok_state: bool) -> String {
    let css = format!("[data-testid=probe-result][data-probe-key='{key}'][data-ok='{ok_state}']");
    ok(s.wait_for(&css, WAIT));
    text_of(s, &css).unwrap_or_default()
}

fn chart_points(s: &Session, key: &str) -> (usize, usize) {
    let css = format!("{} [data-testid=probe-chart]", probe_block(key));
    let v = ok(s.execute(&format!(
        "const c = document.querySelector({});\
         return c ? [c.querySelectorAll('[data-point]').length,\
                     c.querySelectorAll('[data-point=fail]').length] : [0, 0];",
        Value::String(css)
    )));
    let n = |i: usize| usize::try_from(v[i].as_u64().unwrap_or(0)).unwrap_or(0);
    (n(0), n(1))
}

/// Probes from the window, only ever against this machine: a bundled runbook's HTTP
/// probes pointed at a loopback server through the variables panel, the approval
/// question, a pass then a failure with timings and a chart, a section's Run all, an
/// ad-hoc TCP probe to a refused port, a watch started and stopped; and every result
/// is in the store's log for the CLI.
#[test]
fn probes_run_from_the_window_against_loopback() {
    let server = StatusServer::start(200);
    let refused = refused_port();
    let h = Harness::start();
    h.cli(&[
        "incident",
        "start",
        "Probe drill on loopback",
        "--runbook",
        "corrective-actions",
    ]);
    let app = h.app.to_str().expect("utf-8 path").to_string();
    let s = ok(Session::start(h.port, &app));
    ok(s.wait_text(
        "[data-testid=incident-title]",
        "Probe drill on loopback",
        WAIT,
    ));

    // Step 2 of corrective-actions has two HTTP probes, Website ({{ site_url }}) and
    // API health ({{ api_base }}/health), filled from the runbook's defaults at first:
    // example.com, which this test never probes.
    const SITE: &str = "corrective-actions:2#1";
    const API: &str = "corrective-actions:2#2";
    const STEP_2: &str = "^corrective-actions:2[#.]";
    let site_target = format!("{} [data-testid=probe-target]", probe_block(SITE));
    let api_target = format!("{} [data-testid=probe-target]", probe_block(API));
    let before = ok(s.wait_text(&site_target, "://", WAIT));
    assert!(!before.contains("127.0.0.1"), "{before}");

    // Point them at the loopback server through the variables panel; the blocks show
    // the new targets before anything runs.
    set_variable_in_panel(&s, "site_url", &server.url());
    set_variable_in_panel(&s, "api_base", &server.url());
    let site = ok(s.wait_text(&site_target, "127.0.0.1", WAIT));
    assert_eq!(site.trim(), server.url());
    let api = ok(s.wait_text(&api_target, "127.0.0.1", WAIT));
    assert_eq!(api.trim(), format!("{}/health", server.url()));
    let step_targets = probe_targets(&s, STEP_2, None);
    assert_eq!(step_targets.len(), 2, "{step_targets:?}");
    assert_all_loopback(&step_targets, &server);
    shot(&h, &s, "09-probe-variables-set");

    // Run: a runbook probe aimed at loopback asks first. Run runs that probe only.
    let run = ok(s.find(&format!("{} [data-testid=probe-run]", probe_block(SITE))));
    let title = ok(s.attribute(&run, "title")).unwrap_or_default();
    assert_eq!(title, "Run this probe (step 2)");
    ok(s.click(&run));
    let dialog = ok(s.wait_for("[data-testid=approval-dialog]", WAIT));
    let question = ok(s.text(&dialog));
    assert!(question.contains("127.0.0.1"), "{question}");
    assert_eq!(
        active_testid(&s).as_deref(),
        Some("approval-cancel"),
        "the safe answer has focus"
    );
    shot(&h, &s, "10-probe-approval");
    ok(s.click(&ok(s.find("[data-testid=approval-confirm]"))));
    ok(s.wait_until("the approval dialog to close", WAIT, |s| {
        s.find("[data-testid=approval-dialog]")
            .is_err()
            .then_some(())
    }));

    // Green, with the phase timings and the status; the step's other probe did not run.
    let passed = wait_result(&s, SITE, true);
    assert!(passed.contains("Passed"), "{passed}");
    assert!(passed.contains("HTTP 200"), "{passed}");
    assert!(
        passed.contains("connect") && passed.contains("total"),
        "{passed}"
    );
    assert_eq!(
        server.hits(),
        1,
        "the server saw {} requests",
        server.hits()
    );
    assert_eq!(chart_points(&s, SITE), (1, 0));
    assert_eq!(chart_points(&s, API), (0, 0), "only the probe clicked ran");
    shot(&h, &s, "11-probe-passed");

    // The server fails: run again (approved once, not asked again) → red, with why.
    server.set_status(503);
    ok(s.click(&ok(
        s.find(&format!("{} [data-testid=probe-run]", probe_block(SITE)))
    )));
    let failed = wait_result(&s, SITE, false);
    assert!(failed.contains("Failed"), "{failed}");
    assert!(
        failed.contains("503"),
        "the reason names the status: {failed}"
    );
    assert!(
        s.find("[data-testid=approval-dialog]").is_err(),
        "approval is remembered per runbook and host"
    );
    assert_eq!(chart_points(&s, SITE), (2, 1), "two runs, one failed");
    shot(&h, &s, "12-probe-failed");

    // Run all for the section that holds step 2: every probe in it is on loopback.
    server.set_status(200);
    let section = "section.section:has([data-probe-key='corrective-actions:2#1'])";
    let section_targets = probe_targets(&s, ".", Some(section));
    assert_all_loopback(&section_targets, &server);
    let run_all = ok(s.find(&format!("{section} [data-testid=section-run-probes]")));
    ok(s.click(&run_all));
    ok(s.wait_until("the section's probes to run", WAIT, |s| {
        (chart_points(s, SITE).0 == 3 && chart_points(s, API).0 == 1).then_some(())
    }));
    wait_result(&s, API, true);

    // An ad-hoc probe: a malformed target is explained inline; a refused port is red.
    let probe_box = ok(s.find("[data-testid=probe-box]"));
    ok(s.click(&probe_box));
    ok(s.type_into(&probe_box, "tcp://127.0.0.1"));
    ok(s.type_into(&probe_box, ENTER));
    let error = ok(s.wait_text("[data-testid=probe-box-error]", "tcp", WAIT));
    assert!(error.contains("host:port"), "{error}");
    ok(s.clear(&probe_box));
    let target = format!("tcp://127.0.0.1:{refused}");
    ok(s.type_into(&probe_box, &target));
    ok(s.type_into(&probe_box, ENTER));
    let needle = format!("127.0.0.1:{refused}");
    let adhoc = ok(s.wait_until("a red ad-hoc result", WAIT, |s| {
        let v = s
            .execute(&format!(
                "const item = [...document.querySelectorAll('[data-testid=adhoc-probe]')]\
                   .find(e => e.innerText.includes({}));\
                 const r = item && item.querySelector('[data-testid=probe-result][data-ok=false]');\
                 return r ? r.innerText : null;",
                Value::String(needle.clone())
            ))
            .ok()?;
        v.as_str().map(str::to_string)
    }));
    assert!(adhoc.contains("refused"), "{adhoc}");
    shot(&h, &s, "13-probe-adhoc-refused");

    // A watch every second on the Website probe: listed with its state, then stopped.
    server.set_status(200);
    ok(s.click(&ok(
        s.find(&format!("{} [data-testid=probe-watch]", probe_block(SITE)))
    )));
    let every = ok(s.wait_for("[data-testid=probe-watch-every]", WAIT));
    ok(s.clear(&every));
    ok(s.type_into(&every, "1"));
    ok(s.type_into(&every, ENTER));
    ok(s.wait_for(
        &format!("[data-testid=watch-item][data-probe-key='{SITE}']"),
        WAIT,
    ));
    ok(s.wait_for("[data-testid=watch-item][data-state=passing]", WAIT));
    let watch_text = text_of(&s, "[data-testid=watch-item]").unwrap_or_default();
    assert!(watch_text.contains("every 1 s"), "{watch_text}");
    shot(&h, &s, "14-probe-watch");
    ok(s.click(&ok(
        s.find("[data-testid=watch-item] [data-testid=watch-stop]")
    )));
    ok(s.wait_until("the watch to be gone", WAIT, |s| {
        s.find("[data-testid=watch-item]").is_err().then_some(())
    }));

    // The timeline shows the probe results; the store's log has them for the CLI.
    ok(s.wait_until("probe entries in the timeline", WAIT, |s| {
        let n = s
            .find_all("[data-testid=timeline-entry][data-kind=probe]")
            .map(|v| v.len())
            .unwrap_or(0);
        (n >= 6).then_some(())
    }));
    let log = h.cli_json(&["log"]);
    let probes: Vec<&Value> = log
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| e["kind"] == "probe")
        .collect();
    let texts: Vec<&str> = probes.iter().filter_map(|e| e["text"].as_str()).collect();
    assert!(
        texts.iter().any(|t| t.starts_with("✓ Website")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("✗ Website") && t.contains("503")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.starts_with("✓ API health")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with('✗') && t.contains(&needle)),
        "{texts:?}"
    );
    let site_runs = probes
        .iter()
        .filter(|e| e["body"].to_string().contains(SITE))
        .count();
    assert!(site_runs >= 3, "{site_runs} Website results in the log");
    let variables = h.cli(&["incident", "var"]);
    assert!(variables.contains(&server.url()), "{variables}");
    shot(&h, &s, "15-probe-log");
    ok(s.quit());
}

/// The `firebreak` CLI on bob's laptop (his own store), as JSON.
fn bob_json(home: &std::path::Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    serde_json::from_str(&cli_at(home, "bob", &all)).expect("CLI JSON")
}

/// Sync with a real hub on 127.0.0.1, from the window: bob (the CLI on his own store)
/// has pushed an incident and a note; the app (alice) connects from the hub screen,
/// the status bar reaches Synced, bob's incident and note appear marked with his name,
/// alice adds a note, and bob's next `firebreak sync` brings it to his laptop.
#[test]
fn sync_with_a_hub_from_the_window() {
    let started = Instant::now();
    let hub_data = tempfile::tempdir().expect("temp dir");
    let data = hub_data.path().join("hub");
    let alice_token = add_user(&data, "alice");
    let bob_token = add_user(&data, "bob");
    let hub = HubProcess::start(&data, &[]);
    let hub_url = hub.url();

    // Bob's laptop: connect (the CLI checks the hub), an incident, a note, a sync.
    let bob = hub_data.path().join("bob");
    cli_at(
        &bob,
        "bob",
        &["hub", "connect", &hub_url, "--token", &bob_token],
    );
    cli_at(&bob, "bob", &["incident", "start", "Payments API slow"]);
    cli_at(
        &bob,
        "bob",
        &[
            "note",
            "p99 at 4 s from the EU region",
            "--kind",
            "observation",
        ],
    );
    cli_at(&bob, "bob", &["sync"]);
    let incident = bob_json(&bob, &["incident", "show"])["id"]
        .as_str()
        .expect("bob's incident id")
        .to_string();

    // The app: a new store, local only; the status bar leads to the hub screen.
    let h = Harness::start();
    let app = h.app.to_str().expect("utf-8 path").to_string();
    let s = ok(Session::start(h.port, &app));
    let state = ok(s.wait_for("[data-testid=sync-state][data-phase=not_connected]", WAIT));
    assert!(ok(s.text(&state)).contains("Local only"));
    ok(s.click(&state));
    ok(s.wait_for("[data-testid=hub-settings]", WAIT));

    // A wrong token is refused with its reason, and nothing is kept.
    let url = ok(s.find("[data-testid=hub-url]"));
    ok(s.type_into(&url, &hub_url));
    let token = ok(s.find("[data-testid=hub-token]"));
    assert_eq!(ok(s.attribute(&token, "type")).as_deref(), Some("password"));
    ok(s.type_into(&token, "fbk_not-a-real-token"));
    ok(s.click(&ok(s.find("[data-testid=hub-connect]"))));
    let refused = ok(s.wait_for("[data-testid=hub-error][data-code=hub_unauthorized]", WAIT));
    assert!(ok(s.text(&refused)).contains("Nothing was saved"));
    assert!(!h.home().join("hub-token").exists(), "no token kept");

    // The right token connects; the status bar reaches Synced.
    let token = ok(s.find("[data-testid=hub-token]"));
    ok(s.clear(&token));
    ok(s.type_into(&token, &alice_token));
    ok(s.click(&ok(s.find("[data-testid=hub-connect]"))));
    ok(s.wait_text("[data-testid=hub-connected-url]", &hub_url, WAIT));
    ok(s.wait_for("[data-testid=sync-state][data-phase=synced]", WAIT));
    ok(s.wait_text("[data-testid=sync-state]", "Synced", WAIT));
    ok(s.wait_text("[data-testid=sync-last]", "synced", WAIT));
    ok(s.wait_text("[data-testid=hub-state]", "Synced", WAIT));
    let connected_at = started.elapsed();
    shot(&h, &s, "16-hub-connected");

    // Bob's incident and note are in the window, marked as his.
    ok(s.click(&ok(s.find("[data-testid=nav-incidents]"))));
    let row_css = format!("[data-testid=incident-row][data-incident-id='{incident}']");
    ok(s.wait_text(&row_css, "Payments API slow", WAIT));
    ok(s.click(&ok(s.find(&row_css))));
    ok(s.wait_text("[data-testid=incident-title]", "Payments API slow", WAIT));
    wait_timeline_contains(&s, "p99 at 4 s from the EU region");
    let marked = ok(s.execute(
        "const e = [...document.querySelectorAll('[data-testid=timeline-entry]')]\
           .find(e => e.innerText.includes('p99 at 4 s'));\
         const a = e && e.querySelector('[data-testid=entry-author]');\
         return a ? [a.innerText.trim(), a.dataset.other] : null;",
    ));
    assert_eq!(
        marked,
        serde_json::json!(["bob", "true"]),
        "bob's note, marked"
    );

    // Alice adds a note in the window; it reaches the hub, and bob's laptop.
    add_note(&s, "observation", "replica lag back under 1 s", None);
    let mine = ok(s.execute(
        "const e = [...document.querySelectorAll('[data-testid=timeline-entry]')]\
           .find(e => e.innerText.includes('replica lag back'));\
         const a = e && e.querySelector('[data-testid=entry-author]');\
         return a ? a.dataset.other : null;",
    ));
    assert_eq!(
        mine,
        serde_json::json!("false"),
        "alice's own note is not marked"
    );
    shot(&h, &s, "17-hub-timeline");
    let deadline = Instant::now() + WAIT;
    let pulled = loop {
        cli_at(&bob, "bob", &["sync"]);
        let log = bob_json(&bob, &["log", "--incident", &incident]);
        let found = log.as_array().and_then(|events| {
            events
                .iter()
                .find(|e| e["text"] == "replica lag back under 1 s")
                .cloned()
        });
        if let Some(event) = found {
            break event;
        }
        assert!(
            Instant::now() < deadline,
            "alice's note never reached bob: {log}"
        );
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(
        pulled["author"], "alice",
        "the hub's name for the app's user"
    );
    assert_eq!(pulled["kind"], "observation");
    ok(s.wait_until("synced with nothing pending", WAIT, |s| {
        (s.find("[data-testid=sync-state][data-phase=synced]")
            .is_ok()
            && s.find("[data-testid=sync-pending]").is_err())
        .then_some(())
    }));
    ok(s.quit());
    eprintln!(
        "hub sync: connected and synced after {connected_at:?}, done after {:?}",
        started.elapsed()
    );
}

/// The id of the timeline entry whose text contains `text`.
fn entry_id(s: &Session, text: &str) -> String {
    ok(s.wait_until(&format!("the entry {text:?}"), WAIT, |s| {
        s.execute(&format!(
            "const e = [...document.querySelectorAll('[data-testid=timeline-entry]')]\
               .find(e => e.innerText.includes({}));\
             return e ? e.dataset.eventId : null;",
            Value::String(text.to_string())
        ))
        .ok()?
        .as_str()
        .map(str::to_string)
    }))
}

/// The handoff note's text as the textarea holds it.
fn handoff_note(s: &Session) -> String {
    s.execute(
        "const e = document.querySelector('[data-testid=handoff-note]'); return e ? e.value : '';",
    )
    .ok()
    .and_then(|v| v.as_str().map(str::to_string))
    .unwrap_or_default()
}

/// Answers the next native file dialog with `path` (WebDriver cannot reach the
/// platform's dialogs; see ui/src/lib/dialog.ts).
fn answer_dialog(s: &Session, which: &str, path: &std::path::Path) {
    let path = Value::String(path.display().to_string());
    ok(s.execute(&format!(
        "window.__FIREBREAK_E2E_DIALOG__ = {{ {which}: {path} }};"
    )));
}

/// A shift handoff through a file, between two laptops that share nothing: alice works
/// the incident in the window (a step checked, a hypothesis ruled out from the
/// timeline, a customer update), drafts the handoff on the Handoff screen, adds a line
/// only she knows, previews it and exports it to a file. Then bob's app, on its own
/// store, imports the file: the same incident with the same checklist and alice's note,
/// taken over by bob at once (the takeover in the timeline, the leader role his).
#[test]
fn hand_an_incident_over_through_a_file() {
    let stick = tempfile::tempdir().expect("temp dir");
    let bundle = stick.path().join("payments-handoff.json");
    let own_words = "Call the PSP at 06:00 about ticket 4411";

    // ----- alice's laptop
    let incident = {
        let h = Harness::start();
        let app = h.app.to_str().expect("utf-8 path").to_string();
        cli_at(
            &h.home(),
            "alice",
            &[
                "incident",
                "start",
                "Payments API failing",
                "--runbook",
                "production-outage",
                "--severity",
                "SEV2",
            ],
        );
        cli_at(&h.home(), "alice", &["incident", "lead", "alice"]);
        let incident = show(&h)["id"].as_str().expect("id").to_string();
        let s = ok(Session::start(h.port, &app));
        ok(s.wait_text("[data-testid=incident-title]", "Payments API failing", WAIT));

        // Work the incident: a step checked, a hypothesis ruled out, customers told.
        ok(s.wait_for("[data-testid=step][data-ref='1']", WAIT));
        shot(&h, &s, "18-handoff-alice-workspace");
        ok(s.execute("document.activeElement && document.activeElement.blur();"));
        ok(s.press("x"));
        wait_step_state(&s, "1", "checked");
        add_note(&s, "hypothesis", "the PSP's certificate expired", None);
        let guess = entry_id(&s, "the PSP's certificate expired");
        let entry = format!("[data-testid=timeline-entry][data-event-id='{guess}']");
        ok(s.click(&ok(s.find(&format!(
            "{entry} [data-testid=entry-conclude][data-outcome=ruled_out]"
        )))));
        let why = ok(s.wait_for(&format!("{entry} [data-testid=entry-edit-input]"), WAIT));
        ok(s.type_into(&why, "valid until March"));
        ok(s.type_into(&why, ENTER));
        ok(s.wait_for(
            &format!("{entry} [data-testid=entry-outcome][data-outcome=ruled_out]"),
            WAIT,
        ));
        wait_timeline_contains(&s, "Hypothesis ruled out: the PSP's certificate expired");
        add_note(
            &s,
            "update",
            "Status page: payments degraded, investigating",
            None,
        );

        // The Handoff screen from the keyboard: the draft says where things stand.
        ok(s.execute("document.activeElement && document.activeElement.blur();"));
        ok(s.press("go"));
        ok(s.wait_for("[data-testid=handoff-screen]", WAIT));
        ok(s.wait_until("the drafted note", WAIT, |s| {
            handoff_note(s)
                .contains("# Handoff: Payments API failing")
                .then_some(())
        }));
        ok(s.wait_text("[data-testid=handoff-state-status]", "investigating", WAIT));
        ok(s.wait_for("[data-testid=handoff-state-checklist][data-done='1']", WAIT));
        let to = ok(s.find("[data-testid=handoff-to]"));
        ok(s.click(&to));
        ok(s.type_into(&to, "bob"));
        let drafted = ok(s.wait_until("the note drafted for bob", WAIT, |s| {
            let note = handoff_note(s);
            note.contains("to **bob**").then_some(note)
        }));
        for part in [
            "**Severity:** SEV2",
            "leader alice",
            "Status page: payments degraded",
            "the PSP's certificate expired",
        ] {
            assert!(
                drafted.contains(part),
                "{part:?} not in the draft:\n{drafted}"
            );
        }

        // Alice adds what only she knows, and reads it as bob will.
        let note = ok(s.find("[data-testid=handoff-note]"));
        ok(s.type_into(&note, &format!("{ENTER}{own_words}.")));
        ok(s.wait_for("[data-testid=handoff-edited]", WAIT));
        assert!(handoff_note(&s).ends_with(&format!("\n{own_words}.")));
        ok(s.click(&ok(s.find("[data-testid=handoff-tab-preview]"))));
        ok(s.wait_text("[data-testid=handoff-preview]", own_words, WAIT));
        shot(&h, &s, "19-handoff-preview");
        ok(s.click(&ok(s.find("[data-testid=handoff-tab-write]"))));

        // No hub: Send is off and says so; the file it is.
        let send = ok(s.find("[data-testid=handoff-send]"));
        assert!(
            ok(s.attribute(&send, "disabled")).is_some(),
            "Send via hub needs a hub"
        );
        ok(s.wait_text(
            "[data-testid=handoff-send-why]",
            "No hub is connected",
            WAIT,
        ));
        answer_dialog(&s, "save", &bundle);
        ok(s.click(&ok(s.find("[data-testid=handoff-export]"))));
        ok(s.wait_text(
            "[data-testid=handoff-exported-path]",
            &bundle.display().to_string(),
            WAIT,
        ));
        ok(s.wait_for("[data-testid=handoff-item][data-state=waiting]", WAIT));
        shot(&h, &s, "20-handoff-exported");
        let text = std::fs::read_to_string(&bundle).expect("the bundle is on the stick");
        assert!(text.contains("\"firebreak_handoff\""), "a bundle");
        assert!(text.contains(own_words), "alice's words are in it");
        let log = h.cli_json(&["log"]);
        assert!(
            log.as_array()
                .expect("array")
                .iter()
                .any(|e| e["kind"] == "handoff_sent" && e["author"] == "alice"),
            "the handoff is in alice's log: {log}"
        );
        ok(s.quit());
        incident
    };

    // ----- bob's laptop: another store, nothing shared but the file
    let h = Harness::start_as("bob");
    let app = h.app.to_str().expect("utf-8 path").to_string();
    let s = ok(Session::start(h.port, &app));
    ok(s.wait_for("[data-testid=incident-list]", WAIT));
    ok(s.chord("\u{E009}", "5")); // Control+5
    ok(s.wait_for("[data-testid=handoff-empty]", WAIT));
    answer_dialog(&s, "open", &bundle);
    ok(s.click(&ok(s.find("[data-testid=handoff-import]"))));
    let imported = ok(s.wait_for(
        "[data-testid=handoff-import-result][data-accepted=true]",
        WAIT,
    ));
    let summary = ok(s.text(&imported));
    assert!(
        summary.contains("You took it over (leader moved to you)"),
        "{summary}"
    );
    ok(s.wait_text(
        "[data-testid=handoff-incident]",
        "Payments API failing",
        WAIT,
    ));
    ok(s.wait_for("[data-testid=handoff-item][data-state=accepted]", WAIT));
    ok(s.wait_text(
        "[data-testid=handoff-item] [data-testid=handoff-item-note]",
        own_words,
        WAIT,
    ));
    ok(s.wait_text(
        "[data-testid=handoff-item-status]",
        "taken over by bob",
        WAIT,
    ));
    assert!(
        s.find("[data-testid=handoff-banner]").is_err(),
        "nothing waits in bob's inbox: he took it over"
    );
    shot(&h, &s, "21-handoff-imported");

    // The workspace: the same incident and checklist, the takeover recorded.
    ok(s.click(&ok(s.find("[data-testid=nav-workspace]"))));
    ok(s.wait_text("[data-testid=incident-title]", "Payments API failing", WAIT));
    wait_step_state(&s, "1", "checked");
    wait_step_state(&s, "2", "open");
    wait_timeline_contains(&s, "Handed the incident to bob");
    wait_timeline_contains(&s, "Took over from alice");
    wait_timeline_contains(&s, "Status page: payments degraded, investigating");
    let guess = entry_id(&s, "the PSP's certificate expired");
    ok(s.wait_for(
        &format!(
            "[data-testid=timeline-entry][data-event-id='{guess}'] [data-testid=entry-outcome][data-outcome=ruled_out]"
        ),
        WAIT,
    ));
    shot(&h, &s, "22-handoff-taken-over");

    // bob's store says the same to the CLI.
    let state = h.cli_json(&["incident", "show"]);
    assert_eq!(state["id"], incident.as_str());
    assert_eq!(state["leader"], "bob");
    assert_eq!(state["runs"][0]["steps"][0]["state"], "checked");
    let log = h.cli_json(&["log"]);
    let took = log
        .as_array()
        .expect("array")
        .iter()
        .find(|e| e["kind"] == "handoff_accepted")
        .unwrap_or_else(|| panic!("no takeover in bob's log: {log}"))
        .clone();
    assert_eq!(took["author"], "bob");
    ok(s.quit());
}

/// The id of the post-mortem timeline entry whose text contains `text`.
fn pm_entry_id(s: &Session, text: &str) -> String {
    ok(
        s.wait_until(&format!("the post-mortem entry {text:?}"), WAIT, |s| {
            s.execute(&format!(
                "const e = [...document.querySelectorAll('[data-testid=pm-entry]')]\
               .find(e => e.innerText.includes({}));\
             return e ? e.dataset.entryId : null;",
                Value::String(text.to_string())
            ))
            .ok()?
            .as_str()
            .map(str::to_string)
        }),
    )
}

/// The element `css` finds, scrolled into the middle of its scrolling box: the
/// post-mortem is a long page, and WebKitWebDriver does not scroll to type or click.
fn in_view(s: &Session, css: &str) -> support::webdriver::Element {
    let e = ok(s.wait_for(css, WAIT));
    ok(s.execute(&format!(
        "document.querySelector({}).scrollIntoView({{block: 'center'}});",
        Value::String(css.to_string())
    )));
    e
}

fn click_in_view(s: &Session, css: &str) {
    let e = in_view(s, css);
    ok(s.click(&e));
}

/// The post-mortem section `name`, as a CSS selector.
fn pm_section(name: &str) -> String {
    format!("[data-testid=postmortem-section][data-section='{name}']")
}

/// Writing the post-mortem in the window: alice opens it from the incident's header,
/// writes the summary, stars a finding and adds an action. She opens the summary again
/// while bob rewrites it from the terminal; her save stands beside his as a conflict,
/// shown side by side, and keeping one settles it. The document exported through the
/// save dialog holds the summary, the starred entry and the action.
#[test]
fn write_the_postmortem_in_the_window() {
    let h = Harness::start();
    let app = h.app.to_str().expect("utf-8 path").to_string();
    cli_at(
        &h.home(),
        "alice",
        &[
            "incident",
            "start",
            "Checkout returns 502",
            "--severity",
            "SEV2",
        ],
    );
    let incident = show(&h)["id"].as_str().expect("id").to_string();
    let s = ok(Session::start(h.port, &app));
    ok(s.wait_text("[data-testid=incident-title]", "Checkout returns 502", WAIT));
    add_note(&s, "observation", "p99 at 4 s on checkout", None);
    add_note(&s, "action", "roll back release 412", None);

    // From the incident's header to the draft: every section, the key moments badged.
    click_in_view(&s, "[data-testid=postmortem-button]");
    ok(s.wait_for("[data-testid=postmortem-screen]", WAIT));
    ok(s.wait_text(
        "[data-testid=postmortem-incident]",
        "Checkout returns 502",
        WAIT,
    ));
    ok(s.wait_for(&pm_section("supporting-data"), WAIT));
    assert_eq!(
        ok(s.find_all("[data-testid=postmortem-section]")).len(),
        11,
        "every section"
    );
    assert_eq!(
        ok(s.find_all("[data-testid=postmortem-milestone]")).len(),
        4
    );
    let rollback = pm_entry_id(&s, "roll back release 412");
    ok(s.wait_text(
        &format!("[data-testid=pm-entry][data-entry-id='{rollback}'] [data-testid=pm-entry-key]"),
        "mitigation",
        WAIT,
    ));
    shot(&h, &s, "23-postmortem-draft");

    // The summary, written and saved.
    let summary_text = "Checkout failed for every EU customer for 40 minutes after release 412.";
    click_in_view(
        &s,
        &format!("{} [data-testid=section-edit]", pm_section("summary")),
    );
    let editor = ok(s.wait_for(
        &format!("{} [data-testid=section-text]", pm_section("summary")),
        WAIT,
    ));
    ok(s.clear(&editor));
    ok(s.type_into(&editor, summary_text));
    click_in_view(
        &s,
        &format!("{} [data-testid=section-save]", pm_section("summary")),
    );
    ok(s.wait_for(
        &format!("{}[data-state=written]", pm_section("summary")),
        WAIT,
    ));
    ok(s.wait_text(
        &format!("{} [data-testid=section-body]", pm_section("summary")),
        summary_text,
        WAIT,
    ));

    // A finding starred.
    let seen = pm_entry_id(&s, "p99 at 4 s on checkout");
    let entry = format!("[data-testid=pm-entry][data-entry-id='{seen}']");
    click_in_view(&s, &format!("{entry} [data-testid=pm-entry-star]"));
    ok(s.wait_for(&format!("{entry}[data-starred=true]"), WAIT));

    // An action.
    let text = in_view(&s, "[data-testid=action-new-text]");
    ok(s.type_into(&text, "Canary every release in one region first"));
    choose(&s, "action-new-class", "preventive");
    ok(s.type_into(&in_view(&s, "[data-testid=action-new-owner]"), "dmitri"));
    ok(s.type_into(&in_view(&s, "[data-testid=action-new-ticket]"), "OPS-7"));
    click_in_view(&s, "[data-testid=action-add]");
    ok(s.wait_text(
        "[data-testid=action-row] [data-testid=action-text]",
        "Canary every release in one region first",
        WAIT,
    ));
    shot(&h, &s, "24-postmortem-written");

    // alice opens the summary again; meanwhile bob rewrites it from the terminal.
    click_in_view(
        &s,
        &format!("{} [data-testid=section-edit]", pm_section("summary")),
    );
    let editor = ok(s.wait_for(
        &format!("{} [data-testid=section-text]", pm_section("summary")),
        WAIT,
    ));
    let bobs = "Checkout failed for 40 minutes: release 412 broke the EU tax call.";
    h.cli(&[
        "postmortem",
        "set",
        "summary",
        bobs,
        "--incident",
        &incident,
    ]);
    ok(s.wait_for(
        &format!("{} [data-testid=section-moved-on]", pm_section("summary")),
        WAIT,
    ));
    let alices = " Customers saw 502s at checkout.";
    ok(s.type_into(&editor, alices));
    click_in_view(
        &s,
        &format!("{} [data-testid=section-save]", pm_section("summary")),
    );

    // Both versions stand, side by side, until one is kept.
    ok(s.wait_for(
        &format!("{}[data-state=conflict]", pm_section("summary")),
        WAIT,
    ));
    ok(s.wait_for("[data-testid=postmortem-conflicts][data-count='1']", WAIT));
    let versions = ok(s.find_all(&format!(
        "{} [data-testid=conflict-version]",
        pm_section("summary")
    )));
    let texts: Vec<String> = versions.iter().map(|v| ok(s.text(v))).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("bob") && t.contains(bobs)),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("alice") && t.contains(&format!("{summary_text}{alices}"))),
        "{texts:?}"
    );
    shot(&h, &s, "25-postmortem-conflict");
    let alice_version = versions
        .iter()
        .find(|v| ok(s.text(v)).contains("alice"))
        .expect("alice's version");
    let alice_id = ok(s.attribute(alice_version, "data-version-id")).expect("version id");
    click_in_view(
        &s,
        &format!(
            "[data-testid=conflict-version][data-version-id='{alice_id}'] [data-testid=conflict-keep]"
        ),
    );
    ok(s.wait_for(
        &format!("{}[data-state=written]", pm_section("summary")),
        WAIT,
    ));
    ok(s.wait_until("the conflict settled", WAIT, |s| {
        s.find("[data-testid=postmortem-conflicts]")
            .is_err()
            .then_some(())
    }));
    let kept = format!("{summary_text}{alices}");

    // The document, exported through the save dialog.
    let out = tempfile::tempdir().expect("temp dir");
    let path = out.path().join("checkout-postmortem.md");
    answer_dialog(&s, "save", &path);
    click_in_view(&s, "[data-testid=postmortem-export-markdown]");
    ok(s.wait_text(
        "[data-testid=postmortem-exported-path]",
        &path.display().to_string(),
        WAIT,
    ));
    let doc = std::fs::read_to_string(&path).expect("the post-mortem is on disk");
    assert!(
        doc.starts_with("# Post-mortem: Checkout returns 502"),
        "{doc}"
    );
    assert!(doc.contains(&kept), "the summary kept:\n{doc}");
    assert!(!doc.contains(bobs), "bob's version was replaced:\n{doc}");
    assert!(
        doc.lines()
            .any(|l| l.contains('\u{2605}') && l.contains("p99 at 4 s on checkout")),
        "the starred entry:\n{doc}"
    );
    assert!(
        doc.contains(
            "| Canary every release in one region first | preventive | dmitri | OPS-7 | open |"
        ),
        "the action:\n{doc}"
    );
    click_in_view(&s, "[data-testid=postmortem-tab-document]");
    ok(s.wait_text("[data-testid=postmortem-document]", &kept, WAIT));
    shot(&h, &s, "26-postmortem-document");

    // The terminal reads the same draft.
    let printed = h.cli(&["postmortem", "show", "--incident", &incident]);
    assert_eq!(printed.trim_end(), doc.trim_end());
    ok(s.quit());
}
