use crate::support::{HttpServer, SilentServer, closed_port, opts, spec};
use firebreak_probe::{FailureClass, Outcome, ProbeResult, run};

fn failed(r: &ProbeResult) -> (FailureClass, &str) {
    match &r.outcome {
        Outcome::Failed { class, reason } => (*class, reason.as_str()),
        other => panic!("expected a failed probe, got {other:?} ({})", r.reason),
    }
}

fn errored(r: &ProbeResult) -> (FailureClass, &str) {
    match &r.outcome {
        Outcome::Error { class, message } => (*class, message.as_str()),
        other => panic!("expected an error, got {other:?} ({})", r.reason),
    }
}

#[tokio::test]
async fn a_healthy_endpoint_passes_with_every_phase_timed() {
    let server = HttpServer::plain().await;
    let url = server.url("/ok");
    let s = spec(&format!(
        "kind = \"http\"\nname = \"health\"\nurl = \"{url}\"\nexpect_status = 200\nexpect_body = \"ok\"\nexpect_header = \"X-Request-Id\""
    ));
    let r = run(&s, &opts()).await;
    assert!(r.ok, "{}", r.reason);
    assert!(r.reason.starts_with("status 200 in "), "{}", r.reason);
    assert_eq!(r.name.as_deref(), Some("health"));
    assert_eq!(r.target, url);
    assert_eq!(r.resolved_addr, Some(server.addr.to_string()));
    let t = &r.timings;
    for (phase, v) in [
        ("dns", t.dns_ms),
        ("connect", t.connect_ms),
        ("first_byte", t.first_byte_ms),
        ("total", t.total_ms),
    ] {
        let v = v.unwrap_or_else(|| panic!("{phase} not timed"));
        assert!((0.0..400.0).contains(&v), "{phase} = {v}");
    }
    assert_eq!(t.tls_ms, None, "no TLS on plain HTTP");
    let total = t.total_ms.unwrap_or_default();
    let parts = t.dns_ms.unwrap_or_default()
        + t.connect_ms.unwrap_or_default()
        + t.first_byte_ms.unwrap_or_default();
    assert!(parts <= total, "phases {parts} exceed total {total}");
    let http = r.http.expect("http detail");
    assert_eq!(http.status, 200);
    assert_eq!(http.version, "HTTP/1.1");
    assert_eq!(http.body_excerpt, "ok");
    assert_eq!(http.body_bytes, 2);
    assert!(!http.body_truncated);
    assert_eq!(
        http.headers.get("x-request-id").map(String::as_str),
        Some("abc123")
    );
    assert_eq!(
        http.headers.get("set-cookie").map(String::as_str),
        Some("(redacted)")
    );
    assert!(http.redirects.is_empty());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn wrong_status_is_a_failure_in_words() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nexpect_status = 200",
            server.url("/status/503")
        )),
        &opts(),
    )
    .await;
    assert!(!r.ok);
    assert_eq!(
        failed(&r),
        (FailureClass::HttpStatus, "expected status 200, got 503")
    );
    assert_eq!(
        r.http.as_ref().map(|h| h.body_excerpt.as_str()),
        Some("status 503")
    );
    // Default expectation: any 2xx.
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"",
            server.url("/status/404")
        )),
        &opts(),
    )
    .await;
    assert_eq!(
        failed(&r),
        (FailureClass::HttpStatus, "expected a 2xx status, got 404")
    );
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nexpect_status = [201, 204]",
            server.url("/status/204")
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
}

#[tokio::test]
async fn body_substring_regex_and_header_expectations() {
    let server = HttpServer::plain().await;
    let json = server.url("/json");
    let r = run(&spec(&format!("kind = \"http\"\nurl = \"{json}\"\nexpect_body_regex = '\"version\":\\s*\"1\\.2\\.\\d+\"'")), &opts()).await;
    assert!(r.ok, "{}", r.reason);
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{json}\"\nexpect_body = \"degraded\""
        )),
        &opts(),
    )
    .await;
    let (class, reason) = failed(&r);
    assert_eq!(class, FailureClass::BodyMismatch);
    assert_eq!(
        reason,
        r#"body does not contain "degraded" (it starts with "{\"status\": \"ok\", \"version\": \"1.2.3\"}")"#
    );
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{json}\"\nexpect_body_regex = '\"status\":\\s*\"down\"'"
        )),
        &opts(),
    )
    .await;
    let (class, reason) = failed(&r);
    assert_eq!(class, FailureClass::BodyMismatch);
    assert!(
        reason.starts_with(r#"body does not match /"status":\s*"down"/"#),
        "{reason}"
    );
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{json}\"\nexpect_header = \"x-request-id\""
        )),
        &opts(),
    )
    .await;
    assert_eq!(
        failed(&r),
        (
            FailureClass::HeaderMissing,
            "header \"x-request-id\" is missing"
        )
    );
}

#[tokio::test]
async fn redirects_are_followed_and_recorded() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nexpect_body = \"landed\"",
            server.url("/redirect/3")
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    assert!(r.reason.ends_with(" after 3 redirects"), "{}", r.reason);
    let http = r.http.expect("detail");
    assert_eq!(
        http.redirects,
        vec![
            server.url("/redirect/2"),
            server.url("/redirect/1"),
            server.url("/redirect/0")
        ]
    );
    assert_eq!(http.final_url, server.url("/redirect/0"));
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"",
            server.url("/absolute")
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(r.http.map(|h| h.redirects), Some(vec![server.url("/ok")]));
}

#[tokio::test]
async fn redirects_not_followed_are_judged_as_they_are() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nfollow_redirects = false",
            server.url("/redirect/1")
        )),
        &opts(),
    )
    .await;
    assert_eq!(
        failed(&r),
        (
            FailureClass::HttpStatus,
            "expected a 2xx status, got 302 (redirect to /redirect/0, not followed)"
        )
    );
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nfollow_redirects = false\nexpect_status = 302",
            server.url("/redirect/1")
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_redirect_loop_stops_after_ten_hops() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\ntimeout = \"2s\"",
            server.url("/loop")
        )),
        &opts(),
    )
    .await;
    let (class, message) = errored(&r);
    assert_eq!(class, FailureClass::TooManyRedirects);
    assert_eq!(
        message,
        format!(
            "more than 10 redirects; the last one pointed to {}",
            server.url("/loop")
        )
    );
    assert_eq!(r.http.map(|h| h.redirects.len()), Some(10));
    assert_eq!(server.requests(), 11);
}

#[tokio::test]
async fn post_bodies_and_303_turn_into_get() {
    let server = HttpServer::plain().await;
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nmethod = \"POST\"\nbody = \"ping\"\nheaders = {{ Authorization = \"Bearer t\" }}\nexpect_body = \"POST ping ua=firebreak-probe/\"",
        server.url("/echo")
    ));
    let r = run(&s, &opts()).await;
    assert!(r.ok, "{}", r.reason);
    assert!(
        r.http
            .as_ref()
            .is_some_and(|h| h.body_excerpt.ends_with("auth=true"))
    );
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nmethod = \"POST\"\nbody = \"ping\"",
        server.url("/see-other")
    ));
    let r = run(&s, &opts()).await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(
        r.http
            .as_ref()
            .and_then(|h| h.headers.get("x-method").cloned()),
        Some("GET".into())
    );
    assert!(
        r.http
            .is_some_and(|h| h.body_excerpt.starts_with("GET  ua="))
    );
}

#[tokio::test]
async fn too_slow_is_a_failure_and_a_hang_is_a_timeout() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\nmax_latency = \"50ms\"",
            server.url("/slow/120")
        )),
        &opts(),
    )
    .await;
    let (class, reason) = failed(&r);
    assert_eq!(class, FailureClass::TooSlow);
    assert!(
        reason.starts_with("took ") && reason.ends_with(", more than the 50 ms allowed"),
        "{reason}"
    );
    assert!(
        r.timings.first_byte_ms.is_some_and(|ms| ms >= 100.0),
        "{:?}",
        r.timings
    );
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"\ntimeout = \"300ms\"",
            server.url("/hang")
        )),
        &opts(),
    )
    .await;
    let (class, message) = errored(&r);
    assert_eq!(class, FailureClass::Timeout);
    assert_eq!(
        message,
        format!(
            "no answer within 300 ms while waiting for the response from {}",
            server.addr
        )
    );
    assert!(r.timings.connect_ms.is_some(), "the connect is kept");
    assert!(
        r.timings
            .total_ms
            .is_some_and(|ms| (290.0..1000.0).contains(&ms)),
        "{:?}",
        r.timings
    );
}

#[tokio::test]
async fn a_listener_that_never_answers_times_out() {
    let silent = SilentServer::start().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"http://{}/\"\ntimeout = \"300ms\"",
            silent.addr
        )),
        &opts(),
    )
    .await;
    let (class, message) = errored(&r);
    assert_eq!(class, FailureClass::Timeout);
    assert!(message.contains("waiting for the response"), "{message}");
    assert_eq!(r.resolved_addr, Some(silent.addr.to_string()));
}

#[tokio::test]
async fn refused_is_told_apart() {
    let addr = closed_port().await;
    let r = run(
        &spec(&format!("kind = \"http\"\nurl = \"http://{addr}/\"")),
        &opts(),
    )
    .await;
    assert_eq!(
        errored(&r),
        (
            FailureClass::Refused,
            format!("connection refused by {addr}").as_str()
        )
    );
    assert!(r.timings.connect_ms.is_none());
    assert!(r.timings.dns_ms.is_some());
}

#[tokio::test]
async fn the_body_is_capped_at_64_kib() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!(
            "kind = \"http\"\nurl = \"{}\"",
            server.url("/big")
        )),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    let http = r.http.expect("detail");
    assert_eq!(http.body_excerpt.len(), 64 * 1024);
    assert!(http.body_truncated);
    assert_eq!(http.body_bytes, 200 * 1024);
    assert_eq!(http.content_length, Some(200 * 1024));
}

#[tokio::test]
async fn names_are_resolved_and_recorded() {
    let server = HttpServer::plain().await;
    // localhost comes from the hosts file: no DNS traffic.
    let url = format!("http://localhost:{}/ok", server.addr.port());
    let r = run(&spec(&format!("kind = \"http\"\nurl = \"{url}\"")), &opts()).await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(r.resolved_addr, Some(server.addr.to_string()));
    assert!(r.timings.dns_ms.is_some());
}

#[tokio::test]
async fn unusable_probes_are_errors_not_panics() {
    let s = spec("kind = \"http\"\nurl = \"{{ api_base }}/health\"");
    let r = run(&s, &opts()).await;
    assert_eq!(
        errored(&r),
        (
            FailureClass::BadTarget,
            "{{ api_base }} has no value: fill it from the incident's variables or a profile"
        )
    );
    let server = HttpServer::plain().await;
    let (filled, _) = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nexpect_body_regex = \"{{{{ re }}}}\"",
        server.url("/ok")
    ))
    .fill(|_| Some("(".to_string()));
    let r = run(&filled, &opts()).await;
    let (class, message) = errored(&r);
    assert_eq!(class, FailureClass::BadTarget);
    assert!(message.starts_with("bad expect_body_regex"), "{message}");
}

#[tokio::test]
async fn a_refused_address_in_a_guarded_run_is_blocked() {
    let server = HttpServer::plain().await;
    let mut o = opts();
    o.refuse_sensitive = true;
    let r = run(
        &spec(&format!("kind = \"http\"\nurl = \"{}\"", server.url("/ok"))),
        &o,
    )
    .await;
    let (class, message) = errored(&r);
    assert_eq!(class, FailureClass::Blocked);
    assert!(message.contains("this machine (loopback)"), "{message}");
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn results_serialize_for_the_cli() {
    let server = HttpServer::plain().await;
    let r = run(
        &spec(&format!("kind = \"http\"\nurl = \"{}\"", server.url("/ok"))),
        &opts(),
    )
    .await;
    let json = serde_json::to_value(&r).expect("json");
    assert_eq!(json["ok"], true);
    assert_eq!(json["kind"], "http");
    for key in [
        "dns_ms",
        "connect_ms",
        "tls_ms",
        "first_byte_ms",
        "total_ms",
    ] {
        assert!(json["timings"].get(key).is_some(), "{key}");
    }
    assert_eq!(json["outcome"]["status"], "passed");
}
