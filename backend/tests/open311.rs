//! Open311 GeoReport v2, read and posted as an independent client would: plain HTTP on
//! 127.0.0.1, JSON read as untyped values and XML read with a generic XML reader, each
//! response checked against the fields the specification's example responses have.
#![allow(clippy::unwrap_used)] // test helpers: a failure is the test failing

mod common;

use backend::db::users::Role;
use backend::db::{self, open311, submissions};
use common::web::Web;
use common::{upload_answers, Server};
use kiosk_sync::wire::{EnrollResponse, RequestStatus};
use quick_xml::events::Event;
use quick_xml::Reader;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The fields of the specification's example responses (wiki.open311.org/GeoReport_v2).
const SERVICE_FIELDS: &[&str] = &[
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
];
const DEFINITION_FIELDS: &[&str] = &["service_code", "attributes"];
const ATTRIBUTE_FIELDS: &[&str] = &[
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
];
const VALUE_FIELDS: &[&str] = &["key", "name"];
const REQUEST_FIELDS: &[&str] = &[
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];
const POSTED_FIELDS: &[&str] = &["service_request_id", "service_notice", "account_id"];
const TOKEN_FIELDS: &[&str] = &["service_request_id", "token"];
const ERROR_FIELDS: &[&str] = &["code", "description"];
const DISCOVERY_FIELDS: &[&str] = &["changeset", "contact", "key_service", "endpoints"];
const ENDPOINT_FIELDS: &[&str] = &["specification", "url", "changeset", "type", "formats"];

/// The personal answers of the seeded requests: none may appear in a public response.
const PHONE: &str = "0611223344";
const PHONE_SPACED: &str = "06 11 22 33 44";
const EMAIL: &str = "marie.dupont@example.org";
const NAME: &str = "Dupont";

fn keys(object: &Value) -> BTreeSet<&str> {
    object
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn set(fields: &[&'static str]) -> BTreeSet<&'static str> {
    fields.iter().copied().collect()
}

/// An XML element: its name, text and children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> &Element {
        self.children
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no <{name}> in <{}>", self.name))
    }

    fn names(&self) -> BTreeSet<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }
}

/// Reads an XML document (with its declaration) into its root element.
fn xml(text: &str) -> Element {
    assert!(
        text.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
        "{text}"
    );
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => stack.push(Element {
                name: String::from_utf8(start.name().as_ref().to_vec()).unwrap(),
                ..Element::default()
            }),
            Event::Empty(empty) => stack.last_mut().unwrap().children.push(Element {
                name: String::from_utf8(empty.name().as_ref().to_vec()).unwrap(),
                ..Element::default()
            }),
            Event::Text(t) => {
                let decoded = t.decode().unwrap();
                let unescaped = quick_xml::escape::unescape(&decoded).unwrap();
                stack.last_mut().unwrap().text.push_str(&unescaped);
            }
            Event::GeneralRef(r) => {
                let name = String::from_utf8(r.to_vec()).unwrap();
                let entity = format!("&{name};");
                let resolved = quick_xml::escape::unescape(&entity).unwrap();
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::End(_) => {
                let done = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(done);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.remove(0)
}

async fn get(server: &Server, path: &str) -> (StatusCode, String, String) {
    let response = server.client.get(server.url(path)).send().await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

async fn get_json(server: &Server, path: &str) -> (StatusCode, Value) {
    let (status, content_type, body) = get(server, path).await;
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {content_type}"
    );
    (status, serde_json::from_str(&body).unwrap())
}

async fn get_xml(server: &Server, path: &str) -> (StatusCode, Element) {
    let (status, content_type, body) = get(server, path).await;
    assert!(
        content_type.starts_with("text/xml"),
        "{path}: {content_type}"
    );
    (status, xml(&body))
}

async fn post(server: &Server, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = server
        .client
        .post(server.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

fn api_key(server: &Server, name: &str) -> String {
    let db = server.data_dir().open_db().unwrap();
    db.with(|c| open311::add_client(c, name, &db::now()))
        .unwrap()
        .1
}

/// A street-light report as a kiosk seals it, with personal answers.
fn kiosk_report(problem: &str, problem_label: &str) -> Value {
    json!({
        "flow_id": "eclairage-public",
        "flow_version": 3,
        "service": "voirie",
        "answers": [
            {"step_id": "commune", "label": "Commune", "value": "62279", "display": "Duisans",
             "dataset": "communes", "details": {"code_postal": "62161"}},
            {"step_id": "lieu", "label": "Endroit", "value": "devant le 3 rue Haute",
             "display": "devant le 3 rue Haute"},
            {"step_id": "probleme", "label": "Problème", "value": problem,
             "display": problem_label},
            {"step_id": "rappel", "label": "Être rappelé", "value": true, "display": "Oui"},
            {"step_id": "telephone", "label": "Téléphone", "value": PHONE,
             "display": PHONE_SPACED},
        ]
    })
}

async fn kiosk_submits(server: &Server, kiosk: &EnrollResponse, answers: &Value) -> String {
    let receipt = common::receipt(&kiosk.receipt_prefix);
    let up = upload_answers(&kiosk.public_key, &receipt, answers);
    let response = server.put_submission(&kiosk.token, &up).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    receipt
}

#[tokio::test]
async fn services_and_their_definitions_have_the_specifications_shape() {
    let server = Server::start_with_shipped_flows().await;
    server.add_service("voirie", "Voirie et éclairage", None, None);

    let (status, services) = get_json(&server, "/open311/v2/services.json").await;
    assert_eq!(status, StatusCode::OK);
    let services = services.as_array().unwrap();
    let codes: BTreeSet<&str> = services
        .iter()
        .map(|s| s["service_code"].as_str().unwrap())
        .collect();
    // Every shipped report, and nothing else (bookings and procedures are not reports).
    assert_eq!(
        codes,
        BTreeSet::from(["depot-sauvage", "eclairage-public", "voirie"])
    );
    for service in services {
        assert_eq!(keys(service), set(SERVICE_FIELDS));
        assert_eq!(service["metadata"], true);
        assert_eq!(service["type"], "realtime");
    }
    let light = services
        .iter()
        .find(|s| s["service_code"] == "eclairage-public")
        .unwrap();
    assert_eq!(light["service_name"], "Un lampadaire ne marche plus");
    assert_eq!(light["group"], "Voirie et éclairage");
    assert!(light["keywords"].as_str().unwrap().contains("Il clignote"));

    let (_, services_xml) = get_xml(&server, "/open311/v2/services.xml").await;
    assert_eq!(services_xml.name, "services");
    assert_eq!(services_xml.children.len(), services.len());
    for service in &services_xml.children {
        assert_eq!(service.name, "service");
        assert_eq!(service.names(), set(SERVICE_FIELDS));
    }

    let (status, definition) =
        get_json(&server, "/open311/v2/services/eclairage-public.json").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&definition), set(DEFINITION_FIELDS));
    let attributes = definition["attributes"].as_array().unwrap();
    let codes: Vec<&str> = attributes
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        [
            "commune",
            "lieu",
            "probleme",
            "danger",
            "rappel",
            "telephone"
        ]
    );
    for (index, attribute) in attributes.iter().enumerate() {
        let fields = keys(attribute);
        assert!(fields.is_superset(&set(ATTRIBUTE_FIELDS)), "{attribute}");
        assert_eq!(attribute["order"], index + 1);
        assert_eq!(attribute["variable"], true);
        if let Some(values) = attribute["values"].as_array() {
            assert!(!values.is_empty());
            for value in values {
                assert_eq!(keys(value), set(VALUE_FIELDS));
            }
        }
    }
    let by_code = |code: &str| attributes.iter().find(|a| a["code"] == code).unwrap();
    assert_eq!(by_code("commune")["datatype"], "singlevaluelist");
    assert_eq!(by_code("commune")["values"].as_array().unwrap().len(), 96);
    assert_eq!(by_code("commune")["required"], true);
    assert_eq!(by_code("probleme")["values"][1]["key"], "clignote");
    assert_eq!(by_code("lieu")["datatype"], "string");
    // Asked only when the answers before it say so: not always required.
    assert_eq!(by_code("danger")["required"], false);
    assert_eq!(by_code("rappel")["values"][0]["key"], "true");

    let (_, definition_xml) = get_xml(&server, "/open311/v2/services/eclairage-public.xml").await;
    assert_eq!(definition_xml.name, "service_definition");
    assert_eq!(definition_xml.names(), set(DEFINITION_FIELDS));
    let attributes_xml = &definition_xml.child("attributes").children;
    assert_eq!(attributes_xml.len(), attributes.len());
    assert_eq!(attributes_xml[2].child("code").text, "probleme");
    assert_eq!(
        attributes_xml[2].child("values").children[0].names(),
        set(VALUE_FIELDS)
    );

    // Not a report, or not a flow: the specification's error list, 404.
    for code in ["salle-des-fetes", "inconnu"] {
        let (status, errors) =
            get_json(&server, &format!("/open311/v2/services/{code}.json")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(keys(&errors[0]), set(ERROR_FIELDS));
        assert_eq!(errors[0]["code"], 404);
    }

    let (_, discovery) = get_json(&server, "/open311/v2/discovery.json").await;
    assert_eq!(keys(&discovery), set(DISCOVERY_FIELDS));
    assert_eq!(keys(&discovery["endpoints"][0]), set(ENDPOINT_FIELDS));
    assert_eq!(discovery["endpoints"][0]["url"], server.url("/open311/v2"));
    let (_, discovery_xml) = get_xml(&server, "/open311/v2/discovery.xml").await;
    assert_eq!(discovery_xml.names(), set(DISCOVERY_FIELDS));
    let formats = &discovery_xml.child("endpoints").children[0].child("formats");
    assert_eq!(formats.children.len(), 2);
}

#[tokio::test]
async fn a_posted_report_lands_in_the_inbox_and_its_status_is_public() {
    let server = Server::start_with_shipped_flows().await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_user(
        "agent@example.org",
        Role::Agent,
        &["voirie"],
        "mot de passe sûr 1",
    );
    let key = api_key(&server, "Portail de Duisans");

    let (status, body) = post(
        &server,
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "eclairage-public"),
            ("address_id", "62279"),
            ("address_string", "devant la salle des fêtes"),
            ("lat", "50.3061"),
            ("long", "2.6811"),
            ("attribute[probleme]", "clignote"),
            ("attribute[rappel]", "true"),
            ("phone", PHONE_SPACED),
            ("email", EMAIL),
            ("first_name", "Marie"),
            ("last_name", NAME),
            ("description", "Depuis trois jours."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let posted: Value = serde_json::from_str(&body).unwrap();
    let fields = keys(&posted[0]);
    assert!(fields.is_superset(&set(POSTED_FIELDS)), "{posted}");
    let id = posted[0]["service_request_id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = posted[0]["token"].as_str().unwrap().to_string();

    // The token gives the request.
    let (status, tokens) = get_json(&server, &format!("/open311/v2/tokens/{token}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&tokens[0]), set(TOKEN_FIELDS));
    assert_eq!(tokens[0]["service_request_id"], id.as_str());

    // In the agents' inbox, among the kiosks' requests, from the client.
    let mut web = Web::logged_in(&server, "agent@example.org", "mot de passe sûr 1").await;
    let inbox = web.get("/demandes").await;
    assert!(inbox.body.contains(&id), "{}", inbox.body);
    assert!(inbox.body.contains("Open311 : Portail de Duisans"));

    // Public: the place, the commune, the position given, the problem; not the person.
    let (status, request) = get_json(&server, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&request[0]), set(REQUEST_FIELDS));
    assert_eq!(request[0]["status"], "open");
    assert_eq!(request[0]["address"], "devant la salle des fêtes, Duisans");
    assert_eq!(request[0]["address_id"], "62279");
    assert_eq!(request[0]["zipcode"], "62161");
    assert_eq!(request[0]["lat"], 50.3061);
    assert_eq!(
        request[0]["description"],
        "Problème : Il clignote ; Être rappelé : Oui"
    );
    assert_eq!(request[0]["agency_responsible"], "Voirie et éclairage");

    // An agent closes it: the status and the note are public.
    let db = server.data_dir().open_db().unwrap();
    assert!(db
        .with(|c| submissions::set_status(
            c,
            &id,
            RequestStatus::Traite,
            Some("Lampe changée."),
            "cli",
            &db::now()
        ))
        .unwrap());
    let (_, closed) = get_json(&server, "/open311/v2/requests.json?status=closed").await;
    assert_eq!(closed.as_array().unwrap().len(), 1);
    assert_eq!(closed[0]["service_request_id"], id.as_str());
    assert_eq!(closed[0]["status_notes"], "Lampe changée.");
    let (_, open) = get_json(&server, "/open311/v2/requests.json?status=open").await;
    assert_eq!(open.as_array().unwrap().len(), 0);
    let (_, by_xml) = get_xml(&server, &format!("/open311/v2/requests/{id}.xml")).await;
    assert_eq!(by_xml.name, "service_requests");
    let request_xml = &by_xml.children[0];
    assert_eq!(request_xml.name, "request");
    assert_eq!(request_xml.names(), set(REQUEST_FIELDS));
    assert_eq!(request_xml.child("status").text, "closed");
    assert_eq!(request_xml.child("status_notes").text, "Lampe changée.");
}

#[tokio::test]
async fn no_personal_answer_is_ever_public() {
    let server = Server::start_with_shipped_flows().await;
    let kiosk = server.kiosk("Mairie de Duisans").await;
    let mut receipts = Vec::new();
    for (problem, label) in [
        ("eteint", "Il ne s'allume plus"),
        ("jour", "Il reste allumé le jour"),
    ] {
        receipts.push(kiosk_submits(&server, &kiosk, &kiosk_report(problem, label)).await);
    }
    // A request that is not a report (a call back) is never listed.
    let callback = json!({"flow_id": "rappel", "flow_version": 2, "service": "mediation-numerique",
        "answers": [{"step_id": "telephone", "label": "Téléphone", "value": PHONE,
                     "display": PHONE_SPACED}]});
    let hidden = kiosk_submits(&server, &kiosk, &callback).await;
    let key = api_key(&server, "Application");
    let (status, body) = post(
        &server,
        "/open311/v2/requests.xml",
        &[
            ("api_key", key.as_str()),
            ("service_code", "depot-sauvage"),
            ("address_id", "62279"),
            ("address_string", "chemin du Bois"),
            ("email", EMAIL),
            ("phone", PHONE),
            ("first_name", "Marie"),
            ("last_name", NAME),
            ("attribute[dechets]", "gravats"),
            ("attribute[rappel]", "true"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let posted = xml(&body);
    assert_eq!(posted.name, "service_requests");
    assert!(posted.children[0].names().is_superset(&set(POSTED_FIELDS)));

    let (_, all) = get_json(&server, "/open311/v2/requests.json").await;
    let listed: BTreeSet<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["service_request_id"].as_str().unwrap())
        .collect();
    for receipt in &receipts {
        assert!(listed.contains(receipt.as_str()), "{receipt} in {all}");
    }
    assert!(
        !listed.contains(hidden.as_str()),
        "a call-back is not a report"
    );
    assert_eq!(listed.len(), 3);
    let kiosk_one = all
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["service_request_id"] == receipts[0].as_str())
        .unwrap();
    assert_eq!(kiosk_one["address"], "devant le 3 rue Haute, Duisans");
    assert_eq!(
        kiosk_one["lat"],
        Value::Null,
        "the shipped communes have no centre"
    );

    let (_, _, json_text) = get(&server, "/open311/v2/requests.json").await;
    let (_, _, xml_text) = get(&server, "/open311/v2/requests.xml").await;
    let (_, _, one_text) = get(&server, &format!("/open311/v2/requests/{hidden}.json")).await;
    for text in [&json_text, &xml_text, &one_text] {
        for personal in [PHONE, PHONE_SPACED, EMAIL, NAME, "Marie"] {
            assert!(!text.contains(personal), "{personal} in {text}");
        }
    }
}

#[tokio::test]
async fn errors_are_the_specifications_list_with_the_right_status() {
    let server = Server::start_with_shipped_flows().await;
    let key = api_key(&server, "Portail");
    let report = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, &'static str)> {
        let mut form = vec![
            ("service_code", "eclairage-public"),
            ("address_id", "62279"),
            ("address_string", "rue Haute"),
            ("attribute[rappel]", "false"),
        ];
        form.extend_from_slice(extra);
        form
    };
    let expect = |status: StatusCode, body: &str, wanted: StatusCode, says: &str| {
        assert_eq!(status, wanted, "{body}");
        let errors: Value = serde_json::from_str(body).unwrap();
        let errors = errors.as_array().unwrap();
        assert!(!errors.is_empty());
        for error in errors {
            assert_eq!(keys(error), set(ERROR_FIELDS));
            assert_eq!(error["code"], wanted.as_u16());
        }
        assert!(
            errors
                .iter()
                .any(|e| e["description"].as_str().unwrap().contains(says)),
            "{says} in {body}"
        );
    };

    // No api_key, a wrong one.
    let (status, body) = post(&server, "/open311/v2/requests.json", &report(&[])).await;
    expect(status, &body, StatusCode::FORBIDDEN, "api_key");
    let wrong = "x".repeat(43);
    let mut wrong_key = report(&[("attribute[probleme]", "eteint")]);
    wrong_key.push(("api_key", "x"));
    let (status, body) = post(&server, "/open311/v2/requests.json", &wrong_key).await;
    expect(status, &body, StatusCode::FORBIDDEN, "api_key");
    let mut wrong_key: Vec<(&str, &str)> = report(&[("attribute[probleme]", "eteint")]);
    wrong_key.push(("api_key", wrong.as_str()));
    let (status, body) = post(&server, "/open311/v2/requests.json", &wrong_key).await;
    expect(status, &body, StatusCode::FORBIDDEN, "api_key");

    // A missing required attribute, a value not offered.
    let mut missing = report(&[]);
    missing.push(("api_key", key.as_str()));
    let (status, body) = post(&server, "/open311/v2/requests.json", &missing).await;
    expect(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "attribute[probleme]",
    );
    let mut bad = report(&[("attribute[probleme]", "explose")]);
    bad.push(("api_key", key.as_str()));
    let (status, body) = post(&server, "/open311/v2/requests.json", &bad).await;
    expect(status, &body, StatusCode::BAD_REQUEST, "« explose »");

    // A danger now: the flow sends nothing and says to call the 112.
    let mut danger = report(&[
        ("attribute[probleme]", "abime"),
        ("attribute[danger]", "true"),
    ]);
    danger.push(("api_key", key.as_str()));
    let (status, body) = post(&server, "/open311/v2/requests.json", &danger).await;
    expect(status, &body, StatusCode::BAD_REQUEST, "112");

    // No place at all.
    let (status, body) = post(
        &server,
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "eclairage-public"),
            ("attribute[probleme]", "eteint"),
        ],
    )
    .await;
    expect(status, &body, StatusCode::BAD_REQUEST, "lieu");

    // An unknown service, a service that is not a report.
    for code in ["inconnu", "salle-des-fetes"] {
        let (status, body) = post(
            &server,
            "/open311/v2/requests.json",
            &[
                ("api_key", key.as_str()),
                ("service_code", code),
                ("address_id", "62279"),
            ],
        )
        .await;
        expect(status, &body, StatusCode::NOT_FOUND, code);
    }

    // Bad dates and statuses, another jurisdiction, unknown ids and tokens.
    for (path, wanted, says) in [
        ("/open311/v2/requests.json?start_date=hier", StatusCode::BAD_REQUEST, "start_date"),
        (
            "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z",
            StatusCode::BAD_REQUEST,
            "90 jours",
        ),
        ("/open311/v2/requests.json?status=ferme", StatusCode::BAD_REQUEST, "status"),
        (
            "/open311/v2/services.json?jurisdiction_id=paris",
            StatusCode::NOT_FOUND,
            "jurisdiction_id",
        ),
        ("/open311/v2/requests/AB3-7KQ.json", StatusCode::NOT_FOUND, "AB3-7KQ"),
        ("/open311/v2/tokens/nope.json", StatusCode::NOT_FOUND, "token"),
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        expect(status, &body, wanted, says);
    }

    // In XML, the same list.
    let (status, body) = post(&server, "/open311/v2/requests.xml", &report(&[])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let errors = xml(&body);
    assert_eq!(errors.name, "errors");
    assert_eq!(errors.children[0].name, "error");
    assert_eq!(errors.children[0].names(), set(ERROR_FIELDS));
    assert_eq!(errors.children[0].child("code").text, "403");

    // A revoked key is refused at once; nothing was stored by any refusal.
    let db = server.data_dir().open_db().unwrap();
    db.with(|c| open311::revoke_client(c, "Portail", &db::now()))
        .unwrap();
    let mut good = report(&[("attribute[probleme]", "eteint")]);
    good.push(("api_key", key.as_str()));
    let (status, body) = post(&server, "/open311/v2/requests.json", &good).await;
    expect(status, &body, StatusCode::FORBIDDEN, "api_key");
    assert_eq!(server.count("submissions"), 0);
}

#[tokio::test]
async fn administrators_issue_and_revoke_keys_on_their_page() {
    let server = Server::start_with_shipped_flows().await;
    server.add_service("voirie", "Voirie et éclairage", None, None);
    server.add_user("admin@example.org", Role::Admin, &[], "mot de passe sûr 1");
    server.add_user(
        "agent@example.org",
        Role::Agent,
        &["voirie"],
        "mot de passe sûr 2",
    );
    let mut agent = Web::logged_in(&server, "agent@example.org", "mot de passe sûr 2").await;
    assert_eq!(
        agent.get("/admin/open311").await.status,
        StatusCode::NOT_FOUND
    );

    let mut admin = Web::logged_in(&server, "admin@example.org", "mot de passe sûr 1").await;
    let csrf = admin.csrf("/admin/open311").await;
    let empty = admin
        .post("/admin/open311", &[("csrf", &csrf), ("name", " ")])
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        empty.body.contains("Le nom du client Open311 est vide"),
        "{}",
        empty.body
    );
    let added = admin
        .post(
            "/admin/open311",
            &[("csrf", &csrf), ("name", "Site de Duisans")],
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    let start = added.body.find("class=\"secret\">").unwrap() + "class=\"secret\">".len();
    let key = &added.body[start..start + 43];
    let report = |key: &str| {
        vec![
            ("api_key".to_string(), key.to_string()),
            ("service_code".into(), "voirie".into()),
            ("address_id".into(), "62279".into()),
            ("address_string".into(), "rue Haute".into()),
        ]
    };
    let form: Vec<(String, String)> = report(key);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, body) = post(&server, "/open311/v2/requests.json", &pairs).await;
    // The key works: what is refused now is the form, not the key.
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let list = admin.get("/admin/open311").await;
    assert!(list.body.contains("Site de Duisans"));
    assert!(!list.body.contains(key), "a key is shown once");
    let client = {
        let db = server.data_dir().open_db().unwrap();
        db.with(|c| open311::clients(c)).unwrap().remove(0)
    };
    let revoked = admin
        .post(
            &format!("/admin/open311/{}/revoquer", client.id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(revoked.location(), Some("/admin/open311?fait=revoquee"));
    let (status, _) = post(&server, "/open311/v2/requests.json", &pairs).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A client is not a kiosk: not on the kiosks' page.
    assert!(!admin
        .get("/admin/bornes")
        .await
        .body
        .contains("Site de Duisans"));
}
