//! TLS shared by the `http` (https) and `tls` probes: trust roots, a verifier that
//! records why verification failed, handshakes, and the certificate's facts.
//!
//! rustls only says "invalid certificate" by failing the handshake. A responder needs
//! to know *which* fault (expired on the 3rd, issued for another name, unknown CA) and
//! still see the certificate, so the verifier here wraps rustls's WebPKI verifier and
//! writes down the chain and the verdict before answering. An https probe then fails
//! the handshake as any client would (nothing is sent over a connection that did not
//! verify); a `tls` probe, which sends nothing, completes it to report the protocol and
//! cipher as well.

use crate::ctx::Ctx;
use crate::net::io_class;
use chrono::{DateTime, Utc};
use firebreak_core::probe::{FailureClass, Outcome, TlsDetail};
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

/// The ring provider, built once and passed to every config explicitly.
fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The system's roots, read on first use (not at build time: the machine's trust
/// store is what the responder's browser and curl use too). Certificates that do not
/// parse are skipped, as curl skips them.
fn system_roots() -> Arc<RootCertStore> {
    static ROOTS: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut store = RootCertStore::empty();
            let loaded = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(loaded.certs);
            Arc::new(store)
        })
        .clone()
}

/// The trust roots of one run: the system's and the probe's `ca` file, kept as
/// separate stores so the system's (a hundred-odd anchors) are shared, never copied.
pub(crate) struct Trust {
    stores: Vec<Arc<RootCertStore>>,
}

impl Trust {
    /// The system roots (if the options say so) plus the PEM certificates in `ca`.
    pub async fn load(ctx: &Ctx<'_>, ca: Option<&str>) -> Result<Trust, Outcome> {
        let mut stores = Vec::with_capacity(2);
        if ctx.opts.use_system_roots {
            stores.push(system_roots());
        }
        if let Some(path) = ca {
            stores.push(ca_file(path).await?);
        }
        Ok(Trust { stores })
    }

    /// A client config for one connection, and its verifier to read afterwards.
    /// `enforce`: fail the handshake on a bad certificate (https) or only record it
    /// (`tls` probes). A new config per connection also means no session resumption:
    /// every probe does a full handshake, as a fresh curl does.
    pub fn client_config(
        &self,
        enforce: bool,
        alpn: &[&[u8]],
    ) -> Result<(Arc<ClientConfig>, Arc<RecordingVerifier>), Outcome> {
        let provider = provider();
        let inner = self
            .stores
            .iter()
            .filter(|store| !store.is_empty())
            .filter_map(|store| {
                WebPkiServerVerifier::builder_with_provider(store.clone(), provider.clone())
                    .build()
                    .ok()
            })
            .collect();
        let verifier = Arc::new(RecordingVerifier {
            inner,
            provider: provider.clone(),
            enforce,
            seen: Mutex::new(None),
        });
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Outcome::error(FailureClass::Internal, format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok((Arc::new(config), verifier))
    }
}

/// A parsed CA file and the file's identity when it was read.
struct CachedCa {
    modified: Option<std::time::SystemTime>,
    len: u64,
    store: Arc<RootCertStore>,
}

/// The roots in the CA file at `path`, parsed once per version of the file: a watch
/// re-runs its probe every few seconds, and re-reading the file through the blocking
/// pool each time cost more than the TLS handshake it serves. A change of size or
/// modification time reads it again.
async fn ca_file(path: &str) -> Result<Arc<RootCertStore>, Outcome> {
    static CACHE: OnceLock<Mutex<HashMap<String, CachedCa>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A stat of a local file; when it fails, the read below says why.
    let identity = std::fs::metadata(path)
        .ok()
        .map(|m| (m.modified().ok(), m.len()));
    if let Some((modified, len)) = identity
        && let Ok(cache) = cache.lock()
        && let Some(hit) = cache.get(path)
        && hit.modified == modified
        && hit.len == len
    {
        return Ok(hit.store.clone());
    }
    let store = Arc::new(load_ca_file(path).await?);
    if let (Some((modified, len)), Ok(mut cache)) = (identity, cache.lock()) {
        cache.insert(
            path.to_string(),
            CachedCa {
                modified,
                len,
                store: store.clone(),
            },
        );
    }
    Ok(store)
}

/// The PEM certificates of an extra CA file, as trust roots.
async fn load_ca_file(path: &str) -> Result<RootCertStore, Outcome> {
    let bytes = tokio::fs::read(path).await.map_err(|e| {
        Outcome::error(
            FailureClass::CaFile,
            format!("cannot read the CA file {path}: {e}"),
        )
    })?;
    let mut store = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&bytes) {
        let cert = cert.map_err(|e| {
            Outcome::error(
                FailureClass::CaFile,
                format!("the CA file {path} is not valid PEM: {e}"),
            )
        })?;
        store.add(cert).map_err(|e| {
            Outcome::error(
                FailureClass::CaFile,
                format!("the CA file {path} holds a certificate that cannot be a trust root: {e}"),
            )
        })?;
    }
    if store.is_empty() {
        return Err(Outcome::error(
            FailureClass::CaFile,
            format!("the CA file {path} holds no PEM certificate"),
        ));
    }
    Ok(store)
}

/// What the verifier saw: the chain the server sent and the WebPKI verdict.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub chain: Vec<CertificateDer<'static>>,
    pub verdict: Result<(), rustls::Error>,
}

/// Wraps the WebPKI verifiers (one per root store) and records the chain and the
/// verdict.
#[derive(Debug)]
pub(crate) struct RecordingVerifier {
    /// Empty when there is no trust root at all: every chain is then untrusted.
    inner: Vec<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    enforce: bool,
    seen: Mutex<Option<Seen>>,
}

impl RecordingVerifier {
    pub fn seen(&self) -> Option<Seen> {
        self.seen.lock().ok().and_then(|s| s.clone())
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // Trusted if any store anchors the chain. Otherwise the most telling fault: a
        // store that anchors it but finds it expired or for another name says more
        // than one that does not know the issuer.
        let mut verdict = Err(rustls::Error::InvalidCertificate(
            CertificateError::UnknownIssuer,
        ));
        for inner in &self.inner {
            match inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ) {
                Ok(_) => {
                    verdict = Ok(());
                    break;
                }
                Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {}
                Err(e) => verdict = Err(e),
            }
        }
        let mut chain = Vec::with_capacity(1 + intermediates.len());
        chain.push(end_entity.clone().into_owned());
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        if let Ok(mut slot) = self.seen.lock() {
            *slot = Some(Seen {
                chain,
                verdict: verdict.clone(),
            });
        }
        match verdict {
            Err(e) if self.enforce => Err(e),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The SNI / verification name for `host`: a DNS name or an IP address.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, Outcome> {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(bare.to_string()).map_err(|_| {
        Outcome::error(
            FailureClass::BadTarget,
            format!("{host:?} is not a valid TLS server name"),
        )
    })
}

/// The outcome of a handshake: the stream, or why not — with the certificate facts
/// whenever the server got as far as sending one.
pub(crate) struct Handshake {
    pub stream: Result<TlsStream<TcpStream>, Outcome>,
    pub detail: Option<TlsDetail>,
    /// The verifier's record, for a `tls` probe to judge a completed handshake.
    pub seen: Option<Seen>,
}

/// Runs the TLS handshake over `tcp` and describes it.
pub(crate) async fn handshake(
    ctx: &Ctx<'_>,
    trust: &Trust,
    tcp: TcpStream,
    name: &str,
    enforce: bool,
    alpn: &[&[u8]],
) -> Handshake {
    let sni = match server_name(name) {
        Ok(s) => s,
        Err(o) => {
            return Handshake {
                stream: Err(o),
                detail: None,
                seen: None,
            };
        }
    };
    let (config, verifier) = match trust.client_config(enforce, alpn) {
        Ok(c) => c,
        Err(o) => {
            return Handshake {
                stream: Err(o),
                detail: None,
                seen: None,
            };
        }
    };
    let peer = tcp
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| name.to_string());
    let shaken = ctx
        .guard(
            || format!("in the TLS handshake with {peer}"),
            TlsConnector::from(config).connect(sni.clone(), tcp),
        )
        .await;
    let seen = verifier.seen();
    let now = Utc::now();
    let mut detail = seen.as_ref().map(|s| describe_chain(s, name, &sni, now));
    let stream = match shaken {
        Err(outcome) => Err(outcome),
        Ok(Ok(stream)) => {
            if let Some(d) = &mut detail {
                let (_, conn) = stream.get_ref();
                d.protocol = conn.protocol_version().map(protocol_name);
                d.cipher = conn
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite()));
                d.alpn = conn
                    .alpn_protocol()
                    .map(|p| String::from_utf8_lossy(p).into_owned());
            }
            Ok(stream)
        }
        Ok(Err(e)) => Err(match (&seen, &detail) {
            (
                Some(Seen {
                    verdict: Err(v), ..
                }),
                Some(d),
            ) => cert_outcome(v, d),
            _ => handshake_error(&peer, &e),
        }),
    };
    Handshake {
        stream,
        detail,
        seen,
    }
}

fn protocol_name(v: rustls::ProtocolVersion) -> String {
    match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    }
}

/// Words for a handshake that failed for a reason other than the certificate.
fn handshake_error(peer: &str, e: &std::io::Error) -> Outcome {
    if let Some(tls) = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
        let message = match tls {
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                format!("{peer} did not answer with TLS (is it plain HTTP?): {tls}")
            }
            rustls::Error::AlertReceived(alert) => {
                format!("{peer} refused the TLS handshake (alert: {alert:?})")
            }
            rustls::Error::PeerIncompatible(why) => {
                format!("{peer} and this client share no TLS version or cipher ({why:?})")
            }
            other => format!("the TLS handshake with {peer} failed: {other}"),
        };
        return Outcome::error(FailureClass::TlsHandshake, message);
    }
    match io_class(e) {
        FailureClass::Reset => Outcome::error(
            FailureClass::TlsHandshake,
            format!("{peer} closed the connection during the TLS handshake"),
        ),
        class => Outcome::error(class, format!("the TLS handshake with {peer} failed: {e}")),
    }
}

/// The facts of the leaf certificate, whether or not it verified.
fn describe_chain(seen: &Seen, name: &str, sni: &ServerName<'_>, now: DateTime<Utc>) -> TlsDetail {
    let mut detail = TlsDetail {
        server_name: name.to_string(),
        chain_len: seen.chain.len(),
        trusted: seen.verdict.is_ok(),
        verify_error: seen.verdict.as_ref().err().map(|e| e.to_string()),
        ..TlsDetail::default()
    };
    let Some(leaf) = seen.chain.first() else {
        return detail;
    };
    detail.name_matches = rustls::server::ParsedCertificate::try_from(leaf)
        .ok()
        .is_some_and(|parsed| rustls::client::verify_server_name(&parsed, sni).is_ok());
    if let Ok((_, cert)) = x509_parser::parse_x509_certificate(leaf.as_ref()) {
        detail.subject = cert.subject().to_string();
        detail.issuer = cert.issuer().to_string();
        let validity = cert.validity();
        detail.not_before = DateTime::from_timestamp(validity.not_before.timestamp(), 0);
        detail.not_after = DateTime::from_timestamp(validity.not_after.timestamp(), 0);
        detail.days_left = detail
            .not_after
            .map(|end| (end - now).num_seconds().div_euclid(86_400));
        if let Ok(Some(san)) = cert.subject_alternative_name() {
            for general in &san.value.general_names {
                use x509_parser::extensions::GeneralName;
                match general {
                    GeneralName::DNSName(dns) => detail.sans.push(dns.to_string()),
                    GeneralName::IPAddress(bytes) => {
                        let ip = match bytes.len() {
                            4 => <[u8; 4]>::try_from(*bytes).ok().map(IpAddr::from),
                            16 => <[u8; 16]>::try_from(*bytes).ok().map(IpAddr::from),
                            _ => None,
                        };
                        if let Some(ip) = ip {
                            detail.sans.push(ip.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    detail
}

fn day(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "an unknown date".to_string())
}

/// A failed verification, in words, as a failed probe.
pub(crate) fn cert_outcome(error: &rustls::Error, d: &TlsDetail) -> Outcome {
    use CertificateError as C;
    let rustls::Error::InvalidCertificate(cert_error) = error else {
        return Outcome::failed(
            FailureClass::CertInvalid,
            format!("the certificate of {} was rejected: {error}", d.server_name),
        );
    };
    match cert_error {
        C::Expired | C::ExpiredContext { .. } => {
            let ago = d
                .days_left
                .map(|n| format!(", {} day{} ago", -n, if n == -1 { "" } else { "s" }))
                .unwrap_or_default();
            Outcome::failed(
                FailureClass::CertExpired,
                format!(
                    "the certificate of {} expired on {}{ago}",
                    d.server_name,
                    day(d.not_after)
                ),
            )
        }
        C::NotValidYet | C::NotValidYetContext { .. } => Outcome::failed(
            FailureClass::CertNotYetValid,
            format!(
                "the certificate of {} is not valid before {}",
                d.server_name,
                day(d.not_before)
            ),
        ),
        C::NotValidForName | C::NotValidForNameContext { .. } => Outcome::failed(
            FailureClass::CertNameMismatch,
            format!(
                "the certificate is not valid for {} (it names {})",
                d.server_name,
                if d.sans.is_empty() {
                    d.subject.clone()
                } else {
                    d.sans.join(", ")
                }
            ),
        ),
        C::UnknownIssuer => Outcome::failed(
            FailureClass::CertUntrusted,
            format!(
                "the certificate of {} is not signed by a trusted CA (issuer: {})",
                d.server_name, d.issuer
            ),
        ),
        other => Outcome::failed(
            FailureClass::CertInvalid,
            format!(
                "the certificate of {} is invalid: {}",
                d.server_name,
                rustls::Error::InvalidCertificate(other.clone())
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail() -> TlsDetail {
        TlsDetail {
            server_name: "api.example".into(),
            subject: "CN=api.example".into(),
            issuer: "CN=Example CA".into(),
            sans: vec!["other.example".into(), "192.0.2.1".into()],
            not_before: DateTime::from_timestamp(1_700_000_000, 0),
            not_after: DateTime::from_timestamp(1_704_067_200, 0),
            days_left: Some(-3),
            ..TlsDetail::default()
        }
    }

    fn reason(o: Outcome) -> (FailureClass, String) {
        match o {
            Outcome::Failed { class, reason } => (class, reason),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn certificate_faults_in_words() {
        let d = detail();
        let inv = |e| rustls::Error::InvalidCertificate(e);
        assert_eq!(
            reason(cert_outcome(&inv(CertificateError::Expired), &d)),
            (
                FailureClass::CertExpired,
                "the certificate of api.example expired on 2024-01-01, 3 days ago".into()
            )
        );
        assert_eq!(
            reason(cert_outcome(&inv(CertificateError::NotValidForName), &d)),
            (
                FailureClass::CertNameMismatch,
                "the certificate is not valid for api.example (it names other.example, 192.0.2.1)"
                    .into()
            )
        );
        assert_eq!(
            reason(cert_outcome(&inv(CertificateError::UnknownIssuer), &d)),
            (
                FailureClass::CertUntrusted,
                "the certificate of api.example is not signed by a trusted CA (issuer: CN=Example CA)".into()
            )
        );
        assert_eq!(
            reason(cert_outcome(&inv(CertificateError::NotValidYet), &d)).0,
            FailureClass::CertNotYetValid
        );
        assert_eq!(
            reason(cert_outcome(&inv(CertificateError::BadSignature), &d)).0,
            FailureClass::CertInvalid
        );
    }

    #[test]
    fn server_names() {
        assert!(matches!(
            server_name("127.0.0.1"),
            Ok(ServerName::IpAddress(_))
        ));
        assert!(matches!(server_name("[::1]"), Ok(ServerName::IpAddress(_))));
        assert!(matches!(
            server_name("api.example"),
            Ok(ServerName::DnsName(_))
        ));
        assert_eq!(
            server_name("bad name").err().and_then(|o| o.class()),
            Some(FailureClass::BadTarget)
        );
    }
}
