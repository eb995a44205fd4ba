//! Lead scoring (rules, tracked engagement, the stored score and its
//! history) and email consent on contacts.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Columns added to `contact`, in order.
fn contact_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new("lead_score")
            .integer()
            .not_null()
            .default(0)
            .to_owned(),
        ColumnDef::new("email_opt_in")
            .boolean()
            .not_null()
            .default(false)
            .to_owned(),
        ColumnDef::new("email_opt_in_at")
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
        ColumnDef::new("consent_source")
            .string_len(200)
            .null()
            .to_owned(),
        ColumnDef::new("consent_legal_basis")
            .string_len(24)
            .null()
            .to_owned(),
        ColumnDef::new("unsubscribed_at")
            .timestamp_with_time_zone()
            .null()
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rule = tenant_table("lead_scoring_rule", true);
        rule.col(string_len("name", 200))
            .col(string_len("target", 24))
            .col(string_len_null("text_value", 200))
            .col(big_integer_null("min_value"))
            .col(big_integer_null("max_value"))
            .col(integer("points"))
            .col(boolean("active").default(true));
        let mut engagement = tenant_table("engagement", false);
        reference(
            &mut engagement,
            "engagement",
            "contact_id",
            "contact",
            false,
        );
        engagement
            .col(string_len("kind", 24))
            .col(timestamp_with_time_zone("occurred_at"))
            .col(string_len_null("detail", 500));
        let mut change = tenant_table("lead_score_change", false);
        reference(
            &mut change,
            "lead_score_change",
            "contact_id",
            "contact",
            false,
        );
        change
            .col(integer("previous"))
            .col(integer("score"))
            .col(string_len("reason", 200))
            .col(timestamp_with_time_zone("changed_at"));
        create_all(
            manager,
            vec![rule, engagement, change],
            vec![
                tenant_index("lead_scoring_rule", &["target"], false),
                tenant_index("engagement", &["contact_id", "kind"], false),
                tenant_index("lead_score_change", &["contact_id", "changed_at"], false),
            ],
        )
        .await?;
        for mut column in contact_columns() {
            manager
                .alter_table(
                    Table::alter()
                        .table("contact")
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(tenant_index("contact", &["lead_score"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_contact_lead_score")
                    .table("contact")
                    .to_owned(),
            )
            .await?;
        for column in contact_columns().iter().rev() {
            manager
                .alter_table(
                    Table::alter()
                        .table("contact")
                        .drop_column(column.get_column_name())
                        .to_owned(),
                )
                .await?;
        }
        drop_all(
            manager,
            &["lead_score_change", "engagement", "lead_scoring_rule"],
        )
        .await
    }
}
