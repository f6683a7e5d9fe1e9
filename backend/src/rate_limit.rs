//! In-memory rate limits per key (a token bucket each): the receipt status look-ups of each
//! kiosk ([`STATUS_LOOKUPS`]), so a kiosk's token cannot be used to try receipt codes by the
//! thousand. Kept in memory: a restart forgets them, which costs an attacker nothing it did
//! not already have. The sweeper drops buckets that are full again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A bucket of `burst` tokens, refilled at `per_minute` tokens a minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub burst: f64,
    pub per_minute: f64,
}

/// Receipt status look-ups per kiosk: 30 at once, then one every 2 seconds (a citizen
/// types one code; a queue at the kiosk asks a few a minute).
pub const STATUS_LOOKUPS: Rate = Rate {
    burst: 30.0,
    per_minute: 30.0,
};

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets per key, all with one [`Rate`].
#[derive(Debug)]
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Limiter {
        Limiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `key` at `now`: `Ok`, or how long until one is there.
    pub fn take(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.rate.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens =
            (bucket.tokens + elapsed * self.rate.per_minute / 60.0).min(self.rate.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - bucket.tokens;
            Err(Duration::from_secs_f64(
                missing * 60.0 / self.rate.per_minute,
            ))
        }
    }

    /// Drops the buckets that have refilled by `now` (they would start full anyway).
    pub fn forget_full(&self, now: Instant) {
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let refill = Duration::from_secs_f64(self.rate.burst * 60.0 / self.rate.per_minute);
        buckets.retain(|_, bucket| now.saturating_duration_since(bucket.updated) < refill);
    }

    pub fn len(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The server's limiters.
#[derive(Debug)]
pub struct RateLimits {
    /// Receipt status look-ups, per kiosk id.
    pub status_lookups: Limiter,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            status_lookups: Limiter::new(STATUS_LOOKUPS),
        }
    }
}

impl RateLimits {
    /// Drops every bucket that is full again.
    pub fn forget_idle(&self) {
        self.status_lookups.forget_full(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_empties_then_refills_with_time() {
        let limiter = Limiter::new(Rate {
            burst: 3.0,
            per_minute: 60.0,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", t0), Ok(()));
        }
        let wait = limiter.take("a", t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(900) && wait <= Duration::from_secs(1),
            "{wait:?}"
        );
        // Another key has its own bucket.
        assert_eq!(limiter.take("b", t0), Ok(()));
        assert_eq!(limiter.take("a", t0 + Duration::from_secs(1)), Ok(()));
        assert!(limiter.take("a", t0 + Duration::from_secs(1)).is_err());
        limiter.forget_full(t0 + Duration::from_secs(2));
        assert_eq!(limiter.len(), 2);
        limiter.forget_full(t0 + Duration::from_secs(10));
        assert!(limiter.is_empty());
    }
}
