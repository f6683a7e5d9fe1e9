//! Finding flows and datasets on disk, and checking them as `kiosk flow check` does.
//!
//! Layout (see flows/README.md): flows are `*.yaml` below a folder, except in its `data/`
//! (datasets) and `examples/` (answer scripts) folders; a flow's datasets are in the
//! `data/` folder beside it.

use anyhow::{Context, Result};
use kiosk_flow::diagnostic::{Diagnostic, Position};
use kiosk_flow::{load_dataset_bytes, load_flow_bytes, Datasets, Flow, Limits};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The problems found in one file.
pub struct FileReport {
    pub path: PathBuf,
    pub diagnostics: Vec<Diagnostic>,
}

/// Everything `flow check` found, plus the flows that loaded without error.
#[derive(Default)]
pub struct CheckReport {
    pub files: Vec<FileReport>,
    pub flows: Vec<(PathBuf, Flow)>,
}

impl CheckReport {
    pub fn error_count(&self) -> usize {
        self.count(true)
    }

    pub fn warning_count(&self) -> usize {
        self.count(false)
    }

    fn count(&self, errors: bool) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.is_error() == errors)
            .count()
    }

    /// `file:line:column: message` lines, file by file.
    pub fn lines(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(|f| {
                let name = f.path.display().to_string();
                f.diagnostics.iter().map(move |d| d.render(&name))
            })
            .collect()
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// Every flow file below `dir`, sorted, skipping `data/` and `examples/`.
pub fn flow_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current)
            .with_context(|| format!("impossible de lire le dossier {}", current.display()))?;
        for entry in entries {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if path.is_dir() {
                if name != "data" && name != "examples" && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if is_yaml(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Loads the datasets of `dir/data/`, reporting their problems into `files`.
fn datasets_in(dir: &Path, files: &mut Vec<FileReport>) -> Result<Datasets> {
    let data_dir = dir.join("data");
    let mut datasets = Datasets::new();
    if !data_dir.is_dir() {
        return Ok(datasets);
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&data_dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_yaml(p))
        .collect();
    paths.sort();
    for path in paths {
        let source = read(&path)?;
        let loaded = load_dataset_bytes(&source);
        if let Some(dataset) = loaded.value {
            datasets.insert(dataset.id.clone(), dataset);
        }
        if !loaded.diagnostics.is_empty() {
            files.push(FileReport {
                path,
                diagnostics: loaded.diagnostics,
            });
        }
    }
    Ok(datasets)
}

/// A file's bytes, as the loader wants them (it checks the encoding and the size itself).
/// At most one byte over the size limit is read: enough for the loader to refuse it.
#[tracing::instrument(level = "debug")]
fn read(path: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("impossible de lire {}", path.display()))?;
    let mut bytes = Vec::new();
    let over_limit = u64::try_from(Limits::DOCUMENTED.max_bytes)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    file.take(over_limit)
        .read_to_end(&mut bytes)
        .with_context(|| format!("impossible de lire {}", path.display()))?;
    Ok(bytes)
}

/// Checks files and folders; never stops at the first problem.
#[tracing::instrument(skip_all, fields(paths = paths.len()))]
pub fn check(paths: &[PathBuf]) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let mut dataset_cache: HashMap<PathBuf, Datasets> = HashMap::new();
    let mut flow_paths = Vec::new();
    for path in paths {
        if path.is_dir() {
            flow_paths.extend(flow_files(path)?);
        } else if path.exists() {
            flow_paths.push(path.clone());
        } else {
            anyhow::bail!("{} n'existe pas", path.display());
        }
    }
    let mut ids: HashMap<String, PathBuf> = HashMap::new();
    for path in flow_paths {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        if !dataset_cache.contains_key(&dir) {
            let datasets = datasets_in(&dir, &mut report.files)?;
            dataset_cache.insert(dir.clone(), datasets);
        }
        let datasets = dataset_cache.get(&dir).cloned().unwrap_or_default();
        let source = read(&path)?;
        let loaded = load_flow_bytes(&source, &datasets);
        let mut diagnostics = loaded.diagnostics;
        if let Some(flow) = loaded.value {
            match ids.get(&flow.id) {
                Some(other) => diagnostics.push(Diagnostic::error(
                    id_position(&source),
                    format!(
                        "le parcours « {} » existe déjà dans {}",
                        flow.id,
                        other.display()
                    ),
                )),
                None => {
                    ids.insert(flow.id.clone(), path.clone());
                    report.flows.push((path.clone(), flow));
                }
            }
        }
        if !diagnostics.is_empty() {
            report.files.push(FileReport { path, diagnostics });
        }
    }
    Ok(report)
}

/// Where the top-level `id:` is written, for cross-file messages.
fn id_position(source: &[u8]) -> Position {
    source
        .split(|b| *b == b'\n')
        .position(|l| l.starts_with(b"id:") || l.starts_with(b"\xEF\xBB\xBFid:"))
        .map_or(Position::new(1, 1), |i| Position::new(i + 1, 1))
}

/// Loads one flow for playing; errors are the check's lines.
pub fn load_one(path: &Path) -> Result<Flow, Vec<String>> {
    let report = check(&[path.to_path_buf()]).map_err(|e| vec![format!("{e:#}")])?;
    if report.error_count() > 0 {
        return Err(report.lines());
    }
    match report.flows.into_iter().next() {
        Some((_, flow)) => Ok(flow),
        None => Err(vec![format!("{} : aucun parcours", path.display())]),
    }
}
