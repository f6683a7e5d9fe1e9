//! The kiosk's state as the app knows it, shown to ambassadors on the supervisor screen.

/// Filled and pushed by the app (sync loop, voice start-up, audio probing). `None` means
/// "not known yet". Holds no personal data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KioskStatus {
    /// The kiosk's name and place, as enrolled ("Mairie de Duisans").
    pub kiosk_name: Option<String>,
    pub network: Option<bool>,
    pub backend_reachable: Option<bool>,
    /// Requests waiting to be sent; the controller fills it from the store when it has one.
    pub queue_length: Option<u64>,
    /// Submissions the back end refused for good, waiting for a person (« Réessayer »).
    pub refused: Option<u64>,
    /// The receipt printer: `Ok` ready, `Err` what is wrong; `None`: no printer configured.
    pub printer: Option<Result<String, String>>,
    /// When the last sync succeeded, already written for people ("aujourd'hui à 14 h 05").
    pub last_sync: Option<String>,
    /// Speech recognition model, `Err` with why it is missing.
    pub recognition: Option<Result<String, String>>,
    pub synthesis: Option<Result<String, String>>,
    pub microphone: Option<Result<String, String>>,
    pub speaker: Option<Result<String, String>>,
    /// The front panel's board (« Parler », « Aide », light, presence), `Err` with why there is
    /// none; `None`: not started yet (no line).
    pub front_panel: Option<Result<String, String>>,
    /// Anything else degraded, in French ("2 parcours ignorés : erreur dans voirie.yaml").
    pub problems: Vec<String>,
}

/// One line of the supervisor screen: label, value, and whether it is fine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub label: &'static str,
    pub value: String,
    pub ok: bool,
}

impl KioskStatus {
    pub fn lines(&self) -> Vec<Line> {
        let yes_no = |v: Option<bool>, yes: &str, no: &str| match v {
            Some(true) => (yes.to_string(), true),
            Some(false) => (no.to_string(), false),
            None => ("inconnu".to_string(), false),
        };
        let part = |v: &Option<Result<String, String>>| match v {
            Some(Ok(name)) => (name.clone(), true),
            Some(Err(why)) => (format!("absent ({why})"), false),
            None => ("inconnu".to_string(), false),
        };
        let mut out = Vec::new();
        if let Some(name) = &self.kiosk_name {
            out.push(Line {
                label: "Borne",
                value: name.clone(),
                ok: true,
            });
        }
        let (value, ok) = yes_no(self.network, "connecté", "hors ligne");
        out.push(Line {
            label: "Réseau",
            value,
            ok,
        });
        let (value, ok) = yes_no(self.backend_reachable, "joignable", "injoignable");
        out.push(Line {
            label: "Serveur",
            value,
            ok,
        });
        out.push(Line {
            label: "Demandes à envoyer",
            value: self
                .queue_length
                .map_or("inconnu".to_string(), |n| n.to_string()),
            ok: self.queue_length.is_some_and(|n| n < 10),
        });
        if let Some(refused) = self.refused.filter(|n| *n > 0) {
            out.push(Line {
                label: "Demandes refusées par le serveur",
                value: format!("{refused} (gardées sur la borne : « Réessayer » les renvoie)"),
                ok: false,
            });
        }
        out.push(Line {
            label: "Dernier envoi",
            value: self
                .last_sync
                .clone()
                .unwrap_or_else(|| "jamais".to_string()),
            ok: self.last_sync.is_some(),
        });
        for (label, v) in [
            ("Reconnaissance vocale", &self.recognition),
            ("Voix de synthèse", &self.synthesis),
            ("Micro", &self.microphone),
            ("Haut-parleur", &self.speaker),
        ] {
            let (value, ok) = part(v);
            out.push(Line { label, value, ok });
        }
        if self.front_panel.is_some() {
            let (value, ok) = part(&self.front_panel);
            out.push(Line {
                label: "Boutons et capteur",
                value,
                ok,
            });
        }
        match &self.printer {
            Some(Ok(state)) => out.push(Line {
                label: "Imprimante",
                value: state.clone(),
                ok: true,
            }),
            Some(Err(problem)) => out.push(Line {
                label: "Imprimante",
                value: problem.clone(),
                ok: false,
            }),
            None => {}
        }
        for p in &self.problems {
            out.push(Line {
                label: "Problème",
                value: p.clone(),
                ok: false,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_is_shown_as_not_fine() {
        let lines = KioskStatus::default().lines();
        assert!(lines.iter().all(|l| !l.ok));
        let status = KioskStatus {
            network: Some(true),
            recognition: Some(Err("modèle introuvable".into())),
            ..Default::default()
        };
        let lines = status.lines();
        assert!(lines.iter().any(|l| l.label == "Réseau" && l.ok));
        assert!(lines.iter().any(|l| l.label == "Reconnaissance vocale"
            && l.value.contains("introuvable")
            && !l.ok));
        assert!(!lines.iter().any(|l| l.label == "Boutons et capteur"));
        let status = KioskStatus {
            front_panel: Some(Err("pas de GPIO".into())),
            ..Default::default()
        };
        assert!(status
            .lines()
            .iter()
            .any(|l| l.label == "Boutons et capteur"
                && l.value == "absent (pas de GPIO)"
                && !l.ok));
        assert!(
            !lines.iter().any(|l| l.label == "Imprimante"),
            "no printer, no line"
        );
        assert!(!lines
            .iter()
            .any(|l| l.label.starts_with("Demandes refusées")));
    }

    #[test]
    fn refused_requests_and_the_printer_are_shown() {
        let status = KioskStatus {
            refused: Some(2),
            printer: Some(Err("plus de papier".into())),
            ..Default::default()
        };
        let lines = status.lines();
        let refused = lines
            .iter()
            .find(|l| l.label == "Demandes refusées par le serveur")
            .expect("refused line");
        assert!(refused.value.starts_with("2 ") && !refused.ok);
        assert!(lines
            .iter()
            .any(|l| l.label == "Imprimante" && l.value == "plus de papier" && !l.ok));
    }
}
