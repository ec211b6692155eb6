//! The HTTP API (axum): routes, shared state, and the layers every request passes
//! through. The routes and their bodies are documented on `firebreak_core::sync::wire`.
//!
//! Layers, outermost first: `observe` (stamps the arrival time — the `t1` of the clock
//! estimate — and logs each request), `json_errors` (every refusal is JSON),
//! `api_version` (a version header other than 1 is refused). Authentication and the
//! rate limit are the `Authed` extractor, so `/v1/health` alone goes without a token.

mod auth;
mod body;
mod devices;
mod error;
mod events;
mod health;
mod incidents;
mod middleware;
mod params;
mod postmortem;
mod stream;

pub use auth::Authed;
pub use error::ApiError;
pub use middleware::ReceivedAt;

use crate::rate_limit::{RateConfig, RateLimiter};
use crate::storage::HubStorage;
use axum::Router;
use axum::routing::get;
use firebreak_core::sync::limits::{
    MAX_BATCH_ENTRIES, MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_PULL_LIMIT,
};
use std::sync::Arc;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The limits and rates the hub enforces.
#[derive(Debug, Clone, PartialEq)]
pub struct HubConfig {
    pub max_body_bytes: usize,
    pub max_event_bytes: usize,
    pub max_batch_entries: usize,
    pub max_pull_limit: usize,
    pub rate: RateConfig,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: MAX_BODY_BYTES,
            max_event_bytes: MAX_EVENT_BYTES,
            max_batch_entries: MAX_BATCH_ENTRIES,
            max_pull_limit: MAX_PULL_LIMIT,
            rate: RateConfig::default(),
        }
    }
}

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    storage: Arc<dyn HubStorage>,
    config: HubConfig,
    limiter: RateLimiter,
    /// The newest cursor; the event stream wakes when it moves.
    head: watch::Sender<u64>,
    /// Cancelled when the hub stops, so that open streams end.
    shutdown: CancellationToken,
}

impl AppState {
    /// `head` is the storage's newest cursor at start.
    pub fn new(
        storage: Arc<dyn HubStorage>,
        config: HubConfig,
        head: u64,
        shutdown: CancellationToken,
    ) -> Self {
        let limiter = RateLimiter::new(config.rate);
        Self {
            inner: Arc::new(Shared {
                storage,
                config,
                limiter,
                head: watch::Sender::new(head),
                shutdown,
            }),
        }
    }

    pub fn config(&self) -> &HubConfig {
        &self.inner.config
    }

    pub fn shutdown(&self) -> &CancellationToken {
        &self.inner.shutdown
    }

    /// Runs a storage call on tokio's blocking pool: SQLite waits for locks and fsyncs,
    /// which must not stall the threads that serve every other connection.
    pub async fn blocking<T, E>(
        &self,
        f: impl FnOnce(&dyn HubStorage) -> Result<T, E> + Send + 'static,
    ) -> Result<T, ApiError>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
    {
        let storage = Arc::clone(&self.inner.storage);
        match tokio::task::spawn_blocking(move || f(storage.as_ref())).await {
            Ok(result) => result.map_err(Into::into),
            Err(join) => Err(ApiError::internal(format!("storage task failed: {join}"))),
        }
    }

    /// Tells the streams that events up to `cursor` exist.
    pub fn advance_head(&self, cursor: u64) {
        self.inner.head.send_if_modified(|head| {
            if cursor > *head {
                *head = cursor;
                true
            } else {
                false
            }
        });
    }

    fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.head.subscribe()
    }

    fn limiter(&self) -> &RateLimiter {
        &self.inner.limiter
    }
}

/// The hub's routes with their layers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/v1/health", get(health::health))
        .route("/v1/events", get(events::pull).post(events::push))
        .route("/v1/devices/{device}", get(devices::device))
        .route("/v1/incidents", get(incidents::list))
        .route(
            "/v1/incidents/{incident}/timeline",
            get(incidents::timeline),
        )
        .route(
            "/v1/incidents/{incident}/timeline.md",
            get(incidents::timeline_markdown),
        )
        .route(
            "/v1/incidents/{incident}/postmortem",
            get(postmortem::postmortem),
        )
        .route(
            "/v1/incidents/{incident}/postmortem.md",
            get(postmortem::postmortem_markdown_route),
        )
        .route("/v1/stream", get(stream::stream))
        .fallback(middleware::fallback)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(axum::middleware::from_fn(middleware::api_version))
        .layer(axum::middleware::from_fn(error::json_errors))
        .layer(axum::middleware::from_fn(middleware::observe))
        .with_state(state)
}
