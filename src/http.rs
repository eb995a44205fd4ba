//! The HTTP surface around the schema: `/graphql`, health, readiness,
//! metrics, GraphiQL, CORS, body limits and request logging.

use std::time::Instant;

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{FromRequestParts, Request, State, WebSocketUpgrade};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

use crate::app::AppState;
use crate::auth::Actor;
use crate::graphql::RapportSchema;
use crate::metrics::Metrics;

/// The request-id header, set when the client sent none and echoed back.
const REQUEST_ID: &str = "x-request-id";

/// The whole router.
pub fn router(state: AppState, schema: RapportSchema) -> Router {
    let request_id = header::HeaderName::from_static(REQUEST_ID);
    let cors = cors(&state.config.cors_origins);
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(crate::graphiql::routes())
        .layer(Extension(schema))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(cors)
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// CORS for browser apps: `*` allows any origin, otherwise a comma-separated list.
fn cors(origins: &str) -> CorsLayer {
    let allow_origin = if origins.trim() == "*" {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .split(',')
                .filter_map(|o| HeaderValue::from_str(o.trim()).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::HeaderName::from_static(REQUEST_ID)])
        .max_age(std::time::Duration::from_secs(600))
}

/// The actor of a request, from `Authorization: Bearer <token>`. An invalid
/// token is logged and treated as none, so data fields answer UNAUTHENTICATED.
fn actor_from(state: &AppState, headers: &HeaderMap) -> Option<Actor> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?
        .trim();
    match state.keys.verify(token) {
        Ok(claims) => Some(claims.into()),
        Err(reason) => {
            tracing::info!(%reason, "refused bearer token");
            None
        }
    }
}

/// `GET /graphql`: a websocket upgrade for subscriptions, else a query in the URL.
async fn graphql_get(State(state): State<AppState>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let wants_websocket = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if !wants_websocket {
        return graphql.call(Request::from_parts(parts, body), state).await;
    }
    let Some(schema) = parts.extensions.get::<RapportSchema>().cloned() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => crate::ws::upgrade(upgrade, state, schema),
        Err(rejection) => rejection.into_response(),
    }
}

async fn graphql(
    State(state): State<AppState>,
    Extension(schema): Extension<RapportSchema>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse {
    let started = Instant::now();
    let mut request = request.into_inner();
    let operation = request.operation_name.clone().unwrap_or_default();
    if let Some(actor) = actor_from(&state, &headers) {
        request = request.data(actor);
    }
    let response = schema.execute(request).await;
    Metrics::inc(&state.metrics.graphql_requests);
    if response.is_err() {
        Metrics::inc(&state.metrics.graphql_errors);
    }
    let id = request_id
        .and_then(|Extension(id)| id.header_value().to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    tracing::info!(
        request_id = %id,
        operation = %operation,
        errors = response.errors.len(),
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql"
    );
    response.into()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers and the event bus is connected (a
/// process cut off from Redis would serve stale subscriptions).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if let Err(e) = state.db.ping().await {
        tracing::warn!(error = %e, "database unreachable");
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable");
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
