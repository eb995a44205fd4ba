//! Files compiled into the binary and served by name: GraphiQL's assets
//! and the live board's, so both pages work with no internet access.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// An embedded file: its name in the URL, its content type, its bytes.
pub type Asset = (&'static str, &'static str, &'static [u8]);

/// The content type and bytes of the asset named `file`.
pub fn find(assets: &[Asset], file: &str) -> Option<(&'static str, &'static [u8])> {
    assets
        .iter()
        .find(|(name, _, _)| *name == file)
        .map(|(_, content_type, bytes)| (*content_type, *bytes))
}

/// `GET …/{file}`: the asset named `file` with `cache` as its
/// `Cache-Control`, or 404 saying no such `what` asset exists.
pub fn serve(assets: &[Asset], file: &str, cache: &'static str, what: &str) -> Response {
    match find(assets, file) {
        Some((content_type, bytes)) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, cache),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            bytes,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("no such {what} asset\n"),
        )
            .into_response(),
    }
}
