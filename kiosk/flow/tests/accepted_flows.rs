//! Flows saved the way editors save them. Every file in `tests/accepted/` loads without
//! error, and `bom.yaml`, `crlf.yaml` and `bom-crlf.yaml` (what Windows Notepad saves) load to
//! the same flow as `lf.yaml`, with the same warning at the same line and column.
//!
//! The fixtures' bytes are the test: `.gitattributes` keeps git from converting them.

mod common;

use common::corpus_datasets;
use kiosk_flow::{load_flow_bytes, Severity};
use std::path::{Path, PathBuf};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn accepted(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/accepted")
        .join(name)
}

#[test]
fn every_accepted_flow_loads() {
    let datasets = corpus_datasets();
    let mut files: Vec<PathBuf> = std::fs::read_dir(accepted(""))
        .expect("tests/accepted exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for path in files {
        let loaded = load_flow_bytes(&std::fs::read(&path).expect("readable"), &datasets);
        assert!(
            loaded.value.is_some(),
            "{}: {:?}",
            path.display(),
            loaded.diagnostics
        );
    }
}

#[test]
fn a_byte_order_mark_and_crlf_line_ends_change_nothing() {
    let datasets = corpus_datasets();
    let reference = load_flow_bytes(
        &std::fs::read(accepted("lf.yaml")).expect("lf.yaml"),
        &datasets,
    );
    // The warning is inside a folded text, on its second line: its place tests positions.
    let warnings: Vec<String> = reference
        .diagnostics
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        warnings,
        ["40:26: attention : « {taille} » peut être sans réponse (la question a une condition) : « non renseigné » sera dit"]
    );
    assert!(reference
        .diagnostics
        .iter()
        .all(|d| d.severity == Severity::Warning));
    for (name, has_bom, has_crlf) in [
        ("bom.yaml", true, false),
        ("crlf.yaml", false, true),
        ("bom-crlf.yaml", true, true),
    ] {
        let bytes = std::fs::read(accepted(name)).expect("fixture");
        assert_eq!(bytes.starts_with(BOM), has_bom, "{name}: byte-order mark");
        let line_ends = bytes.iter().filter(|b| **b == b'\n').count();
        let crlf = bytes.windows(2).filter(|w| *w == b"\r\n").count();
        assert_eq!(
            crlf,
            if has_crlf { line_ends } else { 0 },
            "{name}: line ends (has git converted the file?)"
        );
        let loaded = load_flow_bytes(&bytes, &datasets);
        assert_eq!(loaded.diagnostics, reference.diagnostics, "{name}");
        assert_eq!(
            format!("{:?}", loaded.value),
            format!("{:?}", reference.value),
            "{name}"
        );
    }
}
