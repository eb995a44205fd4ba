//! Migrations run down and up again on both databases.

use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

async fn migrations_roll_back_and_apply_again(app: TestApp) {
    Migrator::down(&app.state.db, None)
        .await
        .expect("every migration rolls back");
    Migrator::up(&app.state.db, None)
        .await
        .expect("and applies again");
    let response = app.gql("{ companies { totalCount } }", json!({})).await;
    assert_eq!(response["data"]["companies"]["totalCount"], 0, "{response}");
}

on_both_databases!(migrations_roll_back_and_apply_again);
