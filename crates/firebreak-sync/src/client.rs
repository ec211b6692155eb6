//! The hub's HTTP API as blocking calls. Every answer is read whole and parsed before
//! anything is believed: a truncated or mangled answer is an error (`BadAnswer`, retried
//! like a cut connection), never half an acknowledgement.

use crate::error::SyncError;
use chrono::Utc;
use firebreak_core::ids::DeviceId;
use firebreak_core::sync::clock::{ClockSample, Exchange};
use firebreak_core::sync::{
    API_VERSION, API_VERSION_HEADER, CLOCK_HEADER, DEVICE_HEADER, DeviceStatus, ErrorBody,
    ErrorCode, ErrorDetail, Health, PullResponse, PushRequest, PushResponse,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A pull page of 1,000 events of up to 64 KiB each, with room for the envelope.
const MAX_ANSWER_BYTES: u64 = 80 * 1024 * 1024;

/// How patient the client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// To open a connection. A hub that does not accept within this is unreachable.
    pub connect_timeout: Duration,
    /// For a whole request and its answer.
    pub request_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// One device's client of one hub.
#[derive(Debug, Clone)]
pub struct HubClient {
    agent: ureq::Agent,
    base: String,
    token: String,
    device: DeviceId,
}

/// A parsed answer and the four timestamps of its exchange.
#[derive(Debug, Clone)]
pub struct Answered<T> {
    pub body: T,
    pub exchange: Option<Exchange>,
}

impl HubClient {
    /// A client of the hub at `base` (`http://host:port` or `https://…`).
    pub fn new(
        base: &str,
        token: &str,
        device: DeviceId,
        options: ClientOptions,
    ) -> Result<HubClient, SyncError> {
        let base = base.trim().trim_end_matches('/').to_string();
        let parsed =
            url::Url::parse(&base).map_err(|e| SyncError::BadUrl(base.clone(), e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(SyncError::BadUrl(
                base,
                "a hub URL is http://HOST:PORT or https://HOST:PORT".into(),
            ));
        }
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_connect(Some(options.connect_timeout))
                .timeout_global(Some(options.request_timeout))
                .user_agent(concat!("firebreak/", env!("CARGO_PKG_VERSION")))
                .build(),
        );
        Ok(HubClient {
            agent,
            base,
            token: token.to_string(),
            device,
        })
    }

    pub fn url(&self) -> &str {
        &self.base
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// `GET /v1/health` (no token needed).
    pub fn health(&self) -> Result<Health, SyncError> {
        let request = self.agent.get(format!("{}/v1/health", self.base));
        let health: Health = self.finish("a health check", request.call())?;
        if health.api_version != API_VERSION {
            return Err(SyncError::ApiVersion {
                url: self.base.clone(),
                found: health.api_version,
                known: API_VERSION,
            });
        }
        Ok(health)
    }

    /// `GET /v1/devices/{this device}`: what the hub knows of this device (`None`
    /// before its first push). It needs the token, so it also proves the token works.
    pub fn device_status(&self) -> Result<Option<DeviceStatus>, SyncError> {
        let request = self
            .agent
            .get(format!("{}/v1/devices/{}", self.base, self.device))
            .header("authorization", &format!("Bearer {}", self.token))
            .header(API_VERSION_HEADER, &API_VERSION.to_string());
        match self.finish("a device lookup", request.call()) {
            Ok(status) => Ok(Some(status)),
            Err(SyncError::Refused { detail, .. }) if detail.code == ErrorCode::NotFound => {
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    /// `POST /v1/events`.
    pub fn push(&self, request: &PushRequest) -> Result<Answered<PushResponse>, SyncError> {
        let body = serde_json::to_vec(request).map_err(|e| SyncError::BadAnswer {
            url: self.base.clone(),
            what: "a push",
            reason: format!("cannot encode the push: {e}"),
        })?;
        let sent_at = Utc::now();
        let call = self
            .agent
            .post(format!("{}/v1/events", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .header(API_VERSION_HEADER, &API_VERSION.to_string())
            .header(DEVICE_HEADER, &self.device.to_string())
            .content_type("application/json")
            .send(&body[..]);
        let response: PushResponse = self.finish("a push", call)?;
        let exchange = exchange(
            sent_at,
            response.server_received_at,
            response.server_sent_at,
        );
        Ok(Answered {
            body: response,
            exchange: Some(exchange),
        })
    }

    /// `GET /v1/events?after=&limit=`, carrying this device's latest clock sample so
    /// the hub can correct its timestamps.
    pub fn pull(
        &self,
        after: u64,
        limit: usize,
        clock: Option<ClockSample>,
    ) -> Result<Answered<PullResponse>, SyncError> {
        let sent_at = Utc::now();
        let mut request = self
            .agent
            .get(format!(
                "{}/v1/events?after={after}&limit={limit}",
                self.base
            ))
            .header("authorization", &format!("Bearer {}", self.token))
            .header(API_VERSION_HEADER, &API_VERSION.to_string());
        if let Some(sample) = clock {
            request = request
                .header(DEVICE_HEADER, &self.device.to_string())
                .header(CLOCK_HEADER, &sample.to_header());
        }
        let response: PullResponse = self.finish("a pull", request.call())?;
        let exchange = exchange(
            sent_at,
            response.server_received_at,
            response.server_sent_at,
        );
        Ok(Answered {
            body: response,
            exchange: Some(exchange),
        })
    }

    /// Reads an answer whole and sorts it: the body of a 2xx, else the hub's reason.
    fn finish<T: DeserializeOwned>(
        &self,
        what: &'static str,
        call: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T, SyncError> {
        let mut response = call.map_err(|e| self.transport_error(what, e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| self.transport_error(what, e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|e| SyncError::BadAnswer {
                url: self.base.clone(),
                what,
                reason: format!("HTTP {status} with a body that is not the expected JSON: {e}"),
            });
        }
        let detail = serde_json::from_slice::<ErrorBody>(&bytes)
            .map(|b| b.error)
            .unwrap_or_else(|_| {
                ErrorDetail::new(
                    ErrorCode::Unknown,
                    format!(
                        "HTTP {status}: {}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).trim()
                    ),
                )
            });
        let url = self.base.clone();
        Err(match status {
            401 => SyncError::Unauthorized {
                url,
                message: detail.message,
            },
            429 | 500..=599 => SyncError::HubFailing {
                url,
                status,
                message: detail.message.clone(),
                retry_after: retry_after
                    .or_else(|| detail.retry_after_ms.map(Duration::from_millis)),
            },
            _ => SyncError::Refused { url, what, detail },
        })
    }

    fn transport_error(&self, what: &'static str, error: ureq::Error) -> SyncError {
        match error {
            ureq::Error::Json(e) => SyncError::BadAnswer {
                url: self.base.clone(),
                what,
                reason: e.to_string(),
            },
            other => SyncError::Unreachable {
                url: self.base.clone(),
                reason: other.to_string(),
            },
        }
    }
}

/// The four timestamps of a request the hub answered just now.
fn exchange(
    sent_at: chrono::DateTime<Utc>,
    server_received_at: chrono::DateTime<Utc>,
    server_sent_at: chrono::DateTime<Utc>,
) -> Exchange {
    Exchange {
        sent_at,
        server_received_at,
        server_sent_at,
        received_at: Utc::now(),
    }
}
