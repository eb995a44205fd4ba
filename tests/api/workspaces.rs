//! Provisioning: `createWorkspace` behind the operator key, `rapport
//! workspace create|delete`, and deleting a workspace whole.

use std::collections::BTreeMap;

use rapport::config::Config;
use rapport_core::ops::contact::{self, NewContact};
use rapport_core::ops::workspace::{self, tenant_tables as tables_of_a_workspace};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::fixtures;
use crate::helpers::{Backend, TestApp, error_code, on_both_databases, spawn_app};

const OPERATOR_KEY: &str = "an-operator-key-for-the-tests";

fn operator_key(config: &mut Config) {
    config.operator_key = Some(OPERATOR_KEY.into());
}

on_both_databases!(with operator_key; the_operator_creates_a_workspace_its_admin_can_enter);
on_both_databases!(
    without_an_operator_key_nobody_creates_workspaces,
    deleting_a_workspace_removes_all_of_it_and_nothing_else
);

const CREATE: &str = "mutation($name: String!, $email: String!) { createWorkspace(name: $name, adminEmail: $email) { workspaceId name adminId adminEmail invitationCode } }";

/// `createWorkspace` sent with `authorization` (none when empty).
async fn create_workspace(app: &TestApp, authorization: &str, name: &str) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .json(&json!({
            "query": CREATE,
            "variables": { "name": name, "email": "Boss@Example.com" },
        }));
    if !authorization.is_empty() {
        request = request.header("authorization", authorization);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn the_operator_creates_a_workspace_its_admin_can_enter(app: TestApp) {
    let created = create_workspace(&app, &format!("Operator {OPERATOR_KEY}"), "Acme").await;
    let payload = &created["data"]["createWorkspace"];
    assert_eq!(payload["name"], "Acme", "{created:#}");
    assert_eq!(payload["adminEmail"], "boss@example.com");
    // The admin redeems the invitation and works in the new workspace only.
    let accepted = app
        .gql_as(
            "",
            "mutation($ws: ID!, $code: String!) { acceptInvitation(workspaceId: $ws, email: \"boss@example.com\", code: $code, password: \"a long enough password 1\") { token member { role } } }",
            json!({ "ws": payload["workspaceId"], "code": payload["invitationCode"] }),
        )
        .await;
    let accepted = &accepted["data"]["acceptInvitation"];
    assert_eq!(accepted["member"]["role"], "ADMIN", "{accepted:#}");
    let token = accepted["token"].as_str().unwrap();
    let contacts = app
        .gql_as(token, "{ contacts { totalCount } }", json!({}))
        .await;
    assert_eq!(
        contacts["data"]["contacts"]["totalCount"], 0,
        "{contacts:#}"
    );

    // A wrong key, a member's token, or none: refused, nothing created.
    for authorization in [
        "Operator not-the-key".to_owned(),
        format!("Bearer {}", app.token),
        String::new(),
    ] {
        let refused = create_workspace(&app, &authorization, "Intruder").await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{refused:#}");
    }
    let bad = create_workspace(&app, &format!("Operator {OPERATOR_KEY}"), "  ").await;
    assert_eq!(error_code(&bad), "BAD_USER_INPUT");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "name");
}

async fn without_an_operator_key_nobody_creates_workspaces(app: TestApp) {
    for authorization in [format!("Operator {OPERATOR_KEY}"), "Operator ".to_owned()] {
        let refused = create_workspace(&app, &authorization, "Acme").await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{refused:#}");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("RAPPORT_OPERATOR_KEY")
        );
    }
}

/// The tables with a `workspace_id` column, read from the database itself.
async fn tenant_tables(db: &DatabaseConnection) -> Vec<String> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Sqlite => {
            "SELECT m.name AS t FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name = 'workspace_id' ORDER BY 1"
        }
        _ => {
            "SELECT table_name::text AS t FROM information_schema.columns WHERE column_name = 'workspace_id' AND table_schema = current_schema() ORDER BY 1"
        }
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "t").unwrap())
        .collect()
}

/// Rows of `workspace` per table (and its own row under "workspace").
async fn rows_of(db: &DatabaseConnection, workspace: Uuid) -> BTreeMap<&'static str, i64> {
    let mut counts = BTreeMap::new();
    for table in tables_of_a_workspace(db.get_database_backend())
        .into_iter()
        .chain(["workspace"])
    {
        let column = if table == "workspace" {
            "id"
        } else {
            "workspace_id"
        };
        let select = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "n")
            .from(table)
            .and_where(Expr::col(column).eq(workspace))
            .to_owned();
        let row = db
            .query_one_raw(db.get_database_backend().build(&select))
            .await
            .unwrap()
            .unwrap();
        counts.insert(table, row.try_get::<i64>("", "n").unwrap());
    }
    counts
}

async fn deleting_a_workspace_removes_all_of_it_and_nothing_else(app: TestApp) {
    let mut listed = tenant_tables(&app.state.db).await;
    let mut known: Vec<String> = tables_of_a_workspace(app.state.db.get_database_backend())
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    listed.sort();
    known.sort();
    assert_eq!(
        listed, known,
        "every table of a workspace's rows is deleted with it"
    );

    // Workspace A: records, links, stage history, events, history.
    fixtures::world(&app, 2, 2, 1, 1).await;
    app.data(
        "mutation($id: ID!) { addTags(recordId: $id, names: [\"vip\"]) { name } }",
        json!({ "id": fixtures::contact(&app, json!({ "firstName": "Tagged" })).await }),
    )
    .await;
    // Another workspace with rows of its own.
    let other = workspace::create(&app.state.core, "Other", "owner@other.test")
        .await
        .unwrap();
    let owner = workspace::admin_actor(&app.state.core, other.workspace.id)
        .await
        .unwrap();
    for i in 0..3 {
        contact::create(&app.state.core, &owner, new_contact(i))
            .await
            .unwrap();
    }
    let before_a = rows_of(&app.state.db, app.workspace_id).await;
    let before_other = rows_of(&app.state.db, other.workspace.id).await;
    for table in [
        "company",
        "contact",
        "deal",
        "deal_contact",
        "deal_stage_change",
        "ticket",
        "event",
        "record_change",
        "tagging",
        "member",
    ] {
        assert!(before_a[table] > 0, "workspace A has {table} rows");
    }

    let deleted = workspace::delete(&app.state.core, app.workspace_id)
        .await
        .unwrap();
    let total: u64 = deleted.rows.iter().map(|(_, n)| n).sum();
    assert_eq!(total as i64, before_a.values().sum::<i64>());
    let after_a = rows_of(&app.state.db, app.workspace_id).await;
    assert!(after_a.values().all(|n| *n == 0), "{after_a:?}");
    assert_eq!(
        rows_of(&app.state.db, other.workspace.id).await,
        before_other
    );
    let again = workspace::delete(&app.state.core, app.workspace_id).await;
    assert!(
        matches!(again, Err(rapport_core::CoreError::NotFound(_))),
        "{again:?}"
    );
}

fn new_contact(i: usize) -> NewContact {
    fixtures::new_contact(
        &format!("Other {i}"),
        "Person",
        &format!("other{i}@other.test"),
    )
}

/// `rapport ARGS` against the app's database: (success, stdout, stderr).
fn rapport(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(args)
        .env("DATABASE_URL", &app.state.config.database_url)
        .env("RAPPORT_LOG_FORMAT", "json")
        .output()
        .expect("rapport runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn the_workspace_commands_create_and_delete() {
    let app = spawn_app(Backend::Sqlite).await.expect("sqlite app");
    let (ok, out, err) = rapport(
        &app,
        &[
            "workspace",
            "create",
            "Acme Inc",
            "--admin",
            "boss@acme.test",
        ],
    );
    assert!(ok, "{err}");
    let line = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}:")))
            .unwrap_or_else(|| panic!("{name} in {out}"))
            .trim()
            .to_owned()
    };
    let (id, uuid, code, token) = (
        line("workspace"),
        line("uuid"),
        line("invitation"),
        line("token"),
    );
    assert!(code.starts_with("inv_"), "{code}");
    // The printed token works at once; the invitation is redeemable.
    let me = app
        .gql_as(&token, "{ contacts { totalCount } }", json!({}))
        .await;
    assert_eq!(me["data"]["contacts"]["totalCount"], 0, "{me:#}");
    let accepted = app
        .gql_as(
            "",
            "mutation($ws: ID!, $code: String!) { acceptInvitation(workspaceId: $ws, email: \"boss@acme.test\", code: $code, password: \"a long enough password 1\") { member { role } } }",
            json!({ "ws": id, "code": code }),
        )
        .await;
    assert_eq!(
        accepted["data"]["acceptInvitation"]["member"]["role"], "ADMIN",
        "{accepted:#}"
    );

    let (ok, _, err) = rapport(&app, &["workspace", "create", "", "--admin", "x@acme.test"]);
    assert!(!ok && err.contains("name"), "{err}");
    let (ok, out, err) = rapport(&app, &["workspace", "delete", &id]);
    assert!(ok, "{err}");
    assert!(out.contains(&uuid), "{out}");
    let uuid: Uuid = uuid.parse().unwrap();
    assert!(rows_of(&app.state.db, uuid).await.values().all(|n| *n == 0));
    let (ok, _, err) = rapport(&app, &["workspace", "delete", &uuid.to_string()]);
    assert!(
        !ok && err.contains("not found"),
        "an unknown id is refused: {err}"
    );
}
