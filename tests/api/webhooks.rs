//! Webhooks end to end: a real receiver on 127.0.0.1 verifying signatures
//! with its own HMAC; failures, a timeout and a dead receiver on the way;
//! the disable path with a small give-up age; rotation, pings, replays and
//! filters; and what is refused.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::ActivityKind;
use entity::{activity, event};
use rapport::config::Config;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, on_both_databases};
use crate::webhook_receiver::{Answer, Received, Receiver};

const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id cursor enabled } } }";
const ENDPOINTS: &str = "{ webhookEndpoints { id enabled disabledReason failedAttempts } }";
const DELIVERIES: &str = "query($id: ID!, $after: String) {
  webhookDeliveries(endpointId: $id, first: 100, after: $after) {
    edges { cursor node { messageId eventKind eventCursor attempt succeeded statusCode latencyMs responseExcerpt error } }
    pageInfo { hasNextPage } } }";

/// Short timeouts and waits, and a receiver on loopback allowed.
pub fn fast_webhooks(config: &mut Config) {
    config.webhooks.allow_private = true;
    config.webhooks.timeout_ms = 400;
    config.webhooks.backoff_base_ms = 20;
    config.webhooks.poll_ms = 50;
}

fn fast_webhooks_giving_up(config: &mut Config) {
    fast_webhooks(config);
    config.webhooks.give_up_seconds = 1;
}

/// Creates an endpoint for `url` with `input` fields added; its id and secret.
pub async fn endpoint(app: &TestApp, url: &str, mut input: Value) -> (String, String) {
    input["url"] = json!(url);
    let created = app.data(CREATE, json!({ "input": input })).await;
    let payload = &created["createWebhookEndpoint"];
    let secret = payload["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_"));
    (
        payload["endpoint"]["id"].as_str().expect("id").to_owned(),
        secret,
    )
}

/// Creates an endpoint for `receiver` with `input` fields added, and has
/// the receiver trust its secret; the endpoint's id.
pub async fn trusted_endpoint(app: &TestApp, receiver: &Receiver, input: Value) -> String {
    let (id, secret) = endpoint(app, &receiver.url, input).await;
    receiver.trust(&secret);
    id
}

pub async fn ticket(app: &TestApp, subject: &str, priority: &str) {
    app.data(
        "mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }",
        json!({ "input": { "subject": subject, "priority": priority } }),
    )
    .await;
}

/// The event number behind a webhook's `data.cursor`.
pub fn seq_of(received: &Received) -> i64 {
    let cursor = received.body["data"]["cursor"].as_str().expect("cursor");
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(cursor).expect("base64")).expect("text");
    text.strip_prefix("event:")
        .expect("prefix")
        .parse()
        .expect("number")
}

pub fn subject_of(received: &Received) -> String {
    let payload = &received.body["data"]["payload"];
    let ticket = payload.get("ticket").unwrap_or(payload);
    ticket["subject"].as_str().expect("subject").to_owned()
}

on_both_databases!(with fast_webhooks; every_event_arrives_in_order_through_failures_a_timeout_and_a_dead_receiver);

pub(crate) async fn every_event_arrives_in_order_through_failures_a_timeout_and_a_dead_receiver(
    app: TestApp,
) {
    let mut receiver = Receiver::start().await;
    let id = trusted_endpoint(&app, &receiver, json!({ "eventKinds": ["ticket.opened"] })).await;
    // Two failures, then an answer slower than the 400 ms timeout.
    receiver.plan([
        Answer::Status(500),
        Answer::Status(503),
        Answer::Hang(Duration::from_millis(1200)),
    ]);
    let subjects: Vec<String> = (0..36).map(|i| format!("T{i}")).collect();
    for subject in &subjects[..12] {
        ticket(&app, subject, "NORMAL").await;
    }
    // Past the planned failures (events go one after another) before the kill.
    receiver
        .wait_for(Duration::from_secs(30), |unique| unique.len() >= 3)
        .await;
    receiver.kill();
    for subject in &subjects[12..24] {
        ticket(&app, subject, "NORMAL").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    receiver.restart().await;
    for subject in &subjects[24..] {
        ticket(&app, subject, "NORMAL").await;
    }
    receiver
        .wait_for(Duration::from_secs(60), |unique| {
            unique.len() >= subjects.len()
        })
        .await;
    let unique = receiver.unique();
    let arrived: Vec<String> = unique.iter().map(subject_of).collect();
    let given = receiver.given();
    assert_eq!(
        arrived, subjects,
        "every event, once, in order; answers given: {given:?}"
    );
    let seqs: Vec<i64> = unique.iter().map(seq_of).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "cursors grow: {seqs:?}"
    );
    assert!(unique.iter().all(|r| r.body["type"] == "ticket.opened"));
    assert_eq!(receiver.forged(), 0, "every signature verified");

    // The attempt log shows each kind of failure and the successes.
    let log = app.data(DELIVERIES, json!({ "id": id })).await;
    let attempts: Vec<Value> = log["webhookDeliveries"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let status = |code: i64| attempts.iter().any(|a| a["statusCode"] == code);
    assert!(
        status(500) && status(503),
        "{attempts:#?}\nanswers given: {given:?}"
    );
    let failed_with = |text: &str| {
        attempts
            .iter()
            .any(|a| a["error"].as_str().is_some_and(|e| e.contains(text)))
    };
    // A hang cut by the kill instead ("connection closed") means a second
    // delivery ran beside it: two claims of one endpoint at once.
    assert!(
        failed_with("timed out"),
        "{attempts:#?}\nanswers given: {given:?}\nmost requests at once: {}",
        receiver.most_in_flight()
    );
    let first = attempts.last().expect("attempts");
    assert_eq!(
        (first["attempt"].as_i64(), first["succeeded"].as_bool()),
        (Some(1), Some(false))
    );
    assert!(attempts.iter().filter(|a| a["succeeded"] == true).count() >= subjects.len());
    let ok = attempts
        .iter()
        .find(|a| a["succeeded"] == true)
        .expect("a success");
    assert_eq!(ok["responseExcerpt"], "ok");
    let endpoints = app.data(ENDPOINTS, json!({})).await;
    assert_eq!(endpoints["webhookEndpoints"][0]["failedAttempts"], 0);
}

on_both_databases!(with fast_webhooks_giving_up; an_endpoint_failing_past_the_give_up_age_is_disabled_with_a_task);

async fn an_endpoint_failing_past_the_give_up_age_is_disabled_with_a_task(app: TestApp) {
    let receiver = Receiver::start().await;
    let (id, secret) = endpoint(&app, &receiver.url, json!({ "eventKinds": ["ticket.*"] })).await;
    receiver.trust(&secret);
    receiver.plan(std::iter::repeat_n(Answer::Status(500), 10_000));
    ticket(&app, "Never delivered", "HIGH").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let disabled = loop {
        let endpoints = app.data(ENDPOINTS, json!({})).await;
        let endpoint = endpoints["webhookEndpoints"][0].clone();
        if endpoint["enabled"] == false {
            break endpoint;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not disabled: {endpoint}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let reason = disabled["disabledReason"].as_str().expect("reason");
    assert!(reason.contains("HTTP 500"), "{reason}");

    let db = &app.state.db;
    let recorded = event::Entity::find()
        .filter(event::Column::WorkspaceId.eq(app.workspace_id))
        .filter(event::Column::Kind.eq("webhook.disabled"))
        .all(db)
        .await
        .expect("events");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].payload["endpointId"], json!(id));
    let tasks = activity::Entity::find()
        .filter(activity::Column::WorkspaceId.eq(app.workspace_id))
        .filter(activity::Column::Kind.eq(ActivityKind::Task))
        .all(db)
        .await
        .expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert!(tasks[0].subject.contains("Webhook endpoint disabled"));
    assert!(tasks[0].assignee_id.is_some(), "an ADMIN is to act on it");

    // Fixed and enabled again, it resumes where it stopped.
    receiver.plan_clear();
    app.data(
        "mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled disabledReason } }",
        json!({ "id": id }),
    )
    .await;
    receiver
        .wait_for(Duration::from_secs(30), |unique| !unique.is_empty())
        .await;
    assert_eq!(subject_of(&receiver.unique()[0]), "Never delivered");
}
