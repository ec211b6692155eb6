//! Name lookup and TCP connect, with failures told apart the way a responder needs:
//! refused (nothing listens), unreachable (no route), timeout (something drops the
//! packets), NXDOMAIN (the name is gone).

use crate::ctx::{Ctx, ms_since};
use firebreak_core::probe::{FailureClass, Outcome, classify_ip};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// Resolves `host` with the system resolver (getaddrinfo, as curl does), or takes it as
/// it is when it is an IP address. Returns the addresses and the time it took in ms.
pub(crate) async fn resolve(
    ctx: &Ctx<'_>,
    host: &str,
    port: u16,
) -> Result<(Vec<SocketAddr>, f64), Outcome> {
    let begun = Instant::now();
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok((vec![SocketAddr::new(ip, port)], ms_since(begun)));
    }
    let found = ctx
        .guard(
            || format!("looking up {host}"),
            tokio::net::lookup_host((bare, port)),
        )
        .await?;
    let dns_ms = ms_since(begun);
    match found {
        Ok(addrs) => {
            let addrs: Vec<SocketAddr> = addrs.collect();
            if addrs.is_empty() {
                Err(Outcome::error(
                    FailureClass::DnsNoAnswer,
                    format!("{host} has no address"),
                ))
            } else {
                Ok((addrs, dns_ms))
            }
        }
        Err(e) => Err(lookup_error(host, &e)),
    }
}

/// getaddrinfo's errors reach us only as text; these are glibc's and macOS's words.
pub(crate) fn lookup_error(host: &str, e: &io::Error) -> Outcome {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    if lower.contains("name or service not known")
        || lower.contains("nodename nor servname")
        || lower.contains("no address associated")
        || lower.contains("no such host")
    {
        Outcome::error(
            FailureClass::DnsNxdomain,
            format!("{host} does not resolve (no such name)"),
        )
    } else if lower.contains("temporary failure") {
        Outcome::error(
            FailureClass::DnsFailure,
            format!("cannot look up {host}: the resolver is not answering ({text})"),
        )
    } else {
        Outcome::error(
            FailureClass::DnsFailure,
            format!("cannot look up {host}: {text}"),
        )
    }
}

/// The class of an I/O error from connecting, reading or writing.
pub(crate) fn io_class(e: &io::Error) -> FailureClass {
    use io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => FailureClass::Refused,
        K::HostUnreachable | K::NetworkUnreachable | K::NetworkDown | K::AddrNotAvailable => {
            FailureClass::Unreachable
        }
        K::TimedOut => FailureClass::Timeout,
        K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof => {
            FailureClass::Reset
        }
        _ => match e.raw_os_error() {
            // EHOSTDOWN: Linux reports it for a neighbour that does not answer ARP.
            Some(112) if cfg!(target_os = "linux") => FailureClass::Unreachable,
            _ => FailureClass::Io,
        },
    }
}

/// Words for a failed connect to `addr`.
pub(crate) fn connect_error(addr: SocketAddr, e: &io::Error) -> Outcome {
    let class = io_class(e);
    let message = match class {
        FailureClass::Refused => format!("connection refused by {addr}"),
        FailureClass::Unreachable => format!("{addr} is unreachable ({e})"),
        FailureClass::Timeout => format!("connecting to {addr} timed out ({e})"),
        FailureClass::Reset => format!("the connection to {addr} was reset"),
        _ => format!("cannot connect to {addr}: {e}"),
    };
    Outcome::error(class, message)
}

/// Connects to the first address that accepts, in the resolver's order (as curl does
/// without happy eyeballs). Returns the stream, the address and the connect time of
/// the address that worked. When all fail, the first failure is reported, with how many
/// other addresses were tried.
pub(crate) async fn connect(
    ctx: &Ctx<'_>,
    addrs: &[SocketAddr],
) -> Result<(TcpStream, SocketAddr, f64), Outcome> {
    let mut first_failure: Option<Outcome> = None;
    for &addr in addrs {
        if ctx.opts.refuse_sensitive
            && let Some(what) = classify_ip(addr.ip())
        {
            first_failure.get_or_insert_with(|| {
                Outcome::error(
                    FailureClass::Blocked,
                    format!("not connecting to {addr}: it is {what}, and this run refuses such addresses"),
                )
            });
            continue;
        }
        let begun = Instant::now();
        let connected = ctx
            .guard(|| format!("connecting to {addr}"), TcpStream::connect(addr))
            .await?;
        match connected {
            Ok(stream) => {
                let connect_ms = ms_since(begun);
                // Like curl: a request goes out in one segment, not after a delayed ACK.
                let _ = stream.set_nodelay(true);
                return Ok((stream, addr, connect_ms));
            }
            Err(e) => {
                first_failure.get_or_insert_with(|| connect_error(addr, &e));
            }
        }
    }
    let others = addrs.len().saturating_sub(1);
    Err(match first_failure {
        Some(Outcome::Error { class, message }) if others > 0 => Outcome::error(
            class,
            format!(
                "{message} (and {others} other address{} failed too)",
                if others == 1 { "" } else { "es" }
            ),
        ),
        Some(outcome) => outcome,
        None => Outcome::error(FailureClass::DnsNoAnswer, "no address to connect to"),
    })
}

/// Notes the instant the first byte is read, for the time to first byte: the moment
/// the first response byte arrives, as curl's `time_starttransfer`, rather than when
/// the HTTP library has parsed the whole header block.
pub(crate) struct TimedIo<T> {
    inner: T,
    base: Instant,
    /// Nanoseconds after `base` plus one; 0 while nothing was read.
    first_read: Arc<AtomicU64>,
}

impl<T> TimedIo<T> {
    pub fn new(inner: T, base: Instant) -> (TimedIo<T>, FirstRead) {
        let cell = Arc::new(AtomicU64::new(0));
        (
            TimedIo {
                inner,
                base,
                first_read: cell.clone(),
            },
            FirstRead { base, cell },
        )
    }
}

/// The reading side of [`TimedIo`]'s note.
#[derive(Clone)]
pub(crate) struct FirstRead {
    base: Instant,
    cell: Arc<AtomicU64>,
}

impl FirstRead {
    pub fn get(&self) -> Option<Instant> {
        match self.cell.load(Ordering::Acquire) {
            0 => None,
            n => self
                .base
                .checked_add(std::time::Duration::from_nanos(n - 1)),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for TimedIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before && self.first_read.load(Ordering::Relaxed) == 0 {
            let nanos = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX - 1);
            self.first_read.store(nanos + 1, Ordering::Release);
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for TimedIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_told_apart() {
        use io::ErrorKind as K;
        for (kind, class) in [
            (K::ConnectionRefused, FailureClass::Refused),
            (K::HostUnreachable, FailureClass::Unreachable),
            (K::NetworkUnreachable, FailureClass::Unreachable),
            (K::TimedOut, FailureClass::Timeout),
            (K::ConnectionReset, FailureClass::Reset),
            (K::UnexpectedEof, FailureClass::Reset),
            (K::PermissionDenied, FailureClass::Io),
        ] {
            assert_eq!(io_class(&io::Error::from(kind)), class, "{kind:?}");
        }
        let addr: SocketAddr = "192.0.2.1:443".parse().expect("addr");
        let unreachable = connect_error(addr, &io::Error::from(K::HostUnreachable));
        assert_eq!(unreachable.class(), Some(FailureClass::Unreachable));
        match unreachable {
            Outcome::Error { message, .. } => {
                assert!(
                    message.starts_with("192.0.2.1:443 is unreachable"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
        #[cfg(target_os = "linux")]
        assert_eq!(
            io_class(&io::Error::from_raw_os_error(113)),
            FailureClass::Unreachable
        );
    }

    #[test]
    fn lookup_failures_by_their_words() {
        let nx =
            io::Error::other("failed to lookup address information: Name or service not known");
        assert_eq!(
            lookup_error("gone.example", &nx),
            Outcome::error(
                FailureClass::DnsNxdomain,
                "gone.example does not resolve (no such name)"
            )
        );
        let again = io::Error::other(
            "failed to lookup address information: Temporary failure in name resolution",
        );
        assert_eq!(
            lookup_error("x.example", &again).class(),
            Some(FailureClass::DnsFailure)
        );
    }
}
