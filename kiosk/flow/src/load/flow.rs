//! The flow's top level and its steps, read one by one before the cross-step checks.

use super::reader::{position_of, scalar_position, Reader};
use super::suggest::suggest;
use super::text::Place;
use super::{Datasets, ServiceNotices};
use crate::diagnostic::Position;
use crate::expr::{self, Expr};
use crate::menu;
use crate::model::{Flow, FlowKind, Step, StepBody, Urgency};
use crate::plain_language;
use crate::template::Template;
use marked_yaml::Node;
use std::collections::HashMap;

/// The kinds of step, by their key.
pub(super) const STEP_KINDS: [&str; 5] = ["info", "ask", "summary", "submit", "end"];

impl Reader<'_> {
    pub(super) fn flow(
        &mut self,
        root: &Node,
        datasets: &Datasets,
        notices: &ServiceNotices,
    ) -> Option<Flow> {
        let mut fields = self.mapping(root, "le parcours")?;
        let context = "en haut du parcours";
        let id = self
            .required(&mut fields, "id", context)
            .and_then(|n| self.flow_id(n));
        let version = self
            .required(&mut fields, "version", context)
            .and_then(|n| {
                let v = self.integer(n, "version")?;
                match u32::try_from(v) {
                    Ok(v) if v >= 1 => Some(v),
                    _ => {
                        self.diags.error(
                            position_of(n),
                            "« version » doit être un nombre entier à partir de 1",
                        );
                        None
                    }
                }
            });
        let title_node = self.required(&mut fields, "title", context);
        let title = title_node.and_then(|n| self.string(n, "title"));
        if let (Some(t), Some(node)) = (&title, title_node.and_then(Node::as_scalar)) {
            let start = self.locate(&self.place(node), 0);
            plain_language::check(&Template::literal(t), start, &mut self.diags);
        }
        let kind = self.required(&mut fields, "kind", context).and_then(|n| {
            let word = self.string(n, "kind")?;
            let kind = FlowKind::from_keyword(&word);
            if kind.is_none() {
                self.diags.error(
                    position_of(n),
                    format!("type de parcours inconnu « {word} » : report, booking ou procedure"),
                );
            }
            kind
        });
        let service_node = self.required(&mut fields, "service", context);
        let service = service_node.and_then(|n| self.id(n, "service"));
        let description = self
            .required(&mut fields, "description", context)
            .and_then(|n| self.string(n, "description"));
        let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
        let privacy = fields.get("privacy").map(|n| self.flow_privacy(n));
        let steps_node = self.required(&mut fields, "steps", context);
        self.finish(&fields, context);
        let steps = steps_node.and_then(|n| self.steps(n, datasets));
        let privacy = self.privacy_notice(
            privacy.as_ref(),
            service.as_deref().zip(service_node),
            notices,
            steps_node.zip(steps.as_deref()),
        );
        let steps = steps?;
        Some(Flow {
            id: id?,
            version: version?,
            title: title?,
            kind: kind?,
            service: service?,
            description: description?,
            pictogram,
            privacy: privacy.ok()?,
            steps,
            free_recognition: Vec::new(),
        })
    }

    /// A flow id, which may not be the home menu's own entry.
    fn flow_id(&mut self, node: &Node) -> Option<String> {
        let id = self.id(node, "id")?;
        if id == menu::STATUS_ENTRY {
            self.diags.error(
                position_of(node),
                format!(
                    "l'identifiant « {id} » est réservé à l'entrée « {} » de l'accueil : choisissez-en un autre, par exemple « {id}-demande »",
                    menu::STATUS_TITLE
                ),
            );
            return None;
        }
        Some(id)
    }

    pub(super) fn steps(&mut self, node: &Node, datasets: &Datasets) -> Option<Vec<Step>> {
        let Node::Sequence(seq) = node else {
            self.diags.error(
                position_of(node),
                "« steps » doit être une liste d'étapes (- id: ...)",
            );
            return None;
        };
        if seq.is_empty() {
            self.diags
                .error(position_of(node), "la liste « steps » est vide");
            return None;
        }
        if seq.len() > self.limits.max_steps {
            self.diags.error(
                position_of(node),
                format!(
                    "trop d'étapes : {} pour {} au plus : découpez ce parcours en plusieurs parcours",
                    seq.len(),
                    self.limits.max_steps
                ),
            );
            return None;
        }
        let mut drafts: Vec<StepDraft> = Vec::new();
        let mut first_lines: HashMap<String, usize> = HashMap::new();
        let mut complete = true;
        for item in seq.iter() {
            let Some(draft) = self.step(item, datasets) else {
                complete = false;
                continue;
            };
            if let Some(line) = first_lines.get(&draft.id) {
                self.diags.error(
                    draft.id_position,
                    format!("l'étape « {} » existe déjà ligne {line}", draft.id),
                );
                complete = false;
                continue;
            }
            first_lines.insert(draft.id.clone(), draft.id_position.line);
            complete &= draft.is_valid();
            drafts.push(draft);
        }
        self.check_references(&mut drafts);
        self.check_filters(&drafts, datasets);
        self.check_resources(&drafts);
        self.check_reachability(&drafts, position_of(node));
        if !complete {
            return None;
        }
        drafts
            .into_iter()
            .map(|d| {
                Some(Step {
                    id: d.id,
                    when: match d.when {
                        When::Always => None,
                        When::If { expr, .. } => Some(expr),
                        When::Broken => return None,
                    },
                    body: d.body?,
                })
            })
            .collect()
    }

    /// Reads one step. `None` only when it has no usable id; a step whose body has errors
    /// is kept (without body) so that references to it are not reported as unknown.
    pub(super) fn step(&mut self, node: &Node, datasets: &Datasets) -> Option<StepDraft> {
        let mut fields = self.mapping(node, "une étape")?;
        let present: Vec<&str> = STEP_KINDS
            .iter()
            .copied()
            .filter(|k| fields.has(k))
            .collect();
        let id_node = self.required(&mut fields, "id", "dans l'étape");
        let id = id_node.and_then(|n| self.id(n, "id"));
        let id_position = id_node.map_or(fields.position, position_of);
        let context = match &id {
            Some(id) => format!("dans l'étape « {id} »"),
            None => "dans l'étape".to_string(),
        };
        let when = match fields.get("when") {
            None => When::Always,
            Some(n) => self.condition(n, "when"),
        };
        let mut texts = Vec::new();
        let mut refs = Vec::new();
        let mut urgent = When::Always;
        let mut filter_position = None;
        let mut resource_position = None;
        let body = match present.as_slice() {
            [] => {
                // Without a kind nothing else in the step can be judged: one message.
                fields.skip_unknown_keys = true;
                let guess = fields
                    .keys()
                    .find_map(|k| suggest(k.as_str(), &STEP_KINDS).map(|kind| (k, kind)));
                match guess {
                    Some((key, kind)) => self.diags.error(
                        scalar_position(key),
                        format!(
                            "{context} : clé inconnue « {} » : vouliez-vous dire « {kind} » ? (une étape a un type : info, ask, summary, submit ou end)",
                            key.as_str()
                        ),
                    ),
                    None => self.diags.error(
                        fields.position,
                        format!("{context} : il manque le type d'étape (info, ask, summary, submit ou end)"),
                    ),
                }
                None
            }
            [first, second, ..] => {
                fields.skip_unknown_keys = true;
                self.diags.error(
                    fields.key_position(second),
                    format!(
                        "une étape ne peut avoir qu'un type : « {first} » et « {second} » ensemble"
                    ),
                );
                None
            }
            ["info"] => {
                let text = self.required_text(&mut fields, "info", &context);
                let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
                let print = fields
                    .get("print")
                    .and_then(|n| self.boolean(n, "print"))
                    .unwrap_or(false);
                text.map(|t| {
                    let body = StepBody::Info {
                        text: t.text.clone(),
                        pictogram,
                        print,
                    };
                    texts.push(t);
                    body
                })
            }
            ["ask"] => {
                let mut filter_at = None;
                let question =
                    self.question(&mut fields, &context, datasets, &mut texts, &mut filter_at);
                if let (Some(q), Some(at)) = (&question, filter_at) {
                    if let Some(filter) = &q.options_filter {
                        refs.push((filter.step.clone(), at));
                        filter_position = Some(at);
                    }
                }
                if let Some(binding) = question.as_ref().and_then(|q| q.resource.as_ref()) {
                    let at = fields.key_position("resource");
                    refs.extend(binding.step.iter().map(|s| (s.clone(), at)));
                    if let Some(quantity) = &binding.quantity {
                        refs.push((quantity.clone(), fields.key_position("quantity")));
                    }
                    resource_position = Some(at);
                }
                question.map(StepBody::Question)
            }
            ["summary"] => {
                let text = self.required_text(&mut fields, "summary", &context);
                let listed = fields
                    .get("fields")
                    .map(|n| self.string_list(n, "fields"))
                    .unwrap_or_default();
                let names = listed.iter().map(|(s, _)| s.clone()).collect();
                refs.extend(listed);
                text.map(|t| {
                    let body = StepBody::Summary {
                        text: t.text.clone(),
                        fields: names,
                    };
                    texts.push(t);
                    body
                })
            }
            ["submit"] => {
                let text = self.required_text(&mut fields, "submit", &context);
                let listed = fields
                    .get("send")
                    .map(|n| self.string_list(n, "send"))
                    .unwrap_or_default();
                let names = listed.iter().map(|(s, _)| s.clone()).collect();
                refs.extend(listed);
                let (urgency, condition) = match fields.get("urgent") {
                    None => (Urgency::Never, When::Always),
                    Some(n) => self.urgency(n),
                };
                urgent = condition;
                text.map(|t| {
                    let body = StepBody::Submit {
                        text: t.text.clone(),
                        send: names,
                        urgent: urgency,
                    };
                    texts.push(t);
                    body
                })
            }
            ["end"] => self.required_text(&mut fields, "end", &context).map(|t| {
                let body = StepBody::End {
                    text: t.text.clone(),
                };
                texts.push(t);
                body
            }),
            _ => None,
        };
        let errors_before_keys = self.diags.error_count();
        self.finish(&fields, &context);
        let has_unknown_keys = self.diags.error_count() > errors_before_keys;
        for placed in &texts {
            for (template, place) in &placed.placed {
                let start = self.locate(place, 0);
                plain_language::check(template, start, &mut self.diags);
            }
        }
        Some(StepDraft {
            id: id?,
            id_position,
            position: fields.position,
            when,
            urgent,
            // A step with unknown keys may be meant otherwise (`wehn:` for `when:`):
            // do not draw conclusions about what comes after it.
            certain: !has_unknown_keys,
            body,
            texts: texts.into_iter().flat_map(|t| t.placed).collect(),
            refs,
            filter_position,
            resource_position,
        })
    }
}

impl Reader<'_> {
    /// A condition (`when`, `urgent`), parsed; a syntax error is reported here.
    fn condition(&mut self, node: &Node, key: &str) -> When {
        let Some(s) = self.scalar(node, key) else {
            return When::Broken;
        };
        let place = self.place(s);
        match expr::parse(s.as_str()) {
            Ok(expr) => When::If {
                expr,
                place,
                has_errors: false,
            },
            Err(e) => {
                let at = self.locate(&place, e.offset);
                self.diags.error(at, format!("condition : {}", e.message));
                When::Broken
            }
        }
    }

    /// `urgent:` on `submit`: `true`/`oui`, `false`/`non`, or a condition (returned too,
    /// for the checks that need the whole flow).
    fn urgency(&mut self, node: &Node) -> (Urgency, When) {
        let constant = node.as_scalar().and_then(|s| match s.as_str().trim() {
            "true" | "oui" => Some(Urgency::Always),
            "false" | "non" => Some(Urgency::Never),
            _ => None,
        });
        if let Some(constant) = constant {
            return (constant, When::Always);
        }
        match self.condition(node, "urgent") {
            When::If {
                expr,
                place,
                has_errors,
            } => (
                Urgency::When(expr.clone()),
                When::If {
                    expr,
                    place,
                    has_errors,
                },
            ),
            other => (Urgency::Never, other),
        }
    }
}

/// A step's condition as read.
pub(super) enum When {
    Always,
    If {
        expr: Expr,
        place: Place,
        /// Names or types were wrong: already reported, so no "never true" on top.
        has_errors: bool,
    },
    /// The condition could not be parsed (already reported).
    Broken,
}

/// A step as read, before the checks that need the whole flow.
pub(super) struct StepDraft {
    pub(super) id: String,
    pub(super) id_position: Position,
    pub(super) position: Position,
    pub(super) when: When,
    /// The `urgent` condition of a `submit` (`When::Always`: none to check).
    pub(super) urgent: When,
    /// False when the step has unknown keys: it may not mean what it seems to.
    pub(super) certain: bool,
    /// `None` when the step's own content has errors.
    pub(super) body: Option<StepBody>,
    pub(super) texts: Vec<(Template, Place)>,
    /// Step ids named in `fields`, `send` or `filter`.
    pub(super) refs: Vec<(String, Position)>,
    /// Where the question's `filter` is written, if it has one.
    pub(super) filter_position: Option<Position>,
    /// Where the question's `resource` is written, if it has one.
    pub(super) resource_position: Option<Position>,
}

impl StepDraft {
    pub(super) fn is_valid(&self) -> bool {
        self.body.is_some()
            && !matches!(self.when, When::Broken)
            && !matches!(self.urgent, When::Broken)
    }
}
