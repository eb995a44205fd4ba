//! Traces over OTLP: a real server process exports to an OTLP/HTTP receiver
//! this test runs, which decodes the spans (JSON encoding): a request's span
//! joins the caller's `traceparent`, its operation is a child, and SeaORM's
//! SQL statement spans sit below; a websocket operation joins the trace its
//! `connection_init` named.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::routing::post;
use serde_json::{Value, json};

use crate::common::JsonAnswer;
use crate::common::server::ServerProcess;
use crate::processes::prepared;
use crate::ws::WsClient;

const HTTP_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const HTTP_PARENT: &str = "00f067aa0ba902b7";
const WS_TRACE: &str = "0af7651916cd43dd8448eb211c80319c";
const WS_PARENT: &str = "b7ad6b7169203331";

/// Starts the receiver; returns its address and what it was sent.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let kept = received.clone();
    let app = Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| {
            let kept = kept.clone();
            async move {
                let decoded: Value = serde_json::from_slice(&body).expect("OTLP JSON");
                kept.lock().expect("lock").push(decoded);
                ([("content-type", "application/json")], "{}")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}"), received)
}

/// Every span received: (its resource's service name, the span).
fn spans(received: &Mutex<Vec<Value>>) -> Vec<(String, Value)> {
    let mut all = Vec::new();
    for message in received.lock().expect("lock").iter() {
        for resource in message["resourceSpans"].as_array().into_iter().flatten() {
            let service = attribute(&resource["resource"], "service.name");
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    all.push((service.clone(), span.clone()));
                }
            }
        }
    }
    all
}

fn attribute(holder: &Value, key: &str) -> String {
    holder["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == key)
        .and_then(|a| a["value"]["stringValue"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn id(span: &Value, field: &str) -> String {
    span[field].as_str().unwrap_or_default().to_lowercase()
}

#[tokio::test]
async fn a_requests_spans_reach_an_otlp_receiver_under_the_callers_trace() {
    let (endpoint, received) = receiver().await;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/traces.db?mode=rwc", dir.path().display());
    let (url, token) = prepared(url).await;
    let server = ServerProcess::start(
        &url,
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
            ("OTEL_SERVICE_NAME", "rapport-under-test"),
        ],
    );
    let traceparent = format!("00-{HTTP_TRACE}-{HTTP_PARENT}-01");
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&token)
        .header("traceparent", traceparent)
        .json(&json!({ "query": "query Nested { companies(first: 2) { nodes { name contacts(first: 2) { nodes { email } } } } }" }))
        .answer()
        .await;
    assert!(answer.get("errors").is_none(), "{answer}");

    let mut socket = WsClient::connect(&server.base, "graphql-transport-ws").await;
    socket
        .send(json!({ "type": "connection_init", "payload": {
            "authorization": format!("Bearer {token}"),
            "traceparent": format!("00-{WS_TRACE}-{WS_PARENT}-01"),
        } }))
        .await;
    assert_eq!(socket.json().await["type"], "connection_ack");
    socket
        .subscribe("1", "subscription { ticketEvents { kind } }", json!({}))
        .await;

    // The exporter sends in batches, every 100 ms: wait (bounded) for both traces.
    let deadline = Instant::now() + Duration::from_secs(30);
    let (request, operation, statements, subscribe) = loop {
        let all = spans(&received);
        let in_trace = |trace: &str| -> Vec<Value> {
            all.iter()
                .filter(|(_, s)| id(s, "traceId") == trace)
                .map(|(_, s)| s.clone())
                .collect()
        };
        let http = in_trace(HTTP_TRACE);
        let request = http
            .iter()
            .find(|s| s["name"] == "graphql" && id(s, "parentSpanId") == HTTP_PARENT)
            .cloned();
        let operation = request.as_ref().and_then(|r| {
            http.iter()
                .find(|s| s["name"] == "query Nested" && id(s, "parentSpanId") == id(r, "spanId"))
                .cloned()
        });
        // The nested level's span, under the operation.
        let level = operation.as_ref().and_then(|op| {
            http.iter()
                .find(|s| {
                    s["name"] == "level contacts" && id(s, "parentSpanId") == id(op, "spanId")
                })
                .cloned()
        });
        // Statements under the operation (the top level) and under the
        // nested level's span.
        let statements: Vec<Value> = match (&operation, &level) {
            (Some(op), Some(level)) => http
                .iter()
                .filter(|s| {
                    let parent = id(s, "parentSpanId");
                    (parent == id(op, "spanId") || parent == id(level, "spanId"))
                        && !attribute(s, "db.system").is_empty()
                })
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        let under_level = level.as_ref().is_some_and(|level| {
            statements
                .iter()
                .any(|s| id(s, "parentSpanId") == id(level, "spanId"))
        });
        let subscribe = in_trace(WS_TRACE)
            .into_iter()
            .find(|s| s["name"] == "subscribe ticketEvents" && id(s, "parentSpanId") == WS_PARENT);
        if let (Some(request), Some(operation), Some(subscribe)) =
            (request.clone(), operation.clone(), subscribe.clone())
            && !statements.is_empty()
            && under_level
        {
            break (request, operation, statements, subscribe);
        }
        assert!(
            Instant::now() < deadline,
            "spans received: {:#?}",
            all.iter()
                .map(|(_, s)| (&s["name"], &s["traceId"], &s["parentSpanId"]))
                .collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        spans(&received)
            .iter()
            .all(|(service, _)| service == "rapport-under-test")
    );
    assert_eq!(attribute(&operation, "graphql.operation.type"), "query");
    assert_eq!(attribute(&operation, "graphql.operation.name"), "Nested");
    assert!(!id(&request, "spanId").is_empty() && !id(&subscribe, "spanId").is_empty());
    // One statement per level of the nested query: the top level's under the
    // operation, the nested level's under its `level contacts` span.
    assert!(statements.len() >= 2, "{statements:#?}");
    assert!(
        statements
            .iter()
            .all(|s| attribute(s, "db.system") == "sqlite")
    );
    server.terminate();
}
