//! Firebreak's hub: the small server a team runs so that every responder's log ends up
//! in one place. Devices push their own events and pull everyone else's; the hub keeps
//! each event once and serves incidents and their merged timeline. The wire types and
//! the pure side of sync (push planning, clock math, the merged timeline) live in
//! `firebreak_core::sync`, shared with the client.
//!
//! Layout:
//! - `storage`: the [`HubStorage`] trait and its embedded SQLite implementation
//!   (WAL, `synchronous=FULL`, migrations compiled in, append-only triggers).
//! - `push_rules`: what a push must satisfy, as pure functions: `validate` (the request
//!   alone) and `decide` (against what the hub holds, inside the push's transaction).
//! - `http`: the axum routes, the layers every request passes, bodies, the `Authed`
//!   extractor, the SSE stream.
//! - `serve`: binding, TLS (`tls`), graceful stop.
//! - `token`: bearer tokens and their hashes; `users`: `user add|list|revoke`.
//! - `rate_limit`: a token bucket per bearer token.
//! - `unknown_fields`: refuses requests whose fields the hub would silently drop.
//!
//! Decisions:
//! - **A device belongs to one user, for good.** Its first non-empty push binds it to
//!   the pushing token's user; a push (or a clock sample) for it with another user's
//!   token is refused 403, so nobody can write as someone else. Events recorded offline
//!   before the device ever connected push like any others: binding looks at the
//!   device, not at the events' times.
//! - **The author is the token's user.** The hub stores each event exactly as pushed
//!   and serves it with `author` replaced by the name of the user the device is bound
//!   to; what the device wrote there is served as `device_author`. A client stores
//!   others' events as served and skips its own (it has them already).
//! - **Same id, same content, or refused.** A re-sent event identical to the stored one
//!   is a no-op; the same id (or the same device and sequence number) with any other
//!   content is refused 409 naming the event, and the whole batch is dropped. Content
//!   is compared as decoded events, not bytes, so that JSON key order or whitespace does
//!   not matter.
//! - **Private events stay home, their numbers do not.** A device's events are
//!   numbered with its private ones, so a push lists the private sequence numbers of its
//!   range (`private_seqs`) without their content; the hub records them so that its
//!   high-water mark can pass them and a real gap is still told apart (409 `seq_gap`
//!   with the expected number). A private event itself is refused 400.
//! - **Nothing the hub does not understand is stored.** A request with a field the
//!   hub's types would drop (a newer client's) is refused 400 `unknown_field`, so that
//!   no device ever receives a poorer copy of an event.
//! - **Limits**: an event is at most 64 KiB as JSON, a batch at most 1,000 entries, a
//!   body at most 8 MiB (all 413); 200 requests of burst per token, refilled at 50 a
//!   second (429 with `Retry-After`), configurable with `serve --rate-burst` and
//!   `--rate-per-second`. A body over the limit is still read (up to four times the
//!   limit) before the 413, so that the client hears the reason instead of a reset.
//! - **Clock offsets** come from the client's [`ClockSample`] of its previous exchange
//!   (in the push body, or the `Firebreak-Clock` header of a pull with
//!   `Firebreak-Device`), computed from the `server_received_at` / `server_sent_at` of
//!   the hub's answers. The hub keeps each device's last 8 samples and trusts the one
//!   with the shortest round trip. Each event is stamped when it is stored with that
//!   estimate as it stands then (the push's own sample counted), served as
//!   `offset_ms` and never changed, so every reader corrects it alike; the timeline
//!   shifts each event's times (recorded and typed) by its stamp and flags stamps more
//!   than a minute off.
//! - **Every answer to a refusal is JSON** (`{"error": {"code", "message"}}`), including
//!   axum's own rejections, unknown routes (404) and other API versions (400
//!   `unknown_api_version` for `/v2/…` or a `Firebreak-Api-Version` header other than
//!   `1`). Nothing refused is written, clock samples included.
//! - **Storage work runs on tokio's blocking pool.** One writer connection (pushes
//!   queue behind it in arrival order, which also keeps cursor order commit order) and
//!   a few reader connections, so pulls never wait on a push's fsync.
//!
//! [`ClockSample`]: firebreak_core::sync::ClockSample

pub mod error;
pub mod http;
pub mod push_rules;
pub mod rate_limit;
pub mod serve;
pub mod storage;
pub mod tls;
pub mod token;
pub mod unknown_fields;
pub mod users;

pub use error::{ServeError, StorageError, UserError};
pub use http::HubConfig;
pub use serve::{ServeOptions, Server, TlsFiles};
pub use storage::{HubStorage, SqliteStorage};
