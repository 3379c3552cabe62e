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
