//! Foreign keys on PostgreSQL, checked once for the whole seed instead of
//! row by row.
//!
//! PostgreSQL checks a foreign key with a trigger per inserted row: for the
//! activity table that is six index lookups a row, and at a million
//! contacts they took more time than the rows themselves. When the role may
//! set `session_replication_role` (a superuser, or `GRANT SET ON PARAMETER
//! session_replication_role`), the seed's transaction sets it to `replica`,
//! which skips those triggers (the schema has no others), and before the
//! commit runs one anti-join per foreign key of the schema, read from the
//! catalog: a reference to a missing row fails the seed and nothing is
//! written, as the triggers would have. The constraints themselves stay as
//! the migrations made them.

use sea_orm::sqlx::{self, PgConnection, Postgres, Row};
use sea_orm::{DatabaseConnection, DbBackend};

/// Whether the database's role may switch the per-row checks off.
pub async fn may_defer(db: &DatabaseConnection) -> bool {
    if db.get_database_backend() != DbBackend::Postgres {
        return false;
    }
    let allowed = sqlx::query_scalar::<Postgres, bool>(
        "SELECT rolsuper OR has_parameter_privilege('session_replication_role', 'SET') \
         FROM pg_roles WHERE rolname = current_user",
    )
    .fetch_one(db.get_postgres_connection_pool())
    .await;
    allowed.unwrap_or(false)
}

/// Skips the per-row checks for the rest of the transaction.
pub async fn defer(connection: &mut PgConnection) -> anyhow::Result<()> {
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Every foreign key of the public schema: (table, its columns, referenced
/// table, their columns), quoted, the columns in the key's order (a tenant
/// key is `(x_id, workspace_id) -> (id, workspace_id)`, migration 53).
const FOREIGN_KEYS: &str = r#"
SELECT quote_ident(child.relname) AS child, quote_ident(parent.relname) AS parent,
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS child_columns,
       ARRAY(SELECT quote_ident(a.attname) FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS parent_columns
FROM pg_constraint c
JOIN pg_class child ON child.oid = c.conrelid
JOIN pg_class parent ON parent.oid = c.confrelid
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
ORDER BY 1, 3"#;

/// Fails when a row refers to a row that does not exist. A key with a null
/// column refers to nothing (`MATCH SIMPLE`, the constraints' default).
pub async fn check(connection: &mut PgConnection) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let keys = sqlx::query(FOREIGN_KEYS)
        .fetch_all(&mut *connection)
        .await?;
    for key in &keys {
        let child: String = key.try_get("child")?;
        let parent: String = key.try_get("parent")?;
        let columns: Vec<String> = key.try_get("child_columns")?;
        let parent_columns: Vec<String> = key.try_get("parent_columns")?;
        let present: Vec<String> = columns
            .iter()
            .map(|column| format!("c.{column} IS NOT NULL"))
            .collect();
        let matched: Vec<String> = columns
            .iter()
            .zip(&parent_columns)
            .map(|(column, parent_column)| format!("p.{parent_column} = c.{column}"))
            .collect();
        // The names come from the catalog, quoted by `quote_ident`.
        let orphans: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {child} AS c WHERE {} \
             AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {})",
            present.join(" AND "),
            matched.join(" AND ")
        )))
        .fetch_one(&mut *connection)
        .await?;
        let column = columns.first().map_or("", String::as_str);
        anyhow::ensure!(
            orphans == 0,
            "{orphans} rows of {child} refer to a missing {parent} ({column}); nothing was written"
        );
    }
    tracing::info!(
        foreign_keys = keys.len(),
        seconds = started.elapsed().as_secs_f64(),
        "checked every reference"
    );
    Ok(())
}
