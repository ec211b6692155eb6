//! A watch as a state machine: feed it results with their times, it says only when the
//! state changes (failing → passing) and how long the previous state lasted.
//!
//! The log of an incident should read "API down at 13:02, up again at 13:19 after 17m
//! down", not 200 lines of probe results; that is why only changes are logged. The
//! machine is pure (times come with the results), so the engine's driver, the desktop
//! and a replay of stored results all agree.
//!
//! A cancelled run says nothing about the target and is ignored. With
//! `confirmations = n > 1`, a new state needs `n` results in a row before it counts,
//! so one lost packet does not page anybody; the change is then dated at the first of
//! those results, because that is when it really happened. The first result always sets
//! the state at once: a watch has to show something from its first run.

use super::result::{FailureClass, ProbeResult};
use crate::render::human_duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Up or down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Passing,
    Failing,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Passing => "passing",
            Health::Failing => "failing",
        }
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A change of state, the only thing a watch logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// When the new state was first seen.
    pub at: DateTime<Utc>,
    /// `None` for the first result of the watch.
    pub from: Option<Health>,
    pub to: Health,
    /// How long the previous state lasted, from its first result to the first result of
    /// the new one, in milliseconds; `None` for the first result.
    pub previous_lasted_ms: Option<u64>,
    /// How many results the previous state had.
    pub previous_runs: u32,
    /// The reason of the result that made the change.
    pub reason: String,
    /// The class of that result when it did not pass.
    pub class: Option<FailureClass>,
}

impl StateChange {
    /// One line for the log: `"failing → passing after 17m failing: status 200 in 12.4 ms"`.
    pub fn describe(&self) -> String {
        match (self.from, self.previous_lasted_ms) {
            (Some(from), Some(ms)) => {
                let lasted = chrono::Duration::milliseconds(i64::try_from(ms).unwrap_or(i64::MAX));
                format!(
                    "{from} → {} after {} {from}: {}",
                    self.to,
                    human_duration(lasted),
                    self.reason
                )
            }
            _ => format!("{}: {}", self.to, self.reason),
        }
    }
}

#[derive(Debug, Clone)]
struct Current {
    health: Health,
    since: DateTime<Utc>,
    runs: u32,
}

#[derive(Debug, Clone)]
struct Pending {
    health: Health,
    first_at: DateTime<Utc>,
    count: u32,
}

/// The state machine of one watched probe.
#[derive(Debug, Clone)]
pub struct Watch {
    confirmations: u32,
    current: Option<Current>,
    pending: Option<Pending>,
}

impl Default for Watch {
    fn default() -> Self {
        Watch::new()
    }
}

impl Watch {
    /// A watch that changes state on the first result that differs.
    pub fn new() -> Watch {
        Watch::with_confirmations(1)
    }

    /// A watch that changes state after `n` results in a row that differ (`0` is read
    /// as 1).
    pub fn with_confirmations(n: u32) -> Watch {
        Watch {
            confirmations: n.max(1),
            current: None,
            pending: None,
        }
    }

    /// Feeds a result, dated by its `started_at`. Cancelled runs are ignored.
    pub fn observe(&mut self, result: &ProbeResult) -> Option<StateChange> {
        if result.class() == Some(FailureClass::Cancelled) {
            return None;
        }
        let health = if result.ok {
            Health::Passing
        } else {
            Health::Failing
        };
        self.observe_at(result.started_at, health, &result.reason, result.class())
    }

    /// Feeds one observation.
    pub fn observe_at(
        &mut self,
        at: DateTime<Utc>,
        health: Health,
        reason: &str,
        class: Option<FailureClass>,
    ) -> Option<StateChange> {
        let Some(current) = &mut self.current else {
            self.current = Some(Current {
                health,
                since: at,
                runs: 1,
            });
            return Some(StateChange {
                at,
                from: None,
                to: health,
                previous_lasted_ms: None,
                previous_runs: 0,
                reason: reason.to_string(),
                class,
            });
        };
        if current.health == health {
            current.runs = current.runs.saturating_add(1);
            // The streak of the other state was broken: its runs belong to this one.
            if let Some(p) = self.pending.take() {
                current.runs = current.runs.saturating_add(p.count);
            }
            return None;
        }
        let pending = match &mut self.pending {
            Some(p) if p.health == health => {
                p.count = p.count.saturating_add(1);
                p
            }
            _ => self.pending.insert(Pending {
                health,
                first_at: at,
                count: 1,
            }),
        };
        if pending.count < self.confirmations {
            return None;
        }
        let first_at = pending.first_at;
        let count = pending.count;
        self.pending = None;
        let lasted_ms = (first_at - current.since).num_milliseconds().max(0);
        let change = StateChange {
            at: first_at,
            from: Some(current.health),
            to: health,
            previous_lasted_ms: u64::try_from(lasted_ms).ok(),
            previous_runs: current.runs,
            reason: reason.to_string(),
            class,
        };
        *current = Current {
            health,
            since: first_at,
            runs: count,
        };
        Some(change)
    }

    /// The current state; `None` before the first result.
    pub fn health(&self) -> Option<Health> {
        self.current.as_ref().map(|c| c.health)
    }

    /// When the current state began.
    pub fn since(&self) -> Option<DateTime<Utc>> {
        self.current.as_ref().map(|c| c.since)
    }

    /// How long the current state has lasted at `now`, for a "down for 12m" label.
    pub fn lasted(&self, now: DateTime<Utc>) -> Option<chrono::Duration> {
        self.current
            .as_ref()
            .map(|c| (now - c.since).max(chrono::Duration::zero()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::result::Outcome;
    use crate::runbook::probe_spec::ProbeKind;
    use chrono::TimeZone;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, 13, 0, 0)
            .single()
            .expect("valid")
            + chrono::Duration::seconds(secs)
    }

    fn result(secs: i64, outcome: Outcome) -> ProbeResult {
        ProbeResult::new(
            ProbeKind::Http,
            "https://x.example/",
            None,
            t(secs),
            outcome,
        )
    }

    fn pass(secs: i64) -> ProbeResult {
        let mut r = result(secs, Outcome::Passed);
        r.reason = "status 200 in 12.4 ms".into();
        r
    }

    fn fail(secs: i64) -> ProbeResult {
        result(
            secs,
            Outcome::failed(FailureClass::HttpStatus, "expected a 2xx status, got 503"),
        )
    }

    #[test]
    fn logs_only_changes_with_how_long_the_last_state_lasted() {
        let mut w = Watch::new();
        let first = w.observe(&fail(0)).expect("first result sets the state");
        assert_eq!((first.from, first.to), (None, Health::Failing));
        assert_eq!(first.previous_lasted_ms, None);
        assert_eq!(first.describe(), "failing: expected a 2xx status, got 503");
        assert_eq!(w.observe(&fail(10)), None);
        assert_eq!(w.observe(&fail(20)), None);
        let up = w.observe(&pass(1020)).expect("failing → passing");
        assert_eq!(up.from, Some(Health::Failing));
        assert_eq!(up.to, Health::Passing);
        assert_eq!(up.at, t(1020));
        assert_eq!(up.previous_lasted_ms, Some(1_020_000));
        assert_eq!(up.previous_runs, 3);
        assert_eq!(up.class, None);
        assert_eq!(
            up.describe(),
            "failing → passing after 17m failing: status 200 in 12.4 ms"
        );
        assert_eq!(w.observe(&pass(1030)), None);
        let down = w.observe(&fail(1040)).expect("passing → failing");
        assert_eq!(down.previous_lasted_ms, Some(20_000));
        assert_eq!(down.previous_runs, 2);
        assert_eq!(down.class, Some(FailureClass::HttpStatus));
        assert_eq!(w.health(), Some(Health::Failing));
        assert_eq!(w.since(), Some(t(1040)));
        assert_eq!(w.lasted(t(1100)), Some(chrono::Duration::seconds(60)));
    }

    #[test]
    fn cancelled_runs_say_nothing() {
        let mut w = Watch::new();
        w.observe(&pass(0));
        let cancelled = result(5, Outcome::error(FailureClass::Cancelled, "cancelled"));
        assert_eq!(w.observe(&cancelled), None);
        assert_eq!(w.health(), Some(Health::Passing));
        let mut fresh = Watch::new();
        assert_eq!(fresh.observe(&cancelled), None);
        assert_eq!(fresh.health(), None);
    }

    #[test]
    fn confirmations_absorb_blips_and_date_the_change_at_its_start() {
        let mut w = Watch::with_confirmations(3);
        assert!(w.observe(&pass(0)).is_some());
        assert_eq!(w.observe(&fail(10)), None);
        assert_eq!(w.observe(&fail(20)), None);
        // A pass breaks the streak: the blip is absorbed.
        assert_eq!(w.observe(&pass(30)), None);
        assert_eq!(w.observe(&fail(40)), None);
        assert_eq!(w.observe(&fail(50)), None);
        let down = w.observe(&fail(60)).expect("third failure in a row");
        assert_eq!(down.at, t(40));
        assert_eq!(down.previous_lasted_ms, Some(40_000));
        assert_eq!(down.previous_runs, 4);
        assert_eq!(w.since(), Some(t(40)));
        assert_eq!(Watch::with_confirmations(0).confirmations, 1);
    }

    #[test]
    fn clocks_going_backwards_do_not_give_negative_durations() {
        let mut w = Watch::new();
        w.observe(&pass(100));
        let down = w.observe(&fail(50)).expect("change");
        assert_eq!(down.previous_lasted_ms, Some(0));
        assert_eq!(w.lasted(t(0)), Some(chrono::Duration::zero()));
    }

    #[test]
    fn changes_serialize_plainly() {
        let mut w = Watch::new();
        let change = w.observe(&pass(0)).expect("first");
        let json = serde_json::to_value(&change).expect("serialize");
        assert_eq!(json["to"], "passing");
        assert!(json["from"].is_null());
    }
}
