//! Carries out what the kiosk machine (`kiosk_flow::machine`) asks of the store and the back
//! end: seal a submission into the outbox, queue a call for help and ask whether an
//! ambassador took it, ask where a request is. The
//! Slint window and the terminal simulator both use this one adapter, so a submission, a call
//! for help or a status lookup fails and answers the same way in both.
//!
//! Screens, speech and timers are the hosts' own; they never reach here.
//!
//! With a runtime (the appliance), sealing a submission and queueing a call for help run on
//! its blocking pool and answer through `reply`, so a slow disk or another process holding
//! the database (up to the store's busy timeout) never holds up the UI thread; without one
//! (the simulator, tests) they run at once.

use kiosk_flow::machine::{HelpCallAnswer, KioskEffect, KioskEvent, LookupAnswer, RequestState};
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
                        Ok(id) => {
                            tracing::info!(%id, "call for help queued");
                            Some(KioskEvent::HelpCallQueued { id })
                        }
                        Err(error) => {
                            // The machine never learns an id: it keeps saying "noted".
                            tracing::error!(%error, "call for help could not be stored");
                            None
                        }
                    }
                };
                match &self.runtime {
                    Some(runtime) => {
                        drop(runtime.spawn_blocking(move || {
                            if let Some(event) = queue_it() {
                                reply(event);
                            }
                        }));
                        None
                    }
                    None => queue_it(),
                }
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
            KioskEffect::AskHelpCall { id } => self.ask_help_call(id, reply),
            KioskEffect::LookupStatus { receipt } => self.lookup(receipt, reply),
            _ => None,
        }
    }

    /// The back end's client, on the host's runtime, if the kiosk is enrolled.
    fn client(&self) -> Option<(tokio::runtime::Handle, Client)> {
        let Storage::Store(store) = &self.storage else {
            return None;
        };
        let identity = match store.identity() {
            Ok(Some(identity)) => identity,
            Ok(None) => return None,
            Err(error) => {
                tracing::warn!(%error, "identity unreadable");
                return None;
            }
        };
        let client = Client::new(&identity.backend_url, Some(identity.token.clone())).ok()?;
        Some((self.runtime.clone()?, client))
    }

    /// Asks the back end whether an ambassador took call `id`; a call still in this kiosk's
    /// outbox has not reached it (answered at once).
    fn ask_help_call(
        &self,
        id: &str,
        reply: impl FnOnce(KioskEvent) + Send + 'static,
    ) -> Option<KioskEvent> {
        let _span = tracing::info_span!("host.ask_help_call", %id).entered();
        let answer = |answer| Some(KioskEvent::HelpCall(answer));
        if let Storage::Store(store) = &self.storage {
            match store.help_call_delivered(id) {
                Ok(false) => return answer(HelpCallAnswer::NotReceived),
                Ok(true) => {}
                Err(error) => tracing::warn!(%error, "help call lookup failed"),
            }
        }
        let Some((runtime, client)) = self.client() else {
            return answer(HelpCallAnswer::Offline);
        };
        let id = id.to_string();
        runtime.spawn(async move {
            let answer = match client.help_call_state(&id).await {
                Ok(Some(state)) => match (state.taken, state.closed) {
                    (Some(mode), _) => HelpCallAnswer::Taken(mode),
                    (None, true) => HelpCallAnswer::Closed,
                    (None, false) => HelpCallAnswer::Open,
                },
                Ok(None) => HelpCallAnswer::NotReceived,
                Err(error) => {
                    tracing::warn!(%error, "help call state unavailable");
                    HelpCallAnswer::Offline
                }
            };
            reply(KioskEvent::HelpCall(answer));
        });
        None
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
                    booking: status.booking,
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
