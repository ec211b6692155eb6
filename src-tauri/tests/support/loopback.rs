//! Targets for probe tests on this machine only: a tiny HTTP server on 127.0.0.1 whose
//! status can be flipped while it runs, and a loopback port nothing listens on. Plain
//! std threads; nothing here reaches beyond 127.0.0.1.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::Duration;

/// An HTTP/1.1 server on `127.0.0.1:<port>` that answers every request with the
/// current status and closes the connection. It lives as long as the test process.
pub struct StatusServer {
    pub port: u16,
    status: Arc<AtomicU16>,
    hits: Arc<AtomicUsize>,
}

impl StatusServer {
    pub fn start(status: u16) -> StatusServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let status = Arc::new(AtomicU16::new(status));
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (status.clone(), hits.clone());
        std::thread::Builder::new()
            .name("status-server".into())
            .spawn(move || {
                for stream in listener.incoming().flatten() {
                    let (s, h) = (s.clone(), h.clone());
                    std::thread::spawn(move || answer(stream, &s, &h));
                }
            })
            .expect("start the status server");
        StatusServer { port, status, hits }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// Requests answered so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, status: &AtomicU16, hits: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if request.len() > 64 * 1024 {
            return;
        }
    }
    let code = status.load(Ordering::SeqCst);
    let reason = match code {
        200 => "OK",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let body = format!("{code} {reason}\n");
    let response = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    hits.fetch_add(1, Ordering::SeqCst);
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

/// A loopback port that refuses connections: bound to find a free one, then let go.
pub fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    port
}
