//! Checks that need the whole flow: references to earlier questions (templates,
//! conditions, `fields`, `send`) and reachability (every step can be played, every path
//! ends with a message).

use super::flow::{StepDraft, When};
use super::reader::Reader;
use super::suggest::suggest;
use crate::diagnostic::Position;
use crate::expr::{self, Expr, Resolved};
use crate::model::{StepBody, Value};

impl Reader<'_> {
    /// Templates, conditions, summary fields and submit lists may only name earlier questions.
    pub(super) fn check_references(&mut self, drafts: &mut [StepDraft]) {
        let ids: Vec<String> = drafts.iter().map(|d| d.id.clone()).collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        for index in 0..drafts.len() {
            let (earlier, rest) = drafts.split_at_mut(index);
            let Some(draft) = rest.first_mut() else {
                continue;
            };
            let resolve = |name: &str| -> Resolved<'_> {
                match earlier.iter().find(|d| d.id == name) {
                    Some(d) => match &d.body {
                        Some(StepBody::Question(q)) => Resolved::Question(&q.kind),
                        None => Resolved::Unchecked,
                        Some(_) => Resolved::NotQuestion,
                    },
                    None if ids.iter().any(|id| id == name) => Resolved::Later,
                    None => Resolved::Unknown {
                        suggestion: suggest(name, &id_refs).map(str::to_string),
                    },
                }
            };
            if let When::If {
                expr,
                place,
                has_errors,
            } = &mut draft.when
            {
                for e in expr.check(&resolve) {
                    let at = self.locate(place, e.offset);
                    self.diags.error(at, format!("condition : {}", e.message));
                    *has_errors = true;
                }
            }
            let is_submit = matches!(draft.body, Some(StepBody::Submit { .. }));
            for (template, place) in &draft.texts {
                for (name, offset) in template.references() {
                    if is_submit && name == "recu" {
                        continue;
                    }
                    let at = self.locate(place, offset);
                    if name == "recu" {
                        self.diags.error(
                            at,
                            "texte : {recu}, le code de suivi, n'existe que dans le texte de « submit »",
                        );
                        continue;
                    }
                    match resolve(name) {
                        Resolved::Question(_) | Resolved::Unchecked => {
                            let conditional = earlier
                                .iter()
                                .any(|d| d.id == name && !matches!(d.when, When::Always));
                            let optional = earlier.iter().any(|d| {
                                d.id == name
                                    && matches!(&d.body, Some(StepBody::Question(q)) if q.optional)
                            });
                            if conditional {
                                self.diags.warning(
                                    at,
                                    format!("« {{{name}}} » peut être sans réponse (la question a une condition) : « non renseigné » sera dit"),
                                );
                            } else if optional {
                                self.diags.warning(
                                    at,
                                    format!("« {{{name}}} » peut être sans réponse (la question est facultative) : « non renseigné » sera dit"),
                                );
                            }
                        }
                        Resolved::Unknown { suggestion } => self.diags.error(
                            at,
                            match suggestion {
                                Some(s) => format!("texte : étape inconnue « {{{name}}} » : vouliez-vous dire « {{{s}}} » ?"),
                                None => format!("texte : étape inconnue « {{{name}}} »"),
                            },
                        ),
                        Resolved::Later => self.diags.error(
                            at,
                            format!("texte : « {{{name}}} » vient après, sa réponse n'est pas encore connue"),
                        ),
                        Resolved::NotQuestion => self.diags.error(
                            at,
                            format!("texte : « {{{name}}} » n'est pas une question, elle n'a pas de réponse"),
                        ),
                    }
                }
            }
            for (name, position) in &draft.refs {
                let message = match resolve(name) {
                    Resolved::Question(_) | Resolved::Unchecked => continue,
                    Resolved::Unknown {
                        suggestion: Some(s),
                    } => format!("étape inconnue « {name} » : vouliez-vous dire « {s} » ?"),
                    Resolved::Unknown { suggestion: None } => format!("étape inconnue « {name} »"),
                    Resolved::Later => {
                        format!("« {name} » vient après cette étape : sa réponse n'est pas encore connue")
                    }
                    Resolved::NotQuestion => {
                        format!("« {name} » n'est pas une question, elle n'a pas de réponse")
                    }
                };
                self.diags.error(*position, message);
            }
        }
    }

    /// Every step can be played, and every path ends with a message. Steps with errors
    /// of their own are given the benefit of the doubt.
    pub(super) fn check_reachability(&mut self, drafts: &[StepDraft], steps_position: Position) {
        let mut finished_by: Option<&str> = None;
        let mut summary_seen = false;
        let mut all_certain = true;
        for (index, draft) in drafts.iter().enumerate() {
            if let Some(end) = finished_by {
                self.diags.error(
                    draft.id_position,
                    format!(
                        "étape inaccessible : le parcours se termine avant, à l'étape « {end} »"
                    ),
                );
                continue;
            }
            all_certain &= draft.certain && draft.is_valid();
            if let When::If {
                expr,
                place,
                has_errors: false,
            } = &draft.when
            {
                if never_true(expr, &drafts[..index]) {
                    self.diags.error(
                        self.locate(place, 0),
                        "étape inaccessible : cette condition n'est jamais vraie",
                    );
                }
            }
            match &draft.body {
                Some(StepBody::Summary { .. }) => summary_seen = true,
                Some(StepBody::Submit { .. }) if !summary_seen => self.diags.error(
                    draft.id_position,
                    "« submit » sans « summary » avant : relisez les réponses à la personne avant d'envoyer",
                ),
                _ => {}
            }
            let ends = matches!(
                draft.body,
                Some(StepBody::Submit { .. } | StepBody::End { .. })
            );
            if ends && draft.certain && matches!(draft.when, When::Always) {
                finished_by = Some(&draft.id);
            }
        }
        if finished_by.is_none() && all_certain {
            let at = drafts.last().map_or(steps_position, |d| d.position);
            self.diags.error(
                at,
                "le parcours doit finir par une étape « submit » ou « end » sans condition",
            );
        }
    }
}

/// Whether a condition can never hold, trying every combination of earlier answers that
/// matters (including "no answer" for questions that have their own condition).
pub(super) fn never_true(when: &Expr, earlier: &[StepDraft]) -> bool {
    let mut domains: Vec<(String, Vec<Option<Value>>)> = Vec::new();
    for name in when.names() {
        if domains.iter().any(|(n, _)| n == &name.text) {
            continue;
        }
        let Some(draft) = earlier.iter().find(|d| d.id == name.text) else {
            return false;
        };
        let Some(StepBody::Question(q)) = &draft.body else {
            return false;
        };
        let Some(values) = expr::sample_values(&q.kind, &when.literals_for(&name.text)) else {
            return false;
        };
        let mut values: Vec<Option<Value>> = values.into_iter().map(Some).collect();
        if !matches!(draft.when, When::Always) {
            values.push(None);
        }
        domains.push((name.text.clone(), values));
    }
    when.satisfiable(&domains) == Some(false)
}
