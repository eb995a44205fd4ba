//! An idempotency key remembers the role its response was produced under:
//! a retry after the sender's role changed must not replay fields (deal
//! amounts, say) that the sender may no longer read.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("idempotency_key")
                    .add_column(string_len_null("role", 16))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("idempotency_key")
                    .drop_column("role")
                    .to_owned(),
            )
            .await
    }
}
