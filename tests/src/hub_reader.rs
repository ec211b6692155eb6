//! Reads what a hub holds, straight from its HTTP API.
//!
//! The checks of the sync tests must not go through the code under test (the sync
//! client) or through the fault proxy: what the hub holds is read with a plain HTTP
//! client (ureq) and parsed as the wire types, so a bug in the client cannot hide
//! itself by being both the writer and the reader.

use firebreak_core::ids::{DeviceId, IncidentId};
use firebreak_core::sync::{
    DeviceStatus, Health, HubEvent, IncidentList, MAX_PULL_LIMIT, PullResponse, TimelineResponse,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A read-only client of one hub, with one user's token.
#[derive(Debug, Clone)]
pub struct HubReader {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl HubReader {
    pub fn new(base: &str, token: &str) -> HubReader {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(Duration::from_secs(60)))
                .build(),
        );
        HubReader {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            agent,
        }
    }

    /// `GET path`, 200 expected, the body parsed as `T`.
    pub fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let text = self.get_text(path)?;
        serde_json::from_str(&text).map_err(|e| format!("GET {path}: {e}: {text:.300}"))
    }

    /// `GET path`, 200 expected, the body as text.
    pub fn get_text(&self, path: &str) -> Result<String, String> {
        let url = format!("{}{path}", self.base);
        let mut response = self
            .agent
            .get(&url)
            .header("authorization", &format!("Bearer {}", self.token))
            .call()
            .map_err(|e| format!("GET {url}: {e}"))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(256 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| format!("GET {url}: reading the body: {e}"))?;
        if status != 200 {
            return Err(format!("GET {url}: HTTP {status}: {text}"));
        }
        Ok(text)
    }

    pub fn health(&self) -> Result<Health, String> {
        self.get("/v1/health")
    }

    /// Every event after `after`, page by page, as served.
    pub fn events_after(&self, after: u64) -> Result<Vec<HubEvent>, String> {
        let mut cursor = after;
        let mut all = Vec::new();
        loop {
            let page: PullResponse =
                self.get(&format!("/v1/events?after={cursor}&limit={MAX_PULL_LIMIT}"))?;
            if page.cursor < cursor {
                return Err(format!(
                    "a pull after {cursor} answered cursor {}",
                    page.cursor
                ));
            }
            cursor = page.cursor;
            all.extend(page.events);
            if !page.more {
                return Ok(all);
            }
        }
    }

    /// Everything the hub holds.
    pub fn all_events(&self) -> Result<Vec<HubEvent>, String> {
        self.events_after(0)
    }

    pub fn timeline(&self, incident: IncidentId) -> Result<TimelineResponse, String> {
        self.get(&format!("/v1/incidents/{incident}/timeline"))
    }

    pub fn incidents(&self) -> Result<IncidentList, String> {
        self.get("/v1/incidents")
    }

    pub fn device(&self, device: DeviceId) -> Result<DeviceStatus, String> {
        self.get(&format!("/v1/devices/{device}"))
    }
}
