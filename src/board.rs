//! The live board at `GET /board`, working with no internet access.
//!
//! A single-page app written against the public API only (its source, and
//! the command that rebuilds it, are in `examples/board/`). Its script is
//! bundled into `assets/board/` (committed, so the build needs no Node);
//! the page and its style are used as written. All three are compiled into
//! the binary with `include_bytes!`, like GraphiQL's, so the page needs
//! nothing but this server: it signs in through `login`, reads over `POST /graphql` and
//! follows `pipelineEvents`, `ticketEvents` and `leaderboardUpdates` over
//! the `graphql-transport-ws` websocket at the same path.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Embeds one file of the board from `$dir` (relative to the crate).
macro_rules! asset {
    ($dir:literal, $file:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $dir, "/", $file))
    };
}

/// Where the page and its style are written.
macro_rules! source {
    ($file:literal) => {
        asset!("examples/board/src", $file)
    };
}

/// The page: it names `/board/board.js` and `/board/board.css`.
const INDEX_HTML: &[u8] = source!("index.html");

/// Every embedded asset: file name under `/board/`, content type, bytes.
const ASSETS: [crate::embedded::Asset; 2] = [
    (
        "board.js",
        "text/javascript; charset=utf-8",
        asset!("assets/board", "board.js"),
    ),
    ("board.css", "text/css; charset=utf-8", source!("board.css")),
];

/// The routes: `GET /board` (the page) and `GET /board/{file}` (its assets).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/board", get(index))
        .route("/board/", get(index))
        .route("/board/{file}", get(asset))
}

/// `GET /board`: the page. `no-cache`, and so are the assets (their URLs do
/// not change between builds), so a new binary's board is never mixed with
/// an old cached script.
async fn index() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
        .into_response()
}

/// `GET /board/{file}`: one embedded asset, or 404.
async fn asset(Path(file): Path<String>) -> Response {
    crate::embedded::serve(&ASSETS, &file, "no-cache", "board")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends one GET through the router.
    async fn get_path(path: &str) -> Response {
        use tower::ServiceExt;
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request");
        routes::<()>().oneshot(request).await.expect("infallible")
    }

    #[test]
    fn the_page_names_only_embedded_assets() {
        let page = String::from_utf8_lossy(INDEX_HTML);
        for (name, _, bytes) in ASSETS {
            assert!(!bytes.is_empty(), "{name} is empty");
            assert!(page.contains(&format!("/board/{name}")), "{name}");
        }
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[tokio::test]
    async fn routes_serve_the_page_and_its_assets_with_their_types() {
        let page = get_path("/board").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        for (name, content_type, _) in ASSETS {
            let response = get_path(&format!("/board/{name}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], content_type);
        }
        let missing = get_path("/board/..%2FCargo.toml").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    }
}
