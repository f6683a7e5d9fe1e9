//! Who this kiosk is for the back end: written once at enrolment, read by sync.

use crate::error::{Result, StoreError};
use crate::receipt::is_valid_prefix;
use crate::{fmt_time, Store};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Utc};
use kiosk_sync::wire::EnrollResponse;
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use std::fmt;

/// The kiosk's identity. `Debug` hides the token, so it never reaches a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    /// The kiosk's id in the back end (a UUID).
    pub kiosk_id: String,
    pub name: String,
    pub place: String,
    /// The back end's base URL (`https://...`), without `/api/v1`.
    pub backend_url: String,
    /// The device token (`Authorization: Bearer ...`). Secret.
    pub token: String,
    /// The back end's X25519 public key, base64: submissions are sealed to it.
    pub public_key: String,
    /// Two characters that start every receipt code of this kiosk.
    pub receipt_prefix: String,
    /// RFC 3339 UTC.
    pub enrolled_at: String,
    /// The back end's Ed25519 public key, base64: published catalogs are signed with it.
    /// Empty for a kiosk enrolled before publishing existed (it keeps its shipped flows).
    pub catalog_key: String,
}

impl Identity {
    /// The identity the back end's enrolment answer describes.
    pub fn from_enrollment(
        answer: &EnrollResponse,
        backend_url: &str,
        enrolled_at: DateTime<Utc>,
    ) -> Identity {
        Identity {
            kiosk_id: answer.kiosk_id.clone(),
            name: answer.name.clone(),
            place: answer.place.clone(),
            backend_url: backend_url.trim_end_matches('/').to_owned(),
            token: answer.token.clone(),
            public_key: answer.public_key.clone(),
            receipt_prefix: answer.receipt_prefix.clone(),
            enrolled_at: fmt_time(enrolled_at),
            catalog_key: answer.catalog_key.clone(),
        }
    }

    fn check(&self) -> Result<()> {
        if self.kiosk_id.trim().is_empty() {
            return Err(StoreError::BadIdentity("identifiant de borne vide"));
        }
        if self.backend_url.trim().is_empty() {
            return Err(StoreError::BadIdentity("adresse du serveur vide"));
        }
        if self.token.trim().is_empty() {
            return Err(StoreError::BadIdentity("jeton vide"));
        }
        let key_ok = STANDARD
            .decode(self.public_key.trim())
            .is_ok_and(|k| k.len() == 32);
        if !key_ok {
            return Err(StoreError::BadIdentity(
                "clé publique du serveur invalide (32 octets en base64 attendus)",
            ));
        }
        if !self.catalog_key.is_empty() && !kiosk_sync::catalog::is_public_key(&self.catalog_key) {
            return Err(StoreError::BadIdentity(
                "clé de signature du serveur invalide (32 octets en base64 attendus)",
            ));
        }
        if !is_valid_prefix(&self.receipt_prefix) {
            return Err(StoreError::BadIdentity(
                "le préfixe des reçus doit faire 2 caractères de l'alphabet des reçus",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("kiosk_id", &self.kiosk_id)
            .field("name", &self.name)
            .field("place", &self.place)
            .field("backend_url", &self.backend_url)
            .field("token", &"<masqué>")
            .field("public_key", &self.public_key)
            .field("receipt_prefix", &self.receipt_prefix)
            .field("enrolled_at", &self.enrolled_at)
            .field("catalog_key", &self.catalog_key)
            .finish()
    }
}

impl Store {
    /// Records (or replaces, on a new enrolment) the kiosk's identity.
    /// Refuses an identity with an empty id, URL or token, a public key that is not
    /// 32 bytes of base64, or a receipt prefix that is not 2 characters of the alphabet.
    #[tracing::instrument(name = "store.set_identity", skip_all, fields(kiosk_id = %identity.kiosk_id))]
    pub fn set_identity(&self, identity: &Identity) -> Result<()> {
        identity.check()?;
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO identity (id, kiosk_id, name, place, backend_url, token, public_key,
                                   receipt_prefix, enrolled_at, catalog_key)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET
                kiosk_id = excluded.kiosk_id, name = excluded.name, place = excluded.place,
                backend_url = excluded.backend_url, token = excluded.token,
                public_key = excluded.public_key, receipt_prefix = excluded.receipt_prefix,
                enrolled_at = excluded.enrolled_at, catalog_key = excluded.catalog_key",
            params![
                identity.kiosk_id,
                identity.name,
                identity.place,
                identity.backend_url,
                identity.token,
                identity.public_key.trim(),
                identity.receipt_prefix,
                identity.enrolled_at,
                identity.catalog_key.trim(),
            ],
        )?;
        crate::insert_event(&tx, "enrolled", &format!("kiosk_id={}", identity.kiosk_id))?;
        tx.commit()?;
        tracing::info!("identity recorded");
        Ok(())
    }

    /// The kiosk's identity, or `None` before enrolment.
    #[tracing::instrument(name = "store.identity", skip_all)]
    pub fn identity(&self) -> Result<Option<Identity>> {
        let conn = self.conn();
        Ok(read_identity(&conn)?)
    }
}

pub(crate) fn read_identity(conn: &rusqlite::Connection) -> rusqlite::Result<Option<Identity>> {
    conn.query_row(
        "SELECT kiosk_id, name, place, backend_url, token, public_key, receipt_prefix, enrolled_at,
                catalog_key
         FROM identity WHERE id = 1",
        [],
        |r| {
            Ok(Identity {
                kiosk_id: r.get(0)?,
                name: r.get(1)?,
                place: r.get(2)?,
                backend_url: r.get(3)?,
                token: r.get(4)?,
                public_key: r.get(5)?,
                receipt_prefix: r.get(6)?,
                enrolled_at: r.get(7)?,
                catalog_key: r.get(8)?,
            })
        },
    )
    .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_token() {
        let identity = Identity {
            kiosk_id: "k".into(),
            name: "Mairie".into(),
            place: "Duisans".into(),
            backend_url: "https://example.invalid".into(),
            token: "tres-secret-jeton".into(),
            public_key: "AAAA".into(),
            receipt_prefix: "K7".into(),
            enrolled_at: "2026-11-28T10:00:00.000Z".into(),
            catalog_key: String::new(),
        };
        let text = format!("{identity:?} {identity:#?}");
        assert!(!text.contains("tres-secret-jeton"));
        assert!(text.contains("<masqué>"));
    }
}
