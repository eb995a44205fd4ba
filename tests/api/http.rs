//! The HTTP surface: health, readiness, metrics, GraphiQL, CORS, auth.

use serde_json::json;

use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let get = |path: &str| app.client.get(format!("{}{path}", app.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), 200);
    assert_eq!(get("/readyz").await.unwrap().status(), 200);
    let metrics = get("/metrics").await.unwrap().text().await.unwrap();
    assert!(metrics.contains("# TYPE rapport_db_statements_total counter"));
}

#[tokio::test]
async fn graphiql_is_served_without_a_cdn() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let page = app.get_text("/").await;
    assert!(
        page.contains("/graphiql/"),
        "page loads its assets from the server"
    );
    assert!(!page.contains("https://"), "no CDN");
}

#[tokio::test]
async fn requests_without_a_valid_token_are_unauthenticated() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let response = app
        .gql_as("", "{ companies { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&response), "UNAUTHENTICATED");
    let response = app
        .gql_as("not-a-token", "{ companies { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&response), "UNAUTHENTICATED");
    assert!(response["data"].is_null());
}

/// Sends a CORS preflight for a POST to `/graphql` asking for `headers`;
/// returns the headers it allows (lower case), and whether it named the origin.
async fn preflight(app: &TestApp, headers: &str) -> (String, bool) {
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", headers)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    let origin = response
        .headers()
        .contains_key("access-control-allow-origin");
    (allowed, origin)
}

#[tokio::test]
async fn cors_preflight_allows_the_authorization_header() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let (allowed, origin) = preflight(&app, "authorization,content-type").await;
    assert!(allowed.contains("authorization"));
    assert!(origin);
}

#[tokio::test]
async fn cors_preflight_allows_tracing_and_client_headers_and_configured_ones() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.cors_headers = "x-tenant-hint".into())
        .await
        .unwrap();
    let asked = "traceparent,tracestate,baggage,sentry-trace,x-request-id,apollographql-client-name,apollographql-client-version,apollo-require-preflight,x-tenant-hint";
    let (allowed, _) = preflight(&app, asked).await;
    for header in asked.split(',') {
        assert!(allowed.contains(header), "{header} not in {allowed}");
    }
}

#[tokio::test]
async fn browsers_may_read_the_request_id_retry_after_and_replay_headers() {
    let app = spawn_app(Backend::Sqlite).await.unwrap();
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("Origin", "https://app.example.com")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let exposed = response.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    for header in ["x-request-id", "retry-after", "idempotent-replayed"] {
        assert!(exposed.contains(header), "{header} not in {exposed}");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let response = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

/// POSTs `body` with `content_type` (none when empty) and `accept`.
async fn post_raw(
    app: &crate::helpers::TestApp,
    content_type: &str,
    accept: &str,
    body: String,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.token)
        .body(body);
    if !content_type.is_empty() {
        request = request.header("content-type", content_type);
    }
    if !accept.is_empty() {
        request = request.header("accept", accept);
    }
    request.send().await.expect("sent")
}

#[tokio::test]
async fn form_and_text_posts_are_refused_as_csrf_carriers() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mutation = json!({ "query": "mutation { createCompany(input: { name: \"CSRF\" }) { company { id } } }" }).to_string();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "",
    ] {
        let response = post_raw(&app, content_type, "", mutation.clone()).await;
        assert_eq!(response.status(), 415, "{content_type}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    }
    let data = app.data("{ companies { totalCount } }", json!({})).await;
    assert_eq!(data["companies"]["totalCount"], 0, "nothing was written");
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let get = |query: &str| {
        app.client
            .get(format!("{}/graphql", app.base))
            .query(&[("query", query)])
            .bearer_auth(&app.token)
            .send()
    };
    let ok = get("{ companies { totalCount } }").await.unwrap();
    assert_eq!(ok.status(), 200);
    let refused =
        get("mutation { createCompany(input: { name: \"Via GET\" }) { company { id } } }")
            .await
            .unwrap();
    assert_eq!(refused.status(), 405);
    assert_eq!(refused.headers()["allow"], "POST");
    let data = app.data("{ companies { totalCount } }", json!({})).await;
    assert_eq!(data["companies"]["totalCount"], 0);
}

#[tokio::test]
async fn requests_that_never_ran_answer_400_without_data_under_graphql_response_json() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let bad = json!({ "query": "{ companies { noSuchField } }" }).to_string();
    let strict = post_raw(
        &app,
        "application/json",
        "application/graphql-response+json",
        bad.clone(),
    )
    .await;
    assert_eq!(strict.status(), 400);
    assert!(
        strict.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/graphql-response+json")
    );
    let body: serde_json::Value = strict.json().await.unwrap();
    assert!(body.get("data").is_none() && body["errors"][0]["message"].is_string());
    let legacy = post_raw(&app, "application/json", "application/json", bad).await;
    assert_eq!(legacy.status(), 200);
    assert!(
        legacy.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let unacceptable = post_raw(
        &app,
        "application/json",
        "text/html",
        json!({ "query": "{ __typename }" }).to_string(),
    )
    .await;
    assert_eq!(unacceptable.status(), 406);
}

#[tokio::test]
async fn batches_run_each_operation_and_are_capped() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let one = json!({ "query": "{ companies { totalCount } }" });
    let batch = serde_json::Value::Array(vec![one.clone(); 3]).to_string();
    let response = post_raw(&app, "application/json", "", batch).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body.as_array().map(Vec::len), Some(3));
    let too_many = serde_json::Value::Array(vec![one; 11]).to_string();
    let response = post_raw(&app, "application/json", "", too_many).await;
    assert_eq!(response.status(), 400);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "BATCH_TOO_LARGE");
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_parsed() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let huge = format!(
        "{{\"query\": \"{{ __typename }}\", \"pad\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let response = post_raw(&app, "application/json", "", huge).await;
    assert_eq!(response.status(), 413);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.contains("json"), "{content_type}");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "PAYLOAD_TOO_LARGE", "{body}");
    // A method axum refuses on its own answers the same shape, Allow kept.
    let response = app
        .client
        .put(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert!(response.headers().contains_key("allow"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "METHOD_NOT_ALLOWED", "{body}");
    let ok = app.gql("{ __typename }", json!({})).await;
    assert_eq!(
        ok["data"]["__typename"], "Query",
        "the server still answers"
    );
}

#[tokio::test]
async fn every_refusal_is_a_coded_json_graphql_error() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limit_per_minute = 3)
        .await
        .unwrap();
    async fn refused(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
        assert_eq!(response.status(), status, "{code}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.contains("json"), "{code}: {content_type}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), code, "{body}");
        assert!(body["errors"][0]["message"].is_string(), "{body}");
        body
    }
    let url = |path: &str| format!("{}{path}", app.base);
    // A websocket upgrade axum refuses (no key, no version): its reason kept.
    let response = app
        .client
        .get(url("/graphql"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .send()
        .await
        .unwrap();
    let body = refused(response, 400, "BAD_REQUEST").await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("sec-websocket"),
        "{body}"
    );
    // Paths and methods outside /graphql.
    let response = app.client.get(url("/no-such-path")).send().await.unwrap();
    refused(response, 404, "NOT_FOUND").await;
    let response = app.client.post(url("/healthz")).send().await.unwrap();
    assert!(response.headers().contains_key("allow"));
    refused(response, 405, "METHOD_NOT_ALLOWED").await;
    // No media type the client accepts.
    let query = json!({ "query": "{ __typename }" }).to_string();
    let response = post_raw(&app, "application/json", "text/html", query.clone()).await;
    refused(response, 406, "NOT_ACCEPTABLE").await;
    // Over the rate limit: Retry-After kept.
    let mut last = None;
    for _ in 0..4 {
        last = Some(post_raw(&app, "application/json", "", query.clone()).await);
    }
    let response = last.unwrap();
    assert!(response.headers().contains_key("retry-after"));
    refused(response, 429, "RATE_LIMITED").await;
}
