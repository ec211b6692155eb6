//! Request bodies: read with a size limit, parsed with the path of whatever does not
//! fit, and checked for fields the hub would drop.

use crate::http::ApiError;
use crate::unknown_fields::first_unknown;
use axum::body::Body;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_LENGTH;
use firebreak_core::sync::ErrorCode;
use http_body_util::BodyExt;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How far past the limit a body is still read (and thrown away) before the hub
/// answers 413. Answering while the client is still sending makes the connection close
/// under it, and the client sees a reset instead of the reason; reading on a little
/// lets an honest client that overshot hear why. Beyond this, the hub stops listening.
const DRAIN_FACTOR: usize = 4;

/// Reads a body of at most `limit` bytes.
pub async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    let too_large = |size: String| {
        ApiError::new(
            ErrorCode::BodyTooLarge,
            format!(
                "the request body is {size} bytes, over the hub's limit of {limit}; send smaller batches"
            ),
        )
    };
    let drain_limit = limit.saturating_mul(DRAIN_FACTOR);
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(len) = declared
        && len > drain_limit
    {
        return Err(too_large(len.to_string()));
    }
    let mut body = body;
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(limit));
    let mut total = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedRequest,
                format!("the request body could not be read: {e}"),
            )
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        total = total.saturating_add(data.len());
        if total > drain_limit {
            return Err(too_large(format!("more than {drain_limit}")));
        }
        if total <= limit {
            bytes.extend_from_slice(&data);
        }
    }
    if total > limit {
        return Err(too_large(total.to_string()));
    }
    Ok(bytes)
}

/// Parses `bytes` as `T` (called `what` in messages). Refuses JSON that does not
/// parse, that does not fit `T` (naming the path, `events[2].body.kind`), and JSON with
/// fields `T` does not keep (`unknown_field`: storing the rest would lose them).
pub fn parse_json<T: DeserializeOwned + Serialize>(
    bytes: &[u8],
    what: &str,
) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedRequest,
            format!("the body is not JSON: {e}"),
        )
    })?;
    let parsed: T = serde_path_to_error::deserialize(&value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." {
            String::new()
        } else {
            format!(" at `{path}`")
        };
        ApiError::new(
            ErrorCode::MalformedRequest,
            format!("the body is not {what}{at}: {}", e.inner()),
        )
    })?;
    let understood = serde_json::to_value(&parsed)
        .map_err(|e| ApiError::internal(format!("re-serializing {what}: {e}")))?;
    if let Some(path) = first_unknown(&value, &understood) {
        return Err(ApiError::new(
            ErrorCode::UnknownField,
            format!(
                "`{path}` is not a field this hub knows; it would be lost, so nothing was stored (is the hub older than the client?)"
            ),
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use firebreak_core::event::{Event, EventBody};
    use firebreak_core::ids::{DeviceId, EventId, IncidentId};
    use firebreak_core::probe::{Outcome, ProbeRecord, ProbeResult};
    use firebreak_core::runbook::ProbeSpec;
    use firebreak_core::sync::PushRequest;

    /// A probe event is the richest body there is (tagged enums, durations as text,
    /// floats, defaults); it must pass the unknown-field check untouched.
    fn probe_push() -> PushRequest {
        let spec = ProbeSpec::from_toml(
            "kind = \"http\"\nurl = \"https://api.test/health\"\nexpect_status = 200\ntimeout = \"2s\"\nheaders = { Accept = \"application/json\" }",
            &Default::default(),
        )
        .expect("spec");
        let at = Utc
            .with_ymd_and_hms(2026, 11, 21, 13, 0, 0)
            .single()
            .expect("time");
        let mut result = ProbeResult::new(
            spec.kind(),
            "https://api.test/health",
            None,
            at,
            Outcome::Passed,
        );
        result.timings.dns_ms = Some(1.25);
        result.timings.total_ms = Some(12.375);
        let device = DeviceId::new_v7();
        PushRequest {
            device,
            events: vec![Event {
                id: EventId::new_v7(),
                incident: IncidentId::new_v7(),
                author: "alice".into(),
                device,
                seq: 1,
                recorded_at: at,
                occurred_at: None,
                amends: None,
                private: false,
                body: EventBody::Probe {
                    probe: Box::new(ProbeRecord::new(
                        "http https://api.test/health".into(),
                        None,
                        &spec,
                        result,
                    )),
                },
            }],
            private_seqs: vec![],
            clock: None,
        }
    }

    #[test]
    fn a_probe_event_is_understood_whole() {
        let request = probe_push();
        let bytes = serde_json::to_vec(&request).expect("json");
        let parsed: PushRequest = parse_json(&bytes, "a push").expect("understood");
        assert_eq!(parsed, request);
    }

    #[test]
    fn a_field_the_hub_would_drop_is_refused_by_path() {
        let mut value = serde_json::to_value(probe_push()).expect("json");
        value["events"][0]["body"]["probe"]["result"]["jitter_ms"] = serde_json::json!(3.5);
        let bytes = serde_json::to_vec(&value).expect("bytes");
        let err = parse_json::<PushRequest>(&bytes, "a push").expect_err("refused");
        assert_eq!(err.detail.code, ErrorCode::UnknownField);
        assert!(
            err.detail
                .message
                .contains("events[0].body.probe.result.jitter_ms"),
            "{}",
            err.detail.message
        );
    }

    #[test]
    fn a_shape_error_names_its_path() {
        let mut value = serde_json::to_value(probe_push()).expect("json");
        value["events"][0]["seq"] = serde_json::json!("one");
        let bytes = serde_json::to_vec(&value).expect("bytes");
        let err = parse_json::<PushRequest>(&bytes, "a push").expect_err("refused");
        assert_eq!(err.detail.code, ErrorCode::MalformedRequest);
        assert!(
            err.detail.message.contains("events[0].seq"),
            "{}",
            err.detail.message
        );
    }
}
