//! `POST /open311/v2/requests.{format}`: a report from another channel (an Open311 client
//! holding an `api_key` that administrators issued). Its attributes are checked with the
//! flow's own rules (`kiosk_flow::form`: options, conditions, bounds, an `end` step that
//! sends nothing), then it is filed like a kiosk's submission, under the client's receipt
//! prefix: the same inbox, statuses and notifications.
//!
//! The standard fields fill the flow's questions when its attributes do not:
//! `address_id` (an INSEE code) the communes question, `address_string` the place question
//! (`format: place`), `phone`, `email`, `first_name` and `last_name` the phone, e-mail and
//! name questions. `lat`/`long` and `description` are kept beside the answers for the agents.

use super::reply::{Field, Item, Reply};
use super::requests::POSITION_STEP;
use super::services::{is_service, questions, unknown_service};
use super::{check_jurisdiction, db, format_of, known_flows, Open311Error};
use crate::db::open311::{self, Client};
use crate::db::submissions::{self, NewSubmission};
use crate::db::{now, Ingested};
use crate::opened;
use crate::secrets;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use kiosk_flow::form::{fill, FormProblem};
use kiosk_flow::model::{QuestionKind, TextFormat};
use kiosk_flow::submission::{Submission, SubmittedAnswer, COMMUNES_DATASET};
use kiosk_flow::Flow;
use std::collections::BTreeMap;

/// How many fresh receipt codes to try when one is taken.
const RECEIPT_TRIES: usize = 8;
/// Where a posted description is kept beside the answers.
const DESCRIPTION_STEP: &str = "open311_description";

/// A posted form: every value of every field, in order.
#[derive(Debug, Default)]
pub struct Posted {
    fields: BTreeMap<String, Vec<String>>,
    /// `attribute[code]` and `attribute[code][]`, by code.
    attributes: BTreeMap<String, Vec<String>>,
}

impl Posted {
    pub fn parse(body: &[u8], query: Option<&str>) -> Posted {
        let mut posted = Posted::default();
        let pairs = form_urlencoded::parse(body)
            .chain(form_urlencoded::parse(query.unwrap_or("").as_bytes()));
        for (key, value) in pairs {
            let value = value.trim().to_string();
            if value.is_empty() {
                continue;
            }
            match attribute_code(&key) {
                Some(code) => posted
                    .attributes
                    .entry(code.to_string())
                    .or_default()
                    .push(value),
                None => posted
                    .fields
                    .entry(key.into_owned())
                    .or_default()
                    .push(value),
            }
        }
        posted
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
}

/// `code` of `attribute[code]` or `attribute[code][]`.
fn attribute_code(key: &str) -> Option<&str> {
    let inner = key.strip_prefix("attribute[")?;
    let inner = inner.strip_suffix("[]").unwrap_or(inner);
    inner.strip_suffix(']').filter(|code| !code.is_empty())
}

pub async fn create(State(state): State<AppState>, uri: Uri, body: Bytes) -> Response {
    let format = format_of(&uri);
    match posted(&state, &uri, &body).await {
        Ok(reply) => reply.respond(StatusCode::CREATED, format),
        Err(error) => error.respond(format),
    }
}

async fn posted(state: &AppState, uri: &Uri, body: &[u8]) -> Result<Reply, Open311Error> {
    let posted = Posted::parse(body, uri.query());
    check_jurisdiction(
        &posted
            .fields
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.first()?.clone())))
            .collect(),
    )?;
    let client = client(state, posted.field("api_key")).await?;
    let code = posted
        .field("service_code")
        .ok_or_else(|| Open311Error::bad_request("service_code manquant."))?
        .to_string();
    let flows = known_flows(state).await?;
    let flow = flows
        .get(&code)
        .filter(|flow| is_service(flow))
        .ok_or_else(|| unknown_service(&code))?
        .clone();
    let has_location = posted.field("address_string").is_some()
        || posted.field("address_id").is_some()
        || (posted.field("lat").is_some() && posted.field("long").is_some());
    if !has_location {
        return Err(Open311Error::bad_request(
            "Il manque le lieu : address_string, address_id, ou lat et long.",
        ));
    }
    let position = position(&posted)?;
    let given = answers_given(&flow, &posted);
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Paris)
        .date_naive();
    let mut submission = fill(&flow, &given, today).map_err(refused)?;
    keep_extras(&mut submission, &posted, position);
    let notice = format!(
        "Signalement reçu. Le service le traitera ; son état se suit avec le code {}.",
        "{receipt}"
    );
    let (receipt, token) = file(state, &client, &flow, submission).await?;
    tracing::info!(client = %client.name, service = %flow.id, "open311: signalement reçu");
    Ok(Reply::List {
        root: "service_requests",
        tag: "request",
        items: vec![Item::default()
            .with("service_request_id", Field::text(receipt.clone()))
            .with("token", Field::text(token))
            .with(
                "service_notice",
                Field::text(notice.replace("{receipt}", &receipt)),
            )
            .with("account_id", Field::Text(None))],
    })
}

/// The client holding `api_key`.
async fn client(state: &AppState, api_key: Option<&str>) -> Result<Client, Open311Error> {
    let forbidden = || Open311Error::new(StatusCode::FORBIDDEN, "api_key absente ou invalide.");
    let key = api_key
        .filter(|k| secrets::looks_like_token(k))
        .ok_or_else(forbidden)?;
    let hash = secrets::sha256_hex(key);
    db(state, "open311_client", move |conn| {
        open311::client_by_key(conn, &hash)
    })
    .await?
    .ok_or_else(forbidden)
}

/// `lat` and `long`, when given, as WGS84 degrees.
fn position(posted: &Posted) -> Result<Option<(f64, f64)>, Open311Error> {
    let (Some(lat), Some(long)) = (posted.field("lat"), posted.field("long")) else {
        return Ok(None);
    };
    let degrees = |text: &str, bound: f64| text.parse::<f64>().ok().filter(|v| v.abs() <= bound);
    match (degrees(lat, 90.0), degrees(long, 180.0)) {
        (Some(lat), Some(long)) => Ok(Some((lat, long))),
        _ => Err(Open311Error::bad_request(
            "lat et long doivent être des degrés WGS84 (50.29, 2.62).",
        )),
    }
}

/// The flow's answers: its attributes, completed by the standard fields.
fn answers_given(flow: &Flow, posted: &Posted) -> BTreeMap<String, Vec<String>> {
    let mut given = posted.attributes.clone();
    let name = [posted.field("first_name"), posted.field("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    for (step, question) in questions(flow) {
        if given.contains_key(&step.id) {
            continue;
        }
        let standard = match &question.kind {
            QuestionKind::Choice { .. }
                if question.dataset.as_deref() == Some(COMMUNES_DATASET) =>
            {
                posted.field("address_id").map(str::to_string)
            }
            QuestionKind::Text {
                format: TextFormat::Place,
                ..
            } => posted.field("address_string").map(str::to_string),
            QuestionKind::Text {
                format: TextFormat::Name,
                ..
            } => (!name.is_empty()).then(|| name.clone()),
            QuestionKind::Phone => posted.field("phone").map(str::to_string),
            QuestionKind::Email => posted.field("email").map(str::to_string),
            _ => None,
        };
        if let Some(value) = standard {
            given.insert(step.id.clone(), vec![value]);
        }
    }
    given
}

/// Every problem of the form, as the specification's error list (400).
fn refused(problems: Vec<FormProblem>) -> Open311Error {
    Open311Error {
        status: StatusCode::BAD_REQUEST,
        descriptions: problems
            .iter()
            .map(|problem| match problem.step_id() {
                Some(code) => format!("attribute[{code}] : {}", problem.message()),
                None => problem.message(),
            })
            .collect(),
    }
}

/// Keeps what the standard fields said that no question holds, for the agents.
fn keep_extras(submission: &mut Submission, posted: &Posted, position: Option<(f64, f64)>) {
    if let Some((lat, long)) = position {
        submission.answers.push(SubmittedAnswer {
            step_id: POSITION_STEP.to_string(),
            label: "Position (latitude, longitude)".to_string(),
            value: serde_json::json!({ "lat": lat, "long": long }),
            display: format!("{lat}, {long}"),
            dataset: None,
            details: BTreeMap::new(),
        });
    }
    if let Some(description) = posted.field("description") {
        let description: String = description.chars().take(2000).collect();
        submission.answers.push(SubmittedAnswer {
            step_id: DESCRIPTION_STEP.to_string(),
            label: "Description".to_string(),
            value: serde_json::Value::String(description.clone()),
            display: description,
            dataset: None,
            details: BTreeMap::new(),
        });
    }
}

/// Files `submission` under a fresh receipt code of the client's prefix; returns the
/// receipt code and the token.
async fn file(
    state: &AppState,
    client: &Client,
    flow: &Flow,
    submission: Submission,
) -> Result<(String, String), Open311Error> {
    let answers_json =
        serde_json::to_string(&submission).map_err(|e| Open311Error::internal(e.into()))?;
    let client = client.clone();
    let (flow_id, flow_version, service) = (flow.id.clone(), flow.version, flow.service.clone());
    let filed = db(state, "open311_post", move |conn| {
        for _ in 0..RECEIPT_TRIES {
            let code = format!("{}{}", client.receipt_prefix, secrets::random_code(4));
            let receipt = kiosk_flow::receipt::normalize_receipt(&code)
                .ok_or_else(|| anyhow::anyhow!("code de reçu mal formé : {code}"))?;
            let id = uuid::Uuid::new_v4().to_string();
            let at = now();
            let new = NewSubmission {
                id: id.clone(),
                kiosk_id: client.id.clone(),
                flow_id: flow_id.clone(),
                flow_version,
                service: service.clone(),
                receipt: receipt.clone(),
                created_at: at.clone(),
                content_digest: secrets::sha256_hex(&format!("{id}\n{answers_json}")),
                opened: opened::parse(answers_json.as_bytes())?,
                answers_json: answers_json.clone(),
            };
            match submissions::ingest(conn, &new, &at)? {
                Ingested::New { .. } => {
                    let token = uuid::Uuid::new_v4().to_string();
                    open311::add_token(conn, &token, &id, &at)?;
                    return Ok(Some((receipt, token)));
                }
                Ingested::ReceiptTaken => continue,
                Ingested::Again { .. } | Ingested::Conflict => {
                    anyhow::bail!("identifiant déjà pris : {id}")
                }
            }
        }
        Ok(None)
    })
    .await?;
    // Its notifications were queued with it: the notifier sends them now.
    state.outbox_bell.notify_one();
    filed.ok_or_else(|| {
        Open311Error::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Plus de code de suivi libre pour ce client : contactez les administrateurs.",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_fields_are_read_from_the_form() {
        let posted = Posted::parse(
            b"api_key=k&service_code=eclairage-public&attribute%5Bprobleme%5D=eteint\
              &attribute[jours][]=lundi&attribute[jours][]=mardi&address_string=rue+Haute\
              &attribute[]=x&description=",
            Some("jurisdiction_id=campagnes-artois"),
        );
        assert_eq!(posted.field("service_code"), Some("eclairage-public"));
        assert_eq!(posted.field("jurisdiction_id"), Some("campagnes-artois"));
        assert_eq!(posted.field("address_string"), Some("rue Haute"));
        assert_eq!(
            posted.field("description"),
            None,
            "an empty field is not given"
        );
        assert_eq!(posted.attributes["probleme"], ["eteint"]);
        assert_eq!(posted.attributes["jours"], ["lundi", "mardi"]);
        assert!(posted.fields.contains_key("attribute[]"));
    }
}
