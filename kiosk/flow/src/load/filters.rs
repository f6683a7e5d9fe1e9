//! Options filtered by an earlier answer (`filter: { commune: lieu }`): the filtering question
//! must be an earlier `choice` whose option ids are what the field holds.

use super::flow::StepDraft;
use super::reader::Reader;
use super::Datasets;
use crate::model::{Question, QuestionKind, StepBody, Value};
use std::collections::HashMap;

/// How many examples a warning lists.
const EXAMPLES: usize = 3;

impl Reader<'_> {
    pub(super) fn check_filters(&mut self, drafts: &[StepDraft], datasets: &Datasets) {
        let mut questions: HashMap<&str, &Question> = HashMap::new();
        for draft in drafts {
            let Some(StepBody::Question(q)) = &draft.body else {
                continue;
            };
            if let (Some(filter), Some(at)) = (&q.options_filter, draft.filter_position) {
                // Unknown, later and non-question steps are reported with the references.
                if let Some(by) = questions.get(filter.step.as_str()) {
                    let field = q
                        .dataset
                        .as_deref()
                        .and_then(|d| datasets.get(d))
                        .and_then(|d| d.fields.get(&filter.field));
                    let QuestionKind::Choice {
                        options: by_options,
                    } = &by.kind
                    else {
                        self.diags.error(
                            at,
                            format!("« filter » : « {} » doit être une question « choice » : ses options disent quoi garder", filter.step),
                        );
                        questions.insert(&draft.id, q);
                        continue;
                    };
                    let wanted = field.and_then(|f| f.dataset.as_deref());
                    if let Some(wanted) = wanted {
                        if by.dataset.as_deref() != Some(wanted) {
                            self.diags.error(
                                at,
                                format!("« filter » : le champ « {} » contient des options de « {wanted} », mais « {} » ne prend pas ses options dans « {wanted} » (options_from: {wanted})", filter.field, filter.step),
                            );
                            questions.insert(&draft.id, q);
                            continue;
                        }
                    }
                    let empty: Vec<&str> = by_options
                        .iter()
                        .filter(|o| {
                            filter
                                .apply(q.kind.options(), Some(&Value::Choice(o.id.clone())))
                                .is_empty()
                        })
                        .map(|o| o.label.as_str())
                        .collect();
                    if !empty.is_empty() {
                        let examples = empty.iter().take(EXAMPLES).copied().collect::<Vec<_>>();
                        let more = if empty.len() > EXAMPLES { ", ..." } else { "" };
                        self.diags.warning(
                            at,
                            format!(
                                "« filter » : aucune option pour {} réponse(s) de « {} » ({}{more}) : la question sera passée pour elles",
                                empty.len(),
                                filter.step,
                                examples.join(", ")
                            ),
                        );
                    }
                }
            }
            questions.insert(&draft.id, q);
        }
    }
}
