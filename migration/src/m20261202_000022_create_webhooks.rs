//! Webhooks: endpoints a workspace's ADMIN registers, each with its own
//! cursor into the event outbox and a lease that lets exactly one instance
//! deliver to it at a time, and the log of every delivery attempt.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut endpoint = tenant_table("webhook_endpoint", false);
        endpoint
            .col(string_len("url", 2000))
            .col(text_null("description"))
            // The event kinds it wants (`deal.moved`, `ticket.*`); empty: all.
            .col(json_binary("event_kinds"))
            .col(json_binary_null("filter"))
            .col(boolean("enabled").default(true))
            .col(text_null("disabled_reason"))
            .col(string_len("secret", 100))
            // After a rotation the old secret still signs for a day.
            .col(string_len_null("previous_secret", 100))
            .col(timestamp_with_time_zone_null("previous_secret_until"))
            // The last event number handled (delivered, or not wanted).
            .col(big_integer("cursor").default(0))
            // Failed attempts at the event after `cursor`, since when, and
            // when the next one is due.
            .col(integer("failed_attempts").default(0))
            .col(timestamp_with_time_zone_null("failing_since"))
            .col(timestamp_with_time_zone_null("next_attempt_at"))
            // Which instance delivers, until when (a dead one's lease runs out).
            .col(uuid_null("lease_owner"))
            .col(timestamp_with_time_zone_null("lease_until"));
        let mut delivery = tenant_table("webhook_delivery", false);
        reference(
            &mut delivery,
            "webhook_delivery",
            "endpoint_id",
            "webhook_endpoint",
            false,
        );
        delivery
            .col(string_len("message_id", 120))
            .col(string_len("event_kind", 100))
            .col(big_integer_null("event_seq"))
            .col(integer("attempt"))
            .col(boolean("succeeded"))
            .col(integer_null("status_code"))
            .col(integer("latency_ms"))
            .col(text_null("response_excerpt"))
            .col(text_null("error"));
        create_all(
            manager,
            vec![endpoint, delivery],
            vec![
                tenant_index("webhook_endpoint", &["created_at"], false),
                // An endpoint's attempts, newest first, for `webhookDeliveries`.
                tenant_index("webhook_delivery", &["endpoint_id", "id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["webhook_delivery", "webhook_endpoint"]).await
    }
}
