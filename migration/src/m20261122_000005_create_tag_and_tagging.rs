//! Tags and the records they are on.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut tag = tenant_table("tag", false);
        tag.col(string_len("name", 100))
            .col(string_len_null("color", 16));

        let mut tagging = tenant_table("tagging", false);
        reference(&mut tagging, "tagging", "tag_id", "tag", false);
        // The record is in one of several tables, so no foreign key on it.
        tagging
            .col(string_len("record_type", 24))
            .col(uuid("record_id"));

        create_all(
            manager,
            vec![tag, tagging],
            vec![
                tenant_index("tag", &["name"], true),
                tenant_index("tagging", &["tag_id", "record_type", "record_id"], true),
                tenant_index("tagging", &["record_type", "record_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["tagging", "tag"]).await
    }
}
