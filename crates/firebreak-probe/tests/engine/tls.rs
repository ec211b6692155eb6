use crate::support::{Ca, HttpServer, closed_port, opts, spec};
use firebreak_probe::{FailureClass, Outcome, run};

fn tls_spec(addr: std::net::SocketAddr, ca: &Ca, extra: &str) -> firebreak_probe::ProbeSpec {
    spec(&format!(
        "kind = \"tls\"\naddress = \"{addr}\"\nca = \"{}\"\n{extra}",
        ca.path()
    ))
}

#[tokio::test]
async fn a_good_certificate_passes_with_protocol_and_days_left() {
    let ca = Ca::new("Test CA");
    let server = HttpServer::tls(ca.leaf(&["localhost"], -1, 60)).await;
    let r = run(
        &tls_spec(server.addr, &ca, "server_name = \"localhost\""),
        &opts(),
    )
    .await;
    assert!(r.ok, "{}", r.reason);
    assert!(
        r.reason
            .starts_with(&format!("TLSv1.3 handshake with {} in ", server.addr)),
        "{}",
        r.reason
    );
    assert!(
        r.reason.contains("certificate for localhost valid for"),
        "{}",
        r.reason
    );
    let tls = r.tls.expect("detail");
    assert_eq!(tls.server_name, "localhost");
    assert_eq!(tls.protocol.as_deref(), Some("TLSv1.3"));
    assert_eq!(tls.chain_len, 2);
    assert!(tls.trusted && tls.name_matches);
    assert!(r.timings.tls_ms.is_some() && r.timings.connect_ms.is_some());
    assert_eq!(r.resolved_addr, Some(server.addr.to_string()));
}

#[tokio::test]
async fn a_certificate_about_to_expire_fails_min_days_left() {
    let ca = Ca::new("Test CA");
    let server = HttpServer::tls(ca.leaf(&["127.0.0.1"], -80, 5)).await;
    let r = run(&tls_spec(server.addr, &ca, ""), &opts()).await;
    let Outcome::Failed { class, reason } = &r.outcome else {
        panic!("{:?}", r.outcome);
    };
    assert_eq!(*class, FailureClass::CertExpiring);
    assert!(
        reason.starts_with("the certificate of 127.0.0.1 expires in "),
        "{reason}"
    );
    assert!(reason.ends_with(", fewer than the 14 required"), "{reason}");
    let r = run(&tls_spec(server.addr, &ca, "min_days_left = 2"), &opts()).await;
    assert!(r.ok, "{}", r.reason);
}

#[tokio::test]
async fn expired_wrong_name_and_untrusted_are_failed_probes_with_details() {
    let ca = Ca::new("Test CA");
    let expired = HttpServer::tls(ca.leaf(&["127.0.0.1"], -100, -2)).await;
    let r = run(&tls_spec(expired.addr, &ca, ""), &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::CertExpired), "{}", r.reason);
    let tls = r.tls.expect("detail");
    assert_eq!(
        tls.protocol.as_deref(),
        Some("TLSv1.3"),
        "a tls probe completes the handshake"
    );
    assert!(!tls.trusted);
    assert!(tls.verify_error.is_some());

    let wrong = HttpServer::tls(ca.leaf(&["127.0.0.1"], -1, 90)).await;
    let r = run(
        &tls_spec(wrong.addr, &ca, "server_name = \"api.example\""),
        &opts(),
    )
    .await;
    assert_eq!(
        r.class(),
        Some(FailureClass::CertNameMismatch),
        "{}",
        r.reason
    );
    assert_eq!(
        r.reason,
        "the certificate is not valid for api.example (it names 127.0.0.1)"
    );

    let stranger = Ca::new("Stranger CA");
    let untrusted = HttpServer::tls(stranger.leaf(&["127.0.0.1"], -1, 90)).await;
    let r = run(&tls_spec(untrusted.addr, &ca, ""), &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::CertUntrusted), "{}", r.reason);
    assert!(
        r.tls
            .is_some_and(|t| t.issuer == "CN=Stranger CA" && t.name_matches)
    );
}

#[tokio::test]
async fn tls_to_a_closed_port_is_refused() {
    let ca = Ca::new("Test CA");
    let addr = closed_port().await;
    let r = run(&tls_spec(addr, &ca, ""), &opts()).await;
    assert_eq!(r.class(), Some(FailureClass::Refused));
    assert!(r.tls.is_none());
}
