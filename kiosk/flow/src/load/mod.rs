//! From YAML text to a checked [`Flow`] (or [`Dataset`]), with every problem found at once.
//!
//! The YAML is parsed into a tree that keeps line and column of every node (marked-yaml),
//! then read by hand, key by key, so that each unknown key, missing key, bad value,
//! dangling reference or unreachable step gets its own diagnostic at its own place.
//! One mistake gives one message: a step with errors of its own is not reported again
//! where others refer to it, and does not make later steps look unreachable.
//! Nothing here panics on any input: every lookup is checked.
//!
//! # Layout
//! - `encoding`: bytes to text (size limit, byte-order mark, UTF-8 only, line ends).
//! - `limits`: the documented bounds (file size, steps, options).
//! - `reader`: the YAML tree with positions.
//! - `yaml_error`: the parser's errors in French, placed where the mistake is.
//! - `fields`: generic readers (mappings key by key, scalars, ids, numbers, lists).
//! - `text`: citizen-facing texts and their templates, placed char by char.
//! - `suggest`: "vouliez-vous dire ... ?".
//! - `dataset`: datasets and options, reserved option ids.
//! - `flow`: the top level and the steps, reserved flow ids.
//! - `question`: questions and their kinds, date bounds.
//! - `days`: the days a date question accepts (`weekdays`, `exclude`).
//! - `checks`: cross-step checks (references, reachability).
//! - `filters`: options filtered by an earlier answer.
//! - `privacy`: services' notice templates, a flow's `privacy:` and who needs one.

mod checks;
mod dataset;
mod days;
mod encoding;
mod fields;
mod filters;
mod flow;
mod limits;
mod privacy;
mod question;
mod reader;
mod resources;
pub(crate) mod suggest;
mod text;
mod yaml_error;

pub use limits::Limits;
pub use question::{parse_date_bound, CONFIRM_CHOICES};

use crate::diagnostic::Diagnostic;
use crate::model::{ChoiceOption, Flow};
use crate::privacy::ServiceNotice;
use reader::Reader;
use std::collections::{BTreeMap, HashMap};

/// A shared list of options (`data/communes.yaml`).
#[derive(Debug, Clone)]
pub struct Dataset {
    pub id: String,
    pub title: String,
    /// The fields every option carries in its `details`, by name.
    pub fields: BTreeMap<String, DatasetField>,
    pub options: Vec<ChoiceOption>,
}

/// One declared field of a dataset's options (`fields: { code_postal: Code postal }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetField {
    /// What the field holds, in words.
    pub label: String,
    /// The dataset whose option ids the field holds (`dataset: codes-postaux`), if any: a
    /// `filter` on this field needs a question with options from that dataset.
    pub dataset: Option<String>,
}

/// Datasets by id, as a flow's `options_from` finds them.
pub type Datasets = HashMap<String, Dataset>;

/// The services' privacy notice templates by service id (`services/voirie.yaml`), as a
/// flow's `service` finds them.
pub type ServiceNotices = HashMap<String, ServiceNotice>;

/// The outcome of loading: the value when there is no error, and every diagnostic.
#[derive(Debug)]
pub struct Loaded<T> {
    pub value: Option<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Loaded<T> {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads and checks a flow within the documented [`Limits`], without any service notice
/// template: a flow that asks personal data (it needs its service's template) is refused.
/// `datasets` are those `options_from` may name. A file read from disk goes through
/// [`load_flow_bytes_with`], which also refuses text that is not UTF-8.
pub fn load_flow(source: &str, datasets: &Datasets) -> Loaded<Flow> {
    load_flow_with(source, datasets, &ServiceNotices::new())
}

/// [`load_flow`] with the services' privacy notice templates, one of which a flow asking
/// personal data needs.
pub fn load_flow_with(source: &str, datasets: &Datasets, notices: &ServiceNotices) -> Loaded<Flow> {
    load_flow_bytes_with(source.as_bytes(), datasets, notices)
}

/// Loads and checks a flow from a file's bytes, exactly as they are on disk: a byte-order
/// mark and CRLF line ends are fine, text that is not UTF-8 gets a message that says so.
pub fn load_flow_bytes(source: &[u8], datasets: &Datasets) -> Loaded<Flow> {
    load_flow_within(source, datasets, &Limits::DOCUMENTED)
}

/// [`load_flow_bytes`] with the services' privacy notice templates (as `kiosk flow check`).
pub fn load_flow_bytes_with(
    source: &[u8],
    datasets: &Datasets,
    notices: &ServiceNotices,
) -> Loaded<Flow> {
    load(source, &Limits::DOCUMENTED, |reader, root| {
        reader.flow(root, datasets, notices)
    })
}

/// [`load_flow_bytes`] with other bounds (benchmarks measure the checker without them).
pub fn load_flow_within(source: &[u8], datasets: &Datasets, limits: &Limits) -> Loaded<Flow> {
    load(source, limits, |reader, root| {
        reader.flow(root, datasets, &ServiceNotices::new())
    })
}

/// Loads and checks a service's privacy notice template (`services/voirie.yaml`).
pub fn load_service_notice(source: &str) -> Loaded<ServiceNotice> {
    load_service_notice_bytes(source.as_bytes())
}

/// [`load_service_notice`] from a file's bytes, like [`load_flow_bytes`].
pub fn load_service_notice_bytes(source: &[u8]) -> Loaded<ServiceNotice> {
    load(source, &Limits::DOCUMENTED, |reader, root| {
        reader.service_notice(root)
    })
}
/// Loads and checks a dataset within the documented [`Limits`].
pub fn load_dataset(source: &str) -> Loaded<Dataset> {
    load_dataset_bytes(source.as_bytes())
}

/// Loads and checks a dataset from a file's bytes, like [`load_flow_bytes`].
pub fn load_dataset_bytes(source: &[u8]) -> Loaded<Dataset> {
    load(source, &Limits::DOCUMENTED, |reader, root| {
        reader.dataset(root)
    })
}

fn load<T>(
    source: &[u8],
    limits: &Limits,
    read: impl FnOnce(&mut Reader<'_>, &marked_yaml::Node) -> Option<T>,
) -> Loaded<T> {
    let text = match encoding::decode(source, limits) {
        Ok(text) => text,
        Err(diagnostic) => {
            return Loaded {
                value: None,
                diagnostics: vec![diagnostic],
            }
        }
    };
    let mut reader = Reader::new(&text, *limits);
    let value = reader.root().and_then(|root| read(&mut reader, &root));
    reader.finish_loading(value)
}
