//! Writing events to the outbox table.

use chrono::{DateTime, Utc};
use entity::event;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde_json::Value;
use uuid::Uuid;

/// An event about to be written.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// The channel, e.g. `pipeline:<uuid>` or `ticket`.
    pub topic: String,
    /// What happened, e.g. `deal.moved`.
    pub kind: String,
    pub record_type: &'static str,
    pub record_id: Uuid,
    /// The record after the change, plus kind-specific details.
    pub payload: Value,
}

/// Inserts the events in the caller's transaction and returns the stored rows
/// (with their sequence ids), to publish once the transaction commits.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    workspace_id: Uuid,
    actor_id: Option<Uuid>,
    at: DateTime<Utc>,
    events: Vec<NewEvent>,
) -> Result<Vec<event::Model>, DbErr> {
    let mut stored = Vec::with_capacity(events.len());
    for e in events {
        let row = event::ActiveModel {
            workspace_id: Set(workspace_id),
            topic: Set(e.topic),
            kind: Set(e.kind),
            record_type: Set(e.record_type.to_owned()),
            record_id: Set(e.record_id),
            actor_id: Set(actor_id),
            payload: Set(e.payload),
            created_at: Set(at),
            ..Default::default()
        };
        stored.push(row.insert(txn).await?);
    }
    Ok(stored)
}
