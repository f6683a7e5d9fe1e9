//! Texts that use earlier answers: `Vous avez choisi {commune}.`
//!
//! Parsing only splits literal text from `{name}` references; the loader checks that
//! each name is an earlier question, and the runtime renders values for people.

/// A parsed text with `{name}` references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    /// A reference to an answer (or `recu` in a submit text), with the char offset of its `{`.
    Reference {
        name: String,
        offset: usize,
    },
}

/// Where a template is malformed: char offset in the source and a French message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

impl Template {
    /// A template with no references (built-in texts).
    pub fn literal(text: &str) -> Self {
        Template {
            parts: vec![Part::Literal(text.to_string())],
        }
    }

    pub fn parse(source: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let chars: Vec<char> = source.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '{' if chars.get(i + 1) == Some(&'{') => {
                    literal.push('{');
                    i += 2;
                }
                '}' if chars.get(i + 1) == Some(&'}') => {
                    literal.push('}');
                    i += 2;
                }
                '{' => {
                    let start = i;
                    let Some(len) = chars[i + 1..].iter().position(|&c| c == '}') else {
                        return Err(TemplateError {
                            offset: start,
                            message: "« { » sans « } » : écrivez {id_de_question}, ou {{ pour une accolade".to_string(),
                        });
                    };
                    let name: String = chars[i + 1..i + 1 + len].iter().collect();
                    let name = name.trim().to_string();
                    if name.is_empty() || !name.chars().all(is_name_char) {
                        return Err(TemplateError {
                            offset: start,
                            message: format!("« {{{name}}} » n'est pas un nom d'étape valable"),
                        });
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(Part::Reference {
                        name,
                        offset: start,
                    });
                    i += len + 2;
                }
                '}' => {
                    return Err(TemplateError {
                        offset: i,
                        message: "« } » sans « { » : écrivez }} pour une accolade".to_string(),
                    })
                }
                c => {
                    literal.push(c);
                    i += 1;
                }
            }
        }
        if !literal.is_empty() || parts.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Template { parts })
    }

    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The names this template refers to, with their char offsets.
    pub fn references(&self) -> impl Iterator<Item = (&str, usize)> {
        self.parts.iter().filter_map(|p| match p {
            Part::Reference { name, offset } => Some((name.as_str(), *offset)),
            Part::Literal(_) => None,
        })
    }

    /// The text with each reference replaced by `lookup(name)`.
    pub fn render(&self, lookup: impl Fn(&str) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Reference { name, .. } => out.push_str(&lookup(name)),
            }
        }
        out
    }

    /// The text as written, references shown as `{name}` (for checks on wording).
    pub fn source_text(&self) -> String {
        self.render(|name| format!("{{{name}}}"))
    }
}

pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_references_and_escapes() {
        let t = Template::parse("Code {{ {recu} }} à {commune}.").expect("valid");
        assert_eq!(t.render(|n| n.to_uppercase()), "Code { RECU } à COMMUNE.");
        let refs: Vec<_> = t.references().collect();
        assert_eq!(refs, vec![("recu", 8), ("commune", 20)]);
    }

    #[test]
    fn reports_unclosed_and_stray_braces() {
        assert_eq!(Template::parse("a {b").unwrap_err().offset, 2);
        assert_eq!(Template::parse("a } b").unwrap_err().offset, 2);
        assert!(Template::parse("a {Bad Name}").is_err());
    }
}
