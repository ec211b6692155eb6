//! The real `firebreak-desktop` binary in a real window (Xvfb), driven over WebDriver
//! through tauri-driver and WebKitWebDriver: start an incident from a bundled runbook,
//! work its checklist with the keyboard and the mouse, write findings of several
//! kinds, see a note written by the CLI appear, import a broken runbook and see its
//! error, restart the app and find everything where it was. Screenshots of each screen
//! go to `target/e2e-screenshots/`.

mod support;

use serde_json::Value;
use std::time::{Duration, Instant};
use support::harness::Harness;
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
