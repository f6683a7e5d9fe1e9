//! [`AppState`]: what every handler receives: the database, the back end's key pair, the
//! server's settings, and the bell that wakes the notifier.

use crate::config::Settings;
use crate::data_dir::DataDir;
use crate::db::Db;
use kiosk_sync::seal::KeyPair;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Opens sealed submissions. Never logged, never sent.
    pub keys: Arc<KeyPair>,
    /// The public half, base64, sent to kiosks at enrolment.
    pub public_key: Arc<str>,
    pub settings: Arc<Settings>,
    /// Rung when new notifications are queued, so the notifier sends them at once.
    pub outbox_bell: Arc<Notify>,
}

impl AppState {
    /// A state with the default [`Settings`] (Secure cookies, no email).
    pub fn new(db: Db, keys: KeyPair) -> AppState {
        let public_key = keys.public_base64().into();
        AppState {
            db,
            keys: Arc::new(keys),
            public_key,
            settings: Arc::new(Settings::default()),
            outbox_bell: Arc::new(Notify::new()),
        }
    }

    /// The state for the data folder made by `backend init`: its key and its database.
    pub fn open(data_dir: &DataDir) -> anyhow::Result<AppState> {
        let keys = data_dir.load_key()?;
        let db = data_dir.open_db()?;
        Ok(AppState::new(db, keys))
    }

    pub fn with_settings(self, settings: Settings) -> AppState {
        AppState {
            settings: Arc::new(settings),
            ..self
        }
    }
}
