//! Files only their owner may read: the SQLite files of the kiosk (`kiosk.db`: the device
//! token) and of the back end (`backend.sqlite3`: opened answers, webhook secrets, password
//! hashes), with their `-wal`, `-shm` and `-journal` companions, created 0600, and their
//! folder 0700, whatever modes they had before.
//!
//! SQLite gives a new `-wal` or `-shm` file the mode of its database, so a database made
//! 0600 keeps its companions private; those left by an older version are put right here.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The mode of a private file.
pub const FILE_MODE: u32 = 0o600;
/// The mode of a private folder.
pub const DIR_MODE: u32 = 0o700;

/// The suffixes of the files SQLite keeps beside a database.
const COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Creates `dir` (and its parents) if needed, and makes it 0700. A folder shared on purpose
/// (sticky bit, like `/tmp`) is left as it is.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(DIR_MODE)
        .create(dir)?;
    let mode = std::fs::metadata(dir)?.permissions().mode();
    if mode & 0o1000 == 0 && mode & 0o777 != DIR_MODE {
        std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// Before SQLite opens `db_path`: its folder made private ([`private_dir`]), the file
/// created 0600 if it is not there, and it and its companions made 0600 if they are.
pub fn private_database(db_path: &Path) -> io::Result<()> {
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir)?;
    }
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(FILE_MODE)
        .open(db_path)?;
    restrict(db_path)?;
    for companion in companions(db_path) {
        match restrict(&companion) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            other => other?,
        }
    }
    Ok(())
}

/// The paths of the files SQLite may keep beside `db_path`.
pub fn companions(db_path: &Path) -> impl Iterator<Item = PathBuf> + '_ {
    COMPANIONS.iter().map(move |suffix| {
        let mut name = db_path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}

fn restrict(path: &Path) -> io::Result<()> {
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o777 != FILE_MODE {
        std::fs::set_permissions(path, Permissions::from_mode(FILE_MODE))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn existing_open_files_and_folders_are_made_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        let db = dir.join("kiosk.db");
        for path in [
            db.clone(),
            dir.join("kiosk.db-wal"),
            dir.join("kiosk.db-shm"),
        ] {
            std::fs::write(&path, b"").unwrap();
            std::fs::set_permissions(&path, Permissions::from_mode(0o644)).unwrap();
        }
        private_database(&db).unwrap();
        assert_eq!(mode(&dir), 0o700);
        for path in [
            db.clone(),
            dir.join("kiosk.db-wal"),
            dir.join("kiosk.db-shm"),
        ] {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
        assert!(!dir.join("kiosk.db-journal").exists());
    }

    #[test]
    fn new_files_and_folders_are_private_and_shared_folders_left_alone() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("a/b/backend.sqlite3");
        private_database(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(db.parent().unwrap()), 0o700);
        let shared = root.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, Permissions::from_mode(0o1777)).unwrap();
        private_dir(&shared).unwrap();
        assert_eq!(mode(&shared), 0o1777);
    }
}
