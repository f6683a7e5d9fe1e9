//! `GET services` and `GET services/{service_code}`: one service per known flow of kind
//! `report` (published over shipped), its attributes generated from the flow's questions.

use super::reply::{Field, Format, Item, Reply};
use super::{
    check_jurisdiction, format_of, known_flows, query_params, service_names, Open311Error,
};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use kiosk_flow::model::{FlowKind, Question, QuestionKind, Step, StepBody, TextFormat};
use kiosk_flow::Flow;
use std::collections::BTreeMap;

/// Texts longer than this are `text` (a long field), shorter ones `string`.
const SHORT_TEXT_CHARS: usize = 200;

/// Whether `flow` is an Open311 service.
pub fn is_service(flow: &Flow) -> bool {
    flow.kind == FlowKind::Report
}

/// `GET /open311/v2/services.{format}`.
pub async fn list(State(state): State<AppState>, uri: Uri) -> Response {
    let format = format_of(&uri);
    match services(&state, &uri).await {
        Ok(reply) => reply.respond(StatusCode::OK, format),
        Err(error) => error.respond(format),
    }
}

async fn services(state: &AppState, uri: &Uri) -> Result<Reply, Open311Error> {
    check_jurisdiction(&query_params(uri))?;
    let flows = known_flows(state).await?;
    let names = service_names(state).await?;
    let items = flows
        .iter()
        .filter(|flow| is_service(flow))
        .map(|flow| service_item(flow, &names))
        .collect();
    Ok(Reply::List {
        root: "services",
        tag: "service",
        items,
    })
}

fn service_item(flow: &Flow, names: &BTreeMap<String, String>) -> Item {
    Item::default()
        .with("service_code", Field::text(flow.id.clone()))
        .with("service_name", Field::text(flow.title.clone()))
        .with("description", Field::text(flow.description.clone()))
        .with("metadata", Field::Bool(true))
        .with("type", Field::text("realtime"))
        .with("keywords", Field::text(keywords(flow)))
        .with("group", Field::text(group(flow, names)))
}

/// The back end's name of the flow's service, else its id.
pub fn group(flow: &Flow, names: &BTreeMap<String, String>) -> String {
    names
        .get(&flow.service)
        .cloned()
        .unwrap_or_else(|| flow.service.clone())
}

/// The words a client may search: the kind, the service, and the answers to the flow's
/// first list of options (the problems a street light can have).
fn keywords(flow: &Flow) -> String {
    let mut words = vec!["signalement".to_string(), flow.service.clone()];
    let first_list = flow.steps.iter().find_map(|step| match &step.body {
        StepBody::Question(q) if q.dataset.is_none() && !q.kind.options().is_empty() => {
            Some(q.kind.options())
        }
        _ => None,
    });
    words.extend(
        first_list
            .unwrap_or_default()
            .iter()
            .map(|o| o.label.clone()),
    );
    words.join(", ")
}

/// `GET /open311/v2/services/{service_code}.{format}`: the service definition.
pub async fn definition(
    State(state): State<AppState>,
    Path(file): Path<String>,
    uri: Uri,
) -> Response {
    let Some((code, format)) = Format::split(&file) else {
        return Open311Error::not_found("Adresse inconnue : ajoutez .json ou .xml.")
            .respond(format_of(&uri));
    };
    match service_definition(&state, &uri, code).await {
        Ok(reply) => reply.respond(StatusCode::OK, format),
        Err(error) => error.respond(format),
    }
}

async fn service_definition(
    state: &AppState,
    uri: &Uri,
    code: &str,
) -> Result<Reply, Open311Error> {
    check_jurisdiction(&query_params(uri))?;
    let flows = known_flows(state).await?;
    let flow = flows
        .get(code)
        .filter(|flow| is_service(flow))
        .ok_or_else(|| unknown_service(code))?;
    let attributes = questions(flow)
        .enumerate()
        .map(|(index, (step, question))| attribute(index + 1, step, question))
        .collect();
    Ok(Reply::One {
        root: "service_definition",
        item: Item::default()
            .with("service_code", Field::text(flow.id.clone()))
            .with(
                "attributes",
                Field::Items {
                    tag: "attribute",
                    items: attributes,
                },
            ),
    })
}

pub fn unknown_service(code: &str) -> Open311Error {
    Open311Error::not_found(format!(
        "service_code « {code} » inconnu : voyez services.json."
    ))
}

/// The flow's questions, in order.
pub fn questions(flow: &Flow) -> impl Iterator<Item = (&Step, &Question)> {
    flow.steps.iter().filter_map(|step| match &step.body {
        StepBody::Question(question) => Some((step, question)),
        _ => None,
    })
}

/// Whether a question must be answered whatever the other answers.
fn always_required(step: &Step, question: &Question) -> bool {
    !question.optional && step.when.is_none()
}

fn attribute(order: usize, step: &Step, question: &Question) -> Item {
    let (datatype, mut about, values) = datatype(&question.kind);
    if step.when.is_some() {
        about.push("Demandé seulement selon les réponses précédentes.".to_string());
    }
    if question.optional {
        about.push("Facultatif.".to_string());
    }
    let mut item = Item::default()
        .with("variable", Field::Bool(true))
        .with("code", Field::text(step.id.clone()))
        .with("datatype", Field::text(datatype))
        .with("required", Field::Bool(always_required(step, question)))
        .with(
            "datatype_description",
            Field::maybe((!about.is_empty()).then(|| about.join(" "))),
        )
        .with(
            "order",
            Field::Int(i64::try_from(order).unwrap_or(i64::MAX)),
        )
        .with("description", Field::text(question.ask.show.source_text()));
    if let Some(values) = values {
        item = item.with(
            "values",
            Field::Items {
                tag: "value",
                items: values
                    .into_iter()
                    .map(|(key, name)| {
                        Item::default()
                            .with("key", Field::text(key))
                            .with("name", Field::text(name))
                    })
                    .collect(),
            },
        );
    }
    item
}

type Values = Option<Vec<(String, String)>>;

/// The Open311 datatype of a question, what to know to fill it, and its values for lists.
fn datatype(kind: &QuestionKind) -> (&'static str, Vec<String>, Values) {
    let options = |kind: &QuestionKind| -> Values {
        Some(
            kind.options()
                .iter()
                .map(|o| (o.id.clone(), o.label.clone()))
                .collect(),
        )
    };
    match kind {
        QuestionKind::YesNo => (
            "singlevaluelist",
            Vec::new(),
            Some(vec![
                ("true".to_string(), "Oui".to_string()),
                ("false".to_string(), "Non".to_string()),
            ]),
        ),
        QuestionKind::Choice { .. } => ("singlevaluelist", Vec::new(), options(kind)),
        QuestionKind::Choices { min, max, .. } => (
            "multivaluelist",
            vec![format!(
                "De {min} à {max} valeurs : attribute[code][]=valeur, une fois par valeur."
            )],
            options(kind),
        ),
        QuestionKind::Number { min, max } => (
            "number",
            vec![format!("Un nombre entier de {min} à {max}.")],
            None,
        ),
        QuestionKind::Text { max_length, format } => {
            let mut about = vec![format!("{max_length} caractères au plus.")];
            if *format == TextFormat::Place {
                about.push("L'endroit : il est public, avec la commune.".to_string());
            }
            let datatype = if *max_length > SHORT_TEXT_CHARS {
                "text"
            } else {
                "string"
            };
            (datatype, about, None)
        }
        QuestionKind::Phone => (
            "string",
            vec!["Un numéro de téléphone français (10 chiffres).".to_string()],
            None,
        ),
        QuestionKind::Email => ("string", vec!["Une adresse e-mail.".to_string()], None),
        QuestionKind::Date { allowed, .. } => {
            let mut about = vec!["Une date AAAA-MM-JJ.".to_string()];
            if !allowed.is_every_day() {
                about.push(format!("Jours possibles : {}.", allowed.describe()));
            }
            ("datetime", about, None)
        }
        QuestionKind::Time { earliest, latest } => (
            "string",
            vec![format!(
                "Une heure HH:MM, de {} à {}.",
                earliest.format("%H:%M"),
                latest.format("%H:%M")
            )],
            None,
        ),
    }
}
