//! SeaORM entities of Rapport: one file a table, nothing else.
//!
//! Every table carries `id` (UUID v7), `workspace_id`, `created_at` and
//! `updated_at` (but `key_directory`, a look-up keyed by the key itself);
//! records people edit also carry `version` (optimistic concurrency) and
//! `deleted_at` (soft delete). Money is stored as a 64-bit
//! integer count of ten-thousandths (`*_e4` columns): exact on SQLite and
//! PostgreSQL alike, and comparable across currencies with different minor
//! units (ISO 4217 exponents go up to 4).

pub mod activity;
pub mod api_key;
pub mod campaign;
pub mod company;
pub mod contact;
pub mod custom_field;
pub mod customer_order;
pub mod deal;
pub mod deal_contact;
pub mod deal_stage_change;
pub mod document;
pub mod document_revision;
pub mod duplicate_match;
pub mod engagement;
pub mod enums;
pub mod erasure;
pub mod event;
pub mod external_id;
pub mod form;
pub mod goal;
pub mod idempotency_key;
pub mod import_job;
pub mod import_job_chunk;
pub mod import_job_error;
pub mod key_directory;
pub mod lead_score_change;
pub mod lead_scoring_rule;
pub mod match_key;
pub mod member;
pub mod order_line;
pub mod pipeline;
pub mod product;
pub mod reason;
pub mod record_change;
pub mod role_visibility;
pub mod search_text;
pub mod segment;
pub mod segment_member;
pub mod stage;
pub mod survey_response;
pub mod tag;
pub mod tagging;
pub mod team;
pub mod ticket;
pub mod trigger_firing;
pub mod trigger_rule;
pub mod webhook_delivery;
pub mod webhook_endpoint;
pub mod workspace;
