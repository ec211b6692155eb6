//! SIGKILL mid-sync, deterministically: a `firebreak sync` client process and the hub
//! process are each killed in the middle of a push and in the middle of a pull of a
//! large backlog (5,000 events a laptop, several batches and pages), the kill timed by
//! watching progress (the hub's high-water mark, the store's pull cursor) rather than
//! by a sleep. Afterwards the hub restarts on the same data directory and port, and
//! every laptop syncs until it has converged: nothing the hub acknowledged before its
//! death is lost, nothing is stored twice, and nothing private reaches anyone.
//!
//! A proxy adds latency (no faults) so that each batch and page takes long enough for
//! the kill to land between two of them.

use firebreak_core::event::{EventBody, FindingKind, NewEvent};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_faultproxy::{FaultProxy, Faults};
use firebreak_store::Store;
use firebreak_sync::{ClientOptions, sync_once};
use firebreak_system_tests::child::ChildGuard;
use firebreak_system_tests::hub_process::HubProcess;
use firebreak_system_tests::hub_reader::HubReader;
use firebreak_system_tests::laptop::{EXIT_UNREACHABLE, Laptop};
use firebreak_system_tests::set_full::{self, StoreView};
use std::collections::HashSet;
use std::time::{Duration, Instant};

const BACKLOG: usize = 5_000;
/// Every `PRIVATE_EVERY`-th event of the backlog is private.
const PRIVATE_EVERY: usize = 97;
const DEADLINE: Duration = Duration::from_secs(120);

/// Appends `count` (a multiple of 500) events to `laptop`'s store, in `incident`.
fn write_backlog(laptop: &Laptop, incident: &str, count: usize) -> u64 {
    let mut store = laptop.open_store();
    let incident: IncidentId = incident.parse().expect("incident id");
    for chunk in 0..count / 500 {
        let events: Vec<NewEvent> = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                let mut event = NewEvent::new(
                    incident,
                    EventBody::Finding {
                        finding: FindingKind::Observation,
                        text: format!("{}: reading {n}, queue depth {}", laptop.name, n * 7 % 1000),
                    },
                );
                event.private = n % PRIVATE_EVERY == 0;
                event
            })
            .collect();
        store.append_all(&laptop.name, events).expect("append");
    }
    store.own_last_seq().expect("last seq")
}

/// Polls `progress` until it says stop (`Some`), the child exits, or the deadline.
fn wait_for<T>(child: &mut ChildGuard, what: &str, mut progress: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(found) = progress() {
            return found;
        }
        if let Some(status) = child.try_wait() {
            panic!(
                "`firebreak sync` finished ({status}) before {what}: the kill could not land mid-sync"
            );
        }
        assert!(
            Instant::now() < deadline,
            "no sign of {what} in {DEADLINE:?}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// The hub's high-water mark for `device` (0 before its first push).
fn hub_ack(reader: &HubReader, device: DeviceId) -> u64 {
    reader.device(device).map_or(0, |d| d.acknowledged_seq)
}

fn view(laptop: &Laptop, acknowledged: &HashSet<EventId>) -> StoreView {
    let store = laptop.open_store();
    StoreView {
        label: laptop.name.clone(),
        device: store.device(),
        user: laptop.name.clone(),
        events: set_full::store_events(&store).expect("the store's events"),
        acknowledged: acknowledged.clone(),
    }
}

/// The own shared events the store's recorded high-water mark covers: what it believes
/// the hub holds.
fn believed_on_hub(store: &Store) -> HashSet<EventId> {
    let upto = store
        .hub_connection()
        .expect("hub")
        .expect("connected")
        .acknowledged_seq;
    store
        .own_events_after(0, upto as usize)
        .expect("own events")
        .into_iter()
        .filter(|e| !e.private)
        .map(|e| e.id)
        .collect()
}

#[test]
fn sigkill_of_client_and_hub_mid_sync_then_restart() {
    let started = Instant::now();
    let mut hub =
        HubProcess::start_fresh(&["--rate-burst", "1000000", "--rate-per-second", "1000000"]);
    let names = ["alice", "bob", "carol"];
    let tokens: Vec<String> = names.iter().map(|n| hub.add_user(n)).collect();
    let proxy = FaultProxy::start(
        hub.addr(),
        Faults::Latency {
            one_way: Duration::from_millis(40),
        },
    )
    .expect("proxy");
    let laptops: Vec<Laptop> = names.iter().map(|n| Laptop::new(n)).collect();
    for (laptop, token) in laptops.iter().zip(&tokens) {
        laptop.connect(&proxy.url(), token).ok();
    }
    let (alice, bob, carol) = (&laptops[0], &laptops[1], &laptops[2]);
    let devices: Vec<DeviceId> = laptops.iter().map(|l| l.open_store().device()).collect();
    let mut acknowledged: Vec<HashSet<EventId>> = vec![HashSet::new(); 3];

    let incident = alice.start_incident("Queue backlog");
    alice.sync_ok();
    bob.sync_ok();
    let alice_last = write_backlog(alice, &incident, BACKLOG);
    let bob_last = write_backlog(bob, &incident, BACKLOG);
    println!("backlogs written at {:.1?}", started.elapsed());

    // 1. Alice's client is killed mid-push: after the hub stored a batch, before the
    //    last one.
    let reader = HubReader::new(&hub.url(), &tokens[2]);
    let mut child = alice.spawn(&["sync"]);
    let seen = wait_for(&mut child, "a first batch of Alice's on the hub", || {
        Some(hub_ack(&reader, devices[0])).filter(|a| *a > 1)
    });
    child.kill();
    let at_kill = hub_ack(&reader, devices[0]);
    println!("alice's client killed mid-push: hub has #{at_kill} of #{alice_last} (saw #{seen})");
    assert!(at_kill < alice_last, "the push finished before the kill");
    {
        let store = alice.open_store();
        assert_eq!(store.integrity_check().expect("integrity"), "ok");
        let recorded = store
            .hub_connection()
            .expect("hub")
            .expect("connected")
            .acknowledged_seq;
        assert!(
            recorded <= at_kill,
            "the store records #{recorded}, the hub has #{at_kill}"
        );
        acknowledged[0].extend(believed_on_hub(&store));
    }

    // 2. The hub is killed mid-push of Bob's: his client exits 4 (unreachable), and
    //    what the hub acknowledged survives its restart.
    let mut child = bob.spawn(&["sync"]);
    let seen = wait_for(&mut child, "a first batch of Bob's on the hub", || {
        Some(hub_ack(&reader, devices[1])).filter(|a| *a > 1)
    });
    hub.kill();
    let status = child
        .wait_timeout(Duration::from_secs(60))
        .expect("bob's sync still runs a minute after the hub died");
    assert_eq!(status.code(), Some(EXIT_UNREACHABLE), "{status}");
    println!("hub killed mid-push of bob's: it had acknowledged at least #{seen} of #{bob_last}");
    hub.restart();
    proxy.set_upstream(hub.addr());
    let reader = HubReader::new(&hub.url(), &tokens[2]);
    let after_restart = hub_ack(&reader, devices[1]);
    assert!(
        after_restart >= seen,
        "the hub acknowledged #{seen} of Bob's before it died and has #{after_restart} after"
    );
    assert!(
        after_restart < bob_last,
        "the push finished before the kill"
    );
    acknowledged[1].extend(believed_on_hub(&bob.open_store()));
    // Bob finishes his push.
    let report = bob.sync_ok();
    assert_eq!(report["acknowledged_seq"], bob_last, "{report}");
    acknowledged[1].extend(believed_on_hub(&bob.open_store()));

    // 3. Alice's client is killed mid-pull of Bob's 5,000 (its push of the rest comes
    //    first): after a page is stored, before the last.
    let watcher = alice.open_store();
    let cursor_of = |store: &Store| {
        store
            .hub_connection()
            .expect("hub")
            .expect("connected")
            .pull_cursor
    };
    let before = cursor_of(&watcher);
    let mut child = alice.spawn(&["sync"]);
    let seen = wait_for(&mut child, "a first page stored by Alice", || {
        // The push of the rest comes first, so a moved cursor means it is done.
        Some(cursor_of(&watcher)).filter(|c| *c > before)
    });
    child.kill();
    let hub_cursor = reader.health().expect("health").cursor;
    let cursor = cursor_of(&watcher);
    println!("alice's client killed mid-pull: cursor #{cursor} (saw #{seen}) of #{hub_cursor}");
    assert!(cursor < hub_cursor, "the pull finished before the kill");
    assert_eq!(watcher.integrity_check().expect("integrity"), "ok");
    acknowledged[0].extend(believed_on_hub(&watcher));
    drop(watcher);

    // 4. The hub is killed while Carol (a new laptop) pulls everything: she exits 4.
    let watcher = carol.open_store();
    let mut child = carol.spawn(&["sync"]);
    let seen = wait_for(&mut child, "a first page stored by Carol", || {
        Some(cursor_of(&watcher)).filter(|c| *c > 0)
    });
    hub.kill();
    let status = child
        .wait_timeout(Duration::from_secs(60))
        .expect("carol's sync still runs a minute after the hub died");
    assert_eq!(status.code(), Some(EXIT_UNREACHABLE), "{status}");
    let cursor = cursor_of(&watcher);
    println!("hub killed mid-pull of carol's: cursor #{cursor} (saw #{seen}) of #{hub_cursor}");
    assert!(cursor < hub_cursor, "the pull finished before the kill");
    drop(watcher);
    hub.restart();
    proxy.set_upstream(hub.addr());
    let reader = HubReader::new(&hub.url(), &tokens[2]);

    // 5. Everyone syncs until it converges: two rounds each, then nothing moves.
    proxy.set_faults(Faults::None);
    for _ in 0..2 {
        for laptop in &laptops {
            laptop.sync_ok();
        }
    }
    for (i, laptop) in laptops.iter().enumerate() {
        let report = laptop.sync_ok();
        assert_eq!(
            (report["pushed"].as_u64(), report["pulled"].as_u64()),
            (Some(0), Some(0)),
            "{report}"
        );
        assert_eq!(laptop.status()["pending"], 0);
        let store = laptop.open_store();
        assert_eq!(
            hub_ack(&reader, devices[i]),
            store.own_last_seq().expect("last"),
            "{}: the hub's high-water mark",
            laptop.name
        );
        acknowledged[i].extend(believed_on_hub(&store));
    }
    let on_hub = reader.all_events().expect("pull everything");
    // Alice's incident start, and each backlog but its private events.
    let shared_backlog = (BACKLOG - BACKLOG.div_ceil(PRIVATE_EVERY)) as u64;
    let expected = 1 + 2 * shared_backlog;
    println!(
        "{} events on the hub (expected {expected}), {:.1?} in all",
        on_hub.len(),
        started.elapsed()
    );
    let views: Vec<StoreView> = laptops
        .iter()
        .zip(&acknowledged)
        .map(|(l, a)| view(l, a))
        .collect();
    let problems = set_full::check(&views, &on_hub);
    assert!(
        problems.is_empty(),
        "{}",
        set_full::summarize(&problems, 30)
    );
    assert_eq!(on_hub.len() as u64, expected, "shared events on the hub");
}

/// The desktop app and the CLI may sync one store at the same moment: two rounds of
/// one device, pushing the same batches and storing the same pages, interleaved. Both
/// must succeed (or fail only transiently), and nothing may be doubled.
#[test]
fn two_syncs_of_one_store_at_once_converge() {
    let hub = HubProcess::start_fresh(&["--rate-burst", "1000000", "--rate-per-second", "1000000"]);
    let proxy = FaultProxy::start(
        hub.addr(),
        Faults::Latency {
            one_way: Duration::from_millis(10),
        },
    )
    .expect("proxy");
    let alice = Laptop::new("alice");
    let bob = Laptop::new("bob");
    alice.connect(&proxy.url(), &hub.add_user("alice")).ok();
    bob.connect(&proxy.url(), &hub.add_user("bob")).ok();
    let incident = alice.start_incident("Two syncs at once");
    alice.sync_ok();
    bob.sync_ok();
    write_backlog(&alice, &incident, BACKLOG);
    write_backlog(&bob, &incident, BACKLOG);
    bob.sync_ok();

    // The CLI and this process sync Alice's store at once: first with the CLI already
    // mid-push when this process starts, then both started together with a new
    // backlog, then both with nothing to do.
    let reader = HubReader::new(&hub.url(), &hub.add_user("reader"));
    let mut store = alice.open_store();
    let device = store.device();
    for round in 0..3 {
        if round == 1 {
            write_backlog(&alice, &incident, 2_000);
        }
        let mut child = alice.spawn(&["sync"]);
        if round == 0 {
            wait_for(&mut child, "a first batch of the CLI's on the hub", || {
                Some(hub_ack(&reader, device)).filter(|a| *a > 1)
            });
        }
        let ours = sync_once(&mut store, ClientOptions::default());
        let theirs = child
            .wait_timeout(Duration::from_secs(120))
            .expect("the CLI's sync still runs after two minutes");
        match &ours {
            Ok(report) => println!(
                "round {round}: this process pushed {} ({} already there), pulled {}; the CLI: {theirs}",
                report.pushed, report.already_on_hub, report.pulled
            ),
            Err(e) => assert!(e.kind().is_transient(), "this process's round: {e}"),
        }
        assert!(
            matches!(theirs.code(), Some(0) | Some(EXIT_UNREACHABLE)),
            "the CLI's round: {theirs}"
        );
    }
    drop(store);
    for laptop in [&alice, &bob] {
        laptop.sync_ok();
    }
    for laptop in [&alice, &bob] {
        let report = laptop.sync_ok();
        assert_eq!(
            (report["pushed"].as_u64(), report["pulled"].as_u64()),
            (Some(0), Some(0)),
            "{report}"
        );
    }
    let on_hub = reader.all_events().expect("pull");
    let views: Vec<StoreView> = [&alice, &bob]
        .iter()
        .map(|l| view(l, &believed_on_hub(&l.open_store())))
        .collect();
    let problems = set_full::check(&views, &on_hub);
    assert!(
        problems.is_empty(),
        "{}",
        set_full::summarize(&problems, 30)
    );
}
