//! `POST /graphql` as a GraphQL multipart request (fields `operations`,
//! `map`, then the files): how `startImport`, `uploadDocument` and
//! `uploadRevision` receive their file. The body is
//! parsed as it streams in, each file written to an unnamed temporary file
//! (never held in memory), and refused with 413 as soon as it passes the
//! larger of `RAPPORT_MAX_IMPORT_BYTES` and `RAPPORT_MAX_FILE_BYTES`, before
//! any operation runs: nothing is written.

use async_graphql::ParseRequestError;
use async_graphql::http::MultipartOptions;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use futures_util::TryStreamExt;

use super::answer::{refusal, respond};
use super::graphql::{Call, execute};

/// The header an upload carries to prove it was preflighted.
const PREFLIGHT: &str = "apollo-require-preflight";

/// Whether the request is a multipart form (an upload).
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The most bytes a file of an upload may hold: an import's or a document's.
pub fn upload_limit(config: &crate::config::Config) -> u64 {
    config.max_import_bytes.max(config.max_file_bytes)
}

/// Parses the upload and runs its operations.
pub async fn post(call: Call, headers: &HeaderMap, body: Body) -> Response {
    // A browser form can post multipart cross-site without a preflight; a
    // header of our own cannot be added without one (CSRF prevention, as
    // Apollo's): uploads must carry it.
    if !headers.contains_key(PREFLIGHT) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "an upload (multipart/form-data) must carry the header Apollo-Require-Preflight: true",
        );
    }
    if headers.contains_key("idempotency-key") {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "an upload is not replayed: send it without Idempotency-Key (importJobs lists the jobs started)",
        );
    }
    // The larger of the two file limits; each operation holds its own
    // file to its own limit as it reads it.
    let limit = upload_limit(&call.state.config);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let reader = body
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    let options = MultipartOptions::default()
        .max_file_size(usize::try_from(limit).unwrap_or(usize::MAX))
        .max_num_files(1);
    let batch = match async_graphql::http::receive_batch_body(content_type, reader, options).await {
        Ok(batch) => batch,
        Err(ParseRequestError::PayloadTooLarge) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!(
                    "an upload holds at most {limit} bytes (RAPPORT_MAX_IMPORT_BYTES for imports, RAPPORT_MAX_FILE_BYTES for documents)"
                ),
            );
        }
        Err(error) => {
            let message = format!("not a GraphQL multipart request: {error}");
            return refusal(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message);
        }
    };
    let operations = match &batch {
        async_graphql::BatchRequest::Single(_) => 1,
        async_graphql::BatchRequest::Batch(requests) => requests.len(),
    };
    if operations > call.state.config.max_batch {
        return refusal(
            StatusCode::BAD_REQUEST,
            "BATCH_TOO_LARGE",
            &format!(
                "a batch holds at most {} operations",
                call.state.config.max_batch
            ),
        );
    }
    if let Some(refused) = call.admit(operations).await {
        return refused;
    }
    let media = call.media;
    respond(media, execute(call, batch).await)
}
