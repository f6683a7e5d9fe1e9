//! Half-duplex: the microphone is muted while the kiosk speaks and for a short tail after.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Whether the kiosk is speaking: capture drops what it hears meanwhile and for a short tail
/// after. Cheap to clone; shared by [`super::Playback`], [`super::Capture`] and the app.
#[derive(Debug, Clone)]
pub struct HalfDuplex(Arc<HalfDuplexInner>);

#[derive(Debug)]
struct HalfDuplexInner {
    origin: Instant,
    speakers: AtomicUsize,
    /// Nanoseconds after `origin` until which the microphone stays muted.
    muted_until: AtomicU64,
    tail: Duration,
}

/// Keeps the microphone muted while it lives; see [`HalfDuplex::speaking`].
#[derive(Debug)]
pub struct Speaking(HalfDuplex);

impl Drop for Speaking {
    fn drop(&mut self) {
        let inner = &self.0 .0;
        let until = inner.origin.elapsed() + inner.tail;
        inner
            .muted_until
            .fetch_max(until.as_nanos() as u64, Ordering::SeqCst);
        inner.speakers.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Default for HalfDuplex {
    /// A 300 ms tail: the output buffer's last samples and the room's echo.
    fn default() -> Self {
        Self::new(Duration::from_millis(300))
    }
}

impl HalfDuplex {
    pub fn new(tail: Duration) -> Self {
        Self(Arc::new(HalfDuplexInner {
            origin: Instant::now(),
            speakers: AtomicUsize::new(0),
            muted_until: AtomicU64::new(0),
            tail,
        }))
    }

    /// The kiosk speaks until the guard is dropped, then the tail runs. Guards nest:
    /// [`super::Playback`] takes one per sentence, the app may hold one for a whole prompt.
    pub fn speaking(&self) -> Speaking {
        self.0.speakers.fetch_add(1, Ordering::SeqCst);
        Speaking(self.clone())
    }

    /// Whether the microphone is muted now.
    pub fn is_muted(&self) -> bool {
        let inner = &self.0;
        inner.speakers.load(Ordering::SeqCst) > 0
            || (inner.origin.elapsed().as_nanos() as u64) < inner.muted_until.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_microphone_stays_muted_while_speaking_and_for_the_tail() {
        let duplex = HalfDuplex::new(Duration::from_millis(150));
        assert!(!duplex.is_muted());
        let outer = duplex.speaking();
        let inner = duplex.speaking();
        assert!(duplex.is_muted());
        drop(inner);
        assert!(duplex.is_muted(), "the outer guard still holds");
        drop(outer);
        assert!(duplex.is_muted(), "the tail follows the speech");
        std::thread::sleep(Duration::from_millis(200));
        assert!(!duplex.is_muted());
    }
}
