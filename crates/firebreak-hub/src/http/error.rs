//! Refusals as HTTP answers: every one is an `ErrorBody` (`{"error": {"code", "message"}}`)
//! with the status its code fixes, so a client never has to parse prose or HTML.

use crate::error::StorageError;
use crate::push_rules::Refusal;
use crate::storage::PushError;
use axum::Json;
use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use firebreak_core::sync::{ErrorBody, ErrorCode, ErrorDetail};
use std::time::Duration;

/// A refused or failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub detail: ErrorDetail,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            detail: ErrorDetail::new(code, message),
        }
    }

    pub fn bad_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadParameter, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }

    pub fn rate_limited(wait: Duration) -> Self {
        let ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut error = Self::new(
            ErrorCode::RateLimited,
            format!(
                "too many requests with this token; try again in {:.1} s",
                wait.as_secs_f64()
            ),
        );
        error.detail.retry_after_ms = Some(ms);
        error
    }

    /// A failure inside the hub. The cause goes to the log, not to the client.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "request failed");
        Self::new(
            ErrorCode::Internal,
            "the hub failed to handle the request; nothing was changed",
        )
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.detail.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self {
            detail: refusal.detail(),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        ApiError::internal(e)
    }
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::Refused(r) => r.into(),
            PushError::Storage(s) => s.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(code = self.detail.code.as_str(), message = %self.detail.message, "failed");
        } else {
            tracing::info!(code = self.detail.code.as_str(), message = %self.detail.message, "refused");
        }
        let retry = self.detail.retry_after_ms;
        let mut response = (status, Json(ErrorBody { error: self.detail })).into_response();
        if let Some(ms) = retry {
            let secs = ms.div_ceil(1000).max(1);
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"firebreak-hub\""),
            );
        }
        response
    }
}

/// The most a non-JSON error body is read for its message.
const PLAIN_ERROR_LIMIT: usize = 4096;

/// Turns any error answer that is not JSON yet (axum's own rejections) into an
/// `ErrorBody`, so that every refusal has the same shape.
pub async fn json_errors(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::BodyTooLarge,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        StatusCode::SERVICE_UNAVAILABLE => ErrorCode::Unavailable,
        s if s.is_client_error() => ErrorCode::MalformedRequest,
        _ => ErrorCode::Internal,
    };
    let body = axum::body::to_bytes(response.into_body(), PLAIN_ERROR_LIMIT)
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&body).trim().to_string();
    let message = if text.is_empty() {
        status
            .canonical_reason()
            .unwrap_or("refused")
            .to_lowercase()
    } else {
        text
    };
    let mut answer = ApiError::new(code, message).into_response();
    *answer.status_mut() = status;
    answer
}
