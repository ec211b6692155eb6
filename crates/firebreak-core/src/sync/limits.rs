//! What the hub accepts in one request. The client plans its batches with the same
//! numbers, so a well-behaved client is never refused for size.

/// One event, serialized as JSON, at most 64 KiB. Probe records are trimmed to 60 KiB
/// so that they fit (see `probe::record`).
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// Entries (events plus private sequence numbers) in one push. 10,000 findings are ten
/// round trips and ten durable commits: well inside the two seconds the sync benchmark
/// allows on loopback, and one batch of typical findings (~0.5 KiB each) is ~0.5 MiB.
pub const MAX_BATCH_ENTRIES: usize = 1_000;

/// One request body, at most 8 MiB. A batch of large events is cut by bytes as well as
/// by count (see `plan::PushLimits`).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Room left in a body for everything but the events (the envelope, the clock sample,
/// the private sequence numbers, commas) when the client plans a batch by bytes.
pub const BODY_ENVELOPE_BYTES: usize = 64 * 1024;

/// Events in one pull page, at most; a larger `limit` is lowered to this.
pub const MAX_PULL_LIMIT: usize = 1_000;
