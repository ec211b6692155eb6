//! The hub's HTTP API, version 1, as types. Every route lives under `/v1/`; a request
//! for another version (`/v2/…`, or a `Firebreak-Api-Version` header other than `1`)
//! is refused with `unknown_api_version`, so an old hub never half-understands a new
//! client. Bodies are JSON; times are RFC 3339 in UTC.
//!
//! | route | body in | body out |
//! | --- | --- | --- |
//! | `GET /v1/health` (no token) | | [`Health`] |
//! | `POST /v1/events` | [`PushRequest`] | [`PushResponse`] |
//! | `GET /v1/events?after=C&limit=N` | | [`PullResponse`] |
//! | `GET /v1/devices/{id}` | | [`DeviceStatus`] |
//! | `GET /v1/incidents` | | [`IncidentList`] |
//! | `GET /v1/incidents/{id}/timeline` | | [`TimelineResponse`] |
//! | `GET /v1/incidents/{id}/timeline.md` | | Markdown |
//! | `GET /v1/incidents/{id}/postmortem?format=json\|markdown\|html\|email` | | [`PostmortemDraft`](crate::postmortem::PostmortemDraft) or the rendering |
//! | `GET /v1/incidents/{id}/postmortem.md` | | Markdown |
//! | `GET /v1/stream?after=C` | | SSE: `id` = cursor, `data` = [`HubEvent`] |
//!
//! Every refusal is an [`ErrorBody`] whose [`ErrorCode`] fixes the HTTP status.

use crate::event::{Event, Severity, Status};
use crate::ids::{DeviceId, EventId, IncidentId};
use crate::sync::clock::ClockSample;
use crate::sync::timeline::MergedEntry;
use crate::views::IncidentState;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The API version this build speaks; routes are under `/v{API_VERSION}/`.
pub const API_VERSION: u32 = 1;

/// Optional request header naming the API version the client speaks. Anything but
/// `1` is refused with `unknown_api_version`.
pub const API_VERSION_HEADER: &str = "firebreak-api-version";

/// Request header naming the device a pull is made from, so that the hub can record
/// the device's clock sample (see [`CLOCK_HEADER`]).
pub const DEVICE_HEADER: &str = "firebreak-device";

/// Request header carrying a [`ClockSample`] on requests without a JSON body (pulls):
/// `offset_ms=-1250; rtt_ms=14`. Needs [`DEVICE_HEADER`].
pub const CLOCK_HEADER: &str = "firebreak-clock";

/// `POST /v1/events`: one batch of the device's own events.
///
/// The batch covers the contiguous range of sequence numbers `first..=last` of the
/// device: each number is either an event in `events` or listed in `private_seqs`
/// (an event kept on the device, announced so that the hub can tell it from a gap).
/// The range starts at or below the hub's high-water mark + 1; what the hub already
/// has must be sent unchanged (a re-sent event is a no-op).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushRequest {
    pub device: DeviceId,
    /// In sequence order; never a private event.
    pub events: Vec<Event>,
    /// Sequence numbers of private events in the batch's range; they never leave the
    /// device, only their numbers do.
    #[serde(default)]
    pub private_seqs: Vec<u64>,
    /// The client's estimate of its clock from its previous exchange with the hub.
    #[serde(default)]
    pub clock: Option<ClockSample>,
}

/// The answer to a push that was stored (or was entirely a re-send).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub device: DeviceId,
    /// The device's high-water mark on the hub: every sequence number up to and
    /// including it is stored (or announced private). The next push starts above it.
    pub acknowledged_seq: u64,
    /// Events of this request stored now.
    pub stored: usize,
    /// Events of this request the hub already had, unchanged (a re-send).
    pub already_stored: usize,
    /// Hub clock when the request arrived (`t1`) and when the answer left (`t2`).
    pub server_received_at: DateTime<Utc>,
    pub server_sent_at: DateTime<Utc>,
}

/// One event as the hub serves it.
///
/// `event` is the event as its device pushed it, except `author`: the hub serves the
/// name of the user the device is bound to, because the author of an event is the
/// token's user. What the device itself wrote there is kept in `device_author`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubEvent {
    /// The hub's insertion counter: pull after it to get what came later.
    pub cursor: u64,
    /// Hub clock when the event was stored.
    pub received_at: DateTime<Utc>,
    /// The device's clock offset (hub clock − device clock, in milliseconds) the hub had
    /// measured when it stored the event; the same for every reader. Fixed at insertion
    /// (a later measurement does not change it); absent when the hub knew none then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset_ms: Option<i64>,
    /// The author the device recorded.
    pub device_author: String,
    pub event: Event,
}

/// `GET /v1/events?after=C&limit=N`: everyone's events after cursor `C`, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub events: Vec<HubEvent>,
    /// Pull after this next time: the last event's cursor, or `after` when empty.
    pub cursor: u64,
    /// Whether more events wait after `cursor` (the page was full).
    pub more: bool,
    pub server_received_at: DateTime<Utc>,
    pub server_sent_at: DateTime<Utc>,
}

/// `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub api_version: u32,
    /// The hub's build version.
    pub version: String,
    /// The newest cursor.
    pub cursor: u64,
}

/// `GET /v1/devices/{id}`: what the hub knows about a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceStatus {
    pub device: DeviceId,
    /// The user the device is bound to; `None` until its first push.
    pub user: Option<String>,
    /// The device's high-water mark (0 when nothing was pushed).
    pub acknowledged_seq: u64,
    pub clock: Option<DeviceClock>,
}

/// A device's clock as the hub estimates it: the sample with the shortest round trip
/// among the device's recent ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceClock {
    pub device: DeviceId,
    pub user: String,
    /// Hub clock minus device clock: add it to a device time to get hub time.
    pub offset_ms: i64,
    pub rtt_ms: u64,
    /// When the hub received that sample.
    pub measured_at: DateTime<Utc>,
    /// More than a minute off (see `clock::SKEW_THRESHOLD_MS`).
    pub skewed: bool,
}

/// An incident as the hub lists it, folded from every responder's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentSummary {
    pub id: IncidentId,
    pub title: String,
    pub status: Status,
    pub severity: Option<Severity>,
    pub started_at: DateTime<Utc>,
    pub started_by: String,
    pub last_activity: DateTime<Utc>,
    pub event_count: usize,
    /// Everyone who wrote in it, sorted.
    pub responders: Vec<String>,
}

impl IncidentSummary {
    pub fn from_state(state: &IncidentState, responders: Vec<String>) -> Self {
        Self {
            id: state.id,
            title: state.title.clone(),
            status: state.status,
            severity: state.severity,
            started_at: state.started_at,
            started_by: state.started_by.clone(),
            last_activity: state.last_activity,
            event_count: state.event_count,
            responders,
        }
    }
}

/// `GET /v1/incidents`: newest started first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentList {
    pub incidents: Vec<IncidentSummary>,
}

/// `GET /v1/incidents/{id}/timeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineResponse {
    pub incident: IncidentSummary,
    /// The clocks of the devices that wrote in the incident, where known.
    pub devices: Vec<DeviceClock>,
    /// Ordered by clock-corrected time.
    pub entries: Vec<MergedEntry>,
}

/// Every refusal's body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong and where. `message` is a sentence for people; `code` is for
/// programs; the optional fields say which event or sequence number is meant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
    /// The event the refusal is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<EventId>,
    /// For `seq_gap`: the sequence number the hub expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// For `rate_limited`: when to try again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

impl ErrorDetail {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            event: None,
            expected_seq: None,
            retry_after_ms: None,
        }
    }
}

impl fmt::Display for ErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

/// Why the hub refused a request. Each code has one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON, or not the JSON this route takes.
    MalformedRequest,
    /// 400: the body has a field this hub does not know; storing the rest would lose
    /// it, so nothing is stored (a newer client talking to an older hub).
    UnknownField,
    /// 400: a query parameter or header that cannot be read.
    BadParameter,
    /// 400: a route or header of another API version.
    UnknownApiVersion,
    /// 400: an event of another device in a device's push.
    WrongDevice,
    /// 400: a private event; they never leave the device.
    PrivateEvent,
    /// 400: the batch is not one contiguous, ordered run of sequence numbers.
    BatchNotContiguous,
    /// 401: no token, an unknown one, or a revoked one.
    Unauthorized,
    /// 403: the device is bound to another user.
    DeviceOfAnotherUser,
    /// 404: no such route, incident or device.
    NotFound,
    /// 405: the route exists, not with this method.
    MethodNotAllowed,
    /// 409: the batch starts above the hub's high-water mark + 1.
    SeqGap,
    /// 409: the hub has this id, or this `(device, seq)`, with other content.
    EventConflict,
    /// 413: one event over `MAX_EVENT_BYTES`.
    EventTooLarge,
    /// 413: more entries than `MAX_BATCH_ENTRIES`.
    BatchTooLarge,
    /// 413: a body over `MAX_BODY_BYTES`.
    BodyTooLarge,
    /// 429: the token's request budget is spent for now.
    RateLimited,
    /// 500: the hub failed; nothing was changed.
    Internal,
    /// 503: the hub is shutting down or its storage is unavailable.
    Unavailable,
    /// A code this build does not know (from a newer hub).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::BadParameter => "bad_parameter",
            ErrorCode::UnknownApiVersion => "unknown_api_version",
            ErrorCode::WrongDevice => "wrong_device",
            ErrorCode::PrivateEvent => "private_event",
            ErrorCode::BatchNotContiguous => "batch_not_contiguous",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::DeviceOfAnotherUser => "device_of_another_user",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::SeqGap => "seq_gap",
            ErrorCode::EventConflict => "event_conflict",
            ErrorCode::EventTooLarge => "event_too_large",
            ErrorCode::BatchTooLarge => "batch_too_large",
            ErrorCode::BodyTooLarge => "body_too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Unknown => "unknown",
        }
    }

    /// The HTTP status the hub answers with.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::MalformedRequest
            | ErrorCode::UnknownField
            | ErrorCode::BadParameter
            | ErrorCode::UnknownApiVersion
            | ErrorCode::WrongDevice
            | ErrorCode::PrivateEvent
            | ErrorCode::BatchNotContiguous => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::DeviceOfAnotherUser => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::SeqGap | ErrorCode::EventConflict => 409,
            ErrorCode::EventTooLarge | ErrorCode::BatchTooLarge | ErrorCode::BodyTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal | ErrorCode::Unknown => 500,
            ErrorCode::Unavailable => 503,
        }
    }

    /// Whether sending the same request again later can succeed (the client backs off
    /// and retries) or never will (the client reports it and stops).
    pub fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::Internal | ErrorCode::Unavailable
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_have_the_documented_shape() {
        let mut detail = ErrorDetail::new(ErrorCode::SeqGap, "expected 5");
        detail.expected_seq = Some(5);
        let json = serde_json::to_value(ErrorBody { error: detail }).expect("serialize");
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "seq_gap", "message": "expected 5", "expected_seq": 5}})
        );
    }

    #[test]
    fn every_code_reads_back_and_unknown_codes_are_tolerated() {
        let codes = [
            ErrorCode::MalformedRequest,
            ErrorCode::UnknownField,
            ErrorCode::BadParameter,
            ErrorCode::UnknownApiVersion,
            ErrorCode::WrongDevice,
            ErrorCode::PrivateEvent,
            ErrorCode::BatchNotContiguous,
            ErrorCode::Unauthorized,
            ErrorCode::DeviceOfAnotherUser,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::SeqGap,
            ErrorCode::EventConflict,
            ErrorCode::EventTooLarge,
            ErrorCode::BatchTooLarge,
            ErrorCode::BodyTooLarge,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
        ];
        for code in codes {
            let json = serde_json::to_value(code).expect("serialize");
            assert_eq!(json, code.as_str());
            assert_eq!(
                serde_json::from_value::<ErrorCode>(json).expect("read"),
                code
            );
            assert!((400..600).contains(&code.status()));
        }
        let later: ErrorCode =
            serde_json::from_value(serde_json::json!("quota_exceeded")).expect("tolerated");
        assert_eq!(later, ErrorCode::Unknown);
    }

    fn served(offset_ms: Option<i64>) -> HubEvent {
        let mut log = crate::test_support::LogBuilder::new("alice");
        let event = log.push(crate::event::EventBody::Finding {
            finding: crate::event::FindingKind::Note,
            text: "LB 0/4 healthy".into(),
        });
        HubEvent {
            cursor: 7,
            received_at: event.recorded_at,
            offset_ms,
            device_author: "alice-laptop".into(),
            event,
        }
    }

    #[test]
    fn a_hub_event_round_trips_with_and_without_its_offset() {
        let stamped = served(Some(-125_000));
        let json = serde_json::to_value(&stamped).expect("serialize");
        assert_eq!(json["offset_ms"], -125_000);
        let back: HubEvent = serde_json::from_value(json).expect("read");
        assert_eq!(back, stamped);

        let unstamped = served(None);
        let json = serde_json::to_value(&unstamped).expect("serialize");
        assert!(
            json.as_object()
                .expect("an object")
                .get("offset_ms")
                .is_none(),
            "no offset, no field: {json}"
        );
        let back: HubEvent = serde_json::from_value(json).expect("read");
        assert_eq!(back, unstamped);
    }

    #[test]
    fn a_hub_event_from_an_older_hub_reads_without_an_offset() {
        // What a hub before `offset_ms` served: the same JSON minus that field.
        let mut json = serde_json::to_value(served(Some(40))).expect("serialize");
        json.as_object_mut()
            .expect("an object")
            .remove("offset_ms")
            .expect("it was there");
        let old: HubEvent = serde_json::from_value(json).expect("read");
        assert_eq!(old.offset_ms, None);
        assert_eq!(old.cursor, 7);
        let explicit_null = serde_json::json!({
            "cursor": 1,
            "received_at": "2026-11-21T13:00:00Z",
            "offset_ms": null,
            "device_author": "bob",
            "event": serde_json::to_value(&old.event).expect("event"),
        });
        let read: HubEvent = serde_json::from_value(explicit_null).expect("null reads");
        assert_eq!(read.offset_ms, None);
    }

    #[test]
    fn a_push_without_private_seqs_or_clock_reads() {
        let device = DeviceId::new_v7();
        let json = serde_json::json!({"device": device, "events": []});
        let push: PushRequest = serde_json::from_value(json).expect("read");
        assert!(push.private_seqs.is_empty());
        assert_eq!(push.clock, None);
    }
}
