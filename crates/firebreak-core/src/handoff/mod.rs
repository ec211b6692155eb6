//! Shift handoff, the pure side: the drafted note and the bundle file that carries an
//! incident to the next responder without a hub. The store gathers the inputs and
//! writes the events; nothing here touches a disk.
//!
//! - `draft`: the handoff note (Markdown), from the incident's folded state.
//! - `bundle`: the versioned, checksummed bundle file, encoded and checked.

pub mod bundle;
pub mod draft;

pub use bundle::{
    BUNDLE_VERSION, BundleError, BundlePayload, BundledRunbook, MAX_BUNDLE_BYTES, decode_bundle,
    decode_bundle_bytes, encode_bundle,
};
pub use draft::{DraftInput, MAX_RECENT_FINDINGS, RunningWatch, draft_note, previous_handoff};
