//! [`AppState`]: what every handler receives: the database, the back end's key pair, the
//! server's settings, and the bell that wakes the notifier.

use crate::config::Settings;
use crate::data_dir::DataDir;
use crate::db::Db;
use kiosk_sync::catalog::{self, SigningKey};
use kiosk_sync::seal::KeyPair;
use rand::Rng;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Opens sealed submissions. Never logged, never sent.
    pub keys: Arc<KeyPair>,
    /// The public half, base64, sent to kiosks at enrolment.
    pub public_key: Arc<str>,
    /// Signs the catalogs of published flows. Never logged, never sent.
    pub signing_key: Arc<SigningKey>,
    /// Its public half, base64, sent to kiosks at enrolment.
    pub catalog_key: Arc<str>,
    /// The shipped flows (`serve --flows DIR`), for flows never published.
    pub shipped_flows: Arc<crate::known_flows::ShippedFlows>,
    /// Every known flow (published over shipped), loaded once per catalog revision.
    pub known_flows: Arc<crate::known_flows::KnownFlowsCache>,
    pub settings: Arc<Settings>,
    /// Rung when new notifications are queued, so the notifier sends them at once.
    pub outbox_bell: Arc<Notify>,
}

impl AppState {
    /// A state with the default [`Settings`] (Secure cookies, no email) and a fresh catalog
    /// signing key (the data folder's replaces it in [`AppState::open`]).
    pub fn new(db: Db, keys: KeyPair) -> AppState {
        let public_key = keys.public_base64().into();
        let mut secret = [0u8; 32];
        rand::rng().fill(&mut secret);
        let (signing_key, _) = catalog::signing_key_from_bytes(secret);
        AppState {
            db,
            keys: Arc::new(keys),
            public_key,
            catalog_key: catalog::public_key_base64(&signing_key).into(),
            signing_key: Arc::new(signing_key),
            shipped_flows: Arc::default(),
            known_flows: Arc::default(),
            settings: Arc::new(Settings::default()),
            outbox_bell: Arc::new(Notify::new()),
        }
    }

    /// The state for the data folder made by `backend init`: its key and its database.
    pub fn open(data_dir: &DataDir) -> anyhow::Result<AppState> {
        let keys = data_dir.load_key()?;
        let db = data_dir.open_db()?;
        let signing_key = data_dir.load_signing_key()?;
        Ok(AppState::new(db, keys).with_signing_key(signing_key))
    }

    pub fn with_signing_key(self, signing_key: SigningKey) -> AppState {
        AppState {
            catalog_key: catalog::public_key_base64(&signing_key).into(),
            signing_key: Arc::new(signing_key),
            ..self
        }
    }

    pub fn with_shipped_flows(self, flows: crate::known_flows::ShippedFlows) -> AppState {
        AppState {
            shipped_flows: Arc::new(flows),
            ..self
        }
    }

    pub fn with_settings(self, settings: Settings) -> AppState {
        AppState {
            settings: Arc::new(settings),
            ..self
        }
    }
}
