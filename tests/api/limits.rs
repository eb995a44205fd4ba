//! Hostile documents are refused before they run, each with its own code,
//! and the server keeps answering.

use serde_json::json;

use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};

async fn still_answers(app: &TestApp) {
    let data = app.data("{ companies { totalCount } }", json!({})).await;
    assert!(data["companies"]["totalCount"].is_number());
}

#[tokio::test]
async fn each_kind_of_hostile_document_is_refused_with_its_code() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let deep = format!(
        "{{ companies {{ nodes {{ {}id{} }} }} }}",
        "contacts(first: 1) { nodes { company { ".repeat(6),
        " } } }".repeat(6)
    );
    let wide = "{ companies(first: 100) { nodes { contacts(first: 100) { nodes { deals(first: 100) { nodes { tickets(first: 100) { nodes { id subject } } } } } } } } }";
    let aliases = format!(
        "{{ {} }}",
        (0..31)
            .map(|n| format!("a{n}: me {{ id }}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let directives = "{ me { id @include(if: true) @skip(if: false) @include(if: true) @skip(if: false) @include(if: true) } }";
    for (document, code) in [
        (deep.as_str(), "QUERY_TOO_DEEP"),
        (wide, "QUERY_TOO_COMPLEX"),
        (aliases.as_str(), "TOO_MANY_ALIASES"),
        (directives, "TOO_MANY_DIRECTIVES"),
        ("{ me { id ", "GRAPHQL_PARSE_FAILED"),
        ("{ me { noSuchField } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "{ companies(first: 1000) { totalCount } }",
            "BAD_USER_INPUT",
        ),
    ] {
        let response = app.gql(document, json!({})).await;
        assert_eq!(error_code(&response), code, "{document}: {response}");
        assert!(
            response.get("data").is_none() || code == "BAD_USER_INPUT",
            "{response}"
        );
        still_answers(&app).await;
    }
    // The nested query a dashboard really sends stays within the limits.
    let nested = "{ companies(first: 50) { nodes { name contacts(first: 10) { nodes { email deals(first: 5) { nodes { name amount tickets(first: 3) { nodes { subject status } } } } } } } } }";
    assert!(app.gql(nested, json!({})).await.get("errors").is_none());
}

#[tokio::test]
async fn introspection_and_suggestions_can_be_switched_off() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.introspection = false)
        .await
        .expect("app");
    let response = app.gql("{ __schema { types { name } } }", json!({})).await;
    // async-graphql answers a disabled introspection with null: no type leaks.
    assert!(response["data"]["__schema"].is_null(), "{response}");
    let response = app.gql("{ companie { totalCount } }", json!({})).await;
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(!message.contains("Did you mean"), "{message}");
    still_answers(&app).await;
}

#[tokio::test]
async fn a_request_over_the_time_limit_answers_timeout() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.request_timeout_ms = 1)
        .await
        .expect("app");
    // The demo workspace's whole nested graph: thousands of objects, far
    // more than a millisecond of work.
    rapport::seed::demo(&app.state.core).await.expect("seeded");
    let admin = rapport::seed::actor_by_email(&app.state.db, rapport::seed::DEMO_ADMIN_EMAIL)
        .await
        .expect("demo admin");
    let token = app.state.issue_token(&admin);
    let everything = "{ companies(first: 50) { nodes { name contacts(first: 20) { nodes { email deals(first: 10) { nodes { name amount tickets(first: 5) { nodes { subject } } } } } } } } }";
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&token)
        .json(&json!({ "query": everything }))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(status, 503, "{body}");
    assert_eq!(error_code(&body), "TIMEOUT");
}

#[tokio::test]
async fn each_actor_is_rate_limited_on_its_own() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limit_per_minute = 3)
        .await
        .expect("app");
    for _ in 0..3 {
        assert!(
            app.gql("{ me { id } }", json!({}))
                .await
                .get("errors")
                .is_none()
        );
    }
    let refused = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.token)
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after >= 1);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(error_code(&body), "RATE_LIMITED");
    // Another member's allowance is untouched.
    let other = app
        .gql_as(&app.other_token, "{ me { id } }", json!({}))
        .await;
    assert!(other.get("errors").is_none(), "{other}");
}
