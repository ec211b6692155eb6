//! Why a sync round failed. Each error says what and where, and sorts into a kind that
//! decides what happens next: retry with backoff (the network or the hub is down), or
//! stop and tell the user (a bad token, a refusal that will repeat forever).

use firebreak_core::sync::{ErrorCode, ErrorDetail, PlanError, PullError};
use firebreak_store::StoreError;
use serde::Serialize;
use std::time::Duration;

/// What kind of failure, as people act on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// No hub configured.
    NotConnected,
    /// No answer, a cut connection, or an unreadable answer: try again later.
    Unreachable,
    /// The hub answered, with a failure of its own (5xx) or "slow down" (429).
    HubFailing,
    /// The token is wrong or revoked.
    Unauthorized,
    /// The hub refused what was sent, and will again: someone must look.
    Refused,
    /// The local store failed.
    Store,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::NotConnected => "not_connected",
            FailureKind::Unreachable => "unreachable",
            FailureKind::HubFailing => "hub_failing",
            FailureKind::Unauthorized => "unauthorized",
            FailureKind::Refused => "refused",
            FailureKind::Store => "store",
        }
    }

    /// Whether the same round can succeed later without anyone doing anything.
    pub fn is_transient(self) -> bool {
        matches!(self, FailureKind::Unreachable | FailureKind::HubFailing)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this store is not connected to a hub; run `firebreak hub connect URL --token TOKEN`")]
    NotConnected,
    #[error("{0:?} is not a hub URL: {1}")]
    BadUrl(String, String),
    #[error("cannot reach the hub at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the hub at {url} answered {what} with something unreadable: {reason}")]
    BadAnswer {
        url: String,
        what: &'static str,
        reason: String,
    },
    #[error(
        "the hub at {url} does not accept this store's token ({message}); ask the hub's admin for a new one (`firebreak-hub user add NAME`) and connect again (the Hub screen, or `firebreak hub connect {url} --token TOKEN`)"
    )]
    Unauthorized { url: String, message: String },
    #[error("the hub at {url} is failing (HTTP {status}): {message}")]
    HubFailing {
        url: String,
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the hub at {url} refused {what}: {detail}")]
    Refused {
        url: String,
        what: &'static str,
        detail: ErrorDetail,
    },
    #[error("the hub at {url} speaks API version {found}; this build speaks {known}")]
    ApiVersion { url: String, found: u32, known: u32 },
    #[error("cannot push this device's events: {0}")]
    Plan(#[from] PlanError),
    #[error("the hub's answer to a pull was refused: {0}")]
    Pull(#[from] PullError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    pub fn kind(&self) -> FailureKind {
        match self {
            SyncError::NotConnected | SyncError::BadUrl(..) => FailureKind::NotConnected,
            SyncError::Unreachable { .. } | SyncError::BadAnswer { .. } => FailureKind::Unreachable,
            SyncError::HubFailing { .. } => FailureKind::HubFailing,
            SyncError::Unauthorized { .. } => FailureKind::Unauthorized,
            SyncError::Refused { detail, .. } if detail.code.is_transient() => {
                FailureKind::HubFailing
            }
            SyncError::Refused { .. }
            | SyncError::ApiVersion { .. }
            | SyncError::Plan(_)
            | SyncError::Pull(_) => FailureKind::Refused,
            SyncError::Store(StoreError::SyncConflict { .. }) => FailureKind::Refused,
            SyncError::Store(StoreError::NotConnected) => FailureKind::NotConnected,
            SyncError::Store(_) => FailureKind::Store,
        }
    }

    /// The hub's code, when the hub refused.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            SyncError::Refused { detail, .. } => Some(detail.code),
            _ => None,
        }
    }

    /// How long the hub asked to wait, when it did (429, 503).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SyncError::HubFailing { retry_after, .. } => *retry_after,
            SyncError::Refused { detail, .. } => detail.retry_after_ms.map(Duration::from_millis),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(code: ErrorCode) -> SyncError {
        SyncError::Refused {
            url: "http://127.0.0.1:1".into(),
            what: "a push",
            detail: ErrorDetail::new(code, "no"),
        }
    }

    #[test]
    fn refusals_that_can_pass_later_are_transient_and_the_rest_are_not() {
        assert_eq!(
            refused(ErrorCode::RateLimited).kind(),
            FailureKind::HubFailing
        );
        assert!(refused(ErrorCode::Unavailable).kind().is_transient());
        assert_eq!(
            refused(ErrorCode::EventConflict).kind(),
            FailureKind::Refused
        );
        assert!(
            !refused(ErrorCode::DeviceOfAnotherUser)
                .kind()
                .is_transient()
        );
        let cut = SyncError::Unreachable {
            url: "http://127.0.0.1:1".into(),
            reason: "connection reset".into(),
        };
        assert!(cut.kind().is_transient());
        assert!(!SyncError::NotConnected.kind().is_transient());
    }

    #[test]
    fn a_rate_limit_says_how_long_to_wait() {
        let mut detail = ErrorDetail::new(ErrorCode::RateLimited, "slow down");
        detail.retry_after_ms = Some(1500);
        let error = SyncError::Refused {
            url: "http://127.0.0.1:1".into(),
            what: "a pull",
            detail,
        };
        assert_eq!(error.retry_after(), Some(Duration::from_millis(1500)));
    }
}
