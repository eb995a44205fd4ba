//! Campaigns (issue 20, item 1) and attribution (item 2): the `campaign`
//! table, and on contacts and deals the first-touch and last-touch campaign
//! with the time of each touch. A deal's columns are a copy of its contact's
//! at the deal's creation, kept as they were (not recomputed), so that the
//! revenue a campaign brought does not move when the contact is touched again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, live_sort_indexes, run_batch, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The attribution columns, added to both `contact` and `deal`.
fn touch_columns() -> Vec<ColumnDef> {
    vec![
        uuid_null("first_touch_campaign_id"),
        timestamp_with_time_zone_null("first_touch_at"),
        uuid_null("last_touch_campaign_id"),
        timestamp_with_time_zone_null("last_touch_at"),
    ]
}

/// `statement` in the dialect of `backend`.
fn sql(statement: &TableAlterStatement, backend: sea_orm::DbBackend) -> String {
    match backend {
        sea_orm::DbBackend::Postgres => statement.to_string(PostgresQueryBuilder),
        _ => statement.to_string(SqliteQueryBuilder),
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut campaign = tenant_table("campaign", true);
        campaign
            .col(string_len("name", 200))
            .col(string_len("channel", 24))
            .col(string_len("status", 24))
            .col(date("starts_on"))
            .col(date_null("ends_on"))
            .col(big_integer("spend_e4").default(0))
            .col(string_len("currency", 3))
            .col(string_len_null("goal", 1000));
        create_all(manager, vec![campaign], Vec::new()).await?;
        let backend = manager.get_database_backend();
        // Every orderBy of `campaigns`.
        let mut statements = live_sort_indexes("campaign", &["starts_on", "name", "created_at"]);
        for table in ["contact", "deal"] {
            // One column a statement: SQLite alters one column at a time.
            for mut column in touch_columns() {
                let add = Table::alter()
                    .table(table)
                    .add_column(&mut column)
                    .to_owned();
                statements.push(sql(&add, backend));
            }
            // `Campaign.leads` and `.wonRevenue` read by the first touch.
            statements.push(format!(
                r#"CREATE INDEX "ix_{table}_first_touch_campaign_id" ON "{table}" ("workspace_id", "first_touch_campaign_id")"#
            ));
        }
        run_batch(manager, &statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements = Vec::new();
        for table in ["contact", "deal"] {
            statements.push(format!(
                r#"DROP INDEX "ix_{table}_first_touch_campaign_id""#
            ));
            for column in touch_columns() {
                let drop = Table::alter()
                    .table(table)
                    .drop_column(column.get_column_name())
                    .to_owned();
                statements.push(sql(&drop, manager.get_database_backend()));
            }
        }
        run_batch(manager, &statements).await?;
        manager
            .drop_table(Table::drop().table("campaign").to_owned())
            .await
    }
}
