//! From YAML text to a checked [`Flow`] (or [`Dataset`]), with every problem found at once.
//!
//! The YAML is parsed into a tree that keeps line and column of every node (marked-yaml),
//! then read by hand, key by key, so that each unknown key, missing key, bad value,
//! dangling reference or unreachable step gets its own diagnostic at its own place.
//! One mistake gives one message: a step with errors of its own is not reported again
//! where others refer to it, and does not make later steps look unreachable.
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

/// Loads and checks a flow. `datasets` are those `options_from` may name.
pub fn load_flow(source: &str, datasets: &Datasets) -> Loaded<Flow> {
    let mut reader = Reader::new(source);
    let flow = reader.root().and_then(|root| reader.flow(&root, datasets));
    reader.finish_loading(flow)
}

/// Loads and checks a dataset file.
pub fn load_dataset(source: &str) -> Loaded<Dataset> {
    let mut reader = Reader::new(source);
    let dataset = reader.root().and_then(|root| reader.dataset(&root));
    reader.finish_loading(dataset)
}

fn marker_position(m: &marked_yaml::Marker) -> Position {
    Position::new(m.line().max(1), m.column().max(1))
}

fn position_of(node: &Node) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), marker_position)
}

fn scalar_position(node: &MarkedScalarNode) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), marker_position)
}

fn is_empty_scalar(node: &Node) -> bool {
    node.as_scalar()
        .is_some_and(|s| matches!(s.as_str().trim(), "" | "~" | "null"))
}

/// An empty value (`end:` with nothing after it) is placed by the parser on the next
/// token, often the next line; place it on its key instead.
fn place_empty_values_on_their_keys(node: &mut Node) {
    match node {
        Node::Mapping(map) => {
            for (key, value) in map.iter_mut() {
                if is_empty_scalar(value) {
                    let start = key.span().start().copied();
                    value.span_mut().set_start(start);
                } else {
                    place_empty_values_on_their_keys(value);
                }
            }
        }
        Node::Sequence(seq) => seq.iter_mut().for_each(place_empty_values_on_their_keys),
        Node::Scalar(_) => {}
    }
}

fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().all(crate::template::is_name_char)
        && id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
}

const ID_RULE: &str =
    "lettres minuscules sans accent, chiffres et « - », en commençant par une lettre";

/// The kinds of step, by their key.
const STEP_KINDS: [&str; 5] = ["info", "ask", "summary", "submit", "end"];

/// Keys that belong to one question type or another, and to which.
const TYPE_KEYS: [(&str, &str); 7] = [
    ("options", "choice"),
    ("options_from", "choice"),
    ("min", "number"),
    ("max", "number"),
    ("max_length", "text"),
    ("earliest", "date et time"),
    ("latest", "date et time"),
];

/// French words administrators may write for a key.
const FRENCH_KEYS: [(&str, &str); 22] = [
    ("aide", "help"),
    ("question", "ask"),
    ("demande", "ask"),
    ("texte", "info"),
    ("information", "info"),
    ("titre", "title"),
    ("identifiant", "id"),
    ("condition", "when"),
    ("si", "when"),
    ("quand", "when"),
    ("relance", "reprompt"),
    ("libelle", "label"),
    ("libellé", "label"),
    ("fin", "end"),
    ("resume", "summary"),
    ("résumé", "summary"),
    ("envoi", "submit"),
    ("envoyer", "submit"),
    ("choix", "options"),
    ("synonymes", "synonyms"),
    ("pictogramme", "pictogram"),
    ("etapes", "steps"),
];

/// A close name among `candidates`, for "vouliez-vous dire ... ?": a French word for the
/// key, or a typo (one edit for short names, two for long ones).
pub(crate) fn suggest<'c>(unknown: &str, candidates: &[&'c str]) -> Option<&'c str> {
    if let Some((_, english)) = FRENCH_KEYS.iter().find(|(fr, _)| *fr == unknown) {
        if let Some(c) = candidates.iter().find(|c| *c == english) {
            return Some(c);
        }
    }
    let allowed = if unknown.chars().count() >= 6 { 2 } else { 1 };
    candidates
        .iter()
        .filter(|c| c.len() >= 3 && **c != unknown)
        .map(|c| (strsim::damerau_levenshtein(c, unknown), *c))
        .filter(|(d, _)| *d <= allowed)
        .min()
        .map(|(_, c)| c)
}

/// Where a scalar's text is in the source, to place a message on a char inside it.
#[derive(Debug, Clone)]
struct Place {
    /// Char index of the scalar's first source char (an opening quote, if any).
    char_index: usize,
    start: Position,
    value: String,
}

/// A mapping being read: remembers which keys were used, to report the others.
struct Fields<'n> {
    map: &'n MarkedMappingNode,
    /// Where the mapping starts: its first key.
    position: Position,
    used: Vec<&'static str>,
    /// Set when the mapping is too broken for unknown keys to mean anything.
    skip_unknown_keys: bool,
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

    fn keys(&self) -> impl Iterator<Item = &'n MarkedScalarNode> {
        self.map.keys()
    }

    /// Whether an unknown key looks like `key` mistyped: its message will say so, and
    /// "missing key" would only repeat it.
    fn has_near_miss(&self, key: &str) -> bool {
        self.keys()
            .any(|k| k.as_str() != key && suggest(k.as_str(), &[key]).is_some())
    }
}

/// A text's templates with the place of their scalars, for later reference checks.
struct PlacedText {
    text: Text,
    placed: Vec<(Template, Place)>,
}

struct Reader<'s> {
    source: &'s str,
    /// Char index to byte index, to look at the source around a node.
    chars: Vec<char>,
    diags: Diagnostics,
}

/// French for the YAML parser's messages that administrators meet most.
fn yaml_message(info: &str) -> String {
    let known: [(&str, &str); 9] = [
        (
            "found a tab",
            "tabulation interdite : indentez avec des espaces",
        ),
        (
            "found character that cannot start any token",
            "caractère interdit en début de valeur (@, `, %) : mettez le texte entre guillemets",
        ),
        (
            "mapping values are not allowed",
            "« : » inattendu : vérifiez l'indentation, ou mettez le texte entre guillemets",
        ),
        (
            "did not find expected key",
            "indentation incorrecte : cette ligne n'est pas alignée avec les clés de son bloc",
        ),
        (
            "did not find expected ',' or ']'",
            "crochet « [ » jamais fermé : ajoutez « ] »",
        ),
        (
            "did not find expected ',' or '}'",
            "accolade « { » jamais fermée : ajoutez « } »",
        ),
        (
            "found unexpected end of stream",
            "fin du fichier inattendue : un guillemet, un crochet ou une accolade n'est pas fermé",
        ),
        ("did not find expected node content", "valeur attendue ici"),
        (
            "illegal placement of ':' indicator",
            "« : » inattendu : un crochet « [ » ou une accolade « { » n'est peut-être pas fermé",
        ),
    ];
    known
        .iter()
        .find(|(en, _)| info.contains(en))
        .map(|(_, fr)| format!("YAML mal formé : {fr}"))
        .unwrap_or_else(|| format!("YAML mal formé ({info})"))
}

impl<'s> Reader<'s> {
    fn new(source: &'s str) -> Self {
        Reader {
            source,
            chars: source.chars().collect(),
            diags: Diagnostics::default(),
        }
    }

    fn finish_loading<T>(self, value: Option<T>) -> Loaded<T> {
        let has_errors = self.diags.has_errors();
        Loaded {
            value: value.filter(|_| !has_errors),
            diagnostics: self.diags.into_sorted(),
        }
    }

    fn root(&mut self) -> Option<Node> {
        let blank = self
            .source
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        if blank {
            self.diags.error(
                Position::new(1, 1),
                "le fichier est vide (il n'a que des commentaires ou des lignes vides)",
            );
            return None;
        }
        let options = LoaderOptions::default().error_on_duplicate_keys(true);
        match marked_yaml::parse_yaml_with_options(0, self.source, options) {
            Ok(mut node) => {
                place_empty_values_on_their_keys(&mut node);
                Some(node)
            }
            Err(e) => {
                let (position, message) = match &e {
                    LoadError::TopLevelMustBeMapping(m) => (
                        marker_position(m),
                        "le fichier doit être une suite de « clé: valeur » (id, title, steps...)"
                            .to_string(),
                    ),
                    LoadError::TopLevelMustBeSequence(m) => {
                        (marker_position(m), "une liste est attendue".to_string())
                    }
                    LoadError::UnexpectedAnchor(m) => (
                        marker_position(m),
                        "les ancres YAML (&, *) ne sont pas acceptées".to_string(),
                    ),
                    LoadError::MappingKeyMustBeScalar(m) => (
                        marker_position(m),
                        "une clé doit être un simple mot".to_string(),
                    ),
                    LoadError::UnexpectedTag(m) => (
                        marker_position(m),
                        "les étiquettes YAML (!) ne sont pas acceptées".to_string(),
                    ),
                    LoadError::ScanError(m, scan) => self.scan_error(m, scan.info()),
                    LoadError::DuplicateKey(inner) => {
                        let first = scalar_position(&inner.prev_key);
                        (
                            scalar_position(&inner.key),
                            format!(
                                "la clé « {} » est déjà écrite ligne {}",
                                inner.key.as_str(),
                                first.line
                            ),
                        )
                    }
                };
                self.diags.error(position, message);
                None
            }
        }
    }

    /// A parser error, placed on an unclosed `[` or `{` when there is one before it: the
    /// parser only notices it on a later line.
    fn scan_error(&self, marker: &marked_yaml::Marker, info: &str) -> (Position, String) {
        let at = marker_position(marker);
        let lines: Vec<&str> = self.source.lines().collect();
        let first = at.line.saturating_sub(6).max(1);
        for line_no in (first..=at.line).rev() {
            let Some(line) = lines.get(line_no - 1) else {
                continue;
            };
            let code = line.split(" #").next().unwrap_or(line);
            let mut depth: Vec<(char, usize)> = Vec::new();
            let mut quote: Option<char> = None;
            for (col, c) in code.chars().enumerate() {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '\'' | '"')
                        if col == 0
                            || !code.chars().nth(col - 1).is_some_and(char::is_alphanumeric) =>
                    {
                        quote = Some(c)
                    }
                    (None, '[' | '{') => depth.push((c, col + 1)),
                    (None, ']' | '}') => {
                        depth.pop();
                    }
                    _ => {}
                }
            }
            if let Some((bracket, col)) = depth.last() {
                let (name, close) = if *bracket == '[' {
                    ("crochet « [ »", "]")
                } else {
                    ("accolade « { »", "}")
                };
                return (
                    Position::new(line_no, *col),
                    format!("YAML mal formé : {name} jamais fermé{} : ajoutez « {close} » à la fin de la ligne", if *bracket == '[' { "" } else { "e" }),
                );
            }
        }
        (at, yaml_message(info))
    }

    // ----- generic readers -------------------------------------------------------------

    fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        match node {
            Node::Mapping(map) => {
                let position = map
                    .keys()
                    .map(scalar_position)
                    .min()
                    .unwrap_or_else(|| position_of(node));
                Some(Fields {
                    map,
                    position,
                    used: Vec::new(),
                    skip_unknown_keys: false,
                })
            }
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
        if fields.skip_unknown_keys {
            return;
        }
        for key in fields.keys() {
            let name = key.as_str();
            if fields.used.contains(&name) {
                continue;
            }
            let hint = if let Some(s) = suggest(name, &fields.used) {
                format!(" : vouliez-vous dire « {s} » ?")
            } else if let Some((_, kind)) = TYPE_KEYS.iter().find(|(k, _)| *k == name) {
                format!(" : elle n'existe que pour les questions de type {kind}")
            } else {
                let mut keys = fields.used.clone();
                keys.sort_unstable();
                keys.dedup();
                format!(" (clés possibles : {})", keys.join(", "))
            };
            self.diags.error(
                scalar_position(key),
                format!("clé inconnue « {name} » {context}{hint}"),
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

    /// The node of a key that must be there; a missing key is reported unless an unknown
    /// key looks like it (that key's own message suggests it).
    fn required<'n>(
        &mut self,
        fields: &mut Fields<'n>,
        key: &'static str,
        context: &str,
    ) -> Option<&'n Node> {
        let node = fields.get(key);
        if node.is_none() && !fields.has_near_miss(key) {
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
        if is_empty_scalar(node) {
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

    fn place(&self, node: &MarkedScalarNode) -> Place {
        Place {
            char_index: node.span().start().map_or(0, |m| m.character()),
            start: scalar_position(node),
            value: node.as_str().to_string(),
        }
    }

    /// The position of the `offset`-th char of a scalar's value, following the source
    /// through quotes, doubled quotes and folded lines. Falls back to the scalar's start
    /// when the source cannot be followed (escapes).
    fn locate(&self, place: &Place, offset: usize) -> Position {
        let mut i = place.char_index;
        let (mut line, mut column) = (place.start.line, place.start.column);
        let quote = match self.chars.get(i) {
            Some(&q) if q == '\'' || q == '"' => {
                i += 1;
                column += 1;
                Some(q)
            }
            _ => None,
        };
        for (n, wanted) in place.value.chars().enumerate() {
            if n == offset {
                return Position::new(line, column);
            }
            let Some(&c) = self.chars.get(i) else {
                return place.start;
            };
            if c == wanted
                && !(quote == Some('\'') && c == '\'')
                && !(quote == Some('"') && c == '\\')
            {
                i += 1;
                column += 1;
            } else if quote == Some('\'')
                && c == '\''
                && wanted == '\''
                && self.chars.get(i + 1) == Some(&'\'')
            {
                i += 2;
                column += 2;
            } else if c.is_whitespace() && (wanted == ' ' || wanted == '\n') {
                // A folded line break: skip the break and the next line's indentation.
                while let Some(&c) = self.chars.get(i) {
                    if c == '\n' {
                        line += 1;
                        column = 1;
                    } else if c.is_whitespace() {
                        column += 1;
                    } else {
                        break;
                    }
                    i += 1;
                }
            } else {
                return place.start;
            }
        }
        Position::new(line, column)
    }

    fn template(
        &mut self,
        node: &MarkedScalarNode,
        placed: &mut Vec<(Template, Place)>,
    ) -> Option<Template> {
        let place = self.place(node);
        match Template::parse(node.as_str()) {
            Ok(t) => {
                placed.push((t.clone(), place));
                Some(t)
            }
            Err(e) => {
                let at = self.locate(&place, e.offset);
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
                let mut part = |reader: &mut Self, node: &Node, name: &str| {
                    reader.string(node, name)?;
                    let s = reader.scalar(node, name)?;
                    reader.template(s, &mut placed)
                };
                let show = show_node.and_then(|n| part(self, n, "show"));
                let say = match say_node {
                    Some(n) => Some(part(self, n, "say")?),
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
                // Option ids may be codes (INSEE "62063"), so digits may come first.
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
        let service = self
            .required(&mut fields, "service", context)
            .and_then(|n| self.id(n, "service"));
        let description = self
            .required(&mut fields, "description", context)
            .and_then(|n| self.string(n, "description"));
        let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
        let steps_node = self.required(&mut fields, "steps", context);
        self.finish(&fields, context);
        let steps = self.steps(steps_node?, datasets)?;
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
        let mut drafts: Vec<StepDraft> = Vec::new();
        let mut complete = true;
        for item in seq.iter() {
            let Some(draft) = self.step(item, datasets) else {
                complete = false;
                continue;
            };
            if let Some(first) = drafts.iter().find(|d| d.id == draft.id) {
                let line = first.id_position.line;
                self.diags.error(
                    draft.id_position,
                    format!("l'étape « {} » existe déjà ligne {line}", draft.id),
                );
                complete = false;
                continue;
            }
            complete &= draft.is_valid();
            drafts.push(draft);
        }
        self.check_references(&mut drafts);
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
    fn step(&mut self, node: &Node, datasets: &Datasets) -> Option<StepDraft> {
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
            Some(n) => match self.scalar(n, "when") {
                None => When::Broken,
                Some(s) => {
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
            },
        };
        let mut texts = Vec::new();
        let mut refs = Vec::new();
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
                text.map(|t| {
                    let body = StepBody::Info {
                        text: t.text.clone(),
                        pictogram,
                    };
                    texts.push(t);
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
                text.map(|t| {
                    let body = StepBody::Submit {
                        text: t.text.clone(),
                        send: names,
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
            // A step with unknown keys may be meant otherwise (`wehn:` for `when:`):
            // do not draw conclusions about what comes after it.
            certain: !has_unknown_keys,
            body,
            texts: texts.into_iter().flat_map(|t| t.placed).collect(),
            refs,
        })
    }

    fn question(
        &mut self,
        fields: &mut Fields<'_>,
        context: &str,
        datasets: &Datasets,
        texts: &mut Vec<PlacedText>,
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
        let dataset = fields
            .get("options_from")
            .and_then(|n| n.as_scalar().map(|s| s.as_str().to_string()));
        let kind = type_node.and_then(|n| {
            let word = self.string(n, "type")?;
            self.question_kind(&word, n, fields, datasets)
        });
        if kind.is_none() {
            // The type's own keys could not all be read: do not report them as unknown too.
            fields.used.extend(TYPE_KEYS.iter().map(|(k, _)| *k));
        }
        for text in [&ask, &help, &reprompt].into_iter().flatten() {
            texts.push(PlacedText {
                text: text.text.clone(),
                placed: text.placed.clone(),
            });
        }
        let kind = kind?;
        Some(Question {
            ask: ask?.text,
            help: help?.text,
            reprompt: reprompt?.text,
            label: label?,
            pictogram,
            confirm: confirm.unwrap_or_else(|| kind.confirms_by_default()),
            dataset: dataset.filter(|_| matches!(kind, QuestionKind::Choice { .. })),
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
    fn check_references(&mut self, drafts: &mut [StepDraft]) {
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
                            if conditional {
                                self.diags.warning(
                                    at,
                                    format!("« {{{name}}} » peut être sans réponse (la question a une condition) : « non renseigné » sera dit"),
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
    fn check_reachability(&mut self, drafts: &[StepDraft], steps_position: Position) {
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
fn never_true(when: &Expr, earlier: &[StepDraft]) -> bool {
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

/// A step's condition as read.
enum When {
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
struct StepDraft {
    id: String,
    id_position: Position,
    position: Position,
    when: When,
    /// False when the step has unknown keys: it may not mean what it seems to.
    certain: bool,
    /// `None` when the step's own content has errors.
    body: Option<StepBody>,
    texts: Vec<(Template, Place)>,
    /// Step ids named in `fields` or `send`.
    refs: Vec<(String, Position)>,
}

impl StepDraft {
    fn is_valid(&self) -> bool {
        self.body.is_some() && !matches!(self.when, When::Broken)
    }
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
