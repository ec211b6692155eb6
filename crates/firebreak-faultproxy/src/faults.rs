//! What may happen to one proxied connection, and the seeded draw that decides it.
//!
//! Everything here is pure: the proxy asks [`Faults::assign`] for the plan of
//! connection `i` and then carries it out, so a trial with a given seed can be
//! replayed (as far as the order in which connections arrive allows) and the
//! draw itself can be tested without a socket.

use std::ops::RangeInclusive;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How the proxy treats the connections it accepts from now on.
#[derive(Debug, Clone, PartialEq)]
pub enum Faults {
    /// Plain pass-through.
    None,
    /// Every chunk, both ways, arrives `one_way` after the proxy read it.
    ///
    /// Chunks are queued with their deadline rather than slept on in turn, so
    /// throughput is not reduced: `one_way = 50 ms` models a 100 ms round trip.
    Latency {
        /// Added to each direction.
        one_way: Duration,
    },
    /// Each connection draws its fate from a generator seeded by `(seed, index)`.
    Random(RandomFaults),
    /// Every connection gets this one fate; for tests that need a specific fault.
    Always(Fate),
}

/// The parameters of [`Faults::Random`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomFaults {
    /// The trial's seed; connection `i` uses a generator derived from `(seed, i)`.
    pub seed: u64,
    /// Chance, in `0..=1`, that a connection gets a fault rather than [`Fate::Pass`].
    /// Values outside the range are clamped; NaN counts as 0.
    pub fault_probability: f64,
    /// The longest [`Fate::Delay`] drawn.
    pub max_delay: Duration,
}

/// What happens to one connection.
///
/// Byte offsets (`after`) count bytes of one direction of the TCP stream, so
/// with HTTP keep-alive they may fall in a later request or response on the
/// same connection. A cut fires when the byte *after* the first `after` bytes
/// arrives; a connection whose traffic never gets that far behaves as
/// [`Fate::Pass`] (the proxy counts it as `not_triggered`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Forward both ways.
    Pass,
    /// Forward `after` bytes client→upstream, then abort both sockets with RST:
    /// the upstream sees half a request.
    ResetRequest {
        /// Bytes of the request that reach the upstream.
        after: usize,
    },
    /// Forward the request fully and `after` bytes of the response, then RST the
    /// client: the upstream may already have committed the request.
    ResetResponse {
        /// Bytes of the response forwarded before the reset.
        after: usize,
    },
    /// Forward `after` bytes of the response, then close the client cleanly (FIN):
    /// a response shorter than its content-length.
    Truncate {
        /// Bytes of the response forwarded before the close.
        after: usize,
    },
    /// Wait `by` before forwarding the first byte each way, then pass.
    Delay {
        /// The wait, per direction.
        by: Duration,
    },
    /// Forward the request, discard the upstream's first response and answer
    /// the client `503` instead: the upstream did the work, the client never learns.
    ServerErrorAfterForward,
    /// Never contact the upstream; answer the client's request with `status`.
    ServerErrorNoForward {
        /// 500 or 502 when drawn.
        status: u16,
    },
}

/// The plan for one connection: its fate, and the latency every chunk gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assignment {
    pub(crate) fate: Fate,
    pub(crate) one_way: Duration,
}

impl Faults {
    /// The plan for the connection with this index.
    pub(crate) fn assign(&self, index: u64) -> Assignment {
        let (fate, one_way) = match self {
            Faults::None => (Fate::Pass, Duration::ZERO),
            Faults::Latency { one_way } => (Fate::Pass, *one_way),
            Faults::Random(random) => (draw_fate(random, index), Duration::ZERO),
            Faults::Always(fate) => (*fate, Duration::ZERO),
        };
        Assignment { fate, one_way }
    }
}

/// Offsets inside the headers of a request or response.
pub const SMALL_OFFSETS: RangeInclusive<usize> = 0..=299;
/// Offsets inside a typical JSON body.
pub const MEDIUM_OFFSETS: RangeInclusive<usize> = 300..=19_999;
/// Offsets deep inside a large body (a full sync page, a bulk push).
pub const LARGE_OFFSETS: RangeInclusive<usize> = 20_000..=300_000;

/// The golden-ratio multiplier spreads consecutive indices over the seed space,
/// so connection `i` and `i + 1` of one trial get unrelated generators.
const INDEX_SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

/// The fate of connection `index` under `faults`: the same inputs always give
/// the same fate.
pub fn draw_fate(faults: &RandomFaults, index: u64) -> Fate {
    let mut rng = StdRng::seed_from_u64(faults.seed ^ index.wrapping_mul(INDEX_SPREAD));
    if !rng.random_bool(probability(faults.fault_probability)) {
        return Fate::Pass;
    }
    // Uniform over the six fault kinds; the order of draws below is part of
    // the reproducibility contract, so new kinds go at the end.
    match rng.random_range(0..6u8) {
        0 => Fate::ResetRequest {
            after: draw_offset(&mut rng),
        },
        1 => Fate::ResetResponse {
            after: draw_offset(&mut rng),
        },
        2 => Fate::Truncate {
            after: draw_offset(&mut rng),
        },
        3 => Fate::Delay {
            by: draw_delay(&mut rng, faults.max_delay),
        },
        4 => Fate::ServerErrorAfterForward,
        _ => Fate::ServerErrorNoForward {
            status: if rng.random_bool(0.5) { 500 } else { 502 },
        },
    }
}

/// `random_bool` panics outside `0..=1`; a caller's odd probability is not worth a panic.
fn probability(p: f64) -> f64 {
    if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) }
}

/// A third of the offsets land in each of the small, medium and large ranges,
/// so cuts inside headers, inside small bodies and deep in big ones all occur.
fn draw_offset(rng: &mut StdRng) -> usize {
    let range = match rng.random_range(0..3u8) {
        0 => SMALL_OFFSETS,
        1 => MEDIUM_OFFSETS,
        _ => LARGE_OFFSETS,
    };
    rng.random_range(range)
}

fn draw_delay(rng: &mut StdRng, max: Duration) -> Duration {
    let max_nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(rng.random_range(0..=max_nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random(seed: u64, fault_probability: f64) -> RandomFaults {
        RandomFaults {
            seed,
            fault_probability,
            max_delay: Duration::from_millis(500),
        }
    }

    fn sequence(faults: &RandomFaults, n: u64) -> Vec<Fate> {
        (0..n).map(|i| draw_fate(faults, i)).collect()
    }

    #[test]
    fn same_seed_and_index_give_the_same_fate() {
        let a = random(42, 0.6);
        let b = random(42, 0.6);
        assert_eq!(sequence(&a, 500), sequence(&b, 500));
        // Out of order too: the fate depends on the index alone, not on history.
        assert_eq!(draw_fate(&a, 377), sequence(&b, 500)[377]);
    }

    #[test]
    fn different_seeds_give_different_sequences() {
        assert_ne!(
            sequence(&random(1, 0.6), 200),
            sequence(&random(2, 0.6), 200)
        );
    }

    #[test]
    fn neighbouring_indices_are_not_all_alike() {
        let fates = sequence(&random(9, 0.5), 200);
        let passes = fates.iter().filter(|f| **f == Fate::Pass).count();
        assert!((50..=150).contains(&passes), "{passes} passes of 200");
    }

    #[test]
    fn probability_zero_always_passes_and_one_never_does() {
        assert!(
            sequence(&random(3, 0.0), 300)
                .iter()
                .all(|f| *f == Fate::Pass)
        );
        assert!(
            sequence(&random(3, 1.0), 300)
                .iter()
                .all(|f| *f != Fate::Pass)
        );
        // Out-of-range values are clamped instead of panicking.
        assert!(
            sequence(&random(3, -2.0), 50)
                .iter()
                .all(|f| *f == Fate::Pass)
        );
        assert!(
            sequence(&random(3, f64::NAN), 50)
                .iter()
                .all(|f| *f == Fate::Pass)
        );
        assert!(
            sequence(&random(3, 7.0), 50)
                .iter()
                .all(|f| *f != Fate::Pass)
        );
    }

    #[test]
    fn every_fault_kind_and_every_offset_range_occurs() {
        let faults = random(11, 1.0);
        let fates = sequence(&faults, 3000);
        let kinds = [
            fates.iter().any(|f| matches!(f, Fate::ResetRequest { .. })),
            fates
                .iter()
                .any(|f| matches!(f, Fate::ResetResponse { .. })),
            fates.iter().any(|f| matches!(f, Fate::Truncate { .. })),
            fates.iter().any(|f| matches!(f, Fate::Delay { .. })),
            fates.contains(&Fate::ServerErrorAfterForward),
            fates.contains(&Fate::ServerErrorNoForward { status: 500 }),
            fates.contains(&Fate::ServerErrorNoForward { status: 502 }),
        ];
        assert_eq!(kinds, [true; 7]);

        let offsets: Vec<usize> = fates
            .iter()
            .filter_map(|f| match f {
                Fate::ResetRequest { after }
                | Fate::ResetResponse { after }
                | Fate::Truncate { after } => Some(*after),
                _ => None,
            })
            .collect();
        for range in [SMALL_OFFSETS, MEDIUM_OFFSETS, LARGE_OFFSETS] {
            let hits = offsets.iter().filter(|o| range.contains(o)).count();
            // A third of ~1500 offsets expected in each range.
            assert!(hits > 300, "{hits} offsets in {range:?}");
        }
        assert!(offsets.iter().all(|o| *o <= *LARGE_OFFSETS.end()));
    }

    #[test]
    fn fault_kinds_are_roughly_uniform() {
        let fates = sequence(&random(5, 1.0), 6000);
        let count = |pred: fn(&Fate) -> bool| fates.iter().filter(|f| pred(f)).count();
        let counts = [
            count(|f| matches!(f, Fate::ResetRequest { .. })),
            count(|f| matches!(f, Fate::ResetResponse { .. })),
            count(|f| matches!(f, Fate::Truncate { .. })),
            count(|f| matches!(f, Fate::Delay { .. })),
            count(|f| matches!(f, Fate::ServerErrorAfterForward)),
            count(|f| matches!(f, Fate::ServerErrorNoForward { .. })),
        ];
        for c in counts {
            assert!((800..=1200).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn delays_stay_within_max_delay() {
        let faults = RandomFaults {
            seed: 8,
            fault_probability: 1.0,
            max_delay: Duration::from_millis(40),
        };
        let delays: Vec<Duration> = sequence(&faults, 2000)
            .into_iter()
            .filter_map(|f| match f {
                Fate::Delay { by } => Some(by),
                _ => None,
            })
            .collect();
        assert!(delays.len() > 100);
        assert!(delays.iter().all(|d| *d <= faults.max_delay));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(20)));

        let zero = RandomFaults {
            max_delay: Duration::ZERO,
            ..faults
        };
        assert!(sequence(&zero, 300).iter().all(|f| match f {
            Fate::Delay { by } => by.is_zero(),
            _ => true,
        }));
    }

    #[test]
    fn assign_maps_each_mode() {
        let latency = Duration::from_millis(50);
        assert_eq!(
            Faults::None.assign(3),
            Assignment {
                fate: Fate::Pass,
                one_way: Duration::ZERO
            }
        );
        assert_eq!(
            Faults::Latency { one_way: latency }.assign(3),
            Assignment {
                fate: Fate::Pass,
                one_way: latency
            }
        );
        let fate = Fate::Truncate { after: 12 };
        assert_eq!(Faults::Always(fate).assign(99).fate, fate);
        let r = random(4, 0.7);
        for i in 0..50 {
            assert_eq!(Faults::Random(r).assign(i).fate, draw_fate(&r, i));
        }
    }
}
