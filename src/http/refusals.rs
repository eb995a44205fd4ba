//! Every refusal on `/graphql` answers in the GraphQL error shape, as JSON,
//! with a code: also those written by layers and extractors that know
//! nothing of GraphQL (the body limit's 413, a method or upgrade refused by
//! axum), which answer `text/plain` on their own.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::answer::refusal;

/// Rewrites a plain-text error answer of `/graphql` as a coded JSON error.
pub async fn as_graphql_errors(request: Request<Body>, next: Next) -> Response {
    let graphql = request.uri().path() == "/graphql";
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    if !graphql || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = code_for(status);
    let mut refused = refusal(status, code, message);
    // Keep what the original answer told the client besides its body.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            refused.headers_mut().insert(name, value.clone());
        }
    }
    refused
}

fn code_for(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "PAYLOAD_TOO_LARGE",
            "the body is larger than the server accepts (RAPPORT_MAX_BODY_BYTES)",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
        ),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "use GET or POST"),
        StatusCode::NOT_FOUND => ("NOT_FOUND", "no such resource"),
        s if s.is_server_error() => ("INTERNAL", "the server could not answer"),
        _ => ("BAD_REQUEST", "the request is malformed"),
    }
}
