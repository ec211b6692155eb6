//! A tiny loopback HTTP server standing in for the hub, and a raw client.
//!
//! The server answers every request with a known body and counts what it
//! saw, so tests can tell whether a request reached "the hub". The client is
//! a plain `std::net::TcpStream`, so tests see exactly which bytes arrived.
#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use firebreak_faultproxy::{FaultProxy, FaultStats};

/// 100 KiB, the default body.
pub const BODY_LEN: usize = 100 * 1024;
/// No test waits longer than this for a socket.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The body the hub sends: a byte pattern, so a corrupted copy is noticed.
pub fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// How the hub frames its responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    ContentLength,
    /// `transfer-encoding: chunked`, one chunk, connection kept open.
    Chunked,
}

/// What the hub saw.
#[derive(Debug, Default)]
pub struct HubCounters {
    /// TCP connections accepted.
    pub connections: AtomicUsize,
    /// Whole requests (head and body) received.
    pub requests: AtomicUsize,
    /// Bytes received, whole requests or not.
    pub bytes_in: AtomicUsize,
}

/// The stand-in hub on 127.0.0.1:0.
#[derive(Debug)]
pub struct Hub {
    addr: SocketAddr,
    counters: Arc<HubCounters>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Hub {
    pub fn start(body_len: usize) -> Hub {
        Hub::start_with(body_len, Framing::ContentLength)
    }

    pub fn start_with(body_len: usize, framing: Framing) -> Hub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind hub");
        let addr = listener.local_addr().expect("hub address");
        let counters = Arc::new(HubCounters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let body = Arc::new(body(body_len));
        let thread = {
            let counters = Arc::clone(&counters);
            let stop = Arc::clone(&stop);
            thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    counters.connections.fetch_add(1, Ordering::SeqCst);
                    let counters = Arc::clone(&counters);
                    let body = Arc::clone(&body);
                    thread::spawn(move || serve(stream, &counters, &body, framing));
                }
            })
        };
        Hub {
            addr,
            counters,
            stop,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn connections(&self) -> usize {
        self.counters.connections.load(Ordering::SeqCst)
    }

    pub fn requests(&self) -> usize {
        self.counters.requests.load(Ordering::SeqCst)
    }

    pub fn bytes_in(&self) -> usize {
        self.counters.bytes_in.load(Ordering::SeqCst)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers requests on one connection until the client closes or asks to.
fn serve(mut stream: TcpStream, counters: &HubCounters, body: &[u8], framing: Framing) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let head_end = loop {
            if let Some(end) = find_head_end(&buf) {
                break end;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    counters.bytes_in.fetch_add(n, Ordering::SeqCst);
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
        let content_length = header(&head, "content-length")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(0);
        while buf.len() < head_end + content_length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    counters.bytes_in.fetch_add(n, Ordering::SeqCst);
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
        }
        buf.drain(..head_end + content_length);
        counters.requests.fetch_add(1, Ordering::SeqCst);

        let close = header(&head, "connection").is_some_and(|v| v == "close");
        let mut response = match framing {
            Framing::ContentLength => format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {}\r\n\r\n",
                body.len()
            )
            .into_bytes(),
            Framing::Chunked => format!(
                "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n",
                body.len()
            )
            .into_bytes(),
        };
        response.extend_from_slice(body);
        if framing == Framing::Chunked {
            response.extend_from_slice(b"\r\n0\r\n\r\n");
        }
        if stream.write_all(&response).is_err() {
            return;
        }
        if close {
            let _ = stream.shutdown(Shutdown::Write);
            // Read until the client closes so our close is a FIN, not a RST.
            let _ = stream.read_to_end(&mut Vec::new());
            return;
        }
    }
}

fn find_head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.split("\r\n").find_map(|line| {
        let (n, v) = line.split_once(':')?;
        (n.trim() == name).then(|| v.trim())
    })
}

/// The length of a hub response head for a content-length body of `body_len`.
pub fn response_head_len(body_len: usize) -> usize {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: {body_len}\r\n\r\n"
    )
    .len()
}

/// A GET with `connection: close` (or keep-alive), as raw bytes.
pub fn get_request(close: bool) -> Vec<u8> {
    let connection = if close { "close" } else { "keep-alive" };
    format!("GET /sync/pull HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: {connection}\r\n\r\n")
        .into_bytes()
}

/// A POST with a `body_len` body and `connection: close`, as raw bytes.
pub fn post_request(body_len: usize) -> Vec<u8> {
    let mut request = format!(
        "POST /sync/push HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/octet-stream\r\ncontent-length: {body_len}\r\nconnection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend_from_slice(&body(body_len));
    request
}

/// Sends `request` on a new connection to `addr`; returns everything read
/// until EOF (`Ok`) or the error that ended the read.
pub fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.write_all(request)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

/// Splits a raw HTTP response into (status, lowercase head, body).
pub fn parse_response(bytes: &[u8]) -> (u16, String, Vec<u8>) {
    let end = find_head_end(bytes).expect("a complete response head");
    let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, head, bytes[end..].to_vec())
}

pub fn header_value(head: &str, name: &str) -> Option<String> {
    header(head, name).map(str::to_owned)
}

/// Waits until the proxy's stats satisfy `done` (connections are counted
/// when they end, a moment after the client has seen the result).
pub fn settled_stats(proxy: &FaultProxy, done: impl Fn(&FaultStats) -> bool) -> FaultStats {
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let stats = proxy.stats();
        if done(&stats) || Instant::now() > deadline {
            return stats;
        }
        thread::sleep(Duration::from_millis(5));
    }
}
