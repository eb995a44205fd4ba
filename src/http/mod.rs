//! The HTTP surface around the schema: `/graphql`, health, readiness,
//! metrics, GraphiQL, CORS, body limits and request logging.

mod answer;
mod call;
pub mod client_address;
mod files;
mod form;
mod get;
mod graphql;
mod idempotency;
mod operator;
pub mod persisted;
pub mod rate_limit;
mod refusals;
mod upload;

pub use client_address::{ForwardedHeader, TrustedProxies};

pub use idempotency::prune as prune_idempotency_keys;
pub use rate_limit::RateLimiter;

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Query, Request, State, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

use crate::auth::{Actor, Refused};
use crate::graphql::RapportSchema;
use crate::state::AppState;

/// Longest `/readyz` takes to answer.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(800);

/// The request-id header, set when the client sent none and echoed back.
const REQUEST_ID: &str = "x-request-id";

/// The whole router.
pub fn router(state: AppState, schema: RapportSchema) -> Router {
    let request_id = header::HeaderName::from_static(REQUEST_ID);
    let cors = cors(&state.config.cors_origins, &state.config.cors_headers);
    // Room for an upload and its request: a JSON body is held to its own,
    // smaller limit as it is read (`graphql_post`), an upload's file to the
    // import limit as it streams (`upload`), which answers first.
    let import_limit = usize::try_from(upload::upload_limit(&state.config)).unwrap_or(usize::MAX);
    let body_limit = import_limit.saturating_add(state.config.max_body_bytes);
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::graphiql::routes())
        .merge(crate::board::routes())
        .merge(crate::export::http::routes())
        .merge(files::routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            operator::recognise,
        ))
        .layer(Extension(schema))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(axum::middleware::from_fn(refusals::as_graphql_errors))
        .layer(cors)
        // Public web forms: outside the API's CORS (each form allows its
        // own origins), body limit (they cap their own, far smaller) and
        // GraphQL-shaped refusals.
        .merge(form::routes())
        .fallback(refusals::unknown_path)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Request headers browsers may send cross-origin besides `extra`: the
/// credential, the body type, the idempotency key, W3C trace context and
/// baggage, Sentry's trace, a request id, and the client identification and
/// CSRF-prevention headers Apollo clients add.
const CORS_HEADERS: [&str; 11] = [
    "authorization",
    "content-type",
    "idempotency-key",
    "traceparent",
    "tracestate",
    "baggage",
    "sentry-trace",
    "x-request-id",
    "apollographql-client-name",
    "apollographql-client-version",
    "apollo-require-preflight",
];

/// CORS for browser apps: `*` allows any origin, otherwise a comma-separated
/// list; `extra` adds request headers (comma-separated) to [`CORS_HEADERS`].
fn cors(origins: &str, extra: &str) -> CorsLayer {
    let allow_origin = if origins.trim() == "*" {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .split(',')
                .filter_map(|o| HeaderValue::from_str(o.trim()).ok()),
        )
    };
    let headers: Vec<header::HeaderName> = CORS_HEADERS
        .into_iter()
        .chain(extra.split(',').map(str::trim).filter(|h| !h.is_empty()))
        .filter_map(|h| header::HeaderName::from_bytes(h.as_bytes()).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(headers)
        // Response headers a browser client may read besides the safelisted
        // ones: the request id, when to retry a 429 or 503, and whether an
        // idempotent request was replayed.
        .expose_headers([
            header::HeaderName::from_static(REQUEST_ID),
            header::RETRY_AFTER,
            header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(std::time::Duration::from_secs(600))
}

/// The actor of a request, from `Authorization: Bearer <token or API key>`:
/// `None` without one. A refused credential is not refused here, since
/// fields that need no actor (`login`) still run: fields that need one
/// answer UNAUTHENTICATED with the reason. A database that cannot be asked
/// is an error.
async fn actor_from(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Result<Actor, Refused>>, sea_orm::DbErr> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    state.authenticate(value).await.map(Some)
}

/// `GET /graphql`: a websocket upgrade for subscriptions, else a query in the URL.
async fn graphql_get(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, _) = request.into_parts();
    let Some(schema) = parts.extensions.get::<RapportSchema>().cloned() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let wants_websocket = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if wants_websocket {
        let address = client_address_of(&state, &parts.headers, &parts.extensions);
        return match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
            Ok(upgrade) => crate::ws::upgrade(upgrade, state, schema, address),
            Err(rejection) => rejection.into_response(),
        };
    }
    let params = match Query::<HashMap<String, String>>::try_from_uri(&parts.uri) {
        Ok(Query(params)) => params,
        Err(_) => {
            return answer::refusal(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "malformed query string",
            );
        }
    };
    match call(state, schema, &parts.headers, &parts.extensions).await {
        Ok(call) => get::get(call, &parts.headers, params).await,
        Err(refused) => *refused,
    }
}

/// `POST /graphql`.
async fn graphql_post(
    State(state): State<AppState>,
    Extension(schema): Extension<RapportSchema>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let call = match call(state, schema, &parts.headers, &parts.extensions).await {
        Ok(call) => call,
        Err(refused) => return *refused,
    };
    if upload::is_multipart(&parts.headers) {
        return upload::post(call, &parts.headers, body).await;
    }
    let limit = call.state.config.max_body_bytes;
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(body) => body,
        Err(_) => {
            return answer::refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the body is larger than {limit} bytes"),
            );
        }
    };
    graphql::post(call, &parts.headers, body).await
}

/// The request's actor, id, client address and response type; 406 when the
/// client accepts no type we write.
async fn call(
    state: AppState,
    schema: RapportSchema,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Result<graphql::Call, Box<Response>> {
    let Some(media) = answer::negotiate(headers) else {
        return Err(Box::new(answer::refusal(
            StatusCode::NOT_ACCEPTABLE,
            "NOT_ACCEPTABLE",
            "accept application/graphql-response+json or application/json",
        )));
    };
    let (actor, refused) = match actor_from(&state, headers).await {
        Ok(None) => (None, None),
        Ok(Some(Ok(actor))) => (Some(actor), None),
        Ok(Some(Err(refused))) => (None, Some(refused)),
        Err(error) => {
            tracing::warn!(%error, "credential could not be checked");
            return Err(Box::new(answer::refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "the database is unavailable: retry shortly",
            )));
        }
    };
    let address = client_address_of(&state, headers, extensions);
    // Operations are counted once the body is read (`rate_limit::admit`).
    let rate_key = match (&actor, address) {
        (Some(actor), _) => format!("member:{}", actor.member_id),
        (None, Some(address)) => format!("address:{address}"),
        (None, None) => "address:unknown".to_owned(),
    };
    let request_id = extensions
        .get::<RequestId>()
        .and_then(|id| id.header_value().to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Ok(graphql::Call {
        actor,
        refused_credential: refused,
        state,
        schema,
        request_id,
        media,
        address,
        rate_key,
        trace_parent: crate::telemetry::parent_from_headers(headers),
    })
}

/// The client's address: the TCP peer, or what a trusted proxy forwarded.
fn client_address_of(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> Option<std::net::IpAddr> {
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| *peer);
    client_address::client_address(&state.trusted_proxies, peer, headers)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and the event bus is connected (a
/// process cut off from Redis would serve stale subscriptions).
///
/// It answers within [`READY_WITHIN`] whatever the database does: a ping
/// that has not answered by then counts as unreachable.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match tokio::time::timeout(READY_WITHIN, state.db.ping()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "database unreachable");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable");
        }
        Err(_) => {
            tracing::warn!(?READY_WITHIN, "database did not answer the readiness ping");
            return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable");
        }
    }
    if !state.bus.is_ready() {
        return (StatusCode::SERVICE_UNAVAILABLE, "event bus unreachable");
    }
    (StatusCode::OK, "ready")
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
