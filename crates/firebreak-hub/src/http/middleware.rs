//! What every request passes through: its arrival time and a log line, the API version
//! check, and the answers for routes that do not exist.

use crate::http::error::ApiError;
use axum::body::Body;
use axum::http::{Request, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use firebreak_core::sync::{API_VERSION, API_VERSION_HEADER, ErrorCode};
use std::time::Instant;

/// The hub's clock when the request arrived: `server_received_at`, the `t1` of the
/// device's clock estimate. Taken before authentication and storage so that time spent
/// in the hub counts as the hub's, not the network's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedAt(pub DateTime<Utc>);

/// Stamps the arrival time and logs the request once answered.
pub async fn observe(mut request: Request<Body>, next: Next) -> Response {
    request.extensions_mut().insert(ReceivedAt(Utc::now()));
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Refuses a request that names another API version in its header.
pub async fn api_version(request: Request<Body>, next: Next) -> Response {
    if let Some(value) = request.headers().get(API_VERSION_HEADER) {
        let spoken = value.to_str().unwrap_or("").trim();
        if spoken != API_VERSION.to_string() {
            return ApiError::new(
                ErrorCode::UnknownApiVersion,
                format!(
                    "this hub speaks API version {API_VERSION}; the request asks for version {spoken:?} in {API_VERSION_HEADER}"
                ),
            )
            .into_response();
        }
    }
    next.run(request).await
}

/// `/v2/…` (or any other version) is a version this hub does not speak; anything else
/// unknown is not found.
pub async fn fallback(uri: Uri) -> ApiError {
    let first = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    let is_version = first
        .strip_prefix('v')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if is_version && first != format!("v{API_VERSION}") {
        return ApiError::new(
            ErrorCode::UnknownApiVersion,
            format!("this hub speaks API version {API_VERSION} (/v{API_VERSION}/…), not {first}"),
        );
    }
    ApiError::not_found(format!("no route {}", uri.path()))
}

pub async fn method_not_allowed(request: Request<Body>) -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        format!(
            "{} is not allowed on {}",
            request.method(),
            request.uri().path()
        ),
    )
}
