//! A lead scoring rule's and a trigger rule's name is unique among the
//! workspace's live rules of its kind: running the same set-up twice (a
//! README example, a provisioning script) refuses the second copy instead of
//! doubling every score or every task. Data written before may hold live
//! duplicates: then that index is left off (nothing is changed or deleted),
//! the migration logs the count, and the operations refuse new duplicates
//! all the same.

use crate::columns::run_batch;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// `(index, table)` of each unique name.
const NAMES: [(&str, &str); 2] = [
    ("ux_lead_scoring_rule_name_live", "lead_scoring_rule"),
    ("ux_trigger_rule_name_live", "trigger_rule"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut statements = Vec::new();
        for (index, table) in NAMES {
            let duplicated = db
                .query_one_raw(Statement::from_string(
                    backend,
                    format!(
                        r#"SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "one" FROM "{table}" WHERE "deleted_at" IS NULL GROUP BY "workspace_id", "name" HAVING COUNT(*) > 1) AS "d""#
                    ),
                ))
                .await?
                .map(|row| row.try_get::<i64>("", "n"))
                .transpose()?
                .unwrap_or(0);
            if duplicated == 0 {
                statements.push(format!(
                    r#"CREATE UNIQUE INDEX "{index}" ON "{table}" ("workspace_id", "name") WHERE "deleted_at" IS NULL"#
                ));
            } else {
                tracing::warn!(
                    table,
                    duplicated,
                    "rule names used by more than one live rule: their unique index is left off until they are renamed or deleted"
                );
            }
        }
        if statements.is_empty() {
            return Ok(());
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements: Vec<String> = NAMES
            .iter()
            .map(|(index, _)| format!(r#"DROP INDEX IF EXISTS "{index}""#))
            .collect();
        run_batch(manager, &statements).await
    }
}
