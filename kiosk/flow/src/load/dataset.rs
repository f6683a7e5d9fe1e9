//! Datasets (`data/*.yaml`) and the options of `choice` questions, inline or shared.

use super::fields::{is_valid_id, ID_RULE};
use super::reader::{position_of, scalar_position, Reader};
use super::suggest::suggest;
use super::{Dataset, DatasetField};
use crate::diagnostic::Position;
use crate::model::ChoiceOption;
use crate::understand::normalize::recognizer_form;
use crate::understand::Command;
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
        let declared = match fields.get("fields") {
            Some(node) => self.dataset_fields(node),
            None => Some(BTreeMap::new()),
        };
        let options_node = self.required(&mut fields, "options", context);
        let options = options_node.map(|n| self.options(n, true));
        if let (Some(node), Some(declared)) = (options_node, &declared) {
            self.check_details(node, declared);
        }
        self.finish(&fields, context);
        Some(Dataset {
            id: id?,
            title: title?,
            fields: declared?,
            options: options?,
        })
    }

    /// `fields:` a mapping from a field name to its label, or to `{ label, dataset }`.
    fn dataset_fields(&mut self, node: &Node) -> Option<BTreeMap<String, DatasetField>> {
        let map = self.mapping(node, "fields")?;
        let mut declared = BTreeMap::new();
        let mut complete = true;
        for (name, value) in map.map.iter() {
            let name_text = name.as_str().to_string();
            if !name_text.chars().all(crate::template::is_name_char) {
                self.diags.error(
                    scalar_position(name),
                    format!("« {name_text} » n'est pas un nom de champ valable : lettres minuscules sans accent, chiffres, « - » et « _ »"),
                );
                complete = false;
                continue;
            }
            let field = match value {
                Node::Scalar(_) => self.string(value, &name_text).map(|label| DatasetField {
                    label,
                    dataset: None,
                }),
                _ => self.mapping(value, &name_text).and_then(|mut inner| {
                    let label = self
                        .required(&mut inner, "label", "dans le champ")
                        .and_then(|n| self.string(n, "label"));
                    let dataset = inner.get("dataset").and_then(|n| self.id(n, "dataset"));
                    self.finish(&inner, "dans le champ");
                    Some(DatasetField {
                        label: label?,
                        dataset,
                    })
                }),
            };
            match field {
                Some(f) => {
                    declared.insert(name_text, f);
                }
                None => complete = false,
            }
        }
        complete.then_some(declared)
    }

    /// Every option's `details` holds exactly the declared fields.
    fn check_details(&mut self, options: &Node, declared: &BTreeMap<String, DatasetField>) {
        let Node::Sequence(seq) = options else {
            return;
        };
        for item in seq.iter() {
            let Some(option) = item.as_mapping() else {
                continue;
            };
            let details = option.get_node("details").and_then(Node::as_mapping);
            if let Some(details) = details {
                for (key, _) in details.iter() {
                    if !declared.contains_key(key.as_str()) {
                        let known: Vec<&str> = declared.keys().map(String::as_str).collect();
                        let hint = match suggest(key.as_str(), &known) {
                            Some(s) => format!(" : vouliez-vous dire « {s} » ?"),
                            None => " : déclarez-le dans « fields » en haut du fichier".to_string(),
                        };
                        self.diags.error(
                            scalar_position(key),
                            format!("champ « {} » non déclaré{hint}", key.as_str()),
                        );
                    }
                }
            }
            for name in declared.keys() {
                let has = details.is_some_and(|d| d.get_node(name).is_some());
                if !has {
                    self.diags.error(
                        position_of(item),
                        format!("il manque le champ « {name} » dans « details » de cette option"),
                    );
                }
            }
        }
    }

    /// The options of a dataset (`from_dataset`: they may have `details`) or of a question
    /// (their ids may not be those of the command buttons, which share the touch events).
    pub(super) fn options(&mut self, node: &Node, from_dataset: bool) -> Vec<ChoiceOption> {
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
        if seq.len() > self.limits.max_options {
            self.diags.error(
                position_of(node),
                format!(
                    "trop d'options : {} pour {} au plus : regroupez-les, ou posez deux questions",
                    seq.len(),
                    self.limits.max_options
                ),
            );
            return Vec::new();
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
                if !from_dataset {
                    if let Some(command) = Command::from_button_id(&id) {
                        let other = alternative_id(&id, seq);
                        self.diags.error(
                            position_of(n),
                            format!(
                                "l'identifiant « {id} » est réservé au bouton {} : choisissez-en un autre, par exemple « {other} »",
                                button_name(command)
                            ),
                        );
                        return None;
                    }
                }
                Some(id)
            });
            let label = self
                .required(&mut fields, "label", context)
                .and_then(|n| self.string(n, "label"));
            let synonyms = fields
                .get("synonyms")
                .map(|n| self.string_list(n, "synonyms"))
                .unwrap_or_default();
            let say_as = fields
                .get("say_as")
                .map(|n| self.say_as(n, label.as_deref(), &synonyms))
                .unwrap_or_default();
            let pictogram = fields.get("pictogram").and_then(|n| self.pictogram(n));
            let mut details = BTreeMap::new();
            if from_dataset {
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
                    say_as,
                    pictogram,
                    details,
                });
            }
        }
        options
    }

    /// `say_as`: other spellings for the recognizer, each different from the label and the
    /// synonyms (once folded), or it would add nothing.
    fn say_as(
        &mut self,
        node: &Node,
        label: Option<&str>,
        synonyms: &[(String, Position)],
    ) -> Vec<String> {
        let mut taken: Vec<String> = label
            .into_iter()
            .chain(synonyms.iter().map(|(s, _)| s.as_str()))
            .map(recognizer_form)
            .collect();
        let mut kept = Vec::new();
        for (spelling, position) in self.string_list(node, "say_as") {
            let form = recognizer_form(&spelling);
            if taken.contains(&form) {
                self.diags.error(
                    position,
                    format!("« {spelling} » est déjà le libellé, un synonyme ou une autre écriture de cette option : « say_as » donne une écriture différente, faite de mots que le modèle de reconnaissance connaît"),
                );
                continue;
            }
            taken.push(form);
            kept.push(spelling);
        }
        kept
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

/// The name written on a command button, for messages.
fn button_name(command: Command) -> &'static str {
    match command {
        Command::Repeat => "Répéter",
        Command::Help => "Aide",
        Command::Back => "Retour",
        Command::Restart => "Recommencer",
        Command::Cancel => "Annuler",
        Command::Slower => "Plus lent",
        Command::Louder => "Plus fort",
        Command::Human => "Appeler quelqu'un",
        Command::WhereAmI => "Où suis-je ?",
        Command::Skip => "Passer",
    }
}

/// An id to suggest instead of a reserved one, not taken by another option of the list.
fn alternative_id(reserved: &str, options: &[Node]) -> String {
    let taken = |candidate: &str| {
        options.iter().any(|o| {
            o.as_mapping()
                .and_then(|m| m.get_scalar("id"))
                .is_some_and(|id| id.as_str().trim() == candidate)
        })
    };
    ["option", "choix", "reponse"]
        .iter()
        .map(|suffix| format!("{reserved}-{suffix}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| format!("{reserved}-1"))
}

#[cfg(test)]
mod tests {
    use crate::load::{load_flow, Datasets};

    const FLOW: &str = "
id: essai
version: 1
title: Un essai
kind: procedure
service: essai
description: Un essai.
steps:
  - id: besoin
    ask: De quoi avez-vous besoin ?
    label: Besoin
    type: choice
    options:
      - id: OPTION
        label: Une aide à domicile
      - id: autre
        label: Autre chose
    help: Dites ce dont vous avez besoin.
    reprompt: De quoi avez-vous besoin ?
  - id: resume
    summary: Voici votre demande.
  - id: envoi
    submit: Merci. Votre code de suivi est {recu}.
";

    #[test]
    fn every_command_button_id_is_reserved_for_inline_options() {
        for command in crate::understand::Command::ALL {
            let id = command.button_id();
            let loaded = load_flow(&FLOW.replace("OPTION", id), &Datasets::new());
            assert!(loaded.value.is_none(), "« {id} » was accepted");
            let message = loaded.diagnostics[0].to_string();
            assert!(
                message.starts_with(&format!(
                    "14:13: l'identifiant « {id} » est réservé au bouton"
                )),
                "{message}"
            );
        }
    }

    #[test]
    fn an_id_that_only_contains_a_button_id_is_fine() {
        let loaded = load_flow(&FLOW.replace("OPTION", "aide-a-domicile"), &Datasets::new());
        assert!(loaded.value.is_some(), "{:?}", loaded.diagnostics);
    }
}
