//! The hub as a client meets it: a real `firebreak-hub` process on 127.0.0.1 port 0
//! with a temporary data directory, driven over HTTP. Every refusal is checked for its
//! status, its reason, and that the hub holds exactly what it held before.

mod support;

use firebreak_core::event::{EventBody, FindingKind};
use firebreak_core::ids::{DeviceId, EventId};
use firebreak_core::sync::{
    ClockSample, HubEvent, IncidentList, PushRequest, TimelineResponse, accept_pull,
};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{Client, Hub, Laptop, add_user, hub_cmd};

fn data_dir(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    tmp.path().join("hub")
}

/// A hub with users; returns it with their tokens.
fn hub_with(tmp: &tempfile::TempDir, users: &[&str], extra: &[&str]) -> (Hub, Vec<String>) {
    let data = data_dir(tmp);
    let tokens = users.iter().map(|u| add_user(&data, u)).collect();
    (Hub::start(&data, extra), tokens)
}

#[test]
fn push_is_acknowledged_and_pulled_back_with_the_users_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, tokens) = hub_with(&tmp, &["alice"], &[]);
    let alice = hub.client(&tokens[0]);

    // Written offline a day before the device ever met the hub (or alice her token).
    let mut laptop = Laptop::new("alice-laptop");
    laptop.clock = chrono::Utc::now() - chrono::Duration::days(1);
    laptop.start("API down");
    laptop.note("LB shows 0/4 healthy");
    laptop.note("db primary fine");
    laptop.private_note("I think it was my deploy");
    laptop.note("rolled back");

    let ack = alice.push_ok(&laptop.request(0));
    assert_eq!(ack["acknowledged_seq"], 5);
    assert_eq!(ack["stored"], 4);
    assert_eq!(ack["already_stored"], 0);
    assert!(ack["server_received_at"].is_string() && ack["server_sent_at"].is_string());

    let pulled = alice.pull_all();
    assert_eq!(pulled.len(), 4, "the private note never left the laptop");
    let shared: Vec<_> = laptop.events.iter().filter(|e| !e.private).collect();
    for (hub_event, sent) in pulled.iter().zip(&shared) {
        assert_eq!(
            hub_event.event.author, "alice",
            "served as the token's user"
        );
        assert_eq!(hub_event.device_author, "alice-laptop");
        let mut as_sent = hub_event.event.clone();
        as_sent.author = hub_event.device_author.clone();
        assert_eq!(&&as_sent, sent, "stored exactly as pushed");
    }
    let cursors: Vec<u64> = pulled.iter().map(|e| e.cursor).collect();
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "{cursors:?}");

    // Paging: two at a time, `more` until the end, the cursor carried forward.
    let mut after = 0;
    let mut paged = Vec::new();
    loop {
        let page = alice.get(&format!("/v1/events?after={after}&limit=2"));
        assert_eq!(page.status, 200);
        let page: firebreak_core::sync::PullResponse =
            serde_json::from_value(page.body).expect("page");
        let accepted = accept_pull(DeviceId::new_v7(), after, page.clone()).expect("valid page");
        paged.extend(accepted.events);
        after = accepted.cursor;
        if !accepted.more {
            break;
        }
    }
    assert_eq!(paged.len(), 4);
    let empty = alice.get(&format!("/v1/events?after={after}"));
    assert_eq!(empty.body["events"], json!([]));
    assert_eq!(empty.body["cursor"], after);
    assert_eq!(empty.body["more"], false);

    let status = alice.get(&format!("/v1/devices/{}", laptop.device));
    assert_eq!(status.body["user"], "alice");
    assert_eq!(status.body["acknowledged_seq"], 5);
    let unknown = alice.get(&format!("/v1/devices/{}", DeviceId::new_v7()));
    assert_eq!(unknown.status, 200);
    assert_eq!(unknown.body["user"], Value::Null);
    assert_eq!(unknown.body["acknowledged_seq"], 0);
}

#[test]
fn health_is_open_and_everything_else_needs_a_token() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, _) = hub_with(&tmp, &["alice"], &[]);
    let anonymous = hub.client("");
    let health = anonymous.get("/v1/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.body["status"], "ok");
    assert_eq!(health.body["api_version"], 1);
    for path in ["/v1/events", "/v1/incidents", "/v1/stream"] {
        let answer = anonymous.get(path);
        assert_eq!(answer.status, 401, "{path}");
        assert_eq!(answer.code(), "unauthorized");
        assert!(answer.message().contains("Bearer"), "{}", answer.message());
    }
}

#[test]
fn resending_is_harmless_and_overlaps_store_only_what_is_new() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, tokens) = hub_with(&tmp, &["alice"], &[]);
    let alice = hub.client(&tokens[0]);
    let mut laptop = Laptop::new("alice");
    laptop.start("t");
    for i in 0..5 {
        laptop.note(&format!("n{i}"));
    }
    let request = laptop.request(0);
    alice.push_ok(&request);
    let before = alice.snapshot(&[laptop.device]);

    let again = alice.push_ok(&request);
    assert_eq!(
        (again["stored"].as_u64(), again["already_stored"].as_u64()),
        (Some(0), Some(6))
    );
    assert_eq!(again["acknowledged_seq"], 6);
    assert_eq!(alice.snapshot(&[laptop.device]), before, "nothing doubled");

    // A client that lost the acknowledgement re-sends from seq 4 with two new events.
    laptop.note("n5");
    laptop.note("n6");
    let overlap = laptop.request(3);
    let answer = alice.push_ok(&overlap);
    assert_eq!(
        (answer["stored"].as_u64(), answer["already_stored"].as_u64()),
        (Some(2), Some(3))
    );
    assert_eq!(answer["acknowledged_seq"], 8);
    let ids: Vec<EventId> = alice.pull_all().iter().map(|e| e.event.id).collect();
    let unique: HashSet<_> = ids.iter().collect();
    assert_eq!((ids.len(), unique.len()), (8, 8));
}

/// Every order of three devices' batches (interleaved round-robin) on a fresh hub gives
/// the same events, each once, to every user.
#[test]
fn three_responders_converge_whatever_the_order() {
    let names = ["alice", "bob", "carol"];
    let mut laptops: Vec<Laptop> = names.iter().map(|n| Laptop::new(n)).collect();
    let incident = laptops[0].incident;
    laptops[0].start("Checkout failing");
    for laptop in &mut laptops {
        laptop.incident = incident;
        for i in 0..7 {
            if i == 3 {
                laptop.private_note("keep this to myself");
            } else {
                laptop.note(&format!("{} saw {i}", laptop.author));
            }
        }
    }
    let expected: BTreeMap<EventId, &firebreak_core::event::Event> = laptops
        .iter()
        .flat_map(|l| l.events.iter().filter(|e| !e.private))
        .map(|e| (e.id, e))
        .collect();
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    let mut results: Vec<Vec<Value>> = Vec::new();
    for order in orders {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (hub, tokens) = hub_with(&tmp, &names, &[]);
        let clients: Vec<Client> = tokens.iter().map(|t| hub.client(t)).collect();
        let plans: Vec<Vec<PushRequest>> = laptops
            .iter()
            .map(|l| {
                l.plan(0, 3)
                    .iter()
                    .map(|b| b.request(l.device, None))
                    .collect()
            })
            .collect();
        let rounds = plans.iter().map(Vec::len).max().unwrap_or(0);
        for round in 0..rounds {
            for &who in &order {
                if let Some(request) = plans[who].get(round) {
                    clients[who].push_ok(request);
                }
            }
        }
        let mut views = Vec::new();
        for client in &clients {
            let pulled: Vec<HubEvent> = client.pull_all();
            let ids: HashSet<EventId> = pulled.iter().map(|e| e.event.id).collect();
            assert_eq!(ids.len(), pulled.len(), "no duplicates (order {order:?})");
            assert_eq!(
                ids,
                expected.keys().copied().collect(),
                "every shared event (order {order:?})"
            );
            for e in &pulled {
                let mut sent = e.event.clone();
                sent.author = e.device_author.clone();
                assert_eq!(&sent, expected[&e.event.id]);
                assert_eq!(
                    e.event.author, sent.author,
                    "each device's user is its laptop's"
                );
            }
            let mut set: Vec<Value> = pulled
                .iter()
                .map(|e| serde_json::to_value(&e.event).expect("json"))
                .collect();
            set.sort_by_key(|v| v["id"].as_str().unwrap_or("").to_string());
            views.push(set);
        }
        assert!(
            views.windows(2).all(|w| w[0] == w[1]),
            "every user pulls the same set"
        );
        let timeline = clients[1].get(&format!("/v1/incidents/{incident}/timeline"));
        assert_eq!(timeline.status, 200, "{:?}", timeline.body);
        let timeline: TimelineResponse = serde_json::from_value(timeline.body).expect("timeline");
        assert_eq!(timeline.entries.len(), expected.len());
        results.push(views.remove(0));
    }
    assert!(
        results.windows(2).all(|w| w[0] == w[1]),
        "every order converges"
    );
}

#[test]
fn bad_input_is_refused_with_its_reason_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = data_dir(&tmp);
    let (hub, tokens) = hub_with(&tmp, &["alice", "bob", "carol"], &[]);
    let (alice, bob, carol) = (
        hub.client(&tokens[0]),
        hub.client(&tokens[1]),
        hub.client(&tokens[2]),
    );
    let mut laptop = Laptop::new("alice");
    laptop.start("API down");
    laptop.note("one");
    laptop.note("two");
    alice.push_ok(&laptop.request(0));
    let mut bobs = Laptop::new("bob");
    bobs.note("bob's");
    bob.push_ok(&bobs.request(0));
    let devices = [laptop.device, bobs.device];
    let before = alice.snapshot(&devices);

    let refused = |answer: support::Answer, status: u16, code: &str, says: &str| {
        assert_eq!(answer.status, status, "{code}: {:?}", answer.body);
        assert_eq!(answer.code(), code, "{:?}", answer.body);
        assert!(
            answer.message().contains(says),
            "{code}: {:?} does not say {says:?}",
            answer.message()
        );
        assert!(
            answer.content_type.starts_with("application/json"),
            "{}",
            answer.content_type
        );
        assert_eq!(alice.snapshot(&devices), before, "{code} changed something");
    };
    let json = |request: &PushRequest| serde_json::to_value(request).expect("json");
    let post = |client: &Client, value: &Value| {
        client.post_raw(
            "/v1/events",
            &serde_json::to_vec(value).expect("bytes"),
            &[],
        )
    };

    // Not JSON, not a push, a field the hub would drop.
    refused(
        alice.post_raw("/v1/events", b"{\"device\": ", &[]),
        400,
        "malformed_request",
        "not JSON",
    );
    refused(
        alice.post_raw("/v1/events", b"[1, 2]", &[]),
        400,
        "malformed_request",
        "not a push",
    );
    let mut next = laptop.clone();
    next.note("three");
    let mut wrong_kind = json(&next.request(3));
    wrong_kind["events"][0]["body"]["kind"] = json!("gossip");
    refused(
        post(&alice, &wrong_kind),
        400,
        "malformed_request",
        "events[0].body",
    );
    let mut extra = json(&next.request(3));
    extra["events"][0]["body"]["colour"] = json!("red");
    refused(
        post(&alice, &extra),
        400,
        "unknown_field",
        "events[0].body.colour",
    );

    // Another API version, by path or by header.
    refused(
        alice.post_raw("/v2/events", b"{}", &[]),
        400,
        "unknown_api_version",
        "version 1",
    );
    refused(
        alice.get("/v2/incidents"),
        400,
        "unknown_api_version",
        "version 1",
    );
    let body = serde_json::to_vec(&next.request(3)).expect("bytes");
    refused(
        alice.post_raw("/v1/events", &body, &[("Firebreak-Api-Version", "2")]),
        400,
        "unknown_api_version",
        "\"2\"",
    );

    // Someone else's event, a private one, a hole in the numbers.
    let mut foreign = next.request(3);
    foreign.events[0].device = DeviceId::new_v7();
    refused(alice.push(&foreign), 400, "wrong_device", "only its own");
    let mut private = next.clone();
    private.private_note("secret");
    let mut leak = private.request(3);
    leak.private_seqs.clear();
    leak.events.push(private.events[4].clone());
    refused(alice.push(&leak), 400, "private_event", "never leave");
    let mut later = next.clone();
    later.note("four");
    later.note("five");
    let gap = later.raw_request(later.events[4..].to_vec());
    let answer = alice.push(&gap);
    assert_eq!(answer.body["error"]["expected_seq"], 4, "{:?}", answer.body);
    refused(answer, 409, "seq_gap", "send from 4");
    let holey = later.raw_request(vec![later.events[3].clone(), later.events[5].clone()]);
    refused(alice.push(&holey), 400, "batch_not_contiguous", "missing");

    // The same id with other content: loud, and nothing of the batch is stored (the
    // new events 4 and 5 with it included).
    let mut altered = later.request(0);
    altered.events[1].body = EventBody::Finding {
        finding: FindingKind::Note,
        text: "one (edited)".into(),
    };
    let answer = alice.push(&altered);
    assert_eq!(answer.body["error"]["event"], json!(laptop.events[1].id));
    refused(
        answer,
        409,
        "event_conflict",
        &laptop.events[1].id.to_string(),
    );
    let mut renumbered = later.request(0);
    renumbered.events[2].id = EventId::new_v7();
    refused(
        alice.push(&renumbered),
        409,
        "event_conflict",
        "already event",
    );

    // Sizes.
    let mut big = next.clone();
    big.events.pop();
    big.note(&"x".repeat(70 * 1024));
    // (The client's planner would refuse to send these; a raw request gets through.)
    refused(
        alice.push(&big.raw_request(big.events[3..].to_vec())),
        413,
        "event_too_large",
        "65536",
    );
    let mut many = next.clone();
    for i in 0..1000 {
        many.note(&format!("flood {i}"));
    }
    refused(
        alice.push(&many.raw_request(many.events[3..].to_vec())),
        413,
        "batch_too_large",
        "1001",
    );
    let mut huge = json(&next.request(3));
    huge["padding"] = json!("y".repeat(9 * 1024 * 1024));
    refused(post(&alice, &huge), 413, "body_too_large", "8388608");

    // Impersonation: bob pushing alice's device.
    let mut as_bob = next.request(3);
    as_bob.clock = Some(ClockSample {
        offset_ms: 0,
        rtt_ms: 1,
    });
    refused(
        bob.push(&as_bob),
        403,
        "device_of_another_user",
        "bound to user alice",
    );
    refused(
        bob.get_with(
            "/v1/events",
            &[
                ("Firebreak-Device", &laptop.device.to_string()),
                ("Firebreak-Clock", "offset_ms=99999; rtt_ms=1"),
            ],
        ),
        403,
        "device_of_another_user",
        "alice",
    );

    // Tokens: none, wrong, revoked while the hub runs.
    refused(
        hub.client("").push(&next.request(3)),
        401,
        "unauthorized",
        "no token",
    );
    refused(
        hub.client("fbk_0000").push(&next.request(3)),
        401,
        "unauthorized",
        "not valid",
    );
    let mut carols = Laptop::new("carol");
    carols.note("carol's");
    let out = hub_cmd(&data, &["user", "revoke", "carol"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    refused(
        carol.push(&carols.request(0)),
        401,
        "unauthorized",
        "revoked",
    );

    // Parameters, routes, methods.
    refused(
        alice.get("/v1/events?after=-1"),
        400,
        "bad_parameter",
        "after",
    );
    refused(alice.get("/v1/events?afer=3"), 400, "bad_parameter", "afer");
    refused(
        alice.get_with(
            "/v1/events",
            &[
                ("Firebreak-Device", &laptop.device.to_string()),
                ("Firebreak-Clock", "soon"),
            ],
        ),
        400,
        "bad_parameter",
        "offset_ms",
    );
    refused(alice.get("/v1/nothing"), 404, "not_found", "/v1/nothing");
    refused(
        alice.get(&format!("/v1/incidents/{}/timeline", EventId::new_v7())),
        404,
        "not_found",
        "no incident",
    );
    refused(
        alice.post_raw("/v1/incidents", b"{}", &[]),
        405,
        "method_not_allowed",
        "POST",
    );

    // After all that, the hub takes the next good batch.
    let ok = alice.push_ok(&next.request(3));
    assert_eq!(ok["acknowledged_seq"], 4);
}

#[test]
fn the_rate_limit_answers_429_with_when_to_retry() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, tokens) = hub_with(
        &tmp,
        &["alice", "bob"],
        &["--rate-burst", "3", "--rate-per-second", "0.2"],
    );
    let (alice, bob) = (hub.client(&tokens[0]), hub.client(&tokens[1]));
    let mut laptop = Laptop::new("alice");
    laptop.note("one");
    alice.push_ok(&laptop.request(0));
    assert_eq!(alice.get("/v1/events").status, 200);
    assert_eq!(alice.get("/v1/incidents").status, 200);
    laptop.note("two");
    let answer = alice.push(&laptop.request(1));
    assert_eq!(answer.status, 429, "{:?}", answer.body);
    assert_eq!(answer.code(), "rate_limited");
    assert!(
        answer.message().contains("try again"),
        "{}",
        answer.message()
    );
    assert!(
        answer.body["error"]["retry_after_ms"]
            .as_u64()
            .is_some_and(|ms| ms > 1000)
    );
    assert!(
        answer
            .retry_after
            .as_deref()
            .is_some_and(|s| s.parse::<u64>().is_ok())
    );
    // Nothing of the refused push was stored (bob reads, with his own budget).
    assert_eq!(bob.pull_all().len(), 1);
    assert_eq!(
        hub.client("").get("/v1/health").status,
        200,
        "health is not limited"
    );
}

/// Reads SSE lines from a stream in a thread; `expect` waits for a line.
struct SseReader {
    lines: mpsc::Receiver<String>,
}

impl SseReader {
    fn open(client: &Client, headers: &[(&str, &str)]) -> SseReader {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(None)
                .build(),
        );
        let mut request = agent
            .get(format!("{}/v1/stream", client.base))
            .header("Authorization", &format!("Bearer {}", client.token));
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response = request.call().expect("stream");
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        let reader = BufReader::new(response.into_body().into_reader());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        SseReader { lines }
    }

    /// The next SSE event (its `id` and parsed `data`), within five seconds.
    fn next_event(&self) -> (u64, HubEvent) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let (mut id, mut data) = (None, None);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).expect("an event within 5 s");
            if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                data = Some(serde_json::from_str(v.trim()).expect("event JSON"));
            } else if line.is_empty()
                && let (Some(id), Some(data)) = (id, data.take())
            {
                return (id, data);
            }
        }
    }
}

#[test]
fn the_stream_delivers_pushed_events_and_resumes_from_last_event_id() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, tokens) = hub_with(&tmp, &["alice", "bob"], &[]);
    let (alice, bob) = (hub.client(&tokens[0]), hub.client(&tokens[1]));
    let mut laptop = Laptop::new("alice");
    laptop.start("before anyone listened");
    alice.push_ok(&laptop.request(0));

    let live = SseReader::open(&bob, &[]);
    let note = laptop.note("LB shows 0/4 healthy");
    alice.push_ok(&laptop.request(1));
    let (id, event) = live.next_event();
    assert_eq!(event.event.id, note.id, "only what came after connecting");
    assert_eq!(event.cursor, id);
    assert_eq!(event.event.author, "alice");

    let resumed = SseReader::open(&bob, &[("Last-Event-ID", "0")]);
    let (first, _) = resumed.next_event();
    let (second, event) = resumed.next_event();
    assert_eq!((first, second), (1, 2));
    assert_eq!(event.event.id, note.id);
}

#[test]
fn user_add_list_revoke_from_the_command_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = data_dir(&tmp);
    let text = |out: &std::process::Output| {
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };

    let out = hub_cmd(&data, &["user", "list"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("no users"));

    let out = hub_cmd(&data, &["user", "add", "alice"]);
    assert!(out.status.success());
    let (stdout, _) = text(&out);
    let token = stdout.lines().last().expect("token").to_string();
    assert!(token.starts_with("fbk_") && token.len() == 68, "{stdout}");
    assert!(stdout.contains("shown only this once"), "{stdout}");

    let out = hub_cmd(&data, &["user", "add", "alice"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("already has a token"),
        "{:?}",
        text(&out)
    );
    let out = hub_cmd(&data, &["user", "add", "al ice"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).1.contains("cannot be a user name"),
        "{:?}",
        text(&out)
    );

    let hub = Hub::start(&data, &[]);
    let mut laptop = Laptop::new("alice");
    laptop.note("one");
    hub.client(&token).push_ok(&laptop.request(0));

    let out = hub_cmd(&data, &["user", "list"]);
    let (stdout, _) = text(&out);
    assert!(stdout.starts_with("alice\tactive\t1 device\t"), "{stdout}");

    let out = hub_cmd(&data, &["user", "revoke", "alice"]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert!(text(&out).0.contains("revoked alice's token"));
    assert!(
        text(&hub_cmd(&data, &["user", "list"]))
            .0
            .starts_with("alice\trevoked")
    );
    assert_eq!(hub.client(&token).get("/v1/events").status, 401);
    let out = hub_cmd(&data, &["user", "revoke", "nobody"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("no user nobody"));

    // A new token for alice: her device is still hers, the old token stays dead.
    let out = hub_cmd(&data, &["user", "add", "alice"]);
    assert!(out.status.success());
    assert!(text(&out).0.contains("issued a new token for alice"));
    let new_token = text(&out).0.lines().last().expect("token").to_string();
    assert_ne!(new_token, token);
    laptop.note("two");
    let ack = hub.client(&new_token).push_ok(&laptop.request(1));
    assert_eq!(ack["acknowledged_seq"], 2);
    assert_eq!(hub.client(&token).get("/v1/events").status, 401);

    let out = std::process::Command::new(support::BIN)
        .args(["user", "list"])
        .env_remove("FIREBREAK_HUB_DATA")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "--data is required");
}

/// The hub is killed (SIGKILL) right after acknowledging a batch, and once while a
/// batch is in flight; restarted on the same data, it has every acknowledged event
/// exactly once, and the batch whose answer was lost is taken again without doubling.
#[test]
fn acknowledged_events_survive_sigkill() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = data_dir(&tmp);
    let token = add_user(&data, "alice");
    let mut laptop = Laptop::new("alice");
    laptop.start("power cut");
    let mut acknowledged = 0;
    for round in 0..5 {
        for i in 0..40 {
            laptop.note(&format!("round {round} note {i}"));
        }
        let mut hub = Hub::start(&data, &[]);
        let ack = hub.client(&token).push_ok(&laptop.request(acknowledged));
        hub.kill();
        acknowledged = ack["acknowledged_seq"].as_u64().expect("ack");
        assert_eq!(acknowledged, laptop.last_seq());
    }

    // A push whose answer never arrives: the hub dies while it is in flight.
    for i in 0..200 {
        laptop.note(&format!("in flight {i}"));
    }
    let request = laptop.request(acknowledged);
    let mut hub = Hub::start(&data, &[]);
    let client = hub.client(&token);
    let sender = {
        let (client, request) = (client.clone(), request.clone());
        std::thread::spawn(move || {
            let body = serde_json::to_vec(&request).expect("json");
            client.try_post_raw("/v1/events", &body).map(|a| a.status)
        })
    };
    std::thread::sleep(Duration::from_millis(15));
    hub.kill();
    let in_flight = sender.join().expect("sender thread");

    let hub = Hub::start(&data, &[]);
    let client = hub.client(&token);
    let pulled = client.pull_all();
    let ids: HashSet<EventId> = pulled.iter().map(|e| e.event.id).collect();
    assert_eq!(ids.len(), pulled.len(), "no event twice");
    for event in &laptop.events[..acknowledged as usize] {
        assert!(
            ids.contains(&event.id),
            "acknowledged event {} lost",
            event.seq
        );
    }
    if in_flight == Some(200) {
        assert_eq!(
            pulled.len(),
            laptop.events.len(),
            "acknowledged before the kill"
        );
    } else {
        assert!(
            pulled.len() == acknowledged as usize || pulled.len() == laptop.events.len(),
            "a batch is stored whole or not at all: {}",
            pulled.len()
        );
    }
    let again = client.push_ok(&request);
    assert_eq!(again["acknowledged_seq"].as_u64(), Some(laptop.last_seq()));
    let pulled = client.pull_all();
    let ids: HashSet<EventId> = pulled.iter().map(|e| e.event.id).collect();
    assert_eq!(
        (pulled.len(), ids.len()),
        (laptop.events.len(), laptop.events.len())
    );
}

#[test]
fn incidents_and_the_merged_timeline_with_clocks_corrected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (hub, tokens) = hub_with(&tmp, &["alice", "bob"], &[]);
    let (alice, bob) = (hub.client(&tokens[0]), hub.client(&tokens[1]));

    // Alice's clock is right; Bob's laptop runs five minutes fast.
    let mut alices = Laptop::new("alice");
    alices.start("Checkout failing");
    let mut bobs = Laptop::new("bob");
    bobs.incident = alices.incident;
    bobs.clock = alices.clock + chrono::Duration::minutes(5);
    bobs.note("payments API 502s"); // real 13:02, says 13:07
    alices.clock += chrono::Duration::minutes(1);
    alices.note("rolled back the deploy"); // 13:03
    let mut request = alices.request(0);
    request.clock = Some(ClockSample {
        offset_ms: 35,
        rtt_ms: 4,
    });
    alice.push_ok(&request);
    let mut request = bobs.request(0);
    request.clock = Some(ClockSample {
        offset_ms: -300_000,
        rtt_ms: 6,
    });
    bob.push_ok(&request);

    let list = alice.get("/v1/incidents");
    assert_eq!(list.status, 200);
    let list: IncidentList = serde_json::from_value(list.body).expect("incidents");
    assert_eq!(list.incidents.len(), 1);
    assert_eq!(list.incidents[0].title, "Checkout failing");
    assert_eq!(list.incidents[0].responders, ["alice", "bob"]);

    let path = format!("/v1/incidents/{}/timeline", alices.incident);
    let timeline: TimelineResponse = serde_json::from_value(bob.get(&path).body).expect("timeline");
    let texts: Vec<&str> = timeline.entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Incident started: Checkout failing",
            "payments API 502s",
            "rolled back the deploy"
        ]
    );
    let bobs_entry = &timeline.entries[1];
    assert!(bobs_entry.skewed);
    assert_eq!(bobs_entry.author, "bob");
    assert_eq!(
        bobs_entry.at,
        bobs_entry.recorded_at - chrono::Duration::minutes(5)
    );
    assert!(!timeline.entries[2].skewed);
    assert_eq!(timeline.devices.len(), 2);

    let md = bob.get(&format!("{path}.md"));
    assert_eq!(md.status, 200);
    assert!(
        md.content_type.starts_with("text/markdown"),
        "{}",
        md.content_type
    );
    assert!(md.text().starts_with("# Checkout failing"), "{}", md.text());
    assert!(
        md.text()
            .contains("bob · note — payments API 502s _(device clock off by +5m, corrected)_"),
        "{}",
        md.text()
    );

    // A pull carries a fresh sample: Bob fixed his clock.
    let answer = bob.get_with(
        "/v1/events",
        &[
            ("Firebreak-Device", &bobs.device.to_string()),
            ("Firebreak-Clock", "offset_ms=120; rtt_ms=2"),
        ],
    );
    assert_eq!(answer.status, 200);
    let status = bob.get(&format!("/v1/devices/{}", bobs.device));
    assert_eq!(status.body["clock"]["offset_ms"], 120, "{:?}", status.body);
    assert_eq!(status.body["clock"]["skewed"], false);

    // The note he pushed five minutes fast keeps the stamp it arrived with: the
    // timeline corrects it as before, while the devices list shows his clock now.
    let timeline: TimelineResponse =
        serde_json::from_value(alice.get(&path).body).expect("timeline");
    let bobs_entry = timeline
        .entries
        .iter()
        .find(|e| e.text == "payments API 502s")
        .expect("bob's note");
    assert_eq!(bobs_entry.offset_ms, Some(-300_000));
    assert!(bobs_entry.skewed);
    assert_eq!(
        bobs_entry.at,
        bobs_entry.recorded_at - chrono::Duration::minutes(5)
    );
    let bobs_clock = timeline
        .devices
        .iter()
        .find(|d| d.device == bobs.device)
        .expect("bob's clock");
    assert_eq!(bobs_clock.offset_ms, 120);

    // His next note is stamped with the clock as the hub knows it when it arrives.
    bobs.clock -= chrono::Duration::minutes(5);
    bobs.note("PSP confirms an outage");
    bob.push_ok(&bobs.request(1));
    let stamps: Vec<(u64, Option<i64>)> = alice
        .pull_all()
        .into_iter()
        .filter(|e| e.event.device == bobs.device)
        .map(|e| (e.event.seq, e.offset_ms))
        .collect();
    assert_eq!(stamps, [(1, Some(-300_000)), (2, Some(120))]);
}

#[test]
fn https_with_a_certificate_and_key() {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let tmp = tempfile::tempdir().expect("tempdir");
    let ca_key = KeyPair::generate().expect("ca key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])
        .expect("leaf params")
        .signed_by(&leaf_key, &issuer)
        .expect("leaf");
    let (cert_file, key_file) = (tmp.path().join("hub.pem"), tmp.path().join("hub.key"));
    std::fs::write(&cert_file, leaf.pem()).expect("cert");
    std::fs::write(&key_file, leaf_key.serialize_pem()).expect("key");

    let data = data_dir(&tmp);
    let token = add_user(&data, "alice");
    let hub = Hub::start(
        &data,
        &[
            "--tls-cert",
            cert_file.to_str().expect("path"),
            "--tls-key",
            key_file.to_str().expect("path"),
        ],
    );
    assert!(hub.url.starts_with("https://127.0.0.1:"), "{}", hub.url);
    let roots = ureq::tls::RootCerts::Specific(std::sync::Arc::new(vec![
        ureq::tls::Certificate::from_der(ca_cert.der()).to_owned(),
    ]));
    let agent = ureq::Agent::new_with_config(
        support::agent_config()
            .tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build())
            .build(),
    );
    let client = Client::with_agent(&hub.url, &token, agent);
    assert_eq!(client.get("/v1/health").status, 200);
    let mut laptop = Laptop::new("alice");
    laptop.note("over TLS");
    assert_eq!(client.push_ok(&laptop.request(0))["acknowledged_seq"], 1);

    // A client that does not trust the certificate gets nowhere.
    let untrusting = ureq::Agent::new_with_config(support::agent_config().build());
    assert!(
        untrusting
            .get(format!("{}/v1/health", hub.url))
            .call()
            .is_err()
    );

    let out = hub_cmd(
        &data,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent.pem",
            "--tls-key",
            "/nonexistent.key",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent.pem"));
}
