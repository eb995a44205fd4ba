//! Managing webhook endpoints: secret rotation (both signatures for a
//! while), pings, replays from a cursor, filters, and what is refused.

use std::time::Duration;

use entity::enums::Role;
use serde_json::json;

use crate::helpers::{Backend, default_config, error_code, member_token, spawn_app_with};
use crate::webhook_receiver::{Answer, Receiver};
use crate::webhooks::{endpoint, fast_webhooks, seq_of, subject_of, ticket, trusted_endpoint};

const CREATE: &str = "mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { secret endpoint { id } } }";

#[tokio::test]
async fn rotation_signs_with_both_secrets_and_replay_and_filters_resend_what_they_should() {
    let app = spawn_app_with(Backend::Sqlite, fast_webhooks)
        .await
        .expect("app");
    let all = Receiver::start().await;
    let urgent = Receiver::start().await;
    let (id, secret) = endpoint(&app, &all.url, json!({ "eventKinds": ["ticket.opened"] })).await;
    let old = all.trust(&secret);
    let (_, urgent_secret) = endpoint(
        &app,
        &urgent.url,
        json!({ "filter": { "ticketPriorities": ["URGENT"] }, "description": "on call" }),
    )
    .await;
    urgent.trust(&urgent_secret);
    for (subject, priority) in [("A", "LOW"), ("B", "URGENT"), ("C", "NORMAL")] {
        ticket(&app, subject, priority).await;
    }
    all.wait_for(Duration::from_secs(30), |u| u.len() == 3)
        .await;
    urgent
        .wait_for(Duration::from_secs(30), |u| !u.is_empty())
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let urgent_subjects: Vec<String> = urgent.unique().iter().map(subject_of).collect();
    assert_eq!(urgent_subjects, ["B"], "only the urgent ticket's events");

    // Rotated: a ping is signed with the new secret and the old one.
    let rotated = app
        .data(
            "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret previousSecretValidUntil } }",
            json!({ "id": id }),
        )
        .await;
    let new_secret = rotated["rotateWebhookSecret"]["secret"]
        .as_str()
        .expect("secret");
    assert_ne!(new_secret, secret);
    assert!(rotated["rotateWebhookSecret"]["previousSecretValidUntil"].is_string());
    let new = all.trust(new_secret);
    let ping = app
        .data(
            "mutation($id: ID!) { testWebhook(id: $id) { eventKind succeeded statusCode attempt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(ping["testWebhook"]["succeeded"], true, "{ping}");
    assert_eq!(ping["testWebhook"]["statusCode"], 200);
    let last = all.accepted().last().cloned().expect("the ping");
    assert_eq!(last.body["type"], "webhook.ping");
    assert_eq!(last.signed_by, [old, new], "signed with both secrets");

    // Replayed after the first event: the second and third come again, same ids.
    let before = all.unique();
    let after = before[0].body["data"]["cursor"].clone();
    // Counted before the replay starts: its deliveries may arrive before
    // the mutation's answer does.
    let accepted_before = all.accepted().len();
    app.data(
        "mutation($id: ID!, $after: String!) { replayWebhook(endpointId: $id, after: $after) { cursor } }",
        json!({ "id": id, "after": after }),
    )
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while all.accepted().len() < accepted_before + 2 {
        assert!(tokio::time::Instant::now() < deadline, "no replay");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let again = &all.accepted()[accepted_before..];
    assert_eq!(again[0].id, before[1].id);
    assert_eq!(again[1].id, before[2].id);
    assert_eq!(seq_of(&again[0]), seq_of(&before[1]));
}

#[tokio::test]
async fn only_admins_manage_webhooks_and_internal_targets_are_refused() {
    let app = spawn_app_with(Backend::Sqlite, default_config)
        .await
        .expect("app");
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let input = json!({ "input": { "url": "https://hooks.example.com/in" } });
    let refused = app.gql_as(&manager, CREATE, input.clone()).await;
    assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    let listed = app
        .gql_as(&manager, "{ webhookEndpoints { id } }", json!({}))
        .await;
    assert_eq!(error_code(&listed), "FORBIDDEN");

    for url in [
        "http://127.0.0.1:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://10.0.0.8/",
        "http://localhost:8080/",
        "ftp://example.com/",
    ] {
        let response = app.gql(CREATE, json!({ "input": { "url": url } })).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{url}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "input.url");
    }
    let kinds =
        json!({ "input": { "url": "https://hooks.example.com/in", "eventKinds": ["Deal Moved"] } });
    let response = app.gql(CREATE, kinds).await;
    assert_eq!(
        response["errors"][0]["extensions"]["field"],
        "input.eventKinds"
    );

    // Saved for a public host, nothing else was written by the refusals.
    let (id, _) = endpoint(&app, "https://hooks.example.com/in", json!({})).await;
    let listed = app.data("{ webhookEndpoints { id url } }", json!({})).await;
    assert_eq!(listed["webhookEndpoints"].as_array().map(Vec::len), Some(1));
    let other = app
        .gql_as(
            &app.other_token,
            "mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        error_code(&other),
        "NOT_FOUND",
        "another workspace's endpoint"
    );
    let replay = app
        .gql(
            "mutation($id: ID!) { replayWebhook(endpointId: $id, after: \"nope\") { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(replay["errors"][0]["extensions"]["field"], "after");
}

#[tokio::test]
async fn a_slow_endpoint_does_not_hold_up_another() {
    let app = spawn_app_with(Backend::Sqlite, fast_webhooks)
        .await
        .expect("app");
    let slow = Receiver::start().await;
    let fast = Receiver::start().await;
    for receiver in [&slow, &fast] {
        trusted_endpoint(&app, receiver, json!({ "eventKinds": ["ticket.opened"] })).await;
    }
    // Each answer just inside the 400 ms timeout.
    slow.plan(std::iter::repeat_n(
        Answer::Hang(Duration::from_millis(350)),
        100,
    ));
    for subject in ["A", "B", "C", "D", "E"] {
        ticket(&app, subject, "NORMAL").await;
    }
    fast.wait_for(Duration::from_secs(30), |u| u.len() == 5)
        .await;
    assert!(
        slow.unique().len() < 5,
        "the fast endpoint waited for the slow one"
    );
    slow.wait_for(Duration::from_secs(30), |u| u.len() == 5)
        .await;
}

/// Fast, but patient enough that a planned hang is answered, not timed out.
fn patient_webhooks(config: &mut rapport::config::Config) {
    fast_webhooks(config);
    config.webhooks.timeout_ms = 10_000;
}

#[tokio::test]
async fn a_replay_to_the_same_cursor_starts_a_delivery_under_way_over() {
    let app = spawn_app_with(Backend::Sqlite, patient_webhooks)
        .await
        .expect("app");
    let receiver = Receiver::start().await;
    let id = trusted_endpoint(&app, &receiver, json!({ "eventKinds": ["ticket.opened"] })).await;
    let endpoints = app
        .data("{ webhookEndpoints { id cursor } }", json!({}))
        .await;
    let start = endpoints["webhookEndpoints"][0]["cursor"].clone();
    receiver.plan([Answer::Hang(Duration::from_millis(500))]);
    ticket(&app, "Again", "NORMAL").await;
    // The event is on its way (the receiver holds it): replay from where
    // the endpoint stood, which is the cursor the delivery started from.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while receiver.given().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "nothing sent");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    app.data(
        "mutation($id: ID!, $after: String!) { replayWebhook(endpointId: $id, after: $after) { cursor } }",
        json!({ "id": id, "after": start }),
    )
    .await;
    // The delivery under way does not move past the replay: the event
    // goes again, with the same id.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while receiver.accepted().len() < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replayed event did not come again: {:?}",
            receiver.given()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let accepted = receiver.accepted();
    assert_eq!(accepted[0].id, accepted[1].id);
    assert_eq!(subject_of(&accepted[1]), "Again");
}
