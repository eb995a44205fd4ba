//! One attempt at delivering a webhook message: its outcome and timing.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub workspace_id: Uuid,
    pub endpoint_id: Uuid,
    /// The `webhook-id` header: the same for every attempt at one message.
    pub message_id: String,
    /// The event kind, or `webhook.ping` for a test.
    pub event_kind: String,
    /// The event's number (its cursor); none for a ping.
    pub event_seq: Option<i64>,
    /// 1 for the first attempt at the message.
    pub attempt: i32,
    pub succeeded: bool,
    /// The HTTP status answered, when there was an answer.
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    /// The start of the response body, capped.
    pub response_excerpt: Option<String>,
    /// Why it failed without an answer (timeout, refused connection…).
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
