//! `GET requests`, `GET requests/{service_request_id}` and `GET tokens/{token}`: what the
//! public may see of the reports. The service request id is the receipt code.
//!
//! Public: the service, the status and the agent's note, the times, the commune (its name,
//! INSEE code, postcode and, when the dataset gives them, its centre's coordinates), the
//! place the citizen gave (a `format: place` question), and the answers to the flow's
//! questions that are not personal (the problem chosen). Never a name, a phone number, an
//! e-mail address or any other personal answer.

use super::reply::{Field, Format, Item, Reply};
use super::services::{group, is_service};
use super::{
    check_jurisdiction, db, format_of, known_flows, query_params, service_names, Open311Error,
};
use crate::db::open311::{self, RequestFilter, StoredReport};
use crate::db::timestamp;
use crate::known_flows::KnownFlows;
use crate::opened;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use kiosk_flow::model::{QuestionKind, TextFormat};
use kiosk_flow::receipt::normalize_receipt;
use kiosk_flow::submission::{Submission, COMMUNES_DATASET};
use kiosk_sync::wire::RequestStatus;
use std::collections::BTreeMap;

/// The default window and the widest one a client may ask (the specification's 90 days).
const WINDOW_DAYS: i64 = 90;
/// The most requests one answer lists (the specification's default).
const MAX_REQUESTS: usize = 1000;

/// Where extra answers of posted requests keep what the standard fields said.
pub const POSITION_STEP: &str = "open311_position";

/// Open311's two statuses.
pub fn public_status(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Recu | RequestStatus::EnCours => "open",
        RequestStatus::Traite | RequestStatus::Rejete => "closed",
    }
}

/// `GET /open311/v2/requests.{format}`.
pub async fn list(State(state): State<AppState>, uri: Uri) -> Response {
    let format = format_of(&uri);
    let params = query_params(&uri);
    let result: Result<Reply, Open311Error> = async {
        check_jurisdiction(&params)?;
        let filter = filter_from(&params, Utc::now())?;
        listed(&state, filter).await
    }
    .await;
    match result {
        Ok(reply) => reply.respond(StatusCode::OK, format),
        Err(error) => error.respond(format),
    }
}

/// `GET /open311/v2/requests/{service_request_id}.{format}`.
pub async fn one(State(state): State<AppState>, Path(file): Path<String>, uri: Uri) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return Open311Error::not_found("Adresse inconnue : ajoutez .json ou .xml.")
            .respond(format_of(&uri));
    };
    let result: Result<Reply, Open311Error> = async {
        check_jurisdiction(&query_params(&uri))?;
        let receipt = normalize_receipt(id).ok_or_else(|| unknown_request(id))?;
        let filter = RequestFilter {
            receipts: vec![receipt],
            limit: 1,
            ..RequestFilter::default()
        };
        let reply = listed(&state, filter).await?;
        match &reply {
            Reply::List { items, .. } if items.is_empty() => Err(unknown_request(id)),
            _ => Ok(reply),
        }
    }
    .await;
    match result {
        Ok(reply) => reply.respond(StatusCode::OK, format),
        Err(error) => error.respond(format),
    }
}

/// `GET /open311/v2/tokens/{token}.{format}`: the request posted with a token.
pub async fn token(State(state): State<AppState>, Path(file): Path<String>, uri: Uri) -> Response {
    let Some((token, format)) = Format::split(&file) else {
        return Open311Error::not_found("Adresse inconnue : ajoutez .json ou .xml.")
            .respond(format_of(&uri));
    };
    let result: Result<Reply, Open311Error> = async {
        check_jurisdiction(&query_params(&uri))?;
        let owned = token.to_string();
        let receipt = db(&state, "open311_token", move |conn| {
            open311::receipt_by_token(conn, &owned)
        })
        .await?
        .ok_or_else(|| Open311Error::not_found(format!("token « {token} » inconnu.")))?;
        Ok(Reply::List {
            root: "service_requests",
            tag: "request",
            items: vec![Item::default()
                .with("service_request_id", Field::text(receipt))
                .with("token", Field::text(token))],
        })
    }
    .await;
    match result {
        Ok(reply) => reply.respond(StatusCode::OK, format),
        Err(error) => error.respond(format),
    }
}

fn unknown_request(id: &str) -> Open311Error {
    Open311Error::not_found(format!("service_request_id « {id} » inconnu."))
}

/// The filter a query asks for, with the specification's defaults and limits.
pub fn filter_from(
    params: &BTreeMap<String, String>,
    now: DateTime<Utc>,
) -> Result<RequestFilter, Open311Error> {
    let list = |name: &str| -> Vec<String> {
        params
            .get(name)
            .map(|value| {
                value
                    .split(',')
                    .map(|item| item.trim().to_string())
                    .filter(|item| !item.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut filter = RequestFilter {
        limit: MAX_REQUESTS,
        ..RequestFilter::default()
    };
    let ids = list("service_request_id");
    if !ids.is_empty() {
        // "This overrides all other arguments."
        filter.receipts = ids.iter().filter_map(|id| normalize_receipt(id)).collect();
        return Ok(filter);
    }
    filter.flows = list("service_code");
    for status in list("status") {
        match status.as_str() {
            "open" => filter
                .statuses
                .extend([RequestStatus::Recu, RequestStatus::EnCours]),
            "closed" => filter
                .statuses
                .extend([RequestStatus::Traite, RequestStatus::Rejete]),
            other => {
                return Err(Open311Error::bad_request(format!(
                    "status « {other} » inconnu : open ou closed."
                )))
            }
        }
    }
    let date = |name: &str| -> Result<Option<DateTime<Utc>>, Open311Error> {
        params
            .get(name)
            .map(|value| {
                DateTime::parse_from_rfc3339(value.trim())
                    .map(|d| d.with_timezone(&Utc))
                    .map_err(|_| {
                        Open311Error::bad_request(format!(
                            "{name} « {value} » n'est pas une date ISO 8601 avec son fuseau \
                             (2026-12-01T08:00:00+01:00)."
                        ))
                    })
            })
            .transpose()
    };
    let window = TimeDelta::days(WINDOW_DAYS);
    let (start, end) = match (date("start_date")?, date("end_date")?) {
        (Some(start), Some(end)) => (start, end),
        (Some(start), None) => (start, start + window),
        (None, Some(end)) => (end - window, end),
        (None, None) => (now - window, now),
    };
    if end < start {
        return Err(Open311Error::bad_request(
            "end_date est avant start_date.".to_string(),
        ));
    }
    if end - start > window {
        return Err(Open311Error::bad_request(format!(
            "De start_date à end_date, {WINDOW_DAYS} jours au plus."
        )));
    }
    filter.start = Some(timestamp(start));
    filter.end = Some(timestamp(end));
    Ok(filter)
}

/// The reports `filter` selects, as the public sees them.
async fn listed(state: &AppState, mut filter: RequestFilter) -> Result<Reply, Open311Error> {
    let flows = known_flows(state).await?;
    let names = service_names(state).await?;
    // Only reports are public; a service_code that is not one lists nothing.
    let reports: Vec<String> = flows
        .iter()
        .filter(|flow| is_service(flow))
        .map(|flow| flow.id.clone())
        .collect();
    filter.flows = if filter.flows.is_empty() {
        reports
    } else {
        filter
            .flows
            .into_iter()
            .filter(|id| reports.contains(id))
            .collect()
    };
    let stored = db(state, "open311_requests", move |conn| {
        open311::reports(conn, &filter)
    })
    .await?;
    let items = stored
        .iter()
        .map(|report| public_item(report, &flows, &names))
        .collect::<anyhow::Result<Vec<Item>>>()
        .map_err(Open311Error::internal)?;
    Ok(Reply::List {
        root: "service_requests",
        tag: "request",
        items,
    })
}

/// What the public sees of one report.
pub fn public_item(
    report: &StoredReport,
    flows: &KnownFlows,
    names: &BTreeMap<String, String>,
) -> anyhow::Result<Item> {
    let submission = opened::stored(&report.receipt, &report.answers_json)?;
    let flow = flows.get(&report.flow_id);
    let place = PublicPlace::of(&submission, flow.map(|f| f.as_ref()));
    let agency = flow.map_or_else(
        || {
            names
                .get(&report.service)
                .cloned()
                .unwrap_or_else(|| report.service.clone())
        },
        |flow| group(flow, names),
    );
    Ok(Item::default()
        .with("service_request_id", Field::text(report.receipt.clone()))
        .with("status", Field::text(public_status(report.status)))
        .with("status_notes", Field::maybe(report.status_note.clone()))
        .with(
            "service_name",
            Field::text(flow.map_or_else(|| report.flow_id.clone(), |f| f.title.clone())),
        )
        .with("service_code", Field::text(report.flow_id.clone()))
        .with(
            "description",
            Field::maybe(flow.and_then(|f| public_description(&submission, f))),
        )
        .with("agency_responsible", Field::text(agency))
        .with("service_notice", Field::Text(None))
        .with("requested_datetime", Field::text(report.created_at.clone()))
        .with(
            "updated_datetime",
            Field::text(report.status_updated_at.clone()),
        )
        .with("expected_datetime", Field::Text(None))
        .with("address", Field::maybe(place.address()))
        .with("address_id", Field::maybe(place.insee_code))
        .with("zipcode", Field::maybe(place.postcode))
        .with("lat", Field::Number(place.position.map(|p| p.0)))
        .with("long", Field::Number(place.position.map(|p| p.1)))
        .with("media_url", Field::Text(None)))
}

/// Where a report is, as far as it is public.
#[derive(Debug, Default)]
struct PublicPlace {
    commune: Option<String>,
    insee_code: Option<String>,
    postcode: Option<String>,
    /// The citizen's words (a `format: place` question).
    place: Option<String>,
    position: Option<(f64, f64)>,
}

impl PublicPlace {
    fn of(submission: &Submission, flow: Option<&kiosk_flow::Flow>) -> PublicPlace {
        let mut found = PublicPlace::default();
        if let Some(commune) = submission.answer_from_dataset(COMMUNES_DATASET) {
            found.commune = Some(commune.display.clone());
            found.insee_code = commune.value.as_str().map(str::to_string);
            found.postcode = commune.details.get("code_postal").cloned();
            found.position = coordinates(
                commune.details.get("latitude").map(String::as_str),
                commune.details.get("longitude").map(String::as_str),
            );
        }
        let is_place = |step_id: &str| {
            flow.and_then(|f| f.question(step_id)).is_some_and(|q| {
                matches!(
                    q.kind,
                    QuestionKind::Text {
                        format: TextFormat::Place,
                        ..
                    }
                )
            })
        };
        for answer in &submission.answers {
            if answer.value.is_null() {
                continue;
            }
            if is_place(&answer.step_id) && found.place.is_none() {
                found.place = Some(answer.display.clone());
            }
            if answer.step_id == POSITION_STEP {
                // What an Open311 client gave: more precise than the commune's centre.
                let (lat, long) = (answer.value.get("lat"), answer.value.get("long"));
                if let (Some(lat), Some(long)) = (
                    lat.and_then(serde_json::Value::as_f64),
                    long.and_then(serde_json::Value::as_f64),
                ) {
                    found.position = Some((lat, long));
                }
            }
        }
        found
    }

    /// The most specific first: "rue Haute, Duisans".
    fn address(&self) -> Option<String> {
        let parts: Vec<&str> = [self.place.as_deref(), self.commune.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

fn coordinates(lat: Option<&str>, long: Option<&str>) -> Option<(f64, f64)> {
    let lat: f64 = lat?.trim().parse().ok()?;
    let long: f64 = long?.trim().parse().ok()?;
    ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&long)).then_some((lat, long))
}

/// The answers to the flow's questions that are not personal, the commune and the place
/// aside (they are in the address): "Problème : Il clignote".
fn public_description(submission: &Submission, flow: &kiosk_flow::Flow) -> Option<String> {
    let parts: Vec<String> = submission
        .answers
        .iter()
        .filter(|answer| !answer.value.is_null())
        .filter(|answer| answer.dataset.as_deref() != Some(COMMUNES_DATASET))
        .filter(|answer| {
            flow.question(&answer.step_id)
                .is_some_and(|q| !q.personal && !q.kind.always_personal())
        })
        .map(|answer| format!("{} : {}", answer.label, answer.display))
        .collect();
    (!parts.is_empty()).then(|| parts.join(" ; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn filters_follow_the_specification() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let default = filter_from(&params(&[]), now).unwrap();
        assert_eq!(default.start.as_deref(), Some("2026-09-02T10:00:00.000Z"));
        assert_eq!(default.end.as_deref(), Some("2026-12-01T10:00:00.000Z"));
        assert_eq!(default.limit, 1000);

        let ids = filter_from(
            &params(&[
                ("service_request_id", "ab3-7kq, ZZ2-3QW"),
                ("status", "nope"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(
            ids.receipts,
            ["AB3-7KQ", "ZZ2-3QW"],
            "ids override the rest"
        );

        let open = filter_from(
            &params(&[
                ("status", "open"),
                ("start_date", "2026-11-01T00:00:00+01:00"),
            ]),
            now,
        )
        .unwrap();
        assert_eq!(open.statuses, [RequestStatus::Recu, RequestStatus::EnCours]);
        assert_eq!(open.start.as_deref(), Some("2026-10-31T23:00:00.000Z"));

        for bad in [
            params(&[("status", "fermé")]),
            params(&[("start_date", "hier")]),
            params(&[
                ("start_date", "2026-01-01T00:00:00Z"),
                ("end_date", "2026-12-01T00:00:00Z"),
            ]),
            params(&[
                ("start_date", "2026-12-01T00:00:00Z"),
                ("end_date", "2026-11-01T00:00:00Z"),
            ]),
        ] {
            let error = filter_from(&bad, now).unwrap_err();
            assert_eq!(error.status, StatusCode::BAD_REQUEST, "{bad:?}");
        }
    }

    #[test]
    fn statuses_map_to_open_and_closed() {
        assert_eq!(public_status(RequestStatus::Recu), "open");
        assert_eq!(public_status(RequestStatus::EnCours), "open");
        assert_eq!(public_status(RequestStatus::Traite), "closed");
        assert_eq!(public_status(RequestStatus::Rejete), "closed");
    }
}
