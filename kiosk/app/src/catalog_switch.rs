//! Switching the appliance to a newly installed catalog: the new flows' fixed prompts are
//! synthesized into the voice cache first (with the current ones still allowed, so nothing
//! in use is evicted), then the flows go to the UI's machine, which keeps them pending
//! until the attract screen (`KioskEvent::FlowsChanged`): never during a citizen's session.

use crate::installed;
use crate::voice_engine::VoiceEngine;
use kiosk_flow::Flow;
use kiosk_ui::ControllerHandle;
use std::path::PathBuf;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;
use tracing::{info, warn};

/// The longest wait for the cache before switching anyway (a slow voice must not keep the
/// kiosk on withdrawn flows forever).
const WARM_WAIT: Duration = Duration::from_secs(600);

/// How far the voice worker is in warming its current list.
#[derive(Default)]
struct Warming {
    done: usize,
    total: usize,
}

/// What the voice worker reports of its warming, for [`CatalogSwitch`] to wait on.
#[derive(Clone, Default)]
pub struct WarmProgress(Arc<(Mutex<Warming>, Condvar)>);

impl WarmProgress {
    /// From the voice worker's `CacheProgress` report.
    pub fn report(&self, done: usize, total: usize) {
        let (lock, ready) = &*self.0;
        let mut warming = lock.lock().unwrap_or_else(PoisonError::into_inner);
        warming.done = done;
        warming.total = total;
        ready.notify_all();
    }

    fn start(&self, total: usize) {
        let (lock, _) = &*self.0;
        *lock.lock().unwrap_or_else(PoisonError::into_inner) = Warming { done: 0, total };
    }

    /// Waits until `total` texts are warm, at most `limit`; whether they are.
    fn wait(&self, total: usize, limit: Duration) -> bool {
        let (lock, ready) = &*self.0;
        let guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = ready
            .wait_timeout_while(guard, limit, |w| w.total != total || w.done < total)
            .unwrap_or_else(PoisonError::into_inner);
        guard.total == total && guard.done >= total
    }
}

/// The fixed prompts of `flows` (with the machine's own), sorted, without duplicates.
pub fn prompts<'a>(flows: impl IntoIterator<Item = &'a Arc<Flow>>) -> Vec<String> {
    let mut prompts = kiosk_flow::machine::fixed_prompts(flows.into_iter().map(|f| f.as_ref()));
    prompts.sort();
    prompts.dedup();
    prompts
}

/// Hands new catalogs to the UI once their prompts are warm.
#[derive(Clone)]
pub struct CatalogSwitch {
    pub engine: Arc<VoiceEngine>,
    pub progress: WarmProgress,
    /// The flows the UI has (or will have at its next attract screen).
    pub current: Arc<Mutex<Vec<Arc<Flow>>>>,
    pub handle: Arc<Mutex<Option<ControllerHandle>>>,
    pub store_path: PathBuf,
    pub shipped: PathBuf,
}

impl CatalogSwitch {
    /// Warms the prompts of the flows offered at start.
    pub fn warm_current(&self) {
        let texts = prompts(
            self.current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter(),
        );
        self.progress.start(texts.len());
        self.engine.warm_cache(texts);
    }

    /// On a thread of its own, once the recognition model is loaded: the flows offered at start
    /// checked against its vocabulary, and handed again to the UI if a question must be
    /// listened to in free dictation (see [`crate::flow_vocabulary`]).
    pub fn adapt_current(&self) {
        let switch = self.clone();
        let spawned = std::thread::Builder::new()
            .name("vocabulary".into())
            .spawn(move || {
                let current = switch
                    .current
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone();
                let adapted = switch.adapted(current.clone());
                if adapted.iter().zip(&current).all(|(a, c)| Arc::ptr_eq(a, c)) {
                    return;
                }
                switch.hand_to_ui(adapted);
            });
        if let Err(e) = spawned {
            warn!(error = %e, "vocabulary thread not started");
        }
    }

    fn adapted(&self, flows: Vec<Arc<Flow>>) -> Vec<Arc<Flow>> {
        crate::flow_vocabulary::adapt(flows, &|words| self.engine.known_words(words))
    }

    /// Makes `flows` current and gives them to the UI (waiting for it to exist, at start).
    fn hand_to_ui(&self, flows: Vec<Arc<Flow>>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = flows.clone();
        for _ in 0..600 {
            if let Some(handle) = *self.handle.lock().unwrap_or_else(PoisonError::into_inner) {
                handle.set_flows(flows);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        warn!("no UI to hand the flows to");
    }

    /// A catalog was installed: on a thread of its own, read it back (verified again), warm
    /// its prompts, then give it to the UI.
    pub fn installed(&self) {
        let switch = self.clone();
        let spawned = std::thread::Builder::new()
            .name("catalog-switch".into())
            .spawn(move || switch.switch());
        if let Err(e) = spawned {
            warn!(error = %e, "catalog switch thread not started");
        }
    }

    fn switch(&self) {
        let _span = tracing::info_span!("catalog_switch").entered();
        let store = match kiosk_store::Store::open(&self.store_path) {
            Ok(store) => store,
            Err(e) => {
                warn!(error = %e, "store unreadable: catalog not switched");
                return;
            }
        };
        let offered = installed::offered(Some(&store), &self.shipped);
        for problem in &offered.problems {
            warn!(problem = %problem, "catalog");
        }
        // The new prompts first, the current ones still allowed in the cache meanwhile.
        let mut texts = prompts(offered.flows.iter());
        let current = self
            .current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        texts.extend(prompts(current.iter()));
        texts.sort();
        texts.dedup();
        self.progress.start(texts.len());
        self.engine.warm_cache(texts.clone());
        if !self.progress.wait(texts.len(), WARM_WAIT) {
            warn!("prompt cache not warm in time: switching anyway");
        }
        let flows = self.adapted(offered.flows);
        let count = flows.len();
        self.hand_to_ui(flows);
        info!(
            flows = count,
            version = offered.catalog_version,
            "new flows handed to the UI, used from the next person on"
        );
        // Once switched, only the new flows' prompts may stay in the cache.
        self.warm_current();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiting_ends_when_the_whole_list_is_warm() {
        let progress = WarmProgress::default();
        progress.start(3);
        assert!(!progress.wait(3, Duration::from_millis(10)));
        let reporter = progress.clone();
        let worker = std::thread::spawn(move || {
            for done in 1..=3 {
                reporter.report(done, 3);
            }
        });
        assert!(progress.wait(3, Duration::from_secs(5)));
        worker.join().unwrap();
    }
}
