//! What the benchmarks share.

use std::time::{Duration, Instant};

/// The shortest of `rounds` runs of `f`, to lessen the noise of a shared machine.
pub fn best_of(rounds: usize, mut f: impl FnMut()) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}
