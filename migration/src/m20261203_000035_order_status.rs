//! Orders get a status (`CART`, `ABANDONED`, `PLACED`, `CANCELLED`,
//! `REFUNDED`; existing orders were all placed) and the time a cart was
//! started, which the abandoned-cart rate counts by.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, timestamp_with_time_zone_null};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        let status = Table::alter()
            .table("customer_order")
            .add_column(string_len("status", 24).default("PLACED"))
            .to_owned();
        manager.alter_table(status).await?;
        let started = Table::alter()
            .table("customer_order")
            .add_column(timestamp_with_time_zone_null("cart_started_at"))
            .to_owned();
        manager.alter_table(started).await?;
        // The abandoned-cart rate reads the carts started in a period.
        let index = Index::create()
            .name("customer_order_carts")
            .table("customer_order")
            .col("workspace_id")
            .col("cart_started_at")
            .to_owned();
        manager.create_index(index).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let index = Index::drop()
            .name("customer_order_carts")
            .table("customer_order")
            .to_owned();
        manager.drop_index(index).await?;
        for column in ["cart_started_at", "status"] {
            let alter = Table::alter()
                .table("customer_order")
                .drop_column(column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }
}
