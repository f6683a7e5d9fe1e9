//! Checks that need the whole flow: references to earlier questions (templates,
//! conditions, `fields`, `send`) and reachability (every step can be played, every path
//! ends with a message).

use super::flow::{StepDraft, When};
use super::reader::Reader;
use super::suggest::suggest;
use crate::diagnostic::Position;
use crate::expr::{self, Expr, Resolved};
use crate::model::{StepBody, Value};
use std::cell::RefCell;
use std::collections::HashMap;

impl Reader<'_> {
    /// Templates, conditions, summary fields and submit lists may only name earlier questions.
    /// Linear in the number of steps: names are found through an index, never by a scan.
    pub(super) fn check_references(&mut self, drafts: &mut [StepDraft]) {
        let ids: Vec<String> = drafts.iter().map(|d| d.id.clone()).collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let positions = step_positions(drafts);
        let suggestions = StepSuggestions::new(&id_refs);
        for index in 0..drafts.len() {
            let (earlier, rest) = drafts.split_at_mut(index);
            let Some(draft) = rest.first_mut() else {
                continue;
            };
            let earlier_step = |name: &str| {
                positions
                    .get(name)
                    .and_then(|&i| earlier.get(i))
                    .filter(|d| d.id == name)
            };
            let resolve = |name: &str| -> Resolved<'_> {
                match earlier_step(name) {
                    Some(d) => match &d.body {
                        Some(StepBody::Question(q)) => Resolved::Question(&q.kind),
                        None => Resolved::Unchecked,
                        Some(_) => Resolved::NotQuestion,
                    },
                    None if positions.contains_key(name) => Resolved::Later,
                    None => Resolved::Unknown {
                        suggestion: suggestions.for_name(name),
                    },
                }
            };
            for condition in [&mut draft.when, &mut draft.urgent] {
                if let When::If {
                    expr,
                    place,
                    has_errors,
                } = condition
                {
                    for e in expr.check(&resolve) {
                        let at = self.locate(place, e.offset);
                        self.diags.error(at, format!("condition : {}", e.message));
                        *has_errors = true;
                    }
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
                            let conditional = earlier_step(name)
                                .is_some_and(|d| !matches!(d.when, When::Always));
                            let optional = earlier_step(name).is_some_and(|d| {
                                matches!(&d.body, Some(StepBody::Question(q)) if q.optional)
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
        let positions = step_positions(drafts);
        let mut finished_by: Option<&str> = None;
        // A step with errors of its own may be the summary, misspelled.
        let mut summary_maybe_seen = false;
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
            let never = [
                (&draft.when, "étape inaccessible : cette condition n'est jamais vraie"),
                (
                    &draft.urgent,
                    "« urgent » : cette condition n'est jamais vraie, aucune demande ne serait urgente",
                ),
            ];
            for (condition, message) in never {
                if let When::If {
                    expr,
                    place,
                    has_errors: false,
                } = condition
                {
                    if never_true(expr, &drafts[..index], &positions) {
                        self.diags.error(self.locate(place, 0), message);
                    }
                }
            }
            match &draft.body {
                Some(StepBody::Summary { .. }) => summary_maybe_seen = true,
                None => summary_maybe_seen = true,
                Some(StepBody::Submit { .. }) if !summary_maybe_seen => self.diags.error(
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

/// Each step's index in `drafts`, by id (ids are unique once read).
pub(super) fn step_positions(drafts: &[StepDraft]) -> HashMap<String, usize> {
    drafts
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.clone(), i))
        .collect()
}

/// "Vouliez-vous dire ... ?" for unknown step names, in linear time however many there are:
/// each distinct name is compared with every step id once, and only the first
/// [`StepSuggestions::SEARCHES`] distinct names are (a flow with more unknown names than that
/// gets its messages without suggestions past them).
struct StepSuggestions<'i> {
    ids: &'i [&'i str],
    found: RefCell<HashMap<String, Option<String>>>,
}

impl<'i> StepSuggestions<'i> {
    const SEARCHES: usize = 100;

    fn new(ids: &'i [&'i str]) -> Self {
        StepSuggestions {
            ids,
            found: RefCell::new(HashMap::new()),
        }
    }

    fn for_name(&self, name: &str) -> Option<String> {
        let mut found = self.found.borrow_mut();
        if let Some(known) = found.get(name) {
            return known.clone();
        }
        if found.len() >= Self::SEARCHES {
            return None;
        }
        let suggestion = suggest(name, self.ids).map(str::to_string);
        found.insert(name.to_string(), suggestion.clone());
        suggestion
    }
}

/// Whether a condition can never hold, trying every combination of earlier answers that
/// matters (including "no answer" for questions that have their own condition).
/// `positions` indexes the whole flow's steps; only those in `earlier` count.
pub(super) fn never_true(
    when: &Expr,
    earlier: &[StepDraft],
    positions: &HashMap<String, usize>,
) -> bool {
    let mut domains: Vec<(String, Vec<Option<Value>>)> = Vec::new();
    for name in when.names() {
        if domains.iter().any(|(n, _)| n == &name.text) {
            continue;
        }
        let Some(draft) = positions.get(&name.text).and_then(|&i| earlier.get(i)) else {
            return false;
        };
        let Some(StepBody::Question(q)) = &draft.body else {
            return false;
        };
        let Some(values) = expr::sample_values(&q.kind, &when.domain_hints(&name.text)) else {
            return false;
        };
        let mut values: Vec<Option<Value>> = values.into_iter().map(Some).collect();
        // No answer is possible too: the question has its own condition, or may be skipped.
        if !matches!(draft.when, When::Always) || q.optional {
            values.push(None);
        }
        domains.push((name.text.clone(), values));
    }
    when.satisfiable(&domains) == Some(false)
}
