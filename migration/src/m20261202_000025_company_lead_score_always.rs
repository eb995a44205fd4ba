//! A company's lead score is never null: 0 without live contacts, like a
//! contact's own score (issue 15, item 13: `Company.leadScore` was nullable
//! while `Contact.leadScore` was not). The column is re-made `NOT NULL
//! DEFAULT 0` (SQLite cannot change a column's default or nullability in
//! place, so it is dropped and added again, on both databases alike), filled
//! from the contacts, and sorted by a plain index: without NULLs the
//! `DESC NULLS LAST` companion of migration 17 has nothing left to do.

use crate::columns::run_batch;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEX: &str = "ix_company_figure_lead_score";

/// The highest score among the company's live contacts, NULL without any.
const HIGHEST: &str = r#"(SELECT MAX("x"."lead_score") FROM "contact" AS "x" WHERE "x"."workspace_id" = "company"."workspace_id" AND "x"."company_id" = "company"."id" AND "x"."deleted_at" IS NULL)"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let statements = [
            remake_column("INTEGER NOT NULL DEFAULT 0"),
            format!(
                r#"UPDATE "company" SET "lead_score" = COALESCE({HIGHEST}, 0) WHERE EXISTS (SELECT 1 FROM "contact" AS "x" WHERE "x"."workspace_id" = "company"."workspace_id" AND "x"."company_id" = "company"."id" AND "x"."deleted_at" IS NULL)"#
            ),
            index(false, backend),
        ];
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let statements = [
            remake_column("INTEGER NULL"),
            format!(r#"UPDATE "company" SET "lead_score" = {HIGHEST}"#),
            index(false, backend),
            index(true, backend),
        ];
        run_batch(manager, &statements).await
    }
}

/// Drops the column (and the indexes on it) and adds it again as `definition`.
fn remake_column(definition: &str) -> String {
    format!(
        r#"DROP INDEX IF EXISTS "{INDEX}"; DROP INDEX IF EXISTS "{INDEX}_desc"; ALTER TABLE "company" DROP COLUMN "lead_score"; ALTER TABLE "company" ADD COLUMN "lead_score" {definition}"#
    )
}

/// The sort index of migration 17; `descending` is its NULLS LAST companion.
fn index(descending: bool, backend: DbBackend) -> String {
    let (name, order) = match (descending, backend) {
        (false, _) => (INDEX.to_owned(), r#""lead_score", "id""#),
        (true, DbBackend::Postgres) => (
            format!("{INDEX}_desc"),
            r#""lead_score" DESC NULLS LAST, "id" DESC"#,
        ),
        (true, _) => (format!("{INDEX}_desc"), r#""lead_score" DESC, "id" DESC"#),
    };
    format!(
        r#"CREATE INDEX "{name}" ON "company" ("workspace_id", {order}) WHERE "deleted_at" IS NULL"#
    )
}
