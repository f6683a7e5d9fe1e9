//! The corpus of broken flows: each file in `tests/broken/` starts with one or more
//! `# attendu: LINE:COLUMN: message` lines, and the loader must report exactly those
//! errors (warnings are checked only when listed as `# attendu: LINE:COLUMN: attention : ...`).
//!
//! The flows find the datasets of `tests/broken/data/` and the services' privacy notices of
//! `tests/broken/services/` (a flow that asks personal data needs its service's notice and a
//! `privacy:` section; files about other mistakes put theirs at the end, so that the lines
//! of the expected messages do not move).
//!
//! After a deliberate change of messages, `BLESS=1 cargo test --test broken_flows` rewrites
//! the `# attendu:` lines from what the loader now says; read the diff before committing.

use kiosk_flow::{load_dataset, load_flow_with, load_service_notice, Datasets, ServiceNotices};
use std::path::Path;

fn datasets() -> Datasets {
    let mut map = Datasets::new();
    let loaded = load_dataset(include_str!("broken/data/communes.yaml"));
    let dataset = loaded.value.expect("the test dataset loads");
    map.insert(dataset.id.clone(), dataset);
    map
}

fn notices() -> ServiceNotices {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken/services");
    let mut map = ServiceNotices::new();
    for entry in std::fs::read_dir(dir).expect("tests/broken/services exists") {
        let source = std::fs::read_to_string(entry.expect("entry").path()).expect("readable");
        let notice = load_service_notice(&source)
            .value
            .expect("the test notices load");
        map.insert(notice.service.clone(), notice);
    }
    map
}

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
    let datasets = datasets();
    let notices = notices();
    let mut failures = Vec::new();
    for path in &files {
        let source = std::fs::read_to_string(path).expect("readable");
        let expected: Vec<String> = source
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
        let loaded = load_flow_with(&source, &datasets, &notices);
        let wants_warnings = expected.iter().any(|e| e.contains(": attention : "));
        let got: Vec<String> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error() || wants_warnings)
            .map(|d| d.to_string())
            .collect();
        if got != expected && std::env::var_os("BLESS").is_some() {
            bless(path, &source, &got);
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

/// Replaces the `# attendu:` lines with `got`, keeping everything else in place. Line
/// numbers do not move as long as the count of expected lines stays the same, so the
/// caller runs the test again until it is stable.
fn bless(path: &Path, source: &str, got: &[String]) {
    let mut out = Vec::new();
    let mut written = false;
    for line in source.lines() {
        if line.starts_with("# attendu: ") {
            if !written {
                out.extend(got.iter().map(|g| format!("# attendu: {g}")));
                written = true;
            }
        } else {
            out.push(line.to_string());
        }
    }
    std::fs::write(path, out.join("\n") + "\n").expect("rewrite the expected lines");
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
