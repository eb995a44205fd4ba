//! graphql-transport-ws as its PROTOCOL.md defines it: one test per rule.

use serde_json::json;

use crate::helpers::{Backend, spawn_app};
use crate::ws::WsClient;

const ME: &str = "query { me { id } }";

#[tokio::test]
async fn a_socket_without_connection_init_is_closed_4408() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::connect(&app.base, "graphql-transport-ws").await;
    client.expect_close(4408).await;
}

#[tokio::test]
async fn subscribe_before_the_ack_is_closed_4401() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::connect(&app.base, "graphql-transport-ws").await;
    client.subscribe("1", ME, json!({})).await;
    client.expect_close(4401).await;
}

#[tokio::test]
async fn an_invalid_message_is_closed_4400_with_a_short_reason() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    for bad in [
        "not json".to_owned(),
        json!({ "type": "subscribe", "payload": { "query": ME } }).to_string(),
        json!({ "type": "x".repeat(300) }).to_string(),
    ] {
        let mut client = WsClient::ready(&app.base, &app.token).await;
        client.send_text(bad).await;
        let reason = client.expect_close(4400).await;
        assert!(!reason.is_empty() && reason.len() <= 123, "{reason}");
    }
}

#[tokio::test]
async fn a_second_live_subscription_with_the_same_id_is_closed_4409() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    let query = "subscription { ticketEvents { cursor } }";
    client.subscribe("same", query, json!({})).await;
    client.subscribe("same", query, json!({})).await;
    let reason = client.expect_close(4409).await;
    assert_eq!(reason, "Subscriber for same already exists");
}

#[tokio::test]
async fn a_second_connection_init_is_closed_4429() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", app.token) } }))
        .await;
    client.expect_close(4429).await;
}

#[tokio::test]
async fn a_bad_or_missing_token_is_closed_4403() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    for payload in [
        json!({ "authorization": "Bearer not-a-token" }),
        json!({}),
        json!(null),
    ] {
        let mut client = WsClient::connect(&app.base, "graphql-transport-ws").await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        client.expect_close(4403).await;
    }
}

#[tokio::test]
async fn the_token_is_read_from_each_key_clients_use() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    for payload in [
        json!({ "Authorization": format!("Bearer {}", app.token) }),
        json!({ "authToken": app.token }),
    ] {
        let mut client = WsClient::connect(&app.base, "graphql-transport-ws").await;
        client
            .send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        assert_eq!(client.json().await["type"], "connection_ack");
    }
}

#[tokio::test]
async fn a_validation_error_is_one_error_message_and_no_complete() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .subscribe("bad", "subscription { noSuchField }", json!({}))
        .await;
    let error = client.json().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "bad");
    assert!(error["payload"].as_array().is_some_and(|e| !e.is_empty()));
    // The next message answers the ping: no `complete` came in between.
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
}

#[tokio::test]
async fn ping_is_answered_with_pong() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client
        .send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    let pong = client.json().await;
    assert_eq!(pong, json!({ "type": "pong", "payload": { "n": 1 } }));
}

#[tokio::test]
async fn a_query_runs_over_the_socket_with_next_then_complete() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    client.subscribe("q", ME, json!({})).await;
    assert!(client.next_data("q").await["me"]["id"].is_string());
    assert_eq!(
        client.json().await,
        json!({ "type": "complete", "id": "q" })
    );
}

#[tokio::test]
async fn a_client_complete_stops_the_stream() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::ready(&app.base, &app.token).await;
    let after = crate::live::event_cursor(&app).await;
    let query =
        "subscription($after: String) { ticketEvents(after: $after) { kind ticket { subject } } }";
    client
        .subscribe("stopped", query, json!({ "after": after }))
        .await;
    client
        .subscribe("kept", query, json!({ "after": after }))
        .await;
    client
        .send(json!({ "type": "complete", "id": "stopped" }))
        .await;
    // Let the server read the complete before the write happens.
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
    crate::fixtures::ticket(&app, json!({ "subject": "After complete" })).await;
    let data = client.next_data("kept").await;
    assert_eq!(data["ticketEvents"]["ticket"]["subject"], "After complete");
    // Only `kept` received it; the id `stopped` may now be reused.
    client.subscribe("stopped", query, json!({})).await;
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
}

#[tokio::test]
async fn the_legacy_graphql_ws_protocol_is_served_too() {
    let app = spawn_app(Backend::Sqlite).await.expect("app");
    let mut client = WsClient::connect(&app.base, "graphql-ws").await;
    client
        .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", app.token) } }))
        .await;
    assert_eq!(client.json().await["type"], "connection_ack");
    let after = crate::live::event_cursor(&app).await;
    client
        .send(json!({ "type": "start", "id": "1", "payload": {
            "query": "subscription($after: String) { ticketEvents(after: $after) { kind } }",
            "variables": { "after": after } } }))
        .await;
    client
        .send(json!({ "type": "start", "id": "2", "payload": { "query": ME } }))
        .await;
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let message = client.json().await;
        if message["type"] != "ka" {
            seen.push(message);
        }
    }
    assert_eq!(seen[0]["type"], "data");
    assert_eq!(seen[1], json!({ "type": "complete", "id": "2" }));
    crate::fixtures::ticket(&app, json!({ "subject": "Legacy" })).await;
    let data = loop {
        let message = client.json().await;
        if message["type"] != "ka" {
            break message;
        }
    };
    assert_eq!(data["type"], "data");
    assert_eq!(data["payload"]["data"]["ticketEvents"]["kind"], "OPENED");
    client.send(json!({ "type": "stop", "id": "1" })).await;
    client.send(json!({ "type": "connection_terminate" })).await;
    client.expect_close(1000).await;
}
