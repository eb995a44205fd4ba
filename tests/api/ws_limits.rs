//! Websocket limits and role changes reaching open sockets: operations per
//! socket and per member (refused with `TOO_MANY_SUBSCRIPTIONS`, slots given
//! back), oversized messages (1009), and a role change closing the member's
//! sockets (4403) on this instance and on another one sharing Redis.

use entity::enums::Role;
use rapport::config::Config;
use serde_json::{Value, json};

use crate::common::server::{SECRET, ServerProcess};
use crate::common::{postgres, redis};
use crate::fixtures;
use crate::helpers::{
    Backend, TestApp, error_code, member_token, on_both_databases, spawn_app_with,
};
use crate::processes::post;
use crate::ws::WsClient;

const TICKETS: &str = "subscription { ticketEvents { ticket { subject } } }";
const PIPELINE_EVENTS: &str =
    "subscription($id: ID!) { pipelineEvents(pipelineId: $id) { kind deal { name amount } } }";
const DASHBOARD: &str =
    "subscription($id: ID!) { dashboard(pipelineId: $id) { openValue { amount currency } } }";

/// Small caps, so that a test reaches them with a few operations.
fn small_caps(config: &mut Config) {
    config.max_subscriptions_per_socket = 3;
    config.max_subscriptions_per_member = 5;
    config.max_ws_message_bytes = 8 * 1024;
}

async fn small_app() -> TestApp {
    spawn_app_with(Backend::Sqlite, small_caps)
        .await
        .expect("sqlite app")
}

/// The next message that is not the legacy protocol's keep-alive.
async fn message(client: &mut WsClient) -> Value {
    loop {
        let message = client.json().await;
        if message["type"] != "ka" {
            return message;
        }
    }
}

/// Asserts the next message refuses operation `id` with `TOO_MANY_SUBSCRIPTIONS`.
async fn expect_refused(client: &mut WsClient, id: &str) {
    let refused = message(client).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], id, "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS",
        "{refused}"
    );
}

/// Asserts everything sent before was handled without a message (an
/// accepted live subscription says nothing) and the socket is open.
async fn expect_quiet(client: &mut WsClient) {
    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.json().await["type"], "pong");
}

/// The `next` messages of the next `count` results, by operation id (sorted).
async fn next_ids(client: &mut WsClient, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..count {
        let next = message(client).await;
        assert!(
            matches!(next["type"].as_str(), Some("next" | "data")),
            "{next}"
        );
        ids.push(next["id"].as_str().expect("id").to_owned());
    }
    ids.sort();
    ids
}

#[tokio::test]
async fn a_socket_runs_at_most_its_cap_and_completing_frees_a_slot() {
    let app = small_app().await;
    let mut client = WsClient::ready(&app.base, &app.token).await;
    for id in ["1", "2", "3"] {
        client.subscribe(id, TICKETS, json!({})).await;
    }
    expect_quiet(&mut client).await;
    client.subscribe("4", TICKETS, json!({})).await;
    expect_refused(&mut client, "4").await;
    // Refused, not closed: the socket and its three operations go on.
    expect_quiet(&mut client).await;
    client.send(json!({ "type": "complete", "id": "1" })).await;
    client.subscribe("4", TICKETS, json!({})).await;
    expect_quiet(&mut client).await;
    fixtures::ticket(&app, json!({ "subject": "Counted" })).await;
    assert_eq!(next_ids(&mut client, 3).await, ["2", "3", "4"]);

    // An operation that ends by itself (a query) gives its slot back too.
    client.send(json!({ "type": "complete", "id": "4" })).await;
    for _ in 0..5 {
        client.subscribe("q", "{ me { id } }", json!({})).await;
        let data = message(&mut client).await;
        assert_eq!(data["type"], "next", "{data}");
        assert_eq!(message(&mut client).await["type"], "complete");
    }
    client.subscribe("5", TICKETS, json!({})).await;
    expect_quiet(&mut client).await;
}

#[tokio::test]
async fn the_legacy_protocol_is_refused_over_the_cap_with_the_same_code() {
    let app = small_app().await;
    let mut client = WsClient::connect(&app.base, "graphql-ws").await;
    client
        .send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", app.token) } }))
        .await;
    assert_eq!(message(&mut client).await["type"], "connection_ack");
    for id in ["1", "2", "3", "4"] {
        client
            .send(json!({ "type": "start", "id": id, "payload": { "query": TICKETS } }))
            .await;
    }
    expect_refused(&mut client, "4").await;
    client.send(json!({ "type": "stop", "id": "2" })).await;
    client
        .send(json!({ "type": "start", "id": "4", "payload": { "query": TICKETS } }))
        .await;
    // The legacy protocol has no ping: a query refused after it shows that
    // "4" was taken and holds the third place.
    client
        .send(json!({ "type": "start", "id": "q", "payload": { "query": "{ me { id } }" } }))
        .await;
    expect_refused(&mut client, "q").await;
    fixtures::ticket(&app, json!({ "subject": "Legacy" })).await;
    assert_eq!(next_ids(&mut client, 3).await, ["1", "3", "4"]);
}

#[tokio::test]
async fn a_member_runs_at_most_its_cap_across_sockets_and_closing_frees_the_slots() {
    let app = small_app().await;
    let mut first = WsClient::ready(&app.base, &app.token).await;
    let mut second = WsClient::ready(&app.base, &app.token).await;
    for id in ["1", "2", "3"] {
        first.subscribe(id, TICKETS, json!({})).await;
    }
    expect_quiet(&mut first).await;
    for id in ["1", "2"] {
        second.subscribe(id, TICKETS, json!({})).await;
    }
    expect_quiet(&mut second).await;
    // Five across the member's sockets: the sixth is refused on either.
    second.subscribe("3", TICKETS, json!({})).await;
    expect_refused(&mut second, "3").await;
    // Another member is not affected.
    let mut other = WsClient::ready(&app.base, &app.other_token).await;
    other.subscribe("1", TICKETS, json!({})).await;
    expect_quiet(&mut other).await;

    // Closing a socket gives back its slots: the member can subscribe again.
    first.send(json!({ "type": "complete", "id": "1" })).await;
    expect_quiet(&mut first).await;
    second.subscribe("3", TICKETS, json!({})).await;
    expect_quiet(&mut second).await;
    drop(first);
    drop(second);
    let mut again = WsClient::ready(&app.base, &app.token).await;
    let mut more = WsClient::ready(&app.base, &app.token).await;
    // The server notices the closed sockets when it reads from them; until
    // then their slots are held, so wait for them to be given back (a bound
    // against hanging, not a timing assertion).
    let mut open = 0;
    for _ in 0..200 {
        open = app.counter("rapport_subscriptions_open").await;
        if open == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(open, 1, "only the other member's operation is left");
    for id in ["1", "2", "3"] {
        again.subscribe(id, TICKETS, json!({})).await;
    }
    expect_quiet(&mut again).await;
    for id in ["1", "2"] {
        more.subscribe(id, TICKETS, json!({})).await;
    }
    expect_quiet(&mut more).await;
    more.subscribe("3", TICKETS, json!({})).await;
    expect_refused(&mut more, "3").await;
}

#[tokio::test]
async fn an_oversized_message_closes_the_socket_with_1009() {
    let app = small_app().await;
    let mut client = WsClient::ready(&app.base, &app.token).await;
    // Just under the limit is served.
    let query = format!("{{ me {{ id }} }}{}", " ".repeat(7 * 1024));
    client.subscribe("1", &query, json!({})).await;
    assert_eq!(message(&mut client).await["type"], "next");
    assert_eq!(message(&mut client).await["type"], "complete");
    // Over it, the socket closes with Message Too Big, not a dropped connection.
    let query = format!("{{ me {{ id }} }}{}", " ".repeat(16 * 1024));
    client.subscribe("2", &query, json!({})).await;
    let reason = client.expect_close(1009).await;
    assert!(!reason.is_empty());
    // Before the handshake too.
    let mut client = WsClient::connect(&app.base, "graphql-transport-ws").await;
    client.send_text("x".repeat(9 * 1024)).await;
    client.expect_close(1009).await;
}

on_both_databases!(
    a_role_change_closes_the_members_sockets_and_the_new_role_applies_on_reconnect,
    a_subscribe_runs_with_the_current_role_even_before_the_revocation_arrives,
    an_api_key_socket_acts_as_the_same_key_does_over_http,
);

/// A member of workspace A with `role`: its id and token.
async fn member(app: &TestApp, role: Role) -> (String, String) {
    let token = member_token(&app.state, app.workspace_id, role).await;
    let me = app.gql_as(&token, "{ me { id } }", json!({})).await;
    let id = me["data"]["me"]["id"].as_str().expect("id").to_owned();
    (id, token)
}

async fn set_role(app: &TestApp, id: &str, role: &str) {
    app.data(
        "mutation($id: ID!, $role: Role!) { setMemberRole(id: $id, role: $role) { member { role } } }",
        json!({ "id": id, "role": role }),
    )
    .await;
}

/// A pipeline with one deal worth 5000 EUR.
async fn pipeline_with_a_deal(app: &TestApp) -> (String, Vec<String>, String) {
    let (pipeline, stages) = fixtures::pipeline(app, "Sales").await;
    let deal = fixtures::deal(
        app,
        json!({ "name": "Big one", "amount": "5000", "currency": "EUR", "pipelineId": pipeline }),
    )
    .await;
    (pipeline, stages, deal)
}

/// Asserts operation `id` is refused `FORBIDDEN` (then completes).
async fn expect_forbidden(client: &mut WsClient, id: &str) {
    let refused = client.json().await;
    assert_eq!(refused["id"], id, "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(client.json().await, json!({ "type": "complete", "id": id }));
}

async fn a_role_change_closes_the_members_sockets_and_the_new_role_applies_on_reconnect(
    app: TestApp,
) {
    let (pipeline, stages, deal) = pipeline_with_a_deal(&app).await;
    let (id, token) = member(&app, Role::Manager).await;
    let mut socket = WsClient::ready(&app.base, &token).await;
    let mut idle = WsClient::ready(&app.base, &token).await;
    socket
        .subscribe("p", PIPELINE_EVENTS, json!({ "id": pipeline }))
        .await;
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    let dashboard = socket.next_data("d").await;
    assert_eq!(dashboard["dashboard"]["openValue"][0]["amount"], "5000.00");

    set_role(&app, &id, "SUPPORT").await;
    socket.expect_close(4403).await;
    idle.expect_close(4403).await;

    // The same token still signs the member in, now as SUPPORT.
    let mut socket = WsClient::ready(&app.base, &token).await;
    socket
        .subscribe("p", PIPELINE_EVENTS, json!({ "id": pipeline }))
        .await;
    expect_forbidden(&mut socket, "p").await;
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    expect_forbidden(&mut socket, "d").await;
    socket.subscribe("t", TICKETS, json!({})).await;
    fixtures::mutate(
        &app,
        "mutation($id: ID!, $stage: ID!) { moveDeal(id: $id, stageId: $stage) { deal { id } } }",
        json!({ "id": deal, "stage": stages[1] }),
    )
    .await;
    fixtures::ticket(&app, json!({ "subject": "After the move" })).await;
    // The move is not delivered: the first message is the ticket.
    let ticket = socket.next_data("t").await;
    assert_eq!(
        ticket["ticketEvents"]["ticket"]["subject"],
        "After the move"
    );

    // Setting the role a member already has changes nothing: the socket stays.
    set_role(&app, &id, "SUPPORT").await;
    expect_quiet(&mut socket).await;
}

async fn a_subscribe_runs_with_the_current_role_even_before_the_revocation_arrives(app: TestApp) {
    let (pipeline, _, _) = pipeline_with_a_deal(&app).await;
    let (id, token) = member(&app, Role::Manager).await;
    let mut socket = WsClient::ready(&app.base, &token).await;
    expect_quiet(&mut socket).await;
    // The role changes behind the server's back: no revocation is sent,
    // only the cache is dropped (as after a missed bus message).
    let (_, member_id) = rapport::graphql::ids::decode_any(&id).expect("member id");
    let change = entity::member::ActiveModel {
        role: sea_orm::Set(Role::Support),
        ..Default::default()
    };
    rapport_core::store::update_in_workspace::<entity::member::Entity>(
        &app.state.db,
        app.workspace_id,
        member_id,
        change,
    )
    .await
    .expect("role changed");
    app.state.directory.forget_member(member_id, false);
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    socket.expect_close(4403).await;
}

async fn an_api_key_socket_acts_as_the_same_key_does_over_http(app: TestApp) {
    let (pipeline, _, _) = pipeline_with_a_deal(&app).await;
    let (creator, creator_token) = member(&app, Role::Admin).await;
    let key = app.api_key(&creator_token, "sync", "MANAGER").await;
    let mut socket = WsClient::ready(&app.base, &key).await;
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    socket.next_data("d").await;

    set_role(&app, &creator, "SUPPORT").await;
    let over_http = app
        .gql_as(
            &key,
            "query($id: ID!) { pipelineDashboard(pipelineId: $id) { openValue { amount } } }",
            json!({ "id": pipeline }),
        )
        .await;
    if error_code(&over_http) == "FORBIDDEN" {
        // The key no longer outranks its creator: its socket closes too.
        socket.expect_close(4403).await;
    } else {
        // The key keeps its role over HTTP, and so on its socket.
        assert!(over_http.get("errors").is_none(), "{over_http}");
        socket
            .subscribe("d2", DASHBOARD, json!({ "id": pipeline }))
            .await;
        socket.next_data("d2").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_change_on_one_instance_closes_the_members_sockets_on_another() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let Some(redis) = redis::start() else { return };
    let url = cluster.create_database(None);
    let mut config = Config::for_database(url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = rapport::app::AppState::connect(config)
        .await
        .expect("database ready");
    let (workspace_id, admin) = crate::helpers::workspace(&state, "Instances").await;
    let manager = member_token(&state, workspace_id, Role::Manager).await;
    let redis_url = redis.url();
    let one = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);
    let two = ServerProcess::start(&url, &[("REDIS_URL", &redis_url)]);

    let pipeline = post(
        &one.base,
        &admin,
        "mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id } } }",
        json!({ "input": { "name": "Sales", "stages": [
            { "name": "Open", "winProbability": 10, "kind": "OPEN" },
            { "name": "Won", "winProbability": 100, "kind": "WON" },
            { "name": "Lost", "winProbability": 0, "kind": "LOST" },
        ] } }),
    )
    .await["createPipeline"]["pipeline"]["id"]
        .clone();
    let id = post(&two.base, &manager, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let mut socket = WsClient::ready(&two.base, &manager).await;
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    socket.next_data("d").await;

    post(
        &one.base,
        &admin,
        "mutation($id: ID!) { setMemberRole(id: $id, role: SUPPORT) { member { role } } }",
        json!({ "id": id }),
    )
    .await;
    socket.expect_close(4403).await;
    let mut socket = WsClient::ready(&two.base, &manager).await;
    socket
        .subscribe("d", DASHBOARD, json!({ "id": pipeline }))
        .await;
    expect_forbidden(&mut socket, "d").await;
}
