//! The API's reference as a page, and the OpenAPI document it is made from.

use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::PageError;
use crate::render::render;

#[derive(Template)]
#[template(path = "api_docs.html")]
struct ApiDocsPage {
    endpoints: Vec<DocEndpoint>,
}

struct DocEndpoint {
    method: String,
    path: String,
    summary: String,
    description: String,
    tag: String,
    params: Vec<String>,
    body: Option<String>,
    responses: Vec<String>,
}

/// A readable page of the API, made from the OpenAPI document (no third-party viewer, so it
/// works without internet).
pub async fn api_docs() -> Result<Response, PageError> {
    let doc = crate::api::openapi();
    let mut endpoints = Vec::new();
    for (path, item) in doc.paths.paths.iter() {
        let ops = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("DELETE", &item.delete),
            ("PATCH", &item.patch),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let params = op
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    utoipa::openapi::RefOr::T(p) => Some(format!(
                        "{} ({})",
                        p.name,
                        serde_json::to_value(&p.parameter_in)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default()
                    )),
                    utoipa::openapi::RefOr::Ref(_) => None,
                })
                .collect();
            let body = op.request_body.as_ref().and_then(|b| {
                let utoipa::openapi::RefOr::T(b) = b else {
                    return None;
                };
                b.content
                    .values()
                    .next()
                    .and_then(|c| match c {
                        utoipa::openapi::RefOr::T(c) => c.schema.as_ref(),
                        utoipa::openapi::RefOr::Ref(_) => None,
                    })
                    .map(|s| match s {
                        utoipa::openapi::RefOr::Ref(r) => {
                            r.ref_location.rsplit('/').next().unwrap_or("").to_string()
                        }
                        _ => "JSON".to_string(),
                    })
            });
            let responses = op.responses.responses.keys().cloned().collect();
            endpoints.push(DocEndpoint {
                method: method.to_string(),
                path: path.clone(),
                summary: op.summary.clone().unwrap_or_default(),
                description: op.description.clone().unwrap_or_default(),
                tag: op
                    .tags
                    .as_ref()
                    .and_then(|t| t.first().cloned())
                    .unwrap_or_default(),
                params,
                body,
                responses,
            });
        }
    }
    endpoints.sort_by_key(|a| (a.tag.clone(), a.path.clone()));
    render(&ApiDocsPage { endpoints })
}

pub async fn openapi_json() -> Response {
    let mut res = axum::Json(crate::api::openapi()).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}
