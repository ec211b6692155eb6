//! `Authorization: Bearer <token>`: the token's hash is looked up on every request (a
//! revocation takes effect at once, even from another process), then the token's rate
//! budget is charged.

use crate::http::{ApiError, AppState};
use crate::storage::User;
use crate::token::hash_token;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use std::time::Instant;

/// The user a request is made for, once authenticated and admitted by the rate limit.
#[derive(Debug, Clone)]
pub struct Authed {
    pub user: User,
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
            ApiError::unauthorized("no token: send `Authorization: Bearer <token>`")
        })?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| {
                let (scheme, token) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not `Bearer <token>`")
            })?;
        let hash = hash_token(token);
        let user = state
            .blocking(move |storage| storage.authenticate(&hash))
            .await?
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "the token is not valid: unknown or revoked (ask the hub's admin for a new one)",
                )
            })?;
        state
            .limiter()
            .check(&hash, Instant::now())
            .map_err(ApiError::rate_limited)?;
        Ok(Authed { user })
    }
}
