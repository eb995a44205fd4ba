//! External ids: the ids a record has in the systems it came from (an old
//! CRM, a spreadsheet, a billing tool), one row per source, so an import can
//! link rows across files and a re-run finds what it wrote before.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut external_id = tenant_table("external_id", false);
        // The record is in one of several tables, so no foreign key on it.
        external_id
            .col(string_len("record_type", 24))
            .col(uuid("record_id"))
            .col(string_len("source", 100))
            .col(string_len("external_id", 200));
        create_all(
            manager,
            vec![external_id],
            vec![
                // One record per id of a source: what an import looks up.
                tenant_index(
                    "external_id",
                    &["record_type", "source", "external_id"],
                    true,
                ),
                // A record's ids, for `externalIds` and for deleting them with it.
                tenant_index("external_id", &["record_type", "record_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["external_id"]).await
    }
}
