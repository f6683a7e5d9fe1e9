//! ONNX Runtime for the Piper voices: the library opened once per process, and a voice's
//! session, whose graph optimizations are done once and saved.
//!
//! Loading a Piper voice is mostly ONNX Runtime optimizing its graph (0.6 of the 1.0 s it takes
//! on the development machine, scripts/bench-voice-peer). The first load with an optimized-model
//! folder saves the optimized graph there; later loads read it with the optimizations off
//! (0.35 s). The saved file is only valid for the same voice file, the same ONNX Runtime and the
//! same processor (the full optimization level may choose kernels for this CPU), so its name
//! carries a key of all three; a file that does not load is deleted and the voice loads from its
//! own file. Synthesis speed is the same either way.
//!
//! Session options, measured on the development machine (2 cores): intra-op threads = every
//! core (ONNX Runtime's default) synthesizes a sentence in 250 ms against 430 ms on one thread;
//! the inter-op pool is unused (the graph runs sequentially); the memory arena stays (without
//! it synthesis is 30 % slower for 20 MiB); prepacked weights stay (no gain once memory patterns
//! are off); memory patterns are off (below).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ort::session::builder::GraphOptimizationLevel;
use ort::session::Session;
use sha2::{Digest, Sha256};
use tracing::{info, instrument, warn};

use crate::VoiceError;

static ORT_INIT: OnceLock<Result<(), String>> = OnceLock::new();

/// Opens `libonnxruntime.so` (once per process; later calls return the first outcome).
pub(crate) fn init(onnxruntime: &Path) -> Result<(), VoiceError> {
    ORT_INIT
        .get_or_init(|| {
            ort::init_from(onnxruntime)
                .map(|builder| {
                    builder.commit();
                })
                .map_err(|e| format!("{}: {e}", onnxruntime.display()))
        })
        .clone()
        .map_err(|why| VoiceError::Load {
            what: "ONNX Runtime".into(),
            why,
        })
}

/// The session of the voice `onnx`. With `optimized_dir`, the optimized graph saved there by an
/// earlier load is used, or saved there for the next one.
#[instrument(skip_all, fields(voice = %onnx.display()))]
pub(crate) fn session(
    onnx: &Path,
    onnxruntime: &Path,
    optimized_dir: Option<&Path>,
) -> Result<Session, VoiceError> {
    let Some(dir) = optimized_dir else {
        return load(onnx, GraphOptimizationLevel::All, None);
    };
    let saved = match optimized_path(onnx, onnxruntime, dir) {
        Ok(path) => path,
        Err(e) => {
            warn!(error = %e, "optimized voice: no key, loading the voice itself");
            return load(onnx, GraphOptimizationLevel::All, None);
        }
    };
    if saved.is_file() {
        match load(&saved, GraphOptimizationLevel::Disable, None) {
            Ok(session) => {
                info!(optimized = %saved.display(), "voice loaded from its optimized graph");
                return Ok(session);
            }
            Err(e) => {
                warn!(error = %e, optimized = %saved.display(), "optimized voice unusable: deleted");
                let _ = std::fs::remove_file(&saved);
            }
        }
    }
    if let Err(e) = std::fs::create_dir_all(dir) {
        warn!(error = %e, dir = %dir.display(), "optimized voice: folder not created");
        return load(onnx, GraphOptimizationLevel::All, None);
    }
    // ONNX Runtime writes the file itself: into a temporary name, renamed once complete, so that
    // another process never reads half a file.
    let partial = saved.with_extension(format!("tmp{}", std::process::id()));
    let session = load(onnx, GraphOptimizationLevel::All, Some(&partial))?;
    match std::fs::rename(&partial, &saved) {
        Ok(()) => {
            remove_other_keys(&saved);
            info!(optimized = %saved.display(), "voice's optimized graph saved");
        }
        Err(e) => {
            warn!(error = %e, "optimized voice not saved");
            let _ = std::fs::remove_file(&partial);
        }
    }
    Ok(session)
}

/// A session of `file` at optimization `level` (`Disable` for a graph optimized already), the
/// optimized graph written to `save_to` if given.
fn load(
    file: &Path,
    level: GraphOptimizationLevel,
    save_to: Option<&Path>,
) -> Result<Session, VoiceError> {
    let error = |e: ort::Error| VoiceError::Load {
        what: file.display().to_string(),
        why: e.to_string(),
    };
    // Memory patterns plan a run's buffers from the last input's shapes; every sentence has its
    // own length, so the plan is never reused and only holds memory: off, the process peaks at
    // 195 MiB instead of 215-260 MiB, synthesis as fast.
    let builder = Session::builder()
        .map_err(error)?
        .with_optimization_level(level)
        .map_err(|e| error(e.into()))?
        .with_memory_pattern(false)
        .map_err(|e| error(e.into()))?;
    let mut builder = match save_to {
        Some(path) => builder
            .with_optimized_model_path(path)
            .map_err(|e| error(e.into()))?,
        None => builder,
    };
    builder.commit_from_file(file).map_err(error)
}

/// `DIR/STEM-KEY.onnx`: the key is a hash of the voice file (name, size, modification time), the
/// ONNX Runtime library (its real file name and size) and the processor.
fn optimized_path(onnx: &Path, onnxruntime: &Path, dir: &Path) -> std::io::Result<PathBuf> {
    let voice = std::fs::metadata(onnx)?;
    let modified = voice
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let runtime = std::fs::canonicalize(onnxruntime)?;
    let runtime_size = std::fs::metadata(&runtime)?.len();
    let mut key = Sha256::new();
    key.update(format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n",
        onnx.display(),
        voice.len(),
        modified.as_nanos(),
        runtime.display(),
        runtime_size,
        processor()
    ));
    let key: String = key
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let stem = onnx
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "voice".into());
    Ok(dir.join(format!("{stem}-{key}.onnx")))
}

/// What identifies the processor's kind: its architecture and the lines of `/proc/cpuinfo`
/// that name the model and its instruction sets (not the speed, which varies).
fn processor() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let mut lines: Vec<&str> = cpuinfo
        .lines()
        .filter(|line| {
            let key = line.split(':').next().unwrap_or_default().trim();
            matches!(
                key,
                "model name" | "flags" | "Features" | "CPU implementer" | "CPU part"
            )
        })
        .collect();
    lines.sort_unstable();
    lines.dedup();
    format!("{}\n{}", std::env::consts::ARCH, lines.join("\n"))
}

/// Deletes the saved graphs of the same voice under other keys (an older voice file, runtime or
/// processor), and partial files a stopped process left an hour ago or more: one optimized copy
/// per voice.
fn remove_other_keys(saved: &Path) {
    let (Some(dir), Some(name)) = (saved.parent(), saved.file_name()) else {
        return;
    };
    let name = name.to_string_lossy();
    let Some((stem, _)) = name.rsplit_once('-') else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let other = entry.file_name().to_string_lossy().into_owned();
        let same_voice = other
            .rsplit_once('-')
            .is_some_and(|(other_stem, _)| other_stem == stem);
        let finished = other.ends_with(".onnx");
        let abandoned = !finished
            && entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|at| at.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(3600));
        if same_voice && other != name && (finished || abandoned) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_the_voice_file_and_only_one_copy_stays() {
        let dir = tempfile::tempdir().expect("temp dir");
        let voice = dir.path().join("fr_FR-test-medium.onnx");
        let runtime = dir.path().join("libonnxruntime.so.1.32.0");
        std::fs::write(&voice, b"voice").expect("voice");
        std::fs::write(&runtime, b"runtime").expect("runtime");
        let saved_dir = dir.path().join("optimized");
        let first = optimized_path(&voice, &runtime, &saved_dir).expect("key");
        assert_eq!(
            first,
            optimized_path(&voice, &runtime, &saved_dir).expect("key")
        );
        assert!(first
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("fr_FR-test-medium-")));
        std::fs::write(&voice, b"another voice").expect("voice");
        let second = optimized_path(&voice, &runtime, &saved_dir).expect("key");
        assert_ne!(first, second);

        std::fs::create_dir_all(&saved_dir).expect("dir");
        std::fs::write(&first, b"old").expect("old");
        std::fs::write(
            saved_dir.join("fr_FR-other-medium-0011223344556677.onnx"),
            b"x",
        )
        .expect("other voice");
        std::fs::write(&second, b"new").expect("new");
        // Another process saving right now.
        let partial = second.with_extension("tmp4242");
        std::fs::write(&partial, b"partial").expect("partial");
        remove_other_keys(&second);
        assert!(!first.exists());
        assert!(partial.exists());
        assert!(second.exists());
        assert!(saved_dir
            .join("fr_FR-other-medium-0011223344556677.onnx")
            .exists());
    }
}
