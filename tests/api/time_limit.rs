//! A request's time limit stops its statements in PostgreSQL: once the
//! server has answered `TIMEOUT`, none of its statements is left waiting
//! or running for nobody. And the server's PostgreSQL sessions are set up
//! as its reads need (no JIT compilation).

use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::json;

use crate::common::postgres;
use crate::faults;
use crate::helpers::{Backend, database_name, error_code, spawn_app_with};

/// Polls (bounded, generously) until `sql` answers `expected`, sleeping
/// asynchronously so the server (on this runtime) goes on meanwhile.
async fn eventually(cluster: &postgres::PgCluster, sql: &str, expected: &str, what: &str) {
    let what = format!("{what}: {sql} answering {expected}");
    faults::eventually(&what, async || {
        cluster.psql("postgres", sql).trim() == expected
    })
    .await
}

#[tokio::test]
async fn a_timed_out_read_leaves_no_statement_waiting_in_postgres() {
    let Some(app) = spawn_app_with(Backend::Postgres, |c| c.request_timeout_ms = 400).await else {
        return;
    };
    let cluster = postgres::cluster().expect("cluster");
    let database = database_name(&app.state.config.database_url);
    // Sign in once while nothing is locked (credentials are then cached).
    app.data("{ companies { totalCount } }", json!({})).await;

    // Another session takes the contact table, so the server's read waits.
    let blocker = Database::connect(app.state.config.database_url.clone())
        .await
        .expect("blocker connects");
    let txn = blocker.begin().await.expect("begin");
    txn.execute_raw(Statement::from_string(
        sea_orm::DbBackend::Postgres,
        "LOCK TABLE contact IN ACCESS EXCLUSIVE MODE",
    ))
    .await
    .expect("table locked");
    let blocker_pid = txn
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_backend_pid()::bigint AS pid",
        ))
        .await
        .expect("pid")
        .expect("a row")
        .try_get::<i64>("", "pid")
        .expect("pid");
    let others = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND pid <> {blocker_pid} \
         AND backend_type = 'client backend'"
    );
    let waiting = format!("{others} AND wait_event_type = 'Lock'");
    let running = format!("{others} AND state <> 'idle'");

    let response = app
        .client
        .post(format!("{}/graphql", app.base))
        .bearer_auth(&app.token)
        .json(&json!({ "query": "{ contacts(first: 5) { nodes { id } } }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 503);
    let answer: serde_json::Value = response.json().await.expect("JSON");
    assert_eq!(error_code(&answer), "TIMEOUT", "{answer}");

    // With the lock still held: nothing of the server's waits for it or
    // runs any more.
    eventually(cluster, &waiting, "0", "the timed-out read stopped waiting").await;
    eventually(cluster, &running, "0", "no statement of the server runs").await;
    txn.rollback().await.expect("released");

    // The pool recovers: the same read answers once the table is free.
    let data = app
        .data("{ contacts(first: 5) { nodes { id } } }", json!({}))
        .await;
    assert!(data["contacts"]["nodes"].is_array(), "{data}");
}

#[tokio::test]
async fn the_servers_postgres_sessions_compile_no_plans() {
    let Some(app) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let row = app
        .state
        .db
        .query_one_raw(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT current_setting('jit') AS jit",
        ))
        .await
        .expect("asked")
        .expect("a row");
    assert_eq!(row.try_get::<String>("", "jit").expect("jit"), "off");
}
