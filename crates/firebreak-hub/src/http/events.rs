//! `POST /v1/events` (push) and `GET /v1/events` (pull).

use crate::http::body::{parse_json, read_body};
use crate::http::{ApiError, AppState, Authed, ReceivedAt, params};
use crate::push_rules::validate;
use axum::Extension;
use axum::Json;
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use chrono::Utc;
use firebreak_core::sync::{PullResponse, PushRequest, PushResponse};

/// Stores a batch of one device's events; answers with the device's high-water mark.
/// Everything about the request is checked before the one transaction that writes it,
/// and the rules that need the stored log run inside that transaction.
pub async fn push(
    State(state): State<AppState>,
    Extension(ReceivedAt(received)): Extension<ReceivedAt>,
    Authed { user }: Authed,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<PushResponse>, ApiError> {
    let bytes = read_body(&headers, body, state.config().max_body_bytes).await?;
    let config = state.config().clone();
    let pusher = user.clone();
    // Parsing a large batch takes milliseconds: off the async threads with the write.
    let (device, outcome) = state
        .blocking(move |storage| -> Result<_, ApiError> {
            let request: PushRequest =
                parse_json(&bytes, "a push ({device, events, private_seqs, clock})")?;
            let batch = validate(request, &config)?;
            let outcome = storage.push(&pusher, &batch, received)?;
            Ok((batch.device, outcome))
        })
        .await?;
    state.advance_head(outcome.head);
    tracing::info!(
        user = %user.name,
        %device,
        stored = outcome.stored,
        already_stored = outcome.already_stored,
        acknowledged_seq = outcome.acknowledged_seq,
        "push"
    );
    Ok(Json(PushResponse {
        device,
        acknowledged_seq: outcome.acknowledged_seq,
        stored: outcome.stored,
        already_stored: outcome.already_stored,
        server_received_at: received,
        server_sent_at: Utc::now(),
    }))
}

/// Everyone's events after `after` (default 0), at most `limit` (default and ceiling:
/// the hub's page size), oldest first. With `Firebreak-Device` and `Firebreak-Clock`,
/// the device's clock sample is recorded too.
pub async fn pull(
    State(state): State<AppState>,
    Extension(ReceivedAt(received)): Extension<ReceivedAt>,
    Authed { user }: Authed,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<PullResponse>, ApiError> {
    let query = params::query(query.as_deref(), &["after", "limit"])?;
    let after = params::number(&query, "after")?.unwrap_or(0);
    let max = state.config().max_pull_limit;
    let limit = params::number(&query, "limit")?
        .map_or(max, |n| usize::try_from(n).unwrap_or(max))
        .clamp(1, max);
    let clock = params::device_clock(&headers)?;
    let (events, more) = state
        .blocking(move |storage| -> Result<_, ApiError> {
            if let Some((device, sample)) = clock {
                storage.record_clock(&user, device, sample, received)?;
            }
            let mut events = storage.events_after(after, limit + 1)?;
            let more = events.len() > limit;
            events.truncate(limit);
            Ok((events, more))
        })
        .await?;
    let cursor = events.last().map_or(after, |e| e.cursor);
    Ok(Json(PullResponse {
        events,
        cursor,
        more,
        server_received_at: received,
        server_sent_at: Utc::now(),
    }))
}
