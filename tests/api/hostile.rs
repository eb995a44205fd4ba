//! Crafted documents that once stopped the whole process (a worker's stack
//! overflowed on deeply nested values) or stalled it for seconds (fragment
//! chains walked 2^n times), sent to a real server process over every way
//! in: POST, GET, a batch and a websocket subscribe. Each is refused with a
//! code, and the process is alive and answering afterwards.

use serde_json::{Value, json};

use crate::common::JsonAnswer;
use crate::common::server::{SECRET, ServerProcess};
use crate::helpers::{error_code, put_away, workspace};
use crate::ws::{Received, WsClient};
use rapport::app::AppState;
use rapport::config::Config;

/// A server process on a fresh SQLite file, and an ADMIN token for it.
async fn server() -> (ServerProcess, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    let mut config = Config::for_database(url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database ready");
    let (_, token) = workspace(&state, "Hostile").await;
    put_away(state).await;
    (ServerProcess::start(&url, &[]), token, dir)
}

async fn post(base: &str, body: Value) -> Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("an answer, not a dropped connection: {e}"))
        .json()
        .await
        .expect("JSON")
}

async fn get(base: &str, query: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}/graphql"))
        .query(&[("query", query)])
        .answer()
        .await
}

/// The process is running and answers a small query.
async fn answers(server: &mut ServerProcess) {
    assert!(
        server.running(),
        "the server process died (its log is above)"
    );
    let probe = post(&server.base, json!({ "query": "{ __typename }" })).await;
    assert_eq!(probe["data"]["__typename"], "Query", "{probe}");
}

fn nested(open: &str, inner: &str, close: &str, levels: usize) -> String {
    format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
}

/// The documents of the attack run, each nested thousands of levels deep
/// (`scale` 1), or a tenth of that (to fit in a URL).
fn deep_documents(scale: usize) -> Vec<String> {
    vec![
        format!(
            "{{ deals(filter: {}) {{ totalCount }} }}",
            nested("{ not: ", "{}", " }", 3_000 / scale)
        ),
        format!(
            "{{ nodes(ids: {}) {{ id }} }}",
            nested("[", "\"x\"", "]", 20_000 / scale)
        ),
        format!(
            "{{ me(x: {}) {{ id }} }}",
            nested("{a: ", "1", "}", 10_000 / scale)
        ),
        format!(
            "query($v: Boolean = {}) {{ __typename }}",
            nested("[", "true", "]", 30_000 / scale)
        ),
        format!(
            "{{ __typename @skip(if: {}) }}",
            nested("[", "true", "]", 30_000 / scale)
        ),
        // Selections deeper than the parser can safely descend.
        format!("{{ {} }}", nested("a { ", "b", " }", 10_000 / scale)),
    ]
}

#[tokio::test]
async fn deeply_nested_documents_are_refused_on_every_way_in() {
    let (mut server, token, _dir) = server().await;
    let base = server.base.clone();
    for (document, short) in deep_documents(1).into_iter().zip(deep_documents(10)) {
        let response = post(&base, json!({ "query": document })).await;
        assert_eq!(error_code(&response), "QUERY_TOO_DEEP", "POST {response}");
        let response = get(&base, &short).await;
        assert_eq!(error_code(&response), "QUERY_TOO_DEEP", "GET {response}");
        let batch = post(
            &base,
            json!([{ "query": "{ __typename }" }, { "query": document }]),
        )
        .await;
        assert_eq!(batch[0]["data"]["__typename"], "Query", "{batch}");
        assert_eq!(error_code(&batch[1]), "QUERY_TOO_DEEP", "batch {batch}");
        answers(&mut server).await;
    }

    let mut socket = WsClient::ready(&base, &token).await;
    // 25,000 levels in about 50 KB, under the websocket message limit.
    let deep = format!(
        "subscription {{ ticketEvents(x: {}) {{ cursor }} }}",
        nested("[", "1", "]", 25_000)
    );
    socket.subscribe("deep", &deep, json!({})).await;
    let refused = socket.json().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "QUERY_TOO_DEEP",
        "{refused}"
    );
    // The socket itself stays usable.
    socket
        .subscribe("ok", "subscription { ticketEvents { cursor } }", json!({}))
        .await;
    assert!(
        !matches!(
            socket.try_json(std::time::Duration::from_millis(300)).await,
            Some(ref m) if m["type"] == "error"
        ),
        "a plain subscription is accepted"
    );
    answers(&mut server).await;
}

#[tokio::test]
async fn deep_variables_are_refused() {
    let (mut server, _token, _dir) = server().await;
    // JSON's own parser stops at 128 levels; 100 passes it and must be
    // refused by the server's bound on value nesting.
    let mut value = json!(true);
    for _ in 0..100 {
        value = json!([value]);
    }
    let response = post(
        &server.base,
        json!({ "query": "query($v: [[Boolean]]) { __typename }", "variables": { "v": value } }),
    )
    .await;
    assert_eq!(error_code(&response), "VARIABLES_TOO_DEEP", "{response}");
    let mut text = "true".to_owned();
    for _ in 0..5_000 {
        text = format!("[{text}]");
    }
    let body = format!("{{\"query\":\"{{ __typename }}\",\"variables\":{{\"v\":{text}}}}}");
    let response: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .body(body)
        .answer()
        .await;
    assert_eq!(error_code(&response), "BAD_REQUEST", "{response}");
    answers(&mut server).await;
}

/// `query { ...F0 }` where each fragment spreads the next twice: 2^n copies
/// of the last one's `__typename`.
fn bomb(n: usize) -> String {
    let mut document = String::from("query { ...F0 }");
    for i in 0..n {
        document.push_str(&format!(
            " fragment F{i} on Query {{ ...F{next} ...F{next} }}",
            next = i + 1
        ));
    }
    document.push_str(&format!(" fragment F{n} on Query {{ __typename }}"));
    document
}

#[tokio::test]
async fn fragment_bombs_are_refused_before_they_are_walked() {
    let (mut server, token, _dir) = server().await;
    let base = server.base.clone();
    for n in [16, 24, 26, 30] {
        let response = post(&base, json!({ "query": bomb(n) })).await;
        assert_eq!(
            error_code(&response),
            "QUERY_TOO_COMPLEX",
            "n = {n}: {response}"
        );
    }
    // Past validation's recursion limit of spreads within spreads.
    let response = post(&base, json!({ "query": bomb(40) })).await;
    assert_eq!(error_code(&response), "QUERY_TOO_DEEP", "{response}");
    // A cycle would be walked to the recursion limit (2^32) before being reported.
    let cycle = "query { ...A } fragment A on Query { __typename ...B ...B } fragment B on Query { ...A ...A }";
    let response = post(&base, json!({ "query": cycle })).await;
    assert_eq!(
        error_code(&response),
        "GRAPHQL_VALIDATION_FAILED",
        "{response}"
    );

    // Several at once, from HTTP and a websocket, while a probe still answers.
    let bombs: Vec<_> = (0..3)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move { post(&base, json!({ "query": bomb(30) })).await })
        })
        .collect();
    let mut socket = WsClient::ready(&base, &token).await;
    socket
        .subscribe(
            "bomb",
            &bomb(30).replace("query", "subscription"),
            json!({}),
        )
        .await;
    answers(&mut server).await;
    for bomb in bombs {
        let response = bomb.await.expect("joined");
        assert_eq!(error_code(&response), "QUERY_TOO_COMPLEX", "{response}");
    }
    match socket.receive().await {
        Received::Json(message) => assert_eq!(message["type"], "error", "{message}"),
        closed => panic!("the socket closed: {closed:?}"),
    }

    // A small, legitimate use of fragments still runs (2^10 fields).
    let response = post(&base, json!({ "query": bomb(10) })).await;
    assert_eq!(response["data"]["__typename"], "Query", "{response}");
    answers(&mut server).await;
}
