//! From YAML text to a checked [`Flow`] (or [`Dataset`]), with every problem found at once.
//!
//! The YAML is parsed into a tree that keeps line and column of every node (marked-yaml),
//! then read by hand, key by key, so that each unknown key, missing key, bad value,
//! dangling reference or unreachable step gets its own diagnostic at its own place.
//! Nothing here panics on any input: every lookup is checked.

use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::expr::{self, Expr, Resolved};
use crate::model::*;
use crate::plain_language;
use crate::template::Template;
use chrono::{NaiveDate, NaiveTime};
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::{LoadError, LoaderOptions, Node};
use std::collections::{BTreeMap, HashMap};

/// A shared list of options (`data/communes.yaml`).
#[derive(Debug, Clone)]
pub struct Dataset {
    pub id: String,
    pub title: String,
    pub options: Vec<ChoiceOption>,
}

/// Datasets by id, as a flow's `options_from` finds them.
pub type Datasets = HashMap<String, Dataset>;

/// The outcome of loading: the flow when there is no error, and every diagnostic.
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

/// Loads and checks a flow. `datasets` are those `options_from` may name.
pub fn load_flow(source: &str, datasets: &Datasets) -> Loaded<Flow> {
    let mut reader = Reader::new(source);
    let flow = reader.root().and_then(|root| reader.flow(&root, datasets));
    let has_errors = reader.diags.has_errors();
    Loaded {
        value: flow.filter(|_| !has_errors),
        diagnostics: reader.diags.into_sorted(),
    }
}

/// Loads and checks a dataset file.
pub fn load_dataset(source: &str) -> Loaded<Dataset> {
    let mut reader = Reader::new(source);
    let dataset = reader.root().and_then(|root| reader.dataset(&root));
    let has_errors = reader.diags.has_errors();
    Loaded {
        value: dataset.filter(|_| !has_errors),
        diagnostics: reader.diags.into_sorted(),
    }
}

fn position_of(node: &Node) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), |m| Position::new(m.line(), m.column()))
}

fn scalar_position(node: &MarkedScalarNode) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), |m| Position::new(m.line(), m.column()))
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(crate::template::is_name_char)
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

/// Keys that belong to one question type or another.
const TYPE_KEYS: [&str; 7] = [
    "options",
    "options_from",
    "min",
    "max",
    "max_length",
    "earliest",
    "latest",
];

const ID_RULE: &str =
    "lettres minuscules sans accent, chiffres et « - », en commençant par une lettre";

/// A mapping being read: remembers which keys were used, to report the others.
struct Fields<'n> {
    map: &'n MarkedMappingNode,
    position: Position,
    used: Vec<&'static str>,
}

impl<'n> Fields<'n> {
    fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.used.push(key);
        self.map.get_node(key)
    }

    fn has(&self, key: &str) -> bool {
        self.map.get_node(key).is_some()
    }

    fn key_position(&self, key: &str) -> Position {
        self.map
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map_or(self.position, |(k, _)| scalar_position(k))
    }
}

/// A text's templates with the place of its scalars, for later reference checks.
struct PlacedText {
    text: Text,
    /// (template, position of its first char, whether offsets can be added to the column)
    placed: Vec<(Template, Position, bool)>,
}

struct Reader<'s> {
    source: &'s str,
    diags: Diagnostics,
}

impl<'s> Reader<'s> {
    fn new(source: &'s str) -> Self {
        Reader {
            source,
            diags: Diagnostics::default(),
        }
    }

    fn root(&mut self) -> Option<Node> {
        if self.source.trim().is_empty() {
            self.diags.error(Position::new(1, 1), "le fichier est vide");
            return None;
        }
        let options = LoaderOptions::default().error_on_duplicate_keys(true);
        match marked_yaml::parse_yaml_with_options(0, self.source, options) {
            Ok(node) => Some(node),
            Err(e) => {
                let (marker, message) = match &e {
                    LoadError::TopLevelMustBeMapping(m) => (
                        *m,
                        "le fichier doit être une suite de « clé: valeur » (id, title, steps...)"
                            .to_string(),
                    ),
                    LoadError::TopLevelMustBeSequence(m) => {
                        (*m, "une liste est attendue".to_string())
                    }
                    LoadError::UnexpectedAnchor(m) => (
                        *m,
                        "les ancres YAML (&, *) ne sont pas acceptées".to_string(),
                    ),
                    LoadError::MappingKeyMustBeScalar(m) => {
                        (*m, "une clé doit être un simple mot".to_string())
                    }
                    LoadError::UnexpectedTag(m) => (
                        *m,
                        "les étiquettes YAML (!) ne sont pas acceptées".to_string(),
                    ),
                    LoadError::ScanError(m, scan) => {
                        (*m, format!("YAML mal formé : {}", scan.info()))
                    }
                    LoadError::DuplicateKey(inner) => {
                        let first = scalar_position(&inner.prev_key);
                        let marker = inner
                            .key
                            .span()
                            .start()
                            .copied()
                            .unwrap_or_else(|| marked_yaml::Marker::new(0, 0, 1, 1));
                        (
                            marker,
                            format!(
                                "la clé « {} » est déjà écrite ligne {}",
                                inner.key.as_str(),
                                first.line
                            ),
                        )
                    }
                };
                self.diags.error(
                    Position::new(marker.line().max(1), marker.column().max(1)),
                    message,
                );
                None
            }
        }
    }

    // ----- generic readers -------------------------------------------------------------

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        match node {
            Node::Mapping(map) => Some(Fields {
                map,
                position: position_of(node),
                used: Vec::new(),
            }),
            _ => {
                self.diags.error(
                    position_of(node),
                    format!("{what} : une suite de « clé: valeur » est attendue"),
                );
                None
            }
        }
    }

    /// Reports every key of `fields` that was not read.
    fn finish(&mut self, fields: &Fields<'_>, context: &str) {
        for (key, _) in fields.map.iter() {
            let name = key.as_str();
            if fields.used.contains(&name) {
                continue;
            }
            let suggestion = fields
                .used
                .iter()
                .filter(|k| strsim::levenshtein(k, name) <= 2)
                .min_by_key(|k| strsim::levenshtein(k, name))
                .map(|k| format!(" : vouliez-vous dire « {k} » ?"))
                .unwrap_or_else(|| {
                    let mut keys = fields.used.clone();
                    keys.sort_unstable();
                    keys.dedup();
                    format!(" (clés possibles : {})", keys.join(", "))
                });
            self.diags.error(
                scalar_position(key),
                format!("clé inconnue « {name} » {context}{suggestion}"),
            );
        }
    }

    fn scalar<'n>(&mut self, node: &'n Node, key: &str) -> Option<&'n MarkedScalarNode> {
        match node {
            Node::Scalar(s) => Some(s),
            _ => {
                self.diags.error(
                    position_of(node),
                    format!(
                        "« {key} » doit être une valeur simple, pas une liste ni une suite de clés"
                    ),
                );
                None
            }
        }
    }

    fn required<'n>(
        &mut self,
        fields: &mut Fields<'n>,
        key: &'static str,
        context: &str,
    ) -> Option<&'n Node> {
        let node = fields.get(key);
        if node.is_none() {
            self.diags.error(
                fields.position,
                format!("clé « {key} » manquante {context}"),
            );
        }
        node
    }

    fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        let s = self.scalar(node, key)?;
        let text = s.as_str().trim();
        if text.is_empty() || text == "~" || text == "null" {
            self.diags
                .error(position_of(node), format!("« {key} » est vide"));
            return None;
        }
        Some(text.to_string())
    }

    fn id(&mut self, node: &Node, key: &str) -> Option<String> {
        let id = self.string(node, key)?;
        if !is_valid_id(&id) {
            self.diags.error(
                position_of(node),
                format!("« {id} » n'est pas un identifiant valable : {ID_RULE}"),
            );
            return None;
        }
        Some(id)
    }

    fn integer(&mut self, node: &Node, key: &str) -> Option<i64> {
        let s = self.scalar(node, key)?;
        match s.as_str().trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                self.diags.error(
                    position_of(node),
                    format!(
                        "« {key} » doit être un nombre entier, pas « {} »",
                        s.as_str()
                    ),
                );
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, key: &str) -> Option<bool> {
        let s = self.scalar(node, key)?;
        match s.as_str().trim() {
            "true" | "oui" => Some(true),
            "false" | "non" => Some(false),
            other => {
                self.diags.error(
                    position_of(node),
                    format!("« {key} » doit valoir true ou false, pas « {other} »"),
                );
                None
            }
        }
    }

    fn string_list(&mut self, node: &Node, key: &str) -> Vec<(String, Position)> {
        let Node::Sequence(seq) = node else {
            self.diags.error(
                position_of(node),
                format!("« {key} » doit être une liste, par exemple [a, b]"),
            );
            return Vec::new();
        };
        seq.iter()
            .filter_map(|item| Some((self.string(item, key)?, position_of(item))))
            .collect()
    }

    /// The position of a scalar's first content char (after an opening quote), and whether
    /// char offsets inside it map to columns (one-line scalars only).
    fn content_position(&self, node: &MarkedScalarNode) -> (Position, bool) {
        let start = scalar_position(node);
        let Some(marker) = node.span().start() else {
            return (start, false);
        };
        let mut rest = self.source.chars().skip(marker.character());
        let first = rest.next();
        let quoted = matches!(first, Some('\'' | '"'));
        let one_line = !node.as_str().contains('\n') && !matches!(first, Some('|' | '>'));
        if quoted {
            (
                start.shifted(1),
                one_line && !node.as_str().contains(['\'', '"', '\\']),
            )
        } else {
            (start, one_line)
        }
    }

    fn template(
        &mut self,
        node: &MarkedScalarNode,
        placed: &mut Vec<(Template, Position, bool)>,
    ) -> Option<Template> {
        let (position, exact) = self.content_position(node);
        match Template::parse(node.as_str()) {
            Ok(t) => {
                placed.push((t.clone(), position, exact));
                Some(t)
            }
            Err(e) => {
                let at = if exact {
                    position.shifted(e.offset)
                } else {
                    position
                };
                self.diags.error(at, e.message);
                None
            }
        }
    }

    /// A citizen-facing text: a plain string, or `{ show, say }`.
    fn text(&mut self, node: &Node, key: &str) -> Option<PlacedText> {
        let mut placed = Vec::new();
        match node {
            Node::Scalar(s) => {
                self.string(node, key)?;
                let show = self.template(s, &mut placed)?;
                Some(PlacedText {
                    text: Text { show, say: None },
                    placed,
                })
            }
            Node::Mapping(_) => {
                let mut fields = self.mapping(node, key)?;
                let show_node = self.required(
                    &mut fields,
                    "show",
                    &format!("dans le texte « {key} » (ce qui est affiché)"),
                );
                let say_node = fields.get("say");
                self.finish(&fields, &format!("dans le texte « {key} »"));
                let show = match show_node {
                    Some(n) => {
                        self.string(n, "show")?;
                        let s = self.scalar(n, "show")?;
                        self.template(s, &mut placed)
                    }
                    None => None,
                };
                let say = match say_node {
                    Some(n) => {
                        self.string(n, "say")?;
                        let s = self.scalar(n, "say")?;
                        Some(self.template(s, &mut placed)?)
                    }
                    None => None,
                };
                Some(PlacedText {
                    text: Text { show: show?, say },
                    placed,
                })
            }
            Node::Sequence(_) => {
                self.diags.error(
                    position_of(node),
                    format!("« {key} » doit être un texte, ou « show » et « say »"),
                );
                None
            }
        }
    }

    fn required_text(
        &mut self,
        fields: &mut Fields<'_>,
        key: &'static str,
        context: &str,
    ) -> Option<PlacedText> {
        let node = self.required(fields, key, context)?;
        self.text(node, key)
    }

    // ----- datasets and options --------------------------------------------------------

    fn dataset(&mut self, root: &Node) -> Option<Dataset> {
        let mut fields = self.mapping(root, "le jeu de données")?;
        let context = "dans le jeu de données";
        let id = self
            .required(&mut fields, "id", context)
            .and_then(|n| self.id(n, "id"));
        let title = self
            .required(&mut fields, "title", context)
            .and_then(|n| self.string(n, "title"));
        let options = self
            .required(&mut fields, "options", context)
            .map(|n| self.options(n, true));
        self.finish(&fields, context);
        Some(Dataset {
            id: id?,
            title: title?,
            options: options?,
        })
    }

    fn options(&mut self, node: &Node, allow_details: bool) -> Vec<ChoiceOption> {
        let Node::Sequence(seq) = node else {
            self.diags.error(
                position_of(node),
                "« options » doit être une liste d'options (- id: ..., label: ...)",
            );
            return Vec::new();
        };
        if seq.is_empty() {
            self.diags
                .error(position_of(node), "la liste « options » est vide");
        }
        let mut seen: HashMap<String, Position> = HashMap::new();
        let mut options = Vec::new();
        for item in seq.iter() {
            let Some(mut fields) = self.mapping(item, "une option") else {
                continue;
            };
            let context = "dans l'option";
            let id = self.required(&mut fields, "id", context).and_then(|n| {
                // Option ids may be codes (INSEE "62060"), so digits may come first.
                let id = self.string(n, "id")?;
                if !id.chars().all(crate::template::is_name_char) {
                    self.diags.error(
                        position_of(n),
                        format!("« {id} » n'est pas un identifiant d'option valable : lettres minuscules sans accent, chiffres, « - » et « _ »"),
                    );
                    return None;
                }
                if let Some(first) = seen.get(&id) {
                    self.diags.error(
                        position_of(n),
                        format!("l'option « {id} » existe déjà ligne {}", first.line),
                    );
                    return None;
                }
                seen.insert(id.clone(), position_of(n));
                Some(id)
            });
            let label = self
                .required(&mut fields, "label", context)
                .and_then(|n| self.string(n, "label"));
            let synonyms = fields
                .get("synonyms")
                .map(|n| self.string_list(n, "synonyms"))
                .unwrap_or_default();
            let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
            let mut details = BTreeMap::new();
            if allow_details {
                if let Some(node) = fields.get("details") {
                    if let Some(map) = self.mapping(node, "details") {
                        for (k, v) in map.map.iter() {
                            if let Some(value) = self.string(v, k.as_str()) {
                                details.insert(k.as_str().to_string(), value);
                            }
                        }
                    }
                }
            }
            self.finish(&fields, context);
            if let (Some(id), Some(label)) = (id, label) {
                options.push(ChoiceOption {
                    id,
                    label,
                    synonyms: synonyms.into_iter().map(|(s, _)| s).collect(),
                    pictogram,
                    details,
                });
            }
        }
        options
    }

    fn pictogram(&mut self, node: &Node) -> Option<String> {
        let name = self.string(node, "pictogram")?;
        if !is_valid_id(&name) {
            self.diags.error(
                position_of(node),
                format!("« {name} » n'est pas un nom de pictogramme valable : {ID_RULE}"),
            );
            return None;
        }
        Some(name)
    }

    // ----- flows -----------------------------------------------------------------------

    fn flow(&mut self, root: &Node, datasets: &Datasets) -> Option<Flow> {
        let mut fields = self.mapping(root, "le parcours")?;
        let context = "en haut du parcours";
        let id = self
            .required(&mut fields, "id", context)
            .and_then(|n| self.id(n, "id"));
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
        let title = self
            .required(&mut fields, "title", context)
            .and_then(|n| self.string(n, "title"));
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
        let service = self
            .required(&mut fields, "service", context)
            .and_then(|n| self.id(n, "service"));
        let description = self
            .required(&mut fields, "description", context)
            .and_then(|n| self.string(n, "description"));
        let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
        let steps_node = self.required(&mut fields, "steps", context);
        self.finish(&fields, context);

        if let (Some(t), Some(n)) = (&title, fields.get("title")) {
            if let Some(s) = n.as_scalar() {
                let (at, _) = self.content_position(s);
                plain_language::check(&Template::literal(t), at, &mut self.diags);
            }
        }

        let steps = match steps_node {
            Some(node) => self.steps(node, datasets)?,
            None => return None,
        };
        Some(Flow {
            id: id?,
            version: version?,
            title: title?,
            kind: kind?,
            service: service?,
            description: description?,
            pictogram,
            steps,
        })
    }

    fn steps(&mut self, node: &Node, datasets: &Datasets) -> Option<Vec<Step>> {
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
        let mut drafts = Vec::new();
        let mut seen: HashMap<String, Position> = HashMap::new();
        let mut complete = true;
        for item in seq.iter() {
            match self.step(item, datasets) {
                Some(draft) => {
                    if let Some(first) = seen.get(&draft.step.id) {
                        self.diags.error(
                            draft.id_position,
                            format!(
                                "l'étape « {} » existe déjà ligne {}",
                                draft.step.id, first.line
                            ),
                        );
                        complete = false;
                    } else {
                        seen.insert(draft.step.id.clone(), draft.id_position);
                    }
                    drafts.push(draft);
                }
                None => complete = false,
            }
        }
        self.check_references(&drafts);
        self.check_reachability(&drafts, position_of(node), complete);
        if !complete {
            return None;
        }
        Some(drafts.into_iter().map(|d| d.step).collect())
    }

    fn step(&mut self, node: &Node, datasets: &Datasets) -> Option<StepDraft> {
        let mut fields = self.mapping(node, "une étape")?;
        let kinds = ["info", "ask", "summary", "submit", "end"];
        let present: Vec<&str> = kinds.iter().copied().filter(|k| fields.has(k)).collect();
        let id_node = fields.get("id");
        let id = match id_node {
            Some(n) => self.id(n, "id"),
            None => {
                self.diags
                    .error(fields.position, "clé « id » manquante dans l'étape");
                None
            }
        };
        let id_position = id_node.map_or(fields.position, position_of);
        let context = match &id {
            Some(id) => format!("dans l'étape « {id} »"),
            None => "dans l'étape".to_string(),
        };
        let when = fields.get("when").and_then(|n| {
            let s = self.scalar(n, "when")?;
            let (position, exact) = self.content_position(s);
            match expr::parse(s.as_str()) {
                Ok(e) => Some((e, position, exact)),
                Err(e) => {
                    let at = if exact {
                        position.shifted(e.offset)
                    } else {
                        position
                    };
                    self.diags.error(at, format!("condition : {}", e.message));
                    None
                }
            }
        });
        let when_failed = fields.has("when") && when.is_none();
        let mut texts = Vec::new();
        let mut refs = Vec::new();
        let body = match present.as_slice() {
            [] => {
                self.diags.error(
                    fields.position,
                    format!(
                        "{context} : il manque le type d'étape (info, ask, summary, submit ou end)"
                    ),
                );
                None
            }
            [_, second, ..] => {
                self.diags.error(
                    fields.key_position(second),
                    format!(
                        "une étape ne peut avoir qu'un type : « {} » et « {second} » ensemble",
                        present[0]
                    ),
                );
                None
            }
            ["info"] => {
                let text = self.required_text(&mut fields, "info", &context);
                let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
                text.map(|t| {
                    let body = StepBody::Info {
                        text: t.text.clone(),
                        pictogram,
                    };
                    texts.push(("info", t));
                    body
                })
            }
            ["ask"] => self
                .question(&mut fields, &context, datasets, &mut texts)
                .map(StepBody::Question),
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
                    texts.push(("summary", t));
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
                text.map(|t| {
                    let body = StepBody::Submit {
                        text: t.text.clone(),
                        send: names,
                    };
                    texts.push(("submit", t));
                    body
                })
            }
            ["end"] => self.required_text(&mut fields, "end", &context).map(|t| {
                let body = StepBody::End {
                    text: t.text.clone(),
                };
                texts.push(("end", t));
                body
            }),
            _ => None,
        };
        self.finish(&fields, &context);
        for (_, placed) in &texts {
            for (template, position, _) in &placed.placed {
                plain_language::check(template, *position, &mut self.diags);
            }
        }
        if when_failed {
            return None;
        }
        let (when, when_position) = match when {
            Some((e, p, exact)) => (Some(e), Some((p, exact))),
            None => (None, None),
        };
        Some(StepDraft {
            step: Step {
                id: id?,
                when,
                body: body?,
            },
            id_position,
            position: fields.position,
            when_position,
            texts: texts.into_iter().flat_map(|(_, t)| t.placed).collect(),
            refs,
        })
    }

    fn question(
        &mut self,
        fields: &mut Fields<'_>,
        context: &str,
        datasets: &Datasets,
        texts: &mut Vec<(&'static str, PlacedText)>,
    ) -> Option<Question> {
        let ask = self.required_text(fields, "ask", context);
        let help = self.required_text(fields, "help", &format!("{context} (ce que dit « aide »)"));
        let reprompt = self.required_text(
            fields,
            "reprompt",
            &format!("{context} (ce qui est dit quand la réponse n'est pas comprise)"),
        );
        let label = self
            .required(
                fields,
                "label",
                &format!("{context} (son nom dans le résumé)"),
            )
            .and_then(|n| self.string(n, "label"));
        let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
        let confirm = fields
            .get("confirm")
            .and_then(|n| self.boolean(n, "confirm"));
        let type_node = self.required(fields, "type", context);
        let kind = type_node.and_then(|n| {
            let word = self.string(n, "type")?;
            let kind = self.question_kind(&word, n, fields, datasets);
            if kind.is_none() {
                // The type's own keys were not all read: do not report them as unknown too.
                fields.used.extend(TYPE_KEYS);
            }
            kind
        });
        for (key, text) in [("ask", &ask), ("help", &help), ("reprompt", &reprompt)] {
            if let Some(t) = text {
                texts.push((
                    key,
                    PlacedText {
                        text: t.text.clone(),
                        placed: t.placed.clone(),
                    },
                ));
            }
        }
        let kind = kind?;
        Some(Question {
            ask: ask?.text,
            help: help?.text,
            reprompt: reprompt?.text,
            label: label?,
            pictogram,
            confirm: confirm.unwrap_or_else(|| kind.confirms_by_default()),
            kind,
        })
    }

    fn question_kind(
        &mut self,
        word: &str,
        type_node: &Node,
        fields: &mut Fields<'_>,
        datasets: &Datasets,
    ) -> Option<QuestionKind> {
        match word {
            "yes_no" => Some(QuestionKind::YesNo),
            "phone" => Some(QuestionKind::Phone),
            "email" => Some(QuestionKind::Email),
            "choice" => {
                let inline = fields.get("options");
                let from = fields.get("options_from");
                match (inline, from) {
                    (Some(_), Some(f)) => {
                        self.diags.error(
                            position_of(f),
                            "« options » et « options_from » ensemble : choisissez l'un ou l'autre",
                        );
                        None
                    }
                    (None, None) => {
                        self.diags.error(
                            position_of(type_node),
                            "une question « choice » a besoin de « options » ou de « options_from »",
                        );
                        None
                    }
                    (Some(list), None) => {
                        let options = self.options(list, false);
                        (!options.is_empty()).then_some(QuestionKind::Choice { options })
                    }
                    (None, Some(f)) => {
                        let name = self.string(f, "options_from")?;
                        match datasets.get(&name) {
                            Some(d) => Some(QuestionKind::Choice {
                                options: d.options.clone(),
                            }),
                            None => {
                                let mut known: Vec<&str> =
                                    datasets.keys().map(String::as_str).collect();
                                known.sort_unstable();
                                let known = if known.is_empty() {
                                    "aucun jeu de données dans le dossier data/".to_string()
                                } else {
                                    format!("jeux connus : {}", known.join(", "))
                                };
                                self.diags.error(
                                    position_of(f),
                                    format!("jeu de données inconnu « {name} » ({known})"),
                                );
                                None
                            }
                        }
                    }
                }
            }
            "number" => {
                let min = fields
                    .get("min")
                    .map(|n| (self.integer(n, "min"), position_of(n)));
                let max = fields
                    .get("max")
                    .map(|n| (self.integer(n, "max"), position_of(n)));
                let min_value = match min {
                    Some((v, _)) => v?,
                    None => 0,
                };
                let max_value = match max {
                    Some((v, _)) => v?,
                    None => 999,
                };
                if min_value > max_value {
                    let at = max.map_or(position_of(type_node), |(_, p)| p);
                    self.diags.error(
                        at,
                        format!("« max » ({max_value}) est plus petit que « min » ({min_value})"),
                    );
                    return None;
                }
                Some(QuestionKind::Number {
                    min: min_value,
                    max: max_value,
                })
            }
            "text" => {
                let max_length = match fields.get("max_length") {
                    Some(n) => {
                        let v = self.integer(n, "max_length")?;
                        if !(1..=2000).contains(&v) {
                            self.diags
                                .error(position_of(n), "« max_length » doit aller de 1 à 2000");
                            return None;
                        }
                        v as usize
                    }
                    None => 300,
                };
                Some(QuestionKind::Text { max_length })
            }
            "date" => {
                let earliest = match fields.get("earliest") {
                    Some(n) => self.date_bound(n, "earliest")?,
                    None => DateBound::Open,
                };
                let latest = match fields.get("latest") {
                    Some(n) => self.date_bound(n, "latest")?,
                    None => DateBound::Open,
                };
                // Compare on a reference day; relative bounds keep their order on any day.
                let reference = NaiveDate::from_ymd_opt(2026, 1, 1);
                if let (Some(e), Some(l)) = (
                    reference.and_then(|r| earliest.resolve(r)),
                    reference.and_then(|r| latest.resolve(r)),
                ) {
                    let both_same_kind = matches!(
                        (earliest, latest),
                        (DateBound::Fixed(_), DateBound::Fixed(_))
                            | (DateBound::Relative { .. }, DateBound::Relative { .. })
                    );
                    if both_same_kind && e > l {
                        let at = fields.key_position("latest");
                        self.diags.error(
                            at,
                            "« latest » vient avant « earliest » : aucune date possible",
                        );
                        return None;
                    }
                }
                Some(QuestionKind::Date { earliest, latest })
            }
            "time" => {
                let parse = |reader: &mut Self,
                             key: &'static str,
                             fields: &mut Fields<'_>,
                             default: NaiveTime| {
                    match fields.get(key) {
                        Some(n) => {
                            let s = reader.string(n, key)?;
                            match NaiveTime::parse_from_str(&s, "%H:%M") {
                                Ok(t) => Some(t),
                                Err(_) => {
                                    reader.diags.error(
                                        position_of(n),
                                        format!("« {key} » doit être une heure comme 14:30, pas « {s} »"),
                                    );
                                    None
                                }
                            }
                        }
                        None => Some(default),
                    }
                };
                let earliest = parse(self, "earliest", fields, NaiveTime::MIN)?;
                let latest = parse(self, "latest", fields, NaiveTime::from_hms_opt(23, 59, 0)?)?;
                if earliest > latest {
                    let at = fields.key_position("latest");
                    self.diags.error(
                        at,
                        "« latest » vient avant « earliest » : aucune heure possible",
                    );
                    return None;
                }
                Some(QuestionKind::Time { earliest, latest })
            }
            other => {
                let kinds = [
                    "yes_no", "choice", "number", "text", "phone", "email", "date", "time",
                ];
                let hint = kinds
                    .iter()
                    .min_by_key(|k| strsim::levenshtein(k, other))
                    .filter(|k| strsim::levenshtein(k, other) <= 2)
                    .map(|k| format!(" : vouliez-vous dire « {k} » ?"))
                    .unwrap_or_else(|| format!(" (types possibles : {})", kinds.join(", ")));
                self.diags.error(
                    position_of(type_node),
                    format!("type de question inconnu « {other} »{hint}"),
                );
                None
            }
        }
    }

    fn date_bound(&mut self, node: &Node, key: &str) -> Option<DateBound> {
        let text = self.string(node, key)?;
        let bound = parse_date_bound(&text);
        if bound.is_none() {
            self.diags.error(
                position_of(node),
                format!("« {key} » : « {text} » n'est pas une date comprise (today, today+90d, today-18y, today+6m, today+2w ou 2027-01-31)"),
            );
        }
        bound
    }

    // ----- cross-step checks -----------------------------------------------------------

    /// Templates, conditions, summary fields and submit lists may only name earlier questions.
    fn check_references(&mut self, drafts: &[StepDraft]) {
        for (index, draft) in drafts.iter().enumerate() {
            let earlier = &drafts[..index];
            let resolve = |name: &str| -> Resolved<'_> {
                match earlier.iter().find(|d| d.step.id == name) {
                    Some(d) => match &d.step.body {
                        StepBody::Question(q) => Resolved::Question(&q.kind),
                        _ => Resolved::NotQuestion,
                    },
                    None if drafts.iter().any(|d| d.step.id == name) => Resolved::Later,
                    None => Resolved::Unknown,
                }
            };
            if let (Some(when), Some((position, exact))) = (&draft.step.when, draft.when_position) {
                for e in when.check(&resolve) {
                    let at = if exact {
                        position.shifted(e.offset)
                    } else {
                        position
                    };
                    self.diags.error(at, format!("condition : {}", e.message));
                }
            }
            let is_submit = matches!(draft.step.body, StepBody::Submit { .. });
            for (template, position, exact) in &draft.texts {
                for (name, offset) in template.references() {
                    if is_submit && name == "recu" {
                        continue;
                    }
                    let at = if *exact {
                        position.shifted(offset)
                    } else {
                        *position
                    };
                    let hint = if name == "recu" {
                        " ({recu} n'existe que dans le texte de « submit »)"
                    } else {
                        ""
                    };
                    match resolve(name) {
                        Resolved::Question(_) => {
                            if earlier
                                .iter()
                                .any(|d| d.step.id == name && d.step.when.is_some())
                            {
                                self.diags.warning(
                                    at,
                                    format!("« {{{name}}} » peut être sans réponse (la question a une condition) : « non renseigné » sera dit"),
                                );
                            }
                        }
                        Resolved::Unknown => self
                            .diags
                            .error(at, format!("texte : étape inconnue « {{{name}}} »{hint}")),
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
                match resolve(name) {
                    Resolved::Question(_) => {}
                    Resolved::Unknown => self
                        .diags
                        .error(*position, format!("étape inconnue « {name} »")),
                    Resolved::Later => self.diags.error(
                        *position,
                        format!("« {name} » vient après cette étape : sa réponse n'est pas encore connue"),
                    ),
                    Resolved::NotQuestion => self.diags.error(
                        *position,
                        format!("« {name} » n'est pas une question, elle n'a pas de réponse"),
                    ),
                }
            }
        }
    }

    /// Every step can be played, and every path ends with a message.
    fn check_reachability(
        &mut self,
        drafts: &[StepDraft],
        steps_position: Position,
        complete: bool,
    ) {
        let mut finished_by: Option<&str> = None;
        let mut summary_seen = false;
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
            if let Some(when) = &draft.step.when {
                if complete && never_true(when, &drafts[..index]) {
                    let at = draft.when_position.map_or(draft.position, |(p, _)| p);
                    self.diags.error(
                        at,
                        "étape inaccessible : cette condition n'est jamais vraie",
                    );
                }
            }
            match &draft.step.body {
                StepBody::Summary { .. } => summary_seen = true,
                StepBody::Submit { .. } if !summary_seen => self.diags.error(
                    draft.id_position,
                    "« submit » sans « summary » avant : relisez les réponses à la personne avant d'envoyer",
                ),
                _ => {}
            }
            if draft.step.when.is_none()
                && matches!(
                    draft.step.body,
                    StepBody::Submit { .. } | StepBody::End { .. }
                )
            {
                finished_by = Some(&draft.step.id);
            }
        }
        if finished_by.is_none() && complete {
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
fn never_true(when: &Expr, earlier: &[StepDraft]) -> bool {
    let mut domains = Vec::new();
    for name in when.names() {
        if domains.iter().any(|(n, _): &(String, _)| n == &name.text) {
            continue;
        }
        let Some(draft) = earlier.iter().find(|d| d.step.id == name.text) else {
            return false;
        };
        let StepBody::Question(q) = &draft.step.body else {
            return false;
        };
        let Some(values) = expr::sample_values(&q.kind, &when.literals_for(&name.text)) else {
            return false;
        };
        let mut values: Vec<Option<Value>> = values.into_iter().map(Some).collect();
        if draft.step.when.is_some() {
            values.push(None);
        }
        domains.push((name.text.clone(), values));
    }
    when.satisfiable(&domains) == Some(false)
}

struct StepDraft {
    step: Step,
    id_position: Position,
    position: Position,
    when_position: Option<(Position, bool)>,
    texts: Vec<(Template, Position, bool)>,
    /// Step ids named in `fields` or `send`.
    refs: Vec<(String, Position)>,
}

/// `today`, `today+90d`, `today-18y`, `today+6m`, `today+2w`, or `2027-01-31`.
pub fn parse_date_bound(text: &str) -> Option<DateBound> {
    let text = text.trim();
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(DateBound::Fixed(d));
    }
    let rest = text.strip_prefix("today")?.trim();
    if rest.is_empty() {
        return Some(DateBound::Relative { days: 0, months: 0 });
    }
    let (sign, rest) = match rest.chars().next()? {
        '+' => (1i64, &rest[1..]),
        '-' => (-1i64, &rest[1..]),
        _ => return None,
    };
    let rest = rest.trim();
    let unit = rest.chars().last()?;
    let amount: i64 = rest[..rest.len() - unit.len_utf8()].trim().parse().ok()?;
    if amount > 100_000 {
        return None;
    }
    let amount = sign * amount;
    match unit {
        'd' => Some(DateBound::Relative {
            days: amount,
            months: 0,
        }),
        'w' => Some(DateBound::Relative {
            days: amount * 7,
            months: 0,
        }),
        'm' => Some(DateBound::Relative {
            days: 0,
            months: i32::try_from(amount).ok()?,
        }),
        'y' => Some(DateBound::Relative {
            days: 0,
            months: i32::try_from(amount * 12).ok()?,
        }),
        _ => None,
    }
}
