//! `GET /export/{type}.csv` and `GET /export/{type}.jsonl`, with the bearer
//! token of `/graphql` and `?filter=<JSON>&orderBy=<JSON>` as the list's
//! arguments. Refusals answer as `/graphql` does: a GraphQL-shaped error
//! with `extensions.code` (and `field` for bad input).

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::TryStreamExt;

use super::{ExportRequest, ExportType, Format};
use crate::auth::Actor;
use crate::graphql::error::{ApiError, CoreError};
use crate::state::AppState;

/// What an unknown export path is told ("… not found").
const UNKNOWN_EXPORT: &str = "export (use /export/TYPE.csv or .jsonl, TYPE one of companies, \
     contacts, deals, tickets, activities, orders, surveyResponses)";

/// The export routes, merged into the server's router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/export/{file}", get(export))
}

async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some((ty, format)) = file
        .rsplit_once('.')
        .and_then(|(ty, ext)| Some((ExportType::parse(ty)?, Format::parse(ext)?)))
    else {
        return refusal(ApiError(CoreError::NotFound(UNKNOWN_EXPORT)));
    };
    let actor = match bearer(&state, &headers).await {
        Ok(actor) => actor,
        Err(refused) => return refusal(refused),
    };
    let request = ExportRequest {
        ty,
        format,
        filter: params.get("filter").cloned(),
        order_by: params.get("orderBy").cloned(),
    };
    let export = match super::prepare(&state.db, &actor, &request) {
        Ok(export) => export,
        Err(error) => return refusal(error),
    };
    let chunks = export.chunks.map_err(|error| {
        // The status line is sent: a failure cuts the body short, which
        // the client sees as an incomplete transfer.
        tracing::warn!(?error, "export stopped");
        std::io::Error::other("the export stopped")
    });
    let disposition = format!(
        "attachment; filename=\"{}.{}\"",
        ty.name(),
        format.extension()
    );
    let mut response = Body::from_stream(chunks).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// The member the `Authorization` header names, or why not.
pub(crate) async fn bearer(state: &AppState, headers: &HeaderMap) -> Result<Actor, ApiError> {
    let credential = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError(CoreError::Unauthenticated))?;
    match state.authenticate(credential).await {
        Ok(Ok(actor)) => Ok(actor),
        Ok(Err(refused)) => Err(ApiError(CoreError::Refused(refused))),
        Err(error) => Err(ApiError::from(error)),
    }
}

/// A refusal as `/graphql` answers one, with the status its code implies
/// (also `/files`).
pub(crate) fn refusal(error: ApiError) -> Response {
    let status = match error.code() {
        "BAD_USER_INPUT" => StatusCode::BAD_REQUEST,
        "UNAUTHENTICATED" => StatusCode::UNAUTHORIZED,
        "FORBIDDEN" => StatusCode::FORBIDDEN,
        "NOT_FOUND" => StatusCode::NOT_FOUND,
        "RATE_LIMITED" => StatusCode::TOO_MANY_REQUESTS,
        "UNAVAILABLE" => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let error: async_graphql::Error = error.into();
    let body = serde_json::json!({
        "errors": [{ "message": error.message, "extensions": error.extensions }]
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}
