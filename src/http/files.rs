//! `GET /files/{revisionId}`: a document revision's bytes, streamed from
//! the file store, with the bearer token of `/graphql`, or with the
//! short-lived signed link a revision's `url` gives
//! (`?workspace=…&expires=…&signature=…`). Either way the revision's record must be
//! live. Files are always served as attachments, never rendered on the
//! API's origin (an uploaded HTML page must not run as the API).

use std::collections::HashMap;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use rapport_core::ops::document::{self, Held};
use uuid::Uuid;

use crate::export::http::{bearer, refusal};
use crate::graphql::error::{ApiError, ApiResult, CoreError};
use crate::graphql::ids::{self, Kind};
use crate::state::AppState;

/// The file route, merged into the server's router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/files/{id}", get(file))
}

async fn file(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    match serve(&state, &id, &params, &headers).await {
        Ok(response) => response,
        Err(error) => refusal(error),
    }
}

async fn serve(
    state: &AppState,
    id: &str,
    params: &HashMap<String, String>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let missing = || ApiError(CoreError::NotFound("document revision"));
    let revision_id = match ids::decode_any(id) {
        Some((Kind::DocumentRevision, uuid)) => uuid,
        _ => return Err(missing()),
    };
    let held = match params.get("signature") {
        Some(signature) => signed(state, revision_id, params, signature).await?,
        None => {
            let actor = bearer(state, headers).await?;
            document::readable_revision(&state.db, actor.workspace_id, revision_id, Some(&actor))
                .await?
        }
    };
    let revision = held.revision;
    let stream = state.core.files.get(&revision.storage_key).await?;
    let mut response = Body::from_stream(stream).into_response();
    let out = response.headers_mut();
    let typed = HeaderValue::from_str(&revision.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    out.insert(header::CONTENT_TYPE, typed);
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(revision.size));
    if let Ok(value) = HeaderValue::from_str(&attachment(&revision.file_name)) {
        out.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("\"{}\"", revision.sha256)) {
        out.insert(header::ETAG, value);
    }
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    Ok(response)
}

/// The revision a signed link names: its signature must hold for the
/// revision's workspace and its time must not have passed. Any failure is
/// `UNAUTHENTICATED` alike, so a link says nothing about other revisions.
async fn signed(
    state: &AppState,
    revision_id: Uuid,
    params: &HashMap<String, String>,
    signature: &str,
) -> ApiResult<Held> {
    let refused = || ApiError(CoreError::Unauthenticated);
    let expires: i64 = params
        .get("expires")
        .and_then(|e| e.parse().ok())
        .ok_or_else(refused)?;
    // The workspace the link names, which the signature covers: a link
    // read by one workspace's node on Citus. A link without it (handed out
    // before links named it) is looked up in every workspace.
    let workspace_id = match params.get("workspace") {
        Some(named) => named.parse().map_err(|_| refused())?,
        None => document::workspace_of_revision(&state.db, revision_id)
            .await?
            .ok_or_else(refused)?,
    };
    if !state
        .keys
        .verify_file_link(workspace_id, revision_id, expires, signature)
    {
        return Err(refused());
    }
    // A link is handed out with a record its reader sees: it reads as the
    // record's documents did then.
    Ok(document::readable_revision(&state.db, workspace_id, revision_id, None).await?)
}

/// `Content-Disposition` for `name`: an ASCII fallback and the UTF-8 name
/// (RFC 6266, RFC 8187).
fn attachment(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '_',
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::attachment;

    #[test]
    fn a_file_name_is_quoted_and_encoded() {
        assert_eq!(
            attachment("Offer \"v2\" für Zoë.pdf"),
            "attachment; filename=\"Offer _v2_ f_r Zo_.pdf\"; filename*=UTF-8''Offer%20%22v2%22%20f%C3%BCr%20Zo%C3%AB.pdf"
        );
    }
}
