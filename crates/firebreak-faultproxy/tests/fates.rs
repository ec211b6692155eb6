//! One test per fate, each against a real loopback server, proving the fault
//! happens as documented and that the upstream saw what it should.

mod common;

use std::io;
use std::time::{Duration, Instant};

use common::{
    BODY_LEN, Framing, Hub, body, exchange, get_request, header_value, parse_response,
    response_head_len, settled_stats,
};
use firebreak_faultproxy::{Fate, FaultProxy, FaultStats, Faults};

fn proxy(hub: &Hub, fate: Fate) -> FaultProxy {
    FaultProxy::start(hub.addr(), Faults::Always(fate)).expect("start proxy")
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted
    )
}

#[test]
fn pass_forwards_the_whole_response() {
    let hub = Hub::start(BODY_LEN);
    let proxy = proxy(&hub, Fate::Pass);
    let response = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    let (status, _, got) = parse_response(&response);
    assert_eq!(status, 200);
    assert_eq!(got, body(BODY_LEN));
    assert_eq!(hub.requests(), 1);
    let stats = settled_stats(&proxy, |s| s.active == 0);
    assert_eq!(
        stats,
        FaultStats {
            connections: 1,
            passed: 1,
            ..FaultStats::default()
        }
    );
}

#[test]
fn reset_request_leaves_the_upstream_with_half_a_request() {
    let hub = Hub::start(BODY_LEN);
    let proxy = proxy(&hub, Fate::ResetRequest { after: 10 });
    let request = get_request(true);
    assert!(request.len() > 10);

    let result = exchange(proxy.addr(), &request);
    match result {
        Err(e) => assert!(is_reset(&e), "expected a reset, got {e:?}"),
        Ok(bytes) => assert!(bytes.is_empty(), "got a response: {} bytes", bytes.len()),
    }

    let stats = settled_stats(&proxy, |s| s.active == 0);
    assert_eq!(stats.request_resets, 1, "{stats:?}");
    // The upstream was connected to, got exactly the first 10 bytes, and never
    // a whole request.
    assert_eq!(hub.connections(), 1);
    let deadline = Instant::now() + Duration::from_secs(2);
    while hub.bytes_in() < 10 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(hub.bytes_in(), 10);
    assert_eq!(hub.requests(), 0);
}

#[test]
fn reset_response_cuts_the_response_after_the_request_was_committed() {
    let hub = Hub::start(BODY_LEN);
    let after = 1000;
    let proxy = proxy(&hub, Fate::ResetResponse { after });
    let full = response_head_len(BODY_LEN) + BODY_LEN;

    match exchange(proxy.addr(), &get_request(true)) {
        Err(e) => assert!(is_reset(&e), "expected a reset, got {e:?}"),
        // The reset may arrive after the data was read; never the whole response.
        Ok(bytes) => assert!(bytes.len() <= after, "got {} of {full} bytes", bytes.len()),
    }
    // The upstream processed the request: that is the point of this fate.
    assert_eq!(hub.requests(), 1);
    let stats = settled_stats(&proxy, |s| s.active == 0);
    assert_eq!(stats.response_resets, 1, "{stats:?}");
    assert_eq!(stats.truncations, 0);
}

#[test]
fn truncate_closes_cleanly_after_exactly_the_offset() {
    let hub = Hub::start(BODY_LEN);
    let after = 5000;
    let proxy = proxy(&hub, Fate::Truncate { after });

    // A clean FIN: read_to_end succeeds, with fewer bytes than content-length.
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("a clean close, not a reset");
    assert_eq!(bytes.len(), after);
    let (status, head, got) = parse_response(&bytes);
    assert_eq!(status, 200);
    let declared: usize = header_value(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .expect("content-length");
    assert!(got.len() < declared);
    assert_eq!(got, body(BODY_LEN)[..got.len()]);

    // A real HTTP client notices the short body.
    let agent = ureq::Agent::new_with_defaults();
    let mut response = agent.get(&proxy.url()).call().expect("head arrives");
    assert!(response.body_mut().read_to_vec().is_err());

    assert_eq!(hub.requests(), 2);
    let stats = settled_stats(&proxy, |s| s.truncations == 2 && s.active == 0);
    assert_eq!(stats.truncations, 2, "{stats:?}");
}

#[test]
fn delay_holds_each_direction_then_passes() {
    let hub = Hub::start(BODY_LEN);
    let by = Duration::from_millis(250);
    let proxy = proxy(&hub, Fate::Delay { by });

    let start = Instant::now();
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    let elapsed = start.elapsed();
    // Once before the request reaches the hub, once before the response leaves.
    assert!(elapsed >= 2 * by, "{elapsed:?}");
    let (status, _, got) = parse_response(&bytes);
    assert_eq!(status, 200);
    assert_eq!(got, body(BODY_LEN));
    assert_eq!(proxy.stats().delays, 1);
}

#[test]
fn server_error_after_forward_answers_503_but_the_upstream_did_the_work() {
    let hub = Hub::start(BODY_LEN);
    let proxy = proxy(&hub, Fate::ServerErrorAfterForward);

    // Keep-alive: the hub does not close, so the proxy must find the end of
    // the response by its content-length, and then close the client itself.
    let start = Instant::now();
    let bytes = exchange(proxy.addr(), &get_request(false)).expect("exchange");
    let elapsed = start.elapsed();
    let (status, head, got) = parse_response(&bytes);
    assert_eq!(status, 503);
    assert_eq!(
        header_value(&head, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header_value(&head, "connection").as_deref(), Some("close"));
    assert_eq!(
        header_value(&head, "content-length"),
        Some(got.len().to_string())
    );
    let json: serde_json::Value = serde_json::from_slice(&got).expect("json body");
    assert_eq!(json["error"]["code"], "unavailable");
    assert_eq!(json["error"]["message"], "fault proxy: injected 503");
    assert_eq!(hub.requests(), 1);
    // Found by length, not by the 200 ms quiet fallback nor the hub's 10 s timeout.
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
    assert_eq!(proxy.stats().server_errors, 1);
}

#[test]
fn server_error_after_forward_waits_for_quiet_without_a_length() {
    let hub = Hub::start_with(BODY_LEN, Framing::Chunked);
    let proxy = proxy(&hub, Fate::ServerErrorAfterForward);

    let start = Instant::now();
    let bytes = exchange(proxy.addr(), &get_request(false)).expect("exchange");
    let elapsed = start.elapsed();
    let (status, _, _) = parse_response(&bytes);
    assert_eq!(status, 503);
    assert_eq!(hub.requests(), 1);
    assert!(elapsed >= Duration::from_millis(200), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn server_error_no_forward_never_contacts_the_upstream() {
    let hub = Hub::start(BODY_LEN);
    for status in [500u16, 502] {
        let proxy = proxy(&hub, Fate::ServerErrorNoForward { status });
        // With a body, which the proxy must drain rather than reset.
        let mut request =
            b"POST /sync/push HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 200000\r\n\r\n"
                .to_vec();
        request.extend_from_slice(&body(200_000));
        let bytes = exchange(proxy.addr(), &request).expect("exchange");
        let (got_status, head, got) = parse_response(&bytes);
        assert_eq!(got_status, status);
        assert_eq!(
            header_value(&head, "content-type").as_deref(),
            Some("application/json")
        );
        let json: serde_json::Value = serde_json::from_slice(&got).expect("json body");
        assert_eq!(json["error"]["code"], "internal");
        let stats = settled_stats(&proxy, |s| s.active == 0);
        assert_eq!(stats.server_errors, 1, "{stats:?}");
        assert_eq!(stats.upstream_failures, 0);
    }
    assert_eq!(hub.connections(), 0);
    assert_eq!(hub.requests(), 0);
}

#[test]
fn a_cut_beyond_the_traffic_is_counted_as_not_triggered() {
    let hub = Hub::start(1000);
    let proxy = proxy(&hub, Fate::Truncate { after: 200_000 });
    let bytes = exchange(proxy.addr(), &get_request(true)).expect("exchange");
    let (_, _, got) = parse_response(&bytes);
    assert_eq!(got, body(1000));
    let stats = settled_stats(&proxy, |s| s.active == 0);
    assert_eq!(
        stats,
        FaultStats {
            connections: 1,
            not_triggered: 1,
            ..FaultStats::default()
        }
    );
}
