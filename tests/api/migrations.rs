//! Migrations run down and up again on both databases.

use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

async fn migrations_roll_back_and_apply_again(app: TestApp) {
    // On one connection, as the server migrates (see `db::migrate`).
    let once = rapport::db::one_connection(&app.state.config)
        .await
        .expect("a connection");
    Migrator::down(&once, None)
        .await
        .expect("every migration rolls back");
    Migrator::up(&once, None).await.expect("and applies again");
    once.close().await.expect("closed");
    // The tables came back empty: a new workspace and admin to ask with.
    let (_, token) = crate::helpers::workspace(&app.state, "After").await;
    let response = app
        .gql_as(&token, "{ companies { totalCount } }", json!({}))
        .await;
    assert_eq!(response["data"]["companies"]["totalCount"], 0, "{response}");
}

on_both_databases!(migrations_roll_back_and_apply_again);
