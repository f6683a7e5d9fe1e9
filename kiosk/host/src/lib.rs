//! Carries out what the kiosk machine (`kiosk_flow::machine`) asks of the store and the back
//! end: seal a submission into the outbox, queue a call for help, ask where a request is. The
//! Slint window and the terminal simulator both use this one adapter, so a submission, a call
//! for help or a status lookup fails and answers the same way in both.
//!
//! Screens, speech and timers are the hosts' own; they never reach here.
//!
//! With a runtime (the appliance), sealing a submission and queueing a call for help run on
//! its blocking pool and answer through `reply`, so a slow disk or another process holding
//! the database (up to the store's busy timeout) never holds up the UI thread; without one
//! (the simulator, tests) they run at once.

use kiosk_flow::machine::{KioskEffect, KioskEvent, LookupAnswer, RequestState};
use kiosk_store::{DeliveryState, Store};
use kiosk_sync::client::Client;
use kiosk_sync::wire::RequestStatus;
use std::sync::Arc;

/// A preview's receipt code (screenshots, `kiosk simulate` without `--submit`).
pub const SAMPLE_RECEIPT: &str = "K7M-4PQ";

/// Where submissions and calls for help go.
#[derive(Clone)]
pub enum Storage {
    /// The kiosk's store: submissions sealed into the outbox, calls for help queued.
    Store(Arc<Store>),
    /// Previews: nothing is kept; the receipt code is [`SAMPLE_RECEIPT`].
    Preview,
}

/// The adapter. Lookups run on `runtime` (the sync loop's tokio runtime).
#[derive(Clone)]
pub struct Host {
    storage: Storage,
    runtime: Option<tokio::runtime::Handle>,
}

impl Host {
    pub fn new(storage: Storage, runtime: Option<tokio::runtime::Handle>) -> Host {
        Host { storage, runtime }
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Whether the kiosk is enrolled: what it queues will reach the back end.
    pub fn can_send(&self) -> bool {
        match &self.storage {
            Storage::Store(store) => matches!(store.identity(), Ok(Some(_))),
            Storage::Preview => true,
        }
    }

    /// Carries out a storage or network effect; other effects are the host's own and are
    /// ignored here. An answer that is ready at once is returned; a lookup's answer comes
    /// later, from another thread, through `reply`.
    pub fn carry_out(
        &self,
        effect: &KioskEffect,
        reply: impl FnOnce(KioskEvent) + Send + 'static,
    ) -> Option<KioskEvent> {
        match effect {
            KioskEffect::Submit(submission) => {
                let store = match &self.storage {
                    Storage::Preview => {
                        return Some(KioskEvent::Stored {
                            receipt: SAMPLE_RECEIPT.to_string(),
                        })
                    }
                    Storage::Store(store) => Arc::clone(store),
                };
                let submission = submission.clone();
                let span = tracing::info_span!("host.submit", flow_id = %submission.flow_id);
                let store_it = move || {
                    let _span = span.entered();
                    match store.queue_submission(&submission) {
                        Ok(queued) => {
                            tracing::info!(id = %queued.id, "submission sealed and queued");
                            KioskEvent::Stored {
                                receipt: queued.receipt,
                            }
                        }
                        Err(error) => {
                            tracing::error!(%error, "submission could not be stored");
                            KioskEvent::StoreFailed
                        }
                    }
                };
                match &self.runtime {
                    Some(runtime) => {
                        runtime.spawn_blocking(move || reply(store_it()));
                        None
                    }
                    None => Some(store_it()),
                }
            }
            KioskEffect::CallForHelp { flow_id, step_id } => {
                let Storage::Store(store) = &self.storage else {
                    return None;
                };
                let (store, flow_id, step_id) =
                    (Arc::clone(store), flow_id.clone(), step_id.clone());
                let span = tracing::info_span!("host.call_for_help", %flow_id, %step_id);
                let queue_it = move || {
                    let _span = span.entered();
                    match store.queue_help_call(&flow_id, &step_id) {
                        Ok(_) => tracing::info!("call for help queued"),
                        Err(error) => tracing::error!(%error, "call for help could not be stored"),
                    }
                };
                match &self.runtime {
                    Some(runtime) => drop(runtime.spawn_blocking(queue_it)),
                    None => queue_it(),
                }
                None
            }
            // The supervisor's « Réessayer »: one short UPDATE, done at once so that the
            // screen shows the new count (no citizen is at the kiosk then).
            KioskEffect::RetryRefused => {
                if let Storage::Store(store) = &self.storage {
                    match store.retry_refused() {
                        Ok(count) => tracing::info!(count, "refused submissions queued again"),
                        Err(error) => tracing::error!(%error, "refused submissions not requeued"),
                    }
                }
                None
            }
            KioskEffect::LookupStatus { receipt } => self.lookup(receipt, reply),
            _ => None,
        }
    }

    fn lookup(
        &self,
        receipt: &str,
        reply: impl FnOnce(KioskEvent) + Send + 'static,
    ) -> Option<KioskEvent> {
        let _span = tracing::info_span!("host.lookup_status").entered();
        let looked = |answer| Some(KioskEvent::Looked(answer));
        let store = match &self.storage {
            Storage::Store(store) => store,
            Storage::Preview => return looked(LookupAnswer::Offline),
        };
        // A request made here and not delivered yet: the back end cannot know it.
        match store.lookup_receipt(receipt) {
            Ok(Some(entry)) if entry.state != DeliveryState::Delivered => {
                return looked(LookupAnswer::Queued)
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "outbox lookup failed"),
        }
        let identity = match store.identity() {
            Ok(Some(identity)) => identity,
            Ok(None) => return looked(LookupAnswer::NotEnrolled),
            Err(error) => {
                tracing::warn!(%error, "identity unreadable");
                return looked(LookupAnswer::NotEnrolled);
            }
        };
        let (Some(runtime), Ok(client)) = (
            self.runtime.clone(),
            Client::new(&identity.backend_url, Some(identity.token.clone())),
        ) else {
            return looked(LookupAnswer::Offline);
        };
        let receipt = receipt.to_string();
        runtime.spawn(async move {
            let answer = match client.status(&receipt).await {
                Ok(Some(status)) => LookupAnswer::Found {
                    state: match status.status {
                        RequestStatus::Recu => RequestState::Received,
                        RequestStatus::EnCours => RequestState::InProgress,
                        RequestStatus::Traite => RequestState::Done,
                        RequestStatus::Rejete => RequestState::Rejected,
                    },
                    note: status.note,
                },
                Ok(None) => LookupAnswer::NotFound,
                Err(error) => {
                    tracing::warn!(%error, "status lookup failed");
                    LookupAnswer::Offline
                }
            };
            reply(KioskEvent::Looked(answer));
        });
        None
    }
}
