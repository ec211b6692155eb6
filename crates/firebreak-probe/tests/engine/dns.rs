use crate::support::{DeafDns, DnsServer, opts, spec};
use firebreak_probe::{FailureClass, Outcome, ProbeResult, run};

async fn ask(server: &DnsServer, name: &str, record: &str, extra: &str) -> ProbeResult {
    run(
        &spec(&format!(
            "kind = \"dns\"\nquery = \"{name}\"\nrecord = \"{record}\"\nserver = \"{}\"\n{extra}",
            server.server()
        )),
        &opts(),
    )
    .await
}

fn answers(r: &ProbeResult) -> Vec<String> {
    r.dns
        .as_ref()
        .map(|d| d.answers.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_and_aaaa_answers() {
    let server = DnsServer::start().await;
    let r = ask(&server, "a.test", "A", "expect = [\"127.0.0.2\"]").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(answers(&r), vec!["127.0.0.1", "127.0.0.2"]);
    assert!(
        r.reason.starts_with(&format!(
            "A a.test → 127.0.0.1, 127.0.0.2 from {} in ",
            server.addr
        )),
        "{}",
        r.reason
    );
    assert!(r.timings.dns_ms.is_some());
    assert_eq!(r.resolved_addr, Some(server.server()));
    let d = r.dns.expect("detail");
    assert_eq!(d.server, server.server());
    assert_eq!(d.rcode.as_deref(), Some("NoError"));
    assert!(!d.nxdomain);
    let r = ask(&server, "a.test", "AAAA", "expect = [\"0:0::1\"]").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(answers(&r), vec!["::1"]);
}

#[tokio::test]
async fn cname_txt_mx_and_soa_answers() {
    let server = DnsServer::start().await;
    let r = ask(&server, "www.test", "CNAME", "expect = [\"a.test\"]").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(answers(&r), vec!["a.test."]);
    let r = ask(&server, "www.test", "A", "").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(answers(&r), vec!["127.0.0.1"]);
    assert_eq!(r.dns.map(|d| d.aliases), Some(vec!["a.test.".to_string()]));
    let r = ask(&server, "txt.test", "TXT", "expect = [\"v=spf1 -all\"]").await;
    assert!(r.ok, "{}", r.reason);
    let r = ask(&server, "mx.test", "MX", "expect = [\"10 mail.test\"]").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(answers(&r), vec!["10 mail.test."]);
    let r = ask(&server, "test", "SOA", "").await;
    assert!(r.ok, "{}", r.reason);
    assert_eq!(
        answers(&r),
        vec!["ns1.test. admin.test. 2025030101 3600 600 86400 60"]
    );
}

#[tokio::test]
async fn nxdomain_is_reported_as_such() {
    let server = DnsServer::start().await;
    let r = ask(&server, "gone.test", "A", "").await;
    assert_eq!(
        r.outcome,
        Outcome::failed(
            FailureClass::DnsNxdomain,
            format!("gone.test does not exist (NXDOMAIN from {})", server.addr)
        )
    );
    let d = r.dns.expect("detail");
    assert!(d.nxdomain);
    assert_eq!(d.rcode.as_deref(), Some("NXDomain"));
}

#[tokio::test]
async fn an_existing_name_without_the_record_is_no_answer() {
    let server = DnsServer::start().await;
    let r = ask(&server, "empty.test", "A", "").await;
    assert_eq!(r.class(), Some(FailureClass::DnsNoAnswer), "{}", r.reason);
    assert!(
        r.reason
            .starts_with("no A record for empty.test (the name exists"),
        "{}",
        r.reason
    );
    assert!(!r.dns.is_some_and(|d| d.nxdomain));
}

#[tokio::test]
async fn a_wrong_answer_fails_naming_what_was_missing() {
    let server = DnsServer::start().await;
    let r = ask(&server, "a.test", "A", "expect = [\"192.0.2.7\"]").await;
    assert_eq!(
        r.outcome,
        Outcome::failed(
            FailureClass::DnsAnswerMismatch,
            "expected 192.0.2.7 among the A answers for a.test, got 127.0.0.1, 127.0.0.2"
        )
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let deaf = DeafDns::start();
    let s = spec(&format!(
        "kind = \"dns\"\nquery = \"a.test\"\nserver = \"{}\"\ntimeout = \"300ms\"",
        deaf.addr
    ));
    let started = std::time::Instant::now();
    let r = run(&s, &opts()).await;
    assert_eq!(
        r.outcome,
        Outcome::error(
            FailureClass::Timeout,
            format!(
                "no answer within 300 ms while waiting for the A answer for a.test from {}",
                deaf.addr
            )
        )
    );
    assert!(started.elapsed() < std::time::Duration::from_millis(1000));
    assert!(r.dns.is_some());
}
