//! The catalog of published flows: what a kiosk installs, signed by the back end.
//!
//! The back end builds one [`Catalog`] per kiosk (the flows assigned to every kiosk or to
//! it, their datasets), serializes it to JSON once, and signs those exact bytes with its
//! Ed25519 key: the [`SignedCatalog`] carries the JSON as a string (`payload`) and the
//! signature, so the kiosk verifies the bytes it received before it parses anything.
//! The kiosk got the public key at enrolment ([`crate::wire::EnrollResponse::catalog_key`]).
//!
//! A kiosk installs a catalog only when the signature holds, the catalog names this kiosk,
//! its version is higher than the installed one, and every flow loads with the flow checker
//! ([`Catalog::load_flows`]); otherwise it keeps what it runs and reports why.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
pub use ed25519_dalek::SigningKey;
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use kiosk_flow::{
    load_dataset, load_flow_with, load_service_notice, Datasets, Flow, Loaded, ServiceNotices,
};
use serde::{Deserialize, Serialize};

/// The flows one kiosk offers, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    /// Grows with every publication or retirement (the back end's revision number).
    pub version: u64,
    /// The kiosk it was made for: a catalog of another kiosk is refused.
    pub kiosk_id: String,
    /// RFC 3339 UTC.
    pub issued_at: String,
    pub flows: Vec<CatalogFlow>,
    /// Every dataset the flows may use, by id.
    pub datasets: Vec<CatalogDataset>,
    /// The services' privacy notices (`flows/services/`) that flows asking personal data need.
    #[serde(default)]
    pub services: Vec<CatalogService>,
}

/// A service's privacy notice template, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogService {
    pub service: String,
    pub yaml: String,
}

/// The id under which the back end keeps a service's notice among its published datasets.
pub fn service_dataset_id(service: &str) -> String {
    format!("{SERVICE_PREFIX}{service}")
}

/// Published datasets whose id starts with this are services' privacy notices.
pub const SERVICE_PREFIX: &str = "services/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogFlow {
    pub id: String,
    pub version: u32,
    pub title: String,
    /// The YAML as the administrator published it.
    pub yaml: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogDataset {
    pub id: String,
    pub yaml: String,
}

/// What `GET /api/v1/catalog` answers: the catalog's JSON and its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCatalog {
    /// The JSON of a [`Catalog`], exactly the bytes signed.
    pub payload: String,
    /// The Ed25519 signature of `payload`'s UTF-8 bytes, base64 (64 bytes).
    pub signature: String,
}

/// Why a catalog is refused. The messages are French: they reach the administrators'
/// kiosk page through the heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("la clé de signature du back end est inconnue ou invalide (réinscrire la borne)")]
    NoKey,
    #[error("signature invalide : catalogue refusé")]
    BadSignature,
    #[error("catalogue illisible : {0}")]
    Unreadable(String),
    #[error("catalogue destiné à une autre borne")]
    OtherKiosk,
    #[error("catalogue version {offered} plus ancienne que la version installée {installed}")]
    Older { offered: u64, installed: u64 },
    #[error("un parcours du catalogue ne se charge pas : {0}")]
    FlowDoesNotLoad(String),
}

/// The `ETag` of a catalog version.
pub fn etag(version: u64) -> String {
    format!("\"catalogue-{version}\"")
}

/// The version an `ETag` made by [`etag`] names.
pub fn version_of_etag(tag: &str) -> Option<u64> {
    tag.trim()
        .trim_start_matches("W/")
        .strip_prefix("\"catalogue-")?
        .strip_suffix('"')?
        .parse()
        .ok()
}

/// A signing key from its 32 secret bytes in base64 (the back end's key file).
pub fn signing_key_from_base64(text: &str) -> Option<SigningKey> {
    let bytes: [u8; 32] = STANDARD.decode(text.trim()).ok()?.try_into().ok()?;
    Some(SigningKey::from_bytes(&bytes))
}

/// A new signing key from 32 random bytes, and its secret in base64 (for the key file).
pub fn signing_key_from_bytes(secret: [u8; 32]) -> (SigningKey, String) {
    (SigningKey::from_bytes(&secret), STANDARD.encode(secret))
}

/// The public half, base64: what kiosks receive at enrolment.
pub fn public_key_base64(key: &SigningKey) -> String {
    STANDARD.encode(key.verifying_key().as_bytes())
}

/// Whether `text` is an Ed25519 public key in base64.
pub fn is_public_key(text: &str) -> bool {
    verifying_key(text).is_some()
}

fn verifying_key(text: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = STANDARD.decode(text.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

impl Catalog {
    /// Serializes and signs.
    pub fn sign(&self, key: &SigningKey) -> SignedCatalog {
        // Serializing plain strings and numbers cannot fail.
        let payload = serde_json::to_string(self).unwrap_or_default();
        let signature = key.sign(payload.as_bytes());
        SignedCatalog {
            payload,
            signature: STANDARD.encode(signature.to_bytes()),
        }
    }

    /// Every flow loaded with the flow checker against the catalog's datasets, or every
    /// problem as `ID.yaml:line:column: message`.
    pub fn load_flows(&self) -> Result<Vec<Flow>, Vec<String>> {
        let mut problems = Vec::new();
        let mut datasets = Datasets::new();
        for dataset in &self.datasets {
            let name = format!("data/{}.yaml", dataset.id);
            if let Some(value) = with_errors(load_dataset(&dataset.yaml), &name, &mut problems) {
                datasets.insert(value.id.clone(), value);
            }
        }
        let mut notices = ServiceNotices::new();
        for service in &self.services {
            let name = format!("services/{}.yaml", service.service);
            let loaded = load_service_notice(&service.yaml);
            if let Some(value) = with_errors(loaded, &name, &mut problems) {
                notices.insert(value.service.clone(), value);
            }
        }
        let mut flows = Vec::new();
        for flow in &self.flows {
            let name = format!("{}.yaml", flow.id);
            let loaded = load_flow_with(&flow.yaml, &datasets, &notices);
            match with_errors(loaded, &name, &mut problems) {
                Some(value) if value.id != flow.id || value.version != flow.version => problems
                    .push(format!(
                        "{name}: le parcours annoncé {}@{} est en fait {}@{}",
                        flow.id, flow.version, value.id, value.version
                    )),
                Some(value) => flows.push(value),
                None => {}
            }
        }
        if problems.is_empty() {
            Ok(flows)
        } else {
            Err(problems)
        }
    }
}

/// The loaded value, its errors added to `problems` as `NAME:line:column: message`.
fn with_errors<T>(loaded: Loaded<T>, name: &str, problems: &mut Vec<String>) -> Option<T> {
    problems.extend(
        loaded
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.render(name)),
    );
    loaded.value
}

impl SignedCatalog {
    /// The catalog, if signed by `public_key` (base64) for `kiosk_id`.
    pub fn verify(&self, public_key: &str, kiosk_id: &str) -> Result<Catalog, CatalogError> {
        let key = verifying_key(public_key).ok_or(CatalogError::NoKey)?;
        let bytes: [u8; 64] = STANDARD
            .decode(self.signature.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(CatalogError::BadSignature)?;
        key.verify(self.payload.as_bytes(), &Signature::from_bytes(&bytes))
            .map_err(|_| CatalogError::BadSignature)?;
        let catalog: Catalog = serde_json::from_str(&self.payload)
            .map_err(|e| CatalogError::Unreadable(e.to_string()))?;
        if catalog.kiosk_id != kiosk_id {
            return Err(CatalogError::OtherKiosk);
        }
        Ok(catalog)
    }

    /// Everything a kiosk checks before installing: the signature, the kiosk, a version
    /// above `installed`, every flow loading. Returns the catalog and its flows.
    pub fn check(
        &self,
        public_key: &str,
        kiosk_id: &str,
        installed: Option<u64>,
    ) -> Result<(Catalog, Vec<Flow>), CatalogError> {
        let catalog = self.verify(public_key, kiosk_id)?;
        if let Some(installed) = installed {
            if catalog.version < installed {
                return Err(CatalogError::Older {
                    offered: catalog.version,
                    installed,
                });
            }
        }
        let flows = catalog
            .load_flows()
            .map_err(|problems| CatalogError::FlowDoesNotLoad(problems.join(" ; ")))?;
        Ok((catalog, flows))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLOW: &str = include_str!("../../../flows/rappel.yaml");
    const SERVICE: &str = include_str!("../../../flows/services/mediation-numerique.yaml");

    fn catalog(version: u64) -> Catalog {
        Catalog {
            version,
            kiosk_id: "k1".into(),
            issued_at: "2026-12-01T10:00:00.000Z".into(),
            flows: vec![CatalogFlow {
                id: "rappel".into(),
                version: 2,
                title: "Être rappelé par quelqu'un".into(),
                yaml: FLOW.into(),
            }],
            datasets: vec![],
            services: vec![CatalogService {
                service: "mediation-numerique".into(),
                yaml: SERVICE.into(),
            }],
        }
    }

    fn key() -> SigningKey {
        signing_key_from_bytes([7; 32]).0
    }

    #[test]
    fn a_signed_catalog_verifies_and_one_changed_byte_does_not() {
        let signed = catalog(3).sign(&key());
        let public = public_key_base64(&key());
        assert_eq!(signed.verify(&public, "k1").unwrap(), catalog(3));
        let mut bytes = signed.payload.clone().into_bytes();
        let at = signed.payload.find("rappel").unwrap();
        bytes[at] = b'F';
        let tampered = SignedCatalog {
            payload: String::from_utf8(bytes).unwrap(),
            ..signed.clone()
        };
        assert_eq!(
            tampered.verify(&public, "k1"),
            Err(CatalogError::BadSignature)
        );
        let other = public_key_base64(&signing_key_from_bytes([8; 32]).0);
        assert_eq!(signed.verify(&other, "k1"), Err(CatalogError::BadSignature));
        assert_eq!(signed.verify(&public, "k2"), Err(CatalogError::OtherKiosk));
        assert_eq!(signed.verify("", "k1"), Err(CatalogError::NoKey));
    }

    #[test]
    fn an_older_catalog_is_refused() {
        let signed = catalog(3).sign(&key());
        let public = public_key_base64(&key());
        assert!(matches!(
            signed.check(&public, "k1", Some(4)),
            Err(CatalogError::Older {
                offered: 3,
                installed: 4
            })
        ));
        let (_, flows) = signed.check(&public, "k1", Some(3)).unwrap();
        assert_eq!(flows[0].id, "rappel");
    }

    #[test]
    fn a_flow_that_does_not_load_is_reported_with_its_line() {
        let mut broken = catalog(3);
        broken.flows[0].yaml = FLOW.replace("version: 2", "version: un");
        let signed = broken.sign(&key());
        let Err(CatalogError::FlowDoesNotLoad(why)) =
            signed.check(&public_key_base64(&key()), "k1", None)
        else {
            panic!("a broken flow must be refused");
        };
        assert!(why.starts_with("rappel.yaml:3:"), "{why}");
    }

    #[test]
    fn etags_round_trip() {
        assert_eq!(version_of_etag(&etag(12)), Some(12));
        assert_eq!(version_of_etag("W/\"catalogue-3\""), Some(3));
        assert_eq!(version_of_etag("\"autre\""), None);
    }
}
