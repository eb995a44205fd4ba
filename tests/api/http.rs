//! The HTTP surface: health, readiness, metrics, GraphiQL, CORS, auth.

use serde_json::json;

use crate::helpers::{Backend, error_code, spawn_app};

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

#[tokio::test]
async fn cors_preflight_allows_the_authorization_header() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.base))
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    let allowed = response.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(allowed.contains("authorization"));
    assert!(
        response
            .headers()
            .contains_key("access-control-allow-origin")
    );
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
