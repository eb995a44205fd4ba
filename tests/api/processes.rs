//! Real server processes: two instances sharing PostgreSQL and Redis, Redis
//! crashing mid-stream, SIGTERM and a restart.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rapport::app::AppState;
use rapport::config::Config;
use serde_json::{Value, json};

use crate::common::JsonAnswer;
use crate::common::server::{SECRET, ServerProcess};
use crate::common::{postgres, redis};
use crate::helpers::workspace;
use crate::ws::WsClient;

/// A migrated database with one workspace; its URL and an admin token.
pub async fn prepared(database_url: String) -> (String, String) {
    let mut config = Config::for_database(database_url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database ready");
    let (_, token) = workspace(&state, "Processes").await;
    crate::helpers::put_away(state).await;
    (database_url, token)
}

/// POSTs to `base` as `token`; returns `data` (panics on errors).
pub async fn post(base: &str, token: &str, query: &str, variables: Value) -> Value {
    let response: Value = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .answer()
        .await;
    assert!(response.get("errors").is_none(), "{response}");
    response["data"].clone()
}

pub async fn create_ticket(base: &str, token: &str, subject: &str) {
    post(
        base,
        token,
        "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
        json!({ "input": { "subject": subject } }),
    )
    .await;
}

pub async fn cursor(base: &str, token: &str) -> String {
    post(base, token, "{ eventCursor }", json!({})).await["eventCursor"]
        .as_str()
        .expect("cursor")
        .to_owned()
}

pub const TICKETS: &str =
    "subscription($after: String) { ticketEvents(after: $after) { cursor ticket { subject } } }";

/// Reads `count` ticket events of operation `id`: their subjects, checking
/// that cursors only grow.
pub async fn subjects(client: &mut WsClient, id: &str, count: usize) -> Vec<String> {
    let mut seen = Vec::with_capacity(count);
    let mut last_cursor = String::new();
    for _ in 0..count {
        let event = client.next_data(id).await["ticketEvents"].clone();
        let cursor = event["cursor"].as_str().expect("cursor").to_owned();
        assert_ne!(cursor, last_cursor, "an event came twice");
        last_cursor = cursor;
        seen.push(
            event["ticket"]["subject"]
                .as_str()
                .expect("subject")
                .to_owned(),
        );
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutation_on_one_process_reaches_a_subscriber_on_another() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(redis) = redis::start() else { return };
    let (url, token) = prepared(cluster.create_database(None)).await;
    let redis_url = redis.url();
    let one = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let two = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let after = cursor(&one.base, &token).await;
    let mut subscriber = WsClient::ready(&two.base, &token).await;
    subscriber
        .subscribe("t", TICKETS, json!({ "after": after }))
        .await;
    create_ticket(&one.base, &token, "Written on one").await;
    assert_eq!(subjects(&mut subscriber, "t", 1).await, ["Written on one"]);

    // A deactivation on one instance is honoured by the other at once.
    let mut config = Config::for_database(url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database");
    let workspace_id = rapport::auth::TokenKeys::new(SECRET.as_bytes().to_vec())
        .verify(&token)
        .expect("token")
        .ws;
    let support =
        crate::helpers::member_token(&state, workspace_id, entity::enums::Role::Support).await;
    let support_id =
        post(&two.base, &support, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let mut support_socket = WsClient::ready(&two.base, &support).await;
    post(
        &one.base,
        &token,
        "mutation($id: ID!) { deactivateMember(id: $id) { member { active } } }",
        json!({ "id": support_id }),
    )
    .await;
    support_socket.expect_close(4403).await;
    let refused: Value = reqwest::Client::new()
        .post(format!("{}/graphql", two.base))
        .bearer_auth(&support)
        .json(&json!({ "query": "{ me { id } }" }))
        .answer()
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    for base in [&one.base, &two.base] {
        let ready = reqwest::get(format!("{base}/readyz"))
            .await
            .expect("readyz");
        assert_eq!(ready.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_crashing_during_1000_mutations_loses_and_repeats_nothing() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(mut redis) = redis::start() else {
        return;
    };
    let (url, token) = prepared(cluster.create_database(None)).await;
    let redis_url = redis.url();
    let one = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let two = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let after = cursor(&one.base, &token).await;
    let mut on_one = WsClient::ready(&one.base, &token).await;
    on_one
        .subscribe("t", TICKETS, json!({ "after": after }))
        .await;
    let mut on_two = WsClient::ready(&two.base, &token).await;
    on_two
        .subscribe("t", TICKETS, json!({ "after": after }))
        .await;

    const TOTAL: usize = 1000;
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let (bases, token, written) = (
            [one.base.clone(), two.base.clone()],
            token.clone(),
            written.clone(),
        );
        tokio::spawn(async move {
            for n in 0..TOTAL {
                create_ticket(&bases[n % 2], &token, &format!("T{n:04}")).await;
                written.store(n + 1, Ordering::SeqCst);
            }
        })
    };
    let wait_for = |count: usize| {
        let written = written.clone();
        async move {
            while written.load(Ordering::SeqCst) < count {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    wait_for(300).await;
    redis.kill9();
    wait_for(600).await;
    redis.restart();
    writer.await.expect("writer");

    let expected: Vec<String> = (0..TOTAL).map(|n| format!("T{n:04}")).collect();
    assert_eq!(subjects(&mut on_one, "t", TOTAL).await, expected);
    assert_eq!(subjects(&mut on_two, "t", TOTAL).await, expected);
    // And nothing more: the next event is the one written now.
    create_ticket(&one.base, &token, "After").await;
    assert_eq!(subjects(&mut on_one, "t", 1).await, ["After"]);
    assert_eq!(subjects(&mut on_two, "t", 1).await, ["After"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_websockets_1012_and_a_restarted_server_resumes_after_the_cursor() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    let (url, token) = prepared(url).await;
    let mut first = ServerProcess::start(&url, &[]);
    let after = cursor(&first.base, &token).await;
    let mut client = WsClient::ready(&first.base, &token).await;
    client
        .subscribe("t", TICKETS, json!({ "after": after }))
        .await;
    create_ticket(&first.base, &token, "Before").await;
    let event = client.next_data("t").await["ticketEvents"].clone();
    let last_cursor = event["cursor"].as_str().expect("cursor").to_owned();

    first.terminate();
    client.expect_close(1012).await;
    assert!(first.wait_exit(Duration::from_secs(30)).success());

    let second = ServerProcess::start(&url, &[]);
    for n in 0..3 {
        create_ticket(&second.base, &token, &format!("Missed {n}")).await;
    }
    let mut client = WsClient::ready(&second.base, &token).await;
    client
        .subscribe("t", TICKETS, json!({ "after": last_cursor }))
        .await;
    assert_eq!(
        subjects(&mut client, "t", 3).await,
        ["Missed 0", "Missed 1", "Missed 2"]
    );
    create_ticket(&second.base, &token, "Live").await;
    assert_eq!(subjects(&mut client, "t", 1).await, ["Live"]);
}
