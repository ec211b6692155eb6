//! One client connection, from accept to close, carrying out its fate.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::faults::{Assignment, Fate};
use crate::http_reply::{self, MAX_HEAD, Progress, ResponseEnd};
use crate::pipe::{Direction, PipeEnd, pipe};
use crate::stats::{ActiveGuard, Counters, Event};

/// The hub is on this machine: a connect that takes longer is a dead hub.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// With no length to count, this much silence from the upstream is taken as
/// the end of its response.
const QUIET: Duration = Duration::from_millis(200);
/// How long a closing client may keep sending before the proxy stops reading.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
const DRAIN_LIMIT: usize = 64 * 1024 * 1024;

/// Serves `client` according to `assignment`; `active` is released when it ends.
pub(crate) async fn serve(
    client: TcpStream,
    upstream: SocketAddr,
    assignment: Assignment,
    active: ActiveGuard,
) {
    let stats = active.counters();
    // Nagle would add delays of its own to small writes and blur the injected ones.
    if let Err(e) = client.set_nodelay(true) {
        tracing::debug!(error = %e, "fault proxy: set_nodelay on client failed");
    }
    let fate = assignment.fate;
    if let Fate::ServerErrorNoForward { status } = fate {
        reply_without_forwarding(client, status, stats).await;
        return;
    }
    let upstream_stream = match connect(upstream).await {
        Ok(stream) => stream,
        Err(e) => {
            tracing::warn!(%upstream, error = %e, "fault proxy: upstream unreachable; closing client");
            stats.record(Event::UpstreamFailure);
            return;
        }
    };
    if fate == Fate::ServerErrorAfterForward {
        forward_then_replace(client, upstream_stream, stats).await;
    } else {
        forward(client, upstream_stream, assignment, stats).await;
    }
}

async fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    // The proxy's network rule: loopback only, whatever a caller set.
    if !addr.ip().is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the fault proxy only connects to loopback addresses",
        ));
    }
    let stream = timeout(CONNECT_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "connect to upstream timed out"))??;
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!(error = %e, "fault proxy: set_nodelay on upstream failed");
    }
    Ok(stream)
}

/// How a forwarded connection is to be closed.
enum Finish {
    /// Both directions ended (or broke) by themselves.
    Ended,
    ResetBoth,
    ResetClient,
    CloseClient,
}

/// Pass, Delay, latency and the three cuts: copy both ways, then close as the fate says.
async fn forward(
    mut client: TcpStream,
    mut upstream: TcpStream,
    assignment: Assignment,
    stats: &Counters,
) {
    let fate = assignment.fate;
    let plain = Direction {
        latency: assignment.one_way,
        ..Direction::default()
    };
    let (mut to_upstream, mut to_client) = (plain, plain);
    match fate {
        Fate::ResetRequest { after } => to_upstream.cut_after = Some(after),
        Fate::ResetResponse { after } | Fate::Truncate { after } => {
            to_client.cut_after = Some(after);
        }
        Fate::Delay { by } => {
            to_upstream.first_byte_delay = by;
            to_client.first_byte_delay = by;
        }
        Fate::Pass | Fate::ServerErrorAfterForward | Fate::ServerErrorNoForward { .. } => {}
    }
    let (sent_up, sent_down) = (AtomicU64::new(0), AtomicU64::new(0));

    // The halves borrow the streams, so the streams are still whole afterwards
    // and a reset can be set on them before they are dropped.
    let finish = {
        let (mut client_read, mut client_write) = client.split();
        let (mut upstream_read, mut upstream_write) = upstream.split();
        let up = pipe(&mut client_read, &mut upstream_write, to_upstream, &sent_up);
        let down = pipe(&mut upstream_read, &mut client_write, to_client, &sent_down);
        tokio::pin!(up, down);
        let (mut up_open, mut down_open) = (true, true);
        loop {
            tokio::select! {
                end = &mut up, if up_open => match end {
                    PipeEnd::Eof => up_open = false,
                    PipeEnd::Cut => break Finish::ResetBoth,
                    PipeEnd::Failed(e) => {
                        tracing::debug!(error = %e, "fault proxy: client→upstream broke");
                        break Finish::Ended;
                    }
                },
                end = &mut down, if down_open => match end {
                    PipeEnd::Eof => down_open = false,
                    PipeEnd::Cut if matches!(fate, Fate::Truncate { .. }) => break Finish::CloseClient,
                    PipeEnd::Cut => break Finish::ResetClient,
                    PipeEnd::Failed(e) => {
                        tracing::debug!(error = %e, "fault proxy: upstream→client broke");
                        break Finish::Ended;
                    }
                },
            }
            if !up_open && !down_open {
                break Finish::Ended;
            }
        }
    };

    match finish {
        Finish::ResetBoth => {
            stats.record(Event::RequestReset);
            abort(client);
            abort(upstream);
        }
        Finish::ResetClient => {
            stats.record(Event::ResponseReset);
            drop(upstream);
            abort(client);
        }
        Finish::CloseClient => {
            stats.record(Event::Truncation);
            drop(upstream);
            close_gracefully(client).await;
        }
        Finish::Ended => {
            let was_cut = matches!(
                fate,
                Fate::ResetRequest { .. } | Fate::ResetResponse { .. } | Fate::Truncate { .. }
            );
            if was_cut {
                stats.record(Event::NotTriggered);
            }
        }
    }
}

/// ServerErrorAfterForward: the upstream gets the request and answers; the
/// client gets a 503 instead of that answer.
async fn forward_then_replace(mut client: TcpStream, mut upstream: TcpStream, stats: &Counters) {
    let requested = AtomicU64::new(0);
    let swallowed = {
        let (mut client_read, _) = client.split();
        let (mut upstream_read, mut upstream_write) = upstream.split();
        let up = pipe(
            &mut client_read,
            &mut upstream_write,
            Direction::default(),
            &requested,
        );
        let swallow = swallow_first_response(&mut upstream_read);
        tokio::pin!(up, swallow);
        let mut up_open = true;
        loop {
            tokio::select! {
                end = &mut up, if up_open => match end {
                    // The client is done sending; its answer is still coming.
                    PipeEnd::Eof => up_open = false,
                    // The client broke the connection: nobody left to mislead.
                    PipeEnd::Cut | PipeEnd::Failed(_) => break false,
                },
                () = &mut swallow => break true,
            }
        }
    };
    drop(upstream);
    // A connection the client closed without a request has no response to replace.
    if !swallowed || requested.load(Ordering::Relaxed) == 0 {
        stats.record(Event::NotTriggered);
        return;
    }
    stats.record(Event::ServerError);
    if client
        .write_all(&http_reply::error_reply(503))
        .await
        .is_ok()
    {
        close_gracefully(client).await;
    }
}

/// Reads and discards the upstream's first response; returns when it has
/// ended (by its content-length, by quiet if it has none, or by EOF).
async fn swallow_first_response<R: AsyncRead + Unpin>(reader: &mut R) {
    let mut detector = ResponseEnd::new();
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let read = reader.read(&mut buf);
        let result = if detector.progress() == Progress::Unframed {
            match timeout(QUIET, read).await {
                Ok(result) => result,
                Err(_quiet) => return,
            }
        } else {
            read.await
        };
        match result {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if detector.feed(&buf[..n]) == Progress::Complete {
                    return;
                }
            }
        }
    }
}

/// ServerErrorNoForward: read the request head, answer `status`, close.
async fn reply_without_forwarding(mut client: TcpStream, status: u16, stats: &Counters) {
    let mut head = Vec::new();
    let mut buf = vec![0u8; 16 * 1024];
    let got_request = loop {
        match client.read(&mut buf).await {
            // Closed before a whole head arrived: there is no one to answer.
            Ok(0) | Err(_) => break false,
            Ok(n) => {
                head.extend_from_slice(&buf[..n]);
                if http_reply::head_end(&head).is_some() || head.len() > MAX_HEAD {
                    break true;
                }
            }
        }
    };
    if !got_request {
        stats.record(Event::NotTriggered);
        return;
    }
    stats.record(Event::ServerError);
    if client
        .write_all(&http_reply::error_reply(status))
        .await
        .is_ok()
    {
        close_gracefully(client).await;
    }
}

/// Closes with RST rather than FIN: SO_LINGER 0 makes close() abort.
fn abort(stream: TcpStream) {
    if let Err(e) = stream.set_zero_linger() {
        tracing::debug!(error = %e, "fault proxy: SO_LINGER 0 failed; closing with FIN");
    }
    drop(stream);
}

/// Sends FIN after everything written, then reads what the client still
/// sends (a request body, its own FIN): closing a socket with unread data
/// makes the kernel send RST, which could make the client lose our reply.
async fn close_gracefully(mut client: TcpStream) {
    if client.shutdown().await.is_err() {
        return;
    }
    let drain = async {
        let mut buf = vec![0u8; 16 * 1024];
        let mut total = 0usize;
        while total < DRAIN_LIMIT {
            match client.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
    };
    // Past the timeout the client is not behaving like an HTTP client; just close.
    let _ = timeout(DRAIN_TIMEOUT, drain).await;
}
