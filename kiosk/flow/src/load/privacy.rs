//! Privacy notices (RGPD, article 13): a service's template (`services/<service>.yaml`), a
//! flow's `privacy:` section, and the rule that a flow asking personal data has both.

use super::fields::Fields;
use super::reader::{position_of, Reader};
use super::ServiceNotices;
use crate::model::{Step, StepBody};
use crate::privacy::{FlowPrivacy, PrivacyNotice, ServiceNotice};
use marked_yaml::Node;

/// What an administrator leaves in a copied template when a value is still to write.
const PLACEHOLDERS: [&str; 8] = [
    "…",
    "...",
    "[",
    "<",
    "xxx",
    "à compléter",
    "a completer",
    "todo",
];

/// A flow's `privacy:` as read.
pub(super) struct PrivacySection {
    /// `None` when the section has errors (already reported).
    pub(super) own: Option<FlowPrivacy>,
}

impl Reader<'_> {
    /// A service's notice template.
    pub(super) fn service_notice(&mut self, root: &Node) -> Option<ServiceNotice> {
        let mut fields = self.mapping(root, "la notice du service")?;
        let context = "dans la notice du service";
        let service = self
            .required(&mut fields, "service", context)
            .and_then(|n| self.id(n, "service"));
        let name = self.notice_field(
            &mut fields,
            "name",
            "dans la notice du service (qui reçoit les réponses : « le service voirie de la Communauté de Communes »)",
        );
        let controller = self.notice_field(
            &mut fields,
            "controller",
            "dans la notice du service (qui est responsable des données)",
        );
        let address = self.notice_field(
            &mut fields,
            "address",
            "dans la notice du service (l'adresse postale du responsable)",
        );
        let dpo_node = self.required(
            &mut fields,
            "dpo",
            "dans la notice du service (l'adresse e-mail du délégué à la protection des données)",
        );
        let dpo = dpo_node.and_then(|n| self.notice_text(n, "dpo"));
        if let (Some(text), Some(node)) = (&dpo, dpo_node) {
            if !has_email(text) {
                self.diags.error(
                    position_of(node),
                    "« dpo » doit donner l'adresse e-mail du délégué à la protection des données, par exemple dpo@macommune.fr",
                );
            }
        }
        let recipients = self.notice_field(
            &mut fields,
            "recipients",
            "dans la notice du service (qui voit les réponses)",
        );
        let legal_basis = self.notice_field(
            &mut fields,
            "legal_basis",
            "dans la notice du service (ce qui permet de traiter les données, par exemple une mission de service public)",
        );
        self.finish(&fields, context);
        Some(ServiceNotice {
            service: service?,
            name: name?,
            controller: controller?,
            address: address?,
            dpo: dpo.filter(|d| has_email(d))?,
            recipients: recipients?,
            legal_basis: legal_basis?,
        })
    }

    /// A flow's `privacy:` section: its own purpose and retention, and optionally other
    /// recipients or legal basis than its service's.
    pub(super) fn flow_privacy(&mut self, node: &Node) -> PrivacySection {
        let Some(mut fields) = self.mapping(node, "« privacy »") else {
            return PrivacySection { own: None };
        };
        let purpose = self.notice_field(
            &mut fields,
            "purpose",
            "dans « privacy » (à quoi servent les réponses : « Elles servent à … »)",
        );
        let retention = self.notice_field(
            &mut fields,
            "retention",
            "dans « privacy » (combien de temps elles sont gardées : « Elles sont gardées … »)",
        );
        let recipients = fields
            .get("recipients")
            .map(|n| self.notice_text(n, "recipients"));
        let legal_basis = fields
            .get("legal_basis")
            .map(|n| self.notice_text(n, "legal_basis"));
        self.finish(&fields, "dans « privacy »");
        let own = (|| {
            Some(FlowPrivacy {
                purpose: purpose?,
                retention: retention?,
                recipients: recipients.map_or(Some(None), |r| r.map(Some))?,
                legal_basis: legal_basis.map_or(Some(None), |r| r.map(Some))?,
            })
        })();
        PrivacySection { own }
    }

    /// The flow's notice, from its `privacy:` and its service's template. A flow that asks
    /// personal data must have both. `Err` when a problem was reported.
    pub(super) fn privacy_notice(
        &mut self,
        section: Option<&PrivacySection>,
        service: Option<(&str, &Node)>,
        notices: &ServiceNotices,
        steps: Option<(&Node, &[Step])>,
    ) -> Result<Option<PrivacyNotice>, ()> {
        let personal = steps.and_then(|(node, steps)| {
            let step = steps
                .iter()
                .find(|s| matches!(&s.body, StepBody::Question(q) if q.personal))?;
            Some((step, node))
        });
        let mut broken = false;
        if let (None, Some((step, steps_node))) = (section, personal) {
            let (why, at) = why_personal(step, steps_node);
            self.diags.error(
                at,
                format!(
                    "la question « {} » demande une donnée personnelle ({why}) : ajoutez en haut du parcours une section « privacy: » avec « purpose » (à quoi servent les réponses) et « retention » (combien de temps elles sont gardées)",
                    step.id
                ),
            );
            broken = true;
        }
        let template = match service {
            Some((id, node)) if section.is_some() || personal.is_some() => {
                let template = notices.get(id);
                if template.is_none() {
                    self.diags.error(
                        position_of(node),
                        format!(
                            "aucune notice sur les données pour le service « {id} » : ajoutez le fichier services/{id}.yaml (qui est responsable, qui reçoit les réponses, à qui écrire ; voir flows/README.md)"
                        ),
                    );
                    broken = true;
                }
                template
            }
            _ => None,
        };
        if broken {
            return Err(());
        }
        match (section, template) {
            (None, _) => Ok(None),
            (Some(PrivacySection { own: Some(own), .. }), Some(template)) => {
                Ok(Some(PrivacyNotice::new(template, own)))
            }
            _ => Err(()),
        }
    }

    /// A required text of a notice.
    fn notice_field(
        &mut self,
        fields: &mut Fields<'_>,
        key: &'static str,
        context: &str,
    ) -> Option<String> {
        let node = self.required(fields, key, context)?;
        self.notice_text(node, key)
    }

    /// A notice text: not empty, and not a value left to write.
    fn notice_text(&mut self, node: &Node, key: &str) -> Option<String> {
        let text = self.string(node, key)?;
        let folded = text.to_lowercase();
        if let Some(found) = PLACEHOLDERS.iter().find(|p| folded.contains(*p)) {
            self.diags.error(
                position_of(node),
                format!("« {key} » contient « {found} » : écrivez le vrai texte à la place"),
            );
            return None;
        }
        Some(text)
    }
}

/// Why a question is personal, and where to point: its `personal: true`, else its type.
fn why_personal(step: &Step, steps_node: &Node) -> (&'static str, crate::diagnostic::Position) {
    let kind = match &step.body {
        StepBody::Question(q) => Some(&q.kind),
        _ => None,
    };
    let why = match kind {
        Some(k) if k.always_personal() => match k.keyword() {
            "phone" => "un numéro de téléphone",
            "email" => "une adresse e-mail",
            _ => "un texte libre",
        },
        _ => "« personal: true »",
    };
    let key = if why.starts_with('«') {
        "personal"
    } else {
        "type"
    };
    let at =
        step_key(steps_node, &step.id, key).map_or_else(|| position_of(steps_node), position_of);
    (why, at)
}

/// The node of `key` in the step `id` of the `steps` list.
fn step_key<'n>(steps: &'n Node, id: &str, key: &str) -> Option<&'n Node> {
    let Node::Sequence(seq) = steps else {
        return None;
    };
    seq.iter()
        .filter_map(Node::as_mapping)
        .find(|m| {
            m.get_node("id")
                .and_then(Node::as_scalar)
                .is_some_and(|s| s.as_str().trim() == id)
        })?
        .get_node(key)
}

/// Whether the text holds an e-mail address (`name@domain.tld`).
fn has_email(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '(' | ')' | ':'))
        .map(|w| w.trim_end_matches('.'))
        .any(|w| match w.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        })
}
