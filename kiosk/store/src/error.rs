//! The store's errors. Messages are French: the kiosk's supervisor screen and the
//! `kiosk` command line show them as they are. No message carries personal data.

use std::path::PathBuf;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No identity yet: the kiosk was never enrolled with the back end.
    #[error(
        "cette borne n'est pas encore inscrite auprès du serveur : lancez `kiosk enroll URL CODE`"
    )]
    NotEnrolled,

    /// The identity given to [`crate::Store::set_identity`] is unusable.
    #[error("identité de la borne invalide : {0}")]
    BadIdentity(&'static str),

    /// The database or its folder could not be made private (0600, 0700).
    #[error("impossible de protéger {path} (fichier 0600, dossier 0700) : {source}")]
    Private {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// SQLite said no (busy for too long, disk full, damaged file...).
    #[error("erreur de la base de données locale : {0}")]
    Database(#[from] rusqlite::Error),

    /// The schema could not be brought up to date.
    #[error("impossible de mettre à jour la base de données locale : {0}")]
    Migration(#[from] rusqlite_migration::Error),

    /// The submission could not be sealed (usually: a bad public key in the identity).
    #[error("impossible de chiffrer la demande : {0}")]
    Seal(#[from] kiosk_sync::seal::SealError),

    /// The submission could not be turned into JSON.
    #[error("impossible de préparer la demande : {0}")]
    Json(#[from] serde_json::Error),

    /// A receipt code given to the store does not have the `AB3-7KQ` shape or the kiosk's prefix.
    #[error("code de reçu invalide : {0}")]
    BadReceipt(String),

    /// Every receipt code tried was already taken.
    #[error("impossible de trouver un code de reçu libre après {0} essais")]
    ReceiptsExhausted(usize),

    /// `mark_delivered` or `mark_failed` for an id the store never queued.
    #[error("élément inconnu dans la file d'envoi : {0}")]
    UnknownId(String),

    /// A value read back from the database is not what the schema promises.
    #[error("donnée illisible dans la base locale : {0}")]
    Corrupt(String),
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
