//! The whole OpenAPI document against a reviewed snapshot, so an API change is always seen in
//! review. After an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p chibo-web --test openapi`.

use std::path::PathBuf;

#[test]
fn openapi_document_matches_the_snapshot() {
    let doc = serde_json::to_string_pretty(chibo_web::api::openapi()).unwrap() + "\n";
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(&path, &doc).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        doc == expected,
        "the OpenAPI document differs from {}; review the change and run UPDATE_SNAPSHOTS=1 cargo test -p chibo-web --test openapi",
        path.display()
    );
}

/// The document's contract, whatever the snapshot: each operation named once, parameters where
/// they are sent, and the errors each operation may answer documented.
#[test]
fn the_document_tells_the_truth_about_parameters_and_errors() {
    let doc = serde_json::to_value(chibo_web::api::openapi()).unwrap();
    let mut ids = std::collections::HashSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(
                ids.insert(id.to_string()),
                "{method} {path}: operation id {id} twice"
            );
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for p in &params {
                let name = p["name"].as_str().unwrap();
                let in_path = path.contains(&format!("{{{name}}}"));
                assert_eq!(
                    p["in"],
                    if in_path { "path" } else { "query" },
                    "{method} {path}: parameter {name}"
                );
            }
            let responses = op["responses"].as_object().unwrap();
            let public = op["security"].as_array().is_some_and(|s| s.is_empty());
            if !public {
                assert!(responses.contains_key("401"), "{method} {path}: no 401");
            }
            // A path's id that is not one is simply not found (404); what the query or the body
            // holds is checked field by field.
            let in_query = params.iter().any(|p| p["in"] == "query");
            if in_query || op.get("requestBody").is_some() {
                assert!(responses.contains_key("422"), "{method} {path}: no 422");
            }
            if method != "get" && !public {
                assert!(responses.contains_key("403"), "{method} {path}: no 403");
            }
        }
    }
    assert!(ids.len() > 150, "{}", ids.len());
}
