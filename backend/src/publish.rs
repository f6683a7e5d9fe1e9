//! Checking a publication before anything is stored, the same way for the page and the
//! command line: flows and datasets are loaded with the flow checker (`kiosk_flow::load_flow`
//! and `load_dataset`, as `kiosk flow check` does), a flow's version must be above every
//! published version of it, flow ids are unique in the upload, the kiosks named exist, and
//! the published flows kept must still load with the new datasets. Every problem is a
//! `file:line:column: message`; one error and nothing is published.

use crate::db::flow_catalog::{self, NewDataset, NewFlow, Publication};
use crate::db::kiosks;
use anyhow::Context;
use kiosk_flow::diagnostic::{Diagnostic, Position};
use kiosk_flow::{load_dataset, load_flow_with, load_service_notice};
use kiosk_sync::catalog::service_dataset_id;
use rusqlite::Connection;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// One uploaded file: its name as the administrator knows it, and its text.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub text: String,
}

/// What the checker says about one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub name: String,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// `file:line:column: message` lines.
    pub fn lines(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .map(|d| d.render(&self.name))
            .collect()
    }
}

/// The outcome of a check: the publication (when there is no error) and every report.
#[derive(Debug, Clone)]
pub struct Checked {
    pub publication: Option<Publication>,
    /// Every file, with its problems (warnings too).
    pub files: Vec<FileReport>,
    /// Problems that belong to no file (an unknown kiosk, nothing to publish).
    pub general: Vec<String>,
}

impl Checked {
    /// Every problem, `file:line:column: message`, general ones last.
    pub fn lines(&self) -> Vec<String> {
        self.files
            .iter()
            .flat_map(FileReport::lines)
            .chain(self.general.iter().cloned())
            .collect()
    }

    pub fn error_count(&self) -> usize {
        self.files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| d.is_error())
            .count()
            + self.general.len()
    }
}

/// Whether an upload is a dataset: a file in a `data/` folder, or a YAML with top-level
/// `options:` and no `steps:` (flows always have steps).
/// A service's privacy notice: a file in a `services/` folder, or one with `controller:` and
/// no `steps:`.
pub fn is_service_notice(upload: &Upload) -> bool {
    let in_services = upload.name.starts_with("services/") || upload.name.contains("/services/");
    let top = |key: &str| upload.text.lines().any(|l| l.starts_with(key));
    in_services || (top("controller:") && !top("steps:"))
}

pub fn is_dataset(upload: &Upload) -> bool {
    let in_data = upload.name.starts_with("data/") || upload.name.contains("/data/");
    let top = |key: &str| upload.text.lines().any(|l| l.starts_with(key));
    in_data || (top("options:") && !top("steps:"))
}

/// Where `key:` is written at the top level, for messages about the whole file.
fn key_position(text: &str, key: &str) -> Position {
    text.lines()
        .position(|l| l.starts_with(&format!("{key}:")))
        .map_or(Position::new(1, 1), |i| Position::new(i + 1, 1))
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn read_upload(path: &Path) -> anyhow::Result<Upload> {
    let bytes =
        std::fs::read(path).with_context(|| format!("impossible de lire {}", path.display()))?;
    Ok(Upload {
        name: path.display().to_string(),
        text: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

/// The files to publish from paths on disk, laid out as `kiosk flow check` reads them: a
/// folder gives its flows (below it, but not in `examples/`), and every flow's folder gives
/// the datasets of its `data/` folder.
pub fn uploads_from_paths(paths: &[PathBuf]) -> anyhow::Result<Vec<Upload>> {
    let mut flow_paths = Vec::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    for path in paths {
        if path.is_dir() {
            pending.push(path.clone());
        } else if path.exists() {
            flow_paths.push(path.clone());
        } else {
            anyhow::bail!("{} n'existe pas", path.display());
        }
    }
    while let Some(dir) = pending.pop() {
        let entries = std::fs::read_dir(&dir)
            .with_context(|| format!("impossible de lire le dossier {}", dir.display()))?;
        for entry in entries {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if path.is_dir() {
                if !matches!(name, "data" | "examples" | "services") && !name.starts_with('.') {
                    pending.push(path);
                }
            } else if is_yaml(&path) {
                flow_paths.push(path);
            }
        }
    }
    flow_paths.sort();
    let mut data_dirs: Vec<PathBuf> = flow_paths
        .iter()
        .flat_map(|p| {
            let dir = p.parent().unwrap_or(Path::new("."));
            [dir.join("data"), dir.join("services")]
        })
        .filter(|d| d.is_dir())
        .collect();
    data_dirs.sort();
    data_dirs.dedup();
    let mut uploads = Vec::new();
    for dir in data_dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| is_yaml(p))
            .collect();
        found.sort();
        for path in found {
            uploads.push(read_upload(&path)?);
        }
    }
    for path in flow_paths {
        uploads.push(read_upload(&path)?);
    }
    Ok(uploads)
}

/// Checks `uploads` for publication to `kiosk_names` (none: every kiosk).
pub fn check(
    conn: &Connection,
    uploads: &[Upload],
    kiosk_names: &[String],
) -> anyhow::Result<Checked> {
    let mut general = Vec::new();
    let mut kiosk_ids = Vec::new();
    if !kiosk_names.is_empty() {
        let known = kiosks::list(conn)?;
        for name in kiosk_names {
            match known
                .iter()
                .find(|k| k.name == name.trim() || k.id == name.trim())
            {
                Some(k) if k.revoked_at.is_some() => general.push(format!(
                    "la borne « {name} » est révoquée : choisissez une borne en service"
                )),
                Some(k) if !kiosk_ids.contains(&k.id) => kiosk_ids.push(k.id.clone()),
                Some(_) => {}
                None => general.push(format!(
                    "aucune borne ne s'appelle « {name} » : voyez « backend kiosk list »"
                )),
            }
        }
    }
    let (service_uploads, uploads): (Vec<&Upload>, Vec<&Upload>) =
        uploads.iter().partition(|u| is_service_notice(u));
    let (dataset_uploads, flow_uploads): (Vec<&Upload>, Vec<&Upload>) =
        uploads.into_iter().partition(|u| is_dataset(u));
    if flow_uploads.is_empty() {
        general.push("aucun parcours à publier : ajoutez au moins un fichier de parcours".into());
    }

    // The published datasets and services' notices, replaced by those uploaded.
    let (mut datasets, mut notices) = crate::known_flows::published_sources(conn)?;
    let mut files = Vec::new();
    let mut new_datasets = Vec::new();
    for upload in &service_uploads {
        let loaded = load_service_notice(&upload.text);
        if let Some(notice) = loaded.value {
            new_datasets.push(NewDataset {
                id: service_dataset_id(&notice.service),
                title: format!("Notice sur les données : {}", notice.service),
                yaml: upload.text.clone(),
            });
            notices.insert(notice.service.clone(), notice);
        }
        files.push(FileReport {
            name: upload.name.clone(),
            text: upload.text.clone(),
            diagnostics: loaded.diagnostics,
        });
    }
    for upload in &dataset_uploads {
        let loaded = load_dataset(&upload.text);
        if let Some(dataset) = &loaded.value {
            new_datasets.push(NewDataset {
                id: dataset.id.clone(),
                title: dataset.title.clone(),
                yaml: upload.text.clone(),
            });
        }
        if let Some(dataset) = loaded.value {
            datasets.insert(dataset.id.clone(), dataset);
        }
        files.push(FileReport {
            name: upload.name.clone(),
            text: upload.text.clone(),
            diagnostics: loaded.diagnostics,
        });
    }

    let latest = flow_catalog::latest_versions(conn)?;
    let mut new_flows = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for upload in &flow_uploads {
        let loaded = load_flow_with(&upload.text, &datasets, &notices);
        let mut diagnostics = loaded.diagnostics;
        if let Some(flow) = loaded.value {
            let at = key_position(&upload.text, "version");
            if let Some(other) = seen.get(&flow.id) {
                diagnostics.push(Diagnostic::error(
                    key_position(&upload.text, "id"),
                    format!("le parcours « {} » est aussi dans {other}", flow.id),
                ));
            } else if let Some(published) = latest.get(&flow.id).filter(|v| **v >= flow.version) {
                diagnostics.push(Diagnostic::error(
                    at.shifted(9),
                    format!(
                        "la version {} du parcours « {} » ne peut pas être publiée : la version \
                         {published} l'est déjà. Mettez « version: {} » ou plus.",
                        flow.version,
                        flow.id,
                        published + 1
                    ),
                ));
            } else {
                seen.insert(flow.id.clone(), upload.name.clone());
                new_flows.push(NewFlow {
                    id: flow.id.clone(),
                    version: flow.version,
                    title: flow.title.clone(),
                    kind: flow.kind.keyword().to_string(),
                    service: flow.service.clone(),
                    yaml: upload.text.clone(),
                });
            }
        }
        files.push(FileReport {
            name: upload.name.clone(),
            text: upload.text.clone(),
            diagnostics,
        });
    }

    // The published flows that stay must still load with the new datasets.
    if !new_datasets.is_empty() {
        let replaced: HashSet<&str> = new_flows.iter().map(|f| f.id.as_str()).collect();
        for (id, yaml) in flow_catalog::active_flows(conn)? {
            if replaced.contains(id.as_str()) {
                continue;
            }
            let loaded = load_flow_with(&yaml, &datasets, &notices);
            for d in loaded.diagnostics.iter().filter(|d| d.is_error()) {
                general.push(format!(
                    "le parcours publié « {id} » ne se chargerait plus avec ces jeux de données : {}",
                    d.render(&format!("{id}.yaml"))
                ));
            }
        }
    }

    let errors = files.iter().any(FileReport::has_errors) || !general.is_empty();
    let publication = (!errors).then_some(Publication {
        flows: new_flows,
        datasets: new_datasets,
        kiosks: kiosk_ids,
    });
    Ok(Checked {
        publication,
        files,
        general,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    const RAPPEL_V2: &str = include_str!("../../flows/rappel.yaml");
    const SERVICE: &str = include_str!("../../flows/services/mediation-numerique.yaml");

    /// The shipped flow as version 1 (whatever its version in `flows/`).
    fn rappel() -> String {
        RAPPEL_V2.replace("version: 2", "version: 1")
    }

    fn upload(name: &str, text: &str) -> Upload {
        Upload {
            name: name.into(),
            text: text.into(),
        }
    }

    #[test]
    fn errors_name_the_file_line_and_column_and_versions_must_grow() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(&dir.path().join("b.sqlite3")).unwrap();
        let broken = rappel().replace("version: 1", "version: un");
        let checked = db
            .with(|c| {
                check(
                    c,
                    &[
                        upload("rappel.yaml", &broken),
                        upload("services/m.yaml", SERVICE),
                    ],
                    &[],
                )
            })
            .unwrap();
        assert!(checked.publication.is_none());
        assert!(
            checked
                .lines()
                .iter()
                .any(|l| l.starts_with("rappel.yaml:3:")),
            "{:?}",
            checked.lines()
        );

        let good = [
            upload("rappel.yaml", &rappel()),
            upload("services/mediation-numerique.yaml", SERVICE),
        ];
        let checked = db.with(|c| check(c, &good, &[])).unwrap();
        let publication = checked.publication.expect("publishable");
        db.with(|c| flow_catalog::publish(c, &publication, "cli", "t"))
            .unwrap();
        let again = db.with(|c| check(c, &good, &[])).unwrap();
        assert!(again.publication.is_none());
        let lines = again.lines();
        assert!(
            lines[0].starts_with("rappel.yaml:3:10: la version 1"),
            "{lines:?}"
        );

        let unknown = db
            .with(|c| check(c, &[upload("r.yaml", RAPPEL_V2)], &["Nulle part".into()]))
            .unwrap();
        assert!(unknown.publication.is_none());
        assert!(unknown.general[0].contains("Nulle part"));
    }

    #[test]
    fn datasets_are_told_apart_from_flows() {
        assert!(is_dataset(&upload("data/communes.yaml", "id: communes")));
        assert!(is_dataset(&upload("c.yaml", "id: c\noptions:\n  - id: a")));
        assert!(!is_dataset(&upload("f.yaml", RAPPEL_V2)));
        assert!(is_service_notice(&upload(
            "services/voirie.yaml",
            "service: voirie"
        )));
        assert!(!is_service_notice(&upload("f.yaml", RAPPEL_V2)));
    }
}
