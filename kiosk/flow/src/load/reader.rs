//! The reader: the YAML tree with every node's position, the parser's errors in French,
//! and the diagnostics found so far.

use super::Loaded;
use crate::diagnostic::{Diagnostics, Position};
use marked_yaml::types::MarkedScalarNode;
use marked_yaml::{LoadError, LoaderOptions, Node};

fn marker_position(m: &marked_yaml::Marker) -> Position {
    Position::new(m.line().max(1), m.column().max(1))
}

pub(super) fn position_of(node: &Node) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), marker_position)
}

pub(super) fn scalar_position(node: &MarkedScalarNode) -> Position {
    node.span()
        .start()
        .map_or(Position::new(1, 1), marker_position)
}

pub(super) fn is_empty_scalar(node: &Node) -> bool {
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

pub(super) struct Reader<'s> {
    pub(super) source: &'s str,
    /// Char index to byte index, to look at the source around a node.
    pub(super) chars: Vec<char>,
    pub(super) diags: Diagnostics,
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
    pub(super) fn new(source: &'s str) -> Self {
        Reader {
            source,
            chars: source.chars().collect(),
            diags: Diagnostics::default(),
        }
    }

    pub(super) fn finish_loading<T>(self, value: Option<T>) -> Loaded<T> {
        let has_errors = self.diags.has_errors();
        Loaded {
            value: value.filter(|_| !has_errors),
            diagnostics: self.diags.into_sorted(),
        }
    }

    pub(super) fn root(&mut self) -> Option<Node> {
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
}
