//! What `/graphql` answers outside a GraphQL result: the negotiated media
//! type, refusals in the GraphQL error shape with a code, and the outcome
//! of a request as stored for idempotent replays.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const JSON: &str = "application/json";

/// The media type a response is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: HTTP status codes follow the outcome.
    GraphQLResponse,
    /// `application/json`: the legacy type, where GraphQL errors answer 200.
    Json,
}

impl MediaType {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// The media type the client accepts; `None` when it accepts neither.
/// No `Accept` header means `application/json`, as the spec asks.
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT) else {
        return Some(MediaType::Json);
    };
    let accept = accept.to_str().ok()?;
    let types: Vec<String> = accept
        .split(',')
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if types.iter().any(|t| t == GRAPHQL_RESPONSE_JSON) {
        Some(MediaType::GraphQLResponse)
    } else if types
        .iter()
        .any(|t| t == JSON || t == "*/*" || t == "application/*")
    {
        Some(MediaType::Json)
    } else {
        None
    }
}

/// An HTTP-level refusal, with a GraphQL-shaped body and a code.
pub fn refusal(status: StatusCode, code: &str, message: &str) -> Response {
    respond(MediaType::Json, refused(status, code, message))
}

/// A refusal as an [`Outcome`].
pub fn refused(status: StatusCode, code: &str, message: &str) -> Outcome {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    Outcome {
        status,
        body: body.to_string(),
    }
}

/// What a GraphQL request over HTTP answered: kept as is for idempotent replays.
pub struct Outcome {
    pub status: StatusCode,
    pub body: String,
}

/// The HTTP response of an outcome, in the negotiated media type. A 503
/// (timeout, database unavailable) tells the client when to retry.
pub fn respond(media: MediaType, outcome: Outcome) -> Response {
    let mut response = (
        outcome.status,
        [(header::CONTENT_TYPE, media.content_type())],
        outcome.body,
    )
        .into_response();
    if outcome.status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS));
    }
    response
}

/// What a 503 advises: the database or the server is expected back soon.
const RETRY_AFTER_SECONDS: u64 = 1;

/// The refusal for a database error outside GraphQL execution: 503
/// `UNAVAILABLE` when the database cannot serve, else `otherwise()`.
pub fn unavailable_or(error: &sea_orm::DbErr, otherwise: fn() -> Outcome) -> Outcome {
    if crate::db::is_unavailable(error) {
        unavailable()
    } else {
        otherwise()
    }
}

/// 503 `UNAVAILABLE`.
pub fn unavailable() -> Outcome {
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        "UNAVAILABLE",
        "the database is unavailable: retry shortly",
    )
}

/// A stored response, marked as replayed.
pub fn replayed(media: MediaType, outcome: Outcome) -> Response {
    let mut response = respond(media, outcome);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn the_response_type_follows_accept() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(negotiate(&accept("*/*")), Some(MediaType::Json));
        assert_eq!(
            negotiate(&accept(
                "application/json, application/graphql-response+json;q=0.9"
            )),
            Some(MediaType::GraphQLResponse)
        );
        assert_eq!(negotiate(&accept("text/html")), None);
    }
}
