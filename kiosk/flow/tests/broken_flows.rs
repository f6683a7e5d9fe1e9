//! The corpus of broken flows: each file in `tests/broken/` starts with one or more
//! `# attendu: LINE:COLUMN: message` lines, and the loader must report exactly those
//! errors (warnings are checked only when listed as `# attendu: LINE:COLUMN: attention : ...`).
//!
//! After a deliberate change of messages, `BLESS=1 cargo test --test broken_flows` rewrites
//! the `# attendu:` lines from what the loader now says; read the diff before committing.

mod common;

use common::corpus_datasets;
use kiosk_flow::load_flow_bytes;
use std::path::Path;

#[test]
fn every_broken_flow_reports_its_exact_errors() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/broken exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 25,
        "the corpus has {} broken flows, at least 25 wanted",
        files.len()
    );
    let datasets = corpus_datasets();
    let mut failures = Vec::new();
    for path in &files {
        // Bytes, as `kiosk flow check` reads them: some files are not UTF-8 on purpose.
        let bytes = std::fs::read(path).expect("readable");
        let source = String::from_utf8_lossy(&bytes);
        let expected: Vec<String> = source
            .trim_start_matches('\u{feff}')
            .lines()
            .filter_map(|l| l.strip_prefix("# attendu: "))
            .map(|l| l.trim().to_string())
            .collect();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if expected.is_empty() {
            failures.push(format!("{name}: no « # attendu: » line"));
            continue;
        }
        let loaded = load_flow_bytes(&bytes, &datasets);
        let wants_warnings = expected.iter().any(|e| e.contains(": attention : "));
        let got: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error() || wants_warnings)
            .map(|d| d.to_string())
            .collect();
        if got != expected && std::env::var_os("BLESS").is_some() {
            bless(path, &bytes, &got);
            continue;
        }
        if got != expected {
            failures.push(format!(
                "{name}:\n  expected:\n    {}\n  got:\n    {}",
                expected.join("\n    "),
                got.join("\n    ")
            ));
        }
        if !wants_warnings && loaded.value.is_some() {
            failures.push(format!("{name}: a broken flow must not load"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} broken flows differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// Replaces the `# attendu:` lines with `got`, keeping every other byte in place (some
/// files are not UTF-8, or end their lines with CRLF, on purpose). Line numbers do not move
/// as long as the count of expected lines stays the same, so the caller runs the test again
/// until it is stable.
fn bless(path: &Path, source: &[u8], got: &[String]) {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let line_end = if source.contains(&b'\r') { "\r" } else { "" };
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut written = false;
    for line in source.split(|b| *b == b'\n') {
        let bare = line.strip_prefix(BOM).unwrap_or(line);
        if !bare.starts_with(b"# attendu: ") {
            out.push(line.to_vec());
        } else if !written {
            let bom = &line[..line.len() - bare.len()];
            for (i, g) in got.iter().enumerate() {
                let start = if i == 0 { bom } else { b"" };
                out.push([start, format!("# attendu: {g}{line_end}").as_bytes()].concat());
            }
            written = true;
        }
    }
    std::fs::write(path, out.join(&b'\n')).expect("rewrite the expected lines");
}

/// flows/README.md lists the reserved ids: every command button id and the status entry.
#[test]
fn the_flow_language_documents_every_reserved_id() {
    let readme = include_str!("../../../flows/README.md");
    // A row of the table "| reserved | where | why |", by its "where" column.
    let row = |place: &str| {
        readme
            .lines()
            .find(|l| l.starts_with("| `") && l.contains(&format!("| {place} |")))
            .unwrap_or_default()
    };
    let options = row("option `id` in `options`");
    for command in kiosk_flow::understand::Command::ALL {
        let id = command.button_id();
        assert!(
            options.contains(&format!("`{id}`")),
            "flows/README.md does not list the reserved option id « {id} »"
        );
    }
    let status = kiosk_flow::menu::STATUS_ENTRY;
    assert!(
        row("flow `id`").starts_with(&format!("| `{status}` |")),
        "flows/README.md does not list the reserved flow id « {status} »"
    );
}
