//! Passwords of agents and administrators: argon2id hashes (PHC strings, OWASP's parameters,
//! the `argon2` crate's defaults), checks of new passwords, and generated ones.
//!
//! Hashing and verifying cost tens of milliseconds and 19 MiB each on purpose: the server runs
//! them through [`PasswordWork`], on the blocking pool, a few at a time.

use crate::secrets;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

/// The argon2 work the server does at once, at most: one per core, up to 4 (so a burst of
/// logins cannot take more than 4 × 19 MiB); the others wait their turn.
#[derive(Debug, Clone)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
}

impl Default for PasswordWork {
    fn default() -> PasswordWork {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        PasswordWork::new(cores.clamp(1, 4))
    }
}

impl PasswordWork {
    pub fn new(at_once: usize) -> PasswordWork {
        PasswordWork {
            permits: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// Runs `work` on the blocking pool once a permit is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await?;
        Ok(tokio::task::spawn_blocking(work).await?)
    }

    /// Whether `password` matches `phc`; without a hash (no such account), the time of a
    /// verification is spent all the same and the answer is no.
    pub async fn verify(&self, password: String, phc: Option<String>) -> anyhow::Result<bool> {
        self.run(move || match phc {
            Some(phc) => verify(&password, &phc),
            None => {
                verify_nobody(&password);
                false
            }
        })
        .await
    }

    /// The permits free now (for tests).
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }
}

/// The shortest password accepted.
pub const MIN_CHARS: usize = 12;
/// The longest (argon2 takes anything, but a form should not carry a novel).
pub const MAX_CHARS: usize = 200;

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) of `password`, with a fresh salt.
pub fn hash(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|error| anyhow::anyhow!("sel de mot de passe impossible : {error}"))?;
    let hashed = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| anyhow::anyhow!("hachage du mot de passe impossible : {error}"))?;
    Ok(hashed.to_string())
}

/// Whether `password` matches the PHC string `phc` (false for a malformed hash).
pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Spends the time of a verification when there is no account, so that the answer's delay
/// does not tell which addresses have one.
pub fn verify_nobody(password: &str) {
    static NOBODY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = NOBODY.get_or_init(|| hash(&generate()).ok()) {
        let _ = verify(password, phc);
    }
}

/// Whether `password` may be chosen: the problem, in French, if not.
pub fn check_new(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(format!(
            "Le mot de passe doit compter au moins {MIN_CHARS} caractères."
        ));
    }
    if chars > MAX_CHARS {
        return Err(format!(
            "Le mot de passe doit compter au plus {MAX_CHARS} caractères."
        ));
    }
    Ok(())
}

/// A fresh password to give someone once: 16 characters of the receipt alphabet (80 bits),
/// in groups of four (`7KQ2-M9XD-...`), easy to read aloud and to type.
pub fn generate() -> String {
    let raw = secrets::random_code(16);
    raw.as_bytes()
        .chunks(4)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let phc = hash("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse battery", &phc));
        assert!(!verify("correct horse batterie", &phc));
        assert!(!verify("correct horse battery", "pas un hachage"));
        assert_ne!(phc, hash("correct horse battery").unwrap());
    }

    #[test]
    fn new_passwords_are_long_enough() {
        assert!(check_new("court").is_err());
        assert!(check_new(&"x".repeat(MAX_CHARS + 1)).is_err());
        let generated = generate();
        assert_eq!(generated.len(), 19);
        assert!(check_new(&generated).is_ok());
        assert_ne!(generated, generate());
    }
}
