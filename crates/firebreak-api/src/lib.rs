//! The desktop app's API, with no Tauri in it: transport types (exported to
//! TypeScript), errors as `{code, message}`, and one method per command over the store
//! and the core. The Tauri shell (`src-tauri`) is generated from the command list here
//! and only forwards calls, in the way GitButler keeps its shell thin.
//!
//! Layout:
//! - the command list (`with_commands!`), the single source of truth, lives in the
//!   dependency-free `firebreak-commands` crate and is re-exported here.
//! - `api`: `Api`, one method per command.
//! - `types`: transport types, requests and responses.
//! - `convert`: domain values to transport types.
//! - `error`: `ApiError { code, message }` and the mapping from store errors.
//! - `bindings`: the generated TypeScript (`ui/src/lib/bindings.ts`).

mod api;
pub mod bindings;
mod convert;
mod error;
pub mod types;

pub use api::Api;
pub use error::{ApiError, ErrorCode};
pub use firebreak_commands::{COMMAND_NAMES, with_commands};
