//! `GET /v1/devices/{id}`: a device's high-water mark, owner and clock, so that a
//! client can ask where to resume without pushing anything.

use crate::http::{ApiError, AppState, Authed};
use axum::Json;
use axum::extract::{Path, State};
use firebreak_core::ids::DeviceId;
use firebreak_core::sync::{DeviceClock, DeviceStatus};

pub async fn device(
    State(state): State<AppState>,
    _authed: Authed,
    Path(device): Path<String>,
) -> Result<Json<DeviceStatus>, ApiError> {
    let device: DeviceId = device
        .parse()
        .map_err(|_| ApiError::bad_parameter(format!("{device:?} is not a device id")))?;
    let record = state
        .blocking(move |storage| storage.device(device))
        .await?;
    Ok(Json(match record {
        None => DeviceStatus {
            device,
            user: None,
            acknowledged_seq: 0,
            clock: None,
        },
        Some(record) => DeviceStatus {
            device,
            acknowledged_seq: record.acknowledged_seq,
            clock: record.clock.map(|c| DeviceClock {
                device,
                user: record.user.clone(),
                offset_ms: c.sample.offset_ms,
                rtt_ms: c.sample.rtt_ms,
                measured_at: c.received_at,
                skewed: c.sample.is_skewed(),
            }),
            user: Some(record.user),
        },
    }))
}
