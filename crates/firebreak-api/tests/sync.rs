//! The desktop's sync commands against a real hub process on 127.0.0.1: connecting
//! checks the URL and the token and saves nothing when refused; notes are pushed at
//! once; another responder's events are pulled into the timeline with the name the hub
//! gives them; the status goes offline when the hub dies and comes back by itself when
//! it returns; two apps behind the fault proxy converge with nothing lost or doubled.
//! Nothing here talks to any address but loopback.

use firebreak_api::types::*;
use firebreak_api::{Api, ErrorCode};
use firebreak_core::event::FindingKind;
use firebreak_store::{NewFinding, Store};
use firebreak_sync::{ClientOptions, sync_once};
use firebreak_testkit::hub_process::{HubProcess, add_user};
use std::net::TcpListener;
use std::time::{Duration, Instant};

mod support;
use support::app;

const DEADLINE: Duration = Duration::from_secs(20);

fn connect(
    api: &mut Api,
    url: &str,
    token: &str,
    offline: bool,
) -> Result<SyncStatusView, firebreak_api::ApiError> {
    api.connect_hub(ConnectHub {
        url: url.into(),
        token: token.into(),
        offline,
    })
}

/// Polls the status until `want` holds; the last status seen is in the failure.
fn wait_status(
    api: &mut Api,
    what: &str,
    want: impl Fn(&SyncStatusView) -> bool,
) -> SyncStatusView {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let status = api.sync_status().expect("status");
        if want(&status) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "waited {DEADLINE:?} for {what}; the status is {status:#?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn synced(s: &SyncStatusView) -> bool {
    s.phase == "synced" && s.pending == 0
}

/// A loopback port nothing listens on.
fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("addr").port()
}

fn note(api: &mut Api, incident: &str, text: &str) -> TimelineEntry {
    api.add_note(AddNote {
        incident: incident.into(),
        kind: "observation".into(),
        text: text.into(),
        at: None,
        private: false,
    })
    .expect("note")
}

#[test]
fn a_refused_connection_saves_nothing_and_an_offline_one_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("hub");
    let token = add_user(&data, "alice");
    let hub = HubProcess::start(&data, &[]);
    let mut api = app(&dir.path().join("app"), "alice");
    let nothing_saved = |api: &mut Api| {
        assert!(api.store().hub_connection().expect("read").is_none());
        assert!(!api.store().token_path().exists(), "no token file");
        let status = api.sync_status().expect("status");
        assert_eq!(status.phase, "not_connected");
        assert_eq!(status.hub_url, None);
        assert_eq!(status.token_path, None);
    };

    let bad_url = connect(&mut api, "ftp://127.0.0.1:1", &token, false).expect_err("ftp");
    assert_eq!(bad_url.code, ErrorCode::BadHubUrl, "{bad_url:?}");
    let empty = connect(&mut api, &hub.url(), "  ", false).expect_err("empty token");
    assert_eq!(empty.code, ErrorCode::InvalidInput);
    let wrong = connect(&mut api, &hub.url(), "fbk_not-a-real-token", false).expect_err("wrong");
    assert_eq!(wrong.code, ErrorCode::HubUnauthorized, "{wrong:?}");
    assert!(
        wrong.message.contains("Nothing was saved"),
        "{}",
        wrong.message
    );
    assert!(
        !wrong.message.contains(&token),
        "the message never holds a token"
    );
    nothing_saved(&mut api);

    let down = format!("http://127.0.0.1:{}", refused_port());
    let unreachable = connect(&mut api, &down, &token, false).expect_err("unreachable");
    assert_eq!(
        unreachable.code,
        ErrorCode::HubUnreachable,
        "{unreachable:?}"
    );
    assert!(
        unreachable.message.contains("Save offline"),
        "{}",
        unreachable.message
    );
    nothing_saved(&mut api);

    // Saved offline: kept, tried in the background, shown offline with why.
    let saved = connect(&mut api, &format!("{down}/"), &token, true).expect("offline save");
    assert_eq!(
        saved.hub_url.as_deref(),
        Some(down.as_str()),
        "trailing / trimmed"
    );
    assert_eq!(saved.phase, "syncing", "a round is on its way");
    assert_eq!(
        api.store().hub_token().expect("token").as_deref(),
        Some(token.as_str())
    );
    let offline = wait_status(&mut api, "offline", |s| s.phase == "offline");
    let error = offline.error.clone().expect("the reason");
    assert_eq!(error.kind, "unreachable");
    assert!(offline.next_attempt_at.is_some(), "{offline:?}");
    assert!(offline.token_path.is_some());
    let json = serde_json::to_string(&offline).expect("json");
    assert!(
        !json.contains(&token),
        "the token never goes back to the UI: {json}"
    );

    let gone = api.disconnect_hub().expect("disconnect");
    assert_eq!(gone.phase, "not_connected");
    nothing_saved(&mut api);
}

#[test]
fn notes_are_pushed_at_once_and_other_responders_events_are_pulled_into_the_timeline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("hub");
    let alice_token = add_user(&data, "alice");
    let bob_token = add_user(&data, "bob");
    let hub = HubProcess::start(&data, &[]);

    let mut api = app(&dir.path().join("app"), "alice");
    let connected = connect(&mut api, &hub.url(), &alice_token, false).expect("connect");
    assert_eq!(connected.hub_url.as_deref(), Some(hub.url().as_str()));
    assert_ne!(connected.phase, "not_connected");
    let incident = api
        .start_incident(StartIncident {
            title: "Checkout returns 502".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("start");
    let mine = note(
        &mut api,
        &incident.id,
        "LB shows 0 of 4 app servers healthy",
    );
    let pushed = wait_status(&mut api, "alice's events pushed", synced);
    assert!(pushed.last_success_at.is_some());
    assert!(pushed.error.is_none(), "{pushed:?}");
    // The hub bound this device to the token's user, and the app learns that name.
    let named = wait_status(&mut api, "the hub's name for this device", |s| {
        s.hub_user.is_some()
    });
    assert_eq!(named.hub_user.as_deref(), Some("alice"));

    // Bob works in his own store, under a local name the hub replaces with his user's.
    let bob_dir = dir.path().join("bob");
    let mut bob = Store::open(&bob_dir).expect("bob's store");
    bob.connect_hub(&hub.url(), &bob_token)
        .expect("bob connects");
    let bobs = bob
        .start_incident("robert", "Payments slow", None, &[])
        .expect("bob starts");
    bob.add_finding(
        "robert",
        bobs.id,
        NewFinding {
            kind: FindingKind::Observation,
            text: "p99 at 4 s on the payments API".into(),
            occurred_at: None,
            private: false,
        },
    )
    .expect("bob's note");
    let report = sync_once(&mut bob, ClientOptions::default()).expect("bob syncs");
    assert!(report.pushed >= 2, "{report:?}");

    // Alice's note reached the hub: bob pulled it, with the hub's name for her.
    let alices = bob
        .resolve_incident(Some(&incident.id))
        .expect("alice's incident in bob's store");
    let pulled = bob.incident_events(alices.id).expect("events");
    let her_note = pulled
        .iter()
        .find(|e| e.id.to_string() == mine.id)
        .expect("alice's note pulled by bob");
    assert_eq!(her_note.author, "alice");

    // Bob's events arrive in the app by themselves, in the timeline, marked as his.
    let deadline = Instant::now() + DEADLINE;
    let view = loop {
        if let Ok(view) = api.incident_view(IncidentRef {
            incident: Some(bobs.id.to_string()),
        }) && view.timeline.iter().any(|e| e.text.contains("p99 at 4 s"))
        {
            break view;
        }
        assert!(Instant::now() < deadline, "bob's incident never arrived");
        std::thread::sleep(Duration::from_millis(50));
    };
    let entry = view
        .timeline
        .iter()
        .find(|e| e.text.contains("p99 at 4 s"))
        .expect("bob's note");
    assert_eq!(entry.author, "bob", "the hub's name, not the local one");
    let me = api.app_info().expect("info");
    assert_ne!(entry.device, me.device, "from another device");
    assert_eq!(view.incident.started_by, "bob");
    let titles: Vec<String> = api
        .list_incidents()
        .expect("list")
        .into_iter()
        .map(|i| i.title)
        .collect();
    assert!(titles.contains(&"Payments slow".to_string()), "{titles:?}");
    // Pulled events are not this device's to push.
    let after = wait_status(&mut api, "synced after the pull", synced);
    assert_eq!(after.pending, 0);
}

#[test]
fn the_status_goes_offline_when_the_hub_dies_and_recovers_when_it_returns() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("hub");
    let token = add_user(&data, "alice");
    let mut hub = HubProcess::start(&data, &[]);
    let port = hub.addr().port();

    let mut api = app(&dir.path().join("app"), "alice");
    connect(&mut api, &hub.url(), &token, false).expect("connect");
    let incident = api
        .start_incident(StartIncident {
            title: "DB failover".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("start");
    wait_status(&mut api, "the incident pushed", synced);

    hub.kill();
    let offline = wait_status(&mut api, "offline", |s| s.phase == "offline");
    assert_eq!(
        offline.error.as_ref().map(|e| e.kind.as_str()),
        Some("unreachable")
    );
    // A note written while offline waits, counted.
    note(&mut api, &incident.id, "primary is read-only");
    let waiting = wait_status(&mut api, "one event pending", |s| s.pending == 1);
    assert_ne!(waiting.phase, "synced");

    // The same hub (same data) back at the same address: the worker finds it by itself.
    hub.restart();
    assert_eq!(hub.addr().port(), port);
    let back = wait_status(&mut api, "synced again", synced);
    assert!(back.error.is_none(), "{back:?}");
    assert!(back.last_success_at > offline.last_success_at, "{back:?}");
}

#[test]
fn without_a_hub_everything_stays_local_and_sync_now_is_harmless() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut api = app(dir.path(), "alice");
    let status = api.sync_now().expect("sync now");
    assert_eq!(status.phase, "not_connected");
    assert_eq!(status.device, api.app_info().expect("info").device);
    assert_eq!(status.hub_user, None);
    let gone = api
        .disconnect_hub()
        .expect("disconnect with nothing to forget");
    assert_eq!(gone.phase, "not_connected");
}

/// Every event of the hub, pulled directly (not through the proxy), by id; panics on
/// a doubled id.
fn hub_event_ids(url: &str, token: &str) -> std::collections::BTreeSet<String> {
    let client = firebreak_sync::HubClient::new(
        url,
        token,
        firebreak_core::ids::DeviceId::new_v7(),
        ClientOptions::default(),
    )
    .expect("client");
    let mut ids = std::collections::BTreeSet::new();
    let mut after = 0;
    loop {
        let page = client
            .pull(after, 1000, None)
            .expect("pull from the hub")
            .body;
        for hub_event in &page.events {
            assert!(
                ids.insert(hub_event.event.id.to_string()),
                "event {} is on the hub twice",
                hub_event.event.id
            );
        }
        after = page.cursor;
        if !page.more {
            return ids;
        }
    }
}

fn incident_ids(api: &mut Api, incident: &str) -> Option<std::collections::BTreeSet<String>> {
    api.incident_view(IncidentRef {
        incident: Some(incident.into()),
    })
    .ok()
    .map(|view| view.timeline.into_iter().map(|e| e.id).collect())
}

#[test]
fn two_desktop_apps_converge_through_a_faulty_network() {
    use firebreak_faultproxy::{FaultProxy, Faults, RandomFaults};
    let seed: u64 = std::env::var("FIREBREAK_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(7, |d| d.as_nanos() as u64)
        });
    println!("fault seed {seed} (FIREBREAK_FAULT_SEED={seed} replays it)");
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("hub");
    let alice_token = add_user(&data, "alice");
    let bob_token = add_user(&data, "bob");
    let hub = HubProcess::start(&data, &[]);
    let proxy = FaultProxy::start(
        ([127, 0, 0, 1], hub.addr().port()).into(),
        Faults::Random(RandomFaults {
            seed,
            fault_probability: 0.5,
            max_delay: Duration::from_millis(40),
        }),
    )
    .expect("proxy");

    // Both apps talk to the hub only through the proxy; saved offline, because the
    // check itself may meet a fault.
    let mut alice = app(&dir.path().join("alice"), "alice");
    let mut bob = app(&dir.path().join("bob"), "bob");
    connect(&mut alice, &proxy.url(), &alice_token, true).expect("alice connects");
    connect(&mut bob, &proxy.url(), &bob_token, true).expect("bob connects");
    let incident = alice
        .start_incident(StartIncident {
            title: "Search is down".into(),
            severity: None,
            runbooks: vec![],
        })
        .expect("start")
        .id;
    // A little apart, so that many rounds (each with fresh connections, each drawing
    // its own fate) run while the network is faulty.
    for i in 0..25 {
        note(&mut alice, &incident, &format!("alice finding {i}"));
        std::thread::sleep(Duration::from_millis(20));
    }
    // Bob works in alice's incident once it reaches him, faults and all.
    let deadline = Instant::now() + Duration::from_secs(60);
    while incident_ids(&mut bob, &incident).is_none() {
        assert!(
            Instant::now() < deadline,
            "alice's incident never reached bob (seed {seed}); {:?}",
            proxy.stats()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for i in 0..25 {
        note(&mut bob, &incident, &format!("bob finding {i}"));
        std::thread::sleep(Duration::from_millis(20));
    }

    // The faults end; both apps must converge on their own, with nothing lost.
    let faults = proxy.stats();
    println!("faults while both wrote: {faults:?}");
    proxy.set_faults(Faults::None);
    let expected = 1 + 25 + 25;
    let deadline = Instant::now() + Duration::from_secs(60);
    let (a, b) = loop {
        let a = incident_ids(&mut alice, &incident).unwrap_or_default();
        let b = incident_ids(&mut bob, &incident).unwrap_or_default();
        if a.len() == expected && b.len() == expected {
            break (a, b);
        }
        assert!(
            Instant::now() < deadline,
            "no convergence (seed {seed}): alice has {}, bob has {} of {expected}; {:?}",
            a.len(),
            b.len(),
            proxy.stats()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(a, b, "both apps show the same events");
    wait_status(&mut alice, "alice synced", synced);
    wait_status(&mut bob, "bob synced", synced);
    let on_hub = hub_event_ids(&hub.url(), &alice_token);
    assert!(a.is_subset(&on_hub), "every event reached the hub once");
    assert_eq!(on_hub.len(), expected, "and nothing else");
    let injected = faults.request_resets
        + faults.response_resets
        + faults.truncations
        + faults.server_errors
        + faults.delays;
    assert!(injected >= 3, "the network was faulty: {faults:?}");
}
