//! Guesses of enrolment codes, limited per network address: [`GuessLimiter`] counts the
//! wrong codes an address sends in a window; past the limit the address is refused (429,
//! even with a right code) until the window ends. IPv6 addresses count by their /64, the
//! block one subscriber holds. In memory: a restart forgets the counts, which with 60-bit
//! codes that expire after 7 days still leaves guessing hopeless.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Wrong enrolment codes an address may send per window.
pub const MAX_WRONG_CODES: u32 = 10;
/// The window: an hour from the address's first wrong code.
pub const WINDOW: Duration = Duration::from_secs(3600);
/// Past this many addresses, windows that ended are forgotten.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Default)]
pub struct GuessLimiter {
    by_address: Mutex<HashMap<IpAddr, Window>>,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    wrong: u32,
}

/// The key an address is counted under: itself, or its /64 for IPv6.
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

impl GuessLimiter {
    /// `Err(wait)` when `address` used up its wrong codes: how long until it may try again.
    pub fn check(&self, address: Option<IpAddr>, now: Instant) -> Result<(), Duration> {
        let Some(address) = address else {
            return Ok(());
        };
        let map = self
            .by_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match map.get(&key(address)) {
            Some(window) if window.wrong >= MAX_WRONG_CODES => {
                let ends = window.started + WINDOW;
                if ends > now {
                    Err(ends - now)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong code from `address`.
    pub fn wrong_code(&self, address: Option<IpAddr>, now: Instant) {
        let Some(address) = address else {
            return;
        };
        let mut map = self
            .by_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if map.len() > PRUNE_ABOVE {
            map.retain(|_, window| window.started + WINDOW > now);
        }
        let window = map.entry(key(address)).or_insert(Window {
            started: now,
            wrong: 0,
        });
        if window.started + WINDOW <= now {
            *window = Window {
                started: now,
                wrong: 0,
            };
        }
        window.wrong = window.wrong.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_stopped_after_its_wrong_codes_until_the_window_ends() {
        let limiter = GuessLimiter::default();
        let start = Instant::now();
        let here: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..MAX_WRONG_CODES {
            assert_eq!(limiter.check(Some(here), start), Ok(()));
            limiter.wrong_code(Some(here), start);
        }
        assert_eq!(limiter.check(Some(here), start), Err(WINDOW));
        // Another address is not concerned; the same /64 is.
        assert_eq!(
            limiter.check(Some("203.0.113.8".parse().unwrap()), start),
            Ok(())
        );
        let v6: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        for _ in 0..MAX_WRONG_CODES {
            limiter.wrong_code(Some(v6), start);
        }
        let neighbour: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert!(limiter.check(Some(neighbour), start).is_err());
        assert_eq!(
            limiter.check(Some("2001:db8:1:3::1".parse().unwrap()), start),
            Ok(())
        );
        // An hour later, the count starts again.
        let later = start + WINDOW;
        assert_eq!(limiter.check(Some(here), later), Ok(()));
        limiter.wrong_code(Some(here), later);
        assert_eq!(limiter.check(Some(here), later), Ok(()));
    }
}
