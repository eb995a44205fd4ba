//! Goals (a member's quota for a period), the workspace's lists of
//! standardised reasons, and the customer facts on companies that analytics
//! and triggers need: the competitor's contract and the customer's exit.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns added to `company`, in order.
fn company_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new("current_vendor")
            .string_len(200)
            .null()
            .to_owned(),
        ColumnDef::new("vendor_contract_ends_on")
            .date()
            .null()
            .to_owned(),
        ColumnDef::new("churned_at")
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new("exit_reason")
            .string_len(100)
            .null()
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut goal = tenant_table("goal", true);
        reference(&mut goal, "goal", "member_id", "member", false);
        goal.col(date("period_start"))
            .col(date("period_end"))
            .col(big_integer("quota_e4"))
            .col(string_len("currency", 3));
        let mut reason = tenant_table("reason", true);
        reason
            .col(string_len("kind", 24))
            .col(string_len("code", 100))
            .col(string_len("label", 200))
            .col(boolean("active").default(true));
        create_all(
            manager,
            vec![goal, reason],
            vec![
                tenant_index("goal", &["member_id", "period_start"], false),
                tenant_index("reason", &["kind", "code"], true),
            ],
        )
        .await?;
        for mut column in company_columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table("company")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(tenant_index("company", &["vendor_contract_ends_on"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_company_vendor_contract_ends_on")
                    .table("company")
                    .to_owned(),
            )
            .await?;
        for column in company_columns().iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table("company")
                        .drop_column(column.get_column_name())
                        .to_owned(),
                )
                .await?;
        }
        drop_all(manager, &["reason", "goal"]).await
    }
}
