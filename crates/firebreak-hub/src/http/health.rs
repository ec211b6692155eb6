//! `GET /v1/health`: no token needed; answers 503 when the storage cannot be read, so
//! that a load balancer takes the hub out of rotation.

use crate::http::{ApiError, AppState};
use axum::Json;
use axum::extract::State;
use firebreak_core::sync::{API_VERSION, ErrorCode, Health};

pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let head = state
        .blocking(|storage| storage.head())
        .await
        .map_err(|_| ApiError::new(ErrorCode::Unavailable, "the hub's storage cannot be read"))?;
    Ok(Json(Health {
        status: "ok".into(),
        api_version: API_VERSION,
        version: env!("CARGO_PKG_VERSION").into(),
        cursor: head,
    }))
}
