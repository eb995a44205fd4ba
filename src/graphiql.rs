//! GraphiQL at `GET /`, working with no internet access.
//!
//! The usual GraphiQL page pulls React, GraphiQL and graphql-ws from a CDN,
//! which fails on an air-gapped machine (and leaks every visit to a third
//! party). Here the browser builds live in `assets/vendor/graphiql/` and are compiled
//! into the binary with `include_bytes!`, then served from `/graphiql/<file>`.
//! The page itself is a constant and names only those paths.
//!
//! Queries and mutations go over HTTP to `/graphql`; subscriptions go over a
//! `graphql-transport-ws` websocket at the same path, whose URL the page
//! computes from `location` (`ws:` or `wss:`). The `Authorization` header typed
//! in GraphiQL's headers editor is sent on HTTP requests and, for
//! subscriptions, as `authorization` in the `connection_init` payload.
//!
//! Provenance of the assets, and how to refresh them, is in
//! `assets/vendor/graphiql/README.md`.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderName, StatusCode, header};
use axum::response::Response;
use axum::routing::get;

/// `Content-Type` of JavaScript assets.
const JS: &str = "application/javascript; charset=utf-8";
/// `Content-Type` of stylesheet assets.
const CSS: &str = "text/css; charset=utf-8";
/// `Cache-Control` of assets: their URLs carry the GraphiQL version.
const ASSET_CACHE: &str = "public, max-age=86400";

/// Embeds one file of `assets/vendor/graphiql/`.
macro_rules! asset {
    ($file:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/vendor/graphiql/",
            $file
        ))
    };
}

/// Every embedded asset: file name under `/graphiql/`, content type, bytes.
const ASSETS: [crate::embedded::Asset; 5] = [
    ("graphiql.min.js", JS, asset!("graphiql.min.js")),
    ("graphiql.min.css", CSS, asset!("graphiql.min.css")),
    (
        "react.production.min.js",
        JS,
        asset!("react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        JS,
        asset!("react-dom.production.min.js"),
    ),
    ("graphql-ws.min.js", JS, asset!("graphql-ws.min.js")),
];

/// The GraphiQL page. Every `src`/`href` is under `/graphiql/`; the `?v=`
/// suffix changes with the bundled GraphiQL version so cached copies of the
/// previous assets are not reused.
///
/// UMD globals: `React`, `ReactDOM` (React 18), `GraphiQL` (with
/// `GraphiQL.createFetcher`), `graphqlWs` (with `graphqlWs.createClient`).
const INDEX_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Rapport · GraphiQL</title>
  <style>
    html, body { height: 100%; margin: 0; overflow: hidden; }
    #graphiql { height: 100vh; }
    #graphiql > .loading { font: 16px system-ui, sans-serif; padding: 2rem; }
  </style>
  <link rel="stylesheet" href="/graphiql/graphiql.min.css?v=3.8.3">
  <script src="/graphiql/react.production.min.js?v=18.3.1"></script>
  <script src="/graphiql/react-dom.production.min.js?v=18.3.1"></script>
  <script src="/graphiql/graphql-ws.min.js?v=6.4.2"></script>
  <script src="/graphiql/graphiql.min.js?v=3.8.3"></script>
</head>
<body>
  <div id="graphiql"><div class="loading">Loading GraphiQL…</div></div>
  <noscript>GraphiQL needs JavaScript. The API itself is at /graphql.</noscript>
  <script>
    (function () {
      var httpUrl = '/graphql';
      var wsUrl = (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + '/graphql';

      // The Authorization value from a headers object, whatever its case.
      function authorizationOf(headers) {
        if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return null;
        for (var key in headers) {
          if (Object.prototype.hasOwnProperty.call(headers, key) &&
              key.toLowerCase() === 'authorization' && typeof headers[key] === 'string') {
            return headers[key];
          }
        }
        return null;
      }

      // The headers GraphiQL persisted (shouldPersistHeaders), parsed safely.
      function storedHeaders() {
        try {
          var raw = window.localStorage.getItem('graphiql:headers');
          return raw ? JSON.parse(raw) : null;
        } catch (e) {
          return null;
        }
      }

      // One websocket client per Authorization value: the value is sent in
      // connection_init, so a changed header needs a new connection.
      var current = null;
      function fetcherFor(authorization) {
        if (current && current.authorization === authorization) return current.fetcher;
        if (current) current.wsClient.dispose();
        var wsClient = graphqlWs.createClient({
          url: wsUrl,
          lazy: true,
          connectionParams: function () {
            return authorization ? { authorization: authorization } : {};
          }
        });
        current = {
          authorization: authorization,
          wsClient: wsClient,
          fetcher: GraphiQL.createFetcher({ url: httpUrl, wsClient: wsClient })
        };
        return current.fetcher;
      }

      function fetcher(params, opts) {
        var headers = opts && opts.headers ? opts.headers : storedHeaders();
        return fetcherFor(authorizationOf(headers))(params, opts);
      }

      var root = ReactDOM.createRoot(document.getElementById('graphiql'));
      root.render(React.createElement(GraphiQL, {
        fetcher: fetcher,
        isHeadersEditorEnabled: true,
        shouldPersistHeaders: true,
        defaultEditorToolsVisibility: true
      }));
    })();
  </script>
</body>
</html>
"#;

/// The routes: `GET /` (the page) and `GET /graphiql/{file}` (its assets).
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/", get(index))
        .route("/graphiql/{file}", get(asset))
}

/// `GET /`: the GraphiQL page.
async fn index() -> (StatusCode, [(HeaderName, &'static str); 2], &'static str) {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        INDEX_HTML,
    )
}

/// `GET /graphiql/{file}`: one embedded asset, or 404.
async fn asset(Path(file): Path<String>) -> Response {
    crate::embedded::serve(&ASSETS, &file, ASSET_CACHE, "GraphiQL")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `src="…"` and `href="…"` value in the page.
    fn references(html: &str) -> Vec<&str> {
        let mut found = Vec::new();
        for attr in ["src=\"", "href=\""] {
            let mut rest = html;
            while let Some(at) = rest.find(attr) {
                rest = &rest[at + attr.len()..];
                let end = rest.find('"').unwrap_or(rest.len());
                found.push(&rest[..end]);
                rest = &rest[end..];
            }
        }
        found
    }

    #[test]
    fn every_asset_is_embedded_and_non_empty() {
        for (name, content_type, bytes) in ASSETS {
            assert!(!bytes.is_empty(), "{name} is empty");
            let expected = if name.ends_with(".css") { CSS } else { JS };
            assert_eq!(content_type, expected, "{name}");
        }
    }

    #[test]
    fn page_loads_only_local_assets() {
        let refs = references(INDEX_HTML);
        assert_eq!(refs.len(), ASSETS.len(), "{refs:?}");
        for reference in refs {
            let path = reference
                .strip_prefix("/graphiql/")
                .unwrap_or_else(|| panic!("{reference} is not under /graphiql/"));
            let file = path.split('?').next().unwrap_or(path);
            assert!(
                crate::embedded::find(&ASSETS, file).is_some(),
                "{reference} names no embedded asset"
            );
        }
        assert!(
            !INDEX_HTML.contains("http://"),
            "the page names an http:// URL"
        );
        assert!(
            !INDEX_HTML.contains("https://"),
            "the page names an https:// URL"
        );
        assert!(
            !INDEX_HTML.contains("//cdn")
                && !INDEX_HTML.contains("unpkg")
                && !INDEX_HTML.contains("jsdelivr")
        );
    }

    #[test]
    fn unknown_and_traversing_names_are_not_assets() {
        assert!(crate::embedded::find(&ASSETS, "nope.js").is_none());
        assert!(crate::embedded::find(&ASSETS, "../Cargo.toml").is_none());
        assert!(crate::embedded::find(&ASSETS, "").is_none());
    }

    /// Sends one GET through the router.
    async fn get_path(path: &str) -> Response {
        use tower::ServiceExt;
        let request = axum::http::Request::get(path)
            .body(axum::body::Body::empty())
            .expect("request");
        routes::<()>().oneshot(request).await.expect("infallible")
    }

    #[tokio::test]
    async fn routes_serve_page_and_assets() {
        let page = get_path("/").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.headers()[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );

        for (name, content_type, bytes) in ASSETS {
            let response = get_path(&format!("/graphiql/{name}?v=1")).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            assert_eq!(
                response.headers()[header::CONTENT_TYPE],
                content_type,
                "{name}"
            );
            assert_eq!(
                response.headers()[header::CACHE_CONTROL],
                ASSET_CACHE,
                "{name}"
            );
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            assert_eq!(body.len(), bytes.len(), "{name}");
        }

        assert_eq!(
            get_path("/graphiql/nope.js").await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            get_path("/graphiql/..%2FCargo.toml").await.status(),
            StatusCode::NOT_FOUND
        );
    }
}
