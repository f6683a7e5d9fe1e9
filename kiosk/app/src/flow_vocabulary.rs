//! The flows against the recognition model's vocabulary ([`kiosk_flow::vocabulary`]): when
//! flows are installed (`kiosk run` at start and for each new catalog, `kiosk simulate --voice`)
//! and in `kiosk flow check --model DIR`. The words are looked up in the model by the recognizer
//! (`vosk_model_find_word`).

use kiosk_flow::vocabulary::{self, VocabularyReport};
use kiosk_flow::Flow;
use std::collections::HashSet;
use std::sync::Arc;
use tracing::warn;

/// Looks words up in the model: whether each is known; `None` without a model.
pub type KnownWords<'a> = &'a dyn Fn(Vec<String>) -> Option<Vec<bool>>;

/// The phrases of `flow` the model cannot hear whole; `None` without a model.
pub fn report(flow: &Flow, known_words: KnownWords<'_>) -> Option<VocabularyReport> {
    let words: Vec<String> = vocabulary::option_words(flow).into_iter().collect();
    let known = known_words(words.clone())?;
    let known: HashSet<&str> = words
        .iter()
        .zip(known)
        .filter(|(_, known)| *known)
        .map(|(word, _)| word.as_str())
        .collect();
    Some(vocabulary::check(flow, &|word: &str| known.contains(word)))
}

/// The flows with their questions that the model cannot hear every option of listened to in
/// free dictation; every unknown phrase is logged. Without a model, the flows as they are.
pub fn adapt(flows: Vec<Arc<Flow>>, known_words: KnownWords<'_>) -> Vec<Arc<Flow>> {
    flows
        .into_iter()
        .map(|flow| {
            let Some(report) = report(&flow, known_words) else {
                return flow;
            };
            for line in report.messages() {
                warn!(flow = %flow.id, "{line}");
            }
            if report.free_steps() == flow.free_recognition {
                return flow;
            }
            let mut adapted = (*flow).clone();
            vocabulary::apply(&mut adapted, &report);
            Arc::new(adapted)
        })
        .collect()
}
