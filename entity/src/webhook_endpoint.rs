//! A webhook endpoint: where a workspace's events are POSTed, which ones,
//! signed with which secret, and how far delivery has come.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_endpoint")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub url: String,
    pub description: Option<String>,
    /// JSON array of event kinds (`deal.moved`, `ticket.*`); empty: every kind.
    pub event_kinds: Json,
    /// JSON object narrowing the events (`pipelineId`, `ticketPriorities`).
    pub filter: Option<Json>,
    pub enabled: bool,
    /// Why delivery stopped, when the server disabled it.
    pub disabled_reason: Option<String>,
    /// `whsec_…`; never serialised into events or logs.
    #[serde(skip_serializing, default)]
    pub secret: String,
    #[serde(skip_serializing, default)]
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    /// The last event number handled (delivered, or not wanted).
    pub cursor: i64,
    /// How many times the cursor was set back by a replay: with the cursor,
    /// where a delivery under way stands.
    pub replays: i32,
    /// Failed attempts at the event after `cursor`.
    pub failed_attempts: i32,
    pub failing_since: Option<DateTimeUtc>,
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The instance delivering to it, until `lease_until`.
    pub lease_owner: Option<Uuid>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
