//! A "hub" on 127.0.0.1 that accepts connections, reads the request and never
//! answers: the way to make a client wait for its timeout without sending traffic
//! anywhere but loopback.

use std::io::Read;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Accepts connections and never answers, until dropped.
#[derive(Debug)]
pub struct SilentHub {
    port: u16,
    stop: Arc<AtomicBool>,
}

impl SilentHub {
    pub fn start() -> SilentHub {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut socket, _)) => {
                        // Read what comes (so the client's send never blocks) and
                        // answer nothing; the socket stays open until the end.
                        let _ = socket.set_nonblocking(true);
                        let mut buf = [0u8; 4096];
                        let _ = socket.read(&mut buf);
                        held.push(socket);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        SilentHub { port, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for SilentHub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
