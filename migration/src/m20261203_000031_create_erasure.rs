//! Erasure of a contact: `contact.erased_at` marks an erased contact, and
//! `erasure` records who erased which contact, when and why (never what was
//! erased). One erasure a contact: the unique index refuses a second.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, run_batch, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter()
            .table("contact")
            .add_column(timestamp_with_time_zone_null("erased_at"))
            .to_owned();
        let add = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => add.to_string(PostgresQueryBuilder),
            _ => add.to_string(SqliteQueryBuilder),
        };
        // One batch, so on one connection (see `run_batch`).
        run_batch(manager, &[add]).await?;
        let mut erasure = tenant_table("erasure", false);
        reference(&mut erasure, "erasure", "contact_id", "contact", false);
        reference(&mut erasure, "erasure", "erased_by", "member", false);
        erasure
            .col(timestamp_with_time_zone("erased_at"))
            .col(text_null("reason"));
        let one_per_contact = tenant_index("erasure", &["contact_id"], true);
        create_all(manager, vec![erasure], vec![one_per_contact]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["erasure"]).await?;
        run_batch(
            manager,
            &[r#"ALTER TABLE "contact" DROP COLUMN "erased_at""#.to_owned()],
        )
        .await
    }
}
