//! Writing history: each event's record, diffed field by field against the
//! record's previous snapshot, in the same transaction as the change.

use chrono::{DateTime, Utc};
use entity::record_change;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::NewEvent;

/// Fields every change touches, which history leaves out.
const BOOKKEEPING: [&str; 2] = ["updated_at", "version"];

/// Who made the changes being recorded.
#[derive(Debug, Clone, Copy)]
pub struct Made {
    pub workspace_id: Uuid,
    pub member_id: Option<Uuid>,
    pub api_key_id: Option<Uuid>,
    pub at: DateTime<Utc>,
}

/// Records one history entry per event, diffing against the record's last
/// entry (one read and one insert each; only the insert for an event about
/// a record created in this transaction). It needs no event number, so it
/// runs before the events take theirs: the workspace row those numbers lock
/// is then held for fewer statements.
pub async fn record<C: ConnectionTrait>(
    txn: &C,
    made: Made,
    events: &[NewEvent],
) -> Result<(), DbErr> {
    for e in events {
        let snapshot = snapshot_of(e);
        let previous = if e.new_record {
            None
        } else {
            record_change::Entity::find()
                .filter(record_change::Column::WorkspaceId.eq(made.workspace_id))
                .filter(record_change::Column::RecordId.eq(e.record_id))
                .order_by_desc(record_change::Column::Id)
                .one(txn)
                .await?
                .map(|c| c.snapshot)
        };
        let mut changes = diff(previous.as_ref(), &snapshot);
        add_members(&mut changes, e);
        entry(made, e, snapshot, changes).insert(txn).await?;
    }
    Ok(())
}

/// The first history entry of a record created by `e`, as a row to insert
/// (for writers inserting many records' entries in one statement).
pub fn first_entry_row(made: Made, e: &NewEvent) -> record_change::ActiveModel {
    let (snapshot, mut changes) = first_entry(e);
    add_members(&mut changes, e);
    entry(made, e, snapshot, changes)
}

fn entry(made: Made, e: &NewEvent, snapshot: Value, changes: Value) -> record_change::ActiveModel {
    record_change::ActiveModel {
        id: Set(crate::store::new_id()),
        workspace_id: Set(made.workspace_id),
        record_type: Set(e.record_type.to_owned()),
        record_id: Set(e.record_id),
        kind: Set(e.kind.clone()),
        actor_member_id: Set(made.member_id),
        actor_api_key_id: Set(made.api_key_id),
        snapshot: Set(snapshot),
        changes: Set(changes),
        created_at: Set(made.at),
    }
}

/// The snapshot and changes of the first entry of a record created by `e`
/// (every field is new).
pub fn first_entry(e: &NewEvent) -> (Value, Value) {
    let snapshot = snapshot_of(e);
    let changes = diff(None, &snapshot);
    (snapshot, changes)
}

/// The record in an event's payload: `payload.deal` for `{ deal, … }`
/// payloads, else the payload itself.
fn snapshot_of(e: &NewEvent) -> Value {
    let key = e.record_type.to_lowercase();
    match e.payload.get(&key) {
        Some(record @ Value::Object(_)) => record.clone(),
        _ => e.payload.clone(),
    }
}

/// A list's members put on or taken off (`payload.members.contacts_added`,
/// …) as a change of that field from null to the ids: the list's own fields
/// stay as they were, and its snapshot with them.
fn add_members(changes: &mut Value, e: &NewEvent) {
    let Some(members) = e.payload.get("members").and_then(Value::as_object) else {
        return;
    };
    let Some(list) = changes.as_array_mut() else {
        return;
    };
    for (field, ids) in members {
        list.push(json!({ "field": field, "before": null, "after": ids }));
    }
}

/// The column holding a record's custom field values.
const CUSTOM_FIELDS: &str = "custom_fields";

/// A record's fields as history compares them: each custom field value as a
/// field of its own (`custom_fields.<key>`), so that a change names the
/// custom field that changed rather than the whole object.
fn flattened(record: Option<&Value>) -> Map<String, Value> {
    let mut fields = record
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(custom)) = fields.remove(CUSTOM_FIELDS) {
        for (key, value) in custom {
            fields.insert(format!("{CUSTOM_FIELDS}.{key}"), value);
        }
    }
    fields
}

/// `[{ field, before, after }]` for each field whose value differs.
fn diff(before: Option<&Value>, after: &Value) -> Value {
    let (before, after) = (&flattened(before), &flattened(Some(after)));
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
        let custom = diff(
            Some(&json!({ "custom_fields": { "tier": "Gold", "seats": 3 } })),
            &json!({ "custom_fields": { "tier": "Gold", "vip": true } }),
        );
        assert_eq!(
            custom,
            json!([
                { "field": "custom_fields.seats", "before": 3, "after": null },
                { "field": "custom_fields.vip", "before": null, "after": true },
            ])
        );
        let created = diff(None, &json!({ "name": "New" }));
        assert_eq!(
            created,
            json!([{ "field": "name", "before": null, "after": "New" }])
        );
    }
}
