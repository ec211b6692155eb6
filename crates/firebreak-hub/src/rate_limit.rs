//! A token bucket per bearer token: `burst` requests at once, refilled at
//! `per_second`. Requests, not events, are counted: a push carries up to a thousand
//! events, so the defaults (a burst of 200, 50 a second) leave the sync benchmark
//! (10,000 events in ten pushes) and a desktop app syncing after every finding far
//! from the limit, while a runaway client is stopped within seconds.
//!
//! In memory: a restart refills every bucket, which is harmless. Several hub instances
//! behind a load balancer each keep their own buckets (a token gets up to N times the
//! rate); a shared limiter belongs with the PostgreSQL storage.

use crate::token::TokenHash;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The bucket's size and refill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateConfig {
    pub burst: u32,
    pub per_second: f64,
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            burst: 200,
            per_second: 50.0,
        }
    }
}

/// One token's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn full(config: &RateConfig, now: Instant) -> Self {
        Self {
            tokens: f64::from(config.burst),
            last: now,
        }
    }

    /// Takes one request's worth, or says how long until there is one.
    fn take(&mut self, config: &RateConfig, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * config.per_second).min(f64::from(config.burst));
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        if config.per_second <= 0.0 {
            return Err(Duration::from_secs(3600));
        }
        let wait = (1.0 - self.tokens) / config.per_second;
        Err(Duration::from_secs_f64(wait.clamp(0.001, 3600.0)))
    }
}

/// The buckets of every token seen since the hub started.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateConfig,
    buckets: Mutex<HashMap<TokenHash, Bucket>>,
}

impl RateLimiter {
    pub fn new(config: RateConfig) -> Self {
        Self {
            config,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Admits one request of `token`, or answers how long to wait.
    pub fn check(&self, token: &TokenHash, now: Instant) -> Result<(), Duration> {
        // A panic while holding this lock leaves at worst one bucket half-updated,
        // which is harmless, so a poisoned lock is simply used.
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        buckets
            .entry(*token)
            .or_insert_with(|| Bucket::full(&self.config, now))
            .take(&self.config, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_admitted_then_refused_until_refilled() {
        let limiter = RateLimiter::new(RateConfig {
            burst: 3,
            per_second: 2.0,
        });
        let (a, b) = (TokenHash([1; 32]), TokenHash([2; 32]));
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(&a, t0), Ok(()));
        }
        let wait = limiter.check(&a, t0).expect_err("spent");
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        assert_eq!(limiter.check(&b, t0), Ok(()), "buckets are per token");
        assert_eq!(limiter.check(&a, t0 + Duration::from_millis(500)), Ok(()));
        assert!(limiter.check(&a, t0 + Duration::from_millis(500)).is_err());
        // Idle time refills up to the burst, not beyond.
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(limiter.check(&a, later), Ok(()));
        }
        assert!(limiter.check(&a, later).is_err());
    }
}
