//! Copying one direction of a connection, with a delay queue, a first-byte
//! delay and a cut-off.
//!
//! A reader and a writer run concurrently, joined by a channel of chunks each
//! stamped with the instant it may be written. With latency the writer sleeps
//! until each chunk's own deadline, so many chunks are in flight at once and
//! throughput is what it would be without the proxy; a proxy that slept on
//! every chunk in turn would instead divide throughput by the latency.

use std::convert::Infallible;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep, sleep_until};

/// Read size: big enough that loopback copies are cheap.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight with latency: 1024 × 64 KiB holds over 1 GB/s at 50 ms.
const QUEUE_WITH_LATENCY: usize = 1024;
/// Without latency a short queue keeps the sender's back-pressure close to
/// what it would be with no proxy in between.
const QUEUE_WITHOUT_LATENCY: usize = 2;

/// How one direction is treated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Direction {
    /// Added to every chunk.
    pub(crate) latency: Duration,
    /// Waited once, before the first chunk is written.
    pub(crate) first_byte_delay: Duration,
    /// Forward this many bytes, then stop as soon as more arrive.
    pub(crate) cut_after: Option<usize>,
}

/// Why a direction stopped.
#[derive(Debug)]
pub(crate) enum PipeEnd {
    /// The reader hit EOF; the writer was shut down (FIN passed on).
    Eof,
    /// Exactly `cut_after` bytes were written and more had arrived.
    Cut,
    /// Reading or writing failed; the connection is broken.
    Failed(io::Error),
}

enum Item {
    Data { deadline: Instant, bytes: Vec<u8> },
    End(PipeEnd),
}

/// How much of a chunk of `len` bytes to forward when `taken` bytes already
/// were, and whether the cut fires with it.
pub(crate) fn cut_point(taken: usize, len: usize, cut_after: Option<usize>) -> (usize, bool) {
    match cut_after {
        Some(limit) => {
            let room = limit.saturating_sub(taken);
            if len > room {
                (room, true)
            } else {
                (len, false)
            }
        }
        None => (len, false),
    }
}

/// Copies `reader` to `writer` as `direction` says, adding what was written
/// to `forwarded`, until EOF, the cut or an error.
pub(crate) async fn pipe<R, W>(
    reader: &mut R,
    writer: &mut W,
    direction: Direction,
    forwarded: &AtomicU64,
) -> PipeEnd
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let capacity = if direction.latency.is_zero() {
        QUEUE_WITHOUT_LATENCY
    } else {
        QUEUE_WITH_LATENCY
    };
    let (tx, mut rx) = mpsc::channel::<Item>(capacity);

    let read_side = async move {
        let mut buf = vec![0u8; CHUNK];
        let mut taken = 0usize;
        let end = loop {
            let n = match reader.read(&mut buf).await {
                Ok(0) => break PipeEnd::Eof,
                Ok(n) => n,
                Err(e) => break PipeEnd::Failed(e),
            };
            let (keep, cut) = cut_point(taken, n, direction.cut_after);
            taken += keep;
            if keep > 0 {
                let item = Item::Data {
                    deadline: Instant::now() + direction.latency,
                    bytes: buf[..keep].to_vec(),
                };
                if tx.send(item).await.is_err() {
                    // The writer has already finished; it decides the outcome.
                    break PipeEnd::Eof;
                }
            }
            if cut {
                break PipeEnd::Cut;
            }
        };
        // A failed send means the writer is gone, and then nobody needs the end.
        let _ = tx.send(Item::End(end)).await;
        // Stay pending: the select below finishes with the writer, never with us.
        std::future::pending::<Infallible>().await
    };

    let write_side = async move {
        let mut first = true;
        while let Some(item) = rx.recv().await {
            match item {
                Item::Data { deadline, bytes } => {
                    if first {
                        first = false;
                        if !direction.first_byte_delay.is_zero() {
                            sleep(direction.first_byte_delay).await;
                        }
                    }
                    sleep_until(deadline).await;
                    if let Err(e) = writer.write_all(&bytes).await {
                        return PipeEnd::Failed(e);
                    }
                    forwarded.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                }
                Item::End(PipeEnd::Eof) => {
                    // Pass the half-close on; if the peer is already gone the
                    // other direction will notice.
                    let _ = writer.shutdown().await;
                    return PipeEnd::Eof;
                }
                Item::End(end) => return end,
            }
        }
        // Unreachable in practice: the reader never drops its sender.
        PipeEnd::Eof
    };

    tokio::select! {
        end = write_side => end,
        never = read_side => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::duplex;

    #[test]
    fn cut_point_forwards_up_to_the_limit_and_fires_on_the_next_byte() {
        assert_eq!(cut_point(0, 100, None), (100, false));
        assert_eq!(cut_point(0, 100, Some(100)), (100, false));
        assert_eq!(cut_point(0, 101, Some(100)), (100, true));
        assert_eq!(cut_point(90, 20, Some(100)), (10, true));
        assert_eq!(cut_point(100, 1, Some(100)), (0, true));
        assert_eq!(cut_point(0, 1, Some(0)), (0, true));
    }

    async fn run(
        input: &[u8],
        direction: Direction,
        chunk_gap: Option<usize>,
    ) -> (PipeEnd, Vec<u8>, u64) {
        let (mut source, mut reader) = duplex(1 << 20);
        let (mut writer, mut sink) = duplex(1 << 20);
        let input = input.to_vec();
        let feeder = tokio::spawn(async move {
            // Optional small writes so the cut falls across reads.
            let step = chunk_gap.unwrap_or(input.len().max(1));
            for part in input.chunks(step) {
                if source.write_all(part).await.is_err() {
                    break;
                }
                tokio::task::yield_now().await;
            }
        });
        // Drained concurrently: the duplex buffer is smaller than some inputs.
        let drainer = tokio::spawn(async move {
            let mut out = Vec::new();
            sink.read_to_end(&mut out).await.map(|_| out)
        });
        let forwarded = AtomicU64::new(0);
        let end = pipe(&mut reader, &mut writer, direction, &forwarded).await;
        drop(writer);
        let out = drainer.await.expect("drainer").expect("read sink");
        feeder.await.expect("feeder");
        (end, out, forwarded.load(Ordering::Relaxed))
    }

    #[tokio::test]
    async fn passes_everything_then_eof() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let (end, out, forwarded) = run(&data, Direction::default(), None).await;
        assert!(matches!(end, PipeEnd::Eof), "{end:?}");
        assert_eq!(out, data);
        assert_eq!(forwarded, data.len() as u64);
    }

    #[tokio::test]
    async fn cuts_after_exactly_the_limit() {
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let direction = Direction {
            cut_after: Some(1234),
            ..Direction::default()
        };
        let (end, out, forwarded) = run(&data, direction, Some(100)).await;
        assert!(matches!(end, PipeEnd::Cut), "{end:?}");
        assert_eq!(out, data[..1234]);
        assert_eq!(forwarded, 1234);
    }

    #[tokio::test]
    async fn a_limit_beyond_the_stream_never_cuts() {
        let direction = Direction {
            cut_after: Some(10),
            ..Direction::default()
        };
        let (end, out, _) = run(b"0123456789", direction, None).await;
        assert!(matches!(end, PipeEnd::Eof), "{end:?}");
        assert_eq!(out, b"0123456789");
    }

    #[tokio::test]
    async fn latency_delays_each_chunk_without_serialising_them() {
        let direction = Direction {
            latency: Duration::from_millis(50),
            ..Direction::default()
        };
        let start = Instant::now();
        let data = vec![7u8; 40 * CHUNK];
        let (end, out, _) = run(&data, direction, Some(CHUNK)).await;
        let elapsed = start.elapsed();
        assert!(matches!(end, PipeEnd::Eof), "{end:?}");
        assert_eq!(out.len(), data.len());
        assert!(elapsed >= Duration::from_millis(50), "{elapsed:?}");
        // 40 chunks slept on one after another would take two seconds.
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    }

    #[tokio::test]
    async fn first_byte_delay_is_waited_once() {
        let direction = Direction {
            first_byte_delay: Duration::from_millis(300),
            ..Direction::default()
        };
        let start = Instant::now();
        let (_, out, _) = run(&[1u8; 1000], direction, Some(10)).await;
        let elapsed = start.elapsed();
        assert_eq!(out.len(), 1000);
        assert!(elapsed >= Duration::from_millis(300), "{elapsed:?}");
        // Waited per chunk (100 of them) it would take half a minute.
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
    }
}
