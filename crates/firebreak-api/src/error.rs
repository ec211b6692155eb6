//! Errors as they cross the IPC boundary: a stable `code` the UI switches on, and a
//! `message` a person reads.

use firebreak_store::StoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What went wrong, in a word the UI can switch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A command that needs an incident found no open one.
    NoOpenIncident,
    UnknownIncident,
    UnknownEvent,
    UnknownRunbook,
    /// A step reference that names no step, or several.
    UnknownStep,
    AmbiguousStep,
    /// Something typed is not one of the accepted forms (a time, a kind, a severity…).
    InvalidInput,
    /// The event breaks a rule of the log (empty text, amending a retracted finding…).
    Rejected,
    /// The store is from a newer Firebreak, or not a Firebreak store at all.
    IncompatibleStore,
    /// A file could not be read or written.
    Io,
    /// A runbook probe reaches a loopback, link-local or cloud-metadata address: ask the
    /// user, then send the request again with `approve`.
    NeedsApproval,
    /// A hub URL that is not `http://HOST:PORT` or `https://HOST:PORT`.
    BadHubUrl,
    /// The hub did not answer (or answered with a failure of its own); nothing was
    /// saved. Connecting with `offline` saves it anyway.
    HubUnreachable,
    /// The hub does not accept the token (wrong or revoked); nothing was saved.
    HubUnauthorized,
    /// The hub answered and refused for another reason (another API version, the
    /// device belongs to another user); nothing was saved.
    HubRefused,
    /// A handoff bundle that cannot be imported: cut short, changed after export, not
    /// a bundle at all, or from a newer Firebreak. The message says which; nothing was
    /// imported.
    BadBundle,
    /// The handoff is addressed to someone else: take it over only with `force`.
    HandoffNotForYou,
    /// Someone else has already taken the handoff over.
    HandoffTaken,
    /// Events that arrived (in a bundle) contradict events this store holds under the
    /// same id or device sequence number: someone's log was rewritten. Nothing was
    /// stored; retrying will not help.
    LogConflict,
    /// The file to write is already there (and replacing it was not asked for).
    FileExists,
    /// Anything else in the store; the message says what.
    Store,
}

/// The error every command returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        use firebreak_core::step_ref::StepRefError;
        let code = match &err {
            StoreError::NoOpenIncident => ErrorCode::NoOpenIncident,
            StoreError::UnknownIncident(_) | StoreError::AmbiguousIncident { .. } => {
                ErrorCode::UnknownIncident
            }
            StoreError::UnknownEvent(_) | StoreError::AmbiguousEvent { .. } => {
                ErrorCode::UnknownEvent
            }
            StoreError::UnknownRunbook(_) | StoreError::UnknownRunbookVersion(_) => {
                ErrorCode::UnknownRunbook
            }
            StoreError::Step(StepRefError::Ambiguous { .. }) => ErrorCode::AmbiguousStep,
            StoreError::Step(StepRefError::BadPath(_)) => ErrorCode::InvalidInput,
            StoreError::Step(_) => ErrorCode::UnknownStep,
            StoreError::Rejected(_) => ErrorCode::Rejected,
            StoreError::NewerSchema { .. } | StoreError::NotAStore { .. } => {
                ErrorCode::IncompatibleStore
            }
            StoreError::CreateDir { .. }
            | StoreError::CreateFile { .. }
            | StoreError::ReadBundle { .. } => ErrorCode::Io,
            StoreError::Bundle { .. } => ErrorCode::BadBundle,
            StoreError::HandoffNotForYou { .. } => ErrorCode::HandoffNotForYou,
            StoreError::HandoffTaken { .. } => ErrorCode::HandoffTaken,
            StoreError::SyncConflict { .. } => ErrorCode::LogConflict,
            _ => ErrorCode::Store,
        };
        ApiError::new(code, err.to_string())
    }
}

impl From<firebreak_core::Error> for ApiError {
    fn from(err: firebreak_core::Error) -> Self {
        ApiError::invalid(err.to_string())
    }
}

impl From<firebreak_core::time_input::TimeInputError> for ApiError {
    fn from(err: firebreak_core::time_input::TimeInputError) -> Self {
        ApiError::invalid(err.to_string())
    }
}
