//! [`AppState`]: what every handler receives: the database and the back end's key pair.

use crate::data_dir::DataDir;
use crate::db::Db;
use kiosk_sync::seal::KeyPair;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Opens sealed submissions. Never logged, never sent.
    pub keys: Arc<KeyPair>,
    /// The public half, base64, sent to kiosks at enrolment.
    pub public_key: Arc<str>,
}

impl AppState {
    pub fn new(db: Db, keys: KeyPair) -> AppState {
        let public_key = keys.public_base64().into();
        AppState {
            db,
            keys: Arc::new(keys),
            public_key,
        }
    }

    /// The state for the data folder made by `backend init`: its key and its database.
    pub fn open(data_dir: &DataDir) -> anyhow::Result<AppState> {
        let keys = data_dir.load_key()?;
        let db = data_dir.open_db()?;
        Ok(AppState::new(db, keys))
    }
}
