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
//! - `reader`: the YAML tree with positions, the parser's errors in French.
//! - `fields`: generic readers (mappings key by key, scalars, ids, numbers, lists).
//! - `text`: citizen-facing texts and their templates, placed char by char.
//! - `suggest`: "vouliez-vous dire ... ?".
//! - `dataset`: datasets and options, reserved option ids.
//! - `flow`: the top level and the steps, reserved flow ids.
//! - `question`: questions and their kinds, date bounds.
//! - `checks`: cross-step checks (references, reachability).
//! - `filters`: options filtered by an earlier answer.
//! - `privacy`: services' notice templates, a flow's `privacy:` and who needs one.

mod checks;
mod dataset;
mod fields;
mod filters;
mod flow;
mod privacy;
mod question;
mod reader;
mod suggest;
mod text;

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

/// Loads and checks a flow without any service notice template: a flow that asks personal
/// data (it needs its service's template) is refused. See [`load_flow_with`].
pub fn load_flow(source: &str, datasets: &Datasets) -> Loaded<Flow> {
    load_flow_with(source, datasets, &ServiceNotices::new())
}

/// Loads and checks a flow. `datasets` are those `options_from` may name; `notices` the
/// services' privacy notice templates, one of which a flow asking personal data needs.
pub fn load_flow_with(source: &str, datasets: &Datasets, notices: &ServiceNotices) -> Loaded<Flow> {
    let mut reader = Reader::new(source);
    let flow = reader
        .root()
        .and_then(|root| reader.flow(&root, datasets, notices));
    reader.finish_loading(flow)
}

/// Loads and checks a service's privacy notice template (`services/voirie.yaml`).
pub fn load_service_notice(source: &str) -> Loaded<ServiceNotice> {
    let mut reader = Reader::new(source);
    let notice = reader.root().and_then(|root| reader.service_notice(&root));
    reader.finish_loading(notice)
}

/// Loads and checks a dataset file.
pub fn load_dataset(source: &str) -> Loaded<Dataset> {
    let mut reader = Reader::new(source);
    let dataset = reader.root().and_then(|root| reader.dataset(&root));
    reader.finish_loading(dataset)
}
