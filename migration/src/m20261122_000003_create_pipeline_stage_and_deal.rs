//! Pipelines, their stages, deals, the contacts on a deal and its stage
//! history.

use crate::columns::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut pipeline = tenant_table("pipeline", true);
        pipeline
            .col(string_len("name", 200))
            .col(integer("position").default(0));

        let mut stage = tenant_table("stage", true);
        reference(&mut stage, "stage", "pipeline_id", "pipeline", false);
        stage
            .col(string_len("name", 200))
            .col(integer("position"))
            .col(integer("win_probability"))
            .col(string_len("kind", 24));

        let mut deal = tenant_table("deal", true);
        deal.col(string_len("name", 200))
            .col(big_integer("amount_e4"))
            .col(char_len("currency", 3));
        reference(&mut deal, "deal", "pipeline_id", "pipeline", false);
        reference(&mut deal, "deal", "stage_id", "stage", false);
        reference(&mut deal, "deal", "company_id", "company", true);
        reference(&mut deal, "deal", "owner_id", "member", true);
        deal.col(date_null("expected_close_date"))
            .col(string_len("status", 24))
            .col(timestamp_with_time_zone_null("closed_at"))
            .col(string_len_null("close_reason", 200))
            .col(timestamp_with_time_zone("stage_entered_at"));

        let mut deal_contact = tenant_table("deal_contact", false);
        reference(&mut deal_contact, "deal_contact", "deal_id", "deal", false);
        reference(
            &mut deal_contact,
            "deal_contact",
            "contact_id",
            "contact",
            false,
        );
        deal_contact.col(string_len("role", 24));

        let mut change = tenant_table("deal_stage_change", false);
        reference(&mut change, "deal_stage_change", "deal_id", "deal", false);
        reference(
            &mut change,
            "deal_stage_change",
            "from_stage_id",
            "stage",
            true,
        );
        reference(
            &mut change,
            "deal_stage_change",
            "to_stage_id",
            "stage",
            false,
        );
        reference(
            &mut change,
            "deal_stage_change",
            "changed_by",
            "member",
            true,
        );

        create_all(
            manager,
            vec![pipeline, stage, deal, deal_contact, change],
            vec![
                tenant_index("stage", &["pipeline_id", "position"], false),
                tenant_index("deal", &["pipeline_id", "stage_id"], false),
                tenant_index("deal", &["company_id"], false),
                tenant_index("deal", &["owner_id"], false),
                tenant_index("deal_contact", &["deal_id", "contact_id"], true),
                tenant_index("deal_contact", &["contact_id"], false),
                tenant_index("deal_stage_change", &["deal_id", "created_at"], false),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(
            manager,
            &[
                "deal_stage_change",
                "deal_contact",
                "deal",
                "stage",
                "pipeline",
            ],
        )
        .await
    }
}
