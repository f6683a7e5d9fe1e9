//! Sealed boxes (X25519 + XSalsa20-Poly1305, libsodium-compatible) from RustCrypto's
//! `crypto_box`: the kiosk seals with the back end's public key, and only the holder of
//! the private key can open. The kiosk keeps no key that can open what it sealed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use crypto_box::{PublicKey, SecretKey};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("clé publique invalide : 32 octets en base64 attendus")]
    BadPublicKey,
    #[error("clé privée invalide : 32 octets en base64 attendus")]
    BadSecretKey,
    #[error("impossible de chiffrer")]
    Seal,
    #[error("impossible d'ouvrir : scellé pour une autre clé, ou abîmé")]
    Open,
}

/// The back end's key pair. The secret never leaves the back end.
pub struct KeyPair {
    secret: SecretKey,
}

impl KeyPair {
    pub fn generate() -> Self {
        KeyPair {
            secret: SecretKey::generate(&mut rand::rngs::OsRng),
        }
    }

    pub fn from_secret_base64(text: &str) -> Result<Self, SealError> {
        let bytes: [u8; 32] = STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(SealError::BadSecretKey)?;
        Ok(KeyPair {
            secret: SecretKey::from(bytes),
        })
    }

    pub fn secret_base64(&self) -> String {
        STANDARD.encode(self.secret.to_bytes())
    }

    pub fn public_base64(&self) -> String {
        STANDARD.encode(self.secret.public_key().as_bytes())
    }

    /// Opens a sealed box made for this key pair.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        self.secret.unseal(sealed).map_err(|_| SealError::Open)
    }
}

/// Seals `plain` for the holder of the secret key matching `public_base64`.
pub fn seal(public_base64: &str, plain: &[u8]) -> Result<Vec<u8>, SealError> {
    let bytes: [u8; 32] = STANDARD
        .decode(public_base64.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(SealError::BadPublicKey)?;
    PublicKey::from(bytes)
        .seal(&mut rand::rngs::OsRng, plain)
        .map_err(|_| SealError::Seal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_key_opens() {
        let backend = KeyPair::generate();
        let other = KeyPair::generate();
        let sealed = seal(&backend.public_base64(), b"06 12 34 56 78").expect("seal");
        assert!(!sealed.windows(5).any(|w| w == b"06 12"));
        assert_eq!(backend.open(&sealed).expect("open"), b"06 12 34 56 78");
        assert_eq!(other.open(&sealed), Err(SealError::Open));
        let again = KeyPair::from_secret_base64(&backend.secret_base64()).expect("key");
        assert_eq!(again.public_base64(), backend.public_base64());
    }
}
