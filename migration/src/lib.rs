//! Rapport's schema migrations: one file a migration, each with `up` and
//! `down`, each running on SQLite and PostgreSQL 15.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261122_000001_create_workspace_and_member;
mod m20261122_000002_create_company_and_contact;
mod m20261122_000003_create_pipeline_stage_and_deal;
mod m20261122_000004_create_ticket_and_activity;
mod m20261122_000005_create_tag_and_tagging;
mod m20261122_000006_create_event_outbox;
mod m20261122_000007_number_events_per_workspace;
mod m20261122_000008_create_api_key_and_invitations;
mod m20261122_000009_create_idempotency_key;
mod m20261122_000010_create_record_change;
mod m20261122_000011_create_order_and_survey_response;
mod m20261122_000012_create_goal_and_reason;
mod m20261122_000013_create_lead_scoring_and_consent;
mod m20261122_000014_create_triggers;
mod m20261202_000015_idempotency_key_role;
mod m20261202_000016_list_indexes;
mod m20261202_000017_maintained_figures;
mod m20261202_000018_buying_spans_and_stays;
mod m20261202_000019_create_external_id;
mod m20261202_000020_ticket_queue_index;
mod m20261202_000021_create_import_job;
mod m20261202_000022_create_webhooks;
mod m20261202_000023_live_uniques_and_merges;
mod m20261202_000025_company_lead_score_always;
mod m20261203_000026_rule_names_unique;
mod m20261203_000027_create_campaign_and_attribution;
mod m20261203_000028_create_form;
mod m20261203_000031_create_erasure;
mod m20261203_000032_touch_and_completeness;
mod m20261203_000033_form_campaign;
mod m20261203_000034_create_segment;
mod m20261203_000035_order_status;
mod m20261203_000037_webhook_replays;
mod m20261204_000038_create_product;
mod m20261204_000039_search;
mod m20261204_000040_custom_fields;
mod m20261204_000041_search_custom_fields;
mod m20261204_000042_search_text_fast;
mod m20261204_000043_duplicate_pairs;
mod m20261204_000044_search_documents;
mod m20261204_000045_search_live_custom_fields;
mod m20261204_000046_triggers_per_statement;
mod m20261204_000047_documents;
mod m20261204_000048_teams_and_visibility;
mod m20261204_000050_period_covering_indexes;
mod m20261205_000051_owner_indexes;
mod m20261205_000052_analytics_ranges;
mod m20261205_000053_tenant_keys;
mod m20261205_000054_derived_rows_by_the_core;
mod m20261206_000055_key_directory;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_workspace_and_member::Migration),
            Box::new(m20261122_000002_create_company_and_contact::Migration),
            Box::new(m20261122_000003_create_pipeline_stage_and_deal::Migration),
            Box::new(m20261122_000004_create_ticket_and_activity::Migration),
            Box::new(m20261122_000005_create_tag_and_tagging::Migration),
            Box::new(m20261122_000006_create_event_outbox::Migration),
            Box::new(m20261122_000007_number_events_per_workspace::Migration),
            Box::new(m20261122_000008_create_api_key_and_invitations::Migration),
            Box::new(m20261122_000009_create_idempotency_key::Migration),
            Box::new(m20261122_000010_create_record_change::Migration),
            Box::new(m20261122_000011_create_order_and_survey_response::Migration),
            Box::new(m20261122_000012_create_goal_and_reason::Migration),
            Box::new(m20261122_000013_create_lead_scoring_and_consent::Migration),
            Box::new(m20261122_000014_create_triggers::Migration),
            Box::new(m20261202_000015_idempotency_key_role::Migration),
            Box::new(m20261202_000016_list_indexes::Migration),
            Box::new(m20261202_000017_maintained_figures::Migration),
            Box::new(m20261202_000018_buying_spans_and_stays::Migration),
            Box::new(m20261202_000019_create_external_id::Migration),
            Box::new(m20261202_000020_ticket_queue_index::Migration),
            Box::new(m20261202_000021_create_import_job::Migration),
            Box::new(m20261202_000022_create_webhooks::Migration),
            Box::new(m20261202_000023_live_uniques_and_merges::Migration),
            Box::new(m20261202_000025_company_lead_score_always::Migration),
            Box::new(m20261203_000026_rule_names_unique::Migration),
            Box::new(m20261203_000027_create_campaign_and_attribution::Migration),
            Box::new(m20261203_000028_create_form::Migration),
            Box::new(m20261203_000031_create_erasure::Migration),
            Box::new(m20261203_000032_touch_and_completeness::Migration),
            Box::new(m20261203_000033_form_campaign::Migration),
            Box::new(m20261203_000034_create_segment::Migration),
            Box::new(m20261203_000035_order_status::Migration),
            Box::new(m20261203_000037_webhook_replays::Migration),
            Box::new(m20261204_000038_create_product::Migration),
            Box::new(m20261204_000039_search::Migration),
            Box::new(m20261204_000040_custom_fields::Migration),
            Box::new(m20261204_000041_search_custom_fields::Migration),
            Box::new(m20261204_000042_search_text_fast::Migration),
            Box::new(m20261204_000043_duplicate_pairs::Migration),
            Box::new(m20261204_000044_search_documents::Migration),
            Box::new(m20261204_000045_search_live_custom_fields::Migration),
            Box::new(m20261204_000046_triggers_per_statement::Migration),
            Box::new(m20261204_000047_documents::Migration),
            Box::new(m20261204_000048_teams_and_visibility::Migration),
            Box::new(m20261204_000050_period_covering_indexes::Migration),
            Box::new(m20261205_000051_owner_indexes::Migration),
            Box::new(m20261205_000052_analytics_ranges::Migration),
            Box::new(m20261205_000053_tenant_keys::Migration),
            Box::new(m20261205_000054_derived_rows_by_the_core::Migration),
            Box::new(m20261206_000055_key_directory::Migration),
        ]
    }
}
