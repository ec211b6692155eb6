//! Query parameters and headers, read strictly: a misspelt parameter (`?afer=5`) is
//! refused with the list of known ones rather than ignored.

use crate::http::ApiError;
use axum::http::HeaderMap;
use firebreak_core::ids::DeviceId;
use firebreak_core::sync::{CLOCK_HEADER, ClockSample, DEVICE_HEADER};
use std::collections::HashMap;

/// The query's parameters, each at most once, each one of `known`.
pub fn query(raw: Option<&str>, known: &[&str]) -> Result<HashMap<String, String>, ApiError> {
    let mut params = HashMap::new();
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !known.contains(&key.as_ref()) {
            return Err(ApiError::bad_parameter(format!(
                "unknown query parameter {key:?}; this route takes {}",
                known.join(", ")
            )));
        }
        if params.insert(key.to_string(), value.to_string()).is_some() {
            return Err(ApiError::bad_parameter(format!(
                "query parameter {key:?} is given twice"
            )));
        }
    }
    Ok(params)
}

/// A non-negative integer parameter.
pub fn number(params: &HashMap<String, String>, name: &str) -> Result<Option<u64>, ApiError> {
    params
        .get(name)
        .map(|v| {
            v.parse::<u64>().map_err(|_| {
                ApiError::bad_parameter(format!("{name} must be a non-negative integer, not {v:?}"))
            })
        })
        .transpose()
}

/// The device and clock sample of a request without a body (`Firebreak-Device`,
/// `Firebreak-Clock`). A clock sample needs its device; a device alone says nothing.
pub fn device_clock(headers: &HeaderMap) -> Result<Option<(DeviceId, ClockSample)>, ApiError> {
    let text = |name: &str| -> Result<Option<String>, ApiError> {
        headers
            .get(name)
            .map(|v| {
                v.to_str().map(str::to_string).map_err(|_| {
                    ApiError::bad_parameter(format!("header {name} is not plain text"))
                })
            })
            .transpose()
    };
    let Some(clock) = text(CLOCK_HEADER)? else {
        return Ok(None);
    };
    let sample =
        ClockSample::from_header(&clock).map_err(|e| ApiError::bad_parameter(e.to_string()))?;
    let device = text(DEVICE_HEADER)?.ok_or_else(|| {
        ApiError::bad_parameter(format!(
            "header {CLOCK_HEADER} needs {DEVICE_HEADER}: which device's clock is it?"
        ))
    })?;
    let device = device.trim().parse::<DeviceId>().map_err(|_| {
        ApiError::bad_parameter(format!(
            "header {DEVICE_HEADER} is not a device id: {device:?}"
        ))
    })?;
    Ok(Some((device, sample)))
}
