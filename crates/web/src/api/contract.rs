//! What every operation of the API may answer, written once. The handlers declare their own
//! answers; this completes the document so it tells the truth about errors and names each
//! operation once:
//! - an operation that needs a session or a token may answer 401;
//! - one with an id in its path or its query, 404 (not there, or not in the caller's scope:
//!   the two are indistinguishable on purpose);
//! - one with query parameters or a body, 422 (invalid input, each field with its message);
//! - one that changes something, 403 (in scope to read, not to change);
//!
//! every error with the body `ErrorBody`. An operation id two handlers share (`list`, `get`)
//! becomes the method and the path (`get_units_id_members`), unique by construction.

use std::collections::HashMap;

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

/// The operations of a path with their methods.
fn operations(item: &mut utoipa::openapi::PathItem) -> [(&'static str, &mut Option<Operation>); 5] {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
}

/// `get /api/v1/units/{id}/members` → `get_units_id_members`.
fn id_of(method: &str, path: &str) -> String {
    let words: Vec<String> = path
        .trim_start_matches("/api/v1")
        .split(['/', '-', '.'])
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(['{', '}']).to_string())
        .collect();
    format!("{method}_{}", words.join("_"))
}

fn error(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

/// Completes the document the handlers declared (see the module's doc).
pub fn complete(doc: &mut OpenApi) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations(item) {
            if let Some(id) = op.as_ref().and_then(|o| o.operation_id.clone()) {
                *seen.entry(id).or_default() += 1;
            }
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations(item) {
            let Some(op) = op else { continue };
            if op
                .operation_id
                .as_ref()
                .is_none_or(|id| seen.get(id).copied().unwrap_or(0) > 1)
            {
                op.operation_id = Some(id_of(method, path));
            }
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| {
                params
                    .iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
            };
            let (in_path, in_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
            let signed_in = !op.security.as_ref().is_some_and(|s| s.is_empty());
            let mut add = |code: &str, description: &str| {
                op.responses
                    .responses
                    .entry(code.to_string())
                    .or_insert_with(|| error(description));
            };
            if signed_in {
                add("401", "Not signed in, or the session or token has ended.");
            }
            if in_path || (in_query && signed_in) {
                add("404", "Not there, or not in the caller's scope.");
            }
            if in_query || op.request_body.is_some() {
                add(
                    "422",
                    "Invalid input: `fields` names each field with its message.",
                );
            }
            if method != "get" && signed_in {
                add("403", "In scope to read, but not to change.");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_are_made_of_the_method_and_the_path() {
        assert_eq!(
            super::id_of("get", "/api/v1/units/{id}/members.xlsx"),
            "get_units_id_members_xlsx"
        );
        assert_eq!(
            super::id_of("post", "/api/v1/me/second-factor/enrolment"),
            "post_me_second_factor_enrolment"
        );
    }
}
