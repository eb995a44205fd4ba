//! The command line as operators write it: settings after the subcommand,
//! and boolean settings as `1/0/true/false/yes/no`.

use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::common::JsonAnswer;
use crate::common::server::{SECRET, ServerProcess};

#[tokio::test]
async fn settings_after_the_subcommand_and_boolish_values_are_accepted() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    // `--bind` after `serve`, `RAPPORT_NO_DEMO=1`, `--introspection=No` (any case).
    let server = ServerProcess::start_with_args(
        &url,
        &["serve", "--bind", "127.0.0.1:0", "--introspection=No"],
        &[("RAPPORT_NO_DEMO", "1"), ("RAPPORT_JWT_SECRET", SECRET)],
    );
    let answer: Value = reqwest::Client::new()
        .post(format!("{}/graphql", server.base))
        .json(&json!({ "query": "{ __schema { types { name } } }" }))
        .answer()
        .await;
    assert!(answer["data"]["__schema"].is_null(), "{answer}");
    let db = sea_orm::Database::connect(url.as_str()).await.expect("db");
    let workspaces = entity::workspace::Entity::find()
        .count(&db)
        .await
        .expect("count");
    assert_eq!(workspaces, 0, "RAPPORT_NO_DEMO=1 seeded nothing");
}
