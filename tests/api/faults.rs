//! Answers that tell the truth when something fails: an `Idempotency-Key`
//! exists exactly when its write committed, a timed-out write does not
//! commit behind the client's back, a replay never outlives the role it was
//! produced under, and a database that cannot serve answers `UNAVAILABLE`
//! (503, `Retry-After`) at once instead of hanging.

use std::time::Duration;

use chrono::Utc;
use entity::enums::Role;
use entity::idempotency_key;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, Set, Statement, TransactionTrait};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::common::postgres;
use crate::helpers::{
    Backend, TestApp, database_name, error_code, member_token, on_both_databases, spawn_app_with,
};

on_both_databases!(
    a_key_whose_request_wrote_nothing_runs_again,
    a_committed_write_whose_response_was_lost_says_so,
    a_replay_is_refused_after_the_senders_role_changed,
);

const CREATE_COMPANY: &str =
    "mutation($name: String!) { createCompany(input: { name: $name }) { company { id name } } }";

/// POSTs `body` (sent byte for byte, so its hash is known) with `key`.
pub async fn post_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, bool, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).expect("JSON"))
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (status, replayed, response.json().await.expect("JSON"))
}

pub async fn companies(app: &TestApp) -> i64 {
    app.data("{ companies { totalCount } }", json!({})).await["companies"]["totalCount"]
        .as_i64()
        .expect("count")
}

async fn a_key_whose_request_wrote_nothing_runs_again(app: TestApp) {
    // The first attempt is refused before it writes: no claim is left behind.
    let refused = json!({ "query": CREATE_COMPANY, "variables": { "name": "  " } });
    let (status, replayed, first) = post_with_key(&app, &app.token, "k-empty", &refused).await;
    assert_eq!((status, replayed), (200, false), "{first}");
    assert_eq!(error_code(&first), "BAD_USER_INPUT", "{first}");
    let (_, replayed, again) = post_with_key(&app, &app.token, "k-empty", &refused).await;
    assert!(
        !replayed,
        "nothing was written, so nothing is replayed: {again}"
    );
    // A query writes nothing either.
    let read = json!({ "query": "{ companies { totalCount } }" });
    let (_, replayed, _) = post_with_key(&app, &app.token, "k-read", &read).await;
    let (_, replayed_again, _) = post_with_key(&app, &app.token, "k-read", &read).await;
    assert!(!replayed && !replayed_again);
    assert_eq!(companies(&app).await, 0);
}

/// Hex SHA-256, as the server hashes request bodies.
fn hash(body: &Value) -> String {
    Sha256::digest(serde_json::to_vec(body).expect("JSON"))
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn a_committed_write_whose_response_was_lost_says_so(app: TestApp) {
    // What a process killed between its commit and storing its response
    // leaves: the claim, committed with the write, and no response.
    let body = json!({ "query": CREATE_COMPANY, "variables": { "name": "Acme" } });
    let me = app.data("{ me { id } }", json!({})).await;
    let (_, member) =
        rapport::graphql::ids::decode_any(me["me"]["id"].as_str().expect("id")).expect("member id");
    let an_hour_ago = Utc::now() - chrono::Duration::hours(1);
    idempotency_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        workspace_id: Set(app.workspace_id),
        actor: Set(format!("member:{member}")),
        key: Set("k-lost".into()),
        request_hash: Set(hash(&body)),
        status: Set(None),
        response: Set(None),
        role: Set(Some("ADMIN".into())),
        created_at: Set(an_hour_ago),
        updated_at: Set(an_hour_ago),
    }
    .insert(&app.state.db)
    .await
    .expect("claim");
    let (status, replayed, answer) = post_with_key(&app, &app.token, "k-lost", &body).await;
    assert_eq!((status, replayed), (409, false), "{answer}");
    assert_eq!(error_code(&answer), "IDEMPOTENCY_RESPONSE_LOST", "{answer}");
    assert_eq!(companies(&app).await, 0, "the retry did not write again");
}

async fn a_replay_is_refused_after_the_senders_role_changed(app: TestApp) {
    let manager = member_token(&app.state, app.workspace_id, Role::Manager).await;
    let me = app.gql_as(&manager, "{ me { id } }", json!({})).await;
    let manager_id = me["data"]["me"]["id"].clone();
    let body = json!({ "query": CREATE_COMPANY, "variables": { "name": "Globex" } });
    let (status, _, first) = post_with_key(&app, &manager, "k-role", &body).await;
    assert_eq!(status, 200, "{first}");
    let (_, replayed, _) = post_with_key(&app, &manager, "k-role", &body).await;
    assert!(replayed, "the same role gets the stored response");

    let demoted = app
        .gql(
            "mutation($id: ID!) { setMemberRole(id: $id, role: SALES) { member { role } } }",
            json!({ "id": manager_id }),
        )
        .await;
    assert_eq!(
        demoted["data"]["setMemberRole"]["member"]["role"], "SALES",
        "{demoted}"
    );
    let (status, replayed, answer) = post_with_key(&app, &manager, "k-role", &body).await;
    assert_eq!((status, replayed), (409, false), "{answer}");
    assert_eq!(error_code(&answer), "IDEMPOTENCY_ROLE_CHANGED", "{answer}");
    assert_eq!(companies(&app).await, 1);
}

/// Waits (bounded) until `check` holds, polling.
pub(crate) async fn eventually<F: AsyncFn() -> bool>(what: &str, check: F) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen");
}

#[tokio::test]
async fn a_timed_out_write_is_cancelled_in_the_database_and_its_key_runs_again() {
    let Some(app) = spawn_app_with(Backend::Postgres, |c| c.request_timeout_ms = 500).await else {
        return;
    };
    let cluster = postgres::cluster().expect("cluster");
    let database = database_name(&app.state.config.database_url);
    // Another session holds the workspace row (where ticket numbers come
    // from), so the one-statement createTicket waits past the time limit.
    let blocker = Database::connect(app.state.config.database_url.clone())
        .await
        .expect("blocker connects");
    let txn = blocker.begin().await.expect("begin");
    txn.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT id FROM workspace WHERE id = $1 FOR UPDATE",
        [app.workspace_id.into()],
    ))
    .await
    .expect("row locked");

    let body = json!({ "query": "mutation { createTicket(input: { subject: \"Printer\" }) { ticket { number } } }" });
    let (status, _, answer) = post_with_key(&app, &app.token, "k-slow", &body).await;
    assert_eq!(status, 503, "{answer}");
    assert_eq!(error_code(&answer), "TIMEOUT", "{answer}");
    // The database gave up the statement too: nothing is left waiting for
    // the row, so releasing it cannot let the write through.
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND wait_event_type = 'Lock'"
    );
    eventually("the statement's cancellation", async || {
        cluster.psql("postgres", &waiting).trim() == "0"
    })
    .await;
    txn.rollback().await.expect("released");

    let tickets = "{ tickets { totalCount } }";
    assert_eq!(
        app.data(tickets, json!({})).await["tickets"]["totalCount"],
        0
    );
    let (status, replayed, created) = post_with_key(&app, &app.token, "k-slow", &body).await;
    assert_eq!(
        (status, replayed),
        (200, false),
        "the retry runs: {created}"
    );
    let (_, replayed, again) = post_with_key(&app, &app.token, "k-slow", &body).await;
    assert!(replayed);
    assert_eq!(again, created);
    assert_eq!(
        app.data(tickets, json!({})).await["tickets"]["totalCount"],
        1
    );
}

#[tokio::test]
async fn an_unreachable_database_answers_unavailable_at_once() {
    let Some(app) = spawn_app_with(Backend::Postgres, |c| c.db_acquire_timeout_ms = 300).await
    else {
        return;
    };
    let cluster = postgres::cluster().expect("cluster");
    let database = database_name(&app.state.config.database_url);
    // Authenticate once while the database is up (credentials are cached);
    // a second member's token is never seen before the outage.
    assert_eq!(companies(&app).await, 0);
    let unseen = member_token(&app.state, app.workspace_id, Role::Sales).await;
    cluster.psql(
        "postgres",
        &format!(
            "ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS false; \
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'"
        ),
    );

    for body in [
        json!({ "query": "{ companies { totalCount } }" }),
        json!({ "query": CREATE_COMPANY, "variables": { "name": "Initech" } }),
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&app.token)
            .json(&body)
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status().as_u16(), 503);
        assert!(response.headers().contains_key("retry-after"));
        let answer: Value = response.json().await.expect("JSON");
        assert_eq!(error_code(&answer), "UNAVAILABLE", "{answer}");
    }
    // A credential that cannot be checked is not "unauthenticated".
    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&unseen)
        .json(&json!({ "query": "{ me { id } }" }))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 503);
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&answer), "UNAVAILABLE", "{answer}");
    let ready = app
        .client
        .get(format!("{}/readyz", app.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(ready.status().as_u16(), 503);

    cluster.psql(
        "postgres",
        &format!("ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS true"),
    );
    eventually("recovery", async || {
        let answer = app.gql("{ companies { totalCount } }", json!({})).await;
        answer["data"]["companies"]["totalCount"] == 0
    })
    .await;
}
