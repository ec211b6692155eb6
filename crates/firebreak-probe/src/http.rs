//! `http` probes over hyper's HTTP/1.1 client connection, one phase at a time so each
//! can be timed: system lookup → TCP connect → TLS (https) → request → first byte →
//! body. Redirects are followed by hand (up to [`MAX_REDIRECTS`]) so every hop is
//! recorded; each hop opens a fresh connection, as the phases are those of the last hop.

use crate::ctx::{Ctx, ms_between, ms_since};
use crate::net::{FirstRead, TimedIo, connect, io_class, resolve};
use crate::tls::{Trust, handshake};
use firebreak_core::probe::{
    BODY_EXCERPT_LIMIT, FailureClass, HttpDetail, HttpSeen, Outcome, ProbeResult, format_ms,
    judge_http,
};
use firebreak_core::runbook::probe_spec::HttpProbe;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Version};
use hyper_util::rt::TokioIo;
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite};
use url::Url;

/// Redirects followed before giving up, as curl's default `--max-redirs` is larger
/// but browsers stop near 20; ten is plenty for any healthy service.
pub(crate) const MAX_REDIRECTS: usize = 10;

/// Body bytes read (and mostly discarded) past the excerpt, so `total_ms` covers the
/// download like curl's; beyond this the probe stops reading.
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

fn bad(message: impl Into<String>) -> Outcome {
    Outcome::error(FailureClass::BadTarget, message)
}

pub(crate) async fn probe(
    p: &HttpProbe,
    ctx: &Ctx<'_>,
    result: &mut ProbeResult,
) -> Result<String, Outcome> {
    let mut url = Url::parse(p.url.trim()).map_err(|e| bad(format!("bad url {:?}: {e}", p.url)))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad(format!(
            "bad url {:?}: expected an http or https URL with a host",
            p.url
        )));
    }
    let mut method = Method::from_bytes(p.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| bad(format!("bad method {:?}", p.method)))?;
    let mut body = p.body.clone().map(Bytes::from);
    let mut headers = HeaderMap::new();
    for (name, value) in &p.headers {
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| bad(format!("bad header name {name:?}")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| bad(format!("bad value for header {name:?}")))?;
        headers.append(name, value);
    }
    let mut trust: Option<Trust> = None;
    let mut redirects: Vec<String> = Vec::new();
    loop {
        result.timings.dns_ms = None;
        result.timings.connect_ms = None;
        result.timings.tls_ms = None;
        result.timings.first_byte_ms = None;
        result.resolved_addr = None;
        let hop = exchange(
            ctx,
            &url,
            &method,
            body.clone(),
            &headers,
            &mut trust,
            p.ca.as_deref(),
            &redirects,
            result,
        )
        .await?;
        let next = match (&hop.location, p.follow_redirects) {
            (Some(location), true) if is_redirect(hop.status) => Some(location.clone()),
            _ => None,
        };
        let Some(location) = next else {
            let total_ms = result.timings.total_ms.unwrap_or_else(|| ctx.elapsed_ms());
            let seen = HttpSeen {
                status: hop.status,
                location: hop.location.as_deref(),
                body: &hop.body,
                body_truncated: hop.truncated,
                total_ms,
            };
            let has = |name: &str| {
                hop.headers
                    .contains_key(name.trim().to_ascii_lowercase().as_str())
            };
            judge_http(p, &seen, &has)?;
            let hops = match redirects.len() {
                0 => String::new(),
                1 => " after 1 redirect".to_string(),
                n => format!(" after {n} redirects"),
            };
            return Ok(format!(
                "status {} in {}{hops}",
                hop.status,
                format_ms(total_ms)
            ));
        };
        let next = url.join(&location).map_err(|e| {
            Outcome::error(
                FailureClass::Protocol,
                format!(
                    "status {} redirects to {location:?}, which is not a URL: {e}",
                    hop.status
                ),
            )
        })?;
        if !matches!(next.scheme(), "http" | "https") {
            return Err(Outcome::error(
                FailureClass::Protocol,
                format!(
                    "status {} redirects to {next}, which is not http or https",
                    hop.status
                ),
            ));
        }
        if redirects.len() >= MAX_REDIRECTS {
            return Err(Outcome::error(
                FailureClass::TooManyRedirects,
                format!("more than {MAX_REDIRECTS} redirects; the last one pointed to {next}"),
            ));
        }
        // As browsers and curl do: 303, and 301/302 after a POST, become a GET.
        if hop.status == 303 && method != Method::HEAD
            || matches!(hop.status, 301 | 302) && method == Method::POST
        {
            method = Method::GET;
            body = None;
            headers.remove(header::CONTENT_TYPE);
            headers.remove(header::CONTENT_LENGTH);
        }
        // Credentials are for the origin they were written for.
        if next.origin() != url.origin() {
            headers.remove(header::AUTHORIZATION);
            headers.remove(header::COOKIE);
            headers.remove(header::PROXY_AUTHORIZATION);
        }
        redirects.push(next.to_string());
        if let Some(detail) = &mut result.http {
            detail.redirects = redirects.clone();
        }
        url = next;
    }
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// One response, read.
struct Hop {
    status: u16,
    headers: HeaderMap,
    location: Option<String>,
    body: String,
    truncated: bool,
}

#[allow(clippy::too_many_arguments)]
async fn exchange(
    ctx: &Ctx<'_>,
    url: &Url,
    method: &Method,
    body: Option<Bytes>,
    headers: &HeaderMap,
    trust: &mut Option<Trust>,
    ca: Option<&str>,
    redirects: &[String],
    result: &mut ProbeResult,
) -> Result<Hop, Outcome> {
    let https = url.scheme() == "https";
    let host = url
        .host_str()
        .ok_or_else(|| bad(format!("{url} has no host")))?
        .to_string();
    let port = url
        .port_or_known_default()
        .unwrap_or(if https { 443 } else { 80 });
    let trust = match (https, trust.as_ref()) {
        (false, _) => None,
        (true, Some(t)) => Some(t),
        (true, None) => Some(&*trust.insert(Trust::load(ctx, ca).await?)),
    };
    let (addrs, dns_ms) = resolve(ctx, &host, port).await?;
    result.timings.dns_ms = Some(dns_ms);
    let (tcp, addr, connect_ms) = connect(ctx, &addrs).await?;
    result.resolved_addr = Some(addr.to_string());
    result.timings.connect_ms = Some(connect_ms);
    let request = Outgoing {
        url,
        method,
        body,
        headers,
        peer: addr.to_string(),
        redirects,
    };
    match trust {
        None => {
            result.tls = None;
            send(ctx, tcp, request, result).await
        }
        Some(trust) => {
            let begun = Instant::now();
            let shake = handshake(ctx, trust, tcp, &host, true, &[b"http/1.1"]).await;
            result.timings.tls_ms = Some(ms_since(begun));
            result.tls = shake.detail;
            send(ctx, shake.stream?, request, result).await
        }
    }
}

struct Outgoing<'a> {
    url: &'a Url,
    method: &'a Method,
    body: Option<Bytes>,
    headers: &'a HeaderMap,
    peer: String,
    redirects: &'a [String],
}

/// Aborts the spawned connection task when the exchange ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn send<IO>(
    ctx: &Ctx<'_>,
    io: IO,
    out: Outgoing<'_>,
    result: &mut ProbeResult,
) -> Result<Hop, Outcome>
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let peer = out.peer.as_str();
    let (timed, first_read): (TimedIo<IO>, FirstRead) = TimedIo::new(io, ctx.start);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(timed))
        .await
        .map_err(|e| http_error(peer, &e))?;
    let _conn = AbortOnDrop(tokio::spawn(async move {
        let _ = conn.await;
    }));
    let request = build_request(&out, &ctx.opts.user_agent)?;
    let sent_at = Instant::now();
    let response = ctx
        .guard(
            || format!("waiting for the response from {peer}"),
            sender.send_request(request),
        )
        .await?
        .map_err(|e| http_error(peer, &e))?;
    let first = first_read.get().unwrap_or_else(Instant::now);
    result.timings.first_byte_ms = Some(ms_between(sent_at, first));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let location = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let content_length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    result.http = Some(HttpDetail {
        status,
        version: format!("{:?}", response.version()),
        headers: kept_headers(&headers),
        body_excerpt: String::new(),
        body_truncated: false,
        body_bytes: 0,
        content_length,
        redirects: out.redirects.to_vec(),
        final_url: out.url.to_string(),
    });
    let mut body = response.into_body();
    let mut excerpt: Vec<u8> = Vec::new();
    let mut received: u64 = 0;
    let mut truncated = false;
    let read = loop {
        let frame = ctx
            .guard(
                || {
                    format!(
                        "reading the body from {peer} (status {status}, {received} bytes so far)"
                    )
                },
                body.frame(),
            )
            .await;
        match frame {
            Err(outcome) => break Err(outcome),
            Ok(None) => break Ok(()),
            Ok(Some(Err(e))) => break Err(http_error(peer, &e)),
            Ok(Some(Ok(frame))) => {
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                received += data.len() as u64;
                let room = BODY_EXCERPT_LIMIT.saturating_sub(excerpt.len());
                if data.len() > room {
                    truncated = true;
                }
                excerpt.extend_from_slice(&data[..data.len().min(room)]);
                if received >= DRAIN_LIMIT {
                    truncated = true;
                    break Ok(());
                }
            }
        }
    };
    result.timings.total_ms = Some(ctx.elapsed_ms());
    let text = String::from_utf8_lossy(&excerpt).into_owned();
    if let Some(detail) = &mut result.http {
        detail.body_excerpt = text.clone();
        detail.body_truncated = truncated;
        detail.body_bytes = received;
    }
    read?;
    Ok(Hop {
        status,
        headers,
        location,
        body: text,
        truncated,
    })
}

fn build_request(out: &Outgoing<'_>, user_agent: &str) -> Result<Request<Full<Bytes>>, Outcome> {
    let url = out.url;
    let mut target = url.path().to_string();
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut builder = Request::builder()
        .method(out.method.clone())
        .uri(target)
        .version(Version::HTTP_11);
    if !out.headers.contains_key(header::HOST) {
        let host = url.host_str().unwrap_or_default();
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        builder = builder.header(header::HOST, authority);
    }
    if !out.headers.contains_key(header::USER_AGENT) {
        builder = builder.header(header::USER_AGENT, user_agent);
    }
    if !out.headers.contains_key(header::ACCEPT) {
        builder = builder.header(header::ACCEPT, "*/*");
    }
    for (name, value) in out.headers {
        builder = builder.header(name, value);
    }
    builder
        .body(Full::new(out.body.clone().unwrap_or_default()))
        .map_err(|e| bad(format!("cannot build the request for {url}: {e}")))
}

/// The headers a result keeps: lower-case names, repeats joined, `set-cookie` redacted.
fn kept_headers(headers: &HeaderMap) -> std::collections::BTreeMap<String, String> {
    let mut kept = std::collections::BTreeMap::new();
    for name in headers.keys() {
        if kept.len() >= HttpDetail::MAX_HEADERS {
            break;
        }
        let value = if name == header::SET_COOKIE {
            "(redacted)".to_string()
        } else {
            let joined: Vec<String> = headers
                .get_all(name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .collect();
            let mut joined = joined.join(", ");
            if joined.len() > 1024 {
                let mut cut = 1024;
                while !joined.is_char_boundary(cut) {
                    cut -= 1;
                }
                joined.truncate(cut);
                joined.push('…');
            }
            joined
        };
        kept.insert(name.as_str().to_string(), value);
    }
    kept
}

/// Words for a failed HTTP exchange.
fn http_error(peer: &str, e: &hyper::Error) -> Outcome {
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let class = io_class(io);
            let message = match class {
                FailureClass::Reset => {
                    format!("{peer} closed the connection before answering ({io})")
                }
                _ => format!("the HTTP exchange with {peer} failed: {io}"),
            };
            return Outcome::error(class, message);
        }
        source = s.source();
    }
    if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        Outcome::error(
            FailureClass::Reset,
            format!("{peer} closed the connection before a complete response"),
        )
    } else if e.is_parse() || e.is_parse_status() {
        Outcome::error(
            FailureClass::Protocol,
            format!("{peer} did not answer with valid HTTP/1.1: {e}"),
        )
    } else if e.is_timeout() {
        Outcome::error(FailureClass::Timeout, format!("{peer} timed out: {e}"))
    } else {
        Outcome::error(
            FailureClass::Protocol,
            format!("the HTTP exchange with {peer} failed: {e}"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_few_headers_and_hides_cookies() {
        let mut h = HeaderMap::new();
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("session=secret"),
        );
        h.append(header::VIA, HeaderValue::from_static("a"));
        h.append(header::VIA, HeaderValue::from_static("b"));
        for i in 0..40 {
            let name = HeaderName::from_bytes(format!("x-h{i:02}").as_bytes()).expect("name");
            h.append(name, HeaderValue::from_static("v"));
        }
        let kept = kept_headers(&h);
        assert_eq!(kept.len(), HttpDetail::MAX_HEADERS);
        assert_eq!(
            kept.get("set-cookie").map(String::as_str),
            Some("(redacted)")
        );
        assert_eq!(kept.get("via").map(String::as_str), Some("a, b"));
    }

    #[test]
    fn requests_carry_host_agent_and_query() {
        let url = Url::parse("http://[::1]:8080/a/b?x=1").expect("url");
        let headers = HeaderMap::new();
        let out = Outgoing {
            url: &url,
            method: &Method::POST,
            body: Some(Bytes::from_static(b"{}")),
            headers: &headers,
            peer: "[::1]:8080".into(),
            redirects: &[],
        };
        let req = build_request(&out, "firebreak-probe/test").expect("request");
        assert_eq!(req.uri(), "/a/b?x=1");
        assert_eq!(req.headers()[header::HOST], "[::1]:8080");
        assert_eq!(req.headers()[header::USER_AGENT], "firebreak-probe/test");
        assert_eq!(req.method(), Method::POST);
    }
}
