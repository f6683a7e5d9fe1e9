//! `backend backup DEST`: a consistent copy of the data folder while the server runs: the
//! database through SQLite's online backup API (every page, as of one moment, whatever is
//! written meanwhile), the two keys, and `backend.toml` if there is one (it may hold the
//! SMTP password). Every file is created 0600 in a folder made 0700; nothing is overwritten.
//! Restoring is copying the files back into an empty data folder.

use crate::data_dir::{DataDir, DB_FILE, KEY_FILE, SIGNING_KEY_FILE};
use anyhow::{bail, Context};
use kiosk_sync::private_files::{private_database, private_dir, FILE_MODE};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration file, copied when present.
const CONFIG_FILE: &str = "backend.toml";
/// Copy every page in one step: one read transaction, so one consistent moment, which in
/// WAL mode never blocks the server's writes.
const ALL_PAGES: std::os::raw::c_int = -1;
/// How long to wait when the source is locked (another connection changing the schema).
const LOCKED_PAUSE: Duration = Duration::from_millis(50);

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackedUp {
    /// Every file written, the database first.
    pub files: Vec<PathBuf>,
    /// The database's size in bytes.
    pub database_bytes: u64,
}

/// Backs `data_dir` up into `dest` (created 0700 if needed). Refuses if `dest` already
/// holds a file of the data folder: a backup never replaces another.
pub fn backup(data_dir: &DataDir, dest: &Path) -> anyhow::Result<BackedUp> {
    let db = data_dir.open_db()?;
    private_dir(dest).with_context(|| format!("impossible de créer {}", dest.display()))?;
    for name in [DB_FILE, KEY_FILE, SIGNING_KEY_FILE, CONFIG_FILE] {
        if dest.join(name).exists() {
            bail!(
                "{} existe déjà : choisissez un dossier vide (une sauvegarde n'en remplace \
                 jamais une autre)",
                dest.join(name).display()
            );
        }
    }
    let target = dest.join(DB_FILE);
    private_database(&target)
        .with_context(|| format!("impossible de créer {}", target.display()))?;
    let mut copy = rusqlite::Connection::open(&target)
        .with_context(|| format!("impossible d'ouvrir {}", target.display()))?;
    db.with(|source| -> rusqlite::Result<()> {
        use rusqlite::backup::StepResult;
        let online = rusqlite::backup::Backup::new(source, &mut copy)?;
        loop {
            match online.step(ALL_PAGES)? {
                StepResult::Done => return Ok(()),
                StepResult::More => {}
                _ => std::thread::sleep(LOCKED_PAUSE),
            }
        }
    })
    .context("la sauvegarde de la base a échoué")?;
    // The copy is complete when it checks out.
    let check: String = copy
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .context("impossible de vérifier la copie")?;
    if check != "ok" {
        bail!("la copie de la base est abîmée : {check}");
    }
    drop(copy);
    File::open(&target)
        .and_then(|file| file.sync_all())
        .with_context(|| format!("impossible d'écrire {}", target.display()))?;
    let mut files = vec![target.clone()];
    for name in [KEY_FILE, SIGNING_KEY_FILE, CONFIG_FILE] {
        let from = data_dir.root().join(name);
        let bytes = match std::fs::read(&from) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == ErrorKind::NotFound && name == CONFIG_FILE => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("impossible de lire {}", from.display()))
            }
        };
        let to = dest.join(name);
        write_private(&to, &bytes)?;
        files.push(to);
    }
    File::open(dest)
        .and_then(|dir| dir.sync_all())
        .with_context(|| format!("impossible de synchroniser {}", dest.display()))?;
    let database_bytes = std::fs::metadata(&target)?.len();
    Ok(BackedUp {
        files,
        database_bytes,
    })
}

fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
        .with_context(|| format!("impossible de créer {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("impossible d'écrire {}", path.display()))
}
