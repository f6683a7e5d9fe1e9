//! Citizen-facing texts (`TEXT` or `{ show, say }`) and their templates, with the place of
//! every char so that a message can point inside a text.

use super::fields::Fields;
use super::reader::{position_of, scalar_position, Reader};
use crate::diagnostic::Position;
use crate::model::Text;
use crate::template::Template;
use marked_yaml::types::MarkedScalarNode;
use marked_yaml::Node;

/// Where a scalar's text is in the source, to place a message on a char inside it.
#[derive(Debug, Clone)]
pub(super) struct Place {
    /// Char index of the scalar's first source char (an opening quote, if any).
    pub(super) char_index: usize,
    pub(super) start: Position,
    pub(super) value: String,
}

/// A text's templates with the place of their scalars, for later reference checks.
pub(super) struct PlacedText {
    pub(super) text: Text,
    pub(super) placed: Vec<(Template, Place)>,
}

impl Reader<'_> {
    pub(super) fn place(&self, node: &MarkedScalarNode) -> Place {
        Place {
            char_index: node.span().start().map_or(0, |m| m.character()),
            start: scalar_position(node),
            value: node.as_str().to_string(),
        }
    }

    /// The position of the `offset`-th char of a scalar's value, following the source
    /// through quotes, doubled quotes and folded lines. Falls back to the scalar's start
    /// when the source cannot be followed (escapes).
    pub(super) fn locate(&self, place: &Place, offset: usize) -> Position {
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

    pub(super) fn template(
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
    pub(super) fn text(&mut self, node: &Node, key: &str) -> Option<PlacedText> {
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

    pub(super) fn required_text(
        &mut self,
        fields: &mut Fields<'_>,
        key: &'static str,
        context: &str,
    ) -> Option<PlacedText> {
        let node = self.required(fields, key, context)?;
        self.text(node, key)
    }
}
