//! The information notice on personal data (RGPD, article 13): what the citizen is told about
//! their answers before the first personal question.
//!
//! A service says once what is common to all its flows ([`ServiceNotice`], from
//! `services/<service>.yaml`: who is responsible, who receives the answers, the legal basis,
//! whom to ask); each flow adds its own purpose and retention (`privacy:`). The loader merges
//! both into the flow's [`PrivacyNotice`], which the runtime says in short and shows in full.

/// What a service tells about the answers it receives, common to all its flows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNotice {
    /// The service id, as flows name it (`service: voirie`).
    pub service: String,
    /// Who receives the answers, with its article: "le service voirie de la Communauté de
    /// Communes" (said as "Vos réponses vont au service voirie de la Communauté de Communes.").
    pub name: String,
    /// Who is responsible for the data (the controller): "la Communauté de Communes des
    /// Campagnes de l'Artois".
    pub controller: String,
    /// The controller's postal address.
    pub address: String,
    /// How to reach the data protection officer: an e-mail address, and more if wished.
    pub dpo: String,
    /// Who sees the answers (default for the service's flows).
    pub recipients: String,
    /// What allows the processing, in plain words (default for the service's flows).
    pub legal_basis: String,
}

/// A flow's own part of the notice (`privacy:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowPrivacy {
    /// What the answers are for, completing "Elles servent à …".
    pub purpose: String,
    /// How long they are kept, completing "Elles sont gardées …".
    pub retention: String,
    /// Replaces the service's recipients when given.
    pub recipients: Option<String>,
    /// Replaces the service's legal basis when given.
    pub legal_basis: Option<String>,
}

/// The whole notice of one flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyNotice {
    pub service_name: String,
    pub controller: String,
    pub address: String,
    pub dpo: String,
    pub recipients: String,
    pub legal_basis: String,
    pub purpose: String,
    pub retention: String,
}

/// The title of the full notice.
pub const NOTICE_TITLE: &str = "Vos données personnelles";

impl PrivacyNotice {
    pub fn new(service: &ServiceNotice, own: &FlowPrivacy) -> PrivacyNotice {
        PrivacyNotice {
            service_name: service.name.clone(),
            controller: service.controller.clone(),
            address: service.address.clone(),
            dpo: service.dpo.clone(),
            recipients: own
                .recipients
                .clone()
                .unwrap_or_else(|| service.recipients.clone()),
            legal_basis: own
                .legal_basis
                .clone()
                .unwrap_or_else(|| service.legal_basis.clone()),
            purpose: own.purpose.clone(),
            retention: own.retention.clone(),
        }
    }

    /// The short notice, said and shown before the first personal question: who receives the
    /// answers, what for, and how long they are kept.
    pub fn short_text(&self) -> String {
        format!(
            "Vos réponses vont {}. Elles servent à {}. Elles sont gardées {}.",
            to_phrase(&self.service_name),
            clause(&self.purpose),
            clause(&self.retention)
        )
    }

    /// The full notice, line by line: the title, then one short paragraph per line.
    pub fn full_lines(&self) -> Vec<String> {
        vec![
            NOTICE_TITLE.to_string(),
            format!(
                "Qui est responsable : {}, {}.",
                clause(&self.controller),
                clause(&self.address)
            ),
            format!("Qui reçoit vos réponses : {}.", clause(&self.recipients)),
            format!("À quoi elles servent : à {}.", clause(&self.purpose)),
            format!("Ce qui le permet : {}.", clause(&self.legal_basis)),
            format!("Combien de temps : elles sont gardées {}.", clause(&self.retention)),
            "Vos droits : vous pouvez voir vos données, les faire corriger ou effacer. Vous pouvez aussi refuser qu'elles soient utilisées.".to_string(),
            format!(
                "Pour cela, ou pour une question, écrivez au délégué à la protection des données : {}.",
                clause(&self.dpo)
            ),
            "Si vous n'êtes pas satisfait de la réponse, vous pouvez vous plaindre à la CNIL, sur cnil.fr.".to_string(),
        ]
    }

    /// The full notice as shown and printed: one paragraph per line.
    pub fn full_text(&self) -> String {
        self.full_lines().join("\n")
    }

    /// The full notice as said: the title as a sentence, then every paragraph.
    pub fn full_spoken(&self) -> String {
        let mut lines = self.full_lines();
        if let Some(title) = lines.first_mut() {
            title.push('.');
        }
        lines.join(" ")
    }
}

/// A field as the middle of a sentence: no final full stop (the sentence adds it).
fn clause(text: &str) -> String {
    text.trim().trim_end_matches('.').trim_end().to_string()
}

/// "le service voirie" → "au service voirie", "les services" → "aux services", "la mairie" →
/// "à la mairie": French contracts "à le" and "à les".
fn to_phrase(name: &str) -> String {
    let name = clause(name);
    if let Some(rest) = name.strip_prefix("le ") {
        format!("au {rest}")
    } else if let Some(rest) = name.strip_prefix("les ") {
        format!("aux {rest}")
    } else {
        format!("à {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> ServiceNotice {
        ServiceNotice {
            service: "voirie".into(),
            name: "le service voirie de la Communauté de Communes".into(),
            controller: "la Communauté de Communes des Campagnes de l'Artois".into(),
            address: "1050 avenue François Mitterrand, 62810 Avesnes-le-Comte".into(),
            dpo: "dpo@campagnesartois.fr".into(),
            recipients: "les agents du service voirie".into(),
            legal_basis: "une mission de service public".into(),
        }
    }

    fn own() -> FlowPrivacy {
        FlowPrivacy {
            purpose: "réparer le lampadaire.".into(),
            retention: "un an".into(),
            recipients: None,
            legal_basis: None,
        }
    }

    #[test]
    fn the_short_notice_says_who_why_and_how_long_in_three_sentences() {
        let notice = PrivacyNotice::new(&service(), &own());
        assert_eq!(
            notice.short_text(),
            "Vos réponses vont au service voirie de la Communauté de Communes. Elles servent à réparer le lampadaire. Elles sont gardées un an."
        );
    }

    #[test]
    fn articles_contract_with_a() {
        assert_eq!(to_phrase("le service"), "au service");
        assert_eq!(to_phrase("les agents"), "aux agents");
        assert_eq!(to_phrase("la mairie"), "à la mairie");
        assert_eq!(to_phrase("l'accueil"), "à l'accueil");
    }

    #[test]
    fn the_full_notice_names_every_right_the_dpo_and_the_cnil() {
        let mut own = own();
        own.recipients = Some("la mairie".into());
        let notice = PrivacyNotice::new(&service(), &own);
        let full = notice.full_text();
        for part in [
            "la Communauté de Communes des Campagnes de l'Artois, 1050 avenue",
            "Qui reçoit vos réponses : la mairie.",
            "une mission de service public",
            "gardées un an.",
            "corriger ou effacer",
            "refuser",
            "dpo@campagnesartois.fr",
            "CNIL",
        ] {
            assert!(full.contains(part), "{part:?} missing in {full}");
        }
        assert!(notice
            .full_spoken()
            .starts_with("Vos données personnelles. Qui est responsable"));
    }
}
