//! Segments and lists: saved views of contacts, companies or deals. A
//! segment is a saved filter and ordering, evaluated when read; a list is a
//! static set of records (`segment_member`). Either is shared with the
//! workspace or private to the member who made it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{
    create_all, drop_all, live_sort_indexes, run_batch, tenant_index, tenant_table,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut segment = tenant_table("segment", true);
        segment
            .col(string_len("name", 200))
            .col(string_len("record_type", 24))
            .col(string_len("kind", 24))
            // The filter and ordering as the API took them (a segment's).
            .col(json_binary_null("filter"))
            .col(json_binary_null("order_by"))
            .col(boolean("shared").default(true))
            .col(uuid("owner_id"));
        let mut member = tenant_table("segment_member", false);
        member
            .col(uuid("segment_id"))
            .col(uuid("record_id"))
            .col(uuid_null("added_by"));
        let members = tenant_index("segment_member", &["segment_id", "record_id"], true);
        create_all(manager, vec![segment, member], vec![members]).await?;
        // Every orderBy of `segments`.
        run_batch(
            manager,
            &live_sort_indexes("segment", &["name", "created_at"]),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["segment_member", "segment"]).await
    }
}
