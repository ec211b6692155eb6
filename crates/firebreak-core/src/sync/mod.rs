//! Sync between a device and the team's hub, as data: the wire types both sides speak
//! and the decisions a sync makes, without a socket or a database in sight. The hub
//! (`firebreak-hub`) and the sync client both use this module, so they cannot disagree
//! about a field's name or what a refusal means.
//!
//! Sync is a union of logs. Each device pushes only its own events, in sequence order,
//! contiguous from what the hub already acknowledged; the hub stores each event once
//! (keyed by id and by `(device, seq)`) and answers with its high-water mark for the
//! device. A device pulls everyone's events after the hub's cursor, an insertion
//! counter that only grows. Private events never leave the device: a push names their
//! sequence numbers (so the hub can still tell a gap from a private event) but never
//! carries them.
//!
//! Layout:
//! - `wire`: API version 1 (`/v1/…`), requests, responses, error bodies and codes.
//! - `limits`: the sizes the hub accepts (event, batch, body), shared so that a client
//!   can plan batches that fit.
//! - `plan`: what to push — `plan_push` cuts a device's unacknowledged events into
//!   batches and refuses to plan over a gap or a private event.
//! - `pull`: checks a pulled page before a client stores it.
//! - `clock`: the NTP-style offset and round-trip estimate from four timestamps, the
//!   best estimate among recent samples, and skew (more than a minute off).
//! - `timeline`: the merged timeline of an incident, ordered by clock-corrected time.
//! - `timeline_markdown`: that timeline as Markdown.

pub mod clock;
pub mod limits;
pub mod plan;
pub mod pull;
pub mod timeline;
pub mod timeline_markdown;
pub mod wire;

pub use clock::{
    ClockError, ClockSample, Exchange, RecordedSample, SKEW_THRESHOLD_MS, best_estimate, is_skewed,
};
pub use limits::{MAX_BATCH_ENTRIES, MAX_BODY_BYTES, MAX_EVENT_BYTES, MAX_PULL_LIMIT};
pub use plan::{PlanError, PushBatch, PushLimits, plan_push};
pub use pull::{PullError, PulledPage, accept_pull, cursor_still_holds};
pub use timeline::{MergedEntry, merge_timeline};
pub use timeline_markdown::timeline_markdown;
pub use wire::{
    API_VERSION, API_VERSION_HEADER, CLOCK_HEADER, DEVICE_HEADER, DeviceClock, DeviceStatus,
    ErrorBody, ErrorCode, ErrorDetail, Health, HubEvent, IncidentList, IncidentSummary,
    PullResponse, PushRequest, PushResponse, TimelineResponse,
};
