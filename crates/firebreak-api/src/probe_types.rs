//! Transport types for probes: runs, results and their history, watches and incident
//! variables. Re-exported from `types`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Phase durations in milliseconds (see `firebreak_core::probe::Timings`); null for a
/// phase that did not happen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TimingsView {
    pub dns_ms: Option<f64>,
    pub connect_ms: Option<f64>,
    pub tls_ms: Option<f64>,
    pub first_byte_ms: Option<f64>,
    pub total_ms: Option<f64>,
}

/// One probe result, as the UI shows it inline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbeResultView {
    pub ok: bool,
    pub kind: String,
    pub target: String,
    pub at: String,
    /// One sentence: what was seen, or why it failed.
    pub reason: String,
    /// Why it did not pass, as a stable word (`refused`, `http_status`…); null for a pass.
    pub class: Option<String>,
    pub resolved_addr: Option<String>,
    pub timings: TimingsView,
    /// The HTTP status of the last response, if any.
    pub http_status: Option<u16>,
    /// Days until the certificate expires, for https and tls probes.
    #[ts(type = "number | null")]
    pub cert_days_left: Option<i64>,
    /// DNS answers, for dns probes.
    pub answers: Vec<String>,
}

/// One point of a probe's latency chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbePointView {
    pub at: String,
    pub ok: bool,
    pub total_ms: Option<f64>,
    pub author: String,
}

/// A probe's results over the incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbeView {
    /// `runbook-id:3#1` for a runbook probe, `kind target` for an ad-hoc one.
    pub key: String,
    pub label: String,
    /// The step ref that declared it, null for an ad-hoc probe.
    pub step: Option<String>,
    pub runs: u32,
    pub passes: u32,
    /// The latest results, oldest first (at most the last 120, for the chart).
    pub points: Vec<ProbePointView>,
    pub last: ProbeResultView,
}

/// A watch running in the app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WatchView {
    pub id: String,
    pub incident: String,
    pub key: String,
    pub label: String,
    pub target: String,
    pub every_secs: u32,
    /// starting, passing or failing.
    pub state: String,
    /// When the current state began (the first result that showed it).
    pub since: Option<String>,
    pub runs: u32,
    /// The latest run's reason.
    pub last_reason: Option<String>,
    pub last_total_ms: Option<f64>,
}

/// An incident variable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct VariableView {
    pub name: String,
    pub value: String,
}

/// A probe that was not started, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SkippedProbe {
    pub key: String,
    pub label: String,
    /// The placeholders without a value.
    pub missing: Vec<String>,
    pub reason: String,
}

/// What `run_probes` and `check_target` started. Results arrive in the log; the
/// workspace refreshes on `store-changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ProbesStarted {
    /// The keys of the probes now running.
    pub keys: Vec<String>,
    pub skipped: Vec<SkippedProbe>,
}

// ----- requests --------------------------------------------------------------------

/// Which runbook probes to run: one probe (`key`), one step (`ref`), one section
/// (`run` and `section`, its index), or every probe of the incident when all are null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RunProbes {
    pub incident: String,
    /// A probe block's key (`runbook-id:3#1`).
    pub key: Option<String>,
    #[serde(rename = "ref")]
    #[ts(rename = "ref")]
    pub step_ref: Option<String>,
    pub run: Option<String>,
    pub section: Option<u32>,
    /// The environment profile; null: the incident's `profile` variable, if set.
    pub profile: Option<String>,
    /// The user said yes to probing loopback, link-local or metadata hosts.
    pub approve: bool,
}

/// An ad-hoc probe typed into the probe box: `https://…`, `tcp://host:port`,
/// `tls://host:port`, `dns://[server:port]/name?type=A`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CheckTarget {
    pub incident: String,
    pub target: String,
}

/// Starts a watch on a runbook probe (`key`) or an ad-hoc target (`target`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StartWatch {
    pub incident: String,
    pub key: Option<String>,
    pub target: Option<String>,
    /// Seconds between runs; at least 1.
    pub every_secs: u32,
    pub profile: Option<String>,
    pub approve: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct WatchRef {
    pub id: String,
}

/// Sets an incident variable, or removes it when `value` is null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct SetVariable {
    pub incident: String,
    pub name: String,
    pub value: Option<String>,
}
