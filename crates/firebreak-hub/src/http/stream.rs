//! `GET /v1/stream`: new events as server-sent events, for connected apps. Each SSE
//! event is `event: event`, `id: <cursor>`, `data: <HubEvent as JSON>`; a reconnecting
//! client sends `Last-Event-ID` and misses nothing. Without it (or `?after=`), the
//! stream starts at the newest cursor: only what arrives from now on.
//!
//! The stream reads the storage like a pull, page by page, and sleeps on the hub's head
//! cursor between pages, so a slow reader only slows itself and nothing is buffered per
//! client beyond one page.

use crate::http::{ApiError, AppState, Authed, params};
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use firebreak_core::sync::HubEvent;
use futures_util::Stream;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::watch;

/// Events read from storage at a time.
const PAGE: usize = 500;

/// A comment line this often keeps proxies from closing a quiet stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Cursor {
    state: AppState,
    after: u64,
    head: watch::Receiver<u64>,
    pending: VecDeque<HubEvent>,
}

pub async fn stream(
    State(state): State<AppState>,
    _authed: Authed,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let query = params::query(query.as_deref(), &["after"])?;
    let last_id = headers
        .get("last-event-id")
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .ok_or_else(|| {
                    ApiError::bad_parameter("Last-Event-ID must be a cursor (an integer)")
                })
        })
        .transpose()?;
    let after = match last_id.or(params::number(&query, "after")?) {
        Some(after) => after,
        None => state.blocking(|storage| storage.head()).await?,
    };
    let start = Cursor {
        head: state.subscribe(),
        state,
        after,
        pending: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(start, next_event);
    Ok(Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// The next event of the stream; `None` ends it (the hub is stopping, or the storage
/// failed: the client reconnects with `Last-Event-ID`).
async fn next_event(mut cursor: Cursor) -> Option<(Result<SseEvent, Infallible>, Cursor)> {
    loop {
        if let Some(event) = cursor.pending.pop_front() {
            cursor.after = event.cursor;
            match SseEvent::default()
                .id(event.cursor.to_string())
                .event("event")
                .json_data(&event)
            {
                Ok(sse) => return Some((Ok(sse), cursor)),
                Err(e) => {
                    tracing::error!(cursor = event.cursor, error = %e, "cannot encode an event for the stream");
                    continue;
                }
            }
        }
        // Marked seen before reading, so that a push committed after the read wakes us.
        cursor.head.borrow_and_update();
        let after = cursor.after;
        match cursor
            .state
            .blocking(move |storage| storage.events_after(after, PAGE))
            .await
        {
            Ok(events) if !events.is_empty() => {
                cursor.pending.extend(events);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e.detail, "event stream ends: storage read failed");
                return None;
            }
        }
        let shutdown = cursor.state.shutdown().clone();
        tokio::select! {
            _ = shutdown.cancelled() => return None,
            changed = cursor.head.changed() => {
                if changed.is_err() {
                    return None;
                }
            }
        }
    }
}
