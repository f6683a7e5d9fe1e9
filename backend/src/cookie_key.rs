//! [`CookieKey`]: the HMAC-SHA256 key that signs what the server gives browsers without
//! storing it: the login form's token (a CSRF token bound to the `connexion` cookie, so
//! showing the login page writes nothing) and the device cookie of a browser that has
//! logged in before. It is derived from the catalog signing key (`catalog.key`), so it
//! survives restarts and needs no file of its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub struct CookieKey([u8; 32]);

impl CookieKey {
    /// The key derived from `secret` (domain-separated: it never signs anything else).
    pub fn derive(secret: &[u8; 32]) -> CookieKey {
        let mut hasher = Sha256::new();
        hasher.update(b"bornes: cle des cookies signes v1\0");
        hasher.update(secret);
        CookieKey(hasher.finalize().into())
    }

    fn mac(&self, purpose: &str, message: &str) -> Hmac<Sha256> {
        // A 32-byte key always fits HMAC-SHA256.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(message.as_bytes());
        mac
    }

    /// The signature of `message` for `purpose`, base64url.
    pub fn sign(&self, purpose: &str, message: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(purpose, message).finalize().into_bytes())
    }

    /// Whether `signature` is [`CookieKey::sign`]'s for `message` and `purpose` (constant time).
    pub fn verify(&self, purpose: &str, message: &str, signature: &str) -> bool {
        URL_SAFE_NO_PAD
            .decode(signature)
            .is_ok_and(|bytes| self.mac(purpose, message).verify_slice(&bytes).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_hold_only_for_their_key_purpose_and_message() {
        let key = CookieKey::derive(&[7; 32]);
        let signature = key.sign("connexion", "abc.123");
        assert!(key.verify("connexion", "abc.123", &signature));
        assert!(!key.verify("appareil", "abc.123", &signature));
        assert!(!key.verify("connexion", "abc.124", &signature));
        assert!(!key.verify("connexion", "abc.123", "pas-une-signature"));
        assert!(!CookieKey::derive(&[8; 32]).verify("connexion", "abc.123", &signature));
    }
}
