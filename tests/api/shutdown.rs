//! Stopping a server: in-flight requests get an answer before the process
//! exits, and a write they had not committed does not commit afterwards.

use std::time::Duration;

use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::{Value, json};

use crate::common::postgres;
use crate::common::server::{SECRET, ServerProcess};
use crate::helpers::{error_code, workspace};
use rapport::app::AppState;
use rapport::config::Config;

#[tokio::test]
async fn a_write_in_flight_at_shutdown_is_answered_and_rolled_back() {
    let Some(cluster) = postgres::cluster() else {
        return;
    };
    let url = cluster.create_database(None);
    let database = url.rsplit('/').next().expect("name").to_owned();
    let mut config = Config::for_database(url.clone());
    config.jwt_secret = Some(SECRET.into());
    let state = AppState::connect(config).await.expect("database ready");
    let (workspace_id, token) = workspace(&state, "Stopping").await;
    let mut server = ServerProcess::start(
        &url,
        &[
            ("RAPPORT_SHUTDOWN_GRACE_SECONDS", "2"),
            ("RAPPORT_REQUEST_TIMEOUT_MS", "60000"),
        ],
    );

    // Another session holds the workspace row (where ticket numbers come
    // from): the one-statement createTicket waits on it.
    let blocker = Database::connect(url.clone()).await.expect("blocker");
    let txn = blocker.begin().await.expect("begin");
    txn.execute_raw(Statement::from_sql_and_values(
        sea_orm::DbBackend::Postgres,
        "SELECT id FROM workspace WHERE id = $1 FOR UPDATE",
        [workspace_id.into()],
    ))
    .await
    .expect("row locked");
    let base = server.base.clone();
    let in_flight = tokio::spawn(async move {
        let response = reqwest::Client::new()
            .post(format!("{base}/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": "mutation { createTicket(input: { subject: \"Late\" }) { ticket { number } } }" }))
            .send()
            .await
            .expect("an answer, not a cut connection");
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.expect("JSON"))
    });
    let waiting = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '{database}' AND wait_event_type = 'Lock'"
    );
    wait_until(|| cluster.psql("postgres", &waiting).trim() == "1").await;

    server.terminate();
    let (status, answer) = in_flight.await.expect("joined");
    assert_eq!(status, 503, "{answer}");
    assert_eq!(error_code(&answer), "SHUTTING_DOWN", "{answer}");
    assert!(server.wait_exit(Duration::from_secs(30)).success());
    // The statement died with its process before the row was released.
    wait_until(|| cluster.psql("postgres", &waiting).trim() == "0").await;
    txn.rollback().await.expect("released");
    let tickets = cluster.psql(&database, "SELECT count(*) FROM ticket");
    assert_eq!(tickets.trim(), "0", "the cancelled write did not commit");
}

async fn wait_until(check: impl Fn() -> bool) {
    for _ in 0..300 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the awaited state never came");
}
