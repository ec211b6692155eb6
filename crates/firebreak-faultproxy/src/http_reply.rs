//! The HTTP the proxy has to understand: its injected error replies, where a
//! message head ends, and where the upstream's first response ends.
//!
//! The proxy is otherwise byte-blind; only the server-error fates need this
//! much HTTP/1.1, and only the parts the hub actually sends.

/// A head longer than this is not a response the hub would send; the
/// detector stops parsing and falls back to waiting for quiet.
pub(crate) const MAX_HEAD: usize = 64 * 1024;

/// The full bytes of an injected JSON error reply with `connection: close`.
///
/// 503 uses the code `unavailable`, anything else `internal`, as the hub does.
pub(crate) fn error_reply(status: u16) -> Vec<u8> {
    let (reason, code) = match status {
        503 => ("Service Unavailable", "unavailable"),
        502 => ("Bad Gateway", "internal"),
        500 => ("Internal Server Error", "internal"),
        _ => ("Error", "internal"),
    };
    let body =
        format!(r#"{{"error":{{"code":"{code}","message":"fault proxy: injected {status}"}}}}"#);
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The index just past the blank line that ends a message head, if it is in `buf`.
pub(crate) fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|start| start + 4)
}

/// How much of the upstream's first response has been seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Keep reading.
    NeedMore,
    /// The first response is complete (head plus content-length bytes).
    Complete,
    /// The response has no length the proxy can count (chunked, no
    /// content-length, an upgrade or an oversized head): wait for quiet or EOF.
    Unframed,
}

/// How a response head says its body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    /// An interim `1xx` response: the real one follows.
    Interim,
    Length(u64),
    Unframed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Head,
    Body { remaining: u64 },
    Unframed,
    Complete,
}

/// Finds the end of the first response in the bytes the upstream sends,
/// fed in whatever chunks they arrive.
#[derive(Debug)]
pub(crate) struct ResponseEnd {
    head: Vec<u8>,
    state: State,
}

impl ResponseEnd {
    pub(crate) fn new() -> ResponseEnd {
        ResponseEnd {
            head: Vec::new(),
            state: State::Head,
        }
    }

    pub(crate) fn progress(&self) -> Progress {
        match self.state {
            State::Head | State::Body { .. } => Progress::NeedMore,
            State::Unframed => Progress::Unframed,
            State::Complete => Progress::Complete,
        }
    }

    /// Takes the next bytes of the response stream.
    pub(crate) fn feed(&mut self, data: &[u8]) -> Progress {
        match &mut self.state {
            State::Head => self.head.extend_from_slice(data),
            State::Body { remaining } => {
                *remaining = remaining.saturating_sub(data.len() as u64);
                if *remaining == 0 {
                    self.state = State::Complete;
                }
                return self.progress();
            }
            State::Unframed | State::Complete => return self.progress(),
        }
        // Several heads may be buffered: interim 1xx responses precede the real one.
        loop {
            let Some(end) = head_end(&self.head) else {
                if self.head.len() > MAX_HEAD {
                    self.state = State::Unframed;
                }
                return self.progress();
            };
            let framing = framing(&self.head[..end]);
            let body_so_far = (self.head.len() - end) as u64;
            match framing {
                Framing::Interim => {
                    self.head.drain(..end);
                }
                Framing::Length(len) => {
                    let remaining = len.saturating_sub(body_so_far);
                    self.state = if remaining == 0 {
                        State::Complete
                    } else {
                        State::Body { remaining }
                    };
                    self.head = Vec::new();
                    return self.progress();
                }
                Framing::Unframed => {
                    self.state = State::Unframed;
                    self.head = Vec::new();
                    return self.progress();
                }
            }
        }
    }
}

/// Reads the status line and the framing headers of one response head.
fn framing(head: &[u8]) -> Framing {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok());
    let Some(status) = status else {
        return Framing::Unframed;
    };
    match status {
        // 101 switches protocols: nothing after it is HTTP any more.
        101 => return Framing::Unframed,
        100..=199 => return Framing::Interim,
        204 | 304 => return Framing::Length(0),
        _ => {}
    }
    let mut length = None;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        // Transfer-encoding overrides content-length (RFC 9112 §6.3).
        if name.eq_ignore_ascii_case("transfer-encoding") {
            return Framing::Unframed;
        }
        if name.eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<u64>() {
                Ok(len) => length = Some(len),
                Err(_) => return Framing::Unframed,
            }
        }
    }
    length.map_or(Framing::Unframed, Framing::Length)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(head: &str, body: &[u8]) -> Vec<u8> {
        let mut bytes = head.as_bytes().to_vec();
        bytes.extend_from_slice(body);
        bytes
    }

    #[test]
    fn error_reply_503_is_the_documented_json() {
        let reply = String::from_utf8(error_reply(503)).expect("utf-8");
        let (head, body) = reply.split_once("\r\n\r\n").expect("head and body");
        assert_eq!(
            body,
            r#"{"error":{"code":"unavailable","message":"fault proxy: injected 503"}}"#
        );
        let mut lines = head.split("\r\n");
        assert_eq!(lines.next(), Some("HTTP/1.1 503 Service Unavailable"));
        let headers: Vec<&str> = lines.collect();
        assert!(headers.contains(&"content-type: application/json"));
        assert!(headers.contains(&"connection: close"));
        assert!(headers.contains(&format!("content-length: {}", body.len()).as_str()));
    }

    #[test]
    fn error_reply_5xx_uses_code_internal() {
        for (status, line) in [
            (500, "HTTP/1.1 500 Internal Server Error\r\n"),
            (502, "HTTP/1.1 502 Bad Gateway\r\n"),
        ] {
            let reply = String::from_utf8(error_reply(status)).expect("utf-8");
            assert!(reply.starts_with(line), "{reply}");
            assert!(reply.ends_with(&format!(
                r#"{{"error":{{"code":"internal","message":"fault proxy: injected {status}"}}}}"#
            )));
        }
    }

    #[test]
    fn head_end_finds_the_blank_line() {
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nbody"), Some(27));
        assert_eq!(head_end(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        assert_eq!(head_end(b""), None);
    }

    #[test]
    fn content_length_response_completes_exactly_at_its_end() {
        let bytes = response(
            "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
            b"0123456789",
        );
        let mut detector = ResponseEnd::new();
        // Byte by byte, so head and body boundaries fall inside feeds.
        for (i, byte) in bytes.iter().enumerate() {
            let progress = detector.feed(std::slice::from_ref(byte));
            let expected = if i + 1 == bytes.len() {
                Progress::Complete
            } else {
                Progress::NeedMore
            };
            assert_eq!(progress, expected, "after {} bytes", i + 1);
        }
    }

    #[test]
    fn one_feed_with_head_and_whole_body_completes() {
        let mut detector = ResponseEnd::new();
        let bytes = response(
            "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n",
            b"{}",
        );
        assert_eq!(detector.feed(&bytes), Progress::Complete);
    }

    #[test]
    fn zero_length_and_bodiless_statuses_complete_with_the_head() {
        for head in [
            "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            "HTTP/1.1 204 No Content\r\n\r\n",
            "HTTP/1.1 304 Not Modified\r\ncontent-length: 50\r\n\r\n",
        ] {
            assert_eq!(
                ResponseEnd::new().feed(head.as_bytes()),
                Progress::Complete,
                "{head}"
            );
        }
    }

    #[test]
    fn interim_responses_are_skipped() {
        let mut detector = ResponseEnd::new();
        assert_eq!(
            detector.feed(
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nab"
            ),
            Progress::NeedMore
        );
        assert_eq!(detector.feed(b"c"), Progress::Complete);
    }

    #[test]
    fn chunked_or_unknown_length_is_unframed() {
        for head in [
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: many\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n\r\n",
            "garbage\r\n\r\n",
        ] {
            assert_eq!(
                ResponseEnd::new().feed(head.as_bytes()),
                Progress::Unframed,
                "{head}"
            );
        }
    }

    #[test]
    fn oversized_head_gives_up_parsing() {
        let mut detector = ResponseEnd::new();
        assert_eq!(detector.feed(b"HTTP/1.1 200 OK\r\n"), Progress::NeedMore);
        let filler = vec![b'x'; MAX_HEAD];
        assert_eq!(detector.feed(&filler), Progress::Unframed);
    }

    #[test]
    fn bytes_after_completion_are_ignored() {
        let mut detector = ResponseEnd::new();
        assert_eq!(
            detector.feed(b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxHTTP/1.1 200"),
            Progress::Complete
        );
        assert_eq!(detector.feed(b" OK\r\n"), Progress::Complete);
    }
}
