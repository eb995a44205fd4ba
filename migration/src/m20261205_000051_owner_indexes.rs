//! Companies and contacts by owner, as deals already are
//! (`ix_deal_owner_id`): a reader narrowed to its team's or its own records
//! (migration 48) reads the records of a few owners. Measured at a million
//! contacts without them: a narrowed first page of activities, whose links
//! must each be to a record the reader reads, read the contacts an owner
//! holds by scanning all of them (180 ms warm); with them, an index range.

use sea_orm_migration::prelude::*;

use crate::columns::tenant_index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["contact", "company"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .create_index(tenant_index(table, &["owner_id"], false))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            let name = format!("ix_{table}_owner_id");
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
