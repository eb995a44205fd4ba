//! `GET /graphql`: queries in the URL, for clients and CDNs that cache.
//! Apollo clients send persisted queries this way
//! (`useGETForHashedQueries`): `?extensions={"persistedQuery":…}&variables=…`
//! without the text, so that a CDN can cache the answer by URL. Mutations
//! (and subscriptions) are refused whatever names them.

use std::collections::HashMap;

use async_graphql::BatchRequest;
use async_graphql::parser::types::OperationType;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::answer::{Outcome, refusal, respond};
use super::graphql::{Call, execute_checked, prepare};
use crate::graphql::exact_numbers::Inexact;

/// What a successful answer varies by: a shared cache keeps one copy per
/// credential and media type.
const VARY: &str = "accept, authorization";

/// `GET /graphql?query=…&variables=…`: queries only.
pub async fn get(call: Call, headers: &HeaderMap, params: HashMap<String, String>) -> Response {
    if let Some(refused) = call.admit(1).await {
        return refused;
    }
    let mut object = serde_json::Map::new();
    let inexact = Inexact::in_json(params.get("variables").map_or(&[][..], |v| v.as_bytes()));
    for (key, value) in params {
        let value = match key.as_str() {
            "variables" | "extensions" => match serde_json::from_str(&value) {
                Ok(value) => value,
                Err(_) => {
                    let message = format!("{key} is not JSON");
                    return refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message);
                }
            },
            _ => Value::String(value),
        };
        object.insert(key, value);
    }
    let media = call.media;
    let request = match prepare(&call.state, Value::Object(object)).await {
        Ok(request) => inexact.attach(request),
        Err(unfit) => return unfit.respond(media),
    };
    if is_mutation(&request) {
        let mut response = refusal(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations are sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let max_age = call.state.config.get_max_age_seconds;
    match execute_checked(call, BatchRequest::Single(request)).await {
        (outcome, true) if outcome.status == StatusCode::OK => {
            cacheable(headers, outcome, media, max_age)
        }
        (outcome, _) => {
            let mut response = respond(media, outcome);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
    }
}

/// A successful answer with what caches need: `Cache-Control` (public for
/// `max_age` seconds, or `no-cache` to revalidate every time), `Vary`, and
/// an `ETag`; `304 Not Modified` when the client already holds this answer.
fn cacheable(
    headers: &HeaderMap,
    outcome: Outcome,
    media: super::answer::MediaType,
    max_age: u32,
) -> Response {
    let etag = format!("\"{:x}\"", Sha256::digest(outcome.body.as_bytes()));
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|held| {
            held.split(',')
                .map(|tag| tag.trim().trim_start_matches("W/"))
                .any(|tag| tag == etag || tag == "*")
        });
    let mut response = if unchanged {
        let mut response = Response::new(Body::empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        respond(media, outcome)
    };
    let cache_control = if max_age == 0 {
        "no-cache".to_owned()
    } else {
        format!("public, max-age={max_age}")
    };
    let answer = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, cache_control),
        (header::VARY, VARY.to_owned()),
        (header::ETAG, etag),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            answer.insert(name, value);
        }
    }
    response
}

/// Whether the operation the request would run is a mutation (or a
/// subscription, which GET cannot serve either). Unparsable documents, and
/// documents nested too deep to parse safely, are left to execution, which
/// refuses them.
fn is_mutation(request: &async_graphql::Request) -> bool {
    use crate::graphql::bounds;
    if bounds::nesting(&request.query, bounds::MAX_NESTING) > bounds::MAX_NESTING {
        return false;
    }
    let Some(document) = crate::graphql::parsed::parse(&request.query) else {
        return false;
    };
    let wanted = request.operation_name.as_deref();
    document
        .operations
        .iter()
        .filter(|(name, _)| wanted.is_none() || name.map(|n| n.as_str()) == wanted)
        .any(|(_, operation)| operation.node.ty != OperationType::Query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_refuses_mutations_but_not_queries() {
        let mutation = async_graphql::Request::new("mutation { a }");
        assert!(is_mutation(&mutation));
        let query =
            async_graphql::Request::new("query Q { a } mutation M { b }").operation_name("Q");
        assert!(!is_mutation(&query));
        assert!(!is_mutation(&async_graphql::Request::new("{ a ")));
    }
}
