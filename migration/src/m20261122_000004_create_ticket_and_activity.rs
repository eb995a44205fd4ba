//! Support tickets and the activity timeline.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut ticket = tenant_table("ticket", true);
        ticket
            .col(big_integer("number"))
            .col(string_len("subject", 300))
            .col(text_null("description"))
            .col(string_len("status", 24))
            .col(string_len("priority", 24))
            .col(string_len_null("category", 100));
        for (col, to) in [
            ("contact_id", "contact"),
            ("company_id", "company"),
            ("deal_id", "deal"),
            ("assignee_id", "member"),
        ] {
            reference(&mut ticket, "ticket", col, to, true);
        }
        ticket
            .col(timestamp_with_time_zone("opened_at"))
            .col(timestamp_with_time_zone_null("first_response_at"))
            .col(timestamp_with_time_zone_null("resolved_at"))
            .col(timestamp_with_time_zone_null("closed_at"));

        let mut activity = tenant_table("activity", true);
        activity
            .col(string_len("kind", 24))
            .col(string_len("subject", 300))
            .col(text_null("body"))
            .col(timestamp_with_time_zone("occurred_at"))
            .col(timestamp_with_time_zone_null("due_at"))
            .col(timestamp_with_time_zone_null("completed_at"));
        for (col, to) in [
            ("contact_id", "contact"),
            ("company_id", "company"),
            ("deal_id", "deal"),
            ("ticket_id", "ticket"),
            ("author_id", "member"),
        ] {
            reference(&mut activity, "activity", col, to, true);
        }

        create_all(
            manager,
            vec![ticket, activity],
            vec![
                tenant_index("ticket", &["number"], true),
                tenant_index("ticket", &["status"], false),
                tenant_index("ticket", &["contact_id"], false),
                tenant_index("ticket", &["company_id"], false),
                tenant_index("ticket", &["deal_id"], false),
                tenant_index("activity", &["contact_id", "occurred_at"], false),
                tenant_index("activity", &["company_id", "occurred_at"], false),
                tenant_index("activity", &["deal_id", "occurred_at"], false),
                tenant_index("activity", &["ticket_id", "occurred_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["activity", "ticket"]).await
    }
}
