//! The event outbox. Its id is a database sequence (BIGSERIAL on
//! PostgreSQL, the rowid on SQLite): the event's cursor and total order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, tenant_index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let event = Table::create()
            .table("event")
            .col(big_pk_auto("id"))
            .col(uuid("workspace_id"))
            .foreign_key(
                ForeignKey::create()
                    .from("event", "workspace_id")
                    .to("workspace", "id"),
            )
            .col(string_len("topic", 100))
            .col(string_len("kind", 50))
            .col(string_len("record_type", 24))
            .col(uuid("record_id"))
            .col(uuid_null("actor_id"))
            .col(json_binary("payload"))
            .col(timestamp_with_time_zone("created_at"))
            .to_owned();
        create_all(
            manager,
            vec![event],
            vec![
                tenant_index("event", &["topic", "id"], false),
                tenant_index("event", &["created_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["event"]).await
    }
}
