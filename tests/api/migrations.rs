//! Migrations run down and up again on both databases.

use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

async fn migrations_roll_back_and_apply_again(app: TestApp) {
    // Not on Citus: migration 54's down puts
    // back triggers, which Citus refuses on distributed tables. Going back
    // past it there means undistributing the tables first, by hand.
    if app.state.citus {
        return;
    }
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

on_both_databases!(
    migrations_roll_back_and_apply_again,
    keys_made_before_the_key_directory_are_found_after_it
);

/// Migration 55 enters the API keys and forms there already are: after
/// going back past it and forward again, both keys still work.
pub(crate) async fn keys_made_before_the_key_directory_are_found_after_it(app: TestApp) {
    let created = app
        .data(
            "mutation { createApiKey(input: { name: \"sync\", role: SUPPORT }) { key } }",
            json!({}),
        )
        .await;
    let key = created["createApiKey"]["key"]
        .as_str()
        .expect("key")
        .to_owned();
    let form = crate::forms::create_form(&app, crate::forms::lead_form(json!({}))).await;
    let once = rapport::db::one_connection(&app.state.config)
        .await
        .expect("a connection");
    Migrator::down(&once, Some(1))
        .await
        .expect("the key directory rolls back");
    once.close().await.expect("closed");
    rapport::db::migrate(&app.state.config, &app.state.db)
        .await
        .expect("and comes back, filled");
    let me = app.gql_as(&key, "{ me { role } }", json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "SUPPORT", "{me}");
    let answers = json!({ "email": "early@acme.test", "first_name": "Early" });
    let posted = crate::forms::post_json(&app, &crate::forms::key(&form), answers, None).await;
    assert!(posted.status().is_success(), "{}", posted.status());
    let found = crate::forms::contacts(&app, "early@acme.test").await;
    assert_eq!(found["totalCount"], 1, "{found}");
}

/// The keys of a migrated PostgreSQL database, as text: every tenant
/// table's primary key, and every foreign key between two tenant tables.
/// The key directory names workspaces but is keyed by the key itself: on
/// Citus it is a reference table, not distributed.
const TENANT_KEYS: &str = r#"
    WITH tenant AS (
        SELECT c.oid FROM pg_class c
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'workspace_id'
        WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace
          AND c.relname <> 'key_directory')
    SELECT con.conrelid::regclass::text || ' ' || pg_get_constraintdef(con.oid) AS key
    FROM pg_constraint con
    WHERE con.conrelid IN (SELECT oid FROM tenant)
      AND (con.contype = 'p' OR (con.contype = 'f' AND con.confrelid IN (SELECT oid FROM tenant)))
    ORDER BY 1"#;

/// Issue 22: Citus distributes every tenant table by `workspace_id` and
/// refuses a key without it, so on PostgreSQL every tenant primary key and
/// every foreign key between tenant tables carries it; a reference to
/// another workspace's record is refused by the database itself.
#[test]
fn every_tenant_key_carries_the_workspace_on_postgres() {
    rapport::runtime::build(Some(2))
        .expect("runtime")
        .block_on(async {
            let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await
            else {
                return;
            };
            use rapport_core::store::across::across_workspaces;
            use sea_orm::{ConnectionTrait, DbBackend, Statement};
            let rows = app
                .state
                .db
                .query_all_raw(Statement::from_string(DbBackend::Postgres, TENANT_KEYS))
                .await
                .expect("the catalog");
            let keys: Vec<String> = rows
                .iter()
                .map(|row| row.try_get::<String>("", "key").expect("text"))
                .collect();
            assert!(keys.len() > 90, "{} keys: {keys:#?}", keys.len());
            let narrow: Vec<&String> = keys
                .iter()
                .filter(|key| !key.contains("workspace_id"))
                .collect();
            assert!(narrow.is_empty(), "keys without the workspace: {narrow:#?}");
            assert!(
                keys.contains(
                    &"contact FOREIGN KEY (company_id, workspace_id) REFERENCES company(id, workspace_id)"
                        .to_owned()
                ),
                "{keys:#?}"
            );
            assert!(keys.contains(&"contact PRIMARY KEY (id, workspace_id)".to_owned()));

            // A contact of workspace A cannot name workspace B's company.
            app.data(
                r#"mutation { createContact(input: { firstName: "Ada", lastName: "Lovelace" }) { contact { id } } }"#,
                json!({}),
            )
            .await;
            let response = app
                .gql_as(
                    &app.other_token,
                    r#"mutation { createCompany(input: { name: "Elsewhere" }) { company { id } } }"#,
                    json!({}),
                )
                .await;
            assert!(response["errors"].is_null(), "{response}");
            let crossing = format!(
                "UPDATE contact SET company_id = (SELECT id FROM company WHERE workspace_id <> '{0}' LIMIT 1) \
                 WHERE workspace_id = '{0}'",
                app.workspace_id
            );
            // Reading another workspace's company is cross-workspace work.
            let refused = across_workspaces(&app.state.db, async |txn| {
                txn.execute_raw(Statement::from_string(DbBackend::Postgres, crossing))
                    .await
            })
            .await
            .expect_err("a key across workspaces is refused");
            assert!(refused.to_string().contains("foreign key"), "{refused}");
        });
}
