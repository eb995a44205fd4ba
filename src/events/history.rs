//! Writing history: each event's record, diffed field by field against the
//! record's previous snapshot, in the same transaction as the change.

use chrono::{DateTime, Utc};
use entity::{event, record_change};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Fields every change touches, which history leaves out.
const BOOKKEEPING: [&str; 2] = ["updated_at", "version"];

/// Records one history entry per event, diffing against the record's last
/// entry (one read and one insert each; only the insert for an event whose
/// `new_records` entry says the record was created in this transaction).
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    events: &[event::Model],
    new_records: &[bool],
    api_key_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    for (i, e) in events.iter().enumerate() {
        let snapshot = snapshot_of(e);
        let previous = if new_records.get(i).copied().unwrap_or(false) {
            None
        } else {
            record_change::Entity::find()
                .filter(record_change::Column::WorkspaceId.eq(e.workspace_id))
                .filter(record_change::Column::RecordId.eq(e.record_id))
                .order_by_desc(record_change::Column::Id)
                .one(txn)
                .await?
                .map(|c| c.snapshot)
        };
        let changes = diff(previous.as_ref(), &snapshot);
        record_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            workspace_id: Set(e.workspace_id),
            record_type: Set(e.record_type.clone()),
            record_id: Set(e.record_id),
            kind: Set(e.kind.clone()),
            actor_member_id: Set(e.actor_id),
            actor_api_key_id: Set(api_key_id),
            snapshot: Set(snapshot),
            changes: Set(changes),
            created_at: Set(at),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The record in an event's payload: `payload.deal` for `{ deal, … }`
/// payloads, else the payload itself.
fn snapshot_of(e: &event::Model) -> Value {
    let key = e.record_type.to_lowercase();
    match e.payload.get(&key) {
        Some(record @ Value::Object(_)) => record.clone(),
        _ => e.payload.clone(),
    }
}

/// `[{ field, before, after }]` for each field whose value differs.
fn diff(before: Option<&Value>, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut fields: Vec<&String> = before.keys().chain(after.keys()).collect();
    fields.sort();
    fields.dedup();
    let changes: Vec<Value> = fields
        .into_iter()
        .filter(|f| !BOOKKEEPING.contains(&f.as_str()))
        .filter_map(|field| {
            let (old, new) = (before.get(field), after.get(field));
            (old != new).then(|| {
                json!({
                    "field": field,
                    "before": old.cloned().unwrap_or(Value::Null),
                    "after": new.cloned().unwrap_or(Value::Null),
                })
            })
        })
        .collect();
    Value::Array(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_listed() {
        let before = json!({ "name": "Acme", "industry": null, "version": 1, "updated_at": "a" });
        let after =
            json!({ "name": "Acme Corp", "industry": null, "version": 2, "updated_at": "b" });
        assert_eq!(
            diff(Some(&before), &after),
            json!([{ "field": "name", "before": "Acme", "after": "Acme Corp" }])
        );
        let created = diff(None, &json!({ "name": "New" }));
        assert_eq!(
            created,
            json!([{ "field": "name", "before": null, "after": "New" }])
        );
    }
}
