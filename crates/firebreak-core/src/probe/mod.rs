//! The pure side of probes: results as data, judging what was seen against what was
//! expected, watches as a state machine, targets people type, and which addresses need
//! the user's say-so. The engine that touches the network is `firebreak-probe`; it
//! builds [`ProbeResult`]s with these types and functions, and everything else (the log,
//! the CLI, the desktop) only reads them.
//!
//! Layout:
//! - `result`: [`ProbeResult`], [`Timings`] (per-phase durations; how they map to
//!   curl's cumulative `-w` timers is on the type), [`Outcome`], [`FailureClass`] and
//!   the HTTP/TLS/DNS details.
//! - `expect`: status, header, body, regex, latency and DNS answer checks, and the
//!   sentences that explain a failure.
//! - `watch`: [`Watch`], which turns a stream of results into state changes.
//! - `target`: [`parse_target`] for `https://…`, `tcp://host:port`, `tls://host:port`,
//!   `dns://[server:port]/name?type=A`.
//! - `address`: [`HostPort`], `host:port` as probes write it.
//! - `record`: [`ProbeRecord`], a result as the log keeps it (secrets redacted, sized
//!   to fit the hub's event limit), and probe keys.
//! - `variables`: where placeholders get their values ([`Variables`]: the incident's,
//!   the environment profile's, the runbook's defaults) and profile files.
//! - `plan`: [`plan_probes`], which probes a step, section or whole run means, filled
//!   and checked before anything touches the network.
//! - `safety`: loopback, link-local and cloud-metadata addresses ([`classify_ip`],
//!   [`classify_host`], [`sensitive_hosts`]).

pub mod address;
pub mod expect;
pub mod plan;
pub mod record;
pub mod result;
pub mod safety;
pub mod target;
pub mod variables;
pub mod watch;

pub use address::HostPort;
pub use expect::{HttpSeen, format_limit, format_ms, judge_dns, judge_http, judge_latency};
pub use plan::{PlannedProbe, ProbeSelection, plan_probes, run_variables};
pub use record::{ProbeRecord, adhoc_probe_key, redact_spec, step_probe_key};
pub use result::{
    BODY_EXCERPT_LIMIT, DnsDetail, FailureClass, HttpDetail, Outcome, ProbeResult, Timings,
    TlsDetail,
};
pub use safety::{Sensitive, SensitiveHost, classify_host, classify_ip, sensitive_hosts};
pub use target::{TargetError, parse_target};
pub use variables::{
    PROFILE_VARIABLE, ProfileError, VariableSource, Variables, is_valid_profile_name, parse_profile,
};
pub use watch::{Health, StateChange, Watch};
