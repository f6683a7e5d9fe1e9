//! When to try again after a failed delivery: a pure function, so the policy is testable
//! and the sync client only supplies the randomness.
//!
//! Exponential from 1 s, doubling, capped at 5 minutes, with "equal jitter": the delay is
//! between half the step and the whole step, so kiosks that lost the network together do
//! not all come back at the same instant, and no retry ever comes immediately. It never
//! gives up: an answer waits as long as it takes.

use std::time::Duration;

/// The first step.
pub const BASE: Duration = Duration::from_secs(1);
/// The largest step.
pub const CAP: Duration = Duration::from_secs(5 * 60);
/// How long a submission the back end refused for good waits before its next try (unless
/// the supervisor asks sooner).
pub const REFUSED_RETRY: Duration = Duration::from_secs(24 * 60 * 60);

/// The delay before the next try, after `attempts` failed tries (1 after the first failure;
/// 0 is taken as 1). `jitter` is a random number in `0..1` (outside values are clamped,
/// NaN counts as 0.5). The result lies in `[step / 2, step]`, where
/// `step = min(1 s × 2^(attempts - 1), 5 min)`.
pub fn next_delay(attempts: u32, jitter: f64) -> Duration {
    let exponent = attempts.saturating_sub(1).min(30);
    let step = BASE
        .checked_mul(1u32 << exponent)
        .map_or(CAP, |d| d.min(CAP));
    let jitter = if jitter.is_nan() {
        0.5
    } else {
        jitter.clamp(0.0, 1.0)
    };
    let half = step / 2;
    half + half.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_one_second() {
        assert_eq!(next_delay(1, 1.0), Duration::from_secs(1));
        assert_eq!(next_delay(2, 1.0), Duration::from_secs(2));
        assert_eq!(next_delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(next_delay(9, 1.0), Duration::from_secs(256));
        assert_eq!(next_delay(0, 1.0), next_delay(1, 1.0));
    }

    #[test]
    fn is_capped_at_five_minutes_and_never_gives_up() {
        assert_eq!(next_delay(10, 1.0), CAP);
        assert_eq!(next_delay(1_000, 1.0), CAP);
        assert_eq!(next_delay(u32::MAX, 1.0), CAP);
        assert_eq!(next_delay(u32::MAX, 0.0), CAP / 2);
    }

    #[test]
    fn jitter_stays_between_half_and_whole_step() {
        for attempts in 0..40 {
            let whole = next_delay(attempts, 1.0);
            let half = next_delay(attempts, 0.0);
            assert_eq!(half, whole / 2);
            for j in [0.0, 0.1, 0.5, 0.9, 0.999_999] {
                let d = next_delay(attempts, j);
                assert!(d >= half && d <= whole, "{attempts} {j} {d:?}");
            }
            assert!(half > Duration::ZERO);
        }
    }

    #[test]
    fn odd_jitter_values_are_tamed() {
        assert_eq!(next_delay(3, -5.0), next_delay(3, 0.0));
        assert_eq!(next_delay(3, 7.0), next_delay(3, 1.0));
        assert_eq!(next_delay(3, f64::NAN), next_delay(3, 0.5));
        assert_eq!(next_delay(3, f64::INFINITY), next_delay(3, 1.0));
    }

    #[test]
    fn is_monotonic_in_attempts() {
        for a in 1..40 {
            assert!(next_delay(a + 1, 0.5) >= next_delay(a, 0.5));
        }
    }
}
