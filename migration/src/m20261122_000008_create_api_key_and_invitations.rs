//! API keys (shown once, stored hashed, found by their visible prefix) and
//! member invitations (a one-time code an invited member redeems with a
//! password).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut api_key = tenant_table("api_key", false);
        api_key
            .col(string_len("name", 200))
            .col(string_len("prefix", 32))
            .col(string_len("secret_hash", 64))
            .col(string_len("role", 24))
            .col(timestamp_with_time_zone_null("last_used_at"))
            .col(timestamp_with_time_zone_null("revoked_at"));
        reference(&mut api_key, "api_key", "created_by", "member", false);
        let by_prefix = Index::create()
            .name("ux_api_key_prefix")
            .table("api_key")
            .col("prefix")
            .unique()
            .to_owned();
        create_all(
            manager,
            vec![api_key],
            vec![by_prefix, tenant_index("api_key", &["created_at"], false)],
        )
        .await?;
        for column in [
            ColumnDef::new("invitation_hash")
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new("invitation_expires_at")
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table("member")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["invitation_expires_at", "invitation_hash"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("member")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .drop_table(Table::drop().table("api_key").to_owned())
            .await
    }
}
