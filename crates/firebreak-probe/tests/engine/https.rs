use crate::support::{Ca, HttpServer, opts, spec};
use firebreak_probe::{FailureClass, Outcome, ProbeResult, RunOptions, run};

fn failed(r: &ProbeResult) -> (FailureClass, &str) {
    match &r.outcome {
        Outcome::Failed { class, reason } => (*class, reason.as_str()),
        other => panic!("expected a failed probe, got {other:?} ({})", r.reason),
    }
}

fn https_spec(server: &HttpServer, ca: &Ca, extra: &str) -> firebreak_probe::ProbeSpec {
    spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nca = \"{}\"\n{extra}",
        server.https_url("/ok"),
        ca.path()
    ))
}

#[tokio::test]
async fn https_with_the_probe_ca_passes_and_times_tls() {
    let ca = Ca::new("Firebreak Test CA");
    let server = HttpServer::tls(ca.leaf(&["127.0.0.1", "localhost"], -1, 90)).await;
    let r = run(&https_spec(&server, &ca, "expect_body = \"ok\""), &opts()).await;
    assert!(r.ok, "{}", r.reason);
    assert!(r.timings.tls_ms.is_some_and(|ms| ms > 0.0));
    let tls = r.tls.expect("tls detail");
    assert_eq!(tls.protocol.as_deref(), Some("TLSv1.3"));
    assert!(
        tls.cipher
            .as_deref()
            .is_some_and(|c| c.starts_with("TLS13_")),
        "{:?}",
        tls.cipher
    );
    assert_eq!(tls.alpn.as_deref(), Some("http/1.1"));
    assert_eq!(tls.subject, "CN=127.0.0.1");
    assert_eq!(tls.issuer, "CN=Firebreak Test CA");
    assert_eq!(
        tls.sans,
        vec!["127.0.0.1".to_string(), "localhost".to_string()]
    );
    assert_eq!(tls.chain_len, 2);
    assert!(tls.trusted && tls.name_matches);
    assert!(
        tls.days_left.is_some_and(|d| (88..=90).contains(&d)),
        "{:?}",
        tls.days_left
    );
    assert_eq!(tls.verify_error, None);
}

#[tokio::test]
async fn an_untrusted_ca_fails_without_sending_the_request() {
    let trusted = Ca::new("Trusted CA");
    let other = Ca::new("Someone Else's CA");
    let server = HttpServer::tls(other.leaf(&["127.0.0.1"], -1, 90)).await;
    let r = run(&https_spec(&server, &trusted, ""), &opts()).await;
    assert_eq!(
        failed(&r),
        (
            FailureClass::CertUntrusted,
            "the certificate of 127.0.0.1 is not signed by a trusted CA (issuer: CN=Someone Else's CA)"
        )
    );
    let tls = r.tls.expect("the certificate is still described");
    assert!(!tls.trusted);
    assert!(tls.name_matches);
    assert_eq!(tls.protocol, None, "the handshake was aborted");
    assert!(r.http.is_none());
    assert_eq!(server.requests(), 0);
    // And with no trust roots at all.
    let no_roots = RunOptions {
        use_system_roots: false,
        ..opts()
    };
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"",
        server.https_url("/ok")
    ));
    assert_eq!(
        failed(&run(&s, &no_roots).await).0,
        FailureClass::CertUntrusted
    );
}

#[tokio::test]
async fn an_expired_certificate_fails_with_its_date() {
    let ca = Ca::new("Test CA");
    let server = HttpServer::tls(ca.leaf(&["127.0.0.1"], -400, -10)).await;
    let r = run(&https_spec(&server, &ca, ""), &opts()).await;
    let (class, reason) = failed(&r);
    assert_eq!(class, FailureClass::CertExpired);
    assert!(
        reason.starts_with("the certificate of 127.0.0.1 expired on "),
        "{reason}"
    );
    assert!(reason.ends_with(" days ago"), "{reason}");
    assert!(r.tls.is_some_and(|t| t.days_left.is_some_and(|d| d < 0)));
}

#[tokio::test]
async fn a_certificate_for_another_name_fails_naming_both() {
    let ca = Ca::new("Test CA");
    let server = HttpServer::tls(ca.leaf(&["other.example"], -1, 90)).await;
    let r = run(&https_spec(&server, &ca, ""), &opts()).await;
    assert_eq!(
        failed(&r),
        (
            FailureClass::CertNameMismatch,
            "the certificate is not valid for 127.0.0.1 (it names other.example)"
        )
    );
    assert!(r.tls.is_some_and(|t| !t.name_matches));
}

#[tokio::test]
async fn a_missing_or_empty_ca_file_is_reported() {
    let ca = Ca::new("Test CA");
    let server = HttpServer::tls(ca.leaf(&["127.0.0.1"], -1, 90)).await;
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nca = \"/nonexistent/ca.pem\"",
        server.https_url("/ok")
    ));
    let r = run(&s, &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::CaFile));
    assert!(
        r.reason
            .starts_with("cannot read the CA file /nonexistent/ca.pem"),
        "{}",
        r.reason
    );
    let empty = tempfile::NamedTempFile::new().expect("temp");
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"{}\"\nca = \"{}\"",
        server.https_url("/ok"),
        empty.path().display()
    ));
    let r = run(&s, &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::CaFile));
    assert!(
        r.reason.ends_with("holds no PEM certificate"),
        "{}",
        r.reason
    );
}

#[tokio::test]
async fn https_to_a_plain_http_port_is_a_handshake_error() {
    let server = HttpServer::plain().await;
    let s = spec(&format!(
        "kind = \"http\"\nurl = \"https://{}/ok\"",
        server.addr
    ));
    let r = run(&s, &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::TlsHandshake), "{}", r.reason);
    assert!(r.reason.contains("did not answer with TLS"), "{}", r.reason);
}
