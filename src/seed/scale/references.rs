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

/// Every single-column foreign key of the public schema:
/// (table, column, referenced table, referenced column), quoted.
const FOREIGN_KEYS: &str = r#"
SELECT quote_ident(child.relname) AS child, quote_ident(a.attname) AS child_column,
       quote_ident(parent.relname) AS parent, quote_ident(pa.attname) AS parent_column,
       array_length(c.conkey, 1) AS width
FROM pg_constraint c
JOIN pg_class child ON child.oid = c.conrelid
JOIN pg_class parent ON parent.oid = c.confrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
ORDER BY 1, 2"#;

/// Fails when a row refers to a row that does not exist.
pub async fn check(connection: &mut PgConnection) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let keys = sqlx::query(FOREIGN_KEYS)
        .fetch_all(&mut *connection)
        .await?;
    for key in &keys {
        let child: String = key.try_get("child")?;
        let column: String = key.try_get("child_column")?;
        let parent: String = key.try_get("parent")?;
        let parent_column: String = key.try_get("parent_column")?;
        let width: i32 = key.try_get("width")?;
        anyhow::ensure!(
            width == 1,
            "{child}.{column}: a foreign key of {width} columns is not checked by the seed"
        );
        // The names come from the catalog, quoted by `quote_ident`.
        let orphans: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {child} AS c WHERE c.{column} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE p.{parent_column} = c.{column})"
        )))
        .fetch_one(&mut *connection)
        .await?;
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
