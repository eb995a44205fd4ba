//! Uniqueness among live records, merges, and the indexes duplicate
//! detection joins on.
//!
//! - A contact's email is unique among the workspace's live contacts (it was
//!   unique among all, so a deleted contact's email could never be used
//!   again); the partial index cannot fail on existing data, which the full
//!   one already kept unique.
//! - A company's domain is unique among the workspace's live companies. Data
//!   written before may hold live duplicates: then the unique index is left
//!   off (nothing is changed or deleted, so nothing is lost), the migration
//!   logs the count, the operations refuse new duplicates all the same, and
//!   `duplicateCompanies` lists the pairs (reason `SAME_DOMAIN`) to merge.
//! - `merged_into` on contacts and companies: the survivor of a merge.
//! - Indexes for the detection's self-joins, each over the live set: phone,
//!   email without its `+tag`, family name per company, company name key
//!   (the expressions of `entity::match_key`).

use crate::columns::run_batch;
use entity::match_key;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement};

#[derive(DeriveMigrationName)]
pub struct Migration;

const LIVE: &str = r#"WHERE "deleted_at" IS NULL"#;

/// `(name, table, columns, condition beyond liveness)` of the detection indexes.
fn detection_indexes(
    backend: DbBackend,
) -> Vec<(&'static str, &'static str, String, &'static str)> {
    vec![
        (
            "ix_contact_dedupe_phone",
            "contact",
            r#""workspace_id", "phone""#.to_owned(),
            r#"AND "phone" IS NOT NULL"#,
        ),
        (
            "ix_contact_dedupe_email",
            "contact",
            format!(
                r#""workspace_id", {}"#,
                match_key::contact_email(backend, "")
            ),
            r#"AND "email" IS NOT NULL"#,
        ),
        (
            "ix_contact_dedupe_name",
            "contact",
            format!(
                r#""workspace_id", "company_id", {}"#,
                match_key::contact_last_name("")
            ),
            r#"AND "company_id" IS NOT NULL"#,
        ),
        (
            "ix_company_dedupe_name",
            "company",
            format!(r#""workspace_id", {}"#, match_key::company_name("")),
            "",
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let backend = manager.get_database_backend();
        let mut statements = vec![
            r#"ALTER TABLE "contact" ADD COLUMN "merged_into" uuid NULL"#.to_owned(),
            r#"ALTER TABLE "company" ADD COLUMN "merged_into" uuid NULL"#.to_owned(),
            r#"DROP INDEX IF EXISTS "ix_contact_email""#.to_owned(),
            format!(
                r#"CREATE UNIQUE INDEX "ux_contact_email_live" ON "contact" ("workspace_id", "email") {LIVE} AND "email" IS NOT NULL"#
            ),
        ];
        let duplicated = db
            .query_one_raw(Statement::from_string(
                backend,
                r#"SELECT COUNT(*) AS "n" FROM (SELECT 1 AS "one" FROM "company" WHERE "deleted_at" IS NULL AND "domain" IS NOT NULL GROUP BY "workspace_id", "domain" HAVING COUNT(*) > 1) AS "d""#,
            ))
            .await?
            .map(|row| row.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        if duplicated == 0 {
            statements.push(format!(
                r#"CREATE UNIQUE INDEX "ux_company_domain_live" ON "company" ("workspace_id", "domain") {LIVE} AND "domain" IS NOT NULL"#
            ));
        } else {
            tracing::warn!(
                duplicated,
                "company domains used by more than one live company: the unique index on company domains is left off until they are merged"
            );
        }
        for (name, table, columns, condition) in detection_indexes(backend) {
            statements.push(format!(
                r#"CREATE INDEX "{name}" ON "{table}" ({columns}) {LIVE} {condition}"#
            ));
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut statements: Vec<String> = detection_indexes(backend)
            .into_iter()
            .map(|(name, ..)| format!(r#"DROP INDEX IF EXISTS "{name}""#))
            .collect();
        statements.extend([
            r#"DROP INDEX IF EXISTS "ux_company_domain_live""#.to_owned(),
            r#"DROP INDEX IF EXISTS "ux_contact_email_live""#.to_owned(),
            // Back to unique among all contacts: fails while a deleted contact
            // shares a live one's email, which is the point of going back.
            r#"CREATE UNIQUE INDEX "ix_contact_email" ON "contact" ("workspace_id", "email")"#
                .to_owned(),
            r#"ALTER TABLE "company" DROP COLUMN "merged_into""#.to_owned(),
            r#"ALTER TABLE "contact" DROP COLUMN "merged_into""#.to_owned(),
        ]);
        run_batch(manager, &statements).await
    }
}
