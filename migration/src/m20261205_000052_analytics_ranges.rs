//! Partial indexes that turn two more `analytics` figures into index ranges
//! (issue 21: a quarter at a million contacts, measured before and after):
//!
//! - open deals by expected close date, carrying what the weighted forecast
//!   reads: it read every deal (`Parallel Seq Scan on deal`, 90 ms for the
//!   9,547 open deals expected in a quarter, of 500,000), now a range (5 ms);
//! - contacts by consent time, carrying the unsubscription and the owner,
//!   and contacts by unsubscription time: the email list's growth read
//!   every contact (222 ms), now three ranges (46 ms).
//!
//! Each holds only the rows with that state or time (open deals; contacts
//! who consented or unsubscribed), so it stays small and a write pays it
//! only for those rows.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::ConnectionTrait;

use crate::m20261204_000050_period_covering_indexes::{Covering, create};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [Covering; 3] = [
    (
        "ix_deal_open_expected_close",
        "deal",
        "expected_close_date",
        "created_at, currency, amount_e4, stage_id, pipeline_id, owner_id",
        r#""status" = 'OPEN' AND "deleted_at" IS NULL"#,
    ),
    (
        "ix_contact_period_opt_in",
        "contact",
        "email_opt_in_at",
        "unsubscribed_at, owner_id",
        r#""email_opt_in_at" IS NOT NULL AND "deleted_at" IS NULL"#,
    ),
    (
        "ix_contact_period_unsubscribed",
        "contact",
        "unsubscribed_at",
        "owner_id",
        r#""unsubscribed_at" IS NOT NULL AND "deleted_at" IS NULL"#,
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        for index in &INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&create(backend, index))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, ..) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
