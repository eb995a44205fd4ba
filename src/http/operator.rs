//! The middleware that recognises the operator credential
//! (`Authorization: Operator <key>`, see [`crate::operator`]) for a request.

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::operator::{check, presented, scope};
use crate::state::AppState;

/// Runs the request with the operator rights its credential shows.
pub async fn recognise(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let verdict = check(state.config.operator_key.as_ref(), presented(authorization));
    scope(verdict, next.run(request)).await
}
