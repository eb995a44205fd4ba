//! What a receiver gets: the Standard Webhooks envelope `{ type, timestamp,
//! data }` whose `data` is the event as subscriptions see it, with its
//! `cursor`, and a message id that stays the same across retries.

use chrono::{DateTime, SecondsFormat, Utc};
use entity::event;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::events::cursor::event_cursor;

/// A message ready to sign and send.
#[derive(Debug, Clone)]
pub struct Message {
    /// The `webhook-id`: receivers deduplicate on it.
    pub id: String,
    pub kind: String,
    /// The event's number, none for a ping.
    pub seq: Option<i64>,
    pub body: String,
}

/// The message carrying event `e`. Its id names the workspace and the event
/// number, so every attempt (and a replay) at one event has the same id.
pub fn for_event(e: &event::Model) -> Message {
    let data = json!({
        "cursor": event_cursor(e.seq),
        "kind": e.kind,
        "topic": e.topic,
        "recordType": e.record_type,
        "recordId": e.record_id,
        "actorId": e.actor_id,
        "occurredAt": timestamp(e.created_at),
        "payload": e.payload,
    });
    Message {
        id: format!("msg_{}_{}", e.workspace_id.simple(), e.seq),
        kind: e.kind.clone(),
        seq: Some(e.seq),
        body: envelope(&e.kind, e.created_at, data),
    }
}

/// A `webhook.ping` for `testWebhook`: a fresh id each time.
pub fn ping(endpoint_id: Uuid, at: DateTime<Utc>) -> Message {
    let kind = "webhook.ping";
    let data = json!({ "endpointId": endpoint_id });
    Message {
        id: format!("msg_ping_{}", crate::store::new_id().simple()),
        kind: kind.to_owned(),
        seq: None,
        body: envelope(kind, at, data),
    }
}

fn envelope(kind: &str, at: DateTime<Utc>, data: Value) -> String {
    json!({ "type": kind, "timestamp": timestamp(at), "data": data }).to_string()
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}
