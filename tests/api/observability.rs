//! `/metrics` histograms and labelled metrics: operation durations by type,
//! name and outcome (names bounded), SQL statement durations, transaction
//! starts, subscriptions by kind, event lag, and refusals of sign-ins and
//! rate limits.

use serde_json::json;

use crate::helpers::{Backend, TestApp, on_both_databases, spawn_app_with};
use crate::ws::WsClient;

on_both_databases!(operations_statements_and_subscriptions_are_measured);

/// The value of the sample line starting with `prefix` (labels included), if any.
async fn sample(app: &TestApp, prefix: &str) -> Option<f64> {
    let text = app.get_text("/metrics").await;
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.trim().parse().ok())
}

const OPERATION: &str = "rapport_graphql_operation_duration_seconds_count";

async fn operations_statements_and_subscriptions_are_measured(app: TestApp) {
    app.data("query Me { companies(first: 1) { totalCount } }", json!({}))
        .await;
    app.gql(
        "mutation Broken { createCompany(input: { name: \"\" }) { company { id } } }",
        json!({}),
    )
    .await;
    let ok = format!(r#"{OPERATION}{{operation_type="query",operation_name="Me",outcome="OK"}} "#);
    assert_eq!(sample(&app, &ok).await, Some(1.0));
    let refused = format!(
        r#"{OPERATION}{{operation_type="mutation",operation_name="Broken",outcome="BAD_USER_INPUT"}} "#
    );
    assert_eq!(sample(&app, &refused).await, Some(1.0));
    let statements = r#"rapport_db_statement_duration_seconds_count{outcome="ok"} "#;
    assert!(sample(&app, statements).await.unwrap_or(0.0) > 0.0);
    // A write starts a transaction and commits an event, which arrives back
    // from the bus.
    app.data(
        "mutation { createCompany(input: { name: \"Measured\" }) { company { id } } }",
        json!({}),
    )
    .await;
    assert!(
        sample(&app, "rapport_db_transaction_start_seconds_count ")
            .await
            .unwrap_or(0.0)
            > 0.0
    );
    let mut lagged = 0.0;
    for _ in 0..100 {
        lagged = sample(&app, "rapport_event_delivery_lag_seconds_count ")
            .await
            .unwrap_or(0.0);
        if lagged > 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(lagged > 0.0, "no event reached the feed");

    // Subscriptions by kind: counted while they run.
    let kind = r#"rapport_subscriptions_by_kind{kind="ticketEvents"} "#;
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .subscribe("1", "subscription { ticketEvents { kind } }", json!({}))
        .await;
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
    assert_eq!(sample(&app, kind).await, Some(1.0));
    client.send(json!({ "type": "complete", "id": "1" })).await;
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
    assert_eq!(sample(&app, kind).await, Some(0.0));

    // A query over the socket is timed like one over HTTP; the
    // subscription above is not (it ran as long as the client wanted).
    client
        .subscribe(
            "2",
            "query OverSocket { companies(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    client.next_data("2").await;
    let over_socket = format!(
        r#"{OPERATION}{{operation_type="query",operation_name="OverSocket",outcome="OK"}} "#
    );
    assert_eq!(sample(&app, &over_socket).await, Some(1.0));
    let text = app.get_text("/metrics").await;
    assert!(!text.contains(r#"operation_type="subscription""#), "{text}");

    // A wrong password is a refused sign-in.
    let login =
        "mutation { login(email: \"nobody@example.com\", password: \"wrong-password\") { token } }";
    app.gql_as("", login, json!({})).await;
    let refusals = r#"rapport_refusals_total{refusal="login",reason="wrong_credentials"} "#;
    assert_eq!(sample(&app, refusals).await, Some(1.0));
    let text = app.get_text("/metrics").await;
    assert!(
        text.contains("# TYPE rapport_refusals_total counter"),
        "{text}"
    );
}

/// Operation names are label values only up to a cap; later ones are `other`.
#[tokio::test]
async fn operation_names_past_the_cap_are_counted_as_other() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await.expect("app");
    let cap = rapport_core::metrics::labelled::MAX_OPERATION_NAMES;
    for n in 0..=cap {
        let query = format!("query Named{n} {{ companies(first: 1) {{ totalCount }} }}");
        app.data(&query, json!({})).await;
    }
    let other =
        format!(r#"{OPERATION}{{operation_type="query",operation_name="other",outcome="OK"}} "#);
    assert_eq!(sample(&app, &other).await, Some(1.0));
    let text = app.get_text("/metrics").await;
    let names = text
        .lines()
        .filter(|line| line.starts_with(OPERATION))
        .count();
    assert!(names <= cap + 1, "{names} label sets");
}

/// A request over the rate limit is counted with its door.
#[tokio::test]
async fn rate_limit_refusals_are_counted() {
    let app = spawn_app_with(Backend::Sqlite, |c| c.rate_limit_per_minute = 2)
        .await
        .expect("app");
    for _ in 0..4 {
        app.gql("{ companies(first: 1) { totalCount } }", json!({}))
            .await;
    }
    let refusals = r#"rapport_refusals_total{refusal="rate_limit",reason="http"} "#;
    assert!(sample(&app, refusals).await.unwrap_or(0.0) >= 1.0);
}
