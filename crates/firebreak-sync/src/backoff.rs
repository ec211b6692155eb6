//! Exponential backoff with jitter, as a value: the caller owns the clock and the
//! random numbers, so the schedule is unit-tested without sleeping.
//!
//! The delay before retry `n` is drawn from `[d/2, d]` with `d = min(max, base * 2^n)`:
//! growing so that a hub coming back up is not hammered, jittered so that a team's
//! laptops that lost the network together do not all retry in the same instant.

use rand::Rng;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
            failures: 0,
        }
    }

    /// Failures since the last success.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Notes a failure and returns how long to wait before the next try.
    pub fn next_delay(&mut self, rng: &mut impl Rng) -> Duration {
        let ceiling = self.ceiling();
        self.failures = self.failures.saturating_add(1);
        let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let floor_ms = ceiling_ms / 2;
        Duration::from_millis(rng.random_range(floor_ms..=ceiling_ms))
    }

    /// The longest the next delay can be.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max)
    }

    /// A success: the next failure starts from the base delay again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn delays_double_up_to_the_ceiling_and_stay_in_their_jitter_band() {
        let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = StdRng::seed_from_u64(7);
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            let ceiling = backoff.ceiling();
            let delay = backoff.next_delay(&mut rng);
            assert!(
                delay <= ceiling && delay >= ceiling / 2,
                "{delay:?} vs {ceiling:?}"
            );
            ceilings.push(ceiling.as_millis());
        }
        assert_eq!(
            ceilings,
            [
                500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000
            ]
        );
        assert_eq!(backoff.failures(), 10);
    }

    #[test]
    fn a_success_starts_the_schedule_again() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        let mut rng = StdRng::seed_from_u64(1);
        for _ in 0..6 {
            backoff.next_delay(&mut rng);
        }
        assert_eq!(backoff.ceiling(), Duration::from_millis(5000));
        backoff.reset();
        assert_eq!(backoff.ceiling(), Duration::from_millis(100));
    }

    #[test]
    fn jitter_spreads_laptops_that_failed_together() {
        let delays: std::collections::BTreeSet<u128> = (0..20)
            .map(|seed| {
                let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
                backoff
                    .next_delay(&mut StdRng::seed_from_u64(seed))
                    .as_millis()
            })
            .collect();
        assert!(delays.len() > 10, "{delays:?}");
    }

    #[test]
    fn thousands_of_failures_do_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let mut rng = StdRng::seed_from_u64(3);
        for _ in 0..5000 {
            assert!(backoff.next_delay(&mut rng) <= Duration::from_secs(60));
        }
    }
}
