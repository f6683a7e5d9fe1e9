//! The prompt cache: synthesized sentences kept on disk as WAV files, keyed by voice, rate and
//! text, so that a fixed prompt of the installed flows starts playing without synthesis.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tracing::{debug, instrument, warn};

use crate::audio::Audio;
use crate::VoiceError;

#[derive(Debug, Clone)]
pub struct PromptCache {
    dir: PathBuf,
}

impl PromptCache {
    /// A cache in `dir` (created when missing).
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, VoiceError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, voice: &str, words_per_minute: u32, text: &str) -> PathBuf {
        let mut hash = Sha256::new();
        for part in [voice, &words_per_minute.to_string(), text] {
            hash.update(part.as_bytes());
            hash.update([0]);
        }
        let key: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{key}.wav"))
    }

    /// The cached audio, if any; an unreadable entry counts as missing.
    #[instrument(skip_all)]
    pub fn get(&self, voice: &str, words_per_minute: u32, text: &str) -> Option<Audio> {
        let path = self.path(voice, words_per_minute, text);
        if !path.is_file() {
            return None;
        }
        match Audio::read_wav(&path) {
            Ok(audio) => Some(audio),
            Err(e) => {
                warn!(error = %e, "unreadable cache entry, synthesizing again");
                None
            }
        }
    }

    pub fn contains(&self, voice: &str, words_per_minute: u32, text: &str) -> bool {
        self.path(voice, words_per_minute, text).is_file()
    }

    /// Stores audio; written to a temporary file then renamed, so a reader never sees half of it.
    #[instrument(skip_all)]
    pub fn put(
        &self,
        voice: &str,
        words_per_minute: u32,
        text: &str,
        audio: &Audio,
    ) -> Result<(), VoiceError> {
        let path = self.path(voice, words_per_minute, text);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        audio.write_wav(&tmp)?;
        std::fs::rename(&tmp, &path)?;
        debug!(path = %path.display(), "cached");
        Ok(())
    }
}
