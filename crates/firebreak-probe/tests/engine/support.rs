//! Loopback servers and certificates made for the tests. Everything listens on
//! 127.0.0.1 port 0; nothing here ever talks to another address.

#![allow(dead_code)]

use chrono::{Datelike, Utc};
use firebreak_probe::{ProbeSpec, RunOptions};
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, UdpSocket};
use tokio::task::JoinHandle;

/// Probe timeout in tests: short, so the timeout cases stay fast.
pub const TIMEOUT: Duration = Duration::from_millis(400);

pub fn opts() -> RunOptions {
    RunOptions::default()
}

/// A spec from TOML, as a runbook fence would give it, with the test timeout unless
/// the text sets one.
pub fn spec(toml: &str) -> ProbeSpec {
    let text = if toml.contains("timeout") {
        toml.to_string()
    } else {
        format!("{toml}\ntimeout = \"{}ms\"", TIMEOUT.as_millis())
    };
    ProbeSpec::from_toml(&text, &Default::default())
        .unwrap_or_else(|e| panic!("bad test spec {text:?}: {e}"))
}

/// Aborts a server task when the test ends.
pub struct Task(pub JoinHandle<()>);

impl Drop for Task {
    fn drop(&mut self) {
        self.0.abort();
    }
}

// ---------------------------------------------------------------- certificates

/// Valid from `from` to `to` days from now (whole days, UTC midnight).
fn set_validity(params: &mut CertificateParams, from: i64, to: i64) {
    let day = |n: i64| {
        let d = Utc::now() + chrono::Duration::days(n);
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    params.not_before = day(from);
    params.not_after = day(to);
}

/// A test CA, written to a PEM file the probes can name as `ca`.
pub struct Ca {
    pub name: String,
    issuer: Issuer<'static, KeyPair>,
    pub cert_der: CertificateDer<'static>,
    pub pem_file: tempfile::NamedTempFile,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("ca key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        set_validity(&mut params, -30, 3650);
        let cert = params.self_signed(&key).expect("self-signed ca");
        let mut pem_file = tempfile::NamedTempFile::new().expect("temp file");
        pem_file.write_all(cert.pem().as_bytes()).expect("write ca");
        pem_file.flush().expect("flush ca");
        Ca {
            name: name.to_string(),
            issuer: Issuer::new(params, key),
            cert_der: cert.der().clone(),
            pem_file,
        }
    }

    pub fn path(&self) -> String {
        self.pem_file.path().display().to_string()
    }

    /// A leaf for `sans`, valid from `from` to `to` days from now, with the chain
    /// (leaf, CA) a server sends.
    pub fn leaf(&self, sans: &[&str], from: i64, to: i64) -> Leaf {
        let key = KeyPair::generate().expect("leaf key");
        let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
        let mut params = CertificateParams::new(sans.clone()).expect("leaf params");
        params.distinguished_name.push(
            DnType::CommonName,
            sans.first().cloned().unwrap_or_default(),
        );
        set_validity(&mut params, from, to);
        let cert = params.signed_by(&key, &self.issuer).expect("signed leaf");
        Leaf {
            chain: vec![cert.der().clone(), self.cert_der.clone()],
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        }
    }
}

pub struct Leaf {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

pub fn server_tls(leaf: Leaf) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(leaf.chain, leaf.key)
        .expect("server cert");
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

// ---------------------------------------------------------------- HTTP

/// What the HTTP server counts.
#[derive(Default)]
pub struct Stats {
    pub requests: AtomicUsize,
    pub in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

pub struct HttpServer {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    _task: Task,
}

impl HttpServer {
    /// How many requests the server has answered so far.
    pub fn requests(&self) -> usize {
        self.stats.requests.load(Ordering::SeqCst)
    }

    pub async fn plain() -> HttpServer {
        HttpServer::start(None).await
    }

    pub async fn tls(leaf: Leaf) -> HttpServer {
        HttpServer::start(Some(server_tls(leaf))).await
    }

    async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let stats = Arc::new(Stats::default());
        let task_stats = stats.clone();
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let task = tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    continue;
                };
                let stats = task_stats.clone();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let stats = stats.clone();
                        async move { Ok::<_, Infallible>(route(req, addr, &stats).await) }
                    });
                    let builder = hyper::server::conn::http1::Builder::new();
                    match acceptor {
                        None => {
                            let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
                        }
                        Some(acceptor) => {
                            if let Ok(tls) = acceptor.accept(tcp).await {
                                let _ = builder.serve_connection(TokioIo::new(tls), service).await;
                            }
                        }
                    }
                });
            }
        });
        HttpServer {
            addr,
            stats,
            _task: Task(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn https_url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }
}

fn reply(status: u16, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

fn redirect(status: u16, location: &str) -> Response<Full<Bytes>> {
    let mut r = reply(status, "");
    r.headers_mut().insert(
        hyper::header::LOCATION,
        location.parse().expect("location header"),
    );
    r
}

/// The routes the tests use.
async fn route(req: Request<Incoming>, addr: SocketAddr, stats: &Stats) -> Response<Full<Bytes>> {
    stats.requests.fetch_add(1, Ordering::SeqCst);
    let path = req.uri().path().to_string();
    let method = req.method().clone();
    let ua = req
        .headers()
        .get(hyper::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let auth = req.headers().contains_key(hyper::header::AUTHORIZATION);
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match parts.as_slice() {
        ["ok"] => {
            let mut r = reply(200, "ok");
            r.headers_mut()
                .insert("x-request-id", "abc123".parse().expect("header"));
            r.headers_mut()
                .insert("set-cookie", "session=secret".parse().expect("header"));
            r
        }
        ["status", code] => {
            let code: u16 = code.parse().unwrap_or(500);
            reply(code, format!("status {code}"))
        }
        ["json"] => reply(200, r#"{"status": "ok", "version": "1.2.3"}"#),
        ["big"] => reply(200, vec![b'a'; 200 * 1024]),
        ["redirect", n] => {
            let n: u32 = n.parse().unwrap_or(0);
            if n == 0 {
                reply(200, "landed")
            } else {
                redirect(302, &format!("/redirect/{}", n - 1))
            }
        }
        ["absolute"] => redirect(301, &format!("http://{addr}/ok")),
        ["loop"] => redirect(302, "/loop"),
        ["see-other"] => redirect(303, "/echo"),
        ["slow", ms] => {
            let ms: u64 = ms.parse().unwrap_or(0);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            reply(200, "slow")
        }
        ["concurrent"] => {
            let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(100)).await;
            stats.in_flight.fetch_sub(1, Ordering::SeqCst);
            reply(200, "done")
        }
        ["hang"] => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            reply(200, "")
        }
        ["echo"] => {
            let body = req
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let mut r = reply(
                200,
                format!(
                    "{method} {} ua={ua} auth={auth}",
                    String::from_utf8_lossy(&body)
                ),
            );
            r.headers_mut()
                .insert("x-method", method.as_str().parse().expect("header"));
            r
        }
        _ => reply(404, "not found"),
    }
}

// ---------------------------------------------------------------- TCP

/// A port with nothing listening: bind, note the port, close.
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    addr
}

/// Accepts connections and never says a word.
pub struct SilentServer {
    pub addr: SocketAddr,
    _task: Task,
}

impl SilentServer {
    pub async fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((tcp, _)) = listener.accept().await {
                held.push(tcp);
            }
        });
        SilentServer {
            addr,
            _task: Task(task),
        }
    }
}

// ---------------------------------------------------------------- DNS

/// A tiny authoritative responder for the `test.` zone on a loopback UDP port.
pub struct DnsServer {
    pub addr: SocketAddr,
    pub queries: Arc<AtomicUsize>,
    _task: Task,
}

impl DnsServer {
    pub async fn start() -> DnsServer {
        let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind udp");
        let addr = socket.local_addr().expect("addr");
        let queries = Arc::new(AtomicUsize::new(0));
        let counter = queries.clone();
        let task = tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((n, from)) = socket.recv_from(&mut buf).await else {
                    continue;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                if let Some(answer) = answer(&buf[..n]) {
                    let _ = socket.send_to(&answer, from).await;
                }
            }
        });
        DnsServer {
            addr,
            queries,
            _task: Task(task),
        }
    }

    pub fn server(&self) -> String {
        self.addr.to_string()
    }
}

/// A UDP socket that reads nothing and answers nothing.
pub struct DeafDns {
    pub addr: SocketAddr,
    _socket: std::net::UdpSocket,
}

impl DeafDns {
    pub fn start() -> DeafDns {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp");
        DeafDns {
            addr: socket.local_addr().expect("addr"),
            _socket: socket,
        }
    }
}

fn answer(packet: &[u8]) -> Option<Vec<u8>> {
    use hickory_resolver::proto::op::{Message, ResponseCode};
    use hickory_resolver::proto::rr::rdata::{A, AAAA, CNAME, MX, SOA, TXT};
    use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};

    let request = Message::from_vec(packet).ok()?;
    let query = request.queries.first()?.clone();
    let mut response = Message::response(request.metadata.id, request.metadata.op_code);
    response.metadata.recursion_desired = request.metadata.recursion_desired;
    response.metadata.authoritative = true;
    response.add_query(query.clone());
    let name = query.name.to_ascii().to_ascii_lowercase();
    let n = |s: &str| Name::from_ascii(s).expect("name");
    let rec = |rdata: RData| Record::from_rdata(query.name.clone(), 60, rdata);
    let qtype = query.query_type;
    let mut answers: Vec<Record> = Vec::new();
    let exists = match name.as_str() {
        "a.test." => {
            if qtype == RecordType::A {
                answers.push(rec(RData::A(A::new(127, 0, 0, 1))));
                answers.push(rec(RData::A(A::new(127, 0, 0, 2))));
            }
            if qtype == RecordType::AAAA {
                answers.push(rec(RData::AAAA(AAAA::new(0, 0, 0, 0, 0, 0, 0, 1))));
            }
            true
        }
        "www.test." => {
            answers.push(rec(RData::CNAME(CNAME(n("a.test.")))));
            if qtype == RecordType::A {
                answers.push(Record::from_rdata(
                    n("a.test."),
                    60,
                    RData::A(A::new(127, 0, 0, 1)),
                ));
            }
            true
        }
        "txt.test." => {
            if qtype == RecordType::TXT {
                answers.push(rec(RData::TXT(TXT::new(vec!["v=spf1 -all".to_string()]))));
            }
            true
        }
        "mx.test." => {
            if qtype == RecordType::MX {
                answers.push(rec(RData::MX(MX::new(10, n("mail.test.")))));
            }
            true
        }
        "test." => {
            if qtype == RecordType::SOA {
                answers.push(rec(RData::SOA(SOA::new(
                    n("ns1.test."),
                    n("admin.test."),
                    2025030101,
                    3600,
                    600,
                    86400,
                    60,
                ))));
            }
            true
        }
        "empty.test." => true,
        _ => false,
    };
    if !exists {
        response.metadata.response_code = ResponseCode::NXDomain;
    }
    response.add_answers(answers);
    response.to_vec().ok()
}
