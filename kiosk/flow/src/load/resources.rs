//! Date questions bound to a resource (`resource: salle-{commune}`, `quantity: quantite`):
//! the answer named in the id must be an earlier `choice` (its option id completes the id),
//! and the quantity an earlier `number`. Unknown and later steps are reported with the other
//! references.

use super::flow::StepDraft;
use super::reader::Reader;
use crate::model::{QuestionKind, StepBody};
use std::collections::HashMap;

impl Reader<'_> {
    pub(super) fn check_resources(&mut self, drafts: &[StepDraft]) {
        let mut kinds: HashMap<&str, &QuestionKind> = HashMap::new();
        for draft in drafts {
            let Some(StepBody::Question(q)) = &draft.body else {
                continue;
            };
            if let (Some(binding), Some(at)) = (&q.resource, draft.resource_position) {
                if let Some(step) = &binding.step {
                    if kinds
                        .get(step.as_str())
                        .is_some_and(|k| !matches!(k, QuestionKind::Choice { .. }))
                    {
                        self.diags.error(
                            at,
                            format!("« resource » : « {step} » doit être une question « choice » : l'identifiant de l'option choisie complète celui de la ressource"),
                        );
                    }
                }
                if let Some(quantity) = &binding.quantity {
                    if kinds
                        .get(quantity.as_str())
                        .is_some_and(|k| !matches!(k, QuestionKind::Number { .. }))
                    {
                        self.diags.error(
                            at,
                            format!("« quantity » : « {quantity} » doit être une question « number » : sa réponse est la quantité demandée"),
                        );
                    }
                }
            }
            kinds.insert(&draft.id, &q.kind);
        }
    }
}
