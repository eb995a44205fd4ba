//! Orders (purchases by contacts and companies) and survey responses (NPS
//! and CSAT): the quantitative customer data lifetime value, satisfaction
//! and churn risk are computed from.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::columns::{create_all, drop_all, reference, tenant_index, tenant_table};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut order = tenant_table("customer_order", true);
        reference(&mut order, "customer_order", "contact_id", "contact", true);
        reference(&mut order, "customer_order", "company_id", "company", true);
        order
            .col(string_len("product", 200))
            .col(integer("quantity"))
            .col(big_integer("amount_e4"))
            .col(string_len("currency", 3))
            .col(timestamp_with_time_zone("ordered_at"));
        let mut survey = tenant_table("survey_response", true);
        reference(
            &mut survey,
            "survey_response",
            "contact_id",
            "contact",
            false,
        );
        reference(&mut survey, "survey_response", "ticket_id", "ticket", true);
        survey
            .col(string_len("kind", 24))
            .col(integer("score"))
            .col(string_len_null("reason", 100))
            .col(text_null("comment"))
            .col(timestamp_with_time_zone("responded_at"));
        create_all(
            manager,
            vec![order, survey],
            vec![
                tenant_index("customer_order", &["contact_id", "ordered_at"], false),
                tenant_index("customer_order", &["company_id", "ordered_at"], false),
                tenant_index(
                    "survey_response",
                    &["contact_id", "kind", "responded_at"],
                    false,
                ),
                tenant_index("survey_response", &["ticket_id"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["survey_response", "customer_order"]).await
    }
}
