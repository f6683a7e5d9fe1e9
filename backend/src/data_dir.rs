//! The data folder: `backend.sqlite3` (the database), `backend.key` (the X25519 secret
//! key, base64, mode 0600) and `catalog.key` (the Ed25519 key that signs the catalogs of
//! published flows, base64, mode 0600, kept with the same care). `backend init` makes them;
//! everything else only opens them.

use crate::db::Db;
use anyhow::{bail, Context};
use kiosk_sync::catalog::{self, SigningKey};
use kiosk_sync::seal::KeyPair;
use rand::Rng;
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

pub const DB_FILE: &str = "backend.sqlite3";
pub const KEY_FILE: &str = "backend.key";
pub const SIGNING_KEY_FILE: &str = "catalog.key";

/// The data folder given by `--data-dir`.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// What `backend init` made.
#[derive(Debug, Clone)]
pub struct Initialized {
    /// The public key kiosks seal to (also sent to them at enrolment).
    pub public_key: String,
    pub key_path: PathBuf,
    pub db_path: PathBuf,
    /// The public key that verifies published catalogs (sent to kiosks at enrolment).
    pub catalog_key: String,
    pub signing_key_path: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn db_path(&self) -> PathBuf {
        self.root.join(DB_FILE)
    }

    pub fn key_path(&self) -> PathBuf {
        self.root.join(KEY_FILE)
    }

    pub fn signing_key_path(&self) -> PathBuf {
        self.root.join(SIGNING_KEY_FILE)
    }

    /// Makes the catalog signing key (`backend init`, or alone for a data folder made
    /// before publishing existed). Refuses to replace one: kiosks trust its public half.
    pub fn init_signing_key(&self) -> anyhow::Result<String> {
        let mut secret = [0u8; 32];
        rand::rng().fill(&mut secret);
        let (key, text) = catalog::signing_key_from_bytes(secret);
        write_secret(&self.root, &self.signing_key_path(), &text)?;
        Ok(catalog::public_key_base64(&key))
    }

    /// Loads the catalog signing key; fails with a hint when `backend init` was not run.
    pub fn load_signing_key(&self) -> anyhow::Result<SigningKey> {
        let path = self.signing_key_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == ErrorKind::NotFound => bail!(
                "pas de clé de signature des parcours dans {} : lancez : backend init --data-dir {}",
                self.root.display(),
                self.root.display()
            ),
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("impossible de lire la clé {}", path.display()))
            }
        };
        warn_if_readable(&path);
        catalog::signing_key_from_base64(&text)
            .with_context(|| format!("clé de signature illisible dans {}", path.display()))
    }

    /// Creates the folder (0700), a new key pair (the secret in a file created 0600) and the
    /// database. Refuses if a key is already there: overwriting it would make every
    /// submission sealed for it unreadable.
    pub fn init(&self) -> anyhow::Result<Initialized> {
        let key_path = self.key_path();
        if key_path.exists() {
            bail!(refuse_overwrite(&key_path));
        }
        kiosk_sync::private_files::private_dir(&self.root)
            .with_context(|| format!("impossible de créer le dossier {}", self.root.display()))?;
        let keys = KeyPair::generate();
        write_secret(&self.root, &key_path, &keys.secret_base64())?;
        let catalog_key = self.init_signing_key()?;
        let db_path = self.db_path();
        Db::open(&db_path)?;
        Ok(Initialized {
            public_key: keys.public_base64(),
            key_path,
            db_path,
            catalog_key,
            signing_key_path: self.signing_key_path(),
        })
    }

    /// Loads the secret key; fails with a hint when `backend init` was not run.
    pub fn load_key(&self) -> anyhow::Result<KeyPair> {
        let key_path = self.key_path();
        let text = match std::fs::read_to_string(&key_path) {
            Ok(text) => text,
            Err(error) if error.kind() == ErrorKind::NotFound => bail!(
                "pas de clé dans {} : lancez d'abord : backend init --data-dir {}",
                self.root.display(),
                self.root.display()
            ),
            Err(error) => {
                return Err(error)
                    .with_context(|| format!("impossible de lire la clé {}", key_path.display()))
            }
        };
        warn_if_readable(&key_path);
        KeyPair::from_secret_base64(&text)
            .with_context(|| format!("clé illisible dans {}", key_path.display()))
    }

    /// The fingerprint of the back end's public keys ([`kiosk_sync::wire::key_fingerprint`]),
    /// which `kiosk enroll` prints too: the installer compares them.
    pub fn key_fingerprint(&self) -> anyhow::Result<String> {
        let public_key = self.load_key()?.public_base64();
        let catalog_key = catalog::public_key_base64(&self.load_signing_key()?);
        Ok(kiosk_sync::wire::key_fingerprint(&public_key, &catalog_key))
    }

    /// Opens the database (its folder 0700, its files 0600: [`Db::open`]); fails with a hint
    /// when `backend init` was not run.
    pub fn open_db(&self) -> anyhow::Result<Db> {
        let db_path = self.db_path();
        if !db_path.exists() {
            bail!(
                "pas de base dans {} : lancez d'abord : backend init --data-dir {}",
                self.root.display(),
                self.root.display()
            );
        }
        Db::open(&db_path)
    }
}

fn warn_if_readable(key_path: &Path) {
    if let Ok(meta) = std::fs::metadata(key_path) {
        if meta.mode() & 0o077 != 0 {
            tracing::warn!(
                "la clé {} est lisible par d'autres utilisateurs : chmod 600 conseillé",
                key_path.display()
            );
        }
    }
}

/// Writes a secret in a new file (0600), never over an existing one, and makes it durable.
fn write_secret(root: &Path, key_path: &Path, secret: &str) -> anyhow::Result<()> {
    // create_new: even a key written between a check and here is never replaced.
    let mut file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(key_path)
    {
        Ok(file) => file,
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            bail!(refuse_overwrite(key_path))
        }
        Err(error) => {
            return Err(error)
                .with_context(|| format!("impossible de créer la clé {}", key_path.display()))
        }
    };
    writeln!(file, "{secret}")
        .and_then(|()| file.sync_all())
        .with_context(|| format!("impossible d'écrire la clé {}", key_path.display()))?;
    // Make the new file's name durable too.
    File::open(root)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("impossible de synchroniser {}", root.display()))?;
    Ok(())
}

fn refuse_overwrite(key_path: &Path) -> String {
    format!(
        "une clé existe déjà : {}. Je ne l'écrase pas : les demandes scellées pour elle \
         deviendraient illisibles. Pour repartir de zéro, déplacez d'abord ce dossier.",
        key_path.display()
    )
}
