//! A web form names the campaign its submissions touch (attribution), so
//! the leads a form brings count for that campaign.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::uuid_null;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table("form")
            .add_column(uuid_null("campaign_id"))
            .to_owned();
        manager.alter_table(alter).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let alter = Table::alter()
            .table("form")
            .drop_column("campaign_id")
            .to_owned();
        manager.alter_table(alter).await
    }
}
