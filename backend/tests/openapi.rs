//! `backend/openapi.yaml` describes exactly the routes of `backend::router::ROUTES`.

use std::collections::BTreeSet;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

#[test]
fn openapi_routes_are_the_router_routes() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    assert_eq!(doc["openapi"].as_str(), Some("3.1.0"));
    let paths = doc["paths"].as_mapping().expect("paths");
    let mut documented = BTreeSet::new();
    for (path, item) in paths {
        let path = path.as_str().unwrap();
        for (method, operation) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            if !METHODS.contains(&method) {
                continue;
            }
            documented.insert((method.to_uppercase(), path.to_string()));
            let responses = operation["responses"].as_mapping().expect("responses");
            assert!(!responses.is_empty(), "{method} {path} has no responses");
        }
    }
    let routed: BTreeSet<(String, String)> = backend::router::ROUTES
        .iter()
        .map(|route| (route.method.as_str().to_string(), route.path.to_string()))
        .collect();
    assert_eq!(documented, routed);
}

#[test]
fn every_schema_reference_resolves() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml")).unwrap();
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let pointer = reference.strip_prefix("#/").expect("local reference");
        let mut node = &doc;
        for part in pointer.split('/') {
            node = &node[part];
        }
        assert!(!node.is_null(), "dangling reference {reference}");
    }
}

fn collect_refs(node: &serde_yaml_ng::Value, refs: &mut Vec<String>) {
    match node {
        serde_yaml_ng::Value::Mapping(map) => {
            for (key, value) in map {
                if key.as_str() == Some("$ref") {
                    refs.push(value.as_str().expect("a $ref is a string").to_string());
                } else {
                    collect_refs(value, refs);
                }
            }
        }
        serde_yaml_ng::Value::Sequence(items) => items.iter().for_each(|v| collect_refs(v, refs)),
        _ => {}
    }
}
