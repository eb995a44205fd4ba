//! Endpoints count their replays, so a delivery under way sees a replay to
//! the very cursor it started from (the cursor alone would look unchanged)
//! and starts over instead of moving past it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::integer;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table("webhook_endpoint")
            .add_column(integer("replays").default(0))
            .to_owned();
        manager.alter_table(alter).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table("webhook_endpoint")
            .drop_column("replays")
            .to_owned();
        manager.alter_table(alter).await
    }
}
