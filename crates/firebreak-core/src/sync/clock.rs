//! Time is evidence, and laptop clocks drift. The hub estimates every device's clock
//! offset from the timestamps of a request and its answer, NTP-style:
//!
//! ```text
//!   t0 device sends ──► t1 hub receives … t2 hub answers ──► t3 device receives
//!   offset = ((t1 − t0) + (t2 − t3)) / 2      (hub clock − device clock)
//!   rtt    = (t3 − t0) − (t2 − t1)            (time on the wire, both ways)
//! ```
//!
//! Only the device knows `t0` and `t3`, so it computes the sample after an exchange
//! and reports it on its next request; the hub keeps the device's recent samples and
//! trusts the one with the shortest round trip (the least room for asymmetric delay
//! to bend the estimate). The offset's error is at most half the round trip.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Devices further off than this (either way) are flagged as skewed on the timeline.
pub const SKEW_THRESHOLD_MS: i64 = 60_000;

/// How many recent samples of a device the hub keeps and chooses from.
pub const RECENT_SAMPLES: usize = 8;

/// A round trip longer than this is not a measurement worth keeping.
pub const MAX_RTT_MS: u64 = 10 * 60 * 1000;

/// An offset beyond ten years is a broken clock or a broken client, not drift.
pub const MAX_OFFSET_MS: i64 = 10 * 366 * 24 * 60 * 60 * 1000;

/// One estimate of a device's clock, made by the device from one exchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSample {
    /// Hub clock minus device clock, in milliseconds: add it to a device time to get
    /// hub time.
    pub offset_ms: i64,
    /// The exchange's round trip less the hub's own processing time.
    pub rtt_ms: u64,
}

/// A sample as the hub keeps it: with the hub time it arrived at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedSample {
    pub sample: ClockSample,
    pub received_at: DateTime<Utc>,
}

/// Why a clock sample was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("clock sample round trip {0} ms is over the {MAX_RTT_MS} ms a measurement can take")]
    RoundTrip(u64),
    #[error("clock sample offset {0} ms is beyond ten years")]
    Offset(i64),
    #[error("clock header {0:?} is not `offset_ms=<integer>; rtt_ms=<integer>`")]
    Header(String),
}

impl ClockSample {
    /// Refuses values no real exchange produces.
    pub fn check(&self) -> Result<(), ClockError> {
        if self.rtt_ms > MAX_RTT_MS {
            return Err(ClockError::RoundTrip(self.rtt_ms));
        }
        if self.offset_ms.unsigned_abs() > MAX_OFFSET_MS.unsigned_abs() {
            return Err(ClockError::Offset(self.offset_ms));
        }
        Ok(())
    }

    /// Whether the device is off by more than a minute.
    pub fn is_skewed(&self) -> bool {
        is_skewed(self.offset_ms)
    }

    /// The value of the `Firebreak-Clock` header: `offset_ms=-1250; rtt_ms=14`.
    pub fn to_header(&self) -> String {
        format!("offset_ms={}; rtt_ms={}", self.offset_ms, self.rtt_ms)
    }

    /// Reads a `Firebreak-Clock` header (both fields, in any order) and checks it.
    pub fn from_header(text: &str) -> Result<ClockSample, ClockError> {
        let bad = || ClockError::Header(text.to_string());
        let (mut offset, mut rtt) = (None, None);
        for part in text.split(';') {
            let (key, value) = part.split_once('=').ok_or_else(bad)?;
            match key.trim() {
                "offset_ms" if offset.is_none() => {
                    offset = Some(value.trim().parse::<i64>().map_err(|_| bad())?)
                }
                "rtt_ms" if rtt.is_none() => {
                    rtt = Some(value.trim().parse::<u64>().map_err(|_| bad())?)
                }
                _ => return Err(bad()),
            }
        }
        let sample = ClockSample {
            offset_ms: offset.ok_or_else(bad)?,
            rtt_ms: rtt.ok_or_else(bad)?,
        };
        sample.check()?;
        Ok(sample)
    }
}

/// Whether an offset is more than a minute either way.
pub fn is_skewed(offset_ms: i64) -> bool {
    offset_ms.unsigned_abs() > SKEW_THRESHOLD_MS.unsigned_abs()
}

/// The four timestamps of one exchange: `t0` and `t3` on the device's clock, `t1` and
/// `t2` on the hub's (from the response's `server_received_at` / `server_sent_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// `t0`: the device sent the request.
    pub sent_at: DateTime<Utc>,
    /// `t1`: the hub received it.
    pub server_received_at: DateTime<Utc>,
    /// `t2`: the hub sent the answer.
    pub server_sent_at: DateTime<Utc>,
    /// `t3`: the device received the answer.
    pub received_at: DateTime<Utc>,
}

impl Exchange {
    /// The offset and round trip this exchange measures, rounded to milliseconds. A
    /// round trip that comes out negative (the clocks' resolution) counts as zero.
    pub fn sample(&self) -> ClockSample {
        let us = |t: DateTime<Utc>| i128::from(t.timestamp_micros());
        let (t0, t1, t2, t3) = (
            us(self.sent_at),
            us(self.server_received_at),
            us(self.server_sent_at),
            us(self.received_at),
        );
        let offset_us = ((t1 - t0) + (t2 - t3)) / 2;
        let rtt_us = ((t3 - t0) - (t2 - t1)).max(0);
        ClockSample {
            offset_ms: clamp_i64(round_ms(offset_us)),
            rtt_ms: u64::try_from(round_ms(rtt_us)).unwrap_or(u64::MAX),
        }
    }
}

/// Microseconds to milliseconds, halves rounded up (towards +∞).
fn round_ms(us: i128) -> i128 {
    (us + 500).div_euclid(1000)
}

fn clamp_i64(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// The sample to trust among a device's recent ones: the shortest round trip; among
/// equals, the newest.
pub fn best_estimate(samples: &[RecordedSample]) -> Option<RecordedSample> {
    samples.iter().copied().min_by(|a, b| {
        a.sample
            .rtt_ms
            .cmp(&b.sample.rtt_ms)
            .then_with(|| b.received_at.cmp(&a.received_at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").to_utc()
    }

    #[test]
    fn a_device_two_minutes_behind_with_symmetric_delay() {
        // The hub is at 13:02:00.000 when the device thinks it is 13:00:00.000.
        // 20 ms each way, the hub takes 5 ms.
        let t0 = at("2026-11-21T13:00:00.000Z");
        let exchange = Exchange {
            sent_at: t0,
            server_received_at: at("2026-11-21T13:02:00.020Z"),
            server_sent_at: at("2026-11-21T13:02:00.025Z"),
            received_at: at("2026-11-21T13:00:00.045Z"),
        };
        let sample = exchange.sample();
        assert_eq!(sample.offset_ms, 120_000);
        assert_eq!(sample.rtt_ms, 40);
        assert!(sample.is_skewed());
    }

    #[test]
    fn a_device_ahead_gets_a_negative_offset() {
        let exchange = Exchange {
            sent_at: at("2026-11-21T13:00:30.000Z"),
            server_received_at: at("2026-11-21T13:00:00.010Z"),
            server_sent_at: at("2026-11-21T13:00:00.010Z"),
            received_at: at("2026-11-21T13:00:30.020Z"),
        };
        let sample = exchange.sample();
        assert_eq!(sample.offset_ms, -30_000);
        assert_eq!(sample.rtt_ms, 20);
        assert!(!sample.is_skewed(), "30 s is drift, not skew");
    }

    #[test]
    fn asymmetric_delay_bends_the_offset_by_at_most_half_the_round_trip() {
        // Clocks agree; 90 ms out, 10 ms back.
        let t0 = at("2026-11-21T13:00:00.000Z");
        let exchange = Exchange {
            sent_at: t0,
            server_received_at: t0 + Duration::milliseconds(90),
            server_sent_at: t0 + Duration::milliseconds(90),
            received_at: t0 + Duration::milliseconds(100),
        };
        let sample = exchange.sample();
        assert_eq!(sample.rtt_ms, 100);
        assert_eq!(sample.offset_ms, 40);
        assert!(sample.offset_ms.unsigned_abs() <= sample.rtt_ms / 2);
    }

    #[test]
    fn a_negative_round_trip_counts_as_zero() {
        let t = at("2026-11-21T13:00:00.000Z");
        let exchange = Exchange {
            sent_at: t,
            server_received_at: t,
            server_sent_at: t + Duration::milliseconds(3),
            received_at: t + Duration::milliseconds(1),
        };
        assert_eq!(exchange.sample().rtt_ms, 0);
    }

    #[test]
    fn skew_is_more_than_a_minute_either_way() {
        assert!(!is_skewed(60_000));
        assert!(is_skewed(60_001));
        assert!(!is_skewed(-60_000));
        assert!(is_skewed(-60_001));
        assert!(is_skewed(i64::MIN), "no overflow at the extreme");
    }

    #[test]
    fn the_shortest_round_trip_wins_and_ties_go_to_the_newest() {
        let t = at("2026-11-21T13:00:00Z");
        let rec = |offset_ms, rtt_ms, secs| RecordedSample {
            sample: ClockSample { offset_ms, rtt_ms },
            received_at: t + Duration::seconds(secs),
        };
        let samples = [
            rec(900, 300, 0),
            rec(1000, 12, 1),
            rec(1010, 12, 2),
            rec(400, 80, 3),
        ];
        assert_eq!(best_estimate(&samples), Some(samples[2]));
        assert_eq!(best_estimate(&[]), None);
    }

    #[test]
    fn the_header_round_trips_and_refuses_nonsense() {
        let sample = ClockSample {
            offset_ms: -1250,
            rtt_ms: 14,
        };
        assert_eq!(sample.to_header(), "offset_ms=-1250; rtt_ms=14");
        assert_eq!(ClockSample::from_header(&sample.to_header()), Ok(sample));
        assert_eq!(
            ClockSample::from_header("rtt_ms=3;offset_ms=7"),
            Ok(ClockSample {
                offset_ms: 7,
                rtt_ms: 3
            })
        );
        for bad in [
            "",
            "offset_ms=1",
            "offset_ms=x; rtt_ms=1",
            "offset_ms=1; rtt_ms=-1",
            "offset_ms=1; rtt_ms=1; extra=2",
            "offset_ms=1; offset_ms=2",
        ] {
            assert!(ClockSample::from_header(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            ClockSample::from_header("offset_ms=1; rtt_ms=999999999"),
            Err(ClockError::RoundTrip(999_999_999))
        );
    }
}
