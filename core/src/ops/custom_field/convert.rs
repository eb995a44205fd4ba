//! A custom field's type or options change: every stored value, on live
//! and deleted records alike (a restored record must hold a value of the
//! field's type), is read back as text and checked as the new type. All of
//! them convert in the same transaction, or none does and the refusal names
//! the records that would not. Each converted record gets a history entry
//! (`updated`, the field's value before and after), as an edit would.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entity::enums::{CustomFieldRecordType, CustomFieldType};
use entity::{company, contact, custom_field, deal, ticket};
use sea_orm::QueryFilter;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement, Value as SqlValue};
use serde_json::Value;
use uuid::Uuid;

use super::types;
use super::values::json_path;
use crate::error::{CoreError, CoreResult};
use crate::events::history::{self, Made};
use crate::kind::Kind;
use crate::store::placeholders::for_backend;
use crate::store::{Table, col, derived, event_for};

/// How many unconvertible records a refusal names.
const NAMED: usize = 20;

/// Converts the values of `field` to `field_type` with `options`, by `made`.
pub(super) async fn convert_values(
    txn: &DatabaseTransaction,
    made: Made,
    field: &custom_field::Model,
    field_type: CustomFieldType,
    options: &[String],
) -> CoreResult<()> {
    let (backend, workspace_id) = (txn.get_database_backend(), made.workspace_id);
    let table = field.record_type.table();
    let has_key = if backend == DbBackend::Postgres {
        (
            r#"("custom_fields" -> ?) IS NOT NULL"#,
            SqlValue::from(field.key.clone()),
        )
    } else {
        (
            r#"json_type("custom_fields", ?) IS NOT NULL"#,
            SqlValue::from(json_path(&field.key)),
        )
    };
    let sql = format!(
        r#"SELECT "id", "custom_fields" FROM "{table}" WHERE "workspace_id" = ? AND {}"#,
        has_key.0
    );
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            for_backend(backend, &sql),
            [workspace_id.into(), has_key.1],
        ))
        .await?;
    let mut converted = Vec::new();
    let mut refused = Vec::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let mut values: Value = row.try_get("", "custom_fields")?;
        let Some(object) = values.as_object_mut() else {
            continue;
        };
        let Some(old) = object.get(&field.key) else {
            continue;
        };
        let as_text = Value::String(types::as_text(old));
        match types::check(field_type, options, &as_text) {
            Ok(Some(new)) if &new == old => {}
            Ok(Some(new)) => {
                object.insert(field.key.clone(), new);
                converted.push((id, values));
            }
            Ok(None) | Err(_) => refused.push(id),
        }
    }
    if !refused.is_empty() {
        let kind = Kind::of_record_type(field.record_type);
        let named: Vec<String> = refused
            .iter()
            .take(NAMED)
            .map(|id| URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id.simple())))
            .collect();
        let changed = if field_type == field.field_type {
            "input.options"
        } else {
            "input.type"
        };
        return Err(CoreError::bad_input(
            changed,
            format!(
                "{} records hold values that would not convert, among them: {}",
                refused.len(),
                named.join(", ")
            ),
        ));
    }
    let update = for_backend(
        backend,
        &format!(
            r#"UPDATE "{table}" SET "custom_fields" = ? WHERE "workspace_id" = ? AND "id" = ?"#
        ),
    );
    let ids: Vec<Uuid> = converted.iter().map(|(id, _)| *id).collect();
    for (id, values) in converted {
        let json = SqlValue::Json(Some(Box::new(values)));
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            update.clone(),
            [json, workspace_id.into(), id.into()],
        ))
        .await?;
    }
    match field.record_type {
        CustomFieldRecordType::Company => record::<company::Entity>(txn, made, ids).await,
        CustomFieldRecordType::Contact => record::<contact::Entity>(txn, made, ids).await,
        CustomFieldRecordType::Deal => record::<deal::Entity>(txn, made, ids).await,
        CustomFieldRecordType::Ticket => record::<ticket::Entity>(txn, made, ids).await,
    }
}

/// History entries for the converted records `ids` (read back whole: an
/// entry holds the record's snapshot), a page of ids at a time; their
/// search documents follow the values (no event of theirs says so).
async fn record<T: Table>(txn: &DatabaseTransaction, made: Made, ids: Vec<Uuid>) -> CoreResult<()> {
    derived::refresh_records(txn, made.workspace_id, T::TABLE, ids.iter().copied()).await?;
    for chunk in ids.chunks(500) {
        let rows = T::find()
            .filter(col(T::TABLE, "workspace_id").eq(made.workspace_id))
            .filter(col(T::TABLE, "id").is_in(chunk.to_vec()))
            .all(txn)
            .await?;
        let events = rows
            .iter()
            .map(|row| event_for::<T>(row, "updated"))
            .collect::<CoreResult<Vec<_>>>()?;
        history::record(txn, made, &events).await?;
    }
    Ok(())
}
