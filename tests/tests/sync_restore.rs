//! A hub restored from a backup: its data directory is put back as it was before the
//! last few pushes, so it has lost events that the laptops still hold (each its own,
//! and the others' they pulled). The sync client is built for this case: a hub cursor
//! below the stored one makes the store pull everything again, and a `seq_gap` answer
//! makes a device push again from where the hub says. After every laptop has synced,
//! the hub must hold every shared event again, each once, and every laptop must hold
//! everyone's.
//!
//! Both tests fail today; see the notes on each for the diagnosis.

use firebreak_core::ids::DeviceId;
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::Laptop;
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read the data directory") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

fn id(event: &Value) -> String {
    event["id"].as_str().expect("an event id").to_string()
}

fn hub_ids(reader: &HubReader) -> Vec<String> {
    reader
        .all_events()
        .expect("pull")
        .iter()
        .map(|e| e.event.id.to_string())
        .collect()
}

fn device(laptop: &Laptop) -> DeviceId {
    laptop.open_store().device()
}

/// Two laptops, a hub restored from a backup that predates some of their pushes.
struct Restored {
    _hub: HubProcess,
    alice: Laptop,
    bob: Laptop,
    incident: String,
    reader: HubReader,
    /// Every shared event written so far.
    shared: Vec<String>,
    _backup: tempfile::TempDir,
}

/// Alice starts an incident and writes 3 notes; both sync; the hub is backed up. Alice
/// writes 3 more and Bob 1; both sync (Bob pulls Alice's). The hub is restored: it has
/// lost Alice's last 3 notes and Bob's note, and its cursor is back at 4 while Bob's
/// store is at 8.
fn restored_hub() -> Restored {
    let mut hub = HubProcess::start_fresh(&[]);
    let alice = Laptop::new("alice");
    let bob = Laptop::new("bob");
    alice.connect(&hub.url(), &hub.add_user("alice")).ok();
    let bob_token = hub.add_user("bob");
    bob.connect(&hub.url(), &bob_token).ok();
    let incident = alice.start_incident("Restored hub");
    let mut shared = vec![id(&alice.log(&incident)[0])];
    for n in 0..3 {
        shared.push(id(&alice.note(&incident, &format!("before the backup {n}"))));
    }
    alice.sync_ok();
    bob.sync_ok();

    // The backup: taken with the hub stopped, so the copy is whole.
    let backup = tempfile::tempdir().expect("tempdir");
    hub.kill();
    copy_dir(hub.data(), backup.path());
    hub.restart();

    for n in 0..3 {
        shared.push(id(&alice.note(&incident, &format!("after the backup {n}"))));
    }
    shared.push(id(&bob.note(&incident, "bob, after the backup")));
    alice.sync_ok();
    bob.sync_ok();
    let reader = HubReader::new(&hub.url(), &bob_token);
    assert_eq!(hub_ids(&reader).len(), shared.len());

    let url = hub.url();
    hub.kill();
    std::fs::remove_dir_all(hub.data()).expect("remove the data directory");
    copy_dir(backup.path(), hub.data());
    hub.restart();
    // The same URL, or the laptops would start over instead of meeting a restore.
    assert_eq!(hub.url(), url, "the restored hub is back on its port");
    let reader = HubReader::new(&hub.url(), &bob_token);
    assert_eq!(hub_ids(&reader).len(), 4, "the backup's events");
    Restored {
        _hub: hub,
        alice,
        bob,
        incident,
        reader,
        shared,
        _backup: backup,
    }
}

/// Every shared event on the hub once, each device's high-water mark at its last
/// event, and both logs whole.
fn assert_whole(r: &Restored) {
    let on_hub = hub_ids(&r.reader);
    let distinct: HashSet<&String> = on_hub.iter().collect();
    assert_eq!(distinct.len(), on_hub.len(), "an event twice on the hub");
    let missing: Vec<&String> = r
        .shared
        .iter()
        .filter(|id| !distinct.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "after the restore the hub never got back {} of {} events: {missing:?}",
        missing.len(),
        r.shared.len()
    );
    for laptop in [&r.alice, &r.bob] {
        let last = laptop.open_store().own_last_seq().expect("last seq");
        let status = r.reader.device(device(laptop)).expect("device");
        assert_eq!(
            status.acknowledged_seq, last,
            "{}'s high-water mark on the hub",
            laptop.name
        );
        let log: HashSet<String> = laptop.log(&r.incident).iter().map(id).collect();
        let lacking: Vec<&String> = r.shared.iter().filter(|id| !log.contains(*id)).collect();
        assert!(lacking.is_empty(), "{} lacks {lacking:?}", laptop.name);
    }
}

/// Nobody writes after the restore; both sync, twice round.
///
/// Fails today: `sync` reports success (`acknowledged_seq` 7 for Alice, `pending` 0)
/// and pushes nothing, while the hub holds Alice's events only up to #4 and none of
/// Bob's. `sync_round` notices the restore on the pull side only (`health.cursor` below
/// the stored cursor → pull from 0); `push_all` starts from the stored
/// `acknowledged_seq` and learns of the loss only from a `seq_gap` answer, which needs
/// an event above the stored mark to push. A device that writes nothing more never
/// gives the hub back what it lost.
#[test]
fn a_hub_restored_from_a_backup_gets_every_event_back() {
    let r = restored_hub();
    for _ in 0..2 {
        for laptop in [&r.alice, &r.bob] {
            let report = laptop.sync_ok();
            println!("{}: {report}", laptop.name);
        }
    }
    assert_whole(&r);
}

/// After the restore, Alice writes one more note and syncs first: her push meets
/// `seq_gap`, and she pushes #5–#8 again (new hub cursors 5–8), so the hub's cursor is
/// back at 8 before Bob syncs.
///
/// Fails today: Bob's stored cursor is 8 too, so he sees no restore (`health.cursor`
/// is not below it) and pulls after 8 — and never gets Alice's new note, which the hub
/// stored at cursor 8. A cursor that went back and came forward again is not seen.
/// (Bob's own lost note is the first test's bug.)
#[test]
fn after_a_restore_everyone_gets_what_was_written_since() {
    let mut r = restored_hub();
    r.shared
        .push(id(&r.alice.note(&r.incident, "alice, after the restore")));
    let report = r.alice.sync_ok();
    println!("alice: {report}");
    assert_eq!(r.reader.health().expect("health").cursor, 8, "{report}");
    for _ in 0..2 {
        for laptop in [&r.bob, &r.alice] {
            let report = laptop.sync_ok();
            println!("{}: {report}", laptop.name);
        }
    }
    let lacking = r.shared.last().expect("the new note");
    let bob_log: HashSet<String> = r.bob.log(&r.incident).iter().map(id).collect();
    assert!(
        bob_log.contains(lacking),
        "Bob never got Alice's note written after the restore ({lacking})"
    );
    assert_whole(&r);
}
