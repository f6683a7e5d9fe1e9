//! The reader: the YAML tree with every node's position, and the diagnostics found so far.

use super::limits::Limits;
use super::{yaml_error, Loaded};
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
    pub(super) limits: Limits,
}

impl<'s> Reader<'s> {
    pub(super) fn new(source: &'s str, limits: Limits) -> Self {
        Reader {
            source,
            chars: source.chars().collect(),
            diags: Diagnostics::default(),
            limits,
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
                        "les ancres YAML (&, *) ne sont pas acceptées : mettez le texte entre guillemets"
                            .to_string(),
                    ),
                    LoadError::MappingKeyMustBeScalar(m) => (
                        marker_position(m),
                        "une clé doit être un simple mot".to_string(),
                    ),
                    LoadError::UnexpectedTag(m) => (
                        marker_position(m),
                        "les étiquettes YAML (!) ne sont pas acceptées : mettez le texte entre guillemets"
                            .to_string(),
                    ),
                    LoadError::ScanError(m, scan) => {
                        yaml_error::explain(self.source, marker_position(m), scan.info())
                    }
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
}
