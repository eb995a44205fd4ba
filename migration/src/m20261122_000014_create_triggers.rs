//! Triggers: per-workspace rules that watch for a customer at risk (a low
//! CSAT, a burst of tickets) or an opportunity (a competitor's contract
//! ending) and create a task for the owner. `trigger_firing` records each
//! firing once, so a rule never fires twice for the same occasion, even
//! with several instances sweeping. Tasks get an assignee.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut rule = tenant_table("trigger_rule", true);
        rule.col(string_len("name", 200))
            .col(string_len("kind", 24))
            .col(integer_null("threshold"))
            .col(integer_null("within_days"))
            .col(boolean("active").default(true));
        let mut firing = tenant_table("trigger_firing", false);
        reference(
            &mut firing,
            "trigger_firing",
            "trigger_id",
            "trigger_rule",
            false,
        );
        reference(&mut firing, "trigger_firing", "task_id", "activity", false);
        firing
            .col(uuid("record_id"))
            .col(string_len("occasion", 100))
            .col(timestamp_with_time_zone("fired_at"));
        create_all(
            manager,
            vec![rule, firing],
            vec![
                tenant_index("trigger_rule", &["kind"], false),
                tenant_index(
                    "trigger_firing",
                    &["trigger_id", "record_id", "occasion"],
                    true,
                ),
            ],
        )
        .await?;
        let mut assignee = ColumnDef::new("assignee_id").uuid().null().to_owned();
        manager
            .alter_table(
                Table::alter()
                    .table("activity")
                    .add_column(&mut assignee)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(tenant_index("activity", &["assignee_id", "due_at"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ix_activity_assignee_id_due_at")
                    .table("activity")
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("activity")
                    .drop_column("assignee_id")
                    .to_owned(),
            )
            .await?;
        drop_all(manager, &["trigger_firing", "trigger_rule"]).await
    }
}
