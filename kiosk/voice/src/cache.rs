//! The prompt cache: synthesized sentences kept on disk as WAV files, so that a fixed prompt of
//! the installed flows starts playing without synthesis.
//!
//! Only *allowed* sentences are ever read or written: the sentences of the fixed texts the kiosk
//! may say (the installed flows' texts without answers, the kiosk's own phrases), given by
//! [`PromptCache::set_allowed`] and split into sentences as [`crate::synth::sentences`] splits
//! what is spoken. A sentence outside that set (a read-back such as "Vous avez dit : 06 12 34 56
//! 78.") is synthesized in memory and never touches the disk, and a read for it misses.
//!
//! # Layout
//!
//! `DIR/v2/VOICE/WORDS_PER_MINUTE/SHA256(sentence).wav`. The `v2` folder is the cache format:
//! opening a cache deletes the files of older layouts (the unversioned `DIR/*.wav` of the first
//! format, other `vN` folders). Setting the allowed set deletes the files of sentences no
//! longer allowed (a flow changed or was removed). The total size is bounded
//! ([`DEFAULT_MAX_BYTES`], [`PromptCache::with_max_bytes`]): after each write the least
//! recently used files (by modification time, refreshed on each read) are deleted until the
//! cache fits.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};
use tracing::{debug, info, instrument, warn};

use crate::audio::Audio;
use crate::synth::sentences;
use crate::VoiceError;

/// The cache format, the name of its folder (`v2`) under the cache directory.
pub const FORMAT_VERSION: u32 = 2;

/// The default bound on the cache's total size: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct PromptCache {
    /// The directory given to [`PromptCache::open`].
    dir: PathBuf,
    /// `dir/v2`.
    root: PathBuf,
    /// The allowed sentences, as split by [`sentences`].
    allowed: HashSet<String>,
    /// Their file stems ([`sentence_key`]).
    allowed_keys: HashSet<String>,
    max_bytes: u64,
}

impl PromptCache {
    /// A cache in `dir` (created when missing), bounded to [`DEFAULT_MAX_BYTES`]. Files of older
    /// cache formats are deleted. Nothing is allowed yet: every read misses and nothing is written
    /// until [`PromptCache::set_allowed`].
    #[instrument(skip_all)]
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, VoiceError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let removed = remove_old_layouts(&dir)?;
        if removed > 0 {
            info!(removed, "prompt cache: files of an older format deleted");
        }
        let root = dir.join(format!("v{FORMAT_VERSION}"));
        std::fs::create_dir_all(&root)?;
        Ok(Self {
            dir,
            root,
            allowed: HashSet::new(),
            allowed_keys: HashSet::new(),
            max_bytes: DEFAULT_MAX_BYTES,
        })
    }

    /// [`PromptCache::open`] then [`PromptCache::set_allowed`].
    pub fn open_allowing<S: AsRef<str>>(
        dir: impl Into<PathBuf>,
        texts: &[S],
    ) -> Result<Self, VoiceError> {
        let mut cache = Self::open(dir)?;
        cache.set_allowed(texts);
        Ok(cache)
    }

    /// Bounds the cache to `max_bytes` (deleting the least recently used files now if it is
    /// larger).
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self.enforce_bound();
        self
    }

    /// The directory given to [`PromptCache::open`].
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The texts whose sentences may be cached: the fixed texts of the installed flows and the
    /// kiosk's own phrases, never a text containing an answer. Replaces the previous set and
    /// deletes the files of sentences no longer allowed; returns how many were deleted.
    #[instrument(skip_all, fields(texts = texts.len()))]
    pub fn set_allowed<S: AsRef<str>>(&mut self, texts: &[S]) -> usize {
        self.allowed = texts
            .iter()
            .flat_map(|text| sentences(text.as_ref()))
            .collect();
        self.allowed_keys = self.allowed.iter().map(|s| sentence_key(s)).collect();
        let mut removed = 0;
        for file in self.files() {
            let keep = file.path.extension().is_some_and(|e| e == "wav")
                && file
                    .path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|stem| self.allowed_keys.contains(stem));
            if !keep && remove(&file.path) {
                removed += 1;
            }
        }
        remove_empty_dirs(&self.root);
        info!(
            sentences = self.allowed.len(),
            removed, "prompt cache: allowed sentences set"
        );
        removed
    }

    /// Whether `sentence` (one sentence as [`sentences`] gives it) may be cached.
    pub fn allows(&self, sentence: &str) -> bool {
        self.allowed.contains(sentence)
    }

    /// The total size of the cached files, in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.files().iter().map(|f| f.len).sum()
    }

    /// The number of cached files.
    pub fn len(&self) -> usize {
        self.files().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where `sentence` is kept; `None` when it is not allowed.
    fn path(&self, voice: &str, words_per_minute: u32, sentence: &str) -> Option<PathBuf> {
        if !self.allows(sentence) {
            return None;
        }
        Some(
            self.root
                .join(folder_name(voice))
                .join(words_per_minute.to_string())
                .join(format!("{}.wav", sentence_key(sentence))),
        )
    }

    /// The cached audio, if any; a sentence that is not allowed and an unreadable entry count as
    /// missing. A hit makes the entry the most recently used.
    #[instrument(skip_all)]
    pub fn get(&self, voice: &str, words_per_minute: u32, sentence: &str) -> Option<Audio> {
        let path = self.path(voice, words_per_minute, sentence)?;
        if !path.is_file() {
            return None;
        }
        match Audio::read_wav(&path) {
            Ok(audio) => {
                touch(&path);
                Some(audio)
            }
            Err(e) => {
                warn!(error = %e, "unreadable cache entry, synthesizing again");
                None
            }
        }
    }

    /// Whether `sentence` is cached (false when it is not allowed).
    pub fn contains(&self, voice: &str, words_per_minute: u32, sentence: &str) -> bool {
        self.path(voice, words_per_minute, sentence)
            .is_some_and(|p| p.is_file())
    }

    /// Stores the audio of an allowed sentence and returns true; returns false, writing nothing,
    /// for a sentence that is not allowed. Written to a temporary file then renamed, so a reader
    /// never sees half of it; then the least recently used files go until the cache fits its
    /// bound.
    #[instrument(skip_all)]
    pub fn put(
        &self,
        voice: &str,
        words_per_minute: u32,
        sentence: &str,
        audio: &Audio,
    ) -> Result<bool, VoiceError> {
        let Some(path) = self.path(voice, words_per_minute, sentence) else {
            debug!("not a fixed sentence: not cached");
            return Ok(false);
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if let Err(e) = audio.write_wav(&tmp) {
            remove(&tmp);
            return Err(e);
        }
        std::fs::rename(&tmp, &path)?;
        debug!(path = %path.display(), "cached");
        self.enforce_bound();
        Ok(true)
    }

    /// Deletes the least recently used files until the cache fits its bound.
    fn enforce_bound(&self) {
        let mut files = self.files();
        let mut total: u64 = files.iter().map(|f| f.len).sum();
        if total <= self.max_bytes {
            return;
        }
        files.sort_by(|a, b| a.used.cmp(&b.used).then_with(|| a.path.cmp(&b.path)));
        let mut evicted = 0;
        for file in files {
            if total <= self.max_bytes {
                break;
            }
            if remove(&file.path) {
                evicted += 1;
            }
            total = total.saturating_sub(file.len);
        }
        info!(
            evicted,
            bytes = total,
            max_bytes = self.max_bytes,
            "prompt cache: least recently used files deleted"
        );
    }

    /// Every file under `dir/v2/VOICE/RATE/`.
    fn files(&self) -> Vec<CacheFile> {
        let mut out = Vec::new();
        for voice in read_dir(&self.root) {
            for rate in read_dir(&voice) {
                for path in read_dir(&rate) {
                    if let Ok(meta) = std::fs::symlink_metadata(&path) {
                        if meta.is_file() {
                            out.push(CacheFile {
                                used: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                                len: meta.len(),
                                path,
                            });
                        }
                    }
                }
            }
        }
        out
    }
}

struct CacheFile {
    path: PathBuf,
    len: u64,
    used: SystemTime,
}

/// The file stem of a sentence: its SHA-256 in hexadecimal.
fn sentence_key(sentence: &str) -> String {
    Sha256::digest(sentence.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A voice id as a folder name: itself when it is plain, else a hash of it.
fn folder_name(voice: &str) -> String {
    let plain = !voice.is_empty()
        && !voice.starts_with('.')
        && voice
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if plain {
        voice.to_owned()
    } else {
        format!("voice-{}", &sentence_key(voice)[..16])
    }
}

/// The entries of a folder that are folders or files (no error: a missing folder is empty).
fn read_dir(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

/// Deletes the files of older cache formats in `dir`: the first format's `HASH.wav` (and its
/// temporary `HASH.tmpPID`) files, and `vN` folders of other versions. Nothing else is touched.
fn remove_old_layouts(dir: &Path) -> Result<usize, VoiceError> {
    let current = format!("v{FORMAT_VERSION}");
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let kind = entry.file_type()?;
        if kind.is_file() && is_first_format_file(name) {
            if remove(&entry.path()) {
                removed += 1;
            }
        } else if kind.is_dir()
            && name != current
            && name
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        {
            let path = entry.path();
            let files = count_files(&path);
            match std::fs::remove_dir_all(&path) {
                Ok(()) => removed += files,
                Err(e) => warn!(error = %e, folder = name, "prompt cache: old format not deleted"),
            }
        }
    }
    Ok(removed)
}

/// `HEX64.wav` or `HEX64.tmpPID`: the first format's files.
fn is_first_format_file(name: &str) -> bool {
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 64
        && stem.chars().all(|c| c.is_ascii_hexdigit())
        && (extension == "wav" || extension.starts_with("tmp"))
}

fn count_files(dir: &Path) -> usize {
    read_dir(dir)
        .iter()
        .map(|p| if p.is_dir() { count_files(p) } else { 1 })
        .sum()
}

/// Deletes the empty `VOICE/RATE` folders under `root`.
fn remove_empty_dirs(root: &Path) {
    for voice in read_dir(root) {
        for rate in read_dir(&voice) {
            // Fails, harmlessly, when not empty.
            let _ = std::fs::remove_dir(&rate);
        }
        let _ = std::fs::remove_dir(&voice);
    }
}

/// Deletes a file; true when it was deleted.
fn remove(path: &Path) -> bool {
    match std::fs::remove_file(path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            warn!(error = %e, path = %path.display(), "prompt cache: file not deleted");
            false
        }
    }
}

/// Marks a file as just used (its modification time), for the least-recently-used bound.
fn touch(path: &Path) {
    let touched = std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(SystemTime::now()));
    if let Err(e) = touched {
        debug!(error = %e, "prompt cache: use time not updated");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(secs: f32) -> Audio {
        let n = (16_000.0 * secs) as usize;
        Audio::new(
            (0..n).map(|i| (i as f32 * 0.05).sin() * 0.3).collect(),
            16_000,
        )
    }

    #[test]
    fn only_sentences_of_allowed_texts_are_read_and_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cache = PromptCache::open(dir.path()).expect("open");
        assert!(!cache.put("v", 150, "Bonjour.", &tone(0.1)).expect("put"));
        assert!(cache.is_empty(), "nothing is allowed before set_allowed");

        cache.set_allowed(&["Je n'ai pas compris.", "Quelle est  votre \t commune ?"]);
        assert!(cache.allows("Je n'ai pas compris."));
        assert!(
            cache.allows("Quelle est votre commune ?"),
            "split and normalized"
        );
        assert!(!cache.allows("Vous avez dit : Arras."));
        for s in ["Je n'ai pas compris.", "Quelle est votre commune ?"] {
            assert!(cache.put("v", 150, s, &tone(0.1)).expect("put"));
            assert!(cache.get("v", 150, s).is_some());
        }
        assert!(!cache
            .put("v", 150, "Vous avez dit : Arras.", &tone(0.1))
            .expect("put"));
        assert!(cache.get("v", 150, "Vous avez dit : Arras.").is_none());
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn the_least_recently_used_files_go_when_the_bound_is_passed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let texts = ["Un.", "Deux.", "Trois."];
        let cache = PromptCache::open_allowing(dir.path(), &texts).expect("open");
        let one = tone(0.5);
        cache.put("v", 150, "Un.", &one).expect("put");
        let size = cache.size_bytes();
        assert!(size > 16_000, "{size}");
        // Room for two entries.
        let cache = cache.with_max_bytes(size * 2 + size / 2);
        let old = SystemTime::now() - std::time::Duration::from_secs(60);
        let age = |s: &str, t: SystemTime| {
            let path = cache.path("v", 150, s).expect("allowed");
            let file = std::fs::File::options().write(true).open(path).expect("f");
            file.set_modified(t).expect("mtime");
        };
        age("Un.", old);
        cache.put("v", 150, "Deux.", &one).expect("put");
        age("Deux.", old + std::time::Duration::from_secs(1));
        // Reading "Un." makes it the most recently used: "Deux." goes.
        assert!(cache.get("v", 150, "Un.").is_some());
        cache.put("v", 150, "Trois.", &one).expect("put");
        assert!(cache.contains("v", 150, "Un."));
        assert!(!cache.contains("v", 150, "Deux."));
        assert!(cache.contains("v", 150, "Trois."));
        assert!(cache.size_bytes() <= cache.max_bytes());
    }

    #[test]
    fn opening_purges_older_formats_and_allowing_purges_what_is_no_longer_allowed() {
        let dir = tempfile::tempdir().expect("tempdir");
        // The first format: HASH.wav at the top, a leftover temporary file; an older vN folder.
        let old = dir.path().join(format!("{}.wav", "ab".repeat(32)));
        tone(0.1).write_wav(&old).expect("write");
        let tmp = dir.path().join(format!("{}.tmp123", "cd".repeat(32)));
        std::fs::write(&tmp, b"half").expect("write");
        std::fs::create_dir_all(dir.path().join("v1/x/150")).expect("mkdir");
        std::fs::write(dir.path().join("v1/x/150/a.wav"), b"old").expect("write");
        // Not the cache's: kept.
        std::fs::write(dir.path().join("README"), b"mine").expect("write");

        let mut cache =
            PromptCache::open_allowing(dir.path(), &["Bonjour. Au revoir."]).expect("open");
        assert!(!old.exists() && !tmp.exists());
        assert!(!dir.path().join("v1").exists());
        assert!(dir.path().join("README").exists());

        cache.put("v", 150, "Bonjour.", &tone(0.1)).expect("put");
        cache.put("v", 150, "Au revoir.", &tone(0.1)).expect("put");
        cache.put("v", 120, "Au revoir.", &tone(0.1)).expect("put");
        assert_eq!(cache.len(), 3);

        // The flows changed: "Au revoir." is no longer a fixed text.
        assert_eq!(cache.set_allowed(&["Bonjour.", "Merci."]), 2);
        assert_eq!(cache.len(), 1);
        assert!(cache.contains("v", 150, "Bonjour."));

        // Reopening keeps the current format.
        let cache = PromptCache::open_allowing(dir.path(), &["Bonjour."]).expect("reopen");
        assert!(cache.contains("v", 150, "Bonjour."));
    }

    #[test]
    fn voice_ids_become_safe_folder_names() {
        assert_eq!(folder_name("en_US-joe-medium"), "en_US-joe-medium");
        assert_eq!(folder_name("espeak-ng-fr"), "espeak-ng-fr");
        assert!(folder_name("../etc").starts_with("voice-"));
        assert!(folder_name("a/b").starts_with("voice-"));
        assert!(folder_name("").starts_with("voice-"));
    }
}
