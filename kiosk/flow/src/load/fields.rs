//! Generic readers: mappings read key by key (unknown and missing keys), scalars, ids,
//! numbers, booleans and lists.

use super::question::TYPE_KEYS;
use super::reader::{is_empty_scalar, position_of, scalar_position, Reader};
use super::suggest::suggest;
use crate::diagnostic::Position;
use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode};
use marked_yaml::Node;

/// An id of the flow language: [`crate::ids::is_valid_id`], starting with a letter.
pub(super) fn is_valid_id(id: &str) -> bool {
    crate::ids::is_valid_id(id) && id.starts_with(|c: char| c.is_ascii_lowercase())
}

pub(super) const ID_RULE: &str = "lettres minuscules sans accent, chiffres, « - » et « _ », \
     en commençant par une lettre, 64 caractères au plus";

/// A mapping being read: remembers which keys were used, to report the others.
pub(super) struct Fields<'n> {
    pub(super) map: &'n MarkedMappingNode,
    /// Where the mapping starts: its first key.
    pub(super) position: Position,
    pub(super) used: Vec<&'static str>,
    /// Set when the mapping is too broken for unknown keys to mean anything.
    pub(super) skip_unknown_keys: bool,
}

impl<'n> Fields<'n> {
    pub(super) fn get(&mut self, key: &'static str) -> Option<&'n Node> {
        self.used.push(key);
        self.map.get_node(key)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.map.get_node(key).is_some()
    }

    pub(super) fn key_position(&self, key: &str) -> Position {
        self.map
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map_or(self.position, |(k, _)| scalar_position(k))
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &'n MarkedScalarNode> {
        self.map.keys()
    }

    /// Whether an unknown key looks like `key` mistyped: its message will say so, and
    /// "missing key" would only repeat it.
    pub(super) fn has_near_miss(&self, key: &str) -> bool {
        self.keys()
            .any(|k| k.as_str() != key && suggest(k.as_str(), &[key]).is_some())
    }
}

impl Reader<'_> {
    pub(super) fn mapping<'n>(&mut self, node: &'n Node, what: &str) -> Option<Fields<'n>> {
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
    pub(super) fn finish(&mut self, fields: &Fields<'_>, context: &str) {
        if fields.skip_unknown_keys {
            return;
        }
        for key in fields.keys() {
            let name = key.as_str();
            if fields.used.contains(&name) {
                continue;
            }
            // A key of another question type is not a typo ("options" is not "optional").
            let hint = if let Some((_, kind)) = TYPE_KEYS.iter().find(|(k, _)| *k == name) {
                format!(" : elle n'existe que pour les questions de type {kind}")
            } else if let Some(s) = suggest(name, &fields.used) {
                format!(" : vouliez-vous dire « {s} » ?")
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

    pub(super) fn scalar<'n>(&mut self, node: &'n Node, key: &str) -> Option<&'n MarkedScalarNode> {
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
    pub(super) fn required<'n>(
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

    pub(super) fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        let s = self.scalar(node, key)?;
        let text = s.as_str().trim();
        if is_empty_scalar(node) {
            self.diags
                .error(position_of(node), format!("« {key} » est vide"));
            return None;
        }
        Some(text.to_string())
    }

    pub(super) fn id(&mut self, node: &Node, key: &str) -> Option<String> {
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

    pub(super) fn integer(&mut self, node: &Node, key: &str) -> Option<i64> {
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

    pub(super) fn boolean(&mut self, node: &Node, key: &str) -> Option<bool> {
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

    pub(super) fn string_list(&mut self, node: &Node, key: &str) -> Vec<(String, Position)> {
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
}
