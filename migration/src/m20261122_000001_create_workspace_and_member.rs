//! Workspaces (tenants) and their members.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let workspace = Table::create()
            .table("workspace")
            .col(pk_uuid("id"))
            .col(string_len("name", 200))
            .col(big_integer("ticket_seq").default(0))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .to_owned();
        let mut member = tenant_table("member", false);
        member
            .col(string_len("email", 254))
            .col(string_len("name", 200))
            .col(string_len("role", 24))
            .col(string_len_null("title", 200))
            .col(integer("commission_bps").default(0))
            .col(text_null("password_hash"))
            .col(timestamp_with_time_zone_null("deactivated_at"));
        create_all(
            manager,
            vec![workspace, member],
            vec![tenant_index("member", &["email"], true)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["member", "workspace"]).await
    }
}
