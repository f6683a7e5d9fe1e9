//! Datasets (`data/*.yaml`) and the options of `choice` questions, inline or shared.

use super::fields::{is_valid_id, ID_RULE};
use super::reader::{position_of, Reader};
use super::Dataset;
use crate::diagnostic::Position;
use crate::model::ChoiceOption;
use marked_yaml::Node;
use std::collections::{BTreeMap, HashMap};

impl Reader<'_> {
    pub(super) fn dataset(&mut self, root: &Node) -> Option<Dataset> {
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

    pub(super) fn options(&mut self, node: &Node, allow_details: bool) -> Vec<ChoiceOption> {
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

    pub(super) fn pictogram(&mut self, node: &Node) -> Option<String> {
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
}
