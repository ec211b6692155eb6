//! The runbook library: versions kept and pinned, bundled runbooks, import from disk
//! (failures per file, `path:line:col`), and runbook search.

use firebreak_core::event::{EventBody, NewEvent};
use firebreak_core::ids::{IncidentId, RunId};
use firebreak_core::runbook::{Runbook, content_hash, parse};
use firebreak_store::paths::STORE_FILE;
use firebreak_store::{
    BUNDLED_RUNBOOKS, FileOutcome, ImportReport, PutOutcome, RunbookSummary, Store, StoreError,
};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn new_store(dir: &tempfile::TempDir) -> Store {
    Store::open_file(&dir.path().join(STORE_FILE)).expect("open store")
}

/// A small runbook with front matter, two sections, a probe and a command.
fn source(id: &str, title: &str, last_step: &str) -> String {
    format!(
        r#"---
title: {title}
id: {id}
tags: [database]
services: [db]
---

# {title}

Use this when the primary stops answering.

## Check

- [ ] Check that the primary answers.

  ```probe
  kind = "tcp"
  name = "Primary"
  address = "db-1.example.com:27017"
  timeout = "5s"
  ```

- [ ] Look at replication lag.
  - [ ] On every secondary.

## Act

- [ ] Step the primary down.

  ```console
  $ mongosh --eval 'rs.stepDown()'
  ```

- [ ] {last_step}
"#
    )
}

fn parsed(source: &str) -> Runbook {
    parse(source, "fallback").expect("test runbook parses")
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, contents).expect("write");
}

fn by_id<'a>(list: &'a [RunbookSummary], id: &str) -> &'a RunbookSummary {
    list.iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no runbook {id} in {list:?}"))
}

// ---------------------------------------------------------------------------------
// Versions

#[test]
fn put_runbook_reports_added_unchanged_new_version_and_restored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let v1 = parsed(&source("db-failover", "DB failover", "Tell the war room."));
    let v2 = parsed(&source(
        "db-failover",
        "DB failover",
        "Tell the war room and support.",
    ));
    assert_eq!(v1.id, "db-failover");
    assert_ne!(v1.content_hash, v2.content_hash);
    assert_eq!(v1.content_hash, content_hash(&v1.source));

    assert_eq!(
        store.put_runbook(&v1, "/a.md").expect("put"),
        PutOutcome::Added
    );
    assert_eq!(
        store.put_runbook(&v1, "/a.md").expect("put"),
        PutOutcome::Unchanged
    );
    assert_eq!(
        store.put_runbook(&v2, "/a.md").expect("put"),
        PutOutcome::NewVersion
    );
    assert_eq!(
        store.put_runbook(&v2, "/b.md").expect("put"),
        PutOutcome::Unchanged
    );
    assert_eq!(
        store.put_runbook(&v1, "/a.md").expect("put"),
        PutOutcome::Restored
    );
    assert_eq!(
        store.put_runbook(&v1, "/a.md").expect("put"),
        PutOutcome::Unchanged
    );

    let list = store.runbooks().expect("list");
    assert_eq!(list.len(), 1);
    let summary = by_id(&list, "db-failover");
    assert_eq!(summary.content_hash, v1.content_hash);
    assert_eq!(summary.versions, 2);
    assert_eq!(summary.title, "DB failover");
    assert_eq!(summary.steps, v1.step_count());
    assert_eq!(summary.steps, 5);
    assert_eq!(
        store.runbook("db-failover").expect("current").source,
        v1.source
    );
    assert_eq!(
        store
            .runbook_version("db-failover", &v2.content_hash)
            .expect("old version")
            .source,
        v2.source
    );
    assert!(matches!(
        store.runbook("nope"),
        Err(StoreError::UnknownRunbook(_))
    ));
    assert!(matches!(
        store.runbook_version("db-failover", "0000"),
        Err(StoreError::UnknownRunbookVersion(_))
    ));
    // A version is found under its own id only.
    assert!(matches!(
        store.runbook_version("other", &v1.content_hash),
        Err(StoreError::UnknownRunbookVersion(_))
    ));
}

#[test]
fn a_run_keeps_its_pinned_version_after_a_new_one_is_imported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let v1 = parsed(&source("db-failover", "DB failover", "Tell the war room."));
    let v2 = parsed(&source("db-failover", "DB failover (v2)", "Page the DBA."));
    store.put_runbook(&v1, "/rb.md").expect("put v1");

    let incident = IncidentId::new_v7();
    store
        .append(
            "alice",
            NewEvent::new(
                incident,
                EventBody::IncidentStarted {
                    title: "DB down".into(),
                    severity: None,
                },
            ),
        )
        .expect("start");
    store
        .append(
            "alice",
            NewEvent::new(
                incident,
                EventBody::RunbookRunStarted {
                    run: RunId::new_v7(),
                    runbook_id: v1.id.clone(),
                    title: v1.title.clone(),
                    content_hash: v1.content_hash.clone(),
                    source: None,
                },
            ),
        )
        .expect("run");
    assert_eq!(
        store.put_runbook(&v2, "/rb.md").expect("put v2"),
        PutOutcome::NewVersion
    );
    assert_eq!(
        store.runbook("db-failover").expect("current").title,
        "DB failover (v2)"
    );

    let state = store.incident(incident).expect("state");
    assert_eq!(state.runs.len(), 1);
    let pinned = store.run_runbook(&state.runs[0]).expect("pinned");
    assert_eq!(pinned.source, v1.source);
    assert_eq!(pinned.content_hash, v1.content_hash);
    let checklists = store.checklists(&state).expect("checklists");
    assert_eq!(checklists.len(), 1);
    assert_eq!(checklists[0].1.source, v1.source);
}

// ---------------------------------------------------------------------------------
// Bundled runbooks

const BUNDLED_IDS: [&str; 7] = [
    "corrective-actions",
    "narrow-bottom-up",
    "narrow-top-down",
    "post-incident-review",
    "production-outage",
    "restore-service",
    "shift-handoff",
];

#[test]
fn bundled_runbooks_install_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    assert_eq!(BUNDLED_RUNBOOKS.len(), 7);
    store.install_bundled(BUNDLED_RUNBOOKS).expect("install");
    let first = store.runbooks().expect("list");
    let mut ids: Vec<&str> = first.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, BUNDLED_IDS);
    for (name, src) in BUNDLED_RUNBOOKS {
        let id = name.trim_end_matches(".md");
        let summary = by_id(&first, id);
        assert_eq!(summary.origin, format!("bundled:{name}"));
        assert_eq!(summary.content_hash, content_hash(src));
        assert_eq!(summary.versions, 1);
        assert!(summary.steps > 0, "{id} has steps");
        assert_eq!(store.runbook(id).expect("runbook").source, *src);
    }

    let dv = store.data_version().expect("dv");
    store.install_bundled(BUNDLED_RUNBOOKS).expect("again");
    assert_eq!(store.runbooks().expect("list"), first, "idempotent");
    assert_eq!(store.data_version().expect("dv"), dv);
    drop(store);
    let mut store = new_store(&tmp);
    store
        .install_bundled(BUNDLED_RUNBOOKS)
        .expect("after reopen");
    assert_eq!(store.runbooks().expect("list"), first);
}

#[test]
fn bundled_runbooks_never_override_the_teams_own_version() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let bundled_outage = BUNDLED_RUNBOOKS
        .iter()
        .find(|(name, _)| *name == "production-outage.md")
        .expect("bundled outage")
        .1;
    let team_source = format!("{bundled_outage}\n- [ ] Our own last step: page the CTO.\n");
    let team = parsed(&team_source);
    assert_eq!(team.id, "production-outage");
    assert_eq!(
        store
            .put_runbook(&team, "/team/production-outage.md")
            .expect("team"),
        PutOutcome::Added
    );

    store.install_bundled(BUNDLED_RUNBOOKS).expect("install");
    let list = store.runbooks().expect("list");
    assert_eq!(list.len(), 7);
    let outage = by_id(&list, "production-outage");
    assert_eq!(
        outage.content_hash, team.content_hash,
        "the team's stays current"
    );
    assert_eq!(outage.origin, "/team/production-outage.md");
    assert_eq!(outage.versions, 2, "the bundled version is kept beside it");
    assert_eq!(
        store
            .runbook_version("production-outage", &content_hash(bundled_outage))
            .expect("bundled version")
            .source,
        bundled_outage
    );
    store.install_bundled(BUNDLED_RUNBOOKS).expect("again");
    assert_eq!(store.runbooks().expect("list"), list);

    // A later Firebreak ships new bundled versions: one runbook the team imported
    // itself, one it did not.
    let restore = BUNDLED_RUNBOOKS
        .iter()
        .find(|(name, _)| *name == "restore-service.md")
        .expect("bundled restore")
        .1;
    let outage_next: &'static str =
        Box::leak(format!("{bundled_outage}\n- [ ] New bundled step.\n").into_boxed_str());
    let restore_next: &'static str =
        Box::leak(format!("{restore}\n- [ ] New bundled step.\n").into_boxed_str());
    let next_release = [
        ("production-outage.md", outage_next),
        ("restore-service.md", restore_next),
    ];
    store.install_bundled(&next_release).expect("upgrade");
    let after = store.runbooks().expect("list");
    let outage = by_id(&after, "production-outage");
    assert_eq!(outage.content_hash, team.content_hash, "still the team's");
    assert_eq!(outage.versions, 3);
    let restore_now = by_id(&after, "restore-service");
    assert_eq!(restore_now.content_hash, content_hash(restore_next));
    assert_eq!(restore_now.versions, 2);
}

#[test]
fn runbook_search_finds_bundled_runbooks_by_words() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    store.install_bundled(BUNDLED_RUNBOOKS).expect("install");

    let hits = store.search_runbooks("shift handoff", 10).expect("search");
    assert_eq!(
        hits.first().map(|h| h.id.as_str()),
        Some("shift-handoff"),
        "{hits:?}"
    );
    assert_eq!(hits[0].title, "Shift handoff");

    assert_eq!(
        store
            .search_runbooks("outgoing", 10)
            .expect("search")
            .iter()
            .map(|h| h.id.as_str())
            .collect::<Vec<_>>(),
        ["shift-handoff"]
    );
    let hits = store
        .search_runbooks("warm the caches", 10)
        .expect("search");
    assert!(hits.iter().any(|h| h.id == "restore-service"), "{hits:?}");
    assert!(hits.iter().all(|h| h.id != "shift-handoff"), "{hits:?}");

    let hits = store.search_runbooks("post-mort", 10).expect("prefix");
    assert!(
        hits.iter().any(|h| h.id == "post-incident-review"),
        "{hits:?}"
    );
    assert!(hits.iter().any(|h| h.snippet.contains('[')), "{hits:?}");

    let hits = store.search_runbooks("the", 3).expect("limit");
    assert_eq!(hits.len(), 3);
    assert!(
        store
            .search_runbooks("xylophone", 10)
            .expect("none")
            .is_empty()
    );
    for q in [
        "\"",
        "-",
        "(",
        "*",
        ":",
        "NOT",
        "rs.stepDown()",
        "kind = \"http\"",
    ] {
        store
            .search_runbooks(q, 10)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }

    // Search follows the current version.
    let team = parsed(&source(
        "shift-handoff",
        "Handing over",
        "Sign the zebra log.",
    ));
    store
        .put_runbook(&team, "/team/shift-handoff.md")
        .expect("team");
    let hits = store.search_runbooks("zebra", 10).expect("search");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].id, "shift-handoff");
    assert_eq!(hits[0].title, "Handing over");
    assert!(
        store
            .search_runbooks("outgoing", 10)
            .expect("search")
            .is_empty(),
        "the old version's text is no longer searched"
    );
}

// ---------------------------------------------------------------------------------
// Import

/// Is `path` readable by this process even with mode 000 (root, CAP_DAC_OVERRIDE)?
fn unreadable_file(path: &Path) -> bool {
    write(path, source("secret", "Secret", "x"));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::read(path).is_err()
}

struct Tree {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// An extra path to pass to `import_paths` that cannot be read.
    unreadable: PathBuf,
}

fn tree() -> Tree {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("runbooks");
    write(&root.join("a.md"), source("alpha", "Alpha", "a"));
    write(&root.join("sub/b.md"), source("bravo", "Bravo", "b"));
    write(
        &root.join("sub/deeper/c.markdown"),
        source("charlie", "Charlie", "c"),
    );
    // Without front matter: the id comes from the file name.
    write(
        &root.join("sub/Disk Full.md"),
        "# Disk full\n\n- [ ] Find the biggest directory.\n- [ ] Rotate the logs.\n",
    );
    // Skipped by the walk.
    write(&root.join("README.md"), "# Our runbooks\n\n- [ ] read me\n");
    write(&root.join("sub/_index.md"), "# Index\n\n- [ ] index\n");
    write(&root.join(".hidden/d.md"), source("hidden", "Hidden", "h"));
    write(&root.join(".e.md"), source("dot", "Dot", "e"));
    write(&root.join("notes.txt"), "not a runbook");
    // A probe fence with an unknown key (a typo) on line 19.
    let broken = source("broken", "Broken", "x").replace(
        "  address = \"db-1.example.com:27017\"",
        "  adress = \"db-1.example.com:27017\"",
    );
    write(&root.join("sub/broken.md"), broken);
    // Not UTF-8: a Latin-1 byte on line 3, column 16.
    write(
        &root.join("latin1.md"),
        b"# Caf\xc3\xa9\n\n- [ ] Check caf\xe9 menus.\n".as_slice(),
    );
    let unreadable = root.join("zz-unreadable.md");
    let unreadable = if unreadable_file(&unreadable) {
        unreadable
    } else {
        // Running as root: mode 000 does not stop reads. Name a path that is not there.
        std::fs::remove_file(&unreadable).expect("rm");
        tmp.path().join("gone").join("missing.md")
    };
    Tree {
        _tmp: tmp,
        root,
        unreadable,
    }
}

fn imported(report: &ImportReport) -> Vec<(String, String, PutOutcome)> {
    report
        .files
        .iter()
        .filter_map(|f| match f {
            FileOutcome::Imported {
                path, id, change, ..
            } => Some((
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                id.clone(),
                *change,
            )),
            FileOutcome::Failed { .. } => None,
        })
        .collect()
}

fn failures(report: &ImportReport) -> Vec<(PathBuf, String)> {
    report
        .files
        .iter()
        .filter_map(|f| match f {
            FileOutcome::Failed { path, error } => Some((path.clone(), error.clone())),
            FileOutcome::Imported { .. } => None,
        })
        .collect()
}

/// `path:line:col: message` with numbers, for this path.
fn line_col(error: &str, path: &Path) -> (u32, u32) {
    let rest = error
        .strip_prefix(&format!("{}:", path.display()))
        .unwrap_or_else(|| panic!("{error:?} does not start with {}", path.display()));
    let mut parts = rest.splitn(3, ':');
    let line = parts.next().and_then(|l| l.parse().ok());
    let col = parts.next().and_then(|c| c.parse().ok());
    let message = parts.next().unwrap_or("");
    assert!(
        message.starts_with(' ') && message.trim().len() > 3,
        "{error:?}"
    );
    match (line, col) {
        (Some(l), Some(c)) => (l, c),
        _ => panic!("{error:?} is not path:line:col: message"),
    }
}

#[test]
fn import_walks_a_tree_and_reports_failures_per_file() {
    let t = tree();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let report = store
        .import_paths(&[t.root.clone(), t.unreadable.clone()])
        .expect("import");

    assert_eq!(
        imported(&report),
        vec![
            ("a.md".into(), "alpha".into(), PutOutcome::Added),
            ("Disk Full.md".into(), "disk-full".into(), PutOutcome::Added),
            ("b.md".into(), "bravo".into(), PutOutcome::Added),
            ("c.markdown".into(), "charlie".into(), PutOutcome::Added),
        ]
    );
    let paths: Vec<&Path> = report
        .files
        .iter()
        .map(|f| match f {
            FileOutcome::Imported { path, .. } | FileOutcome::Failed { path, .. } => path.as_path(),
        })
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "the report is in path order");

    let failed = failures(&report);
    assert_eq!(report.failed(), 3, "{failed:#?}");
    assert_eq!(failed.len(), 3);
    let find = |name: &str| {
        failed
            .iter()
            .find(|(p, _)| p.file_name().is_some_and(|n| n == name))
            .unwrap_or_else(|| panic!("no failure for {name}: {failed:#?}"))
    };
    let (broken_path, broken_error) = find("broken.md");
    assert_eq!(broken_path, &t.root.join("sub/broken.md"));
    // The typo is the third line of the fence body: line 19, indented by two.
    assert_eq!(
        line_col(broken_error, broken_path),
        (19, 3),
        "{broken_error}"
    );
    assert!(
        broken_error.contains("adress"),
        "names the bad key: {broken_error}"
    );

    let (latin_path, latin_error) = find("latin1.md");
    assert_eq!(line_col(latin_error, latin_path), (3, 16), "{latin_error}");
    assert!(latin_error.contains("UTF-8"), "{latin_error}");

    let (gone_path, gone_error) = find(
        t.unreadable
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name"),
    );
    assert_eq!(gone_path, &t.unreadable);
    assert!(
        gone_error.starts_with(&format!("{}: cannot read", t.unreadable.display())),
        "{gone_error}"
    );

    let list = store.runbooks().expect("list");
    let mut ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(ids, ["alpha", "bravo", "charlie", "disk-full"]);
    let alpha = by_id(&list, "alpha");
    assert_eq!(alpha.origin, t.root.join("a.md").display().to_string());
    assert!(Path::new(&alpha.origin).is_absolute());
    assert_eq!(by_id(&list, "disk-full").title, "Disk full");
    assert_eq!(by_id(&list, "disk-full").steps, 2);
}

#[test]
fn reimporting_unchanged_files_changes_nothing_and_a_changed_file_is_a_new_version() {
    let t = tree();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let paths = [t.root.clone(), t.unreadable.clone()];
    let first = store.import_paths(&paths).expect("import");
    let list = store.runbooks().expect("list");

    let again = store.import_paths(&paths).expect("again");
    assert_eq!(imported(&again).len(), 4);
    assert!(
        imported(&again)
            .iter()
            .all(|(_, _, change)| *change == PutOutcome::Unchanged),
        "{again:#?}"
    );
    assert_eq!(failures(&again), failures(&first));
    assert_eq!(
        store.runbooks().expect("list"),
        list,
        "updated_at untouched"
    );

    write(
        &t.root.join("sub/deeper/c.markdown"),
        source("charlie", "Charlie", "c, now with more care"),
    );
    let third = store.import_paths(&paths).expect("third");
    let changes: Vec<(String, PutOutcome)> = imported(&third)
        .into_iter()
        .map(|(_, id, change)| (id, change))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("alpha".into(), PutOutcome::Unchanged),
            ("disk-full".into(), PutOutcome::Unchanged),
            ("bravo".into(), PutOutcome::Unchanged),
            ("charlie".into(), PutOutcome::NewVersion),
        ]
    );
    let charlie = by_id(&store.runbooks().expect("list"), "charlie").clone();
    assert_eq!(charlie.versions, 2);
    assert!(
        store
            .runbook("charlie")
            .expect("charlie")
            .source
            .contains("now with more care")
    );

    // Fixing the broken file imports it next time.
    let fixed = source("broken", "Broken", "x");
    write(&t.root.join("sub/broken.md"), fixed);
    let fourth = store.import_paths(&paths).expect("fourth");
    assert!(imported(&fourth).contains(&("broken.md".into(), "broken".into(), PutOutcome::Added)));
    assert_eq!(fourth.failed(), 2);
}

#[test]
fn files_named_explicitly_are_imported_whatever_their_name() {
    let t = tree();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    let readme = t.root.join("README.md");
    let hidden = t.root.join(".hidden/d.md");
    let report = store
        .import_paths(&[readme.clone(), hidden.clone()])
        .expect("import");
    assert_eq!(
        imported(&report),
        vec![
            ("d.md".into(), "hidden".into(), PutOutcome::Added),
            ("README.md".into(), "readme".into(), PutOutcome::Added),
        ]
    );
    assert_eq!(report.failed(), 0);
}

#[test]
fn an_import_with_nothing_parseable_changes_nothing() {
    let t = tree();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut store = new_store(&tmp);
    store.install_bundled(BUNDLED_RUNBOOKS).expect("bundled");
    let before = store.runbooks().expect("list");
    let report = store
        .import_paths(&[
            t.root.join("sub/broken.md"),
            t.root.join("latin1.md"),
            t.unreadable.clone(),
        ])
        .expect("import");
    assert_eq!(report.failed(), 3);
    assert!(imported(&report).is_empty());
    assert_eq!(store.runbooks().expect("list"), before);
}

/// Two files whose runbooks have the same id (here both derive `db` from their file
/// name) shadow each other: the second becomes a "new version" of the first, and every
/// re-import of the unchanged tree flips the current version twice ("Restored", then
/// "Restored") instead of reporting "Unchanged".
#[test]
fn reimporting_a_tree_with_a_duplicate_id_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("runbooks");
    write(&root.join("team-a/db.md"), "# A db\n\n- [ ] a\n");
    write(&root.join("team-b/db.md"), "# B db\n\n- [ ] b\n");
    let mut store = new_store(&tmp);
    store
        .import_paths(std::slice::from_ref(&root))
        .expect("import");
    let before = store.runbooks().expect("list");
    let again = store.import_paths(&[root]).expect("again");
    assert!(
        imported(&again)
            .iter()
            .all(|(_, _, change)| *change == PutOutcome::Unchanged),
        "{again:#?}"
    );
    assert_eq!(store.runbooks().expect("list"), before);
}
