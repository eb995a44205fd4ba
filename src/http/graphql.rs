//! GraphQL over HTTP (the GraphQL-over-HTTP spec, audited by `graphql-http`):
//! content negotiation between `application/graphql-response+json` and
//! `application/json`, 400 without `data` for requests that never ran under
//! the former, mutations refused over GET, and only `application/json`
//! request bodies (a form or `text/plain` POST is how CSRF arrives).

use std::time::{Duration, Instant};

use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use tracing::Instrument;

use super::answer::{JSON, MediaType, Outcome, refusal, refused, replayed, respond};
pub use super::call::Call;
use super::{idempotency, persisted};

use crate::clock;

use crate::graphql::exact_numbers::Inexact;
use crate::metrics::Metrics;
use crate::state::AppState;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// `POST /graphql` with a JSON body: one request object, or an array (a batch).
pub async fn post(call: Call, headers: &HeaderMap, body: Bytes) -> Response {
    if !is_json_body(headers) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as Content-Type: application/json",
        );
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body is not JSON",
            );
        }
    };
    let max_batch = call.state.config.max_batch;
    let batch = match value {
        Value::Array(items) if items.is_empty() => {
            return refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the batch is empty");
        }
        Value::Array(items) if items.len() > max_batch => {
            return refusal(
                StatusCode::BAD_REQUEST,
                "BATCH_TOO_LARGE",
                &format!("a batch holds at most {max_batch} operations"),
            );
        }
        Value::Array(items) => {
            let mut requests = Vec::with_capacity(items.len());
            for item in items {
                match prepare(&call.state, item).await {
                    Ok(request) => requests.push(request),
                    Err(unfit) => return unfit.respond(call.media),
                }
            }
            Ok(BatchRequest::Batch(requests))
        }
        other => prepare(&call.state, other).await.map(BatchRequest::Single),
    };
    let batch = match batch {
        Ok(batch) => Inexact::in_json(&body).attach_batch(batch),
        Err(unfit) => return unfit.respond(call.media),
    };
    let operations = match &batch {
        BatchRequest::Single(_) => 1,
        BatchRequest::Batch(requests) => requests.len(),
    };
    if let Some(refused) = call.admit(operations).await {
        return refused;
    }
    let media = call.media;
    let Some(key) = headers.get("idempotency-key") else {
        return respond(media, execute(call, batch).await);
    };
    let Some(actor) = call.actor.clone() else {
        // Without an actor the request cannot run anyway; it says so.
        return respond(media, execute(call, batch).await);
    };
    let key = match idempotency::parse_key(key) {
        Ok(key) => key,
        Err(message) => return refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", message),
    };
    let state = call.state.clone();
    let claim = match idempotency::lookup(&state, &actor, key, &body).await {
        idempotency::Lookup::Run(claim) => claim,
        idempotency::Lookup::Replay(outcome) => return replayed(media, outcome),
        idempotency::Lookup::Refused(outcome) => return respond(media, outcome),
    };
    let outcome = rapport_core::store::claim::scope(claim.clone(), execute(call, batch)).await;
    match idempotency::finish(&state, &claim, outcome).await {
        (outcome, true) => replayed(media, outcome),
        (outcome, false) => respond(media, outcome),
    }
}

/// `application/json`, with no charset or UTF-8.
fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    media.eq_ignore_ascii_case(JSON)
        && parts.all(|p| {
            p.split_once('=').is_none_or(|(name, value)| {
                !name.trim().eq_ignore_ascii_case("charset")
                    || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
        })
}

/// Why a request object cannot run.
pub(super) enum Unfit {
    /// Its parameters are malformed.
    Malformed(String),
    /// The document it names or sends is refused (see [`persisted`]).
    Persisted(persisted::Refusal),
}

impl Unfit {
    /// The answer: 400, except that a persisted document not found is a
    /// 200 under `application/json`, where Apollo clients look for it.
    pub(super) fn respond(self, media: MediaType) -> Response {
        match self {
            Unfit::Malformed(message) => refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message),
            Unfit::Persisted(refused_document) => {
                let status = if refused_document.is_not_found() && media == MediaType::Json {
                    StatusCode::OK
                } else {
                    StatusCode::BAD_REQUEST
                };
                let code = refused_document.code;
                respond(media, refused(status, code, &refused_document.message))
            }
        }
    }
}

/// One request object: the document it names (or sends) resolved through
/// the persisted documents, then its parameters checked.
pub(super) async fn prepare(
    state: &AppState,
    mut value: Value,
) -> Result<async_graphql::Request, Unfit> {
    if let Value::Object(object) = &mut value {
        state
            .documents
            .resolve_json(object)
            .await
            .map_err(Unfit::Persisted)?;
    }
    request_from(value).map_err(Unfit::Malformed)
}

/// One request object, its parameters checked: `query` a string;
/// `operationName` a string or null; `variables` and `extensions` maps or null.
pub(super) fn request_from(value: Value) -> Result<async_graphql::Request, String> {
    let Value::Object(mut object) = value else {
        return Err("a request is a JSON object".into());
    };
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        Some(_) => return Err("query must be a string".into()),
        None => return Err("query is missing".into()),
    };
    let mut request = async_graphql::Request::new(query);
    match object.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err("operationName must be a string".into()),
    }
    match object.remove("variables") {
        None | Some(Value::Null) => {}
        Some(variables @ Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(variables));
        }
        Some(_) => return Err("variables must be a map".into()),
    }
    match object.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extensions)) => {
            for (key, value) in extensions {
                let value = async_graphql::Value::from_json(value)
                    .map_err(|_| "extensions must be a map".to_owned())?;
                request.extensions.insert(key, value);
            }
        }
        Some(_) => return Err("extensions must be a map".into()),
    }
    Ok(request)
}

pub(super) async fn execute(call: Call, batch: BatchRequest) -> Outcome {
    execute_checked(call, batch).await.0
}

/// [`execute`], and whether every operation answered without an error.
pub(super) async fn execute_checked(call: Call, batch: BatchRequest) -> (Outcome, bool) {
    let Call {
        state,
        schema,
        actor,
        refused_credential,
        request_id,
        media,
        address,
        rate_key: _,
        trace_parent,
    } = call;
    let started = Instant::now();
    let batch = match (actor, refused_credential) {
        (Some(actor), _) => batch.data(actor),
        (None, Some(refused)) => batch.data(refused),
        (None, None) => batch,
    };
    let batch = batch.data(crate::graphql::context::ClientAddress(address));
    let span = tracing::info_span!("graphql", request_id = %request_id);
    // Without an exporter there is no OpenTelemetry layer, and nothing to join.
    let _ = span.set_parent(trace_parent);
    let carries_files = batch.iter().any(|request| !request.uploads.is_empty());
    let timeout = Duration::from_millis(if carries_files {
        state.config.upload_timeout_ms
    } else {
        state.config.request_timeout_ms
    });
    let clock = state.config.clock.clone();
    let guarded = crate::graphql::guard::execute_batch(
        &schema,
        batch,
        state.config.max_aliases,
        &state.metrics,
    );
    let executed = tokio::time::timeout(timeout, clock::scope(clock, guarded));
    let executed = tokio::select! {
        executed = executed.instrument(span.clone()) => executed,
        () = cut_off(&state) => {
            span.in_scope(|| tracing::warn!("request cancelled: the server is stopping"));
            return (refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "SHUTTING_DOWN",
                "the server is stopping and cancelled this request: writes it had not committed were rolled back; retry (with the same Idempotency-Key to learn whether one had committed)",
            ), false);
        }
    };
    let Ok(response) = executed else {
        span.in_scope(|| tracing::warn!(?timeout, "request timed out"));
        return (
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                "the request took longer than the server allows; narrow it down",
            ),
            false,
        );
    };
    let responses: Vec<&async_graphql::Response> = match &response {
        BatchResponse::Single(r) => vec![r],
        BatchResponse::Batch(rs) => rs.iter().collect(),
    };
    let errors: usize = responses.iter().map(|r| r.errors.len()).sum();
    for r in &responses {
        Metrics::inc(&state.metrics.graphql_requests);
        if r.is_err() {
            Metrics::inc(&state.metrics.graphql_errors);
        }
    }
    span.in_scope(|| {
        tracing::info!(
            operations = responses.len(),
            errors,
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "graphql"
        );
    });
    let unavailable = responses.iter().any(|r| {
        r.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .is_some_and(|c| *c == async_graphql::Value::from("UNAVAILABLE"))
        })
    });
    let body = match &response {
        BatchResponse::Single(r) => body_of(r),
        BatchResponse::Batch(rs) => {
            let bodies: Vec<String> = rs.iter().map(body_of).collect();
            format!("[{}]", bodies.join(","))
        }
    };
    let status = match &response {
        // The database could not serve: 503 and Retry-After, whatever the
        // media type, so clients and proxies retry instead of reading a 200.
        _ if unavailable => StatusCode::SERVICE_UNAVAILABLE,
        BatchResponse::Single(r)
            if crate::graphql::error::never_ran(r) && media == MediaType::GraphQLResponse =>
        {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::OK,
    };
    (Outcome { status, body }, errors == 0)
}

/// Completes when a request still running must give up because the
/// server is stopping: shortly before the shutdown grace ends, so that the
/// request answers (and its uncommitted writes roll back) before the
/// process exits, instead of its connection being cut mid-write.
async fn cut_off(state: &AppState) {
    state.shutdown.cancelled().await;
    let grace = Duration::from_secs(u64::from(state.config.shutdown_grace_seconds));
    // Leave a quarter of the grace (at most 2 s) to answer and roll back.
    let margin = (grace / 4).min(Duration::from_secs(2));
    tokio::time::sleep(grace.saturating_sub(margin)).await;
}

/// The JSON of one response; one that never ran has no `data` entry.
///
/// Encoded straight from the response rather than through a
/// `serde_json::Value`: for a 10,000-object result that copy of the tree
/// cost as much as the encoding itself. Fields keep the order of the query.
fn body_of(response: &async_graphql::Response) -> String {
    let encoded = if crate::graphql::error::never_ran(response) {
        serde_json::to_string(&json!({ "errors": response.errors }))
    } else {
        serde_json::to_string(response)
    };
    encoded.unwrap_or_else(|_| {
        json!({ "errors": [{ "message": "unencodable response", "extensions": { "code": "INTERNAL" } }] })
            .to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_json_bodies_are_read() {
        let mut headers = HeaderMap::new();
        assert!(!is_json_body(&headers));
        for (value, ok) in [
            ("application/json", true),
            ("application/json; charset=utf-8", true),
            ("application/json; charset=latin1", false),
            ("text/plain", false),
            ("application/x-www-form-urlencoded", false),
            ("multipart/form-data; boundary=x", false),
        ] {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(value));
            assert_eq!(is_json_body(&headers), ok, "{value}");
        }
    }

    #[test]
    fn parameters_are_checked() {
        assert!(request_from(json!({ "query": "{ a }", "variables": null, "operationName": null, "extensions": null })).is_ok());
        assert!(request_from(json!({ "qeury": "{ a }" })).is_err());
        assert!(request_from(json!({ "query": 1 })).is_err());
        assert!(request_from(json!({ "query": "{ a }", "variables": "x" })).is_err());
        assert!(request_from(json!([])).is_err());
    }
}
