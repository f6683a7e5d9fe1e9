//! Helpers shared by the integration tests: an enrolled store in a temporary directory,
//! and submissions that carry personal data.
#![allow(dead_code)]

use chrono::Utc;
use kiosk_flow::runtime::{Submission, SubmittedAnswer};
use kiosk_store::{Identity, Store};
use kiosk_sync::seal::KeyPair;
use kiosk_sync::wire::EnrollResponse;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PREFIX: &str = "K7";

/// The identity a back end holding `keys` would give.
pub fn identity(keys: &KeyPair, prefix: &str) -> Identity {
    let answer = EnrollResponse {
        kiosk_id: "5f0c6a4e-2d7b-4c1e-9a43-0d6f3b1e8a21".into(),
        name: "Mairie de Duisans".into(),
        place: "Hall d'accueil".into(),
        token: "jeton-secret-de-la-borne".into(),
        public_key: keys.public_base64(),
        receipt_prefix: prefix.into(),
        catalog_key: String::new(),
    };
    Identity::from_enrollment(&answer, "https://ccca.example.invalid/", Utc::now())
}

/// A store in `dir`, enrolled with `keys`.
pub fn enrolled_store(dir: &Path, keys: &KeyPair) -> (Store, PathBuf) {
    let path = dir.join("data").join("kiosk.db");
    let store = Store::open(&path).expect("open");
    store
        .set_identity(&identity(keys, PREFIX))
        .expect("set identity");
    (store, path)
}

fn answer(step_id: &str, label: &str, value: serde_json::Value, display: &str) -> SubmittedAnswer {
    SubmittedAnswer {
        step_id: step_id.into(),
        label: label.into(),
        value,
        display: display.into(),
        dataset: (step_id == "commune").then(|| "communes".into()),
        details: BTreeMap::new(),
    }
}

/// A street-light report with a name and a phone number.
pub fn report(n: usize) -> Submission {
    let mut commune = answer(
        "commune",
        "Commune",
        serde_json::json!("duisans"),
        "Duisans",
    );
    commune.details.insert("code_postal".into(), "62161".into());
    Submission {
        flow_id: "signalement-eclairage".into(),
        flow_version: 3,
        service: "voirie".into(),
        answers: vec![
            commune,
            answer(
                "probleme",
                "Ce qui ne va pas",
                serde_json::json!(format!("Le lampadaire numéro {n} ne marche plus")),
                &format!("Le lampadaire numéro {n} ne marche plus"),
            ),
            answer(
                "nom",
                "Votre nom",
                serde_json::json!("Jeanne Dupont-Martin"),
                "Jeanne Dupont-Martin",
            ),
            answer(
                "telephone",
                "Votre téléphone",
                serde_json::json!("0612345678"),
                "06 12 34 56 78",
            ),
        ],
        urgent: false,
        booking: None,
    }
}
