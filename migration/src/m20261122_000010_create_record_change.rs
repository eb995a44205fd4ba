//! History: who changed what and when, field by field, kept for good (the
//! outbox is pruned; this is not).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, tenant_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let table = Table::create()
            .table("record_change")
            .col(pk_uuid("id"))
            .col(uuid("workspace_id"))
            .foreign_key(
                ForeignKey::create()
                    .from("record_change", "workspace_id")
                    .to("workspace", "id"),
            )
            .col(string_len("record_type", 24))
            .col(uuid("record_id"))
            .col(string_len("kind", 50))
            .col(uuid_null("actor_member_id"))
            .col(uuid_null("actor_api_key_id"))
            .col(json_binary("snapshot"))
            .col(json_binary("changes"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned();
        create_all(
            manager,
            vec![table],
            vec![tenant_index("record_change", &["record_id", "id"], false)],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["record_change"]).await
    }
}
