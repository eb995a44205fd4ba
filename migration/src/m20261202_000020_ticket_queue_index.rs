//! A support queue's page: tickets of one status and one priority in
//! number order (`filter: { status: { eq: OPEN }, priority: { eq: URGENT } }`,
//! the default order). The number index alone walked the workspace's
//! tickets and filtered out the others: 11,132 rows for a 20-row page at a
//! million contacts (bench/results/sizes-2026-12-02, "tickets, open and
//! urgent"). With both equalities in front of the number, the page is an
//! index range of its own size.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_ticket_queue";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(
                r#"CREATE INDEX IF NOT EXISTS "{NAME}" ON "ticket" ("workspace_id", "status", "priority", "number", "id") WHERE "deleted_at" IS NULL"#
            ))
            .await
            .map(drop)
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(&format!(r#"DROP INDEX IF EXISTS "{NAME}""#))
            .await
            .map(drop)
    }
}
