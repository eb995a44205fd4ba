//! Every refusal answers in the GraphQL error shape, as JSON, with a code:
//! also those written by layers and extractors that know nothing of GraphQL
//! (the body limit's 413, a method, an unknown path or a bad websocket
//! upgrade refused by axum, a not-ready `/readyz`), which answer `text/plain`
//! on their own. Their text, when short, stays the message.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::answer::refusal;

/// The longest plain-text reason kept as the message (axum's are one line).
const MAX_REASON: usize = 300;

/// Rewrites an error answer that is not JSON as a coded JSON error.
pub async fn as_graphql_errors(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    if is_json(response.headers()) || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let reason = axum::body::to_bytes(body, MAX_REASON)
        .await
        .ok()
        .and_then(|bytes| String::from_utf8(bytes.to_vec()).ok())
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    let (code, message) = code_for(status);
    // The body limit's own text ("length limit exceeded") names no setting.
    let message = match reason {
        Some(reason) if status != StatusCode::PAYLOAD_TOO_LARGE => reason,
        _ => message.to_owned(),
    };
    let mut refused = refusal(status, code, &message);
    // Keep what the original answer told the client besides its body.
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            refused.headers_mut().insert(name, value.clone());
        }
    }
    refused
}

/// The answer to a path no route serves. Set as the router's fallback
/// after the public form routes are merged in outside this layer, which
/// would otherwise leave the fallback unwrapped.
pub async fn unknown_path() -> Response {
    let (code, message) = code_for(StatusCode::NOT_FOUND);
    refusal(StatusCode::NOT_FOUND, code, message)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"))
}

/// The code of a refusal by its status, and the message when the refusal
/// gave none.
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
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "this method is not allowed here"),
        StatusCode::NOT_ACCEPTABLE => (
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        ),
        StatusCode::NOT_FOUND => ("NOT_FOUND", "no such resource"),
        StatusCode::UPGRADE_REQUIRED => ("UPGRADE_REQUIRED", "this connection cannot be upgraded"),
        StatusCode::TOO_MANY_REQUESTS => ("RATE_LIMITED", "too many requests: retry later"),
        StatusCode::SERVICE_UNAVAILABLE => ("UNAVAILABLE", "unavailable: retry shortly"),
        StatusCode::GATEWAY_TIMEOUT | StatusCode::REQUEST_TIMEOUT => {
            ("TIMEOUT", "the request took too long")
        }
        s if s.is_server_error() => ("INTERNAL", "the server could not answer"),
        _ => ("BAD_REQUEST", "the request is malformed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_status_has_a_code() {
        for status in 400..600 {
            let Ok(status) = StatusCode::from_u16(status) else {
                continue;
            };
            let (code, message) = code_for(status);
            assert!(!code.is_empty() && !message.is_empty(), "{status}");
        }
        assert_eq!(code_for(StatusCode::TOO_MANY_REQUESTS).0, "RATE_LIMITED");
    }
}
