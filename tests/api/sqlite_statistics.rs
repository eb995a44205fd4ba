//! A SQLite database the server runs on has the planner's statistics, so a
//! correlated look-up reads its key's index rather than the one its
//! `ORDER BY` matches (without them, a contact's latest survey answer walked
//! every answer of the workspace; BENCHMARKS.md, "SQLite at 100,000
//! contacts").

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::common::server::ServerProcess;

/// Column `column` of every row `sql` answers, as text.
async fn texts(db: &DatabaseConnection, sql: &str, column: usize) -> Vec<String> {
    let statement = Statement::from_string(db.get_database_backend(), sql);
    db.query_all_raw(statement)
        .await
        .expect("query")
        .iter()
        .map(|row| row.try_get_by_index::<String>(column).unwrap_or_default())
        .collect()
}

/// Whether the database has a statistics table (`ANALYZE` made one).
async fn analyzed(db: &DatabaseConnection) -> bool {
    let table = "SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'";
    !texts(db, table, 0).await.is_empty()
}

#[tokio::test]
async fn a_started_server_leaves_sqlite_with_planner_statistics() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/rapport.db?mode=rwc", dir.path().display());
    // A database with the demo year in it, and then without statistics, as
    // one written before this server version or by another program has.
    let mut seeding = ServerProcess::start_with_args(&url, &["serve"], &[]);
    seeding.terminate();
    seeding.wait_exit(Duration::from_secs(30));
    let db = sea_orm::Database::connect(url.as_str()).await.expect("db");
    if analyzed(&db).await {
        db.execute_unprepared("DELETE FROM sqlite_stat1")
            .await
            .expect("statistics forgotten");
    }
    db.close().await.expect("closed");

    let _server = ServerProcess::start(&url, &[]);
    let db = sea_orm::Database::connect(url.as_str()).await.expect("db");
    assert!(analyzed(&db).await, "the server analyzed nothing");
    let tables = texts(&db, "SELECT DISTINCT tbl FROM sqlite_stat1", 0).await;
    for table in ["contact", "company", "deal", "ticket", "survey_response"] {
        assert!(tables.iter().any(|t| t == table), "{table}: {tables:?}");
    }
    let plan = texts(
        &db,
        r#"EXPLAIN QUERY PLAN SELECT (SELECT "s"."score" FROM "survey_response" AS "s" WHERE "s"."workspace_id" = "c"."workspace_id" AND "s"."contact_id" = "c"."id" AND "s"."deleted_at" IS NULL AND "s"."kind" = 'NPS' ORDER BY "s"."responded_at" DESC, "s"."id" DESC LIMIT 1) FROM "contact" AS "c""#,
        3,
    )
    .await;
    assert!(
        plan.iter()
            .any(|step| step.contains("ix_survey_response_contact_id_kind_responded_at")),
        "the latest answer is read by contact: {plan:?}"
    );
}
